/* exercise.h — lab05's exercise: a bounded buffer (a FIFO of longs) that producers put into and
 * consumers take from, with a close operation that ends every consumer cleanly.
 *
 * One mutex guards all the fields; two condition variables say what changed:
 *   not_empty  consumers wait here for an item (or for close)
 *   not_full   producers wait here for room (or for close)
 * Every read and every write of a field, `closed` and `count` included, holds the mutex, also
 * a quick look before deciding to wait or to give up. {buffer.locked}
 *
 * The checks see every pthread call your code makes (tests/harness/spy.h): they know when a
 * thread is really waiting, and can wake it with nothing changed, as a spurious wake-up would.
 */
#ifndef LAB05_EXERCISE_H
#define LAB05_EXERCISE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    long *items;       /* capacity slots used as a ring */
    size_t capacity;
    size_t head;       /* index of the oldest item */
    size_t count;      /* items in the buffer, 0..capacity */
    bool closed;       /* set once by buffer_close, never cleared */
} bounded_buffer;

/* Prepares an empty, open buffer with room for `capacity` items (capacity >= 1). A capacity of
 * 0 is not allowed, and nothing checks it. */
void buffer_init(bounded_buffer *b, size_t capacity);

/* Frees what buffer_init allocated, and destroys its mutex and condition variables.
 * {destroy.frees} No thread may be using the buffer any more (the checks cannot see a caller
 * that breaks this rule, so it carries no tag). */
void buffer_destroy(bounded_buffer *b);

/* Appends item, first waiting while the buffer is full. {put.waits}
 * Never adds to a full buffer, whatever woke it up, and whoever else was putting. {put.never_full}
 * Every item it adds wakes a consumer waiting for one, even when other items are already there
 * and that consumer has not run yet. {put.wakes_consumer}
 * Returns true once the item is in the buffer; returns false, adding nothing, if the buffer is
 * (or becomes, while waiting) closed. {put.closed} */
bool buffer_put(bounded_buffer *b, long item);

/* Takes the oldest item into *item: items come out in the order they went in. {get.fifo}
 * First waits while the buffer is empty and open. {get.waits}
 * Never returns from an empty, open buffer, whatever woke it up. {get.never_empty}
 * Every item it takes wakes a producer waiting for room, even when other slots are already free
 * and that producer has not run yet. {get.wakes_producer}
 * Returns true with an item; returns false (leaving *item alone) only when the buffer is closed
 * AND empty: items put before close() are still delivered. {get.drains} */
bool buffer_get(bounded_buffer *b, long *item);

/* Marks the buffer closed and wakes EVERY waiting consumer {close.wakes_consumers} and EVERY
 * waiting producer {close.wakes_producers}, so each of them returns (consumers after the
 * remaining items are taken). Calling it again does nothing more. {close.twice} */
void buffer_close(bounded_buffer *b);

#endif
