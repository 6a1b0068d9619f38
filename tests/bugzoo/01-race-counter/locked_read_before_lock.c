/* Breaks {increment_locked.waits}: reads c->value before taking c->lock, so it overwrites what the previous holder wrote. */
#include "exercise.h"

#include "check.h"
#include "clock.h"

static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    long seen = c->value;
    TL_CHECK(pthread_mutex_lock(&c->lock));
    do_some_work();
    c->value = seen + 1;
    TL_CHECK(pthread_mutex_unlock(&c->lock));
}

void counter_increment_atomic(atomic_counter *c)
{
    do_some_work();
    atomic_fetch_add(&c->value, 1);
}
