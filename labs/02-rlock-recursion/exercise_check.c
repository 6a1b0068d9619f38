/* exercise_check.c — Step 4's bounded checks of the student's rlock (exercise_check.h). */
#include "exercise_check.h"

#include <errno.h>
#include <stdbool.h>

#include "bounded.h"
#include "check.h"
#include "exercise.h"
#include "other_thread.h"
#include "report.h"

#define EXERCISE_BOUND_MS 5000L /* your exercise might never return: then it is reported */

static void *rlock_try(void *arg) /* another thread's timed acquire, released again if it worked */
{
    other_thread_call *c = arg;
    c->rc = rlock_acquire_timed(c->lock, c->ms);
    if (c->rc == 0)
        rlock_release(c->lock);
    return NULL;
}

static void *rlock_release_call(void *arg)
{
    other_thread_call *c = arg;
    c->rc = rlock_release(c->lock);
    return NULL;
}

/* Static, not on a stack: a worker stuck in unfinished code may still be using them. */
static rlock student_lock;
static struct {
    int reentry, other_acquire, other_release, releases[3], extra_release, after;
} check;

static void check_exercise(void *unused)
{
    (void)unused;
    rlock_acquire(&student_lock);
    check.reentry = rlock_acquire_timed(&student_lock, 500);
    if (check.reentry == 0) {
        rlock_acquire(&student_lock);
        check.other_acquire = from_other_thread(rlock_try, &student_lock, 50);
        check.other_release = from_other_thread(rlock_release_call, &student_lock, 0);
        for (int i = 0; i < 3; i++)
            check.releases[i] = rlock_release(&student_lock);
        check.extra_release = rlock_release(&student_lock);
        check.after = from_other_thread(rlock_try, &student_lock, 1000);
    }
}

void check_rlock(void)
{
    rlock_init(&student_lock);
    if (!tl_call_bounded(check_exercise, NULL, EXERCISE_BOUND_MS)) {
        /* stuck in your code, with student_lock and check: the process exit ends it */
        tl_verdict(TL_TODO, "the checks did not finish within %ld s: an acquire that never "
                   "returns? Run `make check-lab02`", EXERCISE_BOUND_MS / 1000);
        return;
    }
    if (check.reentry != 0) {
        tl_verdict(TL_TODO, "the owner's second acquire returned %s (expected 0): the lock made "
                   "its owner wait for itself. Track owner and count in exercise.c, then run "
                   "`make check-lab02`", tl_errno_name(check.reentry));
        return;
    }
    tl_verdict(TL_OK, "the owner acquired it 3 times without waiting (expected: no wait)");
    tl_expect(check.other_acquire == ETIMEDOUT, TL_TODO, "while held, another thread's 50 ms "
              "acquire returned %s (expected ETIMEDOUT)", tl_errno_name(check.other_acquire));
    tl_expect(check.other_release == EPERM, TL_TODO, "release by a thread that does not hold it "
              "returned %s (expected EPERM)", tl_errno_name(check.other_release));
    bool balanced = check.releases[0] == 0 && check.releases[1] == 0 && check.releases[2] == 0 &&
                    check.extra_release == EPERM;
    tl_expect(balanced, TL_TODO, "the owner's releases returned %s, %s, %s, then %s (expected 0, "
              "0, 0, then EPERM)", tl_errno_name(check.releases[0]),
              tl_errno_name(check.releases[1]), tl_errno_name(check.releases[2]),
              tl_errno_name(check.extra_release));
    tl_expect(check.after == 0, TL_TODO, "once released, another thread's acquire returned %s "
              "(expected 0)", tl_errno_name(check.after));
    rlock_destroy(&student_lock);
}
