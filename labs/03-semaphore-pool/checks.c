/* checks.c — lab03's checks (checks.h) of exercise.c's bounded semaphore, promise by promise:
 * one thread, then wake-ups the spy forces, the timed contract, and the stress last. */
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
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"
/* ThreadSanitizer reads this; by default it sleeps 1 s as each check's process ends. */
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }

/* Static, as all the check's threads touch: one stuck in the semaphore outlives the check. */
static bounded_sem sem;
static contract_thread threads[2];
static long taker_ms[2];         /* < 0: acquire(), else acquire_ms(ms) */
static atomic_bool got[2];       /* what it returned */
static bool run_last;            /* at SCHED_IDLE: on one CPU, runs only when all else waits */
static _Thread_local bool steals; /* at its second lock in one call, the hook takes the permit */
static atomic_int stolen;        /* 1: the hook took the permit the taker had seen free */
#define CALL(ms) ((ms) < 0 ? "acquire()" : "acquire_ms(3000)")

static void taker_body(void *arg)
{
    long *ms = arg;
    tl_spy_name_thread(CALL(*ms));
    if (run_last)
        (void)tl_check_run_last();
    steals = atomic_load(&stolen) == -1;
    atomic_store(&got[ms - taker_ms], *ms < 0 ? (bounded_sem_acquire(&sem), true)
                                              : bounded_sem_acquire_ms(&sem, *ms));
}

static void start_taker(int i, long ms)
{
    taker_ms[i] = ms;
    contract_start(&threads[i], taker_body, &taker_ms[i]);
}

static void every_call_unlocks(void)
{
    static const char *const calls[] = {"try_acquire() taking the permit",
        "try_acquire() with none free", "acquire_ms(20) timing out", "release()", "acquire()",
        "release()", "a refused release()"};
    bounded_sem_init(&sem, 1);
    for (int i = 0; i < 7; i++) {
        (void)(i < 2 ? bounded_sem_try_acquire(&sem) : i == 2 ? bounded_sem_acquire_ms(&sem, 20)
               : i == 4 ? (bounded_sem_acquire(&sem), 0) : bounded_sem_release(&sem));
        TL_ASSERT_FATAL(!tl_spy_holds(&sem.lock), "%s returned with the semaphore's mutex still "
                        "locked (expected every path out to unlock it)", calls[i]);
    }
    bounded_sem_destroy(&sem);
}

static void destroy_releases_what_init_made(void)
{
    tl_spy_reset();
    for (unsigned n = 1; n <= 3; n++) {
        bounded_sem_init(&sem, n);
        bounded_sem_acquire(&sem);
        (void)bounded_sem_release(&sem);
        bounded_sem_destroy(&sem);
    }
    long made = tl_spy_count(TL_SPY_MUTEX_INIT), mutexes = tl_spy_count(TL_SPY_MUTEX_DESTROY);
    TL_ASSERT(mutexes == 3 && made <= 3 && tl_spy_count(TL_SPY_COND_DESTROY) == 3 &&
              tl_spy_live_allocations() == 0, "3 init() made %ld mutex(es); 3 destroy() destroyed "
              "%ld mutex(es), %ld condvar(s), left %ld allocation(s) (expected 3, 3, 0)", made,
              mutexes, tl_spy_count(TL_SPY_COND_DESTROY), tl_spy_live_allocations());
}

static void steal_at_second_lock(const tl_spy_event *e)
{
    if (steals && e->object == &sem.lock && tl_spy_count_mine(TL_SPY_LOCK) == 2) {
        steals = false; /* its own try_acquire below locks too */
        atomic_store(&stolen, bounded_sem_try_acquire(&sem));
    }
}

/* Waits until the taker returned (true) or waits, in a wait after its first `waits`. */
static bool settled(long waits)
{
    struct timespec until = tl_deadline_monotonic(tl_check_ms(2000));
    while (!atomic_load(&threads[0].finished) && tl_ms_until(until) > 0 &&
           !(tl_spy_count(TL_SPY_WAIT) > waits && tl_spy_waiting(&sem.permit_free) > 0))
        tl_sleep_ms(1);
    return atomic_load(&threads[0].finished);
}

/* On init(1), each acquire must return only with a permit really there: woken by the spy with
 * none free, or finding the permit it saw free taken by the hook (in its own thread, just before
 * its second lock of the call), it waits again, then takes the one a release gives. */
static void takes_only_a_real_permit(void)
{
    for (int k = 0; k < 4; k++) {
        bool steal = k >= 2;
        long ms = k % 2 ? 3000 : -1;
        bounded_sem_init(&sem, 1);
        TL_ASSERT_FATAL(steal || bounded_sem_try_acquire(&sem), "try_acquire() on init(1) failed");
        tl_spy_reset();
        atomic_store(&stolen, steal ? -1 : 0);
        tl_spy_on(TL_SPY_LOCK, steal ? steal_at_second_lock : NULL);
        start_taker(0, ms);
        bool back = settled(0), took = atomic_load(&stolen) == 1;
        tl_spy_on(TL_SPY_LOCK, NULL);
        TL_ASSERT_FATAL(!(back && took), "%s on init(1) looked at the count, unlocked, and took "
                        "the permit in a second critical section: the check took it in between, "
                        "and %s still returned (2 permits out of 1)", CALL(ms), CALL(ms));
        if (!steal) {
            TL_ASSERT_FATAL(!back && tl_spy_waiting(&sem.permit_free), "%s with no permit free %s"
                            " (expected it to wait)", CALL(ms), back ? "returned" : "never waited");
            long waits = tl_spy_count(TL_SPY_WAIT);
            (void)tl_spy_wake_spuriously(&sem.permit_free);
            back = settled(waits); /* before the message's arguments, evaluated in any order */
            TL_ASSERT(!back, "%s woken with no permit free (a spurious wake-up: "
                      "nothing released) returned %s (expected it to wait again)", CALL(ms),
                      atomic_load(&got[0]) ? "true, with a permit not there" : "false, too early");
        }
        TL_ASSERT(!(steal ? took : !back) || bounded_sem_release(&sem) == 0, "release() refused");
        TL_ASSERT_FATAL(contract_finish(threads, 1, 2000) == 1, "%s, waiting, did not take the "
                        "permit a release() gave within 2 s", CALL(ms));
        TL_ASSERT(atomic_load(&got[0]), "%s returned false after a release()", CALL(ms));
        bounded_sem_destroy(&sem);
    }
}

/* Two takers really waiting, then two releases back to back: with the takers at SCHED_IDLE on
 * one CPU, neither runs in between, so a release that signals only on 0 -> 1 strands one. */
static void two_releases_wake_two(void)
{
    run_last = tl_check_one_cpu();
    bounded_sem_init(&sem, 2);
    TL_ASSERT_FATAL(semc_take_all(&sem, 2) == 2, "try_acquire() on init(2): expected 2 to succeed");
    start_taker(0, -1);
    start_taker(1, tl_check_ms(3000));
    TL_ASSERT_FATAL(tl_spy_await_waiting(&sem.permit_free, 2, 2000), "with no permit free, %d of "
                    "acquire() and acquire_ms() waited (expected both)", tl_spy_waiting(NULL));
    (void)bounded_sem_release(&sem);
    (void)bounded_sem_release(&sem);
    int done = contract_finish(threads, 2, 1000);
    TL_ASSERT_FATAL(done == 2, "acquire() and acquire_ms() waiting, then two release() back to "
                    "back: %d of the 2 still waiting after %ld ms (a lost wake-up)", 2 - done,
                    tl_check_ms(1000));
    TL_ASSERT(atomic_load(&got[1]), "acquire_ms() returned false although a permit came");
    bounded_sem_destroy(&sem);
}

static void timeouts(void) { tw_999ms_carries_nanoseconds(); tw_long_timeout_is_not_overflowed(); }

TL_CHECK_TABLE("lab03",
    {.name = "every call returns with the semaphore's mutex unlocked", .promises = "sem.unlocks",
     .run = every_call_unlocks, .hints = {"a call that returns holding the mutex makes the next "
     "call wait forever", "every early return", "one unlock for each lock on every path out"}},
    {.name = "init(n) gives n permits, and each release() after an acquire gives one back",
     .promises = "init.permits release.gives_back", .run = semc_counts_permits_bounded, .hints =
     {"count is the number of free permits", "init, acquire, release", "init sets count and max; "
     "one decrement per permit taken, one increment per permit given back"}},
    {.name = "try_acquire() with no permit free returns false at once and changes nothing",
     .promises = "try_acquire.never_blocks", .run = semc_try_acquire_at_zero_bounded, .hints =
     {"try_acquire never waits", "bounded_sem_try_acquire", "take only if the count is above 0"}},
    {.name = "release() with every permit free is refused with EOVERFLOW, count unchanged",
     .promises = "release.refuses", .points = 2, .run = semc_bounded_refuses_over_release,
     .hints = {"a bounded semaphore never holds more permits than it started with", "the start "
     "of bounded_sem_release", "compare count with max before changing anything; at the bound "
     "return EOVERFLOW, no other code, and leave the count as it was"}},
    {.name = "destroy() destroys the mutex and condition variable that init() made",
     .promises = "destroy.releases", .run = destroy_releases_what_init_made, .hints = {"what "
     "init creates, destroy gives back", "bounded_sem_destroy", "one destroy per object made"}},
    {.name = "acquire() and acquire_ms() return only with a permit really there, or wait again",
     .promises = "acquire.waits acquire.rechecks acquire_ms.rechecks acquire.atomic", .points = 3,
     .flags = TL_CHECK_RACES, .run = takes_only_a_real_permit, .hints = {"a permit seen is not a "
     "permit taken: a wake-up may be spurious, and the count can change once the mutex is let go",
     "the waits and the decrements of both acquires", "test the count in a loop after every "
     "wake-up, and take the permit in the same critical section as that last test"}},
    {.name = "two release() back to back wake two waiting threads", .promises = "release.wakes",
     .points = 3, .flags = TL_CHECK_RACES, .run = two_releases_wake_two, .hints = {"a lost "
     "wake-up: a release that wakes nobody while threads wait strands one", "the signal in "
     "bounded_sem_release and the test guarding it", "every release that adds a permit wakes a "
     "waiter, whatever the count was before"}},
    {.name = "acquire_ms() with timeout 0 or negative never blocks, and takes a free permit",
     .promises = "acquire_ms.zero", .flags = TL_CHECK_RACES, .run =
     tw_zero_and_negative_do_not_block, .hints = {"timeout <= 0 is try_acquire", "the start of "
     "bounded_sem_acquire_ms", "look at the count even with no time to wait; wait only if > 0"}},
    {.name = "acquire_ms() of 999 ms, 3.6 s and an hour computes a valid deadline and waits",
     .promises = "acquire_ms.any_timeout", .points = 2, .flags = TL_CHECK_RACES, .run =
     timeouts, .hints = {"tv_nsec stays below 1e9; 3600 ms is 3.6e9 ns, past an int", "the "
     "deadline's arithmetic", "carry whole seconds out of tv_nsec, in 64 bits (or use "
     "tl_deadline_monotonic)"}},
    {.name = "acquire_ms() with no permit free gives up at its timeout, not before, not long after",
     .promises = "acquire_ms.times_out", .points = 2, .flags = TL_CHECK_RACES, .run =
     tw_times_out_not_early, .hints = {"pthread_cond_timedwait takes an absolute time on the "
     "condvar's clock (CLOCK_MONOTONIC here)", "the deadline in bounded_sem_acquire_ms", "one "
     "tl_deadline_monotonic; stop waiting on ETIMEDOUT"}},
    {.name = "acquire_ms() woken again and again still gives up at its first deadline",
     .promises = "acquire_ms.deadline", .points = 2, .flags = TL_CHECK_RACES, .run =
     tw_wakeups_do_not_restart_the_timeout, .hints = {"the timeout counts from the call, not "
     "from the last wake-up", "where the deadline is computed", "once, before the wait loop"}},
    {.name = "12 threads x 200 rounds through 3 permits: never more than 3 inside, none stranded",
     .promises = "sem.at_most_max sem.locked", .points = 3, .bound_s = 9, .flags =
     TL_CHECK_RACES, .run = semc_at_most_n_inside_bounded, .hints = {"a data race or a lost "
     "wake-up shows under load", "every access to count and max, reads too", "read and change "
     "them only with the mutex held: an unlocked read is a data race, even in a bound test"}});
