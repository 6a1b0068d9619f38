/* Breaks {increment_locked.holds_lock}: locks a mutex made inside the call, a new one each time, which excludes nobody. */
#include "exercise.h"

#include "check.h"
#include "clock.h"

static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    TL_CHECK(pthread_mutex_lock(&lock));
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
    TL_CHECK(pthread_mutex_unlock(&lock));
}

void counter_increment_atomic(atomic_counter *c)
{
    do_some_work();
    atomic_fetch_add(&c->value, 1);
}
