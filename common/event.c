#include "event.h"

#include <errno.h>

#include "check.h"
#include "clock.h"

void tl_event_init(tl_event *e)
{
    TL_CHECK(pthread_mutex_init(&e->mutex, NULL));
    tl_cond_init_monotonic(&e->changed);
    e->flag = false;
    e->generation = 0;
}

void tl_event_destroy(tl_event *e)
{
    TL_CHECK(pthread_cond_destroy(&e->changed));
    TL_CHECK(pthread_mutex_destroy(&e->mutex));
}

void tl_event_set(tl_event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->mutex));
    /* While the flag is up nobody is blocked (waiters pass straight through), so only the
     * transition from clear to set has anyone to wake. */
    if (!e->flag) {
        e->flag = true;
        e->generation++;
        /* broadcast, not signal: every waiter must wake, not just one of them. */
        TL_CHECK(pthread_cond_broadcast(&e->changed));
    }
    TL_CHECK(pthread_mutex_unlock(&e->mutex));
}

void tl_event_clear(tl_event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->mutex));
    /* The generation stays: waiters woken by the last set() must still see that it happened. */
    e->flag = false;
    TL_CHECK(pthread_mutex_unlock(&e->mutex));
}

bool tl_event_is_set(tl_event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->mutex));
    bool flag = e->flag;
    TL_CHECK(pthread_mutex_unlock(&e->mutex));
    return flag;
}

/* Called with the mutex held: has the flag been up at any moment since `started_in`? */
static bool was_set_since(const tl_event *e, unsigned long started_in)
{
    return e->flag || e->generation != started_in;
}

void tl_event_wait(tl_event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->mutex));
    unsigned long started_in = e->generation;
    /* A loop, not an if: condition variables may wake spuriously. */
    while (!was_set_since(e, started_in))
        TL_CHECK(pthread_cond_wait(&e->changed, &e->mutex));
    TL_CHECK(pthread_mutex_unlock(&e->mutex));
}

bool tl_event_wait_ms(tl_event *e, long timeout_ms)
{
    /* Absolute, so re-waiting after a spurious wake-up keeps the caller's original bound. */
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    TL_CHECK(pthread_mutex_lock(&e->mutex));
    unsigned long started_in = e->generation;
    while (!was_set_since(e, started_in)) {
        int rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&e->changed, &e->mutex, &deadline),
                                 ETIMEDOUT);
        if (rc == ETIMEDOUT)
            break;
    }
    /* Re-check after a timeout: a set() may have landed just as the time ran out. */
    bool was_set = was_set_since(e, started_in);
    TL_CHECK(pthread_mutex_unlock(&e->mutex));
    return was_set;
}
