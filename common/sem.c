#include "sem.h"

#include <errno.h>
#include <limits.h>

#include "check.h"
#include "clock.h"

void tl_sem_init(tl_sem *s, unsigned value, bool bounded)
{
    TL_CHECK(pthread_mutex_init(&s->mutex, NULL));
    tl_cond_init_monotonic(&s->available);
    s->value = value;
    s->max = bounded ? value : UINT_MAX;
}

void tl_sem_destroy(tl_sem *s)
{
    TL_CHECK(pthread_cond_destroy(&s->available));
    TL_CHECK(pthread_mutex_destroy(&s->mutex));
}

void tl_sem_acquire(tl_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->mutex));
    /* A loop, not an if: the wake-up may be spurious, or another thread may have taken the
     * permit between the signal and this thread getting the mutex back. */
    while (s->value == 0)
        TL_CHECK(pthread_cond_wait(&s->available, &s->mutex));
    s->value--;
    TL_CHECK(pthread_mutex_unlock(&s->mutex));
}

bool tl_sem_try_acquire(tl_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->mutex));
    bool taken = s->value > 0;
    if (taken)
        s->value--;
    TL_CHECK(pthread_mutex_unlock(&s->mutex));
    return taken;
}

bool tl_sem_acquire_ms(tl_sem *s, long timeout_ms)
{
    /* Absolute, so re-waiting after a spurious wake-up keeps the caller's original bound. */
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    TL_CHECK(pthread_mutex_lock(&s->mutex));
    while (s->value == 0) {
        int rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&s->available, &s->mutex, &deadline),
                                 ETIMEDOUT);
        if (rc == ETIMEDOUT)
            break;
    }
    /* Re-check after a timeout: a release whose signal woke this thread just as the time ran
     * out must not be wasted, or the permit would sit unused while others keep waiting. */
    bool taken = s->value > 0;
    if (taken)
        s->value--;
    TL_CHECK(pthread_mutex_unlock(&s->mutex));
    return taken;
}

int tl_sem_release(tl_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->mutex));
    int rc = 0;
    if (s->value == s->max) {
        rc = EOVERFLOW;
    } else {
        s->value++;
        /* One permit can satisfy one waiter, so signal suffices; waking all of them would
         * send all but one straight back to sleep. */
        TL_CHECK(pthread_cond_signal(&s->available));
    }
    TL_CHECK(pthread_mutex_unlock(&s->mutex));
    return rc;
}
