/* exercise.c — lab01, your part: make both increments below safe.
 *
 * As shipped, both are the unsafe read–work–write of Step 1 of the demo: when threads call
 * them at the same time, one thread's write overwrites another's and updates are lost.
 * Read exercise.h (the contract) and README.md (hints), then check with `make check-lab01`.
 */
#include "exercise.h"

#include "check.h" /* TL_CHECK(...) around every pthread call */
#include "clock.h"

/* Stands for real work done between reading the counter and writing it back. It widens the
 * window in which another thread can slip in, so an unsafe increment loses updates on every
 * run rather than once in a while. Keep it: a correct answer is correct with it. */
static void do_some_work(void)
{
    tl_sleep_us(100);
}

void counter_increment_locked(locked_counter *c)
{
    /* TODO(exercise): lock c->lock here, so that the read, the work and the write below are
     * one critical section that no other thread can enter halfway... */
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
    /* TODO(exercise): ...and unlock it here. */
}

void counter_increment_atomic(atomic_counter *c)
{
    /* TODO(exercise): c->value is atomic, so this read and this write are each indivisible,
     * but the pair is not: another thread can write in between and its update is then
     * overwritten. Do the work first, then replace the read and the write by ONE atomic
     * read-modify-write (see atomic_fetch_add in <stdatomic.h>). */
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
}
