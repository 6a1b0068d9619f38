/* exercise_check.c — Step 4's crowd run of the student's increments (exercise_check.h). */
#include "exercise_check.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "crowd.h"
#include "exercise.h"
#include "report.h"

#define EXERCISE_BOUND_MS 10000L /* your exercise might not finish: then it is reported */

/* Static, not on a stack: threads stuck in unfinished code may still be using them. */
static locked_counter exercise_locked = LOCKED_COUNTER_INIT;
static atomic_counter exercise_atomic = ATOMIC_COUNTER_INIT;

static void call_locked(void *c)
{
    for (int i = 0; i < EXERCISE_CALLS; i++)
        counter_increment_locked(c);
}

static void call_atomic(void *c)
{
    for (int i = 0; i < EXERCISE_CALLS; i++)
        counter_increment_atomic(c);
}

/* An unfinished exercise is [todo], not a failure of the lab. */
static void report_exercise(const char *function, bool finished, long got)
{
    const long expected = EXERCISE_THREADS * EXERCISE_CALLS;
    if (!finished)
        tl_verdict(TL_TODO, "%s: did not finish within %ld s (expected %ld increments): a lock "
                   "never unlocked? Run `make check-lab01`", function, EXERCISE_BOUND_MS / 1000,
                   expected);
    else if (got != expected)
        tl_verdict(TL_TODO, "%s: counter = %ld (expected %ld; %ld updates %s): make it safe in "
                   "exercise.c, then run `make check-lab01`", function, got, expected,
                   labs(expected - got), got < expected ? "lost" : "too many");
    else
        tl_verdict(TL_OK, "%s: counter = %ld (expected %ld)", function, got, expected);
}

void check_increments(void)
{
    /* Read a counter only when every thread finished: stragglers may still be writing it. */
    bool done =
        crowd_run(EXERCISE_THREADS, call_locked, &exercise_locked, EXERCISE_BOUND_MS).finished;
    report_exercise("counter_increment_locked", done, done ? exercise_locked.value : 0);
    done = crowd_run(EXERCISE_THREADS, call_atomic, &exercise_atomic, EXERCISE_BOUND_MS).finished;
    report_exercise("counter_increment_atomic", done,
                    done ? atomic_load(&exercise_atomic.value) : 0);
}
