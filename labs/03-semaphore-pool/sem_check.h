/* sem_check.h — checks of a bounded_sem (exercise.h) that cannot hang the caller.
 *
 * Every call into the semaphore runs on a thread of its own and is waited for with a deadline,
 * so an acquire that release() forgot to wake is reported ("1 of 2 still waiting") instead of
 * blocking the lab or the grader. Threads left stuck in a broken semaphore are abandoned with
 * it (the process ends soon after); on a correct semaphore every thread is joined and
 * everything freed.
 *
 * To make the interesting wake-up happen on every run, not just sometimes, a check first waits
 * until the semaphore's `waits` counter says its threads are really waiting, then wakes them
 * itself with no permit free: exactly what a spurious wake-up, or a wake-up whose permit
 * another thread took first, looks like to the woken thread.
 *
 * Shared by lab03 (step 3) and its grader (tests/graders/lab03.c), so both judge alike.
 */
#ifndef LAB03_SEM_CHECK_H
#define LAB03_SEM_CHECK_H

#include <stdbool.h>

#define SEM_CHECK_MAX_WORKERS 128

typedef struct {
    int workers;   /* sem_check_pool: threads, at most SEM_CHECK_MAX_WORKERS */
    int permits;   /* sem_check_pool: the pool's size */
    int rounds;    /* sem_check_pool: acquire/release rounds per thread */
    long bound_ms; /* how long the checks wait for the semaphore's threads */
} sem_check_config;

typedef struct {
    bool passed;
    char summary[256]; /* a verdict: what was observed, with what was expected */
    char advice[512];  /* on failure: what probably went wrong and what to change */
} sem_check_result;

typedef sem_check_result sem_check_fn(const sem_check_config *cfg);

/* cfg->workers threads take a permit cfg->rounds times each (half with acquire, half with
 * acquire_ms): never more than cfg->permits inside, every thread finishes, no release refused,
 * and every permit is free again at the end. */
sem_check_fn sem_check_pool;

/* acquire() and acquire_ms() woken while no permit is free must wait again, then take the
 * permit once it is released. */
sem_check_fn sem_check_wakeup_rechecks;

/* acquire_ms() at zero returns false, and not before its timeout; with a permit free it
 * returns true at once. */
sem_check_fn sem_check_timed_acquire;

/* release() with every permit already free is refused with EOVERFLOW and changes nothing. */
sem_check_fn sem_check_over_release;

#endif
