/* Breaks {increment_atomic.one_step}: one compare-exchange whose failure is ignored, so a call that lost the race adds nothing. */
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
    long seen = atomic_load(&c->value);
    do_some_work();
    atomic_compare_exchange_strong(&c->value, &seen, seen + 1);
}
