/* The grader for lab02's exercise (labs/02-rlock-recursion/exercise.h): a re-entrant lock.
 * The owner re-acquires without waiting, every acquire needs its release, other threads get
 * the lock only when the count is back to zero, and only the owner may release.
 * Re-entry is always tried first with the TIMED acquire, so a lock that makes its owner wait
 * for itself (the starter) fails cleanly with ETIMEDOUT instead of hanging the test. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "check.h"
#include "clock.h"
#include "exercise.h"
#include "harness.h"

enum { THREADS = 4, ROUNDS = 200 };

/* Long enough never to expire for a free lock, even under a sanitizer on a loaded machine. */
static long generous_ms(void)
{
    return (long)(2000 * tl_timeout_scale());
}

/* ---- another thread's calls, run to completion (the harness deadline bounds them) ---- */

typedef struct {
    rlock *l;
    long ms;
    int rc;
} other_call;

static void *timed_acquire_call(void *arg)
{
    other_call *c = arg;
    c->rc = rlock_acquire_timed(c->l, c->ms);
    return NULL;
}

/* Acquire and release in the same thread: a thread that ends while holding the lock leaves it
 * held by an ID the system may hand to the next new thread (pthread_t values are reused). */
static void *acquire_and_release_call(void *arg)
{
    other_call *c = arg;
    c->rc = rlock_acquire_timed(c->l, c->ms);
    if (c->rc == 0 && rlock_release(c->l) != 0)
        c->rc = EPERM;
    return NULL;
}

static void *release_call(void *arg)
{
    other_call *c = arg;
    c->rc = rlock_release(c->l);
    return NULL;
}

static int in_other_thread(void *(*call)(void *), rlock *l, long ms)
{
    other_call c = {l, ms, -1};
    pthread_t other;
    TL_CHECK(pthread_create(&other, NULL, call, &c));
    TL_CHECK(pthread_join(other, NULL));
    return c.rc;
}

#define REENTRY_HINT                                                                               \
    "The owner must be able to acquire again without waiting: check `count > 0 && "              \
    "pthread_equal(owner, pthread_self())` first and just count up. Each release undoes one "    \
    "acquire."

/* Every test that needs re-entry checks it this way first: a clean failure, never a hang. */
static void acquire_twice(rlock *l)
{
    tl_hint(REENTRY_HINT);
    rlock_acquire(l);
    int rc = rlock_acquire_timed(l, 1000);
    TL_ASSERT_FATAL(rc == 0, "the owner's second acquire (timed, 1000 ms) returned %s, expected 0: "
                    "the lock made its own owner wait for itself", tl_errno_name(rc));
}

static void owner_reacquires_and_releases_as_often(void)
{
    rlock l;
    rlock_init(&l);
    acquire_twice(&l);
    rlock_acquire(&l); /* untimed re-entry: hangs here only if it differs from the timed one */
    for (int i = 1; i <= 3; i++) {
        int rc = rlock_release(&l);
        TL_ASSERT(rc == 0, "release %d of 3 by the owner returned %s, expected 0", i,
                  tl_errno_name(rc));
    }
    int rc = rlock_release(&l);
    TL_ASSERT(rc == EPERM, "a 4th release (3 acquires, 3 releases: nobody holds it) returned %s, "
              "expected EPERM", tl_errno_name(rc));
    rlock_destroy(&l);
}

static void others_wait_until_count_is_zero(void)
{
    rlock l;
    rlock_init(&l);
    acquire_twice(&l);
    tl_hint("While the owner holds the lock (count > 0), every other thread must wait; only the "
            "release that brings the count to zero frees it. A timed-out attempt must change "
            "nothing.");
    int rc = in_other_thread(timed_acquire_call, &l, 100);
    TL_ASSERT(rc == ETIMEDOUT, "held twice: another thread's 100 ms acquire returned %s, expected "
              "ETIMEDOUT", tl_errno_name(rc));
    TL_ASSERT_FATAL(rlock_release(&l) == 0, "the owner's first release failed");
    rc = in_other_thread(timed_acquire_call, &l, 100);
    TL_ASSERT(rc == ETIMEDOUT, "acquired twice, released once (count 1, still held): another "
              "thread's 100 ms acquire returned %s, expected ETIMEDOUT", tl_errno_name(rc));
    TL_ASSERT_FATAL(rlock_release(&l) == 0, "the owner's second release failed");
    rc = in_other_thread(acquire_and_release_call, &l, generous_ms());
    TL_ASSERT_FATAL(rc == 0, "released as often as acquired (count 0, free): another thread's "
                    "acquire (and release) returned %s, expected 0", tl_errno_name(rc));
    /* The two timed-out attempts must have left no count behind: it is free again. */
    rc = rlock_acquire_timed(&l, generous_ms());
    TL_ASSERT(rc == 0, "after the other thread's acquire and release, the first thread's acquire "
              "returned %s, expected 0", tl_errno_name(rc));
    if (rc == 0) {
        TL_ASSERT(rlock_release(&l) == 0, "one acquire, one release: the release failed");
        rc = rlock_release(&l);
        TL_ASSERT(rc == EPERM, "one acquire, then a second release returned %s, expected EPERM",
                  tl_errno_name(rc));
    }
    rlock_destroy(&l);
}

static void release_by_non_owner_is_refused(void)
{
    tl_hint("rlock_release must return EPERM, changing nothing, when the calling thread is not "
            "the owner: compare l->owner with pthread_self() (pthread_equal) under the guard.");
    rlock l;
    rlock_init(&l);
    rlock_acquire(&l);
    int rc = in_other_thread(release_call, &l, 0);
    TL_ASSERT(rc == EPERM, "release by a thread that does not hold the lock returned %s, expected "
              "EPERM", tl_errno_name(rc));
    rc = in_other_thread(timed_acquire_call, &l, 100);
    TL_ASSERT(rc == ETIMEDOUT, "after that refused release the lock must still be held: another "
              "thread's 100 ms acquire returned %s, expected ETIMEDOUT", tl_errno_name(rc));
    rc = rlock_release(&l);
    TL_ASSERT(rc == 0, "the owner's own release returned %s, expected 0", tl_errno_name(rc));
    rc = rlock_release(&l);
    TL_ASSERT(rc == EPERM, "release of a lock nobody holds returned %s, expected EPERM",
              tl_errno_name(rc));
    rlock_destroy(&l);
}

/* ---- a waiter blocked in rlock_acquire ---- */

static rlock waited_on;
static atomic_bool waiter_has_it;

static void *waiter(void *unused)
{
    (void)unused;
    rlock_acquire(&waited_on);
    atomic_store(&waiter_has_it, true);
    rlock_release(&waited_on);
    return NULL;
}

static void blocked_waiter_is_woken_at_count_zero(void)
{
    rlock_init(&waited_on);
    acquire_twice(&waited_on);
    tl_hint("A thread waiting in rlock_acquire must be woken when the count drops to zero: "
            "signal the condition variable in rlock_release when the count reaches 0 (and only "
            "then), and wait in a `while (count > 0)` loop.");
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, waiter, NULL));
    tl_sleep_ms(50); /* lets the waiter block; a correct lock keeps it out however long */
    TL_ASSERT(!atomic_load(&waiter_has_it), "another thread got the lock while the owner held it");
    TL_ASSERT_FATAL(rlock_release(&waited_on) == 0, "the owner's first release failed");
    tl_sleep_ms(50);
    TL_ASSERT(!atomic_load(&waiter_has_it), "another thread got the lock after 1 of 2 releases "
              "(count 1: still held)");
    TL_ASSERT_FATAL(rlock_release(&waited_on) == 0, "the owner's second release failed");
    /* Poll with a bound rather than join: a waiter that is never woken fails the test cleanly. */
    struct timespec give_up = tl_deadline_monotonic(generous_ms());
    while (!atomic_load(&waiter_has_it) && tl_ms_until(give_up) > 0)
        tl_sleep_ms(1);
    TL_ASSERT_FATAL(atomic_load(&waiter_has_it), "the thread waiting in rlock_acquire did not get "
                    "the lock within %ld ms of the last release: it was never woken",
                    generous_ms());
    TL_CHECK(pthread_join(t, NULL));
    rlock_destroy(&waited_on);
}

/* ---- mutual exclusion with re-entry ---- */

static rlock shared;
static atomic_int inside, most_inside, failures;
static long protected_count; /* plain on purpose: only the lock keeps it exact */

static void *reentering_worker(void *unused)
{
    (void)unused;
    for (int round = 0; round < ROUNDS && atomic_load(&failures) == 0; round++) {
        rlock_acquire(&shared);
        int now = atomic_fetch_add(&inside, 1) + 1;
        int seen = atomic_load(&most_inside);
        while (now > seen && !atomic_compare_exchange_weak(&most_inside, &seen, now))
            continue;
        if (rlock_acquire_timed(&shared, generous_ms()) != 0)
            atomic_fetch_add(&failures, 1);
        rlock_acquire(&shared);
        protected_count++;
        sched_yield(); /* invites another thread in, if the lock would let it */
        atomic_fetch_sub(&inside, 1);
        for (int i = 0; i < 3; i++)
            if (rlock_release(&shared) != 0)
                atomic_fetch_add(&failures, 1);
    }
    return NULL;
}

static void reentering_threads_never_overlap(void)
{
    rlock_init(&shared);
    acquire_twice(&shared); /* re-entry works at all, or this test stops here */
    TL_ASSERT_FATAL(rlock_release(&shared) == 0 && rlock_release(&shared) == 0,
                    "releasing the two acquires failed");
    tl_hint("Two threads were inside at once, or a nested acquire/release failed: the owner check "
            "must compare the owner only while count > 0, and the lock is free only at count 0.");
    pthread_t workers[THREADS];
    for (int i = 0; i < THREADS; i++)
        TL_CHECK(pthread_create(&workers[i], NULL, reentering_worker, NULL));
    for (int i = 0; i < THREADS; i++)
        TL_CHECK(pthread_join(workers[i], NULL));
    TL_ASSERT_EQ_LONG(atomic_load(&failures), 0, "nested acquires or releases that failed");
    TL_ASSERT_EQ_LONG(atomic_load(&most_inside), 1, "most threads inside the lock at once");
    TL_ASSERT_EQ_LONG(protected_count, THREADS * ROUNDS, "rounds counted under the lock");
    rlock_destroy(&shared);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("rlock");
    tl_test(s, "the owner acquires 3 times, releases 3 times, a 4th release is EPERM",
            owner_reacquires_and_releases_as_often);
    tl_test(s, "other threads get it only when the count drops to zero",
            others_wait_until_count_is_zero);
    tl_test(s, "release by a thread that does not own it returns EPERM",
            release_by_non_owner_is_refused);
    tl_test(s, "a thread blocked in rlock_acquire is woken at count zero",
            blocked_waiter_is_woken_at_count_zero);
    tl_test(s, "4 threads re-entering 3 deep are never inside at once",
            reentering_threads_never_overlap);
}
