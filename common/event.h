/* event.h — a flag threads can wait for (Python's threading.Event).
 *
 * One thread announces "it happened" with tl_event_set(); any number of threads blocked in
 * tl_event_wait() wake up, and later waiters pass straight through until tl_event_clear()
 * lowers the flag again. Typical uses: a start gate ("all workers ready, go"), a shutdown
 * request, "the data is loaded".
 *
 *     Python                         C (this header)
 *     e = threading.Event()          tl_event e; tl_event_init(&e);   ...  tl_event_destroy(&e);
 *     e.set()                        tl_event_set(&e);
 *     e.clear()                      tl_event_clear(&e);
 *     e.is_set()                     tl_event_is_set(&e)
 *     e.wait()                       tl_event_wait(&e);
 *     e.wait(timeout=0.5)            tl_event_wait_ms(&e, 500)
 *
 * What a wait returns. Python's wait() returns True when the flag was set before the call
 * or at any moment during it, even if someone cleared it again before the waiter got to run.
 * This event keeps that promise with a generation counter: every set() that raises the flag
 * starts a new generation, and a waiter returns as soon as the flag is up OR the generation
 * it started in has ended. A waiter that only re-checked the flag would sleep through
 * `set(); clear();` — the wake-up would be lost.
 *
 * Where C differs from Python, on purpose:
 *   - Timeouts are whole milliseconds (long), not float seconds; ms <= 0 only looks at the
 *     flag and never blocks (Python treats a negative timeout the same way).
 *   - tl_event_wait() returns nothing: without a timeout it can only return "set".
 *   - An event must be initialised and destroyed explicitly, and must not be destroyed
 *     while a thread may still be waiting on it (POSIX forbids destroying a condition
 *     variable with waiters).
 *   - Timed waits run on CLOCK_MONOTONIC (tl_cond_init_monotonic), so setting the wall
 *     clock neither shortens nor stretches them.
 *   - Not async-signal-safe: do not call these from a signal handler.
 * Errors from the pthread calls inside are fatal (TL_CHECK), so no function here returns one.
 */
#ifndef TL_EVENT_H
#define TL_EVENT_H

#include <pthread.h>
#include <stdbool.h>

typedef struct {
    pthread_mutex_t mutex;   /* guards flag and generation */
    pthread_cond_t changed;  /* broadcast by every set() that raises the flag */
    bool flag;
    unsigned long generation; /* how many times set() has raised the flag; wraps harmlessly */
} tl_event;

/* Post: *e is an event with the flag clear. Pre: *e is not already initialised. */
void tl_event_init(tl_event *e);

/* Pre: no thread is waiting on *e or will use it again. Post: its resources are released. */
void tl_event_destroy(tl_event *e);

/* Raises the flag and wakes every thread waiting at this moment. Setting a flag that is
 * already set changes nothing. */
void tl_event_set(tl_event *e);

/* Lowers the flag. Threads already woken by an earlier set() still return "set". */
void tl_event_clear(tl_event *e);

/* The flag right now; another thread may change it before the caller acts on the answer. */
bool tl_event_is_set(tl_event *e);

/* Returns at once if the flag is set; otherwise blocks until the next set(). Waiting does
 * not lower the flag (unlike taking a semaphore). */
void tl_event_wait(tl_event *e);

/* As tl_event_wait, for at most timeout_ms milliseconds. Returns true if the flag was set
 * when the call began or was set at any moment during it (even if cleared since), false if
 * the time ran out first. timeout_ms <= 0 returns the flag without blocking. */
bool tl_event_wait_ms(tl_event *e, long timeout_ms);

#endif
