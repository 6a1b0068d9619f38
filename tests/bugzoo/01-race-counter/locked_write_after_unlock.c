/* Breaks {increment_locked.holds_lock}: unlocks c->lock after the work but before writing c->value back. */
#include "exercise.h"

#include "check.h"
#include "clock.h"

static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    TL_CHECK(pthread_mutex_lock(&c->lock));
    long seen = c->value;
    do_some_work();
    TL_CHECK(pthread_mutex_unlock(&c->lock));
    c->value = seen + 1;
}

void counter_increment_atomic(atomic_counter *c)
{
    do_some_work();
    atomic_fetch_add(&c->value, 1);
}
