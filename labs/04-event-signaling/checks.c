/* checks.c — lab04's checks (checks.h): the event of exercise.c. Every order a check needs is
 * forced: it acts only once the spy sees its waiters inside pthread_cond_wait, and the races and
 * the split check act from hooks inside the exercise's own calls. */
#include <stdatomic.h>
#include <stdint.h>

#include "checks.h"
#include "exercise.h"

#define EV_T event
#define EV_INIT(e) event_init(e)
#define EV_DESTROY(e) event_destroy(e)
#define EV_SET(e) event_set(e)
#define EV_CLEAR(e) event_clear(e)
#define EV_IS_SET(e) event_is_set(e)
#define EV_WAIT(e) event_wait(e)
#define EV_WAIT_MS(e, ms) event_wait_ms(e, ms)
#include "../contract/event_contract.h"

#define TW_T event
#define TW_INIT(o) event_init(o)
#define TW_DESTROY(o) event_destroy(o)
#define TW_TIMED(o, ms) event_wait_ms(o, ms)
#define TW_GRANT(o) event_set(o)
#define TW_WAKE(o) tl_spy_wake_spuriously(&(o)->changed)
#define TW_AWAIT_WAITING(o) tl_spy_await_waiting(&(o)->changed, 1, 2000)
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"

#define N 4 /* waiters: even ones in wait(), odd ones in wait_ms(3 s) */
static event ev;
static contract_thread th[N];
static atomic_int result[N]; /* 0: still waiting, 1: returned true, 2: returned false */
static atomic_bool run_last;  /* the waiters run only when the check's thread cannot */

static void waiter(void *arg)
{
    int i = (int)(intptr_t)arg;
    if (atomic_load(&run_last))
        tl_check_run_last();
    bool ok = true;
    if (i % 2)
        ok = event_wait_ms(&ev, contract_scaled_ms(3000));
    else
        event_wait(&ev);
    atomic_store(&result[i], ok ? 1 : 2);
}

/* A fresh event with n waiters, returned once all n are inside pthread_cond_wait. */
static void start_waiters(int n, bool one_cpu)
{
    event_init(&ev);
    atomic_store(&run_last, one_cpu && tl_check_one_cpu());
    for (int i = 0; i < n; i++) {
        atomic_store(&result[i], 0);
        contract_start(&th[i], waiter, (void *)(intptr_t)i);
    }
    TL_ASSERT_FATAL(tl_spy_await_waiting(&ev.changed, n, 2000), "only %d of %d threads calling "
                    "wait()/wait_ms() on a clear event were waiting on e->changed after 2 s",
                    tl_spy_waiting(&ev.changed), n);
}

static void expect_woken(int n, const char *after)
{
    int finished = contract_finish(th, n, 1000), yes = 0;
    for (int i = 0; i < n; i++)
        yes += atomic_load(&result[i]) == 1;
    TL_ASSERT(yes == n, "after %s with %d threads waiting (half in wait(), half in wait_ms()): %d "
              "returned true, %d false, %d still waiting after %ld ms (expected all %d true)",
              after, n, yes, finished - yes, n - finished, contract_scaled_ms(1000), n);
    if (finished == n)
        event_destroy(&ev);
}

static void set_wakes_all(void)
{
    start_waiters(N, false);
    event_set(&ev);
    expect_woken(N, "one set()");
}

/* On one CPU the waiters (at SCHED_IDLE) cannot run between set() and clear(). */
static void set_clear_wakes_all(void)
{
    start_waiters(N, true);
    event_set(&ev);
    event_clear(&ev);
    expect_woken(N, "set() then clear() at once");
}

/* Two waiters, a clear() if asked, then a wake-up with no set(): both must wait again. */
static void wait_on(bool clear_first)
{
    start_waiters(2, false);
    if (clear_first)
        event_clear(&ev);
    long before = tl_spy_count(TL_SPY_WAIT);
    int woken = tl_spy_wake_spuriously(&ev.changed);
    struct timespec until = tl_deadline_monotonic(contract_scaled_ms(1000));
    while (tl_spy_count(TL_SPY_WAIT) - before + contract_count_finished(th, 2) < woken &&
           tl_ms_until(until) > 0)
        tl_sleep_ms(1);
    TL_ASSERT(contract_count_finished(th, 2) == 0, "%s, then a wake-up with no set() behind it: "
              "wait() %s, wait_ms() %s (expected both to go on waiting)", clear_first ?
              "two threads waiting, a clear()" : "two threads waiting", atomic_load(&result[0]) ?
              "returned" : "waits on", atomic_load(&result[1]) ? "returned" : "waits on");
    event_set(&ev);
    expect_woken(2, "the set() that follows");
}

static void spurious_wakeup(void) { wait_on(false); }
static void clear_wakes_nobody(void) { wait_on(true); }

static void set_twice(void)
{
    event_init(&ev);
    event_set(&ev);
    unsigned long g = ev.generation;
    event_set(&ev);
    TL_ASSERT(event_is_set(&ev), "is_set() after set() twice: expected true, got false");
    TL_ASSERT(ev.generation == g, "a second set() on a set event moved generation from %lu to %lu "
              "(expected no change: generation counts the times set() raised the flag)", g,
              ev.generation);
    event_destroy(&ev);
}

static void destroy_releases(void)
{
    tl_spy_reset();
    event_init(&ev);
    event_destroy(&ev);
    TL_ASSERT(tl_spy_count(TL_SPY_COND_DESTROY) == 1 && tl_spy_count(TL_SPY_MUTEX_DESTROY) == 1,
              "init() then destroy(): %ld pthread_cond_destroy and %ld pthread_mutex_destroy "
              "(expected 1 and 1: the condition variable and the mutex init() made)",
              tl_spy_count(TL_SPY_COND_DESTROY), tl_spy_count(TL_SPY_MUTEX_DESTROY));
    TL_ASSERT_EQ_LONG(tl_spy_live_allocations(), 0, "allocations init() left after destroy()");
}

/* Hooks. role: 1 the setter (this check's thread), 2 the reader, 3 the split waiter; relaxed
 * atomics only, so ThreadSanitizer sees no order between the two threads but the event's own. */
static _Thread_local int role, locks_in_call;
static atomic_long asked, served, locking;
static atomic_bool split_set, stop;

static void hook(const tl_spy_event *x)
{
    if (role == 2) {
        atomic_store_explicit(&locking, atomic_load_explicit(&asked, memory_order_relaxed),
                              memory_order_relaxed);
    } else if (role == 3 && x->call == TL_SPY_LOCK && ++locks_in_call == 2 &&
               tl_spy_locks_held() == 0) { /* a second critical section: set() in between */
        role = 0;
        event_set(&ev);
        atomic_store(&split_set, true);
        role = 3;
    } else if (role == 1 && (x->call == TL_SPY_LOCK) == (tl_spy_locks_held() == 0)) {
        /* before set()/clear() locks, and before it unlocks: one is_set() on the reader now */
        long r = atomic_fetch_add_explicit(&asked, 1, memory_order_relaxed) + 1;
        struct timespec until = tl_deadline_monotonic(contract_scaled_ms(1000));
        while (atomic_load_explicit(&served, memory_order_relaxed) < r && tl_ms_until(until) > 0 &&
               !(x->call == TL_SPY_UNLOCK &&
                 atomic_load_explicit(&locking, memory_order_relaxed) >= r))
            tl_sleep_ms(1);
    }
}

static void reader(void *arg)
{
    (void)arg;
    role = 2;
    for (long r = 1; !atomic_load_explicit(&stop, memory_order_relaxed);) {
        if (atomic_load_explicit(&asked, memory_order_relaxed) < r) {
            tl_sleep_ms(1);
            continue;
        }
        (void)event_is_set(&ev);
        atomic_store_explicit(&served, r++, memory_order_relaxed);
    }
}

static void locked_fields(void)
{
    event_init(&ev);
    tl_spy_on(TL_SPY_LOCK, hook);
    tl_spy_on(TL_SPY_UNLOCK, hook);
    contract_start(&th[0], reader, NULL);
    role = 1;
    for (int i = 0; i < 3; i++) {
        event_set(&ev);
        event_clear(&ev);
    }
    role = 0;
    atomic_store_explicit(&stop, true, memory_order_relaxed);
    TL_ASSERT(contract_finish(th, 1, 1000) == 1, "the thread calling is_set() never returned");
    tl_spy_on(TL_SPY_LOCK, NULL);
    tl_spy_on(TL_SPY_UNLOCK, NULL);
}

static void split(void *arg)
{
    (void)arg;
    role = 3;
    atomic_store(&result[0], event_wait_ms(&ev, contract_scaled_ms(500)) ? 1 : 2);
}

static void no_set_missed(void)
{
    event_init(&ev);
    tl_spy_on(TL_SPY_LOCK, hook);
    contract_start(&th[0], split, NULL);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&ev.changed, 1, 2000) || contract_count_finished(th, 1),
                    "wait_ms(500) on a clear event neither waited nor returned within 2 s");
    if (!atomic_load(&split_set))
        event_set(&ev);
    int finished = contract_finish(th, 1, 2000);
    TL_ASSERT(atomic_load(&result[0]) == 1, "wait_ms(500) returned %s although set() ran during the "
              "call%s (expected true)", finished ? "false" : "nothing", atomic_load(&split_set) ?
              ", between its first critical section and its second" : "");
    tl_spy_on(TL_SPY_LOCK, NULL);
}

TL_CHECK_TABLE("lab04",
    {.name = "is_set() follows set() and clear(), false after init()", .points = 1,
     .promises = "init.clear set.raises clear.lowers is_set.flag", .run = evc_is_set_follows_set_and_clear,
     .hints = {"is_set() reports the flag as it is now, and init() leaves it down",
               "event_init, event_set, event_clear", "each one a short critical section on e->lock"}},
    {.name = "wait_ms(0) is false on a clear event, also after set() then clear()", .points = 1,
     .promises = "wait_ms.zero init.clear", .run = evc_wait_ms_zero_when_clear,
     .hints = {"a set() and clear() that both ended before the call began do not count",
               "event_wait_ms: what it remembers when it begins", "compare with the generation it started in"}},
    {.name = "wait() and wait_ms() return at once on a set event and leave the flag up",
     .promises = "wait.keeps_flag wait_ms.zero", .points = 1, .run = evc_wait_returns_at_once_when_set,
     .hints = {"an event is not a semaphore: waiting takes nothing away", "event_wait and event_wait_ms after their loop",
               "only set() and clear() write the flag"}},
    {.name = "set() on a set event starts no new generation", .promises = "set.already_set",
     .points = 1, .run = set_twice,
     .hints = {"while the flag is up nobody waits, so there is nobody to wake", "event_set",
               "a new generation only when the flag goes from down to up"}},
    {.name = "destroy() destroys the mutex and the condition variable", .points = 1,
     .promises = "destroy.releases", .run = destroy_releases,
     .hints = {"what init() made, destroy() unmakes", "event_destroy", "one destroy call per object"}},
    {.name = "wait_ms() with timeout 0 or negative never blocks", .promises = "wait_ms.zero",
     .points = 1, .run = tw_zero_and_negative_do_not_block,
     .hints = {"timeout <= 0 means look, do not wait", "event_wait_ms, before its loop",
               "the loop runs only while time is left"}},
    {.name = "wait_ms() times out with false, not early, not late", .promises = "wait_ms.times_out",
     .points = 2, .run = tw_times_out_not_early,
     .hints = {"an absolute deadline on the clock the condition variable uses",
               "event_init's condition variable, and the deadline in event_wait_ms",
               "both on CLOCK_MONOTONIC (common/clock.h has both halves)"}},
    {.name = "wait_ms(999) carries its nanoseconds into the seconds", .promises = "wait_ms.long",
     .points = 1, .run = tw_999ms_carries_nanoseconds,
     .hints = {"tv_nsec must stay below one second, or every timed wait fails with EINVAL",
               "where the deadline is computed", "carry the whole seconds out of the nanoseconds"}},
    {.name = "wait_ms(3600) and wait_ms(3600000) do not overflow", .promises = "wait_ms.long",
     .points = 1, .run = tw_long_timeout_is_not_overflowed,
     .hints = {"3.6 s is 3.6e9 ns: more than an int holds", "the milliseconds-to-nanoseconds sum",
               "do it in a 64-bit type, or split seconds from milliseconds first"}},
    {.name = "one set() wakes every waiting thread", .promises = "set.wakes_all", .points = 3,
     .flags = TL_CHECK_RACES, .run = set_wakes_all,
     .hints = {"every waiter must hear the news, not one", "event_set: the call that wakes",
               "the condition-variable call that wakes all of them"}},
    {.name = "set() then clear() at once still wakes every waiting thread", .points = 3,
     .promises = "clear.keeps_wakeups", .flags = TL_CHECK_RACES, .bound_s = 8, .run = set_clear_wakes_all,
     .hints = {"a woken waiter gets the mutex back only after clear() has lowered the flag again",
               "the loop condition in event_wait and event_wait_ms",
               "wait for the generation the call started in to end, not for the flag"}},
    {.name = "wait() and wait_ms() go on waiting through a spurious wake-up", .points = 2,
     .promises = "wait.blocks", .flags = TL_CHECK_RACES, .run = spurious_wakeup,
     .hints = {"a thread blocked in pthread_cond_wait may wake with nothing changed", "the test around each wait",
               "look again after every wake-up: a loop, not a single test"}},
    {.name = "clear() ends nobody's wait", .promises = "clear.ends_no_wait", .points = 2,
     .flags = TL_CHECK_RACES, .run = clear_wakes_nobody,
     .hints = {"only set() ends a wait; clear() starts nothing", "event_clear",
               "clear() lowers the flag and leaves the generation alone"}},
    {.name = "wait_ms() misses no set() between looking at the flag and waiting", .points = 2,
     .promises = "wait_ms.true_if_set", .flags = TL_CHECK_RACES, .run = no_set_missed,
     .hints = {"a look and a wait in two critical sections leave a gap a set() can fall into",
               "event_wait_ms: how many times it takes e->lock", "look and wait under one lock"}},
    {.name = "wake-ups with nothing set do not restart wait_ms()'s timeout", .points = 2,
     .promises = "wait_ms.deadline", .flags = TL_CHECK_RACES, .run = tw_wakeups_do_not_restart_the_timeout,
     .hints = {"the caller's bound is from the call, not from the last wake-up",
               "where event_wait_ms computes its deadline", "once, before the loop"}},
    {.name = "set(), clear() and is_set() touch the fields only under the mutex", .points = 2,
     .promises = "event.locked", .flags = TL_CHECK_RACES, .run = locked_fields,
     .hints = {"a read without the lock races with a write under it",
               "event_set, event_clear and event_is_set: every access to flag",
               "lock before the first access, unlock after the last"}},
    {.name = "300 rounds of ping-pong between two threads lose no wake-up", .points = 2,
     .promises = "set.wakes_all wait_ms.true_if_set", .flags = TL_CHECK_RACES, .bound_s = 10,
     .run = evc_no_wakeup_lost_in_ping_pong,
     .hints = {"a set() before a wait began leaves the flag up for it", "event_set and event_wait_ms",
               "the flag or a new generation ends a wait"}});
