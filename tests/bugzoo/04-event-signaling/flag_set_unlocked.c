/* Breaks {event.locked}: set() raises the flag before it takes the mutex (a data race). */
#include "exercise.h"

#include <errno.h>

#include "check.h"
#include "clock.h"

void event_init(event *e)
{
    TL_CHECK(pthread_mutex_init(&e->lock, NULL));
    /* Monotonic, so a timed wait is not stretched or cut short when the wall clock is set. */
    tl_cond_init_monotonic(&e->changed);
    e->flag = false;
    e->generation = 0;
}

void event_destroy(event *e)
{
    TL_CHECK(pthread_cond_destroy(&e->changed));
    TL_CHECK(pthread_mutex_destroy(&e->lock));
}

void event_set(event *e)
{
    bool raise = !e->flag;
    e->flag = true;
    TL_CHECK(pthread_mutex_lock(&e->lock));
    /* While the flag is up nobody blocks (waiters pass straight through), so only raising it
     * has anyone to wake, and only raising it starts a new generation. */
    if (raise) {
        e->generation++;
        /* Every waiter must wake, not just one: broadcast, not signal. */
        TL_CHECK(pthread_cond_broadcast(&e->changed));
    }
    TL_CHECK(pthread_mutex_unlock(&e->lock));
}

void event_clear(event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->lock));
    /* The generation stays: waiters woken by the last set() must still see that it happened. */
    e->flag = false;
    TL_CHECK(pthread_mutex_unlock(&e->lock));
}

bool event_is_set(event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->lock));
    bool flag = e->flag;
    TL_CHECK(pthread_mutex_unlock(&e->lock));
    return flag;
}

/* With the lock held: has the flag been up at any moment since the generation `started_in`? */
static bool set_since(const event *e, unsigned long started_in)
{
    return e->flag || e->generation != started_in;
}

void event_wait(event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->lock));
    unsigned long started_in = e->generation;
    /* A loop, not an if: condition variables may wake spuriously. */
    while (!set_since(e, started_in))
        TL_CHECK(pthread_cond_wait(&e->changed, &e->lock));
    TL_CHECK(pthread_mutex_unlock(&e->lock));
}

bool event_wait_ms(event *e, long timeout_ms)
{
    /* One absolute deadline: re-waiting after a spurious wake-up keeps the caller's bound. */
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    TL_CHECK(pthread_mutex_lock(&e->lock));
    unsigned long started_in = e->generation;
    while (!set_since(e, started_in) && timeout_ms > 0) {
        if (TL_CHECK_EXPECT(pthread_cond_timedwait(&e->changed, &e->lock, &deadline),
                            ETIMEDOUT) == ETIMEDOUT)
            break;
    }
    /* Looked at again after a timeout: a set() may have landed just as the time ran out. */
    bool was_set = set_since(e, started_in);
    TL_CHECK(pthread_mutex_unlock(&e->lock));
    return was_set;
}
