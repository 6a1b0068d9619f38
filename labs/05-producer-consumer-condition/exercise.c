/* exercise.c — your bounded buffer (the contract is in exercise.h).
 *
 * This starter works while nothing unusual happens, and is wrong in the three places marked
 * TODO(exercise). Fix them, then run `make check-lab05` (and `make hint-lab05` when stuck).
 */
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
    /* TODO(exercise): `if` looks at the predicate once. When pthread_cond_wait returns, the
     * buffer may be full again (another producer filled the slot first, or nothing happened at
     * all: a spurious wake-up). Then the code below writes over an item nobody has taken. */
    if (b->count == b->capacity && !b->closed) {
        TL_CHECK(pthread_cond_wait(&b->not_full, &b->lock));
    }
    if (b->closed) {
        TL_CHECK(pthread_mutex_unlock(&b->lock));
        return false;
    }
    b->items[(b->head + b->count) % b->capacity] = item;
    b->count++;
    TL_CHECK(pthread_cond_signal(&b->not_empty));
    TL_CHECK(pthread_mutex_unlock(&b->lock));
    return true;
}

bool buffer_get(bounded_buffer *b, long *item)
{
    TL_CHECK(pthread_mutex_lock(&b->lock));
    /* TODO(exercise): the same `if`: after a wake-up the buffer may be empty again, and the code
     * below then takes an item that is not there (and count goes below zero). */
    if (b->count == 0 && !b->closed) {
        TL_CHECK(pthread_cond_wait(&b->not_empty, &b->lock));
    }
    if (b->count == 0 && b->closed) {
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
    /* TODO(exercise): signal wakes at most ONE waiting thread. With three consumers waiting,
     * two of them sleep on after close() and their threads never finish. */
    TL_CHECK(pthread_cond_signal(&b->not_empty));
    TL_CHECK(pthread_cond_signal(&b->not_full));
    TL_CHECK(pthread_mutex_unlock(&b->lock));
}
