/* exercise.h — lab02's exercise: a re-entrant lock built from a mutex, a condition variable,
 * an owner and a count (what Python calls threading.RLock).
 *
 * The thread that holds an rlock may acquire it again without waiting; every acquire must be
 * matched by a release, and the lock is free for other threads only when the count is back to
 * zero. The lab (Step 4) and the grader (`make check-lab02`) check exactly this contract: each
 * promise below ends with the tag of the checks that test it.
 */
#ifndef LAB02_EXERCISE_H
#define LAB02_EXERCISE_H

#include <pthread.h>

typedef struct {
    pthread_mutex_t guard;   /* protects owner and count; held only briefly, inside the functions */
    pthread_cond_t released; /* waited on by threads that want the lock while another holds it */
    pthread_t owner;         /* the holding thread; meaningful only while count > 0 */
    unsigned long count;     /* acquires by owner not yet released; 0 means free */
} rlock;

/* Initialises a free lock: any thread may then acquire it. {init.free}
 * rlock_destroy destroys the mutex and the condition variable init made. {destroy.releases}
 * Pre: the lock is free (destroying a held lock is undefined; no check can see it). */
void rlock_init(rlock *l);
void rlock_destroy(rlock *l);

/* Takes the lock. If the calling thread already holds it, counts one more acquire and returns
 * at once, without waiting. {acquire.reentrant}
 * Otherwise waits until the lock is free (count 0), then holds it with count 1; a wake-up while
 * another thread still holds it is not enough: it goes on waiting. {acquire.waits} */
void rlock_acquire(rlock *l);

/* As rlock_acquire, but waits at most timeout_ms milliseconds for another thread to let go.
 * The owner re-acquiring never waits, so never times out. {acquire_timed.reentrant}
 * Returns 0 when the lock is now held by the caller, ETIMEDOUT when it was not free in time,
 * not before timeout_ms have passed, and then nothing changed. {acquire_timed.times_out}
 * A timeout of 0 or less never waits: it takes the lock only if it is free right now.
 * {acquire_timed.zero}
 * The deadline is fixed when the call starts: wake-ups that find the lock still held do not
 * restart the timeout. {acquire_timed.deadline} */
int rlock_acquire_timed(rlock *l, long timeout_ms);

/* Undoes one acquire by the calling thread and returns 0; the lock is free for other threads
 * only when the count is back to zero. {release.counts}
 * Returns EPERM without changing anything when the calling thread does not hold the lock
 * (another thread holds it, or nobody does). {release.eperm}
 * When the count drops to zero, a thread waiting in rlock_acquire is woken and gets the lock.
 * {release.wakes} */
int rlock_release(rlock *l);

#endif
