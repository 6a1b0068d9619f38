/* exercise_check.h — Step 4: the student's two increments (exercise.h), each called by many
 * threads at once, judged by the count.
 *
 * The threads start together behind crowd.c's start gate, and the wait for them is bounded: an
 * increment that never returns (a lock never unlocked) is reported as [todo], not a hung lab.
 * The grader (tests/graders/lab01.c) makes the same check, and more, with hints.
 */
#ifndef LAB01_EXERCISE_CHECK_H
#define LAB01_EXERCISE_CHECK_H

enum {
    EXERCISE_THREADS = 16, /* threads calling one increment at once */
    EXERCISE_CALLS = 20,   /* calls per thread */
};

/* Runs counter_increment_locked, then counter_increment_atomic, EXERCISE_CALLS times in each
 * of EXERCISE_THREADS threads, and prints one [ok] or [todo] line for each. */
void check_increments(void);

#endif
