/* exercise.h — lab02's exercise: a re-entrant lock built from a mutex, a condition variable,
 * an owner and a count (what Python calls threading.RLock).
 *
 * The thread that holds an rlock may acquire it again without waiting; every acquire must be
 * matched by a release, and the lock is free for other threads only when the count is back to
 * zero. The lab (Step 4) and the grader (`make check-lab02`) check exactly this contract.
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

/* Initialises a free lock. rlock_destroy frees its resources; the lock must be free then. */
void rlock_init(rlock *l);
void rlock_destroy(rlock *l);

/* Takes the lock. If the calling thread already holds it, counts one more acquire and returns
 * at once; otherwise waits until the lock is free (count 0), then holds it with count 1. */
void rlock_acquire(rlock *l);

/* As rlock_acquire, but waits at most timeout_ms milliseconds (>= 0) for another thread to let
 * go. Returns 0 when the lock is now held by the caller, ETIMEDOUT when it was not free in time
 * (and then nothing changed). The owner re-acquiring never waits, so never times out. */
int rlock_acquire_timed(rlock *l, long timeout_ms);

/* Undoes one acquire by the calling thread. Returns 0, or EPERM without changing anything when
 * the calling thread does not hold the lock (another thread holds it, or nobody does). When the
 * count drops to zero the lock is free, and a thread waiting in rlock_acquire gets it. */
int rlock_release(rlock *l);

#endif
