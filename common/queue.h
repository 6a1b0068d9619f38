/* queue.h — a bounded blocking FIFO of `void *` for many producers and many consumers.
 *
 * The C twin of Python's queue.Queue (3.13, shutdown included):
 *
 *     Python                           threadlab
 *     q = Queue(maxsize=8)             tl_queue q; tl_queue_init(&q, 8, NULL);
 *     q.put(x)                         tl_queue_put(&q, x)
 *     q.put(x, timeout=0.5)            tl_queue_put_ms(&q, x, 500)
 *     q.put_nowait(x)                  tl_queue_put_nowait(&q, x)
 *     x = q.get() / get(timeout=) /    tl_queue_get(&q, &x) / tl_queue_get_ms(&q, &x, 500) /
 *         get_nowait()                     tl_queue_get_nowait(&q, &x)
 *     q.qsize(), q.empty(), q.full()   tl_queue_size, tl_queue_empty, tl_queue_full
 *     q.task_done(), q.join()          tl_queue_task_done, tl_queue_join (and tl_queue_join_ms)
 *     q.shutdown(immediate=False)      tl_queue_shutdown(&q, false, NULL)
 *     q.shutdown(immediate=True)       tl_queue_shutdown(&q, true, free_item)
 *     (garbage collection)             tl_queue_destroy(&q)
 *
 * Backpressure: a put on a full queue blocks until a get makes room, so a fast producer is
 * slowed to the pace of its consumers instead of filling memory. maxsize 0 means unbounded
 * (puts never block).
 *
 * How it works (the lesson of lab06): one mutex guards a ring buffer; two condition variables
 * say why a thread sleeps — `not_empty` (getters wait for an item) and `not_full` (putters
 * wait for room) — so a put wakes one getter and a get wakes one putter, never a thread of
 * the wrong kind. Every wait re-checks its condition in a `while` loop (wake-ups can be
 * spurious, or another thread can take the item first). Shutdown wakes everybody
 * (broadcast), because every sleeper must see the new state. A third condvar, `all_done`,
 * serves join(), as in Python. Condvars run on CLOCK_MONOTONIC, so a timeout is not
 * stretched or cut short when someone sets the wall clock.
 *
 * Where C differs from Python, on purpose:
 *   - Results are a small enum (tl_queue_status) instead of exceptions: Full/Empty (nowait),
 *     a separate TIMEOUT (Python raises Full/Empty for timeouts too; here you can tell a
 *     full queue from a slow consumer), SHUTDOWN, and TOO_MANY_DONE for task_done's
 *     ValueError. errno is never used.
 *   - Timeouts are milliseconds (long). timeout_ms <= 0 tries once without waiting (as in
 *     tl_event_wait_ms; Python raises ValueError for a negative one) and still reports
 *     TIMEOUT, not FULL/EMPTY. To wait without limit, call the function without _ms.
 *   - Items are opaque pointers the queue does not own, except that immediate shutdown and
 *     destroy drop leftover items through a free callback (given at init or at shutdown),
 *     since C has no garbage collector to reclaim them.
 *   - tl_queue_join_ms exists (Python's join() has no timeout), so tests and demos can bound
 *     every wait.
 *
 * Ownership: the caller owns the tl_queue storage (embed it or allocate it); init/destroy
 * bracket its use. An item belongs to the producer until tl_queue_put returns OK, then to
 * the queue, then to the consumer whose get returned it. NULL is a valid item.
 * The struct's fields are private: use the functions.
 */
#ifndef TL_QUEUE_H
#define TL_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    TL_QUEUE_OK = 0,        /* done: the item was put, or *item holds the item got */
    TL_QUEUE_TIMEOUT,       /* a timed put/get ran out of time; the queue is unchanged */
    TL_QUEUE_FULL,          /* put_nowait on a full queue; the item was not added */
    TL_QUEUE_EMPTY,         /* get_nowait on an empty queue */
    TL_QUEUE_SHUTDOWN,      /* put after shutdown; get after shutdown once nothing is left */
    TL_QUEUE_TOO_MANY_DONE, /* task_done called more times than items were put */
} tl_queue_status;

/* Frees (or otherwise disposes of) one item the queue drops. */
typedef void (*tl_queue_free_fn)(void *item);

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t not_empty; /* getters wait here for an item */
    pthread_cond_t not_full;  /* putters wait here for room */
    pthread_cond_t all_done;  /* join() waits here for unfinished == 0 */
    void **ring;              /* circular buffer of `capacity` slots; grows up to maxsize */
    size_t capacity, head, count;
    size_t maxsize;    /* 0 = unbounded */
    size_t unfinished; /* items put and not yet marked done (Python's unfinished_tasks) */
    bool shut_down;
    tl_queue_free_fn free_item;
} tl_queue;

/* Prepares an empty queue holding at most `maxsize` items (0 = unbounded). free_item (may be
 * NULL) disposes of items dropped by an immediate shutdown or left at destroy. Memory for the
 * items grows as needed, so a large maxsize costs nothing until it is used. */
void tl_queue_init(tl_queue *q, size_t maxsize, tl_queue_free_fn free_item);

/* Releases the queue. Pre: no thread uses it any more (join your producers and consumers
 * first). Items still inside are passed to the init's free_item, if there is one. */
void tl_queue_destroy(tl_queue *q);

/* Appends item, waiting as long as it takes for room. OK, or SHUTDOWN (item not added;
 * the caller still owns it) if the queue is or becomes shut down while waiting. */
tl_queue_status tl_queue_put(tl_queue *q, void *item);

/* As tl_queue_put, giving up after timeout_ms: OK, TIMEOUT or SHUTDOWN. timeout_ms <= 0 tries
 * once without waiting (and says TIMEOUT, not FULL). */
tl_queue_status tl_queue_put_ms(tl_queue *q, void *item, long timeout_ms);

/* Appends item only if there is room now: OK, FULL or SHUTDOWN. */
tl_queue_status tl_queue_put_nowait(tl_queue *q, void *item);

/* Removes the oldest item into *item, waiting as long as it takes: OK, or SHUTDOWN once the
 * queue is shut down and empty (a graceful shutdown lets getters drain what is left).
 * *item is written only on OK. */
tl_queue_status tl_queue_get(tl_queue *q, void **item);

/* As tl_queue_get, giving up after timeout_ms: OK, TIMEOUT or SHUTDOWN (<= 0: try once). */
tl_queue_status tl_queue_get_ms(tl_queue *q, void **item, long timeout_ms);

/* Removes the oldest item only if there is one now: OK, EMPTY or SHUTDOWN. */
tl_queue_status tl_queue_get_nowait(tl_queue *q, void **item);

/* Snapshots: true when read, possibly stale by the time you act on them. Use the nowait
 * calls, not `if (!full) put`, to act on the answer. */
size_t tl_queue_size(tl_queue *q);
bool tl_queue_empty(tl_queue *q);
bool tl_queue_full(tl_queue *q); /* never true when unbounded */

/* A consumer says it has finished with one item it got: OK, or TOO_MANY_DONE (nothing
 * changes) when every item put has already been marked done. */
tl_queue_status tl_queue_task_done(tl_queue *q);

/* Blocks until every item ever put has been marked done (returns at once if none is
 * outstanding, so joining twice in a row is fine). */
void tl_queue_join(tl_queue *q);

/* As tl_queue_join, giving up after timeout_ms: OK or TIMEOUT (<= 0: only looks). */
tl_queue_status tl_queue_join_ms(tl_queue *q, long timeout_ms);

/* Stops the queue; every later put returns SHUTDOWN, and blocked putters and getters are
 * woken to re-check (so none sleeps forever). Idempotent; an immediate shutdown may follow
 * a graceful one.
 *   graceful (immediate = false): getters keep receiving the items already queued, then
 *     SHUTDOWN; join still waits for those items' task_done.
 *   immediate: the queued items are removed now and each is passed to free_item (or, when
 *     that is NULL, to the init's free_item; with neither, they are simply forgotten), in
 *     the calling thread, after the lock is released. Dropped items count as done, so join
 *     returns once the consumers mark the items they already hold (as in Python). Getters
 *     see SHUTDOWN at once. */
void tl_queue_shutdown(tl_queue *q, bool immediate, tl_queue_free_fn free_item);

/* True once tl_queue_shutdown has been called (Python's is_shutdown). */
bool tl_queue_is_shut_down(tl_queue *q);

#endif
