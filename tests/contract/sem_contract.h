/* sem_contract.h — what any counting or bounded semaphore (Python's threading.Semaphore and
 * threading.BoundedSemaphore) must do, as CUnit tests that run against ANY implementation:
 * common/sem.c (tests/unit/test_sem.c) and lab03's exercise (its grader) run exactly these tests.
 *
 * Use: define the macros below, include this header once, register the tests.
 *
 *     #include "sem.h"
 *     #define SEM_T                    tl_sem
 *     #define SEM_INIT(s, value, bounded) tl_sem_init(s, value, bounded)
 *     #define SEM_DESTROY(s)           tl_sem_destroy(s)
 *     #define SEM_ACQUIRE(s)           tl_sem_acquire(s)
 *     #define SEM_TRY_ACQUIRE(s)       tl_sem_try_acquire(s)
 *     #define SEM_ACQUIRE_MS(s, ms)    tl_sem_acquire_ms(s, ms)
 *     #define SEM_RELEASE(s)           tl_sem_release(s)
 *     #define SEM_OVER_RELEASE_ERROR   EOVERFLOW
 *     #include "../contract/sem_contract.h"
 *
 *     void tl_register_suites(void)
 *     {
 *         sem_contract_register_bounded(tl_suite("bounded semaphore contract"));
 *         sem_contract_register_counting(tl_suite("counting semaphore contract"));
 *     }
 *
 * Required macros. `s` is always a plain `SEM_T *` expression without side effects; `value` an
 * unsigned count; `bounded` a bool; `ms` a long number of milliseconds.
 *   SEM_T                       the semaphore type; a complete object type (`static SEM_T s;`)
 *   SEM_INIT(s, value, bounded) make *s a semaphore with `value` free permits; when `bounded`,
 *                               releases past `value` are refused. An implementation that only
 *                               has bounded semaphores may ignore `bounded` and register only
 *                               the bounded tests.
 *   SEM_DESTROY(s)              release *s (never called while a helper may still be inside it)
 *   SEM_ACQUIRE(s)              expression or void call: take a permit, blocking while none is free
 *   SEM_TRY_ACQUIRE(s)          expression: true when a permit was taken, false at once when none
 *                               was free
 *   SEM_ACQUIRE_MS(s, ms)       expression: true when a permit was taken within ms milliseconds,
 *                               false when the time ran out; ms == 0 never blocks
 *   SEM_RELEASE(s)              expression, int: 0 when the permit was given back, non-zero when
 *                               the release was refused (a bounded semaphore already at its initial
 *                               value) — the count must then be unchanged. An API reporting
 *                               success as a bool maps it, e.g. `(my_release(s) ? 0 : 1)`.
 * Optional:
 *   SEM_OVER_RELEASE_ERROR      the exact value a refused release must give (e.g. EOVERFLOW);
 *                               without it any non-zero value counts as a refusal
 *   SEMC_PERMITS, SEMC_THREADS, SEMC_ROUNDS   the "at most N inside" stress: permits
 *                               (default 3), threads (default 12), acquire/release rounds per
 *                               thread (default 200)
 *
 * Registration (each adds the shared tests, run with `bounded` true or false, plus its own):
 *   sem_contract_register_bounded(suite)    + a release past the initial value is refused
 *   sem_contract_register_counting(suite)   + a release past the initial value adds a permit
 * Every wait here is bounded, and helper threads that stay stuck are reported, not joined
 * (see contract_threads.h), so a broken semaphore fails with a message instead of a hang.
 */
#ifndef TL_SEM_CONTRACT_H
#define TL_SEM_CONTRACT_H

#if !defined(SEM_T) || !defined(SEM_INIT) || !defined(SEM_DESTROY) || !defined(SEM_ACQUIRE) ||     \
    !defined(SEM_TRY_ACQUIRE) || !defined(SEM_ACQUIRE_MS) || !defined(SEM_RELEASE)
#error "sem_contract.h: define the SEM_* macros listed at the top of this file before including it"
#endif

#include "contract_threads.h"

#ifndef SEMC_PERMITS
#define SEMC_PERMITS 3
#endif
#ifndef SEMC_THREADS
#define SEMC_THREADS 12
#endif
#ifndef SEMC_ROUNDS
#define SEMC_ROUNDS 200
#endif

/* The timeout of helpers' timed acquires: long enough that a correct semaphore always serves
 * them first (scaled for sanitizer builds), short enough that a broken one fails well before
 * the harness deadline. Helpers get this plus a margin to finish. */
#define SEMC_LONG_WAIT_MS 3000L
#define SEMC_FINISH_MS (SEMC_LONG_WAIT_MS + 1000L)
#define SEMC_STRESS_FINISH_MS 6000L

/* A timed acquire may end this much before its timeout and still count as "not early": room
 * for implementations that round the deadline to whole milliseconds. */
#define SEMC_EARLY_SLACK_MS 2.0

/* ---- helpers ---- */

/* The free permits, read through the contract alone: takes up to limit + 1 with try_acquire
 * and returns how many it got (the permits stay taken). */
static int semc_take_all(SEM_T *s, int limit)
{
    int taken = 0;
    while (taken <= limit && SEM_TRY_ACQUIRE(s))
        taken++;
    return taken;
}

/* Releases n permits that were taken, each of which must be accepted. */
static void semc_give_back(SEM_T *s, int n, const char *situation)
{
    for (int i = 0; i < n; i++) {
        int rc = SEM_RELEASE(s);
        TL_ASSERT(rc == 0, "release() %d of %d %s: expected 0 (accepted: the count is below its "
                           "initial value), got %d",
                  i + 1, n, situation, rc);
    }
}

static void semc_expect_refused(int rc, const char *situation)
{
#ifdef SEM_OVER_RELEASE_ERROR
    TL_ASSERT(rc == (SEM_OVER_RELEASE_ERROR), "release() %s: expected it refused with %d, got %d%s",
              situation, (int)(SEM_OVER_RELEASE_ERROR), rc, rc == 0 ? " (accepted)" : "");
#else
    TL_ASSERT(rc != 0, "release() %s: expected it refused (a non-zero result), got 0 (accepted)",
              situation);
#endif
}

/* ---- the contract, shared by bounded and counting semaphores ---- */

static CONTRACT_UNUSED void semc_counts_permits(bool bounded)
{
    tl_hint("a semaphore counts permits: init(3) allows exactly 3 acquires before the next one "
            "must wait, and each release() gives exactly one permit back");
    SEM_T s;
    SEM_INIT(&s, 3, bounded);
    int taken = semc_take_all(&s, 3);
    TL_ASSERT(taken == 3, "try_acquire() on a new semaphore with 3 permits: expected 3 to succeed, "
                          "%d did",
              taken);
    semc_give_back(&s, taken > 3 ? 3 : taken, "after taking the permits");
    taken = semc_take_all(&s, 3);
    TL_ASSERT(taken == 3, "try_acquire() after 3 permits were released: expected 3 to succeed, "
                          "%d did",
              taken);
    if (taken != 3) {
        SEM_DESTROY(&s);
        return; /* acquire() below would block on a wrong count */
    }
    semc_give_back(&s, 3, "after taking the permits again");
    for (int i = 0; i < 3; i++)
        (void)SEM_ACQUIRE(&s);
    TL_ASSERT(!SEM_TRY_ACQUIRE(&s), "try_acquire() after 3 acquire() on init(3): expected false "
                                    "(no permit left), got true");
    semc_give_back(&s, 1, "after 3 acquire()");
    taken = semc_take_all(&s, 1);
    TL_ASSERT(taken == 1, "after one release(): expected exactly 1 permit free, got %d", taken);
    SEM_DESTROY(&s);
}

static CONTRACT_UNUSED void semc_try_acquire_at_zero(bool bounded)
{
    tl_hint("try_acquire() must never block and never take a permit that is not there: when the "
            "count is 0 it returns false and leaves the count at 0");
    SEM_T empty;
    SEM_INIT(&empty, 0, bounded);
    TL_ASSERT(!SEM_TRY_ACQUIRE(&empty), "try_acquire() on init(0): expected false, got true");
    SEM_DESTROY(&empty);

    SEM_T s;
    SEM_INIT(&s, 1, bounded);
    TL_ASSERT(SEM_TRY_ACQUIRE(&s), "try_acquire() on init(1): expected true, got false");
    TL_ASSERT(!SEM_TRY_ACQUIRE(&s), "try_acquire() with the only permit taken: expected false, got "
                                    "true");
    TL_ASSERT(!SEM_TRY_ACQUIRE(&s), "try_acquire() again at 0: expected false, got true");
    semc_give_back(&s, 1, "after two refused try_acquire()");
    int taken = semc_take_all(&s, 1);
    TL_ASSERT(taken == 1, "after refused try_acquire() calls and one release(): expected exactly "
                          "1 permit free, got %d (a refused try_acquire must not change the count)",
              taken);
    SEM_DESTROY(&s);
}

static CONTRACT_UNUSED void semc_acquire_ms_times_out(bool bounded)
{
    tl_hint("acquire_ms(s, ms) at count 0 must return false, and not before ms milliseconds: "
            "compute one absolute deadline (tl_deadline_monotonic, on a condition variable from "
            "tl_cond_init_monotonic) and loop on pthread_cond_timedwait while the count is 0, "
            "until it returns ETIMEDOUT; a permit that is free must be taken at once");
    SEM_T s;
    SEM_INIT(&s, 1, bounded);
    TL_ASSERT(SEM_ACQUIRE_MS(&s, 0), "acquire_ms(0) with 1 permit free: expected true, got false");
    TL_ASSERT(!SEM_ACQUIRE_MS(&s, 0), "acquire_ms(0) at count 0: expected false, got true");
    /* A short timeout and one over a second: catches deadlines that drop the seconds or
     * overflow tv_nsec. */
    static const long timeouts[] = {50, 1010};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        long ms = timeouts[i];
        int64_t start = tl_now_ns();
        bool got = SEM_ACQUIRE_MS(&s, ms);
        double waited = contract_ms_since(start);
        TL_ASSERT(!got, "acquire_ms(%ld) at count 0, nobody releasing: expected false, got true",
                  ms);
        TL_ASSERT(waited >= (double)ms - SEMC_EARLY_SLACK_MS,
                  "acquire_ms(%ld) at count 0, nobody releasing: expected to wait at least %ld ms, "
                  "returned after %.1f ms",
                  ms, ms, waited);
    }
    semc_give_back(&s, 1, "after the timed-out acquire_ms() calls");
    TL_ASSERT(SEM_ACQUIRE_MS(&s, contract_scaled_ms(SEMC_LONG_WAIT_MS)),
              "acquire_ms(%ld) with 1 permit free: expected true, got false",
              contract_scaled_ms(SEMC_LONG_WAIT_MS));
    TL_ASSERT(!SEM_TRY_ACQUIRE(&s), "after timed-out acquire_ms() calls, one release() and one "
                                    "acquire: expected 0 permits free, but try_acquire() got one");
    SEM_DESTROY(&s);
}

typedef struct {
    SEM_T *sem;
    bool timed;      /* acquire_ms with a long timeout instead of acquire */
    atomic_bool got; /* the acquire returned with a permit */
} semc_acquirer;

static CONTRACT_UNUSED void semc_acquirer_body(void *arg)
{
    semc_acquirer *a = arg;
    bool got = true;
    if (a->timed)
        got = SEM_ACQUIRE_MS(a->sem, contract_scaled_ms(SEMC_LONG_WAIT_MS));
    else
        (void)SEM_ACQUIRE(a->sem);
    atomic_store(&a->got, got);
}

static CONTRACT_UNUSED void semc_release_wakes_blocked(bool bounded)
{
    tl_hint("release() must wake a thread blocked in acquire(): increment the count and signal the "
            "condition variable while holding the mutex; acquire() must wait in a `while (count == "
            "0)` loop and only then take the permit");
    static SEM_T sems[2];
    static semc_acquirer acquirers[2][2];
    static contract_thread threads[2][2];
    SEM_T *s = &sems[bounded];
    semc_acquirer *a = acquirers[bounded];
    contract_thread *t = threads[bounded];

    SEM_INIT(s, 2, bounded);
    int taken = semc_take_all(s, 2);
    TL_ASSERT_FATAL(taken == 2, "try_acquire() on init(2): expected 2 to succeed, %d did", taken);
    int baseline = contract_sleeping_threads();
    for (int i = 0; i < 2; i++) {
        a[i].sem = s;
        a[i].timed = i == 1;
        atomic_init(&a[i].got, false);
        contract_start(&t[i], semc_acquirer_body, &a[i]);
    }
    contract_wait_until_asleep(baseline, 2);
    int early = contract_count_finished(t, 2);
    TL_ASSERT(early == 0, "acquire() and acquire_ms() with no permit free: expected both to block, "
                          "%d returned",
              early);
    semc_give_back(s, 2, "with two threads blocked in acquire");
    int finished = contract_finish(t, 2, SEMC_FINISH_MS);
    int got = atomic_load(&a[0].got) + atomic_load(&a[1].got);
    TL_ASSERT(got == 2,
              "after 2 release(): expected both blocked threads (one in acquire(), one in "
              "acquire_ms()) to get a permit, %d did, %d returned false (timed out), %d still "
              "blocked after %ld ms",
              got, finished - got, 2 - finished, contract_scaled_ms(SEMC_FINISH_MS));
    TL_ASSERT(!SEM_TRY_ACQUIRE(s), "both released permits went to the woken threads: "
                                   "try_acquire() expected false, got true");
    if (finished == 2)
        SEM_DESTROY(s);
}

/* The stress: SEMC_THREADS workers each take a permit SEMC_ROUNDS times — some with acquire(),
 * some with acquire_ms(), some by retrying try_acquire() — and count how many are inside at
 * once. */
typedef struct {
    SEM_T *sem;
    int method; /* 0 acquire, 1 acquire_ms, 2 try_acquire until a deadline */
    atomic_int *inside, *max_inside;
    long acquired, gave_up, refused; /* read by the main thread only after joining */
} semc_worker;

static CONTRACT_UNUSED bool semc_take_one(semc_worker *w)
{
    long bound = contract_scaled_ms(SEMC_LONG_WAIT_MS);
    switch (w->method) {
    case 0:
        (void)SEM_ACQUIRE(w->sem);
        return true;
    case 1:
        return SEM_ACQUIRE_MS(w->sem, bound);
    default: {
        struct timespec deadline = tl_deadline_monotonic(bound);
        while (!SEM_TRY_ACQUIRE(w->sem)) {
            if (tl_ms_until(deadline) == 0)
                return false;
            tl_sleep_us(50);
        }
        return true;
    }
    }
}

static CONTRACT_UNUSED void semc_worker_body(void *arg)
{
    semc_worker *w = arg;
    for (int r = 0; r < SEMC_ROUNDS; r++) {
        if (!semc_take_one(w)) {
            w->gave_up++;
            return;
        }
        w->acquired++;
        int now = atomic_fetch_add(w->inside, 1) + 1;
        int seen = atomic_load(w->max_inside);
        while (now > seen && !atomic_compare_exchange_weak(w->max_inside, &seen, now))
            continue;
        tl_sleep_us(20); /* stay inside a moment, so that others pile up at the door */
        atomic_fetch_sub(w->inside, 1);
        if (SEM_RELEASE(w->sem) != 0)
            w->refused++;
    }
}

static CONTRACT_UNUSED void semc_at_most_n_inside(bool bounded)
{
    tl_hint("never more than the initial count of threads may hold a permit at once: check "
            "`count > 0` and decrement it under the same mutex, waiting in a while loop; release() "
            "must give back exactly one permit and wake a waiter");
    static SEM_T sems[2];
    static semc_worker workers[2][SEMC_THREADS];
    static contract_thread threads[2][SEMC_THREADS];
    static atomic_int inside[2], max_inside[2];
    SEM_T *s = &sems[bounded];
    semc_worker *w = workers[bounded];
    contract_thread *t = threads[bounded];
    const int permits = SEMC_PERMITS, n = SEMC_THREADS;

    SEM_INIT(s, (unsigned)permits, bounded);
    atomic_init(&inside[bounded], 0);
    atomic_init(&max_inside[bounded], 0);
    for (int i = 0; i < n; i++) {
        w[i] = (semc_worker){.sem = s, .method = i % 3};
        w[i].inside = &inside[bounded];
        w[i].max_inside = &max_inside[bounded];
        contract_start(&t[i], semc_worker_body, &w[i]);
    }
    /* A correct semaphore needs well under a second; this bound ends before the harness's. */
    int finished = contract_finish(t, n, SEMC_STRESS_FINISH_MS);
    long acquired = 0, gave_up = 0, refused = 0;
    for (int i = 0; i < n; i++) {
        if (!atomic_load(&t[i].finished))
            continue;
        acquired += w[i].acquired;
        gave_up += w[i].gave_up;
        refused += w[i].refused;
    }
    int max = atomic_load(&max_inside[bounded]);
    TL_ASSERT(max <= permits, "%d threads x %d rounds on init(%d): expected at most %d threads "
                              "inside at once, measured %d",
              n, SEMC_ROUNDS, permits, permits, max);
    TL_ASSERT(finished == n, "%d threads x %d rounds: %d threads still blocked after %ld ms (a "
                             "lost wake-up: a permit was released but nobody woke to take it)",
              n, SEMC_ROUNDS, n - finished, contract_scaled_ms(SEMC_STRESS_FINISH_MS));
    TL_ASSERT(gave_up == 0, "%d threads x %d rounds: an acquire_ms(%ld) or try_acquire() retry "
                            "loop gave up %ld time(s) although permits were given back every few "
                            "microseconds",
              n, SEMC_ROUNDS, contract_scaled_ms(SEMC_LONG_WAIT_MS), gave_up);
    TL_ASSERT(refused == 0, "release() after a matching acquire was refused %ld time(s); expected "
                            "0 refusals, since every release gave back a permit taken",
              refused);
    if (finished != n)
        return;
    TL_ASSERT_EQ_LONG(acquired, (long)n * SEMC_ROUNDS, "permits taken over all rounds");
    int free_after = semc_take_all(s, permits);
    TL_ASSERT(free_after == permits, "after every worker gave its permit back: expected %d permits "
                                     "free, got %d",
              permits, free_after);
    SEM_DESTROY(s);
}

/* ---- bounded only ---- */

static CONTRACT_UNUSED void semc_bounded_refuses_over_release(void)
{
    tl_hint("a bounded semaphore must refuse a release() that would raise the count above its "
            "initial value: return the error and leave the count as it was, never ignore it "
            "silently (Python's BoundedSemaphore raises ValueError)");
    SEM_T s;
    SEM_INIT(&s, 2, true);
    semc_expect_refused(SEM_RELEASE(&s), "on a new bounded init(2)");
    int taken = semc_take_all(&s, 2);
    TL_ASSERT(taken == 2, "after a refused release() on init(2): expected the count unchanged at 2 "
                          "free permits, got %d",
              taken);
    semc_give_back(&s, taken > 2 ? 2 : taken, "after taking the permits");
    semc_expect_refused(SEM_RELEASE(&s), "after every permit was given back (2 of 2 free)");
    taken = semc_take_all(&s, 2);
    TL_ASSERT(taken == 2, "after a refused release() at 2 of 2 free: expected 2 free permits, got "
                          "%d",
              taken);
    SEM_DESTROY(&s);

    SEM_T empty;
    SEM_INIT(&empty, 0, true);
    semc_expect_refused(SEM_RELEASE(&empty), "on a bounded init(0)");
    TL_ASSERT(!SEM_TRY_ACQUIRE(&empty), "after a refused release() on init(0): expected no permit "
                                        "free, but try_acquire() got one");
    SEM_DESTROY(&empty);
}

/* ---- counting (unbounded) only ---- */

static CONTRACT_UNUSED void semc_counting_allows_extra_releases(void)
{
    tl_hint("a plain (unbounded) semaphore has no upper limit: each release() beyond the initial "
            "value just adds a permit and returns 0");
    SEM_T s;
    SEM_INIT(&s, 1, false);
    for (int i = 0; i < 3; i++) {
        int rc = SEM_RELEASE(&s);
        TL_ASSERT(rc == 0, "release() %d of 3 on an unbounded init(1): expected 0, got %d", i + 1,
                  rc);
    }
    int taken = semc_take_all(&s, 4);
    TL_ASSERT(taken == 4, "unbounded init(1) plus 3 release(): expected 4 free permits, got %d",
              taken);
    SEM_DESTROY(&s);

    SEM_T empty;
    SEM_INIT(&empty, 0, false);
    int rc = SEM_RELEASE(&empty);
    TL_ASSERT(rc == 0, "release() on an unbounded init(0): expected 0, got %d", rc);
    taken = semc_take_all(&empty, 1);
    TL_ASSERT(taken == 1, "unbounded init(0) plus 1 release(): expected 1 free permit, got %d",
              taken);
    SEM_DESTROY(&empty);
}

/* ---- registration ---- */

#define SEMC_VARIANTS(test)                                                                        \
    static CONTRACT_UNUSED void test##_bounded(void) { test(true); }                               \
    static CONTRACT_UNUSED void test##_counting(void) { test(false); }
SEMC_VARIANTS(semc_counts_permits)
SEMC_VARIANTS(semc_try_acquire_at_zero)
SEMC_VARIANTS(semc_acquire_ms_times_out)
SEMC_VARIANTS(semc_release_wakes_blocked)
SEMC_VARIANTS(semc_at_most_n_inside)
#undef SEMC_VARIANTS

#define SEMC_REGISTER_SHARED(suite, variant)                                                       \
    do {                                                                                           \
        tl_test(suite, "permits are counted", semc_counts_permits_##variant);                     \
        tl_test(suite, "try_acquire() returns false at zero", semc_try_acquire_at_zero_##variant); \
        tl_test(suite, "acquire_ms() times out with false at zero, not early",                    \
                semc_acquire_ms_times_out_##variant);                                              \
        tl_test(suite, "release() wakes a blocked acquire", semc_release_wakes_blocked_##variant); \
        tl_test(suite, "never more than N threads inside at once",                                 \
                semc_at_most_n_inside_##variant);                                                  \
    } while (0)

static CONTRACT_UNUSED void sem_contract_register_bounded(CU_pSuite suite)
{
    SEMC_REGISTER_SHARED(suite, bounded);
    tl_test(suite, "release() past the initial value is refused, count unchanged",
            semc_bounded_refuses_over_release);
}

static CONTRACT_UNUSED void sem_contract_register_counting(CU_pSuite suite)
{
    SEMC_REGISTER_SHARED(suite, counting);
    tl_test(suite, "release() past the initial value adds a permit",
            semc_counting_allows_extra_releases);
}

#endif
