/* exercise.h — lab06's exercise: a bounded blocking queue of `void *` (Python's queue.Queue
 * without task_done/join), for any number of producers and consumers.
 *
 * One mutex guards every field; two condition variables say why a thread sleeps:
 *   not_empty  getters wait here for an item (or for shutdown)
 *   not_full   putters wait here for room (or for shutdown)
 * Both are CLOCK_MONOTONIC condvars (tl_cond_init_monotonic), so the timed calls take their
 * deadline from tl_deadline_monotonic and a wall-clock jump does not move it.
 *
 * The two *_waits counters are instruments, not part of the algorithm: a getter (putter) adds
 * one, under the lock, just before each pthread_cond_wait or pthread_cond_timedwait. The lab and
 * the grader read them (under the lock) to know a thread is really waiting before they wake it.
 * The starter keeps them up to date: keep those lines when you fix the code.
 *
 * Checked by the lab (its last step) and by `make check-lab06`, which runs the same contract
 * tests as common/queue.h (tests/contract/queue_contract.h) plus two wake-up checks.
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
    unsigned long getter_waits; /* times a getter started waiting (see above) */
    unsigned long putter_waits; /* times a putter started waiting (see above) */
} bounded_queue;

/* Prepares an empty queue that holds at most maxsize (>= 1) items. */
void queue_init(bounded_queue *q, size_t maxsize);

/* Frees what queue_init allocated. No thread may be using the queue any more. The items still
 * inside are not the queue's to free. */
void queue_destroy(bounded_queue *q);

/* Appends item, first waiting as long as the queue is full. QUEUE_OK once the item is in;
 * QUEUE_SHUTDOWN, adding nothing, if the queue is (or becomes, while waiting) shut down.
 * Never returns QUEUE_OK while the queue is still full, whatever woke it up. */
queue_status queue_put(bounded_queue *q, void *item);

/* As queue_put, giving up after timeout_ms with QUEUE_TIMEOUT (adding nothing). The deadline is
 * absolute: a wake-up that finds the queue still full waits again, for the time that is LEFT.
 * timeout_ms <= 0 tries once without waiting (and says QUEUE_TIMEOUT when the queue is full). */
queue_status queue_put_ms(bounded_queue *q, void *item, long timeout_ms);

/* Removes the oldest item into *item, first waiting as long as the queue is empty and not shut
 * down. QUEUE_OK with an item; QUEUE_SHUTDOWN (leaving *item alone) only when the queue is shut
 * down AND empty: items put before the shutdown are still handed out. */
queue_status queue_get(bounded_queue *q, void **item);

/* As queue_get, giving up after timeout_ms with QUEUE_TIMEOUT (same deadline rules as put_ms). */
queue_status queue_get_ms(bounded_queue *q, void **item, long timeout_ms);

/* Snapshots, read under the lock: the number of items inside, size == 0, size == maxsize. */
size_t queue_size(bounded_queue *q);
bool queue_empty(bounded_queue *q);
bool queue_full(bounded_queue *q);

/* Graceful shutdown: every later put returns QUEUE_SHUTDOWN; gets drain what is left, then
 * return QUEUE_SHUTDOWN. Wakes EVERY waiting getter and putter, so none sleeps forever.
 * Calling it again changes nothing. */
void queue_shutdown(bounded_queue *q);

#endif
