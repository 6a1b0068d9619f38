/* Breaks {increment_atomic.lock_free}: wraps the atomic add in a mutex, so the "lock-free" counter takes a lock on every call. */
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
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    do_some_work();
    TL_CHECK(pthread_mutex_lock(&lock));
    atomic_fetch_add(&c->value, 1);
    TL_CHECK(pthread_mutex_unlock(&lock));
}
