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
    /* TODO(exercise): two threads can both read the same value here, both work, and both write
     * back that value plus one: one update is lost. Nothing stops a second thread from entering
     * this read-work-write while the first is still inside it. The counter carries what you
     * need for that (exercise.h says what must hold, and for how long). */
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
}

void counter_increment_atomic(atomic_counter *c)
{
    /* TODO(exercise): c->value is atomic, so this read and this write are each indivisible,
     * but the pair is not: another thread can write in between, and this write then
     * overwrites its update. This version may take no lock. The work does not touch the
     * counter. */
    long seen = c->value;
    do_some_work();
    c->value = seen + 1;
}
