/* Breaks {get.wakes_putter}: get signals not_full only when the queue goes from full to one free slot, so a second quick get wakes no putter (a lost wake-up). */
#include "exercise.h"

#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

void queue_init(bounded_queue *q, size_t maxsize)
{
    TL_CHECK(pthread_mutex_init(&q->lock, NULL));
    /* Monotonic: a timeout is not stretched or cut short when someone sets the wall clock. */
    tl_cond_init_monotonic(&q->not_empty);
    tl_cond_init_monotonic(&q->not_full);
    q->items = calloc(maxsize, sizeof *q->items); /* queue_destroy frees it */
    if (q->items == NULL)
        TL_DIE("queue_init: no memory for %zu items", maxsize);
    q->maxsize = maxsize;
    q->head = 0;
    q->count = 0;
    q->shut_down = false;
}

void queue_destroy(bounded_queue *q)
{
    TL_CHECK(pthread_cond_destroy(&q->not_full));
    TL_CHECK(pthread_cond_destroy(&q->not_empty));
    TL_CHECK(pthread_mutex_destroy(&q->lock));
    free(q->items);
    q->items = NULL;
}

/* Sleeps on cond (the caller holds q->lock) until woken, or until the deadline passes when there
 * is one (NULL: no limit). Returns false when the deadline has passed. The caller re-checks its
 * condition either way: a wake-up is only a hint. */
static bool wait_on(bounded_queue *q, pthread_cond_t *cond, const struct timespec *deadline)
{
    if (deadline == NULL) {
        TL_CHECK(pthread_cond_wait(cond, &q->lock));
        return true;
    }
    return TL_CHECK_EXPECT(pthread_cond_timedwait(cond, &q->lock, deadline), ETIMEDOUT) == 0;
}

/* put and put_ms in one: deadline NULL waits without limit. */
static queue_status put_until(bounded_queue *q, void *item, const struct timespec *deadline)
{
    TL_CHECK(pthread_mutex_lock(&q->lock));
    bool time_left = true;
    /* `while`: another putter may have taken the slot between the wake-up and our getting the
     * lock back, or the wake-up was spurious. The deadline is the same on every lap, so
     * wake-ups do not restart the timeout; once it has passed, the loop ends. */
    while (q->count == q->maxsize && !q->shut_down && time_left)
        time_left = wait_on(q, &q->not_full, deadline);
    /* Decided by the state, not by how the wait ended: a slot that opened just as the deadline
     * passed is still taken. */
    queue_status status = q->shut_down                 ? QUEUE_SHUTDOWN
                          : q->count == q->maxsize     ? QUEUE_TIMEOUT
                                                       : QUEUE_OK;
    if (status == QUEUE_OK) {
        q->items[(q->head + q->count) % q->maxsize] = item;
        q->count++;
        /* One item can satisfy one getter, and only getters sleep on not_empty: one is enough. */
        TL_CHECK(pthread_cond_signal(&q->not_empty));
    }
    TL_CHECK(pthread_mutex_unlock(&q->lock));
    return status;
}

/* get and get_ms in one: deadline NULL waits without limit. */
static queue_status get_until(bounded_queue *q, void **item, const struct timespec *deadline)
{
    TL_CHECK(pthread_mutex_lock(&q->lock));
    bool time_left = true;
    while (q->count == 0 && !q->shut_down && time_left)
        time_left = wait_on(q, &q->not_empty, deadline);
    /* Items first: a graceful shutdown still hands out what was queued before it. */
    queue_status status = q->count > 0    ? QUEUE_OK
                          : q->shut_down  ? QUEUE_SHUTDOWN
                                          : QUEUE_TIMEOUT;
    if (status == QUEUE_OK) {
        *item = q->items[q->head];
        q->head = (q->head + 1) % q->maxsize;
        q->count--;
        /* One free slot can satisfy one putter. */
        if (q->count == q->maxsize - 1) /* it was full: only then can putters be waiting */
            TL_CHECK(pthread_cond_signal(&q->not_full));
    }
    TL_CHECK(pthread_mutex_unlock(&q->lock));
    return status;
}

queue_status queue_put(bounded_queue *q, void *item)
{
    return put_until(q, item, NULL);
}

/* timeout_ms <= 0: a deadline that has already passed, so the loop tries once. */
queue_status queue_put_ms(bounded_queue *q, void *item, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms > 0 ? timeout_ms : 0);
    return put_until(q, item, &deadline);
}

queue_status queue_get(bounded_queue *q, void **item)
{
    return get_until(q, item, NULL);
}

queue_status queue_get_ms(bounded_queue *q, void **item, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms > 0 ? timeout_ms : 0);
    return get_until(q, item, &deadline);
}

/* Under the lock even for one read: a size_t written by another thread without it is a data
 * race, whatever the hardware does with aligned words. */
size_t queue_size(bounded_queue *q)
{
    TL_CHECK(pthread_mutex_lock(&q->lock));
    size_t size = q->count;
    TL_CHECK(pthread_mutex_unlock(&q->lock));
    return size;
}

bool queue_empty(bounded_queue *q)
{
    return queue_size(q) == 0;
}

bool queue_full(bounded_queue *q)
{
    return queue_size(q) == q->maxsize; /* maxsize never changes after init */
}

void queue_shutdown(bounded_queue *q)
{
    TL_CHECK(pthread_mutex_lock(&q->lock));
    q->shut_down = true;
    /* Broadcast, both sides: every sleeping getter and putter must wake to see the flag; a
     * signal would wake one and leave the rest asleep with nobody left to wake them. */
    TL_CHECK(pthread_cond_broadcast(&q->not_empty));
    TL_CHECK(pthread_cond_broadcast(&q->not_full));
    TL_CHECK(pthread_mutex_unlock(&q->lock));
}
