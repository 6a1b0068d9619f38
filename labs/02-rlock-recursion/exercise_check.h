/* exercise_check.h — Step 4: the student's re-entrant lock (exercise.h), checked so that it
 * cannot hang the lab.
 *
 * One thread (the owner) acquires the lock three times, has other threads try to acquire and to
 * release it while it is held, releases it three times and once too often, and has another
 * thread acquire it once it is free. That thread runs apart and is waited for with a deadline:
 * an acquire that never returns is reported as [todo], and the thread is left stuck, detached.
 * The grader (tests/graders/lab02.c) checks the same contract one rule at a time, with hints.
 */
#ifndef LAB02_EXERCISE_CHECK_H
#define LAB02_EXERCISE_CHECK_H

/* Runs the checks and prints [ok] or [todo] lines: first whether the owner can re-acquire
 * without waiting, then (if it can) each of the other rules. */
void check_rlock(void);

#endif
