/* exercise.c — lab01, the reference answer. */
#include "exercise.h"

#include "check.h"
#include "clock.h"

/* The same stand-in for real work as the starter's: the answers stay correct with it. */
static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    /* The lock is held from before the read until after the write, so no other thread can read
     * the old value while this one is working on it: the window still exists, but only one
     * thread at a time can be inside it. Every caller uses the same c->lock, which is what
     * makes it exclusive. */
    TL_CHECK(pthread_mutex_lock(&c->lock));
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
    TL_CHECK(pthread_mutex_unlock(&c->lock));
}

void counter_increment_atomic(atomic_counter *c)
{
    /* The work does not touch the counter, so it needs no protection. The increment is one
     * indivisible read-modify-write (a `lock xadd` on x86): no other thread can write between
     * its read and its write, so no window is left at all. */
    do_some_work();
    atomic_fetch_add(&c->value, 1);
}
