/* exercise.c — your bounded semaphore (lab03). The contract is in exercise.h, hints in
 * README.md; `make check-lab03` grades it.
 *
 * This starter lets threads in and out while nothing unusual happens, and is wrong in the
 * places marked TODO(exercise).
 */
#include "exercise.h"

#include "check.h"
#include "clock.h"

void bounded_sem_init(bounded_sem *s, unsigned permits)
{
    TL_CHECK(pthread_mutex_init(&s->lock, NULL));
    tl_cond_init_monotonic(&s->permit_free);
    s->count = permits;
    s->max = permits;
}

void bounded_sem_destroy(bounded_sem *s)
{
    TL_CHECK(pthread_cond_destroy(&s->permit_free));
    TL_CHECK(pthread_mutex_destroy(&s->lock));
}

void bounded_sem_acquire(bounded_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    /* TODO(exercise): this looks at the count only once. A wake-up does not mean a permit is
     * free (it may be spurious, or another thread got there first), so the decrement below can
     * take a permit that is not there, and the unsigned count wraps around. */
    if (s->count == 0) {
        TL_CHECK(pthread_cond_wait(&s->permit_free, &s->lock));
    }
    s->count--;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
}

bool bounded_sem_try_acquire(bounded_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    bool taken = s->count > 0;
    if (taken)
        s->count--;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return taken;
}

bool bounded_sem_acquire_ms(bounded_sem *s, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    TL_CHECK(pthread_mutex_lock(&s->lock));
    /* TODO(exercise): the same single look, with a deadline: a wake-up before the deadline with
     * the count still 0 takes a permit that is not there. */
    if (s->count == 0 && timeout_ms > 0) {
        int rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&s->permit_free, &s->lock, &deadline),
                                 ETIMEDOUT);
        if (rc == ETIMEDOUT) {
            TL_CHECK(pthread_mutex_unlock(&s->lock));
            return false;
        }
    } else if (s->count == 0) {
        TL_CHECK(pthread_mutex_unlock(&s->lock));
        return false;
    }
    s->count--;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return true;
}

int bounded_sem_release(bounded_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    /* TODO(exercise): nothing stops the count going above max. A release without a matching
     * acquire (a bug in the caller) silently adds a permit, and the pool lets one thread too
     * many in from then on. exercise.h says what release must do instead. */
    s->count++;
    TL_CHECK(pthread_cond_signal(&s->permit_free));
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return 0;
}
