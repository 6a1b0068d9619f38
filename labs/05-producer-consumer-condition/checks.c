/* checks.c — lab05's checks (checks.h) of the bounded buffer. Every order is forced: the spy says
 * a helper really waits, a hook pauses one at its lock, a lost wake-up runs on one CPU. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "checks.h"
#include "clock.h"
#include "exercise.h"

#define RELAXED memory_order_relaxed /* the checks' own flags: no happens-before for TSan */
#define UNTIL(cond, ms) /* polls cond every ms until it holds or ms (scaled) have passed */       \
    for (struct timespec end_ = tl_deadline_monotonic(tl_check_ms(ms));                           \
         !(cond) && tl_ms_until(end_) > 0;)                                                        \
    tl_sleep_ms(1)

/* ThreadSanitizer sleeps 1 s at each exit unless told not to: that is once per check. */
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }

static bounded_buffer B; /* static: a helper stuck in the buffer outlives its check */
static struct { bool put, last, ret; long item; atomic_bool done; pthread_t id; } ops[8];
static _Thread_local int helper; /* on a helper thread: its index in ops + 1 */
static atomic_int paused, main_unlocks, helper_unlocks, may_go, forced; /* hooks' and checks' */

static void *op_main(void *arg)
{
    intptr_t i = (intptr_t)arg;
    helper = (int)i + 1;
    (void)(ops[i].last && tl_check_run_last());
    ops[i].ret = ops[i].put ? buffer_put(&B, ops[i].item) : buffer_get(&B, &ops[i].item);
    atomic_store(&ops[i].done, true);
    return NULL;
}

/* ops[first .. first+n): puts of item, item+1, ... (or gets), each on a thread of its own. */
static void start(int first, int n, bool put, long item, bool last)
{
    for (intptr_t i = first; i < first + n; i++) {
        ops[i].put = put, ops[i].last = last, ops[i].item = put ? item++ : -1;
        atomic_store(&ops[i].done, false);
        TL_CHECK(pthread_create(&ops[i].id, NULL, op_main, (void *)i));
    }
}

static int done(int first, int n)
{
    int d = 0;
    for (int i = first; i < first + n; i++)
        d += atomic_load(&ops[i].done);
    return d;
}

/* Joins the helpers that returned; those still stuck end with the check's process. */
static void finish(int n)
{
    for (int i = 0; i < n; i++)
        TL_CHECK(atomic_load(&ops[i].done) ? pthread_join(ops[i].id, NULL)
                                           : pthread_detach(ops[i].id));
}

/* A call that must return at once, on a helper given 1 s: it returns `want` (a get: with item). */
static void call(bool put, long item, bool want)
{
    const char *state = B.closed ? "a closed" : "an open";
    char what[32] = "a get", got[32] = "", expected[32] = "";
    if (put)
        snprintf(what, sizeof what, "a put of item %ld", item);
    start(7, 1, put, item, false);
    UNTIL(done(7, 1), 1000);
    TL_ASSERT_FATAL(done(7, 1), "%s on %s buffer had not returned 1 s later", what, state);
    TL_CHECK(pthread_join(ops[7].id, NULL));
    if (!put) { /* what came out, and what had to (false leaves *item alone: -1) */
        snprintf(got, sizeof got, ", item %ld", ops[7].item);
        snprintf(expected, sizeof expected, ", item %ld", want ? item : -1);
    }
    TL_ASSERT_FATAL(ops[7].ret == want && (put || ops[7].item == (want ? item : -1)), "%s on %s "
                    "buffer returned %s%s (expected %s%s)", what, state, ops[7].ret ? "true" :
                    "false", got, want ? "true" : "false", expected);
}

static void fifo_order(void) /* rounds of puts then gets, so the ring wraps around */
{
    long in = 0, out = 0;
    buffer_init(&B, 3);
    for (int round = 1; round <= 12; round++) {
        for (int i = 0; i < 1 + round % 3; i++)
            call(true, in++, true);
        while (out < in)
            call(false, out++, true);
    }
    buffer_destroy(&B);
}

static void after_close(void)
{
    buffer_init(&B, 4);
    for (long i = 1; i <= 5; i++) { /* 3 puts into the open buffer, then one after each close() */
        if (i > 3)
            buffer_close(&B);
        call(true, i, i <= 3);
    }
    TL_ASSERT_FATAL(B.count == 3, "after 3 puts, then 2 puts refused after close(), the buffer "
                    "holds %zu items (expected 3)", B.count);
    for (long i = 1; i <= 5; i++) /* the 3 items put before close(), then nothing */
        call(false, i, i <= 3);
    buffer_destroy(&B);
}

static void destroy_frees(void)
{
    long got, (*n)(tl_spy_call) = tl_spy_count;
    tl_spy_reset();
    buffer_init(&B, 16);
    TL_ASSERT_FATAL(buffer_put(&B, 1) && buffer_get(&B, &got), "put then get failed");
    buffer_destroy(&B);
    long made = n(TL_SPY_MUTEX_INIT) + n(TL_SPY_COND_INIT), gone = n(TL_SPY_MUTEX_DESTROY) +
         n(TL_SPY_COND_DESTROY), live = tl_spy_live_allocations();
    TL_ASSERT(!live && made == gone, "after buffer_destroy: %ld allocation(s) still live; %ld of "
              "the %ld mutexes and condvars of buffer_init destroyed", live, gone, made);
}

/* Hook: did the check's second call end before any helper held the lock? */
static void count_unlocks(const tl_spy_event *e)
{
    if (e->object == &B.lock && helper)
        atomic_fetch_add_explicit(&helper_unlocks, 1, RELAXED);
    else if (e->object == &B.lock && atomic_fetch_add_explicit(&main_unlocks, 1, RELAXED) == 1)
        atomic_store_explicit(&forced, !atomic_load_explicit(&helper_unlocks, RELAXED), RELAXED);
}

/* Hook: helpers 1 .. pause_max wait at their lock call number pause_nth until let go. */
static long pause_nth, pause_max;
static void pause_at_lock(const tl_spy_event *e)
{
    if (e->object == &B.lock && helper && helper <= pause_max &&
        tl_spy_count_mine(TL_SPY_LOCK) == pause_nth) {
        atomic_fetch_add_explicit(&paused, 1, RELAXED);
        UNTIL(atomic_load_explicit(&may_go, RELAXED), 2000);
    }
}

/* n getters (putters) really wait on an empty (full) buffer — or, AT_LOCK, are held just before
 * their first lock — then the check acts: 3 wake-ups with nothing changed, then a put (get); or
 * close(); or n puts (gets) back to back before any woken helper runs (one CPU, helpers at
 * SCHED_IDLE; a hook confirms it, else the round is done again). */
enum act { WAKE, CLOSE, AT_LOCK, BACK_TO_BACK };
static void waiters(bool put, int n, enum act act)
{
    pthread_cond_t *cond = put ? &B.not_full : &B.not_empty;
    const char *who = put ? "producers" : "consumers", *how = act == CLOSE || act == AT_LOCK ?
        "close()" : act == WAKE ? "the check's call" : put ? "two gets" : "two puts";
    bool closes = act == CLOSE || act == AT_LOCK, pinned = act == BACK_TO_BACK &&
                                                           tl_check_one_cpu();
    atomic_store(&forced, act != BACK_TO_BACK);
    for (int round = 0; round < 10 && (round == 0 || !atomic_load(&forced)); round++) {
        tl_spy_reset();
        buffer_init(&B, (size_t)n);
        for (long i = 1; put && i <= n; i++)
            TL_ASSERT_FATAL(buffer_put(&B, i), "put into a buffer with room returned false");
        atomic_store(&paused, 0), atomic_store(&may_go, false), pause_nth = 1, pause_max = n;
        atomic_store(&main_unlocks, 0), atomic_store(&helper_unlocks, 0);
        tl_spy_on(TL_SPY_LOCK, act == AT_LOCK ? pause_at_lock : NULL);
        start(0, n, put, 10, pinned);
        UNTIL(done(0, n) || tl_spy_waiting(cond) >= n || atomic_load(&paused) >= n, 1000);
        TL_ASSERT_FATAL(!done(0, n) && (tl_spy_waiting(cond) >= n || atomic_load(&paused) >= n),
                        "a %s %s", put ? "put on a full buffer" : "get on an empty, open buffer",
                        done(0, n) ? "returned instead of waiting" : "did not wait within 1 s");
        for (int k = 0; act == WAKE && k < 3; k++) {
            long waits = tl_spy_count(TL_SPY_WAIT);
            tl_spy_wake_spuriously(cond);
            UNTIL(done(0, 1) || (tl_spy_count(TL_SPY_WAIT) > waits && tl_spy_waiting(cond)), 1000);
            TL_ASSERT_FATAL(!done(0, 1), "woken with nothing changed (as a spurious wake-up), a "
                            "%s on a%s, open buffer returned %s (item %ld)", put ? "put" : "get",
                            put ? " full" : "n empty", ops[0].ret ? "true" : "false", ops[0].item);
        }
        tl_spy_on(TL_SPY_UNLOCK, act == BACK_TO_BACK ? count_unlocks : NULL);
        if (closes)
            buffer_close(&B);
        atomic_store_explicit(&may_go, true, RELAXED);
        for (long i = 1, got; !closes && i <= n; i++)
            (void)(put ? buffer_get(&B, &got) : buffer_put(&B, 20 + i));
        UNTIL(done(0, n) == n, 1000);
        tl_spy_on(TL_SPY_UNLOCK, NULL);
        TL_ASSERT_FATAL(done(0, n) == n, "%d of %d %s %s still wait 1 s after %s", n - done(0, n),
                        n, act == AT_LOCK ? "held" : "waiting", who, how);
        for (int i = 0; i < n; i++)
            TL_ASSERT(ops[i].ret != closes && (put || closes || ops[i].item > 20), "a %s returned "
                      "%s (item %ld) after %s", put ? "put" : "get", ops[i].ret ? "true" : "false",
                      ops[i].item, how);
        finish(n);
        buffer_destroy(&B);
    }
}
static void wait_through_wakeups(void) { waiters(false, 1, WAKE), waiters(true, 1, WAKE); }
static void back_to_back(void) { waiters(false, 2, BACK_TO_BACK), waiters(true, 2, BACK_TO_BACK); }
static void close_wakes_all(void) { waiters(false, 3, CLOSE), waiters(true, 3, CLOSE); }
static void close_at_lock(void) { waiters(false, 1, AT_LOCK), waiters(true, 1, AT_LOCK); }

static void last_slot(void)
{
    buffer_init(&B, 1);
    pause_nth = 2, pause_max = 1, atomic_store(&paused, 0), atomic_store(&may_go, false);
    tl_spy_on(TL_SPY_LOCK, pause_at_lock);
    start(0, 1, true, 1, false);
    UNTIL(done(0, 1) || atomic_load(&paused), 1000);
    start(1, 1, true, 2, false);
    UNTIL(done(1, 1) || tl_spy_waiting(&B.not_full), 1000);
    atomic_store_explicit(&may_go, true, RELAXED);
    UNTIL(done(0, 1), 1000);
    TL_ASSERT_FATAL(done(0, 2) == 1, "%d of 2 puts into the one free slot returned%s", done(0, 2),
                    done(0, 2) == 2 ? ": the room one saw was gone when it wrote its item" : "");
    buffer_close(&B);
    UNTIL(done(0, 2) == 2, 1000);
    finish(2);
    buffer_destroy(&B);
}

TL_CHECK_TABLE("lab05",
    {.name = "items come out in the order they went in, also once the ring wraps around",
     .promises = "get.fifo", .points = 1, .run = fifo_order, .hints = {"The buffer is a ring: the "
     "oldest item is at head, the next free slot count slots on.", "buffer_put: where the item "
     "goes.", "Find the slot from head and count together, wrapped by capacity."}},
    {.name = "after close(), put returns false and adds nothing, and get still delivers the items "
     "put before, then returns false", .promises = "put.closed get.drains close.twice", .points = 2,
     .run = after_close, .hints = {"Closed means no new items; the ones inside are still handed "
     "out.", "buffer_put after its wait loop; buffer_get where it gives up.",
     "Put refuses once closed; get returns false only when closed AND empty."}},
    {.name = "buffer_destroy frees what buffer_init allocated, and destroys its mutex and condvars",
     .promises = "destroy.frees", .points = 1, .run = destroy_frees, .hints = {"What init creates, "
     "destroy undoes: the slot array too.", "buffer_destroy.", "Free the array, destroy each "
     "mutex and condition variable init made."}},
    {.name = "get on an empty buffer and put on a full one wait, and wake-ups with nothing changed "
     "do not end them", .promises = "get.waits get.never_empty put.waits put.never_full",
     .points = 3, .flags = TL_CHECK_RACES, .run = wait_through_wakeups, .hints = {"A wake-up only "
     "means \"look again\": it may be spurious, or another thread got there first.", "buffer_get "
     "and buffer_put: the test around each wait.", "Test the condition again after every wake-up, "
     "in a loop, not once."}},
    {.name = "two puts back to back wake both consumers waiting on an empty buffer; two gets, both "
     "producers waiting on a full one", .promises = "put.wakes_consumer get.wakes_producer",
     .points = 3, .flags = TL_CHECK_RACES, .run = back_to_back, .hints = {"A signal is not "
     "remembered: the thread woken first may not have run when the second item (or slot) comes.",
     "buffer_put and buffer_get: when each signals.", "Signal for every item added and taken, "
     "not only at empty or full."}},
    {.name = "close() wakes every consumer waiting on an empty buffer and every producer waiting "
     "on a full one", .promises = "close.wakes_consumers close.wakes_producers buffer.locked",
     .points = 3, .flags = TL_CHECK_RACES, .run = close_wakes_all, .hints = {"A signal wakes one "
     "waiter; all, on both condvars, must see the flag, set with the mutex held.", "buffer_close.",
     "Set the flag inside the critical section, then wake every waiter of both condvars."}},
    {.name = "a get or put held just before its lock while close() runs returns false, and reads "
     "closed only with the mutex held", .promises = "put.closed buffer.locked", .points = 2,
     .flags = TL_CHECK_RACES, .run = close_at_lock, .hints = {"A look at closed without the mutex "
     "is a data race, and may be stale by the next line.", "buffer_put and buffer_get: any test "
     "before pthread_mutex_lock.", "Take the lock first, then test the fields."}},
    {.name = "two puts racing for the last free slot: one adds its item, the other waits",
     .promises = "put.never_full", .points = 2, .flags = TL_CHECK_RACES, .run = last_slot,
     .hints = {"Room seen in one critical section may be gone in the next.", "buffer_put: how many "
     "times it takes the lock.", "Test for room and write the item in one critical section."}});
