/* exercise.c — your event (lab04). The contract is in exercise.h, hints in README.md;
 * `make check-lab04` grades it.
 *
 * This starter works for one waiter that is not in a hurry, and is wrong in the places marked
 * TODO(exercise).
 */
#include "exercise.h"

#include <errno.h>

#include "check.h"
#include "clock.h"

void event_init(event *e)
{
    TL_CHECK(pthread_mutex_init(&e->lock, NULL));
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
    TL_CHECK(pthread_mutex_lock(&e->lock));
    e->flag = true;
    /* TODO(exercise): with four threads waiting, this wakes one; the other three sleep on
     * although the event is set. And once clear() has lowered the flag again, nothing is left
     * that tells the woken waiters a set() happened at all. */
    TL_CHECK(pthread_cond_signal(&e->changed));
    TL_CHECK(pthread_mutex_unlock(&e->lock));
}

void event_clear(event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->lock));
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

void event_wait(event *e)
{
    TL_CHECK(pthread_mutex_lock(&e->lock));
    /* TODO(exercise): this waits for the FLAG. After `set(); clear();` a woken waiter finds the
     * flag down again and goes back to sleep: the wake-up is lost. What could it remember when
     * the call begins that a set() changes and a clear() does not? */
    while (!e->flag) {
        TL_CHECK(pthread_cond_wait(&e->changed, &e->lock));
    }
    TL_CHECK(pthread_mutex_unlock(&e->lock));
}

bool event_wait_ms(event *e, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    TL_CHECK(pthread_mutex_lock(&e->lock));
    /* TODO(exercise): the same flag-only test as in event_wait; and the result says whether the
     * flag is up now, not whether a set() happened during the call. */
    while (!e->flag && timeout_ms > 0) {
        if (TL_CHECK_EXPECT(pthread_cond_timedwait(&e->changed, &e->lock, &deadline),
                            ETIMEDOUT) == ETIMEDOUT)
            break;
    }
    bool was_set = e->flag;
    TL_CHECK(pthread_mutex_unlock(&e->lock));
    return was_set;
}
