/* queue.c — see queue.h. One mutex, two "why I sleep" condvars (+ one for join), every wait
 * in a while loop, broadcast on shutdown. */
#include "queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"

enum { INITIAL_CAPACITY = 16 };

void tl_queue_init(tl_queue *q, size_t maxsize, tl_queue_free_fn free_item)
{
    memset(q, 0, sizeof *q);
    TL_CHECK(pthread_mutex_init(&q->mutex, NULL));
    tl_cond_init_monotonic(&q->not_empty);
    tl_cond_init_monotonic(&q->not_full);
    tl_cond_init_monotonic(&q->all_done);
    q->maxsize = maxsize;
    q->free_item = free_item;
}

/* Takes the ring out of the queue, so its items can be disposed of without the lock held
 * (a free callback may be slow, or may itself use the queue's owner). */
typedef struct {
    void **ring;
    size_t capacity, head, count;
} detached_items;

static detached_items detach_items(tl_queue *q)
{
    detached_items d = {q->ring, q->capacity, q->head, q->count};
    q->ring = NULL;
    q->capacity = q->head = q->count = 0;
    return d;
}

static void drop_items(detached_items d, tl_queue_free_fn free_item)
{
    for (size_t i = 0; free_item != NULL && i < d.count; i++)
        free_item(d.ring[(d.head + i) % d.capacity]);
    free(d.ring);
}

void tl_queue_destroy(tl_queue *q)
{
    drop_items(detach_items(q), q->free_item);
    TL_CHECK(pthread_cond_destroy(&q->all_done));
    TL_CHECK(pthread_cond_destroy(&q->not_full));
    TL_CHECK(pthread_cond_destroy(&q->not_empty));
    TL_CHECK(pthread_mutex_destroy(&q->mutex));
}

/* ---- the ring buffer (caller holds the mutex) ---- */

static bool is_full(const tl_queue *q)
{
    return q->maxsize != 0 && q->count >= q->maxsize;
}

static void grow(tl_queue *q)
{
    size_t capacity = q->capacity ? q->capacity * 2 : INITIAL_CAPACITY;
    if (q->maxsize != 0 && capacity > q->maxsize)
        capacity = q->maxsize;
    void **ring = tl_xmalloc(capacity * sizeof *ring);
    for (size_t i = 0; i < q->count; i++)
        ring[i] = q->ring[(q->head + i) % q->capacity];
    free(q->ring);
    q->ring = ring;
    q->capacity = capacity;
    q->head = 0;
}

static void push(tl_queue *q, void *item)
{
    if (q->count == q->capacity)
        grow(q);
    q->ring[(q->head + q->count) % q->capacity] = item;
    q->count++;
    q->unfinished++;
    /* One item can satisfy one getter: waking more would only make them sleep again. */
    TL_CHECK(pthread_cond_signal(&q->not_empty));
}

static void *pop(tl_queue *q)
{
    void *item = q->ring[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    TL_CHECK(pthread_cond_signal(&q->not_full));
    return item;
}

/* Waits on cond until it is signalled or the deadline passes (deadline NULL = no limit).
 * Returns false when the deadline has passed. The caller re-checks its condition either
 * way: a wake-up is only a hint. */
static bool wait_on(tl_queue *q, pthread_cond_t *cond, const struct timespec *deadline)
{
    if (deadline == NULL) {
        TL_CHECK(pthread_cond_wait(cond, &q->mutex));
        return true;
    }
    return TL_CHECK_EXPECT(pthread_cond_timedwait(cond, &q->mutex, deadline), ETIMEDOUT) == 0;
}

/* ---- put / get: one implementation, three waiting policies ---- */

typedef enum { WAIT_FOREVER, WAIT_UNTIL, WAIT_NEVER } wait_policy;

static tl_queue_status put(tl_queue *q, void *item, wait_policy policy, long timeout_ms)
{
    struct timespec deadline = {0};
    if (policy == WAIT_UNTIL)
        deadline = tl_deadline_monotonic(timeout_ms);
    tl_queue_status status = TL_QUEUE_OK;
    bool time_left = true;
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    for (;;) {
        if (q->shut_down) {
            status = TL_QUEUE_SHUTDOWN;
            break;
        }
        if (!is_full(q)) {
            push(q, item);
            break;
        }
        if (policy == WAIT_NEVER) {
            status = TL_QUEUE_FULL;
            break;
        }
        if (!time_left) {
            status = TL_QUEUE_TIMEOUT;
            break;
        }
        time_left = wait_on(q, &q->not_full, policy == WAIT_UNTIL ? &deadline : NULL);
    }
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return status;
}

static tl_queue_status get(tl_queue *q, void **item, wait_policy policy, long timeout_ms)
{
    struct timespec deadline = {0};
    if (policy == WAIT_UNTIL)
        deadline = tl_deadline_monotonic(timeout_ms);
    tl_queue_status status = TL_QUEUE_OK;
    bool time_left = true;
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    for (;;) {
        /* Items come first: a graceful shutdown still hands out what was queued. */
        if (q->count > 0) {
            *item = pop(q);
            break;
        }
        if (q->shut_down) {
            status = TL_QUEUE_SHUTDOWN;
            break;
        }
        if (policy == WAIT_NEVER) {
            status = TL_QUEUE_EMPTY;
            break;
        }
        if (!time_left) {
            status = TL_QUEUE_TIMEOUT;
            break;
        }
        time_left = wait_on(q, &q->not_empty, policy == WAIT_UNTIL ? &deadline : NULL);
    }
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return status;
}

tl_queue_status tl_queue_put(tl_queue *q, void *item)
{
    return put(q, item, WAIT_FOREVER, 0);
}

/* timeout_ms <= 0 only tries, as tl_event_wait_ms does; it still reports TIMEOUT. */
tl_queue_status tl_queue_put_ms(tl_queue *q, void *item, long timeout_ms)
{
    if (timeout_ms > 0)
        return put(q, item, WAIT_UNTIL, timeout_ms);
    tl_queue_status status = put(q, item, WAIT_NEVER, 0);
    return status == TL_QUEUE_FULL ? TL_QUEUE_TIMEOUT : status;
}

tl_queue_status tl_queue_put_nowait(tl_queue *q, void *item)
{
    return put(q, item, WAIT_NEVER, 0);
}

tl_queue_status tl_queue_get(tl_queue *q, void **item)
{
    return get(q, item, WAIT_FOREVER, 0);
}

tl_queue_status tl_queue_get_ms(tl_queue *q, void **item, long timeout_ms)
{
    if (timeout_ms > 0)
        return get(q, item, WAIT_UNTIL, timeout_ms);
    tl_queue_status status = get(q, item, WAIT_NEVER, 0);
    return status == TL_QUEUE_EMPTY ? TL_QUEUE_TIMEOUT : status;
}

tl_queue_status tl_queue_get_nowait(tl_queue *q, void **item)
{
    return get(q, item, WAIT_NEVER, 0);
}

/* ---- snapshots ---- */

size_t tl_queue_size(tl_queue *q)
{
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    size_t n = q->count;
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return n;
}

bool tl_queue_empty(tl_queue *q)
{
    return tl_queue_size(q) == 0;
}

bool tl_queue_full(tl_queue *q)
{
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    bool full = is_full(q);
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return full;
}

bool tl_queue_is_shut_down(tl_queue *q)
{
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    bool shut_down = q->shut_down;
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return shut_down;
}

/* ---- task_done / join ---- */

tl_queue_status tl_queue_task_done(tl_queue *q)
{
    tl_queue_status status = TL_QUEUE_OK;
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    if (q->unfinished == 0) {
        status = TL_QUEUE_TOO_MANY_DONE;
    } else if (--q->unfinished == 0) {
        TL_CHECK(pthread_cond_broadcast(&q->all_done)); /* every joiner is waiting for this */
    }
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return status;
}

static tl_queue_status join(tl_queue *q, const struct timespec *deadline, bool may_wait)
{
    tl_queue_status status = TL_QUEUE_OK;
    bool time_left = may_wait;
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    while (q->unfinished > 0) {
        if (!time_left) {
            status = TL_QUEUE_TIMEOUT;
            break;
        }
        time_left = wait_on(q, &q->all_done, deadline);
    }
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    return status;
}

void tl_queue_join(tl_queue *q)
{
    join(q, NULL, true);
}

tl_queue_status tl_queue_join_ms(tl_queue *q, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    return join(q, &deadline, timeout_ms > 0);
}

/* ---- shutdown ---- */

void tl_queue_shutdown(tl_queue *q, bool immediate, tl_queue_free_fn free_item)
{
    detached_items dropped = {0};
    TL_CHECK(pthread_mutex_lock(&q->mutex));
    q->shut_down = true;
    if (immediate) {
        dropped = detach_items(q);
        /* Dropped items will never be marked done by anyone, so they count as done now. */
        q->unfinished -= dropped.count < q->unfinished ? dropped.count : q->unfinished;
        if (q->unfinished == 0)
            TL_CHECK(pthread_cond_broadcast(&q->all_done));
    }
    /* Every sleeper must re-check: getters may now see SHUTDOWN, putters always do. */
    TL_CHECK(pthread_cond_broadcast(&q->not_empty));
    TL_CHECK(pthread_cond_broadcast(&q->not_full));
    tl_queue_free_fn dispose = free_item != NULL ? free_item : q->free_item;
    TL_CHECK(pthread_mutex_unlock(&q->mutex));
    drop_items(dropped, dispose);
}
