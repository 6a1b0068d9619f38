/* exercise.h — lab04's exercise: an event (Python's threading.Event) built from a mutex, a
 * condition variable, a flag and a generation counter.
 *
 * One thread announces "it happened" with event_set(); every thread blocked in event_wait()
 * wakes up, and later waiters pass straight through until event_clear() lowers the flag again.
 *
 * What a wait promises: it returns "set" when the flag was up when the call began, or was raised
 * at ANY moment during the call — even if someone cleared it again before the waiter got to run.
 * Re-checking only the flag after waking cannot keep that promise (`set(); clear();` would leave
 * the woken waiters looking at a flag that is down again). `generation` can: set() starts a new
 * generation each time it raises the flag, and a waiter returns as soon as the flag is up OR the
 * generation it started in has ended.
 *
 * `waits` is an instrument, not part of the algorithm: event_wait and event_wait_ms add one,
 * under the lock, just before each pthread_cond_wait / pthread_cond_timedwait. The lab and the
 * grader read it (under the lock) to know that threads are really waiting before they call
 * set(). The starter keeps it up to date: keep those lines.
 *
 * The lab (step 4) and the grader (`make check-lab04`) check this contract; the grader runs the
 * same contract tests as common/event.h (tests/contract/event_contract.h).
 */
#ifndef LAB04_EXERCISE_H
#define LAB04_EXERCISE_H

#include <pthread.h>
#include <stdbool.h>

typedef struct {
    pthread_mutex_t lock;     /* guards every field below */
    pthread_cond_t changed;   /* waited on by event_wait*; a CLOCK_MONOTONIC condvar */
    bool flag;                /* the event is set */
    unsigned long generation; /* how many times set() raised the flag; wraps harmlessly */
    unsigned long waits;      /* instrument: times a thread started waiting (see above) */
} event;

/* Post: *e is an event with the flag clear. */
void event_init(event *e);

/* Pre: no thread is waiting on *e or will use it again. */
void event_destroy(event *e);

/* Raises the flag and wakes EVERY thread waiting at this moment. Setting a flag that is already
 * set changes nothing. */
void event_set(event *e);

/* Lowers the flag. Threads woken by an earlier set() still return "set". */
void event_clear(event *e);

/* The flag right now. */
bool event_is_set(event *e);

/* Returns at once if the flag is set; otherwise blocks until the next set(), even if clear()
 * follows it before this thread gets to run. Waiting does not lower the flag. */
void event_wait(event *e);

/* As event_wait, for at most timeout_ms milliseconds: true if the flag was up when the call
 * began or was raised during it, false if the time ran out first. timeout_ms <= 0 returns the
 * flag without blocking. The deadline is absolute: a spurious wake-up does not restart it. */
bool event_wait_ms(event *e, long timeout_ms);

#endif
