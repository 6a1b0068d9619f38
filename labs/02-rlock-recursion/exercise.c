/* exercise.c — lab02, your part: make this lock re-entrant.
 *
 * As shipped it is a plain lock built from a mutex and a condition variable: `count` is used
 * only as a "held" flag (0 or 1) and `owner` is never set. It keeps other threads out, but
 * when the thread that holds it acquires it again, it waits for itself (the timed version
 * gives up with ETIMEDOUT; the untimed one would wait forever), and any thread can release it.
 * Read exercise.h (the contract) and README.md (hints), then check with `make check-lab02`.
 */
#include "exercise.h"

#include <errno.h>

#include "check.h" /* TL_CHECK(...) around every pthread call */
#include "clock.h" /* tl_cond_init_monotonic, tl_deadline_monotonic */

void rlock_init(rlock *l)
{
    TL_CHECK(pthread_mutex_init(&l->guard, NULL));
    tl_cond_init_monotonic(&l->released); /* so timed waits use tl_deadline_monotonic() */
    l->count = 0;
}

void rlock_destroy(rlock *l)
{
    TL_CHECK(pthread_cond_destroy(&l->released));
    TL_CHECK(pthread_mutex_destroy(&l->guard));
}

void rlock_acquire(rlock *l)
{
    TL_CHECK(pthread_mutex_lock(&l->guard));
    /* TODO(exercise): a thread that already holds the lock comes through here too, and the loop
     * below makes it wait for itself, forever. The lock does not know who holds it yet. */
    while (l->count > 0)
        TL_CHECK(pthread_cond_wait(&l->released, &l->guard));
    l->count = 1; /* TODO(exercise): "held" is not enough: by whom, and how many times? */
    TL_CHECK(pthread_mutex_unlock(&l->guard));
}

int rlock_acquire_timed(rlock *l, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    int rc = 0;
    TL_CHECK(pthread_mutex_lock(&l->guard));
    /* TODO(exercise): the same problem as in rlock_acquire: here the owner's second acquire
     * times out instead of hanging. */
    while (l->count > 0 && rc != ETIMEDOUT)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&l->released, &l->guard, &deadline), ETIMEDOUT);
    if (l->count == 0) {
        l->count = 1; /* TODO(exercise): as in rlock_acquire */
        rc = 0;
    }
    TL_CHECK(pthread_mutex_unlock(&l->guard));
    return rc;
}

int rlock_release(rlock *l)
{
    TL_CHECK(pthread_mutex_lock(&l->guard));
    /* TODO(exercise): any thread may release it here, even one that does not hold it, or when
     * nobody does (exercise.h says what must happen then). And one release frees the lock
     * however many times its owner took it. */
    l->count = 0;
    TL_CHECK(pthread_cond_signal(&l->released));
    TL_CHECK(pthread_mutex_unlock(&l->guard));
    return 0;
}
