/* sem.h — a counting semaphore, optionally bounded (Python's threading.Semaphore and
 * threading.BoundedSemaphore), built from a mutex and a condition variable.
 *
 * A semaphore holds a number of permits. acquire() takes one, waiting while there are none;
 * release() gives one back and wakes a waiter. Initialised with N permits it lets at most N
 * threads into a section at once: a pool of N connections, N downloads in flight.
 *
 *     Python                              C (this header)
 *     s = threading.Semaphore(3)          tl_sem s; tl_sem_init(&s, 3, false);
 *                                         ...  tl_sem_destroy(&s);
 *     s = threading.BoundedSemaphore(3)   tl_sem_init(&s, 3, true);
 *     s.acquire()                         tl_sem_acquire(&s);
 *     s.acquire(blocking=False)           tl_sem_try_acquire(&s)
 *     s.acquire(timeout=0.5)              tl_sem_acquire_ms(&s, 500)
 *     s.release()                         tl_sem_release(&s)   (returns 0 or EOVERFLOW)
 *
 * Why not POSIX sem_t? Unnamed semaphores (sem_init) do not exist on macOS: it declares
 * sem_init but the call fails with ENOSYS, leaving only named semaphores (sem_open), which
 * live in the kernel's namespace and must be unlinked by hand. sem_timedwait also only
 * takes CLOCK_REALTIME deadlines, and sem_t has no bounded flavour. A mutex, a condition
 * variable and a counter are portable, run timed waits on CLOCK_MONOTONIC, and are the
 * textbook construction lab03's exercise asks for.
 *
 * Bounded: releasing more than was acquired is a bug in the caller (usually a release on a
 * path that never acquired). A bounded semaphore catches it: a release() that would raise
 * the count above its initial value is refused with EOVERFLOW and the count stays as it was
 * (Python raises ValueError). An unbounded semaphore accepts any number of extra releases,
 * up to UINT_MAX permits; one more is refused with EOVERFLOW too, so a release is never
 * silently lost. The caller decides what a refusal means; the labs report it as a failure.
 *
 * Where C differs from Python, on purpose:
 *   - Timeouts are whole milliseconds (long); timeout_ms <= 0 is a try_acquire.
 *   - The count is unsigned: there is no negative initial value to reject.
 *   - release() gives back one permit at a time (Python 3.9+ takes n).
 *   - Waiters are not served in arrival order: a thread arriving just as a permit is
 *     released may take it before a thread that waited longer. Python makes no promise
 *     either.
 *   - Initialise and destroy explicitly; never destroy while a thread may be waiting.
 *   - Not async-signal-safe, unlike sem_post: do not release from a signal handler.
 * Errors from the pthread calls inside are fatal (TL_CHECK); the only error returned is
 * release()'s EOVERFLOW.
 */
#ifndef TL_SEM_H
#define TL_SEM_H

#include <pthread.h>
#include <stdbool.h>

typedef struct {
    pthread_mutex_t mutex;     /* guards value */
    pthread_cond_t available;  /* signalled once per permit released */
    unsigned value;            /* permits free right now */
    unsigned max;              /* the initial value when bounded, UINT_MAX when not */
} tl_sem;

/* Post: *s holds `value` free permits. When bounded, release() refuses to go above `value`.
 * Pre: *s is not already initialised. */
void tl_sem_init(tl_sem *s, unsigned value, bool bounded);

/* Pre: no thread is waiting on *s or will use it again. Post: its resources are released. */
void tl_sem_destroy(tl_sem *s);

/* Takes one permit, blocking as long as none is free. */
void tl_sem_acquire(tl_sem *s);

/* Takes one permit if one is free right now: true if taken, false (without blocking) if not. */
bool tl_sem_try_acquire(tl_sem *s);

/* Takes one permit, blocking at most timeout_ms milliseconds: true if taken, false if the
 * time ran out first. timeout_ms <= 0 behaves as tl_sem_try_acquire. */
bool tl_sem_acquire_ms(tl_sem *s, long timeout_ms);

/* Gives one permit back and wakes one waiter. Returns 0, or EOVERFLOW — with the count
 * unchanged — when that would exceed the initial value of a bounded semaphore (or UINT_MAX). */
int tl_sem_release(tl_sem *s);

#endif
