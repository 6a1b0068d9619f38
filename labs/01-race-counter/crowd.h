/* crowd.h — start many threads at the same instant, and wait for them with a bound.
 *
 * A race shows when threads touch shared data at the same time. Threads created one after
 * another in a loop do not start together: the first may be done before the last is born,
 * and the race hides. So every thread of a crowd first waits behind a start gate, and the
 * gate opens for all of them at once when all have arrived.
 *
 * The wait for the crowd to finish is bounded: code under test that never returns (a lock
 * that is never unlocked) is reported instead of hanging the lab or the grader.
 */
#ifndef LAB01_CROWD_H
#define LAB01_CROWD_H

#include <stdbool.h>

/* What each thread of the crowd runs, with the crowd's shared argument. */
typedef void (*crowd_task)(void *arg);

typedef struct {
    bool finished;  /* every thread returned within the bound, and was joined */
    double seconds; /* from the gate opening until the last thread returned */
} crowd_result;

/* Runs task(arg) in `threads` threads released together, waits at most timeout_ms for all of
 * them. When time runs out, the stragglers are detached (they may still be running, so arg
 * must stay valid) and .finished is false. */
crowd_result crowd_run(int threads, crowd_task task, void *arg, long timeout_ms);

#endif
