/* Breaks {increment_locked.holds_lock}: a plain c->value++ with no lock at all, so concurrent calls lose updates. */
#include "exercise.h"

#include "check.h"
#include "clock.h"

static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    do_some_work();
    c->value++;
}

void counter_increment_atomic(atomic_counter *c)
{
    do_some_work();
    atomic_fetch_add(&c->value, 1);
}
