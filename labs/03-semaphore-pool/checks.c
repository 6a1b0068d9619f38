/* checks.c — lab03's checks (checks.h) of the bounded semaphore in exercise.c, promise by promise
 * (exercise.h): single-threaded ones first, then the wake-ups the spy forces, the timed acquire
 * (tests/contract/timed_wait_contract.h), and the stress of tests/contract/sem_contract.h last. */
#include <errno.h>
#include <stdatomic.h>

#include "checks.h"
#include "exercise.h"

#define SEM_T bounded_sem
#define SEM_INIT(s, value, bounded) ((void)(bounded), bounded_sem_init(s, value))
#define SEM_DESTROY(s) bounded_sem_destroy(s)
#define SEM_ACQUIRE(s) bounded_sem_acquire(s)
#define SEM_TRY_ACQUIRE(s) bounded_sem_try_acquire(s)
#define SEM_ACQUIRE_MS(s, ms) bounded_sem_acquire_ms(s, ms)
#define SEM_RELEASE(s) bounded_sem_release(s)
#define SEM_OVER_RELEASE_ERROR EOVERFLOW
#include "../contract/sem_contract.h"

#define TW_T bounded_sem
#define TW_INIT(o) (bounded_sem_init(o, 1), (void)bounded_sem_try_acquire(o))
#define TW_DESTROY(o) bounded_sem_destroy(o)
#define TW_TIMED(o, ms) bounded_sem_acquire_ms(o, ms)
#define TW_GRANT(o) ((void)bounded_sem_release(o))
#define TW_WAKE(o) tl_spy_wake_spuriously(&(o)->permit_free)
#define TW_AWAIT_WAITING(o) tl_spy_await_waiting(&(o)->permit_free, 1, 2000)
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
/* ThreadSanitizer sleeps 1 s (atexit_sleep_ms) as each check's process ends: 10 s a table. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }
#endif

/* Static, like everything the check's threads touch: one stuck in the semaphore outlives the
 * check (contract_threads.h), and the semaphore is destroyed only when none is. */
static bounded_sem sem;
typedef struct {
    long ms;    /* < 0: acquire(), else acquire_ms(ms) */
    bool last;  /* run at SCHED_IDLE: on the check's one CPU, only when the check is blocked */
    bool steal; /* its second lock of one call lets the check take the permit first (hook) */
    atomic_bool got;
    atomic_long took_ms;
} taker;
static taker takers[2];
static contract_thread threads[2];
static _Thread_local bool steals;
static atomic_int stolen; /* 1: the hook took the permit the taker had seen free */

static void taker_body(void *arg)
{
    taker *t = arg;
    tl_spy_name_thread(t->ms < 0 ? "the check's acquire()" : "the check's acquire_ms()");
    if (t->last)
        (void)tl_check_run_last();
    steals = t->steal;
    int64_t start = tl_now_ns();
    bool got = t->ms < 0 ? (bounded_sem_acquire(&sem), true) : bounded_sem_acquire_ms(&sem, t->ms);
    atomic_store(&t->took_ms, (long)contract_ms_since(start));
    atomic_store(&t->got, got);
}

static void start_taker(int i, long ms, bool last, bool steal)
{
    takers[i] = (taker){.ms = ms, .last = last, .steal = steal};
    contract_start(&threads[i], taker_body, &takers[i]);
}

static const char *call_name(long ms) { return ms < 0 ? "acquire()" : "acquire_ms(3000)"; }

/* Every path of every call returns with the mutex unlocked (each assert is fatal: the next call
 * would deadlock on a mutex this thread still holds). */
#define UNLOCKED(call, what)                                                                       \
    TL_ASSERT_FATAL(((void)(call), !tl_spy_holds(&sem.lock)), "%s returned with the semaphore's "  \
                    "mutex still locked (expected every return path to unlock it)", what)
static void every_call_unlocks(void)
{
    bounded_sem_init(&sem, 1);
    UNLOCKED(bounded_sem_try_acquire(&sem), "try_acquire() with a permit free");
    UNLOCKED(bounded_sem_try_acquire(&sem), "try_acquire() with no permit free");
    UNLOCKED(bounded_sem_acquire_ms(&sem, 0), "acquire_ms(0) with no permit free");
    UNLOCKED(bounded_sem_acquire_ms(&sem, 20), "acquire_ms(20) timing out");
    UNLOCKED(bounded_sem_release(&sem), "release() after an acquire");
    UNLOCKED(bounded_sem_acquire_ms(&sem, 20), "acquire_ms(20) with a permit free");
    UNLOCKED(bounded_sem_release(&sem), "release() after acquire_ms()");
    UNLOCKED(bounded_sem_acquire(&sem), "acquire() with a permit free");
    UNLOCKED(bounded_sem_release(&sem), "release() after acquire()");
    UNLOCKED(bounded_sem_release(&sem), "release() refused (every permit free)");
    bounded_sem_destroy(&sem);
}

static void over_release_refused(void) { semc_bounded_refuses_over_release(); }

/* Three semaphores made and destroyed: three mutexes and condvars destroyed, nothing left. */
static void destroy_releases_what_init_made(void)
{
    static bounded_sem three[3];
    tl_spy_reset();
    for (unsigned i = 0; i < 3; i++)
        bounded_sem_init(&three[i], i + 1);
    bounded_sem_acquire(&three[2]);
    (void)bounded_sem_release(&three[2]);
    long inits = tl_spy_count(TL_SPY_MUTEX_INIT), conds = tl_spy_count(TL_SPY_COND_INIT);
    for (int i = 0; i < 3; i++)
        bounded_sem_destroy(&three[i]);
    long mutexes = tl_spy_count(TL_SPY_MUTEX_DESTROY), conds_gone = tl_spy_count(TL_SPY_COND_DESTROY);
    TL_ASSERT(mutexes == 3 && mutexes >= inits, "3 init() made %ld mutex(es), 3 destroy() destroyed "
              "%ld (expected each destroy() to destroy its mutex: 3)", inits, mutexes);
    TL_ASSERT(conds_gone == 3 && conds_gone >= conds, "3 destroy() destroyed %ld condition "
              "variable(s) (expected each to destroy the one its init() made: 3)", conds_gone);
    TL_ASSERT(tl_spy_live_allocations() == 0, "after 3 init() and 3 destroy(), %ld allocation(s) "
              "were never freed (expected 0)", tl_spy_live_allocations());
}

/* A taker at 0 permits is woken (the spy's broadcast) with nothing released: it must wait again
 * — seen as a second pthread_cond_wait — and take the permit one release later. */
static void woken_without_permit(long ms)
{
    bounded_sem_init(&sem, 1);
    TL_ASSERT_FATAL(bounded_sem_try_acquire(&sem), "try_acquire() on init(1) returned false");
    tl_spy_reset();
    start_taker(0, ms, false, false);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&sem.permit_free, 1, 2000), "%s with no permit free %s "
                    "(expected it to wait on permit_free)", call_name(ms),
                    atomic_load(&threads[0].finished) ? "returned at once" : "never waited in 2 s");
    long waits = tl_spy_count(TL_SPY_WAIT);
    (void)tl_spy_wake_spuriously(&sem.permit_free);
    struct timespec until = tl_deadline_monotonic(tl_check_ms(2000));
    while (!atomic_load(&threads[0].finished) && tl_ms_until(until) > 0 &&
           !(tl_spy_count(TL_SPY_WAIT) > waits && tl_spy_waiting(&sem.permit_free) > 0))
        tl_sleep_ms(1);
    bool back = atomic_load(&threads[0].finished);
    TL_ASSERT(!back, "%s woken with no permit free (a spurious wake-up: nothing was released) "
              "returned %s after %ld ms (expected it to wait again)", call_name(ms),
              atomic_load(&takers[0].got) ? "true, with a permit that is not there" : "false",
              atomic_load(&takers[0].took_ms));
    if (!back)
        TL_ASSERT(bounded_sem_release(&sem) == 0, "release() after an acquire was refused");
    if (contract_finish(threads, 1, 2000) != 1) {
        TL_ASSERT(false, "%s, waiting again, did not take the permit a release() gave within 2 s",
                  call_name(ms));
        return;
    }
    TL_ASSERT(atomic_load(&takers[0].got), "%s returned false after a release()", call_name(ms));
    TL_ASSERT(!bounded_sem_try_acquire(&sem), "after that, try_acquire() found a permit free "
              "(expected none: 1 permit, held by the taker)");
    bounded_sem_destroy(&sem);
}
static void acquire_rechecks(void) { woken_without_permit(-1); }
static void acquire_ms_rechecks(void) { woken_without_permit(3000); }

/* Hook: at the taker's second lock within one call, the check takes the permit first. */
static void steal_at_second_lock(const tl_spy_event *e)
{
    if (steals && e->object == &sem.lock && tl_spy_count_mine(TL_SPY_LOCK) == 2) {
        steals = false;
        atomic_store(&stolen, bounded_sem_try_acquire(&sem));
    }
}

/* init(1): if a taker looks at the count in one critical section and takes in another, the hook
 * takes the permit in between; the taker must then wait, not take it too. */
static void take_is_atomic(void)
{
    static const long calls[] = {-1, 3000};
    for (int c = 0; c < 2; c++) {
        long ms = calls[c];
        bounded_sem_init(&sem, 1);
        tl_spy_reset();
        atomic_store(&stolen, 0);
        tl_spy_on(TL_SPY_LOCK, steal_at_second_lock);
        start_taker(0, ms, false, true);
        struct timespec until = tl_deadline_monotonic(tl_check_ms(2000));
        while (!atomic_load(&threads[0].finished) && tl_spy_waiting(&sem.permit_free) == 0 &&
               tl_ms_until(until) > 0)
            tl_sleep_ms(1);
        tl_spy_on(TL_SPY_LOCK, NULL);
        bool back = atomic_load(&threads[0].finished), took = atomic_load(&stolen) == 1;
        TL_ASSERT(!(back && took), "%s on init(1) looked at the count, let go of the mutex, and "
                  "took the permit in a second critical section: the check took it in between, "
                  "and %s still returned %s (2 permits out of 1)", call_name(ms), call_name(ms),
                  atomic_load(&takers[0].got) ? "true" : "false");
        if (!back && took)
            (void)bounded_sem_release(&sem);
        if (contract_finish(threads, 1, 2000) != 1) {
            TL_ASSERT(false, "%s did not take the permit given back within 2 s", call_name(ms));
            return;
        }
        bounded_sem_destroy(&sem);
    }
}

/* Two takers really waiting (acquire() and acquire_ms()), then two releases back to back. On
 * one CPU with the takers at SCHED_IDLE, neither runs before the second release: a release that
 * signals only when the count leaves 0 then wakes one of them, never the other. */
static void two_releases_wake_two(void)
{
    bool forced = tl_check_one_cpu();
    bounded_sem_init(&sem, 2);
    TL_ASSERT_FATAL(semc_take_all(&sem, 2) == 2, "try_acquire() on init(2): expected 2 to succeed");
    start_taker(0, -1, forced, false);
    start_taker(1, tl_check_ms(3000), forced, false);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&sem.permit_free, 2, 2000), "with no permit free, %d of "
                    "acquire() and acquire_ms() waited within 2 s (expected both)",
                    tl_spy_waiting(&sem.permit_free));
    int rc1 = bounded_sem_release(&sem), rc2 = bounded_sem_release(&sem);
    TL_ASSERT(rc1 == 0 && rc2 == 0, "two release() after two acquires returned %d and %d "
              "(expected 0 and 0)", rc1, rc2);
    int finished = contract_finish(threads, 2, 1000);
    TL_ASSERT(finished == 2, "acquire() and acquire_ms() waiting, then two release() back to back: "
              "%d of the 2 still waiting after %ld ms (a lost wake-up: the second release woke "
              "nobody)", 2 - finished, tl_check_ms(1000));
    if (finished != 2)
        return;
    TL_ASSERT(atomic_load(&takers[1].got), "acquire_ms() returned false although a permit came");
    TL_ASSERT(!bounded_sem_try_acquire(&sem), "both permits went to the waiters, yet try_acquire()"
              " found one free");
    bounded_sem_destroy(&sem);
}

TL_CHECK_TABLE("lab03",
    {.name = "every call returns with the semaphore's mutex unlocked", .promises = "sem.unlocks",
     .points = 1, .run = every_call_unlocks, .hints = {"a function that returns while holding the "
     "mutex makes the next call on it wait forever", "look at every early `return` in exercise.c",
     "each lock has exactly one unlock on every path out, the refusal paths included"}},
    {.name = "init(n) gives n permits, and each release() after an acquire gives one back",
     .promises = "init.permits release.gives_back", .points = 1, .run = semc_counts_permits_bounded,
     .hints = {"the count is the number of free permits", "init sets count and max; acquire "
     "takes one; release adds one", "one decrement per permit taken, one increment per permit "
     "given back"}},
    {.name = "try_acquire() with no permit free returns false at once and changes nothing",
     .promises = "try_acquire.never_blocks", .points = 1, .run = semc_try_acquire_at_zero_bounded,
     .hints = {"try_acquire never waits", "bounded_sem_try_acquire", "look and take under the "
     "lock only when the count is above 0"}},
    {.name = "release() with every permit free is refused with EOVERFLOW, count unchanged",
     .promises = "release.refuses", .points = 2, .run = over_release_refused,
     .hints = {"a bounded semaphore never holds more permits than it started with",
     "bounded_sem_release: decide before you change anything", "compare the count with max "
     "first; at the bound return EOVERFLOW (not another code) and leave the count as it was"}},
    {.name = "destroy() destroys the mutex and condition variable that init() made",
     .promises = "destroy.releases", .points = 1, .run = destroy_releases_what_init_made,
     .hints = {"what init creates, destroy must give back", "bounded_sem_destroy",
     "one destroy call for each object init made"}},
    {.name = "acquire() woken with no permit free waits again, then takes the next one",
     .promises = "acquire.waits acquire.rechecks", .points = 2, .flags = TL_CHECK_RACES,
     .run = acquire_rechecks, .hints = {"a wake-up only means: look again (it may be spurious, or "
     "another thread took the permit)", "the wait in bounded_sem_acquire", "re-test the count "
     "after every wake-up: a loop, not a single test"}},
    {.name = "acquire_ms() woken with no permit free waits again until its deadline",
     .promises = "acquire_ms.rechecks", .points = 2, .flags = TL_CHECK_RACES,
     .run = acquire_ms_rechecks, .hints = {"a timed wait can wake early too, with nothing to take",
     "the wait in bounded_sem_acquire_ms", "loop while the count is 0 and the wait has not timed "
     "out"}},
    {.name = "the permit acquire() sees free is the one it takes: nobody takes it in between",
     .promises = "acquire.atomic", .points = 2, .flags = TL_CHECK_RACES, .run = take_is_atomic,
     .hints = {"check-then-act: what you saw can change as soon as the mutex is let go",
     "bounded_sem_acquire and bounded_sem_acquire_ms: between the test and the decrement",
     "test and take inside one critical section, with no unlock in between"}},
    {.name = "two release() back to back wake two waiting threads", .promises = "release.wakes",
     .points = 3, .flags = TL_CHECK_RACES, .run = two_releases_wake_two,
     .hints = {"a lost wake-up: a release that wakes nobody while threads wait strands one",
     "the signal in bounded_sem_release and the condition guarding it", "every release that adds "
     "a permit wakes a waiter, whatever the count was before"}},
    {.name = "acquire_ms() with timeout 0 or negative never blocks, and takes a free permit",
     .promises = "acquire_ms.zero", .points = 1, .flags = TL_CHECK_RACES,
     .run = tw_zero_and_negative_do_not_block, .hints = {"timeout <= 0 is try_acquire",
     "the start of bounded_sem_acquire_ms", "look at the count even when there is no time to "
     "wait; wait only when the timeout is positive"}},
    {.name = "acquire_ms(999) computes a valid deadline (nanoseconds carried into seconds)",
     .promises = "acquire_ms.any_timeout", .points = 1, .flags = TL_CHECK_RACES,
     .run = tw_999ms_carries_nanoseconds, .hints = {"tv_nsec must stay below 1000000000",
     "where the deadline is computed", "use tl_deadline_monotonic, or carry whole seconds out of "
     "tv_nsec"}},
    {.name = "acquire_ms() of 3.6 s and of an hour waits, without overflow",
     .promises = "acquire_ms.any_timeout", .points = 1, .flags = TL_CHECK_RACES,
     .run = tw_long_timeout_is_not_overflowed, .hints = {"3600 ms is 3.6e9 ns: more than an int "
     "holds", "the milliseconds-to-nanoseconds arithmetic of the deadline", "do it in a 64-bit "
     "type, or with tl_deadline_monotonic"}},
    {.name = "acquire_ms() with no permit free gives up at its timeout, not before, not long after",
     .promises = "acquire_ms.times_out", .points = 2, .flags = TL_CHECK_RACES,
     .run = tw_times_out_not_early, .hints = {"pthread_cond_timedwait takes an absolute time on "
     "the condition variable's clock (CLOCK_MONOTONIC here)", "the deadline of "
     "bounded_sem_acquire_ms", "tl_deadline_monotonic once; stop waiting on ETIMEDOUT"}},
    {.name = "acquire_ms() woken again and again still gives up at its first deadline",
     .promises = "acquire_ms.deadline", .points = 2, .flags = TL_CHECK_RACES,
     .run = tw_wakeups_do_not_restart_the_timeout, .hints = {"the timeout counts from the call, "
     "not from the last wake-up", "where the deadline is computed in bounded_sem_acquire_ms",
     "compute it once, before the wait loop"}},
    {.name = "12 threads x 200 rounds through 3 permits: never more than 3 inside, none stranded",
     .promises = "sem.at_most_max sem.locked", .points = 3, .bound_s = 9, .flags = TL_CHECK_RACES,
     .run = semc_at_most_n_inside_bounded, .hints = {"a data race or a lost wake-up shows under "
     "load", "every access to count and max, reads too, in every function", "count and max are read and changed only with the mutex held (a read "
     "outside it is a data race, even in try_acquire or the bound test of release)"}});
