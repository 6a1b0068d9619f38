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
    /* TODO(exercise): if the calling thread already owns the lock (count > 0 and
     * pthread_equal(l->owner, pthread_self())), count one more acquire and return at once:
     * waiting below would be waiting for ourselves, forever. */
    while (l->count > 0)
        TL_CHECK(pthread_cond_wait(&l->released, &l->guard));
    l->count = 1; /* TODO(exercise): and remember who the owner is */
    TL_CHECK(pthread_mutex_unlock(&l->guard));
}

int rlock_acquire_timed(rlock *l, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    int rc = 0;
    TL_CHECK(pthread_mutex_lock(&l->guard));
    /* TODO(exercise): the same owner check as in rlock_acquire. */
    while (l->count > 0 && rc != ETIMEDOUT)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&l->released, &l->guard, &deadline), ETIMEDOUT);
    if (l->count == 0) {
        l->count = 1; /* TODO(exercise): and remember who the owner is */
        rc = 0;
    }
    TL_CHECK(pthread_mutex_unlock(&l->guard));
    return rc;
}

int rlock_release(rlock *l)
{
    TL_CHECK(pthread_mutex_lock(&l->guard));
    /* TODO(exercise): only the owner may release: return EPERM (changing nothing) when the lock
     * is free or held by another thread. Then undo ONE acquire; only when the count reaches
     * zero is the lock free, and only then should a waiting thread be woken. */
    l->count = 0;
    TL_CHECK(pthread_cond_signal(&l->released));
    TL_CHECK(pthread_mutex_unlock(&l->guard));
    return 0;
}
