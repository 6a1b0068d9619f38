/* Breaks {increment_locked.holds_lock}: checks c->value for overflow before taking c->lock, a read without the mutex (a data race). */
#include "exercise.h"

#include "check.h"
#include "clock.h"

#include <limits.h>

static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    if (c->value == LONG_MAX)
        TL_DIE("the counter would overflow");
    TL_CHECK(pthread_mutex_lock(&c->lock));
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
    TL_CHECK(pthread_mutex_unlock(&c->lock));
}

void counter_increment_atomic(atomic_counter *c)
{
    do_some_work();
    atomic_fetch_add(&c->value, 1);
}
