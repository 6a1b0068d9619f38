/* event_contract.h — what any event (Python's threading.Event) must do, as CUnit tests that run
 * against ANY implementation: common/event.c (tests/unit/test_event.c) and lab04's exercise
 * (its grader) run exactly these tests.
 *
 * Use: define the macros below, include this header once, register the tests.
 *
 *     #include "event.h"
 *     #define EV_T              tl_event
 *     #define EV_INIT(e)        tl_event_init(e)
 *     #define EV_DESTROY(e)     tl_event_destroy(e)
 *     #define EV_SET(e)         tl_event_set(e)
 *     #define EV_CLEAR(e)       tl_event_clear(e)
 *     #define EV_IS_SET(e)      tl_event_is_set(e)
 *     #define EV_WAIT(e)        tl_event_wait(e)
 *     #define EV_WAIT_MS(e, ms) tl_event_wait_ms(e, ms)
 *     #include "../contract/event_contract.h"
 *
 *     void tl_register_suites(void) { event_contract_register(tl_suite("event contract")); }
 *
 * Required macros. `e` is always a plain `EV_T *` expression without side effects; `ms` a long
 * number of milliseconds (a macro may convert it, e.g. to seconds for a double-based API).
 *   EV_T               the event type; a complete object type (tests declare `static EV_T e;`)
 *   EV_INIT(e)         make *e a usable event with the flag clear
 *   EV_DESTROY(e)      release *e (never called while a helper thread may still be inside it)
 *   EV_SET(e)          raise the flag and wake every thread waiting on *e
 *   EV_CLEAR(e)        lower the flag
 *   EV_IS_SET(e)       expression: true (non-zero) when the flag is up
 *   EV_WAIT(e)         expression or void call: block until the flag is set (any result ignored)
 *   EV_WAIT_MS(e, ms)  expression: true when the flag was up when the call began or was raised
 *                      at any moment during it (even if lowered again since), false when ms
 *                      passed first; ms == 0 never blocks
 * Optional:
 *   EVC_WAITERS        how many waiter threads the wake-up tests start (default 8)
 *
 * Registration: event_contract_register(suite) adds every test below to `suite`.
 * Every wait here is bounded, and helper threads that stay stuck are reported, not joined
 * (see contract_threads.h), so a broken event fails with a message instead of a hang.
 */
#ifndef TL_EVENT_CONTRACT_H
#define TL_EVENT_CONTRACT_H

#if !defined(EV_T) || !defined(EV_INIT) || !defined(EV_DESTROY) || !defined(EV_SET) ||             \
    !defined(EV_CLEAR) || !defined(EV_IS_SET) || !defined(EV_WAIT) || !defined(EV_WAIT_MS)
#error "event_contract.h: define the EV_* macros listed at the top of this file before including it"
#endif

#include "contract_threads.h"

#ifndef EVC_WAITERS
#define EVC_WAITERS 8
#endif

/* The timeout of helpers' timed waits: long enough that a correct event always wakes them first
 * (scaled for sanitizer builds), short enough that a broken one fails well before the harness
 * deadline. Helpers get this plus a margin to finish. */
#define EVC_LONG_WAIT_MS 3000L
#define EVC_FINISH_MS (EVC_LONG_WAIT_MS + 1000L)

/* A timed wait may end this much before its timeout and still count as "not early": room for
 * implementations that round the deadline to whole milliseconds. */
#define EVC_EARLY_SLACK_MS 2.0

/* ---- helpers ---- */

typedef struct {
    EV_T *event;
    bool timed;       /* EV_WAIT_MS with a long timeout instead of EV_WAIT */
    atomic_bool woke; /* the wait returned "set" */
} evc_waiter;

static void evc_waiter_body(void *arg)
{
    evc_waiter *w = arg;
    bool woke = true;
    if (w->timed)
        woke = EV_WAIT_MS(w->event, contract_scaled_ms(EVC_LONG_WAIT_MS));
    else
        (void)EV_WAIT(w->event);
    atomic_store(&w->woke, woke);
}

/* Starts n waiters on e, every other one with a timed wait, and returns once they are blocked. */
static void evc_start_waiters(EV_T *e, evc_waiter *w, contract_thread *t, int n)
{
    int baseline = contract_sleeping_threads();
    for (int i = 0; i < n; i++) {
        w[i].event = e;
        w[i].timed = i % 2 == 1;
        atomic_init(&w[i].woke, false);
        contract_start(&t[i], evc_waiter_body, &w[i]);
    }
    contract_wait_until_asleep(baseline, n);
}

static int evc_count_woke(evc_waiter *w, int n)
{
    int woke = 0;
    for (int i = 0; i < n; i++)
        woke += atomic_load(&w[i].woke);
    return woke;
}

/* ---- the contract ---- */

static void evc_is_set_follows_set_and_clear(void)
{
    tl_hint("is_set() must report the flag exactly: false after init, true after set() (also after "
            "a second set()), false after clear() (also after a second clear())");
    EV_T e;
    EV_INIT(&e);
    TL_ASSERT(!EV_IS_SET(&e), "is_set() right after init: expected false, got true");
    EV_SET(&e);
    TL_ASSERT(EV_IS_SET(&e), "is_set() after set(): expected true, got false");
    EV_SET(&e);
    TL_ASSERT(EV_IS_SET(&e), "is_set() after set() twice: expected true, got false");
    EV_CLEAR(&e);
    TL_ASSERT(!EV_IS_SET(&e), "is_set() after clear(): expected false, got true");
    EV_CLEAR(&e);
    TL_ASSERT(!EV_IS_SET(&e), "is_set() after clear() twice: expected false, got true");
    EV_SET(&e);
    TL_ASSERT(EV_IS_SET(&e), "is_set() after set(), clear(), clear(), set(): expected true, got "
                             "false");
    EV_DESTROY(&e);
}

static void evc_wait_ms_zero_when_clear(void)
{
    tl_hint("when the flag is down, wait_ms() must return false: it only returns true for a set() "
            "that happened before the call left the flag up, or a set() during the call — a set() "
            "and clear() that both happened before the call began do not count");
    EV_T e;
    EV_INIT(&e);
    TL_ASSERT(!EV_WAIT_MS(&e, 0), "wait_ms(0) on a new event: expected false, got true");
    EV_SET(&e);
    EV_CLEAR(&e);
    TL_ASSERT(!EV_WAIT_MS(&e, 0), "wait_ms(0) after set() then clear(): expected false, got true");
    TL_ASSERT(!EV_WAIT_MS(&e, 30), "wait_ms(30) after set() then clear(), nobody setting it again: "
                                   "expected false, got true");
    EV_DESTROY(&e);
}

static void evc_wait_ms_times_out(void)
{
    tl_hint("when nobody calls set(), wait_ms(e, ms) must return false, and not before ms "
            "milliseconds: compute one absolute deadline (tl_deadline_monotonic, on a condition "
            "variable from tl_cond_init_monotonic; tv_nsec must stay below 1000000000) and loop on "
            "pthread_cond_timedwait until it returns ETIMEDOUT");
    EV_T e;
    EV_INIT(&e);
    /* A short timeout and one over a second: catches deadlines that drop the seconds or
     * overflow tv_nsec. */
    static const long timeouts[] = {50, 1010};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        long ms = timeouts[i];
        int64_t start = tl_now_ns();
        bool got = EV_WAIT_MS(&e, ms);
        double waited = contract_ms_since(start);
        TL_ASSERT(!got, "wait_ms(%ld) with nobody calling set(): expected false, got true", ms);
        TL_ASSERT(waited >= (double)ms - EVC_EARLY_SLACK_MS,
                  "wait_ms(%ld) with nobody calling set(): expected to wait at least %ld ms, "
                  "returned after %.1f ms",
                  ms, ms, waited);
    }
    EV_DESTROY(&e);
}

static void evc_wait_returns_at_once_when_set(void)
{
    tl_hint("if the flag is already up, wait() and wait_ms() must return true at once — check the "
            "flag before blocking, not only after a wake-up — and waiting must not lower the flag "
            "(an event is not a semaphore)");
    static EV_T e;
    static evc_waiter w[1];
    static contract_thread t[1];
    EV_INIT(&e);
    EV_SET(&e);
    TL_ASSERT(EV_WAIT_MS(&e, 0), "wait_ms(0) when the flag is up: expected true, got false");
    TL_ASSERT(EV_WAIT_MS(&e, contract_scaled_ms(EVC_LONG_WAIT_MS)),
              "wait_ms(%ld) when the flag is up: expected true, got false",
              contract_scaled_ms(EVC_LONG_WAIT_MS));
    w[0].event = &e;
    w[0].timed = false;
    atomic_init(&w[0].woke, false);
    contract_start(&t[0], evc_waiter_body, &w[0]);
    int finished = contract_finish(t, 1, EVC_FINISH_MS);
    TL_ASSERT(finished == 1, "wait() when the flag is up: expected it to return at once, still "
                             "blocked after %ld ms",
              contract_scaled_ms(EVC_FINISH_MS));
    TL_ASSERT(EV_IS_SET(&e), "is_set() after three waits on a set event: expected true (waiting "
                             "must not lower the flag), got false");
    if (finished == 1)
        EV_DESTROY(&e);
}

/* Both wake-up tests: n waiters blocked, then set() (and clear() at once when `then_clear`). */
static void evc_check_set_wakes_all(bool then_clear)
{
    static EV_T events[2];
    static evc_waiter waiters[2][EVC_WAITERS];
    static contract_thread threads[2][EVC_WAITERS];
    EV_T *e = &events[then_clear];
    evc_waiter *w = waiters[then_clear];
    contract_thread *t = threads[then_clear];
    const int n = EVC_WAITERS;
    const char *what = then_clear ? "set() then clear() at once" : "one set()";

    EV_INIT(e);
    evc_start_waiters(e, w, t, n);
    int early = contract_count_finished(t, n);
    TL_ASSERT(early == 0, "before set(): expected all %d waiters still blocked (the flag is down), "
                          "but %d had returned",
              n, early);
    EV_SET(e);
    if (then_clear) {
        EV_CLEAR(e);
        TL_ASSERT(!EV_IS_SET(e), "is_set() after set() then clear(): expected false, got true");
    }
    int finished = contract_finish(t, n, EVC_FINISH_MS);
    int woke = evc_count_woke(w, n);
    TL_ASSERT(woke == n,
              "after %s: expected all %d waiters (half in wait(), half in wait_ms()) to return "
              "true, got %d true, %d false (timed out), %d still blocked after %ld ms",
              what, n, woke, finished - woke, n - finished, contract_scaled_ms(EVC_FINISH_MS));
    if (finished == n)
        EV_DESTROY(e);
}

static void evc_set_wakes_every_waiter(void)
{
    tl_hint("set() must wake EVERY waiting thread: use pthread_cond_broadcast, not "
            "pthread_cond_signal (which wakes only one), and let wait() block while the flag is "
            "down");
    evc_check_set_wakes_all(false);
}

static void evc_set_then_clear_still_wakes_waiters(void)
{
    tl_hint("a waiter that started before set() must be woken even if clear() follows immediately: "
            "waiters should wait for a change of generation (a counter set() increments), not for "
            "the flag, which may already be down again when they get to run");
    evc_check_set_wakes_all(true);
}

/* Ping-pong: the main thread sets `ping` and waits for `pong`; the helper waits for `ping`,
 * clears it and sets `pong`. Each side clears only what it has seen, so no set is ever due to
 * be lost: a missed wake-up shows up as a timeout. */
#define EVC_ROUNDS 300

static EV_T evc_ping, evc_pong;
static atomic_int evc_helper_rounds;

static void evc_pong_body(void *arg)
{
    (void)arg;
    for (int r = 0; r < EVC_ROUNDS; r++) {
        if (!EV_WAIT_MS(&evc_ping, contract_scaled_ms(EVC_LONG_WAIT_MS)))
            return;
        EV_CLEAR(&evc_ping);
        EV_SET(&evc_pong);
        atomic_store(&evc_helper_rounds, r + 1);
    }
}

static void evc_no_wakeup_lost_in_ping_pong(void)
{
    tl_hint("two threads take turns %d times, each setting an event the other waits for and "
            "clearing the one it waited for; a wait that misses a set() (a set() before the wait "
            "began must leave the flag up, and a wake-up must not be lost) times out here",
            EVC_ROUNDS);
    static contract_thread helper[1];
    EV_INIT(&evc_ping);
    EV_INIT(&evc_pong);
    atomic_init(&evc_helper_rounds, 0);
    contract_start(&helper[0], evc_pong_body, NULL);
    int rounds = 0;
    while (rounds < EVC_ROUNDS) {
        EV_SET(&evc_ping);
        if (!EV_WAIT_MS(&evc_pong, contract_scaled_ms(EVC_LONG_WAIT_MS)))
            break;
        EV_CLEAR(&evc_pong);
        rounds++;
    }
    int finished = contract_finish(helper, 1, EVC_FINISH_MS);
    TL_ASSERT(rounds == EVC_ROUNDS && finished == 1,
              "ping-pong: expected %d rounds, got stuck after %d, the helper after %d: a "
              "wait_ms(%ld) returned false although the other thread had called set()",
              EVC_ROUNDS, rounds, atomic_load(&evc_helper_rounds),
              contract_scaled_ms(EVC_LONG_WAIT_MS));
    if (finished == 1) {
        EV_DESTROY(&evc_ping);
        EV_DESTROY(&evc_pong);
    }
}

static CONTRACT_UNUSED void event_contract_register(CU_pSuite suite)
{
    tl_test(suite, "is_set() follows set() and clear()", evc_is_set_follows_set_and_clear);
    tl_test(suite, "wait_ms() returns false while the flag is down", evc_wait_ms_zero_when_clear);
    tl_test(suite, "wait_ms() times out with false, not early", evc_wait_ms_times_out);
    tl_test(suite, "wait() and wait_ms() return at once when already set",
            evc_wait_returns_at_once_when_set);
    tl_test(suite, "one set() wakes every waiter", evc_set_wakes_every_waiter);
    tl_test(suite, "set() then clear() at once still wakes every waiter",
            evc_set_then_clear_still_wakes_waiters);
    tl_test(suite, "no wake-up lost over many set/clear rounds", evc_no_wakeup_lost_in_ping_pong);
}

#endif
