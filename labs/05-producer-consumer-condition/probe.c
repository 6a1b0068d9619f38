/* probe.c — deadline-bounded checks of a bounded_buffer; see probe.h for why they look so. */
#include "probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"
#include "exercise.h"

#define MAX_CALLS 32

typedef enum { OP_GET, OP_PUT, OP_CLOSE, OP_PRODUCE, OP_CONSUME } op_kind;

struct probe;

/* One call into the buffer (or, for OP_PRODUCE/OP_CONSUME, a loop of them) on its own thread. */
typedef struct {
    struct probe *p;
    op_kind op;
    long item;        /* OP_PUT: the item; OP_GET: what came out; OP_PRODUCE: the first item */
    long count;       /* OP_PRODUCE: items to put; OP_CONSUME: room in got */
    long *got;        /* OP_CONSUME: items in the order this consumer took them */
    long ngot;
    bool result;      /* OP_GET/OP_PUT: what the call returned; OP_PRODUCE: every put said true */
    bool returned;    /* guarded by p->lock */
    pthread_t thread;
} call;

/* A probe's world. Threads stuck in a broken buffer point into it, so unless every call returned
 * it is deliberately never freed. */
typedef struct probe {
    bounded_buffer b;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a call returned */
    int started, returned;
    long deadline_ms;
    call calls[MAX_CALLS];
} probe;

static probe *probe_new(size_t capacity, long deadline_ms)
{
    probe *p = tl_xcalloc(1, sizeof *p);
    p->deadline_ms = deadline_ms;
    buffer_init(&p->b, capacity);
    TL_CHECK(pthread_mutex_init(&p->lock, NULL));
    tl_cond_init_monotonic(&p->changed);
    return p;
}

static void *run_call(void *arg)
{
    call *c = arg;
    switch (c->op) {
    case OP_GET:
        c->result = buffer_get(&c->p->b, &c->item);
        break;
    case OP_PUT:
        c->result = buffer_put(&c->p->b, c->item);
        break;
    case OP_CLOSE:
        buffer_close(&c->p->b);
        break;
    case OP_PRODUCE:
        c->result = true;
        for (long i = 0; i < c->count && c->result; i++)
            c->result = buffer_put(&c->p->b, c->item + i);
        break;
    case OP_CONSUME: {
        long item;
        /* A broken get() can return garbage forever: stop once more came out than went in. */
        while (c->ngot < c->count && buffer_get(&c->p->b, &item))
            c->got[c->ngot++] = item;
        break;
    }
    }
    TL_CHECK(pthread_mutex_lock(&c->p->lock));
    c->returned = true;
    c->p->returned++;
    TL_CHECK(pthread_cond_broadcast(&c->p->changed));
    TL_CHECK(pthread_mutex_unlock(&c->p->lock));
    return NULL;
}

static call *start(probe *p, op_kind op, long item, long count)
{
    if (p->started == MAX_CALLS)
        TL_DIE("probe: more than %d calls", MAX_CALLS);
    call *c = &p->calls[p->started++];
    *c = (call){.p = p, .op = op, .item = item, .count = count};
    if (op == OP_CONSUME)
        c->got = tl_xcalloc((size_t)count, sizeof *c->got);
    TL_CHECK(pthread_create(&c->thread, NULL, run_call, c));
    return c;
}

static bool has_returned(probe *p, const call *c)
{
    TL_CHECK(pthread_mutex_lock(&p->lock));
    bool r = c->returned;
    TL_CHECK(pthread_mutex_unlock(&p->lock));
    return r;
}

/* Waits until `n` calls of kind op have returned; returns how many had by the deadline. */
static int wait_returned(probe *p, op_kind op, int n, long ms)
{
    struct timespec deadline = tl_deadline_monotonic(ms);
    int done = 0;
    TL_CHECK(pthread_mutex_lock(&p->lock));
    for (;;) {
        done = 0;
        for (int i = 0; i < p->started; i++)
            done += p->calls[i].op == op && p->calls[i].returned;
        if (done >= n || TL_CHECK_EXPECT(pthread_cond_timedwait(&p->changed, &p->lock, &deadline),
                                         ETIMEDOUT) == ETIMEDOUT)
            break;
    }
    TL_CHECK(pthread_mutex_unlock(&p->lock));
    return done;
}

typedef enum { WAITING, SOMEONE_RETURNED, NEITHER } poll_outcome;

static int returned_count(probe *p)
{
    TL_CHECK(pthread_mutex_lock(&p->lock));
    int n = p->returned;
    TL_CHECK(pthread_mutex_unlock(&p->lock));
    return n;
}

/* Polls until the buffer's wait counter (consumer_waits or producer_waits) reaches target, or
 * more calls than `returned_before` (counted before the calls were started or woken) have
 * returned, or the deadline passes. Polling, because the buffer signals nobody outside. */
static poll_outcome poll_waits(probe *p, const unsigned long *counter, unsigned long target,
                               int returned_before, long ms)
{
    struct timespec deadline = tl_deadline_monotonic(ms);
    for (;;) {
        TL_CHECK(pthread_mutex_lock(&p->b.lock));
        bool reached = *counter >= target;
        TL_CHECK(pthread_mutex_unlock(&p->b.lock));
        TL_CHECK(pthread_mutex_lock(&p->lock));
        bool someone_returned = p->returned != returned_before;
        TL_CHECK(pthread_mutex_unlock(&p->lock));
        if (someone_returned)
            return SOMEONE_RETURNED;
        if (reached)
            return WAITING;
        if (tl_ms_until(deadline) == 0)
            return NEITHER;
        tl_sleep_ms(1);
    }
}

/* A wake-up with nothing changed: what a spurious wake-up, or one whose item (or free slot)
 * another thread took first, looks like to the thread that wakes. */
static void wake_without_change(probe *p, pthread_cond_t *cond)
{
    TL_CHECK(pthread_mutex_lock(&p->b.lock));
    TL_CHECK(pthread_cond_broadcast(cond));
    TL_CHECK(pthread_mutex_unlock(&p->b.lock));
}

/* Joins and frees everything when every call returned; otherwise leaves it all to the stuck
 * threads. A passed probe's calls all return, but perhaps a moment after the ones it watched
 * (a close() call marks itself done after its consumers did): give them until the deadline.
 * Returns r, for `return finish(p, r);`. */
static probe_result finish(probe *p, probe_result r)
{
    struct timespec deadline = tl_deadline_monotonic(r.passed ? p->deadline_ms : 0);
    TL_CHECK(pthread_mutex_lock(&p->lock));
    while (p->returned < p->started &&
           TL_CHECK_EXPECT(pthread_cond_timedwait(&p->changed, &p->lock, &deadline), ETIMEDOUT) == 0)
        continue;
    bool all = p->returned == p->started;
    TL_CHECK(pthread_mutex_unlock(&p->lock));
    if (!all)
        return r;
    for (int i = 0; i < p->started; i++) {
        TL_CHECK(pthread_join(p->calls[i].thread, NULL));
        free(p->calls[i].got);
    }
    buffer_destroy(&p->b);
    TL_CHECK(pthread_cond_destroy(&p->changed));
    TL_CHECK(pthread_mutex_destroy(&p->lock));
    free(p);
    return r;
}

static probe_result verdict(bool passed, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static probe_result verdict(bool passed, const char *advice, const char *fmt, ...)
{
    probe_result r = {.passed = passed};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    snprintf(r.advice, sizeof r.advice, "%s", passed ? "" : advice);
    return r;
}

static const char *outcome_of(const call *c, char *buf, size_t len)
{
    if (c->op == OP_GET && c->result)
        snprintf(buf, len, "returned true with item %ld", c->item);
    else
        snprintf(buf, len, "returned %s", c->result ? "true" : "false");
    return buf;
}

static const char *const COUNT_WAITS =
    "buffer_get and buffer_put must add 1 to b->consumer_waits / b->producer_waits just before each "
    "pthread_cond_wait (the starter does; keep those lines), so the checks can tell that a thread "
    "is waiting.";
static const char *const RECHECK_GET =
    "A wake-up only means \"look again\": another consumer may have taken the item first, or the "
    "wake-up was spurious. In buffer_get, wait in a `while (b->count == 0 && !b->closed)` loop, "
    "not an `if`.";
static const char *const RECHECK_PUT =
    "A wake-up only means \"look again\": another producer may have filled the slot first, or the "
    "wake-up was spurious. In buffer_put, wait in a `while (b->count == b->capacity && "
    "!b->closed)` loop, not an `if`.";

/* Shared by the two "woken with nothing changed" probes: `waiter` is already waiting. */
static probe_result expect_wait_again(probe *p, call *waiter, const unsigned long *counter,
                                      pthread_cond_t *cond, const char *what, const char *advice,
                                      long ms)
{
    char buf[96];
    int before = returned_count(p);
    wake_without_change(p, cond);
    poll_outcome o = poll_waits(p, counter, 2, before, ms);
    if (o == SOMEONE_RETURNED || has_returned(p, waiter))
        return verdict(false, advice, "%s: %s (expected: wait again)", what,
                       outcome_of(waiter, buf, sizeof buf));
    if (o == NEITHER)
        return verdict(false, COUNT_WAITS, "%s: did not start waiting again within %ld ms "
                       "(expected its wait counter to go from 1 to 2)", what, ms);
    return verdict(true, "", "%s: waited again (expected: wait again)", what);
}

probe_result probe_get_rechecks(const probe_config *cfg)
{
    char buf[96];
    probe *p = probe_new(2, cfg->deadline_ms);
    call *consumer = start(p, OP_GET, 0, 0);
    poll_outcome o = poll_waits(p, &p->b.consumer_waits, 1, 0, cfg->deadline_ms);
    if (o != WAITING)
        return finish(p, verdict(false, o == NEITHER ? COUNT_WAITS : RECHECK_GET,
                                 "get() on an empty, open buffer: %s (expected: wait)",
                                 o == NEITHER ? "never counted a wait" :
                                 outcome_of(consumer, buf, sizeof buf)));
    probe_result r = expect_wait_again(p, consumer, &p->b.consumer_waits, &p->b.not_empty,
                                       "get() woken with the buffer still empty", RECHECK_GET,
                                       cfg->deadline_ms);
    if (r.passed) { /* let the consumer go: close() must end its wait with false */
        start(p, OP_CLOSE, 0, 0);
        if (wait_returned(p, OP_GET, 1, cfg->deadline_ms) < 1 || consumer->result)
            r = verdict(false, "After close() on an empty buffer, a waiting get() must return false.",
                        "get() waiting on an empty buffer, then close(): %s (expected: returned "
                        "false)", has_returned(p, consumer) ? outcome_of(consumer, buf, sizeof buf)
                                                           : "never returned");
    }
    return finish(p, r);
}

probe_result probe_put_rechecks(const probe_config *cfg)
{
    char buf[96];
    probe *p = probe_new(1, cfg->deadline_ms);
    start(p, OP_PUT, 1, 0);
    if (wait_returned(p, OP_PUT, 1, cfg->deadline_ms) < 1)
        return finish(p, verdict(false, "put() must not wait while there is room.",
                                 "put() into an empty buffer of capacity 1: never returned "
                                 "(expected: returned true)"));
    int before = returned_count(p);
    call *producer = start(p, OP_PUT, 2, 0);
    poll_outcome o = poll_waits(p, &p->b.producer_waits, 1, before, cfg->deadline_ms);
    if (o != WAITING)
        return finish(p, verdict(false, o == NEITHER ? COUNT_WAITS : RECHECK_PUT,
                                 "put() into a full buffer: %s (expected: wait)",
                                 o == NEITHER ? "never counted a wait" :
                                 outcome_of(producer, buf, sizeof buf)));
    probe_result r = expect_wait_again(p, producer, &p->b.producer_waits, &p->b.not_full,
                                       "put() woken with the buffer still full", RECHECK_PUT,
                                       cfg->deadline_ms);
    if (r.passed) { /* make room: the waiting put() must finish, and both items come out in order */
        call *first = start(p, OP_GET, 0, 0);
        bool ok = wait_returned(p, OP_PUT, 2, cfg->deadline_ms) == 2 && producer->result;
        call *second = start(p, OP_GET, 0, 0);
        ok = wait_returned(p, OP_GET, 2, cfg->deadline_ms) == 2 && ok && first->result &&
             first->item == 1 && second->result && second->item == 2;
        if (!ok)
            r = verdict(false, "A get() must wake a producer waiting for room (signal not_full), and "
                        "items must come out in the order they went in.",
                        "put() waiting on a full buffer, then a get(): the items did not come out "
                        "as 1 then 2 (expected: 1, 2)");
    }
    return finish(p, r);
}

/* `n` threads of kind op wait on the buffer (its counter reaches n), then close() is called:
 * every one of them must return false. */
static probe_result close_wakes(probe *p, op_kind op, const unsigned long *counter, int n,
                                const char *who, const char *advice, long ms)
{
    char buf[96];
    int first = p->started, before = returned_count(p);
    for (int i = 0; i < n; i++)
        start(p, op, 100 + i, 0);
    poll_outcome o = poll_waits(p, counter, (unsigned long)n, before, ms);
    if (o != WAITING)
        return verdict(false, o == NEITHER ? COUNT_WAITS : advice,
                       "%s waiting on the buffer: %s before close() (expected: all %d waiting)", who,
                       o == NEITHER ? "not all of them counted a wait" : "one returned", n);
    start(p, OP_CLOSE, 0, 0);
    int back = wait_returned(p, op, n + (op == OP_PUT ? 1 : 0), ms) - (op == OP_PUT ? 1 : 0);
    if (back < n)
        return verdict(false, advice, "%s that returned after close() = %d (expected %d; %d never "
                       "returned)", who, back, n, n - back);
    for (int i = first; i < p->started; i++)
        if (p->calls[i].op == op && p->calls[i].result)
            return verdict(false, advice, "%s after close(): one %s (expected: returned false)", who,
                           outcome_of(&p->calls[i], buf, sizeof buf));
    return verdict(true, "", "%s that returned false after close() = %d (expected %d)", who, n, n);
}

probe_result probe_close_wakes_consumers(const probe_config *cfg)
{
    probe *p = probe_new(2, cfg->deadline_ms);
    return finish(p, close_wakes(p, OP_GET, &p->b.consumer_waits, cfg->waiters, "consumers",
                                 "close() must wake EVERY waiting consumer: pthread_cond_broadcast, "
                                 "not signal (it wakes at most one). And get() must re-check the "
                                 "predicate in a while loop, so each woken consumer sees closed && "
                                 "empty and returns false.",
                                 cfg->deadline_ms));
}

probe_result probe_close_wakes_producers(const probe_config *cfg)
{
    probe *p = probe_new(1, cfg->deadline_ms);
    start(p, OP_PUT, 1, 0);
    if (wait_returned(p, OP_PUT, 1, cfg->deadline_ms) < 1)
        return finish(p, verdict(false, "put() must not wait while there is room.",
                                 "put() into an empty buffer of capacity 1: never returned "
                                 "(expected: returned true)"));
    probe_result r = close_wakes(p, OP_PUT, &p->b.producer_waits, cfg->waiters, "producers",
                                 "close() must wake EVERY waiting producer too: broadcast on "
                                 "not_full, and put() must give up (return false) once closed.",
                                 cfg->deadline_ms);
    if (r.passed) { /* the item put before close() is still delivered, then get() says false */
        call *last = start(p, OP_GET, 0, 0);
        call *after = start(p, OP_GET, 0, 0);
        if (wait_returned(p, OP_GET, 2, cfg->deadline_ms) < 2 || !(last->result != after->result) ||
            (last->result ? last->item : after->item) != 1)
            r = verdict(false, "Closing stops new items, not old ones: get() must deliver what is "
                        "left, then return false.", "the item put before close(): not delivered "
                        "exactly once (expected: one get() returns it, the other returns false)");
    }
    return finish(p, r);
}

probe_result probe_stress(const probe_config *cfg)
{
    long per = cfg->items_per_producer, total = per * cfg->producers;
    probe *p = probe_new(cfg->capacity, cfg->deadline_ms);
    for (int i = 0; i < cfg->consumers; i++)
        start(p, OP_CONSUME, 0, total + 1);
    for (int i = 0; i < cfg->producers; i++)
        start(p, OP_PRODUCE, 1 + i * per, per);
    int produced = wait_returned(p, OP_PRODUCE, cfg->producers, cfg->deadline_ms);
    if (produced < cfg->producers)
        return finish(p, verdict(false, "A producer stuck in put() means it was never woken when room "
                                 "appeared, or consumers stopped early: check both while loops.",
                                 "producers that returned = %d (expected %d, before close())",
                                 produced, cfg->producers));
    start(p, OP_CLOSE, 0, 0);
    int consumed = wait_returned(p, OP_CONSUME, cfg->consumers, cfg->deadline_ms);
    if (consumed < cfg->consumers)
        return finish(p, verdict(false, "close() must wake every waiting consumer (broadcast), and "
                                 "get() must re-check the predicate in a while loop.",
                                 "consumers that returned after close() = %d (expected %d)",
                                 consumed, cfg->consumers));
    int *seen = tl_xcalloc((size_t)total + 1, sizeof *seen);
    long *last = tl_xcalloc((size_t)cfg->producers, sizeof *last);
    long garbage = 0, out_of_order = 0, refused = 0;
    for (int i = 0; i < p->started; i++) {
        const call *c = &p->calls[i];
        refused += c->op == OP_PRODUCE && !c->result;
        for (int j = 0; j < cfg->producers; j++)
            last[j] = 0;
        for (long k = 0; c->op == OP_CONSUME && k < c->ngot; k++) {
            long item = c->got[k];
            if (item < 1 || item > total) {
                garbage++;
                continue;
            }
            seen[item]++;
            long from = (item - 1) / per; /* a consumer sees each producer's items in order */
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
    free(last);
    bool ok = once == total && garbage == 0 && out_of_order == 0 && refused == 0;
    return finish(p, verdict(ok, "Every item must come out exactly once and in order: both waits "
                             "must be while loops, put() must not overwrite, get() must not take "
                             "from an empty buffer.",
                             "items delivered exactly once = %ld (expected %ld; %ld lost, %ld "
                             "duplicated, %ld never put, %ld out of order, %ld puts refused)",
                             once, total, lost, duplicated, garbage, out_of_order, refused));
}
