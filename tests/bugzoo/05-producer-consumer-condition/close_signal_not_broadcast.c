/* Breaks {close.wakes_consumers}: close signals instead of broadcasting, so of several waiting consumers only one ever returns. */
#include "exercise.h"

#include <stdlib.h>

#include "check.h"

void buffer_init(bounded_buffer *b, size_t capacity)
{
    b->items = calloc(capacity, sizeof *b->items);
    if (b->items == NULL)
        TL_DIE("buffer_init: no memory for %zu items", capacity);
    b->capacity = capacity;
    b->head = 0;
    b->count = 0;
    b->closed = false;
    TL_CHECK(pthread_mutex_init(&b->lock, NULL));
    TL_CHECK(pthread_cond_init(&b->not_empty, NULL));
    TL_CHECK(pthread_cond_init(&b->not_full, NULL));
}

void buffer_destroy(bounded_buffer *b)
{
    TL_CHECK(pthread_cond_destroy(&b->not_full));
    TL_CHECK(pthread_cond_destroy(&b->not_empty));
    TL_CHECK(pthread_mutex_destroy(&b->lock));
    free(b->items);
    b->items = NULL;
}

bool buffer_put(bounded_buffer *b, long item)
{
    TL_CHECK(pthread_mutex_lock(&b->lock));
    /* A wake-up only says "look again": another producer may have taken the free slot while
     * this one waited to get the mutex back, or the wake-up may be spurious (POSIX allows it). */
    while (b->count == b->capacity && !b->closed) {
        TL_CHECK(pthread_cond_wait(&b->not_full, &b->lock));
    }
    if (b->closed) {
        TL_CHECK(pthread_mutex_unlock(&b->lock));
        return false;
    }
    b->items[(b->head + b->count) % b->capacity] = item;
    b->count++;
    /* One new item can satisfy one consumer, so waking one is enough: consumers and producers
     * wait on different condvars, so this signal cannot be swallowed by a producer. */
    TL_CHECK(pthread_cond_signal(&b->not_empty));
    TL_CHECK(pthread_mutex_unlock(&b->lock));
    return true;
}

bool buffer_get(bounded_buffer *b, long *item)
{
    TL_CHECK(pthread_mutex_lock(&b->lock));
    /* The loop is what makes "never returns from an empty, open buffer" true: whoever woke us,
     * and whoever got the mutex first, we only go on when the predicate holds now. */
    while (b->count == 0 && !b->closed) {
        TL_CHECK(pthread_cond_wait(&b->not_empty, &b->lock));
    }
    /* Closed but not drained: keep delivering, so no item put before close() is lost. */
    if (b->count == 0) {
        TL_CHECK(pthread_mutex_unlock(&b->lock));
        return false;
    }
    *item = b->items[b->head];
    b->head = (b->head + 1) % b->capacity;
    b->count--;
    TL_CHECK(pthread_cond_signal(&b->not_full));
    TL_CHECK(pthread_mutex_unlock(&b->lock));
    return true;
}

void buffer_close(bounded_buffer *b)
{
    TL_CHECK(pthread_mutex_lock(&b->lock));
    b->closed = true;
    /* Every waiter has to see `closed`, not just one: a signal here would leave the other
     * consumers (and producers) asleep forever, with nobody left to wake them. */
    TL_CHECK(pthread_cond_signal(&b->not_empty));
    TL_CHECK(pthread_cond_signal(&b->not_full));
    TL_CHECK(pthread_mutex_unlock(&b->lock));
}
