/* checks.c — lab05's checks (checks.h) of the bounded buffer. Every order is forced: the spy says
 * a helper really waits, a hook pauses one at its lock, a lost wake-up runs on one CPU. */
#include <stdatomic.h>
#include <stdint.h>

#include "check.h"
#include "checks.h"
#include "clock.h"
#include "exercise.h"

#define RELAXED memory_order_relaxed /* the checks' own flags: no happens-before for TSan */
/* Polls `cond` every ms until it holds or `ms` (scaled) have passed. */
#define UNTIL(cond, ms)                                                                            \
    for (struct timespec end_ = tl_deadline_monotonic(tl_check_ms(ms));                           \
         !(cond) && tl_ms_until(end_) > 0;)                                                        \
    tl_sleep_ms(1)

/* ThreadSanitizer sleeps 1 s at every exit by default (atexit_sleep_ms), once per check. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }

static bounded_buffer B; /* static: a helper stuck in the buffer outlives its check */
static struct { bool put, last, ret; long item; atomic_bool done; pthread_t id; } ops[8];
static _Thread_local int helper; /* on a helper thread: its index in ops + 1 */
static atomic_int paused, main_unlocks, helper_unlocks;
static atomic_bool may_go, forced;

static void *op_main(void *arg)
{
    intptr_t i = (intptr_t)arg;
    helper = (int)i + 1;
    if (ops[i].last)
        tl_check_run_last();
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
        TL_CHECK(atomic_load(&ops[i].done) ? pthread_join(ops[i].id, NULL) : pthread_detach(ops[i].id));
}

static void fifo_order(void)
{
    long in = 0, out = 0, got;
    buffer_init(&B, 3);
    for (int round = 1; round <= 12; round++) {
        for (int i = 0; i < 1 + round % 3; i++)
            TL_ASSERT_FATAL(buffer_put(&B, in++), "put into a buffer with room returned false");
        for (; out < in; out++)
            TL_ASSERT_FATAL(buffer_get(&B, &got) && got == out, "get returned item %ld, expected "
                            "%ld (the oldest; round %d of puts then gets through 3 slots)", got,
                            out, round);
    }
    buffer_destroy(&B);
}

static void closed_refuses_puts(void)
{
    long got = -7;
    buffer_init(&B, 2);
    TL_ASSERT_FATAL(buffer_put(&B, 1), "put into an empty, open buffer returned false");
    buffer_close(&B);
    TL_ASSERT_FATAL(!buffer_put(&B, 2), "put after close() returned true (expected false)");
    buffer_close(&B);
    TL_ASSERT_FATAL(!buffer_put(&B, 3), "put after a second close() returned true");
    TL_ASSERT_FATAL(buffer_get(&B, &got) && got == 1 && !buffer_get(&B, &got), "after close(), "
                    "get returned item %ld though only item 1 was accepted", got);
    buffer_destroy(&B);
}

static void close_drains(void)
{
    long got = -7;
    buffer_init(&B, 4);
    for (long i = 1; i <= 3; i++)
        TL_ASSERT_FATAL(buffer_put(&B, i), "put into a buffer with room returned false");
    buffer_close(&B);
    for (long i = 1; i <= 3; i++)
        TL_ASSERT_FATAL(buffer_get(&B, &got) && got == i, "get %ld after close() did not return "
                        "true with item %ld (got %ld), and 3 items were in the buffer", i, i, got);
    for (int i = 0; i < 2; i++)
        TL_ASSERT_FATAL(!buffer_get(&B, &got) && got == 3, "get on a closed, empty buffer "
                        "returned true or changed *item (got %ld)", got);
    buffer_destroy(&B);
}

static void destroy_frees(void)
{
    long got, (*n)(tl_spy_call) = tl_spy_count;
    tl_spy_reset();
    buffer_init(&B, 16);
    TL_ASSERT_FATAL(buffer_put(&B, 1) && buffer_get(&B, &got), "put then get failed");
    buffer_destroy(&B);
    TL_ASSERT(tl_spy_live_allocations() == 0, "%ld allocation(s) still live after buffer_destroy",
              tl_spy_live_allocations());
    TL_ASSERT(n(TL_SPY_MUTEX_DESTROY) == n(TL_SPY_MUTEX_INIT) && n(TL_SPY_COND_DESTROY) ==
              n(TL_SPY_COND_INIT), "init made %ld mutex and %ld condvar inits, destroy %ld and %ld",
              n(TL_SPY_MUTEX_INIT), n(TL_SPY_COND_INIT), n(TL_SPY_MUTEX_DESTROY),
              n(TL_SPY_COND_DESTROY));
}

/* A get (put) on an empty (full) buffer waits, and 3 wake-ups with nothing changed do not end it. */
static void waits_through_wakeups(bool put)
{
    pthread_cond_t *cond = put ? &B.not_full : &B.not_empty;
    const char *what = put ? "put on a full" : "get on an empty";
    long got, waits = 0;
    tl_spy_reset();
    buffer_init(&B, 1);
    TL_ASSERT_FATAL(!put || buffer_put(&B, 1), "put into an empty buffer returned false");
    start(0, 1, put, 2, false);
    for (int wakeups = 0; wakeups <= 3; wakeups++) {
        if (wakeups > 0)
            waits = tl_spy_count(TL_SPY_WAIT), tl_spy_wake_spuriously(cond);
        UNTIL(done(0, 1) || (tl_spy_count(TL_SPY_WAIT) > waits && tl_spy_waiting(cond) > 0), 1000);
        TL_ASSERT_FATAL(!done(0, 1), "%s, open buffer returned %s (item %ld) %s", what,
                        ops[0].ret ? "true" : "false", ops[0].item, wakeups ? "after a wake-up "
                        "with nothing changed, as a spurious one is" : "instead of waiting");
        TL_ASSERT_FATAL(tl_spy_waiting(cond) > 0, "%s buffer neither returned nor waited on %s "
                        "within 1 s", what, put ? "not_full" : "not_empty");
    }
    TL_ASSERT_FATAL(put ? buffer_get(&B, &got) : buffer_put(&B, 2), "the check's own call failed");
    UNTIL(done(0, 1), 1000);
    TL_ASSERT_FATAL(done(0, 1) && ops[0].ret && (put || ops[0].item == 2), "the waiting %s did "
                    "not return true within 1 s of a %s", put ? "put" : "get", put ? "get" : "put");
    finish(1);
    buffer_destroy(&B);
}
static void get_waits(void) { waits_through_wakeups(false); }
static void put_waits(void) { waits_through_wakeups(true); }

/* Hook: was the check's second call done before any helper held the lock? */
static void count_unlocks(const tl_spy_event *e)
{
    if (e->object == &B.lock && helper)
        atomic_fetch_add_explicit(&helper_unlocks, 1, RELAXED);
    else if (e->object == &B.lock && atomic_fetch_add_explicit(&main_unlocks, 1, RELAXED) == 1)
        atomic_store_explicit(&forced, !atomic_load_explicit(&helper_unlocks, RELAXED), RELAXED);
}

/* Two consumers (producers) really wait; two puts (gets) come back to back before either woken
 * one runs (one CPU, helpers at SCHED_IDLE; the hook confirms it, else the round is repeated). */
static void back_to_back(bool puts)
{
    const char *who = puts ? "consumers" : "producers";
    pthread_cond_t *cond = puts ? &B.not_empty : &B.not_full;
    bool pinned = tl_check_one_cpu();
    atomic_store(&forced, false);
    long got;
    for (int round = 0; round < 10 && !atomic_load(&forced); round++) {
        buffer_init(&B, 2);
        TL_ASSERT_FATAL(puts || (buffer_put(&B, 1) && buffer_put(&B, 2)), "put returned false");
        start(0, 2, !puts, 10, pinned);
        TL_ASSERT_FATAL(tl_spy_await_waiting(cond, 2, 1000), "only %d of 2 %s waited within 1 s",
                        tl_spy_waiting(cond), who);
        atomic_store(&main_unlocks, 0), atomic_store(&helper_unlocks, 0);
        tl_spy_on(TL_SPY_UNLOCK, count_unlocks);
        for (long i = 1; i <= 2; i++)
            TL_ASSERT_FATAL(puts ? buffer_put(&B, 20 + i) : buffer_get(&B, &got), "call failed");
        UNTIL(done(0, 2) == 2, 1000);
        tl_spy_on(TL_SPY_UNLOCK, NULL);
        TL_ASSERT_FATAL(done(0, 2) == 2, "%d of 2 waiting %s still wait 1 s after two %s back "
                        "to back, with %s for both", 2 - done(0, 2), who, puts ? "puts" : "gets",
                        puts ? "items" : "room");
        finish(2);
        buffer_destroy(&B);
    }
}
static void puts_wake(void) { back_to_back(true); }
static void gets_wake(void) { back_to_back(false); }

static void close_wakes(bool consumers)
{
    const char *who = consumers ? "consumers" : "producers";
    pthread_cond_t *cond = consumers ? &B.not_empty : &B.not_full;
    long got = -1;
    buffer_init(&B, 1);
    TL_ASSERT_FATAL(consumers || buffer_put(&B, 1), "put into an empty buffer returned false");
    start(0, 3, !consumers, 10, false);
    TL_ASSERT_FATAL(tl_spy_await_waiting(cond, 3, 1000), "only %d of 3 %s waited within 1 s",
                    tl_spy_waiting(cond), who);
    buffer_close(&B);
    UNTIL(done(0, 3) == 3, 1000);
    TL_ASSERT_FATAL(done(0, 3) == 3, "%d of 3 waiting %s returned after close(); %d still wait "
                    "1 s later", done(0, 3), who, 3 - done(0, 3));
    for (int i = 0; i < 3; i++)
        TL_ASSERT(!ops[i].ret, "a waiting %s returned true after close()", who);
    TL_ASSERT(consumers || (buffer_get(&B, &got) && got == 1), "the item put before close() "
              "was not delivered (got %ld)", got);
    finish(3);
    buffer_destroy(&B);
}
static void close_wakes_consumers(void) { close_wakes(true); }
static void close_wakes_producers(void) { close_wakes(false); }

/* Hook: helpers up to `max` wait at their lock call number `nth` until the check lets them go. */
static void pause_at(const tl_spy_event *e, long nth, int max)
{
    if (e->object == &B.lock && helper && helper <= max && tl_spy_count_mine(TL_SPY_LOCK) == nth) {
        atomic_fetch_add_explicit(&paused, 1, RELAXED);
        UNTIL(atomic_load_explicit(&may_go, RELAXED), 2000);
    }
}
static void pause_first_lock(const tl_spy_event *e) { pause_at(e, 1, 2); }
static void pause_second_lock(const tl_spy_event *e) { pause_at(e, 2, 1); }

static void close_meets_callers(void)
{
    buffer_init(&B, 2);
    tl_spy_on(TL_SPY_LOCK, pause_first_lock);
    start(0, 1, true, 5, false);
    start(1, 1, false, 0, false);
    UNTIL(done(0, 2) || atomic_load(&paused) == 2, 1000);
    TL_ASSERT_FATAL(atomic_load(&paused) == 2 && !done(0, 2), "a put and a get on a buffer with "
                    "room and no items did not both reach their pthread_mutex_lock within 1 s");
    buffer_close(&B);
    atomic_store_explicit(&may_go, true, RELAXED);
    UNTIL(done(0, 2) == 2, 1000);
    TL_ASSERT_FATAL(done(0, 2) == 2, "a put or get that took the lock after close() had not "
                    "returned 1 s later");
    TL_ASSERT(!ops[0].ret, "a put that took the lock after close() returned true");
    TL_ASSERT(!ops[1].ret, "a get that took the lock after close() returned true");
    finish(2);
    buffer_destroy(&B);
}

static void last_slot(void)
{
    long got;
    buffer_init(&B, 1);
    tl_spy_on(TL_SPY_LOCK, pause_second_lock);
    start(0, 1, true, 1, false);
    UNTIL(done(0, 1) || atomic_load(&paused), 1000);
    start(1, 1, true, 2, false);
    UNTIL(done(1, 1) || tl_spy_waiting(&B.not_full), 1000);
    atomic_store_explicit(&may_go, true, RELAXED);
    UNTIL(done(0, 1), 1000);
    TL_ASSERT_FATAL(done(0, 2) == 1, "%d of 2 puts into the one free slot returned%s", done(0, 2),
                    done(0, 2) == 2 ? ": the room one saw was gone when it wrote its item" : "");
    TL_ASSERT_FATAL(buffer_get(&B, &got) && got == 1, "get returned %ld, expected item 1", got);
    UNTIL(done(0, 2) == 2, 1000);
    TL_ASSERT_FATAL(done(0, 2) == 2 && buffer_get(&B, &got) && got == 2,
                    "the waiting put did not add its item after a get made room");
    finish(2);
    buffer_destroy(&B);
}

enum { P = 4, N = 1000 }; /* the stress: P producers of N items each, P consumers */
static atomic_uchar seen[P * N];
static atomic_long moved, bad, overfull;
static atomic_int ended[2];

static void count_at_unlock(const tl_spy_event *e)
{
    if (e->object == &B.lock && B.count > B.capacity)
        atomic_fetch_add_explicit(&overfull, 1, RELAXED);
}

static void *mover(void *arg)
{
    long me = (long)(intptr_t)arg, last[P] = {-1, -1, -1, -1}, item;
    for (long s = 0; me < P && s < N && buffer_put(&B, me * N + s); s++)
        ;
    while (me >= P && buffer_get(&B, &item)) {
        bool ok = item >= 0 && item < P * N && !atomic_fetch_add(&seen[item], 1) &&
                  item % N > last[item / N];
        if (ok)
            last[item / N] = item % N;
        atomic_fetch_add(ok ? &moved : &bad, 1);
    }
    atomic_fetch_add(&ended[me >= P], 1);
    return NULL;
}

static void stress(void)
{
    pthread_t t[2 * P];
    buffer_init(&B, 2);
    tl_spy_on(TL_SPY_UNLOCK, count_at_unlock);
    for (intptr_t i = 0; i < 2 * P; i++)
        TL_CHECK(pthread_create(&t[i], NULL, mover, (void *)i));
    UNTIL(atomic_load(&ended[0]) == P, 4000);
    TL_ASSERT_FATAL(atomic_load(&ended[0]) == P, "%d of %d producers still blocked after 4 s (%ld "
                    "items moved)", P - atomic_load(&ended[0]), P, atomic_load(&moved));
    buffer_close(&B);
    UNTIL(atomic_load(&ended[1]) == P, 1000);
    TL_ASSERT_FATAL(atomic_load(&ended[1]) == P, "%d of %d consumers still blocked 1 s after "
                    "close()", P - atomic_load(&ended[1]), P);
    for (int i = 0; i < 2 * P; i++)
        TL_CHECK(pthread_join(t[i], NULL));
    TL_ASSERT(atomic_load(&moved) == P * N && !atomic_load(&bad), "%ld of %d items arrived "
              "right; %ld were duplicated, invented or out of their producer's order",
              atomic_load(&moved), P * N, atomic_load(&bad));
    TL_ASSERT(!atomic_load(&overfull), "%ld times the buffer let go of its lock holding more "
              "items than its capacity", atomic_load(&overfull));
    buffer_destroy(&B);
}

TL_CHECK_TABLE("lab05",
    {.name = "items come out in the order they went in, also once the ring wraps around",
     .promises = "get.fifo", .points = 1, .run = fifo_order,
     .hints = {"The buffer is a ring: the oldest item is at head, the free slot count slots after it.",
               "buffer_put: where the new item is written.",
               "Compute the slot from head and count together, wrapped by the capacity."}},
    {.name = "after close(), put returns false and adds nothing; closing twice changes nothing",
     .promises = "put.closed close.twice", .points = 1, .run = closed_refuses_puts,
     .hints = {"A closed buffer accepts no new item, whether put had to wait or not.",
               "buffer_put: what it does after its wait loop, before it writes the item.",
               "When the loop ends, look at the closed flag and leave without adding."}},
    {.name = "get still delivers the items put before close(), then returns false",
     .promises = "get.drains", .points = 1, .run = close_drains,
     .hints = {"Closed means no more puts, not that the items already there are thrown away.",
               "buffer_get: the test that decides to return false.",
               "Return false only when the buffer is empty; closed alone is not enough."}},
    {.name = "buffer_destroy frees what buffer_init allocated, and destroys its mutex and condvars",
     .promises = "destroy.frees", .points = 1, .run = destroy_frees,
     .hints = {"Everything init creates, destroy has to undo: the slot array too.",
               "buffer_destroy.", "Free the items array, and destroy each object init created."}},
    {.name = "get on an empty, open buffer waits, and a wake-up with nothing changed does not end it",
     .promises = "get.waits get.never_empty", .points = 3, .flags = TL_CHECK_RACES, .run = get_waits,
     .hints = {"A return from pthread_cond_wait only means \"look again\": it may be spurious, or "
               "another consumer took the item first.", "buffer_get: the test around its wait.",
               "Test the whole condition again after every wake-up, in a loop, not once."}},
    {.name = "put on a full buffer waits, and a wake-up with nothing changed does not end it",
     .promises = "put.waits put.never_full", .points = 2, .flags = TL_CHECK_RACES, .run = put_waits,
     .hints = {"A woken producer may find the buffer as full as before: wake-ups can be spurious.",
               "buffer_put: the test around its wait.",
               "Loop on the full-and-open condition, so an item only goes into a free slot."}},
    {.name = "two puts back to back wake both consumers waiting on an empty buffer",
     .promises = "put.wakes_consumer", .points = 2, .flags = TL_CHECK_RACES, .run = puts_wake,
     .hints = {"A signal is not remembered: the consumer woken by the first put may not have run "
               "yet when the second comes, and the second item needs a wake-up of its own.",
               "buffer_put: when it signals not_empty.",
               "Signal for every item added, not only when the buffer stops being empty."}},
    {.name = "two gets back to back wake both producers waiting on a full buffer",
     .promises = "get.wakes_producer", .points = 2, .flags = TL_CHECK_RACES, .run = gets_wake,
     .hints = {"Each free slot needs a wake-up of its own: the producer woken by the first get may "
               "not have run yet when the second frees another slot.",
               "buffer_get: when it signals not_full.",
               "Signal for every item taken, not only when the buffer stops being full."}},
    {.name = "close() wakes every consumer waiting on an empty buffer",
     .promises = "close.wakes_consumers buffer.locked", .points = 3, .flags = TL_CHECK_RACES,
     .run = close_wakes_consumers,
     .hints = {"A signal wakes at most one waiter, and every one must see the flag, which (like "
               "every field) is written with the mutex held.",
               "buffer_close: where it sets closed, and how it wakes the consumers.",
               "Set the flag inside the critical section, then wake all of not_empty's waiters."}},
    {.name = "close() wakes every producer waiting on a full buffer",
     .promises = "close.wakes_producers", .points = 2, .flags = TL_CHECK_RACES,
     .run = close_wakes_producers,
     .hints = {"Producers wait too, on the other condition variable, and nobody else will wake them.",
               "buffer_close: which condition variables it wakes.",
               "Wake every waiter of not_full as well as of not_empty."}},
    {.name = "a put or get that takes the lock after close() returns false, and reads closed only "
             "with the mutex held", .promises = "put.closed buffer.locked", .points = 2,
     .flags = TL_CHECK_RACES, .run = close_meets_callers,
     .hints = {"A look at closed without the mutex is a data race, and its answer may already be "
               "stale.", "buffer_put and buffer_get: any test before pthread_mutex_lock.",
               "Take the lock first, then test the fields."}},
    {.name = "two puts racing for the last free slot: one adds its item, the other waits",
     .promises = "put.never_full", .points = 2, .flags = TL_CHECK_RACES, .run = last_slot,
     .hints = {"Room seen in one critical section may be gone in the next: another producer can "
               "take the slot in between.", "buffer_put: how many times it takes the lock.",
               "Test for room and write the item in one and the same critical section."}},
    {.name = "4 producers and 4 consumers move 4000 items through 2 slots: each exactly once, in "
             "each producer's order, and close() then ends every consumer",
     .promises = "get.fifo get.never_empty put.never_full close.wakes_consumers buffer.locked",
     .points = 3, .bound_s = 10, .flags = TL_CHECK_RACES, .run = stress,
     .hints = {"Under load every interleaving happens: each wait needs its loop, each change its "
               "wake-up, each field the mutex.", "buffer_put, buffer_get and buffer_close.",
               "Hold each function against exercise.h, one promise at a time."}});
