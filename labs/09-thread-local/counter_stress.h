/* counter_stress.h — writers add to a sharded counter while a reader polls it.
 *
 * The one concurrent check of the exercise, shared by lab09's last step and by its grader so
 * both judge the student's counter the same way: exact total, reads that never go backwards,
 * and each writer's adds in the shard it named. Every wait is bounded.
 */
#ifndef LAB09_COUNTER_STRESS_H
#define LAB09_COUNTER_STRESS_H

#include <stdbool.h>

#include "exercise.h"

typedef struct {
    int writers;     /* writer threads; writer w adds to shard w % nshards */
    long adds_each;  /* calls to sharded_counter_add per writer */
    long timeout_ms; /* bound on the whole run */
} counter_stress_plan;

typedef struct {
    bool finished;          /* every writer finished in time; if not, the threads are left running
                               (detached) and the counter must be leaked, not destroyed */
    long expected;          /* everything the writers added */
    long final_read;        /* sharded_counter_read once every writer was joined */
    long reads;             /* reads the reader made while writers were adding */
    long backwards;         /* reads smaller than the reader's previous read */
    long drop_from, drop_to; /* the first backwards step, when there was one */
    int wrong_shard;        /* first shard that does not hold what its writers added, or -1 */
    long wrong_shard_got, wrong_shard_expected;
} counter_stress_result;

/* What writer w passes as n on every add: w % 3 + 1, so an add that ignores n is caught. */
long counter_stress_amount(int writer);

/* Pre: c is initialised and every shard is 0. Runs plan->writers writers and one reader. */
counter_stress_result counter_stress_run(sharded_counter *c, const counter_stress_plan *plan);

#endif
