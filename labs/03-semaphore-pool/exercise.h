/* exercise.h — lab03's exercise: a bounded semaphore (Python's threading.BoundedSemaphore) built
 * from a mutex, a condition variable and a count.
 *
 * The semaphore starts with `permits` free permits. acquire takes one, waiting while none is
 * free; release gives one back and wakes a waiter. "Bounded": a release that would raise the
 * count above the initial number of permits is a bug in the caller (a release without a matching
 * acquire), and is refused instead of silently adding a permit nobody handed out.
 *
 * Each promise below ends in a {tag}; `make check-lab03` runs the checks of
 * labs/03-semaphore-pool/checks.c, which name the tags they test.
 */
#ifndef LAB03_EXERCISE_H
#define LAB03_EXERCISE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

typedef struct {
    pthread_mutex_t lock;       /* guards count and max */
    pthread_cond_t permit_free; /* waited on while count is 0; a CLOCK_MONOTONIC condvar */
    unsigned count;             /* permits free right now, 0..max */
    unsigned max;               /* the initial number of permits: count never goes above it */
} bounded_sem;

/* Every function below may be called by any number of threads at once: count and max are only
 * read or changed with the mutex held {sem.locked}, and however the calls interleave, never more
 * than `permits` of them are taken at once {sem.at_most_max}. Each returns with the mutex
 * unlocked, on every path, refusals included {sem.unlocks}. */

/* Post: *s holds `permits` free permits: exactly that many acquires succeed before the next one
 * must wait {init.permits}. */
void bounded_sem_init(bounded_sem *s, unsigned permits);

/* Destroys the mutex and the condition variable that init made, and frees whatever init
 * allocated {destroy.releases}.
 * Pre: no thread is waiting on *s or will use it again (the caller's promise: not checked). */
void bounded_sem_destroy(bounded_sem *s);

/* Takes one permit, waiting as long as none is free {acquire.waits}. Returns only with a permit
 * taken, whatever woke it up: a wake-up may be spurious, or another thread may have taken the
 * permit first {acquire.rechecks}. The permit it sees free is the one it takes: no other thread
 * can take it between the look and the take {acquire.atomic}. */
void bounded_sem_acquire(bounded_sem *s);

/* Takes one permit if one is free right now: true if taken; false at once, changing nothing,
 * when none is (never blocks) {try_acquire.never_blocks}. */
bool bounded_sem_try_acquire(bounded_sem *s);

/* Takes one permit, waiting at most timeout_ms milliseconds: true if taken, false when the time
 * ran out first, not before timeout_ms and not long after, and then nothing changed
 * {acquire_ms.times_out}. Any timeout is honoured as written, 999 ms or an hour: a permit
 * released within it is taken {acquire_ms.any_timeout}. timeout_ms <= 0 behaves as
 * bounded_sem_try_acquire {acquire_ms.zero}. The deadline is absolute, fixed once per call, so
 * wake-ups do not start the timeout over {acquire_ms.deadline}; and a wake-up with no permit free
 * waits again until the deadline {acquire_ms.rechecks}. */
bool bounded_sem_acquire_ms(bounded_sem *s, long timeout_ms);

/* Gives one permit back: returns 0, and the permit can be taken again {release.gives_back}. Each
 * release made while threads wait lets one more of them go, even two releases back to back
 * {release.wakes}. Waking one waiter (signal) is enough; waking all (broadcast) is correct too,
 * only wasteful, so no check tells the two apart.
 * Returns EOVERFLOW, changing nothing, when every permit is already free (count == max): a release
 * without a matching acquire {release.refuses}. */
int bounded_sem_release(bounded_sem *s);

#endif
