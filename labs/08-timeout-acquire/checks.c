/* checks.c — lab08's checks (checks.h) of lock_with_timeout and lock_both_or_neither. Each call
 * runs on a thread of its own (a fresh record for the spy, a bound for the check) against
 * ERRORCHECK mutexes, so that afterwards it can ask each one "do I hold you?". Helper threads
 * are the checks' own code (not spied) and touch only static storage. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "checks.h"
#include "exercise.h"

static void init_errorcheck(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    TL_CHECK(pthread_mutexattr_init(&attr));
    TL_CHECK(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK));
    TL_CHECK(pthread_mutex_init(m, &attr));
    TL_CHECK(pthread_mutexattr_destroy(&attr));
}

#define TW_T pthread_mutex_t
#define TW_INIT(o) init_errorcheck(o)
#define TW_DESTROY(o) TL_CHECK(pthread_mutex_destroy(o))
#define TW_BLOCK(o) TL_CHECK(pthread_mutex_lock(o))
#define TW_GRANT(o) TL_CHECK(pthread_mutex_unlock(o))
#define TW_TIMED(o, ms) (lock_with_timeout(o, ms) == 0)
#define TW_UNDO(o) TL_CHECK(pthread_mutex_unlock(o))
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"

/* ThreadSanitizer sleeps 1 s in each check's _exit while its watchdog thread runs. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }

static pthread_mutex_t first, second;
static contract_thread holder, callers[2], rival;
static atomic_int holding, let_go, rival_rc;
static long hold_ms;
static bool holder_on, rival_on;
typedef struct {
    bool both, reversed;
    long timeout_ms, overall_ms, rounds;
    int rc;
    double ms;
    bool held_first, held_second;
    long took_both, one_held, gave_up;
} call;
static call calls[2];
static _Atomic int64_t let_go_of_first_at, shortest_pause_ns = INT64_MAX;
static atomic_int retakes, second_alone;

/* Whether this thread holds m (ERRORCHECK), releasing it if so: with a deadline already passed,
 * EDEADLK says "yours", ETIMEDOUT "another thread's", 0 "free" (and let go again). */
static bool release_if_mine(pthread_mutex_t *m)
{
    struct timespec now = tl_deadline_realtime(0);
    int rc = pthread_mutex_timedlock(m, &now);
    if (rc != EDEADLK && TL_CHECK_EXPECT(rc, ETIMEDOUT) == ETIMEDOUT)
        return false;
    TL_CHECK(pthread_mutex_unlock(m));
    return rc == EDEADLK;
}

static void holder_body(void *m)
{
    TL_CHECK(pthread_mutex_lock(m));
    atomic_store(&holding, 1);
    struct timespec until = tl_deadline_monotonic(hold_ms);
    while (!atomic_load(&let_go) && tl_ms_until(until) > 0)
        tl_sleep_ms(1);
    TL_CHECK(pthread_mutex_unlock(m));
}

/* Two fresh mutexes; a holder keeps m (if any) for ms at most, or until let_go. */
static void bench(pthread_mutex_t *m, long ms)
{
    init_errorcheck(&first);
    init_errorcheck(&second);
    atomic_store(&holding, 0), atomic_store(&let_go, 0);
    if (m == NULL)
        return;
    hold_ms = ms, holder_on = true;
    contract_start(&holder, holder_body, m);
    while (!atomic_load(&holding))
        tl_sleep_ms(1);
}

static void caller_body(void *arg)
{
    call *c = arg;
    tl_spy_name_thread("the check's caller");
    pthread_mutex_t *a = c->reversed ? &second : &first, *b = c->reversed ? &first : &second;
    for (long round = 0; round < (c->rounds ? c->rounds : 1); round++) {
        int64_t start = tl_now_ns();
        c->rc = c->both ? lock_both_or_neither(a, b, c->timeout_ms, c->overall_ms)
                        : lock_with_timeout(a, c->timeout_ms);
        c->ms = contract_ms_since(start);
        if (c->rounds && c->rc == 0)
            tl_sleep_us(500); /* the work done holding both: the other caller collides with it */
        c->held_first = release_if_mine(a), c->held_second = release_if_mine(b);
        c->took_both += c->rc == 0 && c->held_first && (c->held_second || !c->both);
        c->one_held += c->both && c->held_first != c->held_second;
        c->gave_up += c->rc != 0;
    }
}

/* Runs n calls at once (callers[i] with calls[i]) and waits at most bound_ms for them. */
static void run(int n, long bound_ms)
{
    for (int i = 0; i < n; i++)
        contract_start(&callers[i], caller_body, &calls[i]);
    int done = contract_finish(callers, n, bound_ms);
    TL_ASSERT_FATAL(done == n, "%d of %d calls of %s had not returned after %ld ms", n - done, n,
                    calls[0].both ? "lock_both_or_neither" : "lock_with_timeout",
                    tl_check_ms(bound_ms));
    atomic_store(&let_go, 1);
    bool ended = (!holder_on || contract_finish(&holder, 1, 2000) == 1) &&
                 (!rival_on || contract_finish(&rival, 1, 2000) == 1);
    holder_on = rival_on = false;
    if (ended)
        TL_CHECK(pthread_mutex_destroy(&first)), TL_CHECK(pthread_mutex_destroy(&second));
}

static const char *held(const call *c)
{
    return c->held_first && c->held_second ? "both" : c->held_first ? "only `first`"
           : c->held_second ? "only `second`" : "neither";
}

/* Calls lock_with_timeout(first, ms), with another thread holding it for hold ms (0: nobody). */
static call *timed(long ms, long hold)
{
    bench(hold ? &first : NULL, hold);
    calls[0] = (call){.timeout_ms = ms};
    run(1, (ms > 0 ? ms : 0) + hold + 1000);
    return &calls[0];
}

static void zero_and_free_do_not_wait(void)
{
    for (long ms = 0; ms >= -1; ms--) {
        call *c = timed(ms, 1000);
        TL_ASSERT(c->rc == ETIMEDOUT && c->ms < 500, "lock_with_timeout(held mutex, %ld ms) "
                  "returned %s after %.0f ms (expected ETIMEDOUT at once)", ms,
                  tl_errno_name(c->rc), c->ms);
    }
    call *c = timed(1000, 0);
    TL_ASSERT(c->rc == 0 && c->held_first && c->ms < 500, "lock_with_timeout(free mutex, 1000 "
              "ms) returned %s after %.0f ms holding %s (expected 0 at once, holding it)",
              tl_errno_name(c->rc), c->ms, c->held_first ? "it" : "nothing");
}

static void taken_as_soon_as_free(void)
{
    call *c = timed(2000, 100);
    TL_ASSERT(c->rc == 0 && c->held_first && c->ms < 1500, "another thread let go after 100 ms; "
              "lock_with_timeout(2000 ms) returned %s after %.0f ms, holding %s (expected 0 then, "
              "holding it)", tl_errno_name(c->rc), c->ms, c->held_first ? "it" : "nothing");
}

/* The spy's hooks, in the caller's thread: how soon `first` is taken again after a try let it
 * go (the back-off), and whether `second` is ever locked without `first`. */
static void on_unlock(const tl_spy_event *e)
{
    if (e->object == &first)
        atomic_store(&let_go_of_first_at, tl_now_ns());
}

static void on_lock(const tl_spy_event *e)
{
    int64_t since = atomic_load(&let_go_of_first_at), pause = tl_now_ns() - since;
    if (e->object == &first && since != 0) {
        atomic_fetch_add(&retakes, 1);
        if (pause < atomic_load(&shortest_pause_ns))
            atomic_store(&shortest_pause_ns, pause);
    }
    if (e->object == &second && !tl_spy_holds(&first))
        atomic_fetch_add(&second_alone, 1);
}

/* lock_both_or_neither(first, second, timeout_ms, overall_ms), with m held for hold ms. */
static call *both(pthread_mutex_t *m, long hold, long timeout_ms, long overall_ms)
{
    bench(m, hold);
    tl_spy_on(TL_SPY_UNLOCK, on_unlock);
    tl_spy_on(TL_SPY_LOCK, on_lock);
    calls[0] = (call){.both = true, .timeout_ms = timeout_ms, .overall_ms = overall_ms};
    run(1, overall_ms + hold + 1000);
    TL_ASSERT(atomic_load(&second_alone) == 0, "lock_both_or_neither locked `second` %d times "
              "without holding `first` (expected: each try takes first, then second)",
              atomic_load(&second_alone));
    return &calls[0];
}

static void free_mutexes_are_both_taken(void)
{
    call *c = both(NULL, 0, 50, 1000);
    TL_ASSERT(c->rc == 0 && c->held_first && c->held_second, "lock_both_or_neither(two free "
              "mutexes) returned %s holding %s (expected 0 holding both)", tl_errno_name(c->rc),
              held(c));
}

static void one_held_gives_up_holding_neither(void)
{
    for (int i = 0; i < 2; i++) {
        call *c = both(i ? &first : &second, 1500, 50, 200);
        TL_ASSERT_FATAL(c->rc == ETIMEDOUT && !c->held_first && !c->held_second && c->ms >= 198 &&
                        c->ms < 1000, "another thread held `%s` for 1500 ms; lock_both_or_neither"
                        "(try 50 ms, overall 200 ms) returned %s after %.0f ms holding %s (expected "
                        "ETIMEDOUT after 200 ms, holding neither)", i ? "first" : "second",
                        tl_errno_name(c->rc), c->ms, held(c));
    }
}

static void retries_until_free(void)
{
    call *c = both(&second, 150, 50, 3000);
    TL_ASSERT(c->rc == 0 && c->held_first && c->held_second && c->ms < 2000, "another thread "
              "held `second` for 150 ms; lock_both_or_neither(try 50 ms, overall 3000 ms) "
              "returned %s after %.0f ms holding %s (expected 0 soon after 150 ms, holding both)",
              tl_errno_name(c->rc), c->ms, held(c));
}

static void rival_body(void *arg)
{
    (void)arg;
    TL_CHECK(pthread_mutex_lock(&second));
    atomic_store(&holding, 1);
    struct timespec until = tl_deadline_monotonic(2000); /* until the call holds `first` */
    while (tl_ms_until(until) > 0 && TL_CHECK_EXPECT(pthread_mutex_trylock(&first), EBUSY) == 0)
        TL_CHECK(pthread_mutex_unlock(&first)), tl_sleep_ms(1);
    struct timespec deadline = tl_deadline_realtime(1000);
    atomic_store(&rival_rc, TL_CHECK_EXPECT(pthread_mutex_timedlock(&first, &deadline), ETIMEDOUT));
    if (atomic_load(&rival_rc) == 0)
        TL_CHECK(pthread_mutex_unlock(&first));
    TL_CHECK(pthread_mutex_unlock(&second));
}

static void backs_off_after_letting_go(void)
{
    call *c = both(&second, 400, 20, 300);
    long pause_us = (long)(atomic_load(&shortest_pause_ns) / 1000);
    char soonest[80] = "";
    if (atomic_load(&retakes) > 0)
        snprintf(soonest, sizeof soonest, ", the soonest %ld us after letting it go", pause_us);
    TL_ASSERT_FATAL(atomic_load(&retakes) >= 2 && pause_us >= 500, "with `second` held, "
                    "lock_both_or_neither(try 20 ms, overall 300 ms) returned %s after %.0f ms and "
                    "took `first` again %d times%s (expected several tries, each after a back-off "
                    "of 1 ms or more)", tl_errno_name(c->rc), c->ms, atomic_load(&retakes), soonest);
    bench(NULL, 0);
    rival_on = true;
    contract_start(&rival, rival_body, NULL); /* lab07's deadlock, the other way round */
    while (!atomic_load(&holding))
        tl_sleep_ms(1);
    calls[0] = (call){.both = true, .timeout_ms = 50, .overall_ms = 3000};
    run(1, 4000);
    TL_ASSERT(atomic_load(&rival_rc) == 0 && calls[0].rc == 0 && calls[0].held_first &&
              calls[0].held_second, "a thread holding `second` and waiting 1 s for `first` got "
              "it: %s; lock_both_or_neither then returned %s holding %s (expected yes, then 0 "
              "holding both)", atomic_load(&rival_rc) ? "no" : "yes", tl_errno_name(calls[0].rc),
              held(&calls[0]));
}

/* n callers, `rounds` calls each, the second caller in the opposite order if `opposite`. */
static void callers_all_get_both(int rounds, bool opposite, pthread_mutex_t *m, long hold)
{
    bench(m, hold);
    for (int i = 0; i < 2; i++)
        calls[i] = (call){.both = true, .reversed = opposite && i, .timeout_ms = 20,
                          .overall_ms = 2000, .rounds = rounds};
    run(2, 2000);
    long took = calls[0].took_both + calls[1].took_both;
    TL_ASSERT(took == 2 * rounds, "two threads calling lock_both_or_neither(try 20 ms, overall "
              "2000 ms) %d times each, in %s orders: %ld took both, %ld gave up, %ld returned "
              "holding one (expected %d, 0, 0)", rounds, opposite ? "opposite" : "the same", took,
              calls[0].gave_up + calls[1].gave_up, calls[0].one_held + calls[1].one_held,
              2 * rounds);
}

static void same_order_callers_take_turns(void) { callers_all_get_both(1, false, &second, 100); }
static void opposite_callers_all_get_both(void) { callers_all_get_both(20, true, NULL, 0); }

#define CHECK(fn, pts, tags, title) .run = fn, .points = pts, .promises = tags, .name = title, \
    .flags = TL_CHECK_RACES
TL_CHECK_TABLE("lab08",
    {CHECK(zero_and_free_do_not_wait, 2, "lock_with_timeout.zero lock_with_timeout.free",
           "lock_with_timeout(0 or -1 ms) of a held mutex and of a free one returns at once"),
     .hints = {"0 means: only if it is free right now", "the deadline of a 0 ms wait, or a "
               "special case for it", "a deadline of now: ETIMEDOUT at once unless free"}},
    {CHECK(tw_zero_and_negative_do_not_block, 1, "lock_with_timeout.zero", "the timed-wait suite: "
           "timeout 0 and negative never wait, yet take a free mutex"), .bound_s = 3,
     .hints = {"0: only if free right now", "the deadline of a 0 ms wait", "a deadline of now"}},
    {CHECK(tw_times_out_not_early, 2, "lock_with_timeout.times_out", "lock_with_timeout of a held "
           "mutex gives up at its timeout, not before, not much after"), .bound_s = 3,
     .hints = {"pthread_mutex_timedlock wants an absolute time, on CLOCK_REALTIME", "the "
               "deadline: which clock, and is it now + timeout?", "tl_deadline_realtime"}},
    {CHECK(tw_999ms_carries_nanoseconds, 1, "lock_with_timeout.times_out", "a 999 ms "
           "lock_with_timeout carries its nanoseconds into seconds"), .hints = {"tv_nsec < "
           "1000000000, or EINVAL", "the deadline arithmetic", "carry into tv_sec"}},
    {CHECK(taken_as_soon_as_free, 2, "lock_with_timeout.as_soon_as_free", "lock_with_timeout "
           "takes a mutex the moment it is let go, not at the end of the timeout"),
     .hints = {"wait IN the lock call", "what lock_with_timeout does while it waits",
               "pthread_mutex_timedlock, not a sleep followed by a try"}},
    {CHECK(tw_long_timeout_is_not_overflowed, 1, "lock_with_timeout.times_out", "lock_with_timeout "
           "of 3.6 s and 3600 s waits until granted (no overflow)"), .hints = {"3600 ms is 3.6e9 "
           "ns: too much for an int", "the type of ms * 1000000", "64 bits, or s and ns apart"}},
    {CHECK(free_mutexes_are_both_taken, 1, "lock_both_or_neither.free lock_both_or_neither.order",
           "lock_both_or_neither takes two free mutexes, first then second"),
     .hints = {"both free: take both, return 0", "the first try", "first, then second"}},
    {CHECK(one_held_gives_up_holding_neither, 3, "lock_both_or_neither.all_or_nothing "
           "lock_both_or_neither.gives_up lock_both_or_neither.order", "with either mutex held "
           "throughout, lock_both_or_neither gives up after overall_ms holding neither"),
     .hints = {"all or nothing: never return holding one", "what happens to `first` when "
               "`second` times out, and to the overall deadline", "unlock `first`; one overall "
               "deadline, fixed at the call, on the monotonic clock"}},
    {CHECK(retries_until_free, 2, "lock_both_or_neither.retries", "lock_both_or_neither retries "
           "until `second` is let go, then holds both"), .hints = {"a failed try is not the end",
           "after a failed try", "back off, then try both again until overall_ms"}},
    {CHECK(backs_off_after_letting_go, 2, "lock_both_or_neither.backs_off", "lock_both_or_neither "
           "backs off after letting go, so a thread taking the locks the other way gets through"),
     .hints = {"retrying at once leaves no gap for the other thread", "between releasing "
               "`first` and the next try", "sleep a short random time (1 to timeout_ms ms)"}},
    {CHECK(same_order_callers_take_turns, 2, "lock_both_or_neither.retries "
           "lock_both_or_neither.backs_off", "two callers backing off while `second` is held "
           "both get both, in turn"), .hints = {"two callers share nothing but the two locks",
           "the state of the back-off", "keep it in the call (a local variable)"}},
    {CHECK(opposite_callers_all_get_both, 2, "lock_both_or_neither.all_or_nothing "
           "lock_both_or_neither.retries", "two threads calling it in opposite orders, 20 times "
           "each, all get both"), .bound_s = 10, .hints = {"lab07's deadlock, undone by letting "
           "go", "each try", "let go of `first`, back off at random, retry"}});
