/* queue_check.c — deadline-bounded checks of a bounded_queue; see queue_check.h for why they look so. */
#include "queue_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"
#include "exercise.h"

#define MAX_CALLS (2 * QUEUE_CHECK_MAX_SIDE + 4)
#define SHORT_TIMEOUT_MS 50 /* the timed calls that must time out */
#define EARLY_SLACK_MS 2.0  /* room for deadlines rounded to whole milliseconds */

typedef enum { OP_PUT, OP_PUT_MS, OP_GET, OP_GET_MS, OP_SHUTDOWN, OP_PRODUCE, OP_CONSUME, OP_ONE_THREAD } op_kind;

typedef struct trial trial;

/* One call into the queue (or, for OP_PRODUCE/OP_CONSUME, a loop of them) on its own thread. */
typedef struct {
    trial *t;
    op_kind op;
    uintptr_t item;     /* OP_PUT*: the item; OP_GET*: what came out; OP_PRODUCE: the first item */
    long count;         /* OP_PRODUCE: items to put; OP_CONSUME: room in got */
    uintptr_t *got;     /* OP_CONSUME: the items in the order this consumer took them */
    long ngot;
    queue_status status; /* read only once has_returned() says so */
    pthread_t id;
    bool returned;       /* under the trial's returned_lock */
} call;

/* One check's world. Threads stuck in a broken queue point into it, so unless every call
 * returned it is deliberately never freed. */
struct trial {
    bounded_queue q;
    long bound_ms;
    int started;
    /* Guards every call's `returned`. A mutex, not an atomic flag: once has_returned() is true,
     * the call's results are final, and valgrind's helgrind can see that order only through a
     * pthread call (it cannot see the ordering C11 atomics give). */
    pthread_mutex_t returned_lock;
    call calls[MAX_CALLS];
    queue_check_result one_thread; /* OP_ONE_THREAD's verdict */
};

static queue_check_result verdict(bool passed, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static queue_check_result verdict(bool passed, const char *advice, const char *fmt, ...)
{
    queue_check_result r = {.passed = passed};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    snprintf(r.advice, sizeof r.advice, "%s", passed ? "" : advice);
    return r;
}

static const char *status_name(queue_status s)
{
    return s == QUEUE_OK ? "OK" : s == QUEUE_TIMEOUT ? "TIMEOUT" : s == QUEUE_SHUTDOWN ? "SHUTDOWN" : "an unknown status";
}

#define ITEM(n) ((void *)(uintptr_t)(n))

/* ---- calls on threads of their own ---- */

static void one_thread_body(trial *t);

static void *run_call(void *arg)
{
    call *c = arg;
    bounded_queue *q = &c->t->q;
    long long_wait = 4 * c->t->bound_ms; /* longer than any check waits: it never expires first */
    void *item = NULL;
    switch (c->op) {
    case OP_PUT:
        c->status = queue_put(q, ITEM(c->item));
        break;
    case OP_PUT_MS:
        c->status = queue_put_ms(q, ITEM(c->item), long_wait);
        break;
    case OP_GET:
    case OP_GET_MS:
        c->status = c->op == OP_GET ? queue_get(q, &item) : queue_get_ms(q, &item, long_wait);
        c->item = (uintptr_t)item;
        break;
    case OP_SHUTDOWN:
        queue_shutdown(q);
        break;
    case OP_PRODUCE:
        c->status = QUEUE_OK;
        for (long i = 0; i < c->count && c->status == QUEUE_OK; i++)
            c->status = queue_put(q, ITEM(c->item + (uintptr_t)i));
        break;
    case OP_CONSUME:
        /* A broken get() can hand out garbage forever: stop once more came out than went in. */
        while (c->ngot < c->count && (c->status = queue_get(q, &item)) == QUEUE_OK)
            c->got[c->ngot++] = (uintptr_t)item;
        break;
    case OP_ONE_THREAD:
        one_thread_body(c->t);
        break;
    }
    TL_CHECK(pthread_mutex_lock(&c->t->returned_lock));
    c->returned = true;
    TL_CHECK(pthread_mutex_unlock(&c->t->returned_lock));
    return NULL;
}

/* True once c's thread is done with the queue; c's results may be read from then on. */
static bool has_returned(const call *c)
{
    TL_CHECK(pthread_mutex_lock(&c->t->returned_lock));
    bool returned = c->returned;
    TL_CHECK(pthread_mutex_unlock(&c->t->returned_lock));
    return returned;
}

static trial *trial_new(size_t maxsize, long bound_ms)
{
    trial *t = tl_xcalloc(1, sizeof *t);
    queue_init(&t->q, maxsize);
    t->bound_ms = bound_ms;
    TL_CHECK(pthread_mutex_init(&t->returned_lock, NULL));
    return t;
}

static call *start(trial *t, op_kind op, uintptr_t item, long count)
{
    if (t->started == MAX_CALLS)
        TL_DIE("queue_check: more than %d calls", MAX_CALLS);
    call *c = &t->calls[t->started++];
    *c = (call){.t = t, .op = op, .item = item, .count = count};
    if (op == OP_CONSUME)
        c->got = tl_xcalloc((size_t)count, sizeof *c->got);
    TL_CHECK(pthread_create(&c->id, NULL, run_call, c));
    return c;
}

/* How many of calls[from, to) have returned. */
static int returned_in(trial *t, int from, int to)
{
    int n = 0;
    for (int i = from; i < to; i++)
        n += has_returned(&t->calls[i]);
    return n;
}

/* Waits (polling: a broken queue wakes nobody outside) until calls[from, to) have all returned
 * or ms pass; returns how many had. */
static int await_range(trial *t, int from, int to, long ms)
{
    struct timespec deadline = tl_deadline_monotonic(ms);
    while (returned_in(t, from, to) < to - from && tl_ms_until(deadline) > 0)
        tl_sleep_ms(1);
    return returned_in(t, from, to);
}

static bool await_call(trial *t, call *c)
{
    int i = (int)(c - t->calls);
    return await_range(t, i, i + 1, t->bound_ms) == 1;
}

/* Locks the queue's mutex within the bound: a queue that never unlocks must not hang us. */
static bool lock_queue(trial *t)
{
    struct timespec deadline = tl_deadline_realtime(t->bound_ms);
    return TL_CHECK_EXPECT(pthread_mutex_timedlock(&t->q.lock, &deadline), ETIMEDOUT) == 0;
}

typedef enum { WAITING, SOMEONE_RETURNED, NEITHER } poll_outcome;

/* Until *counter (getter_waits or putter_waits) reaches target, or more calls than
 * returned_before have returned, or the bound passes. */
static poll_outcome poll_waits(trial *t, const unsigned long *counter, unsigned long target,
                               int returned_before)
{
    struct timespec deadline = tl_deadline_monotonic(t->bound_ms);
    for (;;) {
        if (returned_in(t, 0, t->started) > returned_before)
            return SOMEONE_RETURNED;
        if (!lock_queue(t))
            return NEITHER;
        bool reached = *counter >= target;
        TL_CHECK(pthread_mutex_unlock(&t->q.lock));
        if (reached)
            return WAITING;
        if (tl_ms_until(deadline) == 0)
            return NEITHER;
        tl_sleep_ms(1);
    }
}

/* A wake-up with nothing changed: what a spurious one looks like to the thread that wakes. */
static bool wake_without_change(trial *t, pthread_cond_t *cond)
{
    if (!lock_queue(t))
        return false;
    TL_CHECK(pthread_cond_broadcast(cond));
    TL_CHECK(pthread_mutex_unlock(&t->q.lock));
    return true;
}

/* The queue's count, read under its lock; -1 if the lock stayed held. */
static long read_count(trial *t)
{
    if (!lock_queue(t))
        return -1;
    long count = (long)t->q.count;
    TL_CHECK(pthread_mutex_unlock(&t->q.lock));
    return count;
}

/* Joins and frees everything when every call returned (a passed check's calls all do, perhaps
 * a moment after the ones it watched: they get the bound); otherwise joins those that returned,
 * detaches the ones stuck in the queue and leaves the trial to them. Returns r. */
static queue_check_result finish(trial *t, queue_check_result r)
{
    bool all = await_range(t, 0, t->started, r.passed ? t->bound_ms : 0) == t->started;
    for (int i = 0; i < t->started; i++) {
        if (has_returned(&t->calls[i]))
            TL_CHECK(pthread_join(t->calls[i].id, NULL));
        else
            TL_CHECK(pthread_detach(t->calls[i].id));
    }
    if (all) {
        for (int i = 0; i < t->started; i++)
            free(t->calls[i].got);
        queue_destroy(&t->q);
        TL_CHECK(pthread_mutex_destroy(&t->returned_lock));
        free(t);
    }
    return r;
}

static const char *const COUNT_WAITS =
    "wait_on() must add 1 to getter_waits / putter_waits just before each pthread_cond_wait or "
    "pthread_cond_timedwait (the starter does; keep that line), so the checks can tell that a "
    "thread is waiting; and a call on an empty (full) queue must wait, not return.";

/* ---- one thread ---- */

/* A timed call that must time out: TIMEOUT, and not before SHORT_TIMEOUT_MS. */
static bool times_out(bounded_queue *q, bool is_put, queue_status *s, double *waited)
{
    void *item = NULL;
    int64_t start_ns = tl_now_ns();
    *s = is_put ? queue_put_ms(q, ITEM(99), SHORT_TIMEOUT_MS) : queue_get_ms(q, &item, SHORT_TIMEOUT_MS);
    *waited = (double)(tl_now_ns() - start_ns) / 1e6;
    return *s == QUEUE_TIMEOUT && *waited >= SHORT_TIMEOUT_MS - EARLY_SLACK_MS;
}

static queue_check_result one_thread_verdict(bool passed, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static queue_check_result one_thread_verdict(bool passed, const char *fmt, ...)
{
    static const char advice[] =
        "put writes at (head + count) % maxsize, get reads at head and moves it on by one (both "
        "wrap around), size/empty/full read count under the lock; a timed call on a full (empty) "
        "queue waits until its deadline and then returns QUEUE_TIMEOUT, changing nothing.";
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return verdict(passed, advice, "%s", text);
}

static queue_check_result one_thread_run(bounded_queue *q) /* q: a new queue of 3 */
{
    size_t size = queue_size(q);
    bool empty = queue_empty(q), full = queue_full(q);
    if (size != 0 || !empty || full)
        return one_thread_verdict(false, "a new queue of 3: size() = %zu, empty() = %s, full() = "
                                  "%s (expected 0, true, false)", size, empty ? "true" : "false",
                                  full ? "true" : "false");
    static const int rounds[] = {1, 3, 2}; /* the second round's items wrap around the ring */
    uintptr_t next = 1;
    queue_status s;
    double waited;
    for (int r = 0; r < 3; r++) {
        for (int i = 0; i < rounds[r]; i++)
            if ((s = queue_put_ms(q, ITEM(next + (uintptr_t)i), 0)) != QUEUE_OK)
                return one_thread_verdict(false, "put_ms(item, 0) into a queue of 3 holding %d: "
                                          "%s (expected OK)", i, status_name(s));
        size = queue_size(q);
        full = queue_full(q);
        empty = queue_empty(q);
        if (size != (size_t)rounds[r] || full != (rounds[r] == 3) || empty)
            return one_thread_verdict(false, "%d items in a queue of 3: size() = %zu, full() = %s, "
                                      "empty() = %s (expected %d, %s, false)", rounds[r], size,
                                      full ? "true" : "false", empty ? "true" : "false",
                                      rounds[r], rounds[r] == 3 ? "true" : "false");
        if (rounds[r] == 3 && !times_out(q, true, &s, &waited))
            return one_thread_verdict(false, "put_ms(%d) on a full queue of 3: %s after %.1f ms, "
                                      "size() %zu (expected TIMEOUT after >= %d ms, size() 3)",
                                      SHORT_TIMEOUT_MS, status_name(s), waited, queue_size(q),
                                      SHORT_TIMEOUT_MS);
        for (int i = 0; i < rounds[r]; i++, next++) {
            void *item = NULL;
            if ((s = queue_get_ms(q, &item, 0)) != QUEUE_OK || item != ITEM(next))
                return one_thread_verdict(false, "get_ms(0) number %lu: %s with item %lu "
                                          "(expected OK with item %lu: first in, first out)",
                                          (unsigned long)next, status_name(s),
                                          (unsigned long)(uintptr_t)item, (unsigned long)next);
        }
    }
    bool ok = times_out(q, false, &s, &waited) && queue_empty(q);
    return one_thread_verdict(ok, "6 items in FIFO order through a queue of 3 (wrapping around), "
                              "size/empty/full right, put_ms(%d) on a full queue and get_ms(%d) "
                              "on an empty one: TIMEOUT%s (expected TIMEOUT after >= %d ms)",
                              SHORT_TIMEOUT_MS, SHORT_TIMEOUT_MS,
                              ok ? "" : ", then get_ms() did not time out as expected",
                              SHORT_TIMEOUT_MS);
}

static void one_thread_body(trial *t)
{
    t->one_thread = one_thread_run(&t->q);
}

queue_check_result queue_check_one_thread(const queue_check_config *cfg)
{
    trial *t = trial_new(3, cfg->bound_ms + 4 * SHORT_TIMEOUT_MS);
    call *c = start(t, OP_ONE_THREAD, 0, 0);
    if (!await_call(t, c))
        return finish(t, verdict(false, "A call on a queue with room (or with items) must not "
                                 "wait, and a timed call must return once its deadline has "
                                 "passed: leave the wait loop when the timed wait says ETIMEDOUT.",
                                 "one thread putting and getting on a queue of 3: still inside "
                                 "the queue after %ld ms (expected: done in about %d ms)",
                                 t->bound_ms, 2 * SHORT_TIMEOUT_MS));
    return finish(t, t->one_thread);
}

/* ---- woken with nothing changed ---- */

static const char *const RECHECK_GET =
    "A wake-up only means \"look again\": another getter may have taken the item first, or the "
    "wake-up was spurious. In get_until, wait in `while (q->count == 0 && !q->shut_down && "
    "time_left)`, not an `if`, and decide the result from the queue's state after the loop.";
static const char *const RECHECK_PUT =
    "A wake-up only means \"look again\": another putter may have filled the slot first, or the "
    "wake-up was spurious. In put_until, wait in `while (q->count == q->maxsize && !q->shut_down "
    "&& time_left)`, not an `if`, so a full queue is never written over.";

/* Both waiters are waiting (their counter reached 2): wakes them with nothing changed; each must
 * wait again (the counter reaches 4) rather than return. True when they did; otherwise `what`
 * says what happened instead, naming each call that returned and with what. */
static bool wait_again(trial *t, const unsigned long *counter, pthread_cond_t *cond,
                       int returned_before, const call *const waiters[2],
                       const char *const names[2], char *what, size_t len)
{
    poll_outcome o = NEITHER;
    if (!wake_without_change(t, cond)) {
        snprintf(what, len, "the queue's mutex stayed locked for %ld ms", t->bound_ms);
        return false;
    }
    if ((o = poll_waits(t, counter, 4, returned_before)) == WAITING)
        return true;
    if (o == NEITHER) {
        snprintf(what, len, "neither returned nor waited again within %ld ms", t->bound_ms);
        return false;
    }
    await_range(t, returned_before, t->started, 50); /* let the other one show it returned too */
    size_t n = 0;
    what[0] = '\0';
    for (int i = 0; i < 2; i++)
        if (has_returned(waiters[i]) && n < len)
            n += (size_t)snprintf(what + n, len - n, "%s%s returned %s", n ? ", " : "", names[i],
                                  status_name(waiters[i]->status));
    return false;
}

queue_check_result queue_check_get_rechecks(const queue_check_config *cfg)
{
    trial *t = trial_new(2, cfg->bound_ms);
    call *plain = start(t, OP_GET, 0, 0), *timed = start(t, OP_GET_MS, 0, 0);
    poll_outcome o = poll_waits(t, &t->q.getter_waits, 2, 0);
    if (o != WAITING)
        return finish(t, verdict(false, COUNT_WAITS, "get() and get_ms() on an empty queue: %s "
                                 "(expected: both wait)", o == SOMEONE_RETURNED ?
                                 "one returned at once" : "not both waiting within the bound"));
    char what[160];
    const call *const waiters[2] = {plain, timed};
    static const char *const names[2] = {"get()", "get_ms()"};
    if (!wait_again(t, &t->q.getter_waits, &t->q.not_empty, 0, waiters, names, what, sizeof what))
        return finish(t, verdict(false, RECHECK_GET, "woken with the queue still empty: %s "
                                 "(expected: wait again)", what));
    start(t, OP_PUT, 1, 0);
    start(t, OP_PUT, 2, 0);
    int back = await_range(t, 0, 4, t->bound_ms);
    bool ok = back == 4 && plain->status == QUEUE_OK && timed->status == QUEUE_OK &&
              plain->item + timed->item == 3 && plain->item * timed->item == 2;
    return finish(t, verdict(ok, "Once items are put, put() must signal not_empty and the "
                             "waiting getters must take them (each exactly once).",
                             "get() and get_ms() woken with the queue still empty waited again, "
                             "then %s once items 1 and 2 were put (expected: wait again, then "
                             "get 1 and 2)", ok ? "got 1 and 2" : "did not both get an item"));
}

queue_check_result queue_check_put_rechecks(const queue_check_config *cfg)
{
    trial *t = trial_new(1, cfg->bound_ms);
    call *first = start(t, OP_PUT, 1, 0);
    if (!await_call(t, first) || first->status != QUEUE_OK)
        return finish(t, verdict(false, "put() into an empty queue must not wait.", "put() into "
                                 "an empty queue of 1: did not return OK (expected OK at once)"));
    call *plain = start(t, OP_PUT, 2, 0), *timed = start(t, OP_PUT_MS, 3, 0);
    poll_outcome o = poll_waits(t, &t->q.putter_waits, 2, 1);
    if (o != WAITING)
        return finish(t, verdict(false, COUNT_WAITS, "put() and put_ms() on a full queue: %s "
                                 "(expected: both wait)", o == SOMEONE_RETURNED ?
                                 "one returned at once" : "not both waiting within the bound"));
    char what[160];
    const call *const waiters[2] = {plain, timed};
    static const char *const names[2] = {"put()", "put_ms()"};
    if (!wait_again(t, &t->q.putter_waits, &t->q.not_full, 1, waiters, names, what, sizeof what))
        return finish(t, verdict(false, RECHECK_PUT, "woken with the queue of 1 still full: %s; "
                                 "the queue's count is now %ld (expected: wait again, count 1)",
                                 what, read_count(t)));
    call *get1 = start(t, OP_GET_MS, 0, 0);
    bool ok = await_call(t, get1) && get1->status == QUEUE_OK && get1->item == 1;
    call *get2 = start(t, OP_GET_MS, 0, 0), *get3 = start(t, OP_GET_MS, 0, 0);
    ok = await_range(t, 0, t->started, t->bound_ms) == t->started && ok &&
         plain->status == QUEUE_OK && timed->status == QUEUE_OK && get2->status == QUEUE_OK &&
         get3->status == QUEUE_OK && get2->item + get3->item == 5 && get2->item * get3->item == 6;
    return finish(t, verdict(ok, "A get() must signal not_full so a waiting putter puts its item, "
                             "and items come out in the order they went in.",
                             "put() and put_ms() woken with the queue still full waited again, "
                             "then %s (expected: wait again, then 1 out first, then 2 and 3)",
                             ok ? "1 came out first, then 2 and 3" :
                             "the items did not come out as 1, then 2 and 3"));
}

/* ---- shutdown with threads waiting ---- */

/* calls[from, from + n) wait on the queue (their counter reaches n); shutdown() is called, and
 * each must return SHUTDOWN. Returns how many did; *back: how many returned at all. */
static int shutdown_with_waiters(trial *t, int from, int n, const unsigned long *counter,
                                 int *back, poll_outcome *o)
{
    *o = poll_waits(t, counter, (unsigned long)n, from);
    *back = 0;
    if (*o != WAITING)
        return 0;
    start(t, OP_SHUTDOWN, 0, 0);
    *back = await_range(t, from, from + n, t->bound_ms);
    int shut = 0;
    for (int i = from; i < from + n; i++)
        shut += has_returned(&t->calls[i]) && t->calls[i].status == QUEUE_SHUTDOWN;
    return shut;
}

static int clamp_side(int n)
{
    return n < 1 ? 1 : n > QUEUE_CHECK_MAX_SIDE ? QUEUE_CHECK_MAX_SIDE : n;
}

queue_check_result queue_check_shutdown_wakes_getters(const queue_check_config *cfg)
{
    static const char advice[] =
        "shutdown() must wake EVERY waiting getter: pthread_cond_broadcast on not_empty, not "
        "signal (it wakes at most one). Each woken getter sees shut_down in its loop condition "
        "and, with the queue empty, returns QUEUE_SHUTDOWN.";
    int n = clamp_side(cfg->waiters), back;
    trial *t = trial_new(1, cfg->bound_ms);
    for (int i = 0; i < n; i++)
        start(t, i % 2 ? OP_GET_MS : OP_GET, 0, 0);
    poll_outcome o;
    int shut = shutdown_with_waiters(t, 0, n, &t->q.getter_waits, &back, &o);
    if (o != WAITING)
        return finish(t, verdict(false, COUNT_WAITS, "%d getters on an empty queue: %s before "
                                 "shutdown() (expected: all waiting)", n, o == SOMEONE_RETURNED ?
                                 "one returned" : "not all waiting within the bound"));
    return finish(t, verdict(shut == n, advice, "getters that returned SHUTDOWN after shutdown() "
                             "= %d of %d waiting (expected %d; %d still asleep)", shut, n, n,
                             n - back));
}

queue_check_result queue_check_shutdown_wakes_putters(const queue_check_config *cfg)
{
    static const char advice[] =
        "shutdown() must wake EVERY waiting putter too: broadcast on not_full as well. Each "
        "woken putter sees shut_down and returns QUEUE_SHUTDOWN without adding its item.";
    int n = clamp_side(cfg->waiters), back;
    trial *t = trial_new(1, cfg->bound_ms);
    call *first = start(t, OP_PUT, 100, 0);
    if (!await_call(t, first) || first->status != QUEUE_OK)
        return finish(t, verdict(false, "put() into an empty queue must not wait.", "put() into "
                                 "an empty queue of 1: did not return OK (expected OK at once)"));
    for (int i = 0; i < n; i++)
        start(t, i % 2 ? OP_PUT_MS : OP_PUT, (uintptr_t)i + 1, 0);
    poll_outcome o;
    int shut = shutdown_with_waiters(t, 1, n, &t->q.putter_waits, &back, &o);
    if (o != WAITING)
        return finish(t, verdict(false, COUNT_WAITS, "%d putters on a full queue: %s before "
                                 "shutdown() (expected: all waiting)", n, o == SOMEONE_RETURNED ?
                                 "one returned" : "not all waiting within the bound"));
    if (shut < n)
        return finish(t, verdict(false, advice, "putters that returned SHUTDOWN after shutdown() "
                                 "= %d of %d waiting (expected %d; %d still asleep)", shut, n, n,
                                 n - back));
    call *last = start(t, OP_GET_MS, 0, 0);
    bool got = await_call(t, last) && last->status == QUEUE_OK && last->item == 100;
    call *after = start(t, OP_GET_MS, 0, 0);
    bool ended = await_call(t, after) && after->status == QUEUE_SHUTDOWN;
    return finish(t, verdict(got && ended, "A graceful shutdown stops new items, not old ones: "
                             "get() must hand out what is left (test count before shut_down), "
                             "then return QUEUE_SHUTDOWN at once.",
                             "putters that returned SHUTDOWN after shutdown() = %d of %d waiting; "
                             "then get(): %s, %s (expected %d, then item 100, then SHUTDOWN)",
                             shut, n, got ? "item 100" : "not item 100",
                             ended ? "SHUTDOWN" : "not SHUTDOWN", n));
}

/* ---- many threads ---- */

queue_check_result queue_check_stress(const queue_check_config *cfg)
{
    int producers = clamp_side(cfg->producers), consumers = clamp_side(cfg->consumers);
    long per = cfg->items_per_producer, total = per * producers;
    trial *t = trial_new(cfg->maxsize, cfg->bound_ms);
    for (int i = 0; i < consumers; i++)
        start(t, OP_CONSUME, 0, total + 1);
    for (int i = 0; i < producers; i++)
        start(t, OP_PRODUCE, 1 + (uintptr_t)(i * per), per);
    int produced = await_range(t, consumers, consumers + producers, t->bound_ms);
    if (produced < producers)
        return finish(t, verdict(false, "A putter stuck in put() was never woken when room "
                                 "appeared: get() must signal not_full, and both waits must be "
                                 "while loops.", "producers done after %ld ms = %d of %d "
                                 "(expected all, before shutdown())", t->bound_ms, produced,
                                 producers));
    start(t, OP_SHUTDOWN, 0, 0);
    int consumed = await_range(t, 0, consumers, t->bound_ms);
    if (consumed < consumers)
        return finish(t, verdict(false, "shutdown() must wake every waiting getter (broadcast), "
                                 "and get() must return SHUTDOWN once the queue is empty.",
                                 "consumers that returned after shutdown() = %d of %d (expected "
                                 "%d)", consumed, consumers, consumers));
    unsigned char *seen = tl_xcalloc((size_t)total + 1, 1);
    long garbage = 0, out_of_order = 0, bad_status = 0, last[QUEUE_CHECK_MAX_SIDE];
    for (int i = 0; i < t->started; i++) {
        const call *c = &t->calls[i];
        bad_status += (c->op == OP_PRODUCE && c->status != QUEUE_OK) ||
                      (c->op == OP_CONSUME && c->status != QUEUE_SHUTDOWN);
        for (int p = 0; p < producers; p++)
            last[p] = 0;
        for (long k = 0; c->op == OP_CONSUME && k < c->ngot; k++) {
            long item = (long)c->got[k];
            if (item < 1 || item > total) {
                garbage++;
                continue;
            }
            seen[item] += seen[item] < 255;
            long from = (item - 1) / per; /* one consumer sees each producer's items in order */
            out_of_order += item <= last[from];
            last[from] = item;
        }
    }
    long once = 0, lost = 0, duplicated = 0;
    for (long item = 1; item <= total; item++) {
        once += seen[item] == 1;
        lost += seen[item] == 0;
        duplicated += seen[item] > 1 ? seen[item] - 1 : 0;
    }
    free(seen);
    bool ok = once == total && garbage == 0 && out_of_order == 0 && bad_status == 0;
    return finish(t, verdict(ok, "Every item must come out exactly once and in order: both waits "
                             "must be while loops, put() must not write over an item, get() must "
                             "not take from an empty queue, and after shutdown() the consumers "
                             "drain the queue and get SHUTDOWN.",
                             "items delivered exactly once = %ld (expected %ld; %ld lost, %ld "
                             "duplicated, %ld never put, %ld out of order, %ld wrong statuses)",
                             once, total, lost, duplicated, garbage, out_of_order, bad_status));
}
