/* exercise.h — lab06's exercise: a bounded blocking queue of `void *` (Python's queue.Queue
 * without task_done/join), for any number of producers and consumers.
 *
 * One mutex guards every field; two condition variables say why a thread sleeps:
 *   not_empty  getters wait here for an item (or for shutdown)
 *   not_full   putters wait here for room (or for shutdown)
 * Both are CLOCK_MONOTONIC condvars (tl_cond_init_monotonic), so the timed calls take their
 * deadline from tl_deadline_monotonic and a wall-clock jump does not move it.
 *
 * Checked by the lab (its last step) and by `make check-lab06`: one check table
 * (labs/06-producer-consumer-queue/checks.c) with the contract tests every bounded queue of the kit
 * passes (tests/contract/queue_contract.h), the timed-wait contract for put_ms and get_ms
 * (tests/contract/timed_wait_contract.h) and wake-ups forced with nothing changed. Each promise
 * below ends in the tag of the check that tests it.
 */
#ifndef LAB06_EXERCISE_H
#define LAB06_EXERCISE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    QUEUE_OK = 0,   /* the item was put, or *item holds the item got */
    QUEUE_TIMEOUT,  /* a timed call ran out of time; the queue is unchanged */
    QUEUE_SHUTDOWN, /* put after shutdown; get after shutdown once the queue is empty */
} queue_status;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    void **items;       /* maxsize slots used as a ring */
    size_t maxsize;     /* at least 1 */
    size_t head;        /* index of the oldest item */
    size_t count;       /* items inside, 0..maxsize */
    bool shut_down;     /* set once by queue_shutdown, never cleared */
} bounded_queue;

/* Prepares an empty queue that holds at most maxsize (>= 1) items. {init.empty} */
void queue_init(bounded_queue *q, size_t maxsize);

/* Frees everything queue_init allocated. {destroy.frees} No thread may be using the queue any
 * more. The items still inside are not the queue's to free. */
void queue_destroy(bounded_queue *q);

/* Appends item, first waiting as long as the queue is full. {put.blocks_while_full} QUEUE_OK
 * once the item is in. QUEUE_SHUTDOWN, adding nothing, if the queue is (or becomes, while
 * waiting) shut down. {put.shutdown} A wake-up that finds the queue still full waits again: it
 * never adds an item to a full queue, whatever woke it up. {put.rechecks} The queue never holds
 * more than maxsize items, however many putters race for the last slot. {put.bounded} Every put
 * wakes a getter that is waiting, also when the queue was not empty before. {put.wakes_getter} */
queue_status queue_put(bounded_queue *q, void *item);

/* As queue_put, giving up after timeout_ms with QUEUE_TIMEOUT (adding nothing): not before that
 * time, and soon after it, for 999 ms, 3.6 s and an hour alike. {put_ms.times_out} The deadline
 * is absolute: a wake-up that finds the queue still full waits again, for the time that is LEFT.
 * {put_ms.deadline} timeout_ms <= 0 tries once without waiting: QUEUE_OK when there is room,
 * QUEUE_TIMEOUT at once when the queue is full. {put_ms.zero} */
queue_status queue_put_ms(bounded_queue *q, void *item, long timeout_ms);

/* Removes the oldest item into *item: items come out in the order they were put. {get.fifo}
 * First waits as long as the queue is empty and not shut down. {get.blocks_while_empty} A wake-up
 * that finds the queue still empty waits again. {get.rechecks} QUEUE_OK with an item; every item
 * put is got exactly once, with any number of producers and consumers. {get.exactly_once}
 * QUEUE_SHUTDOWN (leaving *item alone) only when the queue is shut down AND empty: items put
 * before the shutdown are still handed out. {get.drains} Every get wakes a putter that is waiting,
 * also when the queue was not full before. {get.wakes_putter} */
queue_status queue_get(bounded_queue *q, void **item);

/* As queue_get, giving up after timeout_ms with QUEUE_TIMEOUT: not early, not long after, for any
 * length. {get_ms.times_out} One absolute deadline, not restarted by wake-ups. {get_ms.deadline}
 * timeout_ms <= 0 takes an item that is there, or says QUEUE_TIMEOUT at once. {get_ms.zero} */
queue_status queue_get_ms(bounded_queue *q, void **item, long timeout_ms);

/* Snapshots, read under the lock (no data race with a put or get on another thread): the number
 * of items inside, size == 0, size == maxsize. {size.snapshot} */
size_t queue_size(bounded_queue *q);
bool queue_empty(bounded_queue *q);
bool queue_full(bounded_queue *q);

/* Graceful shutdown: every later put returns QUEUE_SHUTDOWN; gets drain what is left, then
 * return QUEUE_SHUTDOWN. Wakes EVERY waiting getter and putter, so none sleeps forever.
 * {shutdown.wakes_all} Calling it again changes nothing. {shutdown.idempotent} */
void queue_shutdown(bounded_queue *q);

#endif
