/* Breaks {acquire_timed.times_out}: the deadline adds timeout_ms * 1000000 computed in an int, which overflows past 2147 ms. */
#include "exercise.h"

#include <errno.h>
#include <stddef.h>

#include "check.h"
#include "clock.h"

void rlock_init(rlock *l)
{
    TL_CHECK(pthread_mutex_init(&l->guard, NULL));
    tl_cond_init_monotonic(&l->released);
    l->count = 0;
}

void rlock_destroy(rlock *l)
{
    TL_CHECK(pthread_cond_destroy(&l->released));
    TL_CHECK(pthread_mutex_destroy(&l->guard));
}

/* The one acquire both entry points share; deadline NULL waits as long as it takes. */
static int acquire_until(rlock *l, const struct timespec *deadline)
{
    pthread_t self = pthread_self();
    int rc = 0;
    TL_CHECK(pthread_mutex_lock(&l->guard));
    /* Re-entry first: the owner must never wait, it would be waiting for itself. owner is only
     * compared while count > 0, because a free lock's owner field is stale. No other thread can
     * make owner equal to self, so this test cannot be fooled by a race. */
    if (l->count > 0 && pthread_equal(l->owner, self)) {
        l->count++;
    } else {
        /* `while`, not `if`: a wake-up can be spurious, and another thread may take the lock
         * between the release that woke us and our return from the wait. */
        while (l->count > 0 && rc != ETIMEDOUT) {
            if (deadline == NULL)
                TL_CHECK(pthread_cond_wait(&l->released, &l->guard));
            else
                rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&l->released, &l->guard, deadline),
                                     ETIMEDOUT);
        }
        /* Decide on the state, not on rc: the lock may have been freed just as the timeout
         * expired, and then taking it is correct (and a wake-up is never lost). */
        if (l->count == 0) {
            l->owner = self;
            l->count = 1;
            rc = 0;
        }
    }
    TL_CHECK(pthread_mutex_unlock(&l->guard));
    return rc;
}

void rlock_acquire(rlock *l)
{
    acquire_until(l, NULL);
}

int rlock_acquire_timed(rlock *l, long timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    int ns = (int)((unsigned)timeout_ms * 1000000u); /* wraps, as an int multiply does on every machine here */
    deadline.tv_sec += ns / 1000000000;
    deadline.tv_nsec += ns % 1000000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    return acquire_until(l, &deadline);
}

int rlock_release(rlock *l)
{
    TL_CHECK(pthread_mutex_lock(&l->guard));
    if (l->count == 0 || !pthread_equal(l->owner, pthread_self())) {
        TL_CHECK(pthread_mutex_unlock(&l->guard));
        return EPERM; /* not ours to release: changing the count would corrupt the owner's */
    }
    /* Only the last release frees it. One signal is enough: every waiter waits for the same
     * thing, and only one of them can have it; that one signals again when it lets go. */
    if (--l->count == 0)
        TL_CHECK(pthread_cond_signal(&l->released));
    TL_CHECK(pthread_mutex_unlock(&l->guard));
    return 0;
}
