/* timed_wait_contract.h — what every "wait at most N ms" operation must do, as checks that run
 * against ANY of them: the timed acquires, waits and gets of labs 02, 03, 04, 06 and 08 (their
 * checks.c) and of common/ (tests/unit). The mistakes they exist to catch are the classic ones:
 *   - timeout 0 or negative that blocks (or, with nothing to wait for, fails);
 *   - a deadline in the past or far future: the wrong clock (a CLOCK_REALTIME deadline on a
 *     monotonic condition variable, or the reverse), ms→ns arithmetic that overflows an int for
 *     a few seconds, tv_nsec not carried past 1e9 (EINVAL from every timed wait);
 *   - a deadline computed afresh after each wake-up: a steady trickle of wake-ups then makes a
 *     300 ms wait last as long as the trickle does.
 * None is left to chance: the 999 ms call is made when tv_nsec guarantees a carry, the long
 * timeout is a 3.6 s one ended by a grant after 200 ms (so it costs 200 ms, yet any overflow
 * ends it at once), and the wake-ups come every 40 ms once the waiter is seen waiting.
 *
 * Every timed call runs on a thread of its own ("the check's timed caller") and is waited for
 * with a bound, so one that never returns fails with a message instead of hanging the check.
 *
 * Use: define the macros, include this header once, put the tests in a check table or a suite.
 *   TW_T              the object's type (tests use `static TW_T tw_object;`)
 *   TW_INIT(o)        make *o ready, in a state where TW_TIMED blocks (after TW_BLOCK, if any)
 *   TW_DESTROY(o)     release *o
 *   TW_TIMED(o, ms)   expression: true when the operation succeeded within ms, false on timeout
 *   TW_GRANT(o)       let one TW_TIMED succeed (release a permit, set the event, put an item,
 *                     unlock); run on the holder thread (below)
 * Optional:
 *   TW_BLOCK(o)       run on the holder thread first, to make TW_TIMED block (take the lock)
 *   TW_UNDO(o)        after a TW_TIMED that succeeded, in the same thread (unlock, release)
 *   TW_WAKE(o)        wake a waiter without letting it succeed (a spurious wake-up); returns how
 *                     many it woke. Without it, the trickle test is not defined: an operation
 *                     with no condition variable (a timed mutex lock) has no such wake-ups.
 *   TW_AWAIT_WAITING(o)  true once a thread is blocked inside TW_TIMED (default: spy.h's view of
 *                     a condition variable wait, or a lock wait for mutex-based operations)
 *   TW_ZERO_MEANS_TRY defined when timeout 0 and negative may succeed if TW_TIMED would not
 *                     block (all of this kit's operations): tested both ways.
 * Tests (static functions, referenced by name):
 *   tw_zero_and_negative_do_not_block   tw_times_out_not_early   tw_999ms_carries_nanoseconds
 *   tw_long_timeout_is_not_overflowed   tw_wakeups_do_not_restart_the_timeout (with TW_WAKE)
 */
#ifndef TL_TIMED_WAIT_CONTRACT_H
#define TL_TIMED_WAIT_CONTRACT_H

#if !defined(TW_T) || !defined(TW_INIT) || !defined(TW_DESTROY) || !defined(TW_TIMED) ||           \
    !defined(TW_GRANT)
#error "timed_wait_contract.h: define the TW_* macros listed at the top of this file first"
#endif

#include <stdatomic.h>
#include <time.h>

#include "clock.h"
#include "contract_threads.h"
#include "spy.h"

#ifndef TW_BLOCK
#define TW_BLOCK(o) ((void)(o))
#endif
#ifndef TW_UNDO
#define TW_UNDO(o) ((void)(o))
#endif
#ifndef TW_AWAIT_WAITING
#define TW_AWAIT_WAITING(o) tw_default_await_waiting()
#endif

#define TW_EARLY_SLACK_MS 2.0 /* deadlines rounded to whole milliseconds may end this early */
#define TW_LATE_SLACK_MS 1500L /* scaled: a timed call that returns this late is not bounded */

static CONTRACT_UNUSED bool tw_default_await_waiting(void)
{
    struct timespec until = tl_deadline_monotonic(contract_scaled_ms(2000));
    while (tl_ms_until(until) > 0) {
        char where[2048];
        tl_spy_describe_blocked(where, sizeof where);
        if (where[0] != '\0')
            return true;
        tl_sleep_ms(1);
    }
    return false;
}

static TW_T tw_object;

/* The holder: a thread of its own that blocks the object, then grants when told. */
typedef struct {
    atomic_int step; /* 0 start, 1 blocked, 2 grant now, 3 granted */
    long grant_after_ms; /* >= 0: grant by itself this long after blocking */
} tw_holder;

static tw_holder tw_hold;
static contract_thread tw_holder_thread;

static CONTRACT_UNUSED void tw_holder_body(void *arg)
{
    tw_holder *h = arg;
    tl_spy_name_thread("the check's holder");
    TW_BLOCK(&tw_object);
    atomic_store(&h->step, 1);
    if (h->grant_after_ms >= 0) {
        tl_sleep_ms(h->grant_after_ms);
    } else {
        struct timespec until = tl_deadline_monotonic(contract_scaled_ms(10000));
        while (atomic_load(&h->step) != 2 && tl_ms_until(until) > 0)
            tl_sleep_ms(1);
    }
    TW_GRANT(&tw_object);
    atomic_store(&h->step, 3);
}

/* Initialises the object and starts the holder; returns once it has blocked the object. */
static CONTRACT_UNUSED void tw_start(long grant_after_ms)
{
    TW_INIT(&tw_object);
    tw_hold.grant_after_ms = grant_after_ms;
    atomic_init(&tw_hold.step, 0);
    contract_start(&tw_holder_thread, tw_holder_body, &tw_hold);
    struct timespec until = tl_deadline_monotonic(contract_scaled_ms(2000));
    while (atomic_load(&tw_hold.step) == 0 && tl_ms_until(until) > 0)
        tl_sleep_ms(1);
    TL_ASSERT_FATAL(atomic_load(&tw_hold.step) != 0, "the check's holder could not block the object");
}

/* A TW_TIMED call that never returned: its thread is left with the object, never destroyed. */
static bool tw_abandoned;

/* Grants (if not done yet), joins the holder, destroys the object. */
static CONTRACT_UNUSED void tw_finish(void)
{
    if (atomic_load(&tw_hold.step) == 1)
        atomic_store(&tw_hold.step, 2);
    if (contract_finish(&tw_holder_thread, 1, 3000) == 1 && !tw_abandoned)
        TW_DESTROY(&tw_object);
}

/* One TW_TIMED call (and its TW_UNDO), on a thread of its own, so a call that never returns is
 * a message, not a hang of the check. */
typedef struct {
    long ms;
    bool ok;
    double took;
} tw_call;

static tw_call tw_current;
static contract_thread tw_caller_thread;

static CONTRACT_UNUSED void tw_caller_body(void *arg)
{
    tw_call *c = arg;
    tl_spy_name_thread("the check's timed caller");
    int64_t start = tl_now_ns();
    c->ok = TW_TIMED(&tw_object, c->ms);
    c->took = contract_ms_since(start);
    if (c->ok)
        TW_UNDO(&tw_object);
}

/* Calls TW_TIMED(ms) and waits for it at most bound_ms (scaled): the milliseconds it took, with
 * *ok its result; or -1 when it was still inside after the bound (it is then left there). */
static CONTRACT_UNUSED double tw_timed(long ms, long bound_ms, bool *ok)
{
    tw_current = (tw_call){.ms = ms};
    contract_start(&tw_caller_thread, tw_caller_body, &tw_current);
    if (contract_finish(&tw_caller_thread, 1, bound_ms) != 1) {
        tw_abandoned = true;
        *ok = false;
        return -1;
    }
    *ok = tw_current.ok;
    return tw_current.took;
}

/* Timeout 0 and a negative one return false at once when the call would block; and (where
 * TW_ZERO_MEANS_TRY) true at once when it would not. */
static CONTRACT_UNUSED void tw_zero_and_negative_do_not_block(void)
{
    static const long timeouts[] = {0, -1, -1000};
    tw_start(-1);
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0] && !tw_abandoned; i++) {
        bool ok;
        double took = tw_timed(timeouts[i], 500, &ok);
        TL_ASSERT(took >= 0, "with nothing to take, a call with timeout %ld was still waiting "
                  "after 500 ms (expected it to return at once: a timeout of 0 or less never "
                  "blocks)", timeouts[i]);
        TL_ASSERT(took < 0 || !ok, "with nothing to take, a call with timeout %ld returned true "
                  "(expected false)", timeouts[i]);
    }
    tw_finish();
#ifdef TW_ZERO_MEANS_TRY
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0] && !tw_abandoned; i++) {
        tw_start(0); /* the holder grants at once */
        struct timespec until = tl_deadline_monotonic(contract_scaled_ms(2000));
        while (atomic_load(&tw_hold.step) != 3 && tl_ms_until(until) > 0)
            tl_sleep_ms(1);
        bool ok;
        double took = tw_timed(timeouts[i], 500, &ok);
        TL_ASSERT(took >= 0 && ok, "with one to take, a call with timeout %ld %s (expected true "
                  "at once: a timeout of 0 or less still takes what is there)", timeouts[i],
                  took < 0 ? "was still waiting after 500 ms" : "returned false");
        tw_finish();
    }
#endif
}

/* With nothing granted, 300 ms and 1250 ms calls return false, not before their time and not
 * long after it: a deadline on the wrong clock ends at once, or never. */
static CONTRACT_UNUSED void tw_times_out_not_early(void)
{
    static const long timeouts[] = {300, 1250};
    tw_start(-1);
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0] && !tw_abandoned; i++) {
        bool ok;
        long bound = timeouts[i] + TW_LATE_SLACK_MS;
        double took = tw_timed(timeouts[i], bound, &ok);
        if (took < 0) {
            TL_ASSERT(false, "a %ld ms call with nothing to take was still waiting after %ld ms "
                      "(expected it to give up after %ld ms: is the deadline on the clock the "
                      "wait uses?)", timeouts[i], contract_scaled_ms(bound), timeouts[i]);
            break;
        }
        TL_ASSERT(!ok, "with nothing to take, a %ld ms call returned true (expected false)",
                  timeouts[i]);
        TL_ASSERT(took >= (double)timeouts[i] - TW_EARLY_SLACK_MS, "a %ld ms call gave up after "
                  "%.1f ms (expected at least %ld ms: is the deadline on the clock the wait uses, "
                  "and absolute?)", timeouts[i], took, timeouts[i]);
        TL_ASSERT(took <= (double)(timeouts[i] + contract_scaled_ms(TW_LATE_SLACK_MS)),
                  "a %ld ms call returned after %.0f ms (expected soon after %ld ms: is the "
                  "deadline on the clock the wait uses?)", timeouts[i], took, timeouts[i]);
    }
    tw_finish();
}

/* A 999 ms call made when the clocks' nanoseconds are past 2 ms must carry into tv_sec; it is
 * granted after 100 ms and must succeed then. Without the carry every timed wait fails with
 * EINVAL. */
static CONTRACT_UNUSED void tw_999ms_carries_nanoseconds(void)
{
    for (;;) { /* both clocks past 2 ms into their second: the sum is past 1e9 */
        struct timespec m, r;
        clock_gettime(CLOCK_MONOTONIC, &m);
        clock_gettime(CLOCK_REALTIME, &r);
        if (m.tv_nsec > 2000000 && r.tv_nsec > 2000000 && m.tv_nsec < 990000000 &&
            r.tv_nsec < 990000000)
            break;
        tl_sleep_ms(1);
    }
    tw_start(contract_scaled_ms(100));
    bool ok;
    double took = tw_timed(999, 999 + TW_LATE_SLACK_MS, &ok);
    TL_ASSERT(took >= 0 && ok, "a 999 ms call granted after 100 ms %s %.0f ms (expected true: "
              "is tv_nsec carried into tv_sec when it passes 999999999?)",
              took < 0 ? "was still waiting after" : "returned false after",
              took < 0 ? (double)contract_scaled_ms(999 + TW_LATE_SLACK_MS) : took);
    tw_finish();
}

/* A 3.6 s call (3600 ms: 3.6e9 ns, past a 32-bit int) granted after 200 ms succeeds then, and
 * a 3600 s one likewise: neither overflows, neither gives up early. */
static CONTRACT_UNUSED void tw_long_timeout_is_not_overflowed(void)
{
    static const long timeouts[] = {3600, 3600L * 1000};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0] && !tw_abandoned; i++) {
        tw_start(contract_scaled_ms(200));
        bool ok;
        double took = tw_timed(timeouts[i], 200 + TW_LATE_SLACK_MS, &ok);
        TL_ASSERT(took >= 0, "a %ld ms call granted after 200 ms was still waiting %ld ms later "
                  "(expected true once granted)", timeouts[i],
                  contract_scaled_ms(TW_LATE_SLACK_MS));
        TL_ASSERT(took < 0 || ok, "a %ld ms call granted after 200 ms returned false after %.0f ms "
                  "(expected true once granted: does the milliseconds-to-nanoseconds sum "
                  "overflow?)", timeouts[i], took);
        tw_finish();
    }
}

#ifdef TW_WAKE
typedef struct {
    atomic_bool done;
    atomic_bool ok;
    atomic_long took_ms;
    atomic_long deadline_changes; /* between the call's timed waits (spy.h) */
} tw_waiter;

static tw_waiter tw_wait_result;
static contract_thread tw_waiter_thread;

static CONTRACT_UNUSED void tw_waiter_body(void *arg)
{
    tw_waiter *w = arg;
    tl_spy_name_thread("the check's timed waiter");
    tl_spy_forget_deadlines_mine();
    int64_t start = tl_now_ns();
    bool ok = TW_TIMED(&tw_object, 300);
    atomic_store(&w->took_ms, (long)contract_ms_since(start));
    atomic_store(&w->deadline_changes, tl_spy_deadline_changes_mine());
    atomic_store(&w->ok, ok);
    if (ok)
        TW_UNDO(&tw_object);
    atomic_store(&w->done, true);
}

/* A 300 ms call woken every 40 ms with nothing to take still gives up at its deadline: the
 * deadline is fixed once, not computed afresh after each wake-up. The spy sees the deadline of
 * every wait, so a changed one is caught whatever the timing; a late return too. */
static CONTRACT_UNUSED void tw_wakeups_do_not_restart_the_timeout(void)
{
    tw_start(-1);
    atomic_init(&tw_wait_result.done, false);
    contract_start(&tw_waiter_thread, tw_waiter_body, &tw_wait_result);
    TL_ASSERT(TW_AWAIT_WAITING(&tw_object), "the 300 ms call never started waiting");
    long trickle_ms = 300 + contract_scaled_ms(TW_LATE_SLACK_MS) + 1000;
    int64_t start = tl_now_ns();
    int wakes = 0;
    while (!atomic_load(&tw_wait_result.done) && contract_ms_since(start) < (double)trickle_ms) {
        tl_sleep_ms(40);
        wakes += TW_WAKE(&tw_object) > 0;
    }
    bool finished = contract_finish(&tw_waiter_thread, 1, 2000) == 1;
    long changes = finished ? atomic_load(&tw_wait_result.deadline_changes) : 0;
    TL_ASSERT(changes == 0, "a 300 ms call woken %d times with nothing to take waited with %ld "
              "different deadlines (expected one: compute the deadline once, before the loop, "
              "not after each wake-up)", wakes, changes + 1);
    TL_ASSERT(finished && atomic_load(&tw_wait_result.took_ms) <=
                              300 + contract_scaled_ms(TW_LATE_SLACK_MS),
              "a 300 ms call woken %d times (every 40 ms, nothing to take) %s (expected it to give "
              "up after 300 ms: compute the deadline once, before the loop, not after each "
              "wake-up)", wakes, finished ? "returned only when the wake-ups stopped" :
              "was still waiting when they stopped");
    TL_ASSERT(!atomic_load(&tw_wait_result.ok), "a 300 ms call with nothing to take, woken with "
              "nothing changed, returned true (expected false: a wake-up only means look again)");
    if (finished)
        tw_finish();
}
#endif

#endif
