/* exercise.h — lab03's exercise: a bounded semaphore (Python's threading.BoundedSemaphore) built
 * from a mutex, a condition variable and a count.
 *
 * The semaphore starts with `permits` free permits. acquire takes one, waiting while none is
 * free; release gives one back and wakes a waiter. "Bounded": a release that would raise the
 * count above the initial number of permits is a bug in the caller (a release without a matching
 * acquire), and is refused instead of silently adding a permit nobody handed out.
 *
 * `waits` is an instrument, not part of the algorithm: bounded_sem_acquire and
 * bounded_sem_acquire_ms add one, under the lock, just before each pthread_cond_wait /
 * pthread_cond_timedwait. The lab and the grader read it (under the lock) to know that a thread
 * is really waiting before they wake it. The starter keeps it up to date: keep those lines.
 *
 * The lab (step 3) and the grader (`make check-lab03`) check this contract; the grader runs the
 * same contract tests as common/sem.h (tests/contract/sem_contract.h).
 */
#ifndef LAB03_EXERCISE_H
#define LAB03_EXERCISE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

typedef struct {
    pthread_mutex_t lock;       /* guards count, max and waits */
    pthread_cond_t permit_free; /* waited on while count is 0; a CLOCK_MONOTONIC condvar */
    unsigned count;             /* permits free right now, 0..max */
    unsigned max;               /* the initial number of permits: count never goes above it */
    unsigned long waits;        /* instrument: times a thread started waiting (see above) */
} bounded_sem;

/* Post: *s holds `permits` free permits, and refuses to go above that. */
void bounded_sem_init(bounded_sem *s, unsigned permits);

/* Pre: no thread is waiting on *s or will use it again. */
void bounded_sem_destroy(bounded_sem *s);

/* Takes one permit, waiting as long as none is free. Returns only with a permit taken, whatever
 * woke it up (a wake-up may be spurious, or another thread may have taken the permit first). */
void bounded_sem_acquire(bounded_sem *s);

/* Takes one permit if one is free right now: true if taken, false at once (never blocks). */
bool bounded_sem_try_acquire(bounded_sem *s);

/* Takes one permit, waiting at most timeout_ms milliseconds: true if taken, false when the time
 * ran out first (and then nothing changed). timeout_ms <= 0 behaves as bounded_sem_try_acquire.
 * The deadline is absolute, so a spurious wake-up does not start the timeout over. */
bool bounded_sem_acquire_ms(bounded_sem *s, long timeout_ms);

/* Gives one permit back and wakes one waiter. Returns 0; or EOVERFLOW, changing nothing, when
 * every permit is already free (count == max): a release without a matching acquire. */
int bounded_sem_release(bounded_sem *s);

#endif
