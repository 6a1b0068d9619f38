/* probe.h — checks of a bounded_buffer (exercise.h) that can neither hang nor crash the caller.
 *
 * Every buffer call runs in a thread of its own and is waited for with a deadline, so a consumer
 * that close() forgot to wake is reported ("1 of 3 consumers returned") instead of blocking the
 * lab or the grader. Threads left stuck in a broken buffer are abandoned with their buffer (the
 * process ends soon after); on a correct buffer every thread is joined and everything freed.
 *
 * To make the interesting wake-ups happen on every run, not just sometimes, a probe first waits
 * until the buffer's consumer_waits / producer_waits counter says a thread is really waiting,
 * then wakes it itself (a broadcast with nothing changed: exactly what a spurious wake-up, or a
 * wake-up whose item another consumer took first, looks like to the woken thread).
 *
 * Shared by lab05 (step 3) and its grader (tests/graders/lab05.c).
 */
#ifndef LAB05_PROBE_H
#define LAB05_PROBE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int producers;            /* probe_stress */
    int consumers;            /* probe_stress */
    size_t capacity;          /* probe_stress */
    long items_per_producer;  /* probe_stress */
    int waiters;              /* probe_close_wakes_*: threads waiting when close() is called */
    long deadline_ms;         /* bound on each wait for the buffer's threads */
} probe_config;

typedef struct {
    bool passed;
    char summary[256]; /* a verdict: what was observed, with what was expected */
    char advice[512];  /* on failure: what probably went wrong and what to change */
} probe_result;

typedef probe_result probe_fn(const probe_config *cfg);

/* get() woken while the buffer is still empty (and open) must wait again, not return. */
probe_fn probe_get_rechecks;

/* put() woken while the buffer is still full must wait again, not write over an item. */
probe_fn probe_put_rechecks;

/* cfg->waiters consumers wait on an empty buffer; close() must make every one return false. */
probe_fn probe_close_wakes_consumers;

/* cfg->waiters producers wait on a full buffer; close() must make every one return false,
 * and the item already in the buffer must still be delivered. */
probe_fn probe_close_wakes_producers;

/* Producers put distinct items, consumers take until get() returns false after close():
 * every item exactly once, each producer's items in order, every thread returns. */
probe_fn probe_stress;

#endif
