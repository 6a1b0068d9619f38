/* event_check.h — checks of an event (exercise.h) that cannot hang the caller.
 *
 * Every call into the event runs on a thread of its own and is waited for with a deadline, so a
 * waiter that set() forgot to wake is reported ("1 of 4 returned") instead of blocking the lab or
 * the grader. Threads left stuck in a broken event are abandoned with it (the process ends soon
 * after); on a correct event every thread is joined and everything freed.
 *
 * To make the wake-ups happen on every run, not just sometimes, a check first waits until the
 * event's `waits` counter says every waiter is really waiting, and only then calls set().
 *
 * Shared by lab04 (step 4) and its grader (tests/graders/lab04.c), so both judge alike.
 */
#ifndef LAB04_EVENT_CHECK_H
#define LAB04_EVENT_CHECK_H

#include <stdbool.h>

#define EVENT_CHECK_MAX_WAITERS 32

typedef struct {
    int waiters;   /* the wake-up checks: threads waiting, at most EVENT_CHECK_MAX_WAITERS */
    long bound_ms; /* how long the checks wait for the event's threads */
} event_check_config;

typedef struct {
    bool passed;
    char summary[256]; /* a verdict: what was observed, with what was expected */
    char advice[512];  /* on failure: what probably went wrong and what to change */
} event_check_result;

typedef event_check_result event_check_fn(const event_check_config *cfg);

/* is_set() follows set() and clear(); wait_ms(0) and wait() return at once when the flag is up
 * and do not lower it; a set() and clear() both before a wait_ms(0) do not count. */
event_check_fn event_check_flag;

/* wait_ms() with nobody setting returns false, and not before its timeout. */
event_check_fn event_check_timeout;

/* cfg->waiters threads waiting (half in wait(), half in wait_ms()): one set() wakes every one. */
event_check_fn event_check_set_wakes_all;

/* The same, with clear() called right after set(): every waiter still returns "set". */
event_check_fn event_check_set_clear_wakes_all;

#endif
