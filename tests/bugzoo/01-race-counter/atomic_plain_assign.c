/* Breaks {increment_atomic.one_step}: c->value = c->value + 1 on an atomic_long is a load and a separate store, not one step. */
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
    c->value = seen + 1;
    TL_CHECK(pthread_mutex_unlock(&c->lock));
}

void counter_increment_atomic(atomic_counter *c)
{
    do_some_work();
    c->value = c->value + 1;
}
