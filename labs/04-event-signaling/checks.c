/* checks.c — lab04's checks (checks.h) of the event in exercise.c. No order is hoped for: a check
 * acts once the spy sees its waiters inside pthread_cond_wait, or from a hook in the exercise. */
#include <signal.h>
#include <stdatomic.h>

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
static atomic_int frozen, thaw, waiter_role, split_set;
static _Thread_local int role, locks_in_call; /* for the hook below */

static void waiter(void *arg) /* arg: its slot in result[] */
{
    int i = (int)((atomic_int *)arg - result);
    role = atomic_load(&waiter_role);
    bool ok = i % 2 ? event_wait_ms(&ev, contract_scaled_ms(3000)) : (event_wait(&ev), true);
    atomic_store(&result[i], ok ? 1 : 2);
}

#define POLL(until_true, ms) /* until it holds, at most ms (scaled) */                            \
    for (struct timespec u_ = tl_deadline_monotonic(contract_scaled_ms(ms)); !(until_true) &&  \
         tl_ms_until(u_) > 0;) tl_sleep_ms(1)

/* A fresh event and n waiters, all inside pthread_cond_wait. */
static void start_waiters(int n)
{
    event_init(&ev);
    for (int i = 0; i < n; i++)
        contract_start(&th[i], waiter, &result[i]);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&ev.changed, n, 2000), "only %d of %d threads calling "
                    "wait() or wait_ms() on a clear event waited on e->changed within 2 s",
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
}

/* A signal handler holds each waiter inside pthread_cond_wait, without the mutex, until thawed:
 * none can take the mutex back between set() and clear(), on any number of CPUs, under any load. */
static void freeze(int sig)
{
    (void)sig;
    for (atomic_fetch_add(&frozen, 1); !atomic_load(&thaw);)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
}

static void wakes(bool then_clear)
{
    start_waiters(N);
    sigaction(SIGUSR1, &(struct sigaction){.sa_handler = freeze}, NULL);
    if (then_clear) /* once the check has the mutex, every waiter gave it up inside the wait */
        pthread_mutex_lock(&ev.lock), pthread_mutex_unlock(&ev.lock);
    for (int i = 0; then_clear && i < N; i++)
        pthread_kill(th[i].id, SIGUSR1);
    POLL(!then_clear || atomic_load(&frozen) == N, 2000);
    event_set(&ev);
    if (then_clear)
        event_clear(&ev);
    atomic_store(&thaw, true);
    expect_woken(N, then_clear ? "set() then clear() at once" : "one set()");
}
static void set_wakes_all(void) { wakes(false); }
static void set_clear_wakes_all(void) { wakes(true); }

/* Two waiters, a clear() if asked, then a wake-up with no set(): both must wait again. */
static void wait_on(bool clear_first)
{
    start_waiters(2);
    if (clear_first)
        event_clear(&ev);
    long before = tl_spy_count(TL_SPY_WAIT);
    int woken = tl_spy_wake_spuriously(&ev.changed);
    POLL(tl_spy_count(TL_SPY_WAIT) - before + contract_count_finished(th, 2) >= woken, 1000);
    TL_ASSERT(contract_count_finished(th, 2) == 0, "two threads waiting, %sa wake-up with no set() "
              "behind it: wait() %s, wait_ms() %s (expected both to go on waiting)", clear_first ?
              "a clear(), then " : "", atomic_load(&result[0]) ? "returned" : "waits on",
              atomic_load(&result[1]) ? "returned" : "waits on");
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
    TL_ASSERT(ev.generation == g, "a second set() on a set event moved generation from %lu to %lu "
              "(expected no change: it counts the times set() raised the flag)", g, ev.generation);
    event_destroy(&ev);
}

static void destroy_releases(void)
{
    tl_spy_reset();
    event_init(&ev);
    event_destroy(&ev);
    TL_ASSERT_EQ_LONG(tl_spy_count(TL_SPY_COND_DESTROY), 1, "destroy()'s pthread_cond_destroy");
    TL_ASSERT_EQ_LONG(tl_spy_count(TL_SPY_MUTEX_DESTROY), 1, "destroy()'s pthread_mutex_destroy");
    TL_ASSERT_EQ_LONG(tl_spy_live_allocations(), 0, "allocations left after destroy()");
}

/* The reader and the setter share nothing but the event: no order between their accesses but
 * the one its mutex makes, so ThreadSanitizer reports any access without it, on every run. */
static void reader(void *arg)
{
    for (int i = 0; i < 3; i++)
        (void)event_is_set(arg);
}

static void locked_fields(void)
{
    event_init(&ev);
    contract_start(&th[0], reader, &ev);
    for (int i = 0; i < 3; i++)
        event_set(&ev), event_clear(&ev);
    TL_ASSERT(contract_finish(th, 1, 1000) == 1, "is_set() on another thread never returned");
}

/* Role 3 (a waiter): at the second lock of one call, with none held, set() runs first. */
static void hook(const tl_spy_event *x)
{
    if (role == 3 && x->call == TL_SPY_LOCK && ++locks_in_call == 2 && tl_spy_locks_held() == 0)
        event_set(&ev), atomic_store(&split_set, true); /* its own lock is the third */
}

static void no_set_missed(void)
{
    event_init(&ev);
    tl_spy_on(TL_SPY_LOCK, hook);
    atomic_store(&waiter_role, 3);
    contract_start(&th[1], waiter, &result[1]);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&ev.changed, 1, 2000) || contract_count_finished(th + 1,
                    1), "wait_ms() on a clear event neither waited nor returned within 2 s");
    if (!atomic_load(&split_set))
        event_set(&ev);
    bool finished = contract_finish(th + 1, 1, 1000) == 1;
    TL_ASSERT(atomic_load(&result[1]) == 1, "wait_ms() %s although set() ran during the call%s "
              "(expected true at once)", finished ? "returned false" : "still waited 1 s later",
              atomic_load(&split_set) ? ", between its first critical section and its second" : "");
}

#define RACES .flags = TL_CHECK_RACES
TL_CHECK_TABLE("lab04",
    {.name = "is_set() follows set() and clear(), false after init()", .promises = "init.clear "
     "set.raises clear.lowers is_set.flag", .run = evc_is_set_follows_set_and_clear, .hints = {
     "is_set() reports the flag as it is now", "event_init, event_set, event_clear", "e->flag"}},
    {.name = "wait_ms(0) is false on a clear event, also after set() then clear()", .promises =
     "wait_ms.zero init.clear", .run = evc_wait_ms_zero_when_clear, .hints = {"a set() and clear() "
     "over before the call began do not count", "event_wait_ms", "what it notes as it begins"}},
    {.name = "wait() and wait_ms() return at once on a set event and leave the flag up", .promises =
     "wait.keeps_flag wait_ms.zero", .run = evc_wait_returns_at_once_when_set, .hints = {"an event "
     "is no semaphore: waiting takes nothing", "the end of each wait", "only set/clear: e->flag"}},
    {.name = "set() on a set event starts no new generation", .promises = "set.already_set", .run =
     set_twice, .hints = {"while the flag is up nobody waits, so there is nobody to wake",
     "event_set", "a new generation only when the flag goes from down to up"}},
    {.name = "destroy() destroys the mutex and the condition variable", .promises = "destroy."
     "releases", .run = destroy_releases, .hints = {"what init() made, destroy() unmakes"}},
    {.name = "wait_ms() with timeout 0 or negative never blocks", .promises = "wait_ms.zero", .run =
     tw_zero_and_negative_do_not_block, .hints = {"timeout <= 0 means look, do not wait",
     "event_wait_ms, before its loop", "the loop runs only while there is time left"}},
    {.name = "wait_ms() times out with false, not early, not late", .promises = "wait_ms.times_out",
     .points = 2, .run = tw_times_out_not_early, .hints = {"an absolute deadline on the clock the "
     "condition variable uses", "event_init and event_wait_ms", "common/clock.h has both halves"}},
    {.name = "wait_ms(999) carries its nanoseconds into the seconds", .promises = "wait_ms.long",
     .run = tw_999ms_carries_nanoseconds, .hints = {"a tv_nsec past one second makes every timed "
     "wait fail (EINVAL)", "where the deadline is made", "carry whole seconds out of tv_nsec"}},
    {.name = "wait_ms(3600) and wait_ms(3600000) do not overflow", .promises = "wait_ms.long",
     .run = tw_long_timeout_is_not_overflowed, .hints = {"3.6 s is 3.6e9 ns: more than an int",
     "the milliseconds-to-nanoseconds sum", "a 64-bit type, or the seconds split off first"}},
    {.name = "one set() wakes every waiting thread", .promises = "set.wakes_all", .points = 3,
     RACES, .run = set_wakes_all, .hints = {"every waiter must hear the news, not just one",
     "event_set", "the condition-variable call that wakes all of its waiters"}},
    {.name = "set() then clear() at once still wakes every waiting thread", .points = 3, RACES,
     .promises = "clear.keeps_wakeups", .run = set_clear_wakes_all, .hints = {"a woken waiter gets "
     "the mutex back only after clear()", "the loop test of both waits", "not the flag"}},
    {.name = "wait() and wait_ms() go on waiting through a spurious wake-up", .points = 2, RACES,
     .promises = "wait.blocks", .run = spurious_wakeup, .hints = {"pthread_cond_wait may return "
     "with nothing changed", "the test around each wait", "a loop, not a single test"}},
    {.name = "clear() ends nobody's wait", .promises = "clear.ends_no_wait", .points = 2, RACES,
     .run = clear_wakes_nobody, .hints = {"only set() ends a wait", "event_clear",
     "clear() lowers the flag and leaves the generation alone"}},
    {.name = "wait_ms() misses no set() between looking at the flag and waiting", .points = 2,
     RACES, .promises = "wait_ms.true_if_set", .run = no_set_missed, .hints = {"two critical "
     "sections leave a gap a set() falls into", "how often wait_ms locks", "look and wait as one"}},
    {.name = "wake-ups with nothing set do not restart wait_ms()'s timeout", .points = 2, RACES,
     .promises = "wait_ms.deadline", .run = tw_wakeups_do_not_restart_the_timeout, .hints = {"the "
     "bound runs from the call, not from the last wake-up", "the deadline", "once, before it"}},
    {.name = "set(), clear() and is_set() touch the fields only under the mutex", .points = 2,
     RACES, .promises = "event.locked", .run = locked_fields, .hints = {"a read without the lock "
     "races with a write under it", "every access to e->flag", "lock first, unlock last"}},
    {.name = "300 rounds of ping-pong between two threads lose no wake-up", .points = 2, RACES,
     .promises = "set.wakes_all wait_ms.true_if_set", .bound_s = 10, .hints = {"a set() before a "
     "wait began leaves the flag up for it"}, .run = evc_no_wakeup_lost_in_ping_pong});
