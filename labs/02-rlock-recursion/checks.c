/* checks.c — lab02's checks (checks.h) of the rlock in exercise.c. What a helper thread touches
 * is static (one stuck in the exercise outlives its check). Helpers report through relaxed
 * atomics, which order nothing: ThreadSanitizer still sees what the guard does not order. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "exercise.h"

#define TW_T rlock
#define TW_INIT(o) rlock_init(o)
#define TW_DESTROY(o) rlock_destroy(o)
#define TW_BLOCK(o) rlock_acquire(o)
#define TW_TIMED(o, ms) (rlock_acquire_timed(o, ms) == 0)
#define TW_GRANT(o) ((void)rlock_release(o))
#define TW_UNDO(o) ((void)rlock_release(o))
#define TW_WAKE(o) tl_spy_wake_spuriously(&(o)->released)
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"

/* ThreadSanitizer sleeps 1 s in each check's _exit while its watchdog thread runs. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }

#define RELAXED memory_order_relaxed
#define SIGNALS() (tl_spy_count(TL_SPY_SIGNAL) + tl_spy_count(TL_SPY_BROADCAST))
static rlock lk, fresh;
static contract_thread helper, workers[4];
static atomic_int rc_there, deep, got, let_go, inside, failures;
static long rounds; /* plain on purpose: only the lock keeps it exact */
enum { TRY, TRY_AND_UNDO, RELEASE };
static struct { int op; long ms; } call;

static __attribute__((format(printf, 3, 4))) void expect_rc(int rc, int want, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    TL_ASSERT_FATAL(rc == want, "%s returned %s (expected %s)", what, tl_errno_name(rc),
                    tl_errno_name(want));
}

static void call_body(void *arg)
{
    int rc = call.op == RELEASE ? rlock_release(arg) : rlock_acquire_timed(arg, call.ms);
    if (call.op == TRY_AND_UNDO && rc == 0)
        rlock_release(arg); /* ending while holding it would leave its thread ID as the owner */
    atomic_store_explicit(&rc_there, rc, RELAXED);
}

/* What one call returns on another thread. */
static int there(int op, long ms)
{
    call.op = op, call.ms = ms;
    contract_start(&helper, call_body, &lk);
    TL_ASSERT_FATAL(contract_finish(&helper, 1, ms + 1000) == 1, "another thread's %s(%ld ms) has "
                    "not returned after %ld ms", op == RELEASE ? "release" : "acquire_timed", ms,
                    tl_check_ms(ms + 1000));
    return atomic_load_explicit(&rc_there, RELAXED);
}

/* A fresh lock this thread holds `times` deep, re-entered with the timed acquire (no hang). */
static void take(int times)
{
    rlock_init(&lk);
    rlock_acquire(&lk);
    for (int i = 2; i <= times; i++)
        expect_rc(rlock_acquire_timed(&lk, 300), 0, "the owner's acquire %d of %d", i, times);
}

static void untimed_twice(void *arg)
{
    for (int i = 1; i <= 2; i++)
        rlock_acquire(arg), atomic_store_explicit(&deep, i, RELAXED);
    rlock_release(arg), rlock_release(arg);
}

static void owner_reenters_at_once(void)
{
    take(1);
    int64_t start = tl_now_ns();
    int rc = rlock_acquire_timed(&lk, 300);
    TL_ASSERT_FATAL(rc == 0, "the owner's second acquire, rlock_acquire_timed(300 ms), returned %s "
                    "after %.0f ms (expected 0 at once: it waited for itself)", tl_errno_name(rc),
                    contract_ms_since(start));
    rlock_init(&fresh);
    contract_start(&helper, untimed_twice, &fresh);
    TL_ASSERT_FATAL(contract_finish(&helper, 1, 1000) == 1, "a thread's rlock_acquire %d of 2 of a "
                    "free lock has not returned after %ld ms (expected at once)",
                    atomic_load_explicit(&deep, RELAXED) + 1, tl_check_ms(1000));
    tl_spy_reset();
    rlock_destroy(&fresh);
    TL_ASSERT(tl_spy_count(TL_SPY_MUTEX_DESTROY) == 1 && tl_spy_count(TL_SPY_COND_DESTROY) == 1,
              "rlock_destroy destroyed %ld mutexes and %ld condition variables (expected 1 and 1)",
              tl_spy_count(TL_SPY_MUTEX_DESTROY), tl_spy_count(TL_SPY_COND_DESTROY));
}

static void timed_out_acquires_change_nothing(void)
{
    take(1);
    for (long ms = 50; ms >= -1; ms = ms > 0 ? 0 : ms - 1)
        expect_rc(there(TRY, ms), ETIMEDOUT, "while held, another thread's %ld ms acquire", ms);
    expect_rc(rlock_release(&lk), 0, "after those timed out, the owner's release");
    expect_rc(there(TRY_AND_UNDO, 1000), 0, "released, another thread's acquire");
}

static void release_by_non_owner_is_refused(void)
{
    take(1);
    expect_rc(there(RELEASE, 0), EPERM, "a release by a thread that does not hold the lock");
    expect_rc(there(TRY, 50), ETIMEDOUT, "after that, another thread's 50 ms acquire");
    expect_rc(rlock_release(&lk), 0, "then the owner's release");
    expect_rc(rlock_release(&lk), EPERM, "one acquire, two releases: the second");
    expect_rc(there(RELEASE, 0), EPERM, "another thread's release of the free lock");
    expect_rc(there(TRY_AND_UNDO, 1000), 0, "then another thread's acquire of the free lock");
}

static void free_only_when_every_acquire_is_released(void)
{
    take(3);
    for (int i = 1; i <= 3; i++) {
        expect_rc(rlock_release(&lk), 0, "release %d of 3", i);
        expect_rc(there(i < 3 ? TRY : TRY_AND_UNDO, 20 + (i / 3) * 980), i < 3 ? ETIMEDOUT : 0,
                  "after 3 acquires and %d release%s, another thread's acquire", i, i > 1 ? "s" : "");
    }
    expect_rc(rlock_release(&lk), EPERM, "a 4th release");
}

static void waiter_body(void *arg)
{
    tl_spy_name_thread("the check's waiter");
    rlock_acquire(arg);
    atomic_store_explicit(&got, 1, RELAXED);
    for (int i = 0; i < 20000 && !atomic_load_explicit(&let_go, RELAXED); i++)
        tl_sleep_ms(1);
    rlock_release(arg);
}

/* The waiter has the lock, or waits once more than `waits` waits; polled for 1 s (scaled). */
static bool got_or_waits_again(long waits)
{
    struct timespec until = tl_deadline_monotonic(tl_check_ms(1000));
    while (!atomic_load_explicit(&got, RELAXED) && tl_spy_count(TL_SPY_WAIT) <= waits &&
           tl_ms_until(until) > 0)
        tl_sleep_ms(1);
    return atomic_load_explicit(&got, RELAXED) || tl_spy_count(TL_SPY_WAIT) > waits;
}

/* This thread holds the lock while another waits in rlock_acquire. Woken early (spuriously, or
 * by a release that leaves the lock held), the waiter must wait again; the last release must
 * wake it, and then it holds the lock. */
static void waiter_gets_it_at_the_last_release(bool spuriously)
{
    take(spuriously ? 1 : 2);
    contract_start(&helper, waiter_body, &lk);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&lk.released, 1, 2000), "a thread's rlock_acquire of a "
                    "held lock never waited on the condition variable `released`");
    long waits = tl_spy_count(TL_SPY_WAIT), woken = SIGNALS();
    if (spuriously)
        tl_spy_wake_spuriously(&lk.released);
    else
        expect_rc(rlock_release(&lk), 0, "the first of the owner's two releases");
    if (spuriously || SIGNALS() > woken) { /* it was woken: let it look before the last release */
        bool looked = got_or_waits_again(waits), has_it = atomic_load_explicit(&got, RELAXED);
        TL_ASSERT_FATAL(looked && !has_it, "woken %s, the waiter %s (expected it to wait again)",
                        spuriously ? "with the lock still held" : "by the first of two releases",
                        has_it ? "returned from rlock_acquire" : "neither returned nor waited again");
    }
    expect_rc(rlock_release(&lk), 0, "the owner's last release");
    TL_ASSERT_FATAL(got_or_waits_again(LONG_MAX), "the thread blocked in rlock_acquire still waits "
                    "%ld ms after the last release (expected it woken, holding the lock)",
                    tl_check_ms(1000));
    expect_rc(rlock_acquire_timed(&lk, 1), ETIMEDOUT, "with the waiter holding it, a 1 ms acquire");
    atomic_store_explicit(&let_go, 1, RELAXED);
    if (contract_finish(&helper, 1, 2000) == 1)
        rlock_destroy(&lk);
}

static void last_release_wakes_the_waiter(void) { waiter_gets_it_at_the_last_release(false); }
static void woken_waiter_waits_again(void) { waiter_gets_it_at_the_last_release(true); }

static void reenter_in_a_loop(void *arg)
{
    for (int round = 0; round < 200 && atomic_load(&failures) == 0; round++) {
        rlock_acquire(arg);
        atomic_fetch_add(&failures, atomic_fetch_add(&inside, 1) != 0);
        atomic_fetch_add(&failures, rlock_acquire_timed(arg, 2000) != 0);
        rlock_acquire(arg);
        rounds++;
        sched_yield(); /* invites another thread in, if the lock would let it */
        atomic_fetch_sub(&inside, 1);
        for (int i = 0; i < 3; i++)
            atomic_fetch_add(&failures, rlock_release(arg) != 0);
    }
}

static void reentering_threads_never_overlap(void)
{
    take(2);
    expect_rc(rlock_release(&lk) | rlock_release(&lk), 0, "the owner's two releases");
    for (int i = 0; i < 4; i++)
        contract_start(&workers[i], reenter_in_a_loop, &lk);
    int done = contract_finish(workers, 4, 4000);
    TL_ASSERT_FATAL(done == 4, "%d of 4 threads still inside after %ld ms", 4 - done,
                    tl_check_ms(4000));
    TL_ASSERT_EQ_LONG(atomic_load(&failures), 0, "threads found inside, or failed calls");
    TL_ASSERT_EQ_LONG(rounds, 4 * 200, "rounds counted under the lock");
}

#define CHECK(fn, pts, tags, title) .run = fn, .points = pts, .promises = tags, .name = title, \
    .flags = TL_CHECK_RACES
TL_CHECK_TABLE("lab02",
    {CHECK(owner_reenters_at_once, 3, "init.free acquire.reentrant acquire_timed.reentrant "
           "destroy.releases", "the owner acquires again at once (timed and untimed); destroy "
           "destroys both parts"), .hints = {"its holder asking again must not wait", "before "
           "rlock_acquire waits: whose is it?", "held by the caller: count one more, return"}},
    {CHECK(timed_out_acquires_change_nothing, 2, "acquire_timed.times_out acquire_timed.zero",
           "other threads' timed acquires of a held lock (50, 0, -1 ms) time out, changing nothing"),
     .hints = {"giving up leaves the lock as it was", "what is written before the wait?",
               "write owner and count only once the count is seen 0"}},
    {CHECK(release_by_non_owner_is_refused, 2, "release.eperm", "a release by a thread that does "
           "not hold the lock returns EPERM and changes nothing"), .hints = {"only the holder "
           "may release; a free lock has none", "rlock_release: what says the caller holds it?",
           "count above 0 AND owner is the caller (pthread_equal)"}},
    {CHECK(free_only_when_every_acquire_is_released, 2, "release.counts", "the lock is free only "
           "when every acquire has been released, one by one"), .hints = {"one release undoes "
           "one acquire", "what rlock_release does to the count", "free exactly at count 0"}},
    {CHECK(last_release_wakes_the_waiter, 2, "release.wakes", "a thread blocked in rlock_acquire "
           "gets the lock when the last release comes"), .hints = {"nobody wakes it: it sleeps "
           "for ever", "rlock_release, when the count reaches 0", "signal there, and because"}},
    {CHECK(woken_waiter_waits_again, 2, "acquire.waits", "a waiter woken while the lock is still "
           "held goes on waiting"), .hints = {"a wake-up means look again, not free", "the wait "
           "in rlock_acquire", "wait in a loop on the condition itself"}},
    {CHECK(tw_zero_and_negative_do_not_block, 1, "acquire_timed.zero", "timeout 0 and negative "
           "never wait, yet take a free lock"), .hints = {"0: only if free right now", "the "
           "deadline of a 0 ms wait", "a deadline of now: ETIMEDOUT at once unless free"}},
    {CHECK(tw_times_out_not_early, 1, "acquire_timed.times_out", "a timed acquire of a held lock "
           "gives up at its timeout, not before, not much after"), .hints = {"a deadline is on "
           "the condition variable's clock", "rlock_init and the deadline", "CLOCK_MONOTONIC "
           "both (tl_deadline_monotonic)"}},
    {CHECK(tw_999ms_carries_nanoseconds, 1, "acquire_timed.times_out", "a 999 ms timed acquire "
           "carries its nanoseconds into seconds"), .hints = {"tv_nsec < 1000000000, or EINVAL",
           "the deadline arithmetic", "carry into tv_sec, or use tl_deadline_monotonic"}},
    {CHECK(tw_long_timeout_is_not_overflowed, 1, "acquire_timed.times_out", "timed acquires of "
           "3.6 s and 3600 s wait until granted (no overflow)"), .hints = {"3600 ms is 3.6e9 "
           "ns: too much for an int", "the type of ms * 1000000", "64 bits, or s and ns apart"}},
    {CHECK(tw_wakeups_do_not_restart_the_timeout, 2, "acquire_timed.deadline", "wake-ups that "
           "find the lock held do not restart the timeout"), .hints = {"one deadline for the "
           "whole call", "where is the deadline computed?", "once, before the loop"}},
    {CHECK(reentering_threads_never_overlap, 2, "acquire.waits release.counts", "4 threads "
           "re-entering 3 deep are never inside at once"), .bound_s = 10, .hints = {"one holder "
           "at a time, however deep", "every access to owner and count", "all under the guard"}});
