/* Breaks {acquire_ms.any_timeout}: acquire_ms builds its deadline on CLOCK_REALTIME, while the condition variable waits on the monotonic clock. */
#include "exercise.h"

#include "check.h"
#include "clock.h"

void bounded_sem_init(bounded_sem *s, unsigned permits)
{
    TL_CHECK(pthread_mutex_init(&s->lock, NULL));
    /* Monotonic, so a timed acquire is not stretched or cut short when the wall clock is set. */
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
    /* A wake-up only says "look again": it may be spurious (POSIX allows it), or a thread that
     * was not waiting at all may have taken the permit between the signal and this thread
     * getting the mutex back. Only a count seen > 0 with the mutex held is a permit. */
    while (s->count == 0) {
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
    /* One absolute deadline for the whole call: re-waiting after a spurious wake-up keeps the
     * caller's bound instead of starting the timeout over. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline); /* "the time now, plus the timeout" */
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    TL_CHECK(pthread_mutex_lock(&s->lock));
    while (s->count == 0 && timeout_ms > 0) {
        if (TL_CHECK_EXPECT(pthread_cond_timedwait(&s->permit_free, &s->lock, &deadline),
                            ETIMEDOUT) == ETIMEDOUT)
            break;
    }
    /* Looked at again after a timeout: a permit released just as the time ran out is taken
     * rather than left unused while others keep waiting. */
    bool taken = s->count > 0;
    if (taken)
        s->count--;
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return taken;
}

int bounded_sem_release(bounded_sem *s)
{
    TL_CHECK(pthread_mutex_lock(&s->lock));
    /* Every permit already free: this release has no matching acquire. Refusing it keeps the
     * pool at its size; accepting it would let one thread too many in from now on. */
    if (s->count == s->max) {
        TL_CHECK(pthread_mutex_unlock(&s->lock));
        return EOVERFLOW;
    }
    s->count++;
    /* One permit can satisfy one waiter, so signal suffices; broadcast would wake them all and
     * send all but one straight back to sleep. */
    TL_CHECK(pthread_cond_signal(&s->permit_free));
    TL_CHECK(pthread_mutex_unlock(&s->lock));
    return 0;
}
