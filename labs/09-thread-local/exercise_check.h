/* exercise_check.h — Step 4: the student's sharded counter (exercise.h), run by writers and a
 * polling reader at once (counter_stress.c, the same run the grader makes), then read once
 * with shards filled by hand. Bounded: a counter that never finishes is reported, not waited
 * for. The grader (tests/graders/lab09.c) checks the same contract one rule at a time.
 */
#ifndef LAB09_EXERCISE_CHECK_H
#define LAB09_EXERCISE_CHECK_H

/* Runs `writers` writers of `adds_each` adds (one shard each) and a reader; prints one [todo]
 * line for each rule broken, or one [ok] line when none is. */
void check_sharded_counter(long writers, long adds_each);

#endif
