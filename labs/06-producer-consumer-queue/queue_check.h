/* queue_check.h — checks of a bounded_queue (exercise.h) that can neither hang nor crash the caller.
 *
 * Every queue call runs on a thread of its own and is waited for with a deadline, so a getter
 * that shutdown() forgot to wake is reported ("1 of 3 getters returned") instead of blocking the
 * lab or the grader. Threads left stuck in a broken queue are abandoned with it (the process
 * ends soon after); on a correct queue every thread is joined and everything freed.
 *
 * To make the interesting wake-up happen on every run, not just sometimes, a check first waits
 * until the queue's getter_waits / putter_waits counter says its threads are really waiting,
 * then wakes them itself with nothing changed (a broadcast under the queue's lock): exactly what
 * a spurious wake-up, or a wake-up whose item another getter took first, looks like.
 *
 * Shared by lab06 (its last step) and its grader (tests/graders/lab06.c), so both judge alike.
 */
#ifndef LAB06_QUEUE_CHECK_H
#define LAB06_QUEUE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define QUEUE_CHECK_MAX_SIDE 8 /* most waiters, producers or consumers in one check */

typedef struct {
    long bound_ms;           /* how long to wait for the queue's threads (a correct queue: far less) */
    int waiters;             /* shutdown checks: threads waiting when shutdown() is called */
    int producers;           /* queue_check_stress */
    int consumers;           /* queue_check_stress */
    long items_per_producer; /* queue_check_stress */
    size_t maxsize;          /* queue_check_stress */
} queue_check_config;

typedef struct {
    bool passed;
    char summary[256]; /* a verdict: what was observed, with what was expected */
    char advice[512];  /* on failure: what probably went wrong and what to change */
} queue_check_result;

typedef queue_check_result queue_check_fn(const queue_check_config *cfg);

/* One thread: FIFO order across a wrap-around, size()/empty()/full(), and put_ms()/get_ms() that
 * time out (not early) on a full / empty queue, adding or removing nothing. */
queue_check_fn queue_check_one_thread;

/* get() and get_ms() woken while the queue is still empty must wait again, then take the items
 * once they are put. */
queue_check_fn queue_check_get_rechecks;

/* put() and put_ms() woken while the queue is still full must wait again, then put their items
 * once there is room, in order after the one already inside. */
queue_check_fn queue_check_put_rechecks;

/* cfg->waiters getters wait on an empty queue; shutdown() must make every one return SHUTDOWN. */
queue_check_fn queue_check_shutdown_wakes_getters;

/* cfg->waiters putters wait on a full queue; shutdown() must make every one return SHUTDOWN,
 * and the item already inside is still handed out, then get() says SHUTDOWN. */
queue_check_fn queue_check_shutdown_wakes_putters;

/* Producers put distinct items through a queue of cfg->maxsize to consumers that get until
 * SHUTDOWN; shutdown() is called once every producer is done. Every item exactly once, each
 * producer's items in order, every thread back. */
queue_check_fn queue_check_stress;

#endif
