/* exercise.h — lab01's exercise: make a shared counter's increment safe, two ways.
 *
 * Many threads call these functions on the same counter at the same time. Each call must add
 * exactly one whatever the interleaving: after N calls in total, from any threads, the value
 * is N. The lab (Step 4) and the grader (`make check-lab01`) run the same checks
 * (labs/01-race-counter/checks.c), each promise below is tagged with the name its checks list.
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

/* Adds one to c->value, under the counter's own mutex c->lock (no other mutex).
 * Pre:  c was initialised with LOCKED_COUNTER_INIT; the calling thread does not hold c->lock.
 * Post: c->value grew by exactly one for this call, other threads' calls counting too
 *       {increment_locked.adds_one}; c->lock is unlocked again {increment_locked.unlocks}.
 * c->lock is held from before the read of c->value until after its write, and no other mutex
 * is taken {increment_locked.holds_lock}: the read, the work and the write are one critical
 * section, c->lock locked and unlocked once per call {increment_locked.one_section}. While
 * another thread holds c->lock the call waits, and builds on what that thread wrote
 * {increment_locked.waits}. */
void counter_increment_locked(locked_counter *c);

/* Adds one to c->value.
 * Pre:  c was initialised with ATOMIC_COUNTER_INIT.
 * Post: c->value grew by exactly one for this call, other threads' calls counting too
 *       {increment_atomic.adds_one}.
 * The increment is one indivisible atomic read-modify-write: an increment another thread makes
 * between this call's read and its write is never overwritten {increment_atomic.one_step}. It
 * takes no lock and waits for nothing {increment_atomic.lock_free}. */
void counter_increment_atomic(atomic_counter *c);

#endif
