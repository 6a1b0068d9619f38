/* exercise.h — lab05's exercise: a bounded buffer (a FIFO of longs) that producers put into and
 * consumers take from, with a close operation that ends every consumer cleanly.
 *
 * One mutex guards all the fields; two condition variables say what changed:
 *   not_empty  consumers wait here for an item (or for close)
 *   not_full   producers wait here for room (or for close)
 *
 * The two *_waits counters are instruments, not part of the algorithm: buffer_get and
 * buffer_put add one, under the lock, just before each pthread_cond_wait. The lab and the grader
 * read them (under the lock) to know that a thread is really waiting before they wake it or close
 * the buffer. The starter already keeps them up to date: keep those lines when you fix the code.
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
    unsigned long consumer_waits; /* times buffer_get started waiting (see above) */
    unsigned long producer_waits; /* times buffer_put started waiting (see above) */
} bounded_buffer;

/* Prepares an empty, open buffer with room for `capacity` items (capacity >= 1). */
void buffer_init(bounded_buffer *b, size_t capacity);

/* Frees what buffer_init allocated. No thread may be using the buffer any more. */
void buffer_destroy(bounded_buffer *b);

/* Appends item, first waiting while the buffer is full.
 * Returns true once the item is in the buffer; returns false, adding nothing, if the buffer is
 * (or becomes, while waiting) closed. */
bool buffer_put(bounded_buffer *b, long item);

/* Takes the oldest item into *item, first waiting while the buffer is empty and open.
 * Returns true with an item; returns false (leaving *item alone) only when the buffer is closed
 * AND empty: items put before close() are still delivered. Never returns from an empty, open
 * buffer, whatever woke it up. */
bool buffer_get(bounded_buffer *b, long *item);

/* Marks the buffer closed and wakes EVERY waiting producer and consumer, so each of them
 * returns (consumers after the remaining items are taken). Calling it again does nothing more. */
void buffer_close(bounded_buffer *b);

#endif
