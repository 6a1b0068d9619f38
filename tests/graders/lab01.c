/* The grader for lab01's exercise (labs/01-race-counter/exercise.h): counter_increment_locked
 * and counter_increment_atomic must each add exactly one per call, whatever the interleaving.
 * The starter's read–work–write loses updates when 16 threads call it at once, on every run. */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "crowd.h"
#include "exercise.h"
#include "harness.h"

enum { THREADS = 16, CALLS = 25 };

/* Correct answers take well under a second; this only stops a lock that is never unlocked. */
static long crowd_bound_ms(void)
{
    return (long)(5000 * tl_timeout_scale());
}

static void call_locked_many(void *c)
{
    for (int i = 0; i < CALLS; i++)
        counter_increment_locked(c);
}

static void call_atomic_many(void *c)
{
    for (int i = 0; i < CALLS; i++)
        counter_increment_atomic(c);
}

static void *call_locked_once(void *c)
{
    counter_increment_locked(c);
    return NULL;
}

static void locked_one_call_adds_one_and_unlocks(void)
{
    tl_hint("counter_increment_locked must add exactly one to c->value and return with c->lock "
            "unlocked: lock it before the read, unlock it after the write.");
    locked_counter c = LOCKED_COUNTER_INIT;
    counter_increment_locked(&c);
    TL_ASSERT_EQ_LONG(c.value, 1, "c->value after one call");
    int rc = pthread_mutex_trylock(&c.lock);
    TL_ASSERT(rc == 0, "c->lock is still locked after counter_increment_locked returned "
              "(pthread_mutex_trylock: %s): unlock it before returning", strerror(rc));
    if (rc == 0)
        TL_CHECK(pthread_mutex_unlock(&c.lock));
}

static void locked_waits_while_lock_is_held(void)
{
    tl_hint("counter_increment_locked changed c->value while another thread held c->lock: take "
            "c->lock (the counter's own mutex, which every caller shares) before reading "
            "c->value.");
    locked_counter c = LOCKED_COUNTER_INIT;
    TL_CHECK(pthread_mutex_lock(&c.lock));
    pthread_t caller;
    TL_CHECK(pthread_create(&caller, NULL, call_locked_once, &c));
    tl_sleep_ms(50); /* ample time for an increment that ignores the lock to be done */
    long while_held = c.value;
    TL_CHECK(pthread_mutex_unlock(&c.lock));
    TL_CHECK(pthread_join(caller, NULL));
    TL_ASSERT_EQ_LONG(while_held, 0, "c->value while this test held c->lock");
    TL_ASSERT_EQ_LONG(c.value, 1, "c->value once c->lock was free again");
}

static void locked_many_threads_lose_nothing(void)
{
    tl_hint("The threads got stuck: some call returned with c->lock still locked, so every later "
            "call waits forever. Unlock c->lock on every path out of counter_increment_locked.");
    static locked_counter c = LOCKED_COUNTER_INIT; /* static: outlives stragglers on a timeout */
    crowd_result r = crowd_run(THREADS, call_locked_many, &c, crowd_bound_ms());
    TL_ASSERT_FATAL(r.finished, "%d threads x %d calls did not finish within %ld ms: is c->lock "
                    "unlocked on every path?", THREADS, CALLS, crowd_bound_ms());
    tl_hint("Updates were lost: two threads read the same value and both wrote back value + 1. "
            "Hold c->lock from before the read until after the write, around the work too.");
    TL_ASSERT_EQ_LONG(c.value, THREADS * CALLS, "c->value after 16 threads x 25 calls at once");
}

static void atomic_one_call_adds_one(void)
{
    tl_hint("counter_increment_atomic must add exactly one to c->value.");
    atomic_counter c = ATOMIC_COUNTER_INIT;
    counter_increment_atomic(&c);
    TL_ASSERT_EQ_LONG(atomic_load(&c.value), 1, "c->value after one call");
}

static void atomic_many_threads_lose_nothing(void)
{
    tl_hint("counter_increment_atomic must not wait for anything: it needs no lock at all.");
    static atomic_counter c = ATOMIC_COUNTER_INIT;
    crowd_result r = crowd_run(THREADS, call_atomic_many, &c, crowd_bound_ms());
    TL_ASSERT_FATAL(r.finished, "%d threads x %d calls did not finish within %ld ms", THREADS,
                    CALLS, crowd_bound_ms());
    tl_hint("Each call must add exactly one. If updates were lost: an atomic load followed by an "
            "atomic store is still two steps, and another thread can write in between; use one "
            "atomic read-modify-write, atomic_fetch_add(&c->value, 1).");
    TL_ASSERT_EQ_LONG(atomic_load(&c.value), THREADS * CALLS,
                      "c->value after 16 threads x 25 calls at once");
}

void tl_register_suites(void)
{
    CU_pSuite locked = tl_suite("counter_increment_locked");
    tl_test(locked, "locked: one call adds one and leaves c->lock unlocked",
            locked_one_call_adds_one_and_unlocks);
    tl_test(locked, "locked: it waits while another thread holds c->lock",
            locked_waits_while_lock_is_held);
    tl_test(locked, "locked: 16 threads x 25 calls at once lose no update",
            locked_many_threads_lose_nothing);
    CU_pSuite atomic = tl_suite("counter_increment_atomic");
    tl_test(atomic, "atomic: one call adds one", atomic_one_call_adds_one);
    tl_test(atomic, "atomic: 16 threads x 25 calls at once lose no update",
            atomic_many_threads_lose_nothing);
}
