/* exercise_check.h — Step 5: the student's run_all_threaded() (exercise.h), run so that it
 * cannot hang or crash the lab, and judged in one sentence.
 *
 * The work handed to it first waits (bounded) until every task has started, so it can count how
 * many run at once, and it reads its task only after the caller's loop is over: that makes the
 * `&i` bug show on every run. The arrays have guard entries past the end, so a thread indexing
 * past them is named instead of corrupting memory. The call runs on a thread of its own, waited
 * for with a deadline (common/bounded.h); if it never returns, it is left running and its memory
 * left alone.
 * (The grader, tests/graders/lab00.c, makes the same checks one by one, with hints.)
 */
#ifndef LAB00_EXERCISE_CHECK_H
#define LAB00_EXERCISE_CHECK_H

#include "exercise.h"

/* Runs run_all_threaded on n tasks (n <= 64) of ms ms each, the last failing on purpose, with
 * `work` doing each task (it also says what each result must be). Prints [ok] or [todo] (with
 * what is wrong). Returns the seconds the call took, or -1 if it did not return in time. */
double check_run_all_threaded(long n, long ms, task_fn work);

#endif
