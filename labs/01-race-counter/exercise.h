/* exercise.h — lab01's exercise: make a shared counter's increment safe, two ways.
 *
 * Many threads call these functions on the same counter at the same time. Each call must add
 * exactly one whatever the interleaving: after N calls in total, from any threads, the value
 * is N. The lab (Step 4) and the grader (`make check-lab01`) check exactly that.
 */
#ifndef LAB01_EXERCISE_H
#define LAB01_EXERCISE_H

#include <pthread.h>
#include <stdatomic.h>

/* A counter protected by a mutex: value is read and written only while holding lock. */
typedef struct {
    pthread_mutex_t lock;
    long value;
} locked_counter;

#define LOCKED_COUNTER_INIT {PTHREAD_MUTEX_INITIALIZER, 0}

/* A counter updated without a lock, by atomic operations only. */
typedef struct {
    atomic_long value;
} atomic_counter;

#define ATOMIC_COUNTER_INIT {0}

/* Adds one to c->value, holding c->lock from before the read until after the write.
 * Pre:  c was initialised with LOCKED_COUNTER_INIT; the calling thread does not hold c->lock.
 * Post: c->value grew by exactly one for this call (other threads' calls count too);
 *       c->lock is unlocked again. Waits while another thread holds c->lock. */
void counter_increment_locked(locked_counter *c);

/* Adds one to c->value with one indivisible atomic read-modify-write; takes no lock.
 * Pre:  c was initialised with ATOMIC_COUNTER_INIT.
 * Post: c->value grew by exactly one for this call (other threads' calls count too). */
void counter_increment_atomic(atomic_counter *c);

#endif
