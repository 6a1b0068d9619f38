/* queue_contract.h — what any bounded blocking queue (Python's queue.Queue) must do, as CUnit
 * tests that run against ANY implementation: common/queue.c (tests/unit/test_queue.c) and
 * lab06's exercise (its grader) run exactly these tests.
 *
 * Use: define the macros below, include this header once, register the groups you implement.
 *
 *     #include "queue.h"
 *     #define Q_T                          tl_queue
 *     #define Q_INIT(q, maxsize)           tl_queue_init((q), (maxsize), NULL)
 *     #define Q_DESTROY(q)                 tl_queue_destroy(q)
 *     #define Q_PUT(q, item)               tl_queue_put((q), (item))
 *     #define Q_GET(q, itemp)              tl_queue_get((q), (itemp))
 *     #define Q_PUT_MS(q, item, ms)        tl_queue_put_ms((q), (item), (ms))
 *     #define Q_GET_MS(q, itemp, ms)       tl_queue_get_ms((q), (itemp), (ms))
 *     #define Q_PUT_NOWAIT(q, item)        tl_queue_put_nowait((q), (item))
 *     #define Q_GET_NOWAIT(q, itemp)       tl_queue_get_nowait((q), (itemp))
 *     #define Q_SIZE(q)                    tl_queue_size(q)
 *     #define Q_IS_EMPTY(q)                tl_queue_empty(q)
 *     #define Q_IS_FULL(q)                 tl_queue_full(q)
 *     #define Q_STATUS_OK                  TL_QUEUE_OK
 *     #define Q_STATUS_TIMEOUT             TL_QUEUE_TIMEOUT
 *     #define Q_STATUS_FULL                TL_QUEUE_FULL
 *     #define Q_STATUS_EMPTY               TL_QUEUE_EMPTY
 *     ... (join and shutdown macros, if you implement those groups)
 *     #include "../contract/queue_contract.h"
 *
 *     void tl_register_suites(void)
 *     {
 *         queue_contract_register_core(tl_suite("queue contract: core"));
 *         queue_contract_register_shutdown(tl_suite("queue contract: graceful shutdown"));
 *     }
 *
 * Conventions. `q` is always a plain `Q_T *` expression without side effects; `item` a `void *`;
 * `itemp` a `void **` that receives the item got; `ms` a long number of milliseconds. Items
 * are never NULL: they are small numbers cast to pointers, (void *)(uintptr_t)n with
 * 1 <= n < 2^31, so an implementation that stores ints can convert in its macros. Statuses
 * are compared with == after a cast to int, so enum constants, ints or #defines all work.
 *
 * Core group — queue_contract_register_core(suite) and queue_contract_register_unbounded(suite).
 * Required:
 *   Q_T                     the queue type, a complete object type (tests use `static Q_T q;`)
 *   Q_INIT(q, maxsize)      make *q an empty queue holding at most maxsize (a size_t) items;
 *                           the core group uses maxsize >= 1; the unbounded group uses 0
 *   Q_DESTROY(q)            release *q (never called while a helper thread may still be inside
 *                           it); items left inside are not the implementation's to free
 *   Q_PUT(q, item)          status: OK once added (blocks while full)
 *   Q_GET(q, itemp)         status: OK with *itemp = the oldest item (blocks while empty)
 *   Q_PUT_MS(q, item, ms)   status: OK, or TIMEOUT after ms without room (queue unchanged);
 *                           ms == 0 tries once
 *   Q_GET_MS(q, itemp, ms)  status: OK, or TIMEOUT after ms without an item; ms == 0 tries once
 *   Q_SIZE(q)               number of items inside now
 *   Q_IS_EMPTY(q)           true when no item is inside
 *   Q_IS_FULL(q)            true when maxsize items are inside (never when unbounded)
 *   Q_STATUS_OK, Q_STATUS_TIMEOUT
 * Optional (non-blocking calls); when Q_PUT_NOWAIT is not defined, the tests use
 * Q_PUT_MS(q, item, 0) instead and expect Q_STATUS_TIMEOUT where FULL is due (likewise for gets):
 *   Q_PUT_NOWAIT(q, item)   status: OK, or FULL at once (queue unchanged)
 *   Q_GET_NOWAIT(q, itemp)  status: OK, or EMPTY at once
 *   Q_STATUS_FULL, Q_STATUS_EMPTY   (required when Q_PUT_NOWAIT / Q_GET_NOWAIT are defined)
 *   QC_STRESS_ITEMS         items in the 8 producers x 8 consumers test (default 800000,
 *                           a tenth under sanitizers; see qc_scaled_count)
 *
 * Task_done + join group — compiled when Q_TASK_DONE is defined; queue_contract_register_join(suite).
 *   Q_TASK_DONE(q)          status: OK, or TOO_MANY_DONE when every item put was already done
 *   Q_JOIN(q)               block until every item put has been marked done (result ignored)
 *   Q_JOIN_MS(q, ms)        status: OK when nothing is outstanding (now or within ms), else TIMEOUT
 *   Q_STATUS_TOO_MANY_DONE
 *
 * Graceful shutdown group — compiled when Q_SHUTDOWN is defined; queue_contract_register_shutdown(suite).
 *   Q_SHUTDOWN(q)           graceful: later puts fail, getters drain the items left, then fail;
 *                           blocked putters and getters are woken; calling it twice is harmless
 *   Q_STATUS_SHUTDOWN       what put/get (every variant) return once shut down as described
 *   (with the join group too, one more test: join still waits for the items left.)
 *
 * Immediate shutdown group — compiled when Q_SHUTDOWN_IMMEDIATE is defined;
 * queue_contract_register_shutdown_immediate(suite).
 *   Q_SHUTDOWN_IMMEDIATE(q, free_fn)  the items inside are removed and each passed once to
 *                           free_fn (a `void (*)(void *)`); they count as done for join;
 *                           getters and putters, blocked or not, get Q_STATUS_SHUTDOWN; may
 *                           follow a graceful Q_SHUTDOWN (needs Q_STATUS_SHUTDOWN)
 *   (with the join group too, two more tests: join released; items in hand still count.)
 *
 * Every wait here is bounded and helper threads that stay stuck are reported, not joined (see
 * contract_threads.h), so a broken queue fails with a message rather than a hang.
 */
#ifndef TL_QUEUE_CONTRACT_H
#define TL_QUEUE_CONTRACT_H

#if !defined(Q_T) || !defined(Q_INIT) || !defined(Q_DESTROY) || !defined(Q_PUT) ||                 \
    !defined(Q_GET) || !defined(Q_PUT_MS) || !defined(Q_GET_MS) || !defined(Q_SIZE) ||            \
    !defined(Q_IS_EMPTY) || !defined(Q_IS_FULL) || !defined(Q_STATUS_OK) ||                        \
    !defined(Q_STATUS_TIMEOUT)
#error "queue_contract.h: define Q_T, Q_INIT, Q_DESTROY, Q_PUT, Q_GET, Q_PUT_MS, Q_GET_MS, Q_SIZE, Q_IS_EMPTY, Q_IS_FULL, Q_STATUS_OK, Q_STATUS_TIMEOUT first"
#endif

#ifdef Q_PUT_NOWAIT
#ifndef Q_STATUS_FULL
#error "queue_contract.h: Q_PUT_NOWAIT needs Q_STATUS_FULL"
#endif
#define QC_PUT_NOWAIT(q, item) Q_PUT_NOWAIT(q, item)
#define QC_FULL Q_STATUS_FULL
#else
#define QC_PUT_NOWAIT(q, item) Q_PUT_MS(q, item, 0L)
#define QC_FULL Q_STATUS_TIMEOUT
#endif

#ifdef Q_GET_NOWAIT
#ifndef Q_STATUS_EMPTY
#error "queue_contract.h: Q_GET_NOWAIT needs Q_STATUS_EMPTY"
#endif
#define QC_GET_NOWAIT(q, itemp) Q_GET_NOWAIT(q, itemp)
#define QC_EMPTY Q_STATUS_EMPTY
#else
#define QC_GET_NOWAIT(q, itemp) Q_GET_MS(q, itemp, 0L)
#define QC_EMPTY Q_STATUS_TIMEOUT
#endif

#if defined(Q_TASK_DONE) && (!defined(Q_JOIN) || !defined(Q_JOIN_MS) || !defined(Q_STATUS_TOO_MANY_DONE))
#error "queue_contract.h: the join group needs Q_TASK_DONE, Q_JOIN, Q_JOIN_MS and Q_STATUS_TOO_MANY_DONE"
#endif
#if (defined(Q_SHUTDOWN) || defined(Q_SHUTDOWN_IMMEDIATE)) && !defined(Q_STATUS_SHUTDOWN)
#error "queue_contract.h: the shutdown groups need Q_STATUS_SHUTDOWN"
#endif

#include <stdint.h>
#include <stdlib.h>

#include "contract_threads.h"

#ifndef QC_STRESS_ITEMS
#define QC_STRESS_ITEMS 800000L
#endif

/* Helpers' timed waits and the bound for them to finish: a correct queue always wakes them
 * long before (scaled for sanitizer builds), a broken one fails well before the harness's
 * deadline. */
#define QC_LONG_WAIT_MS 3000L
#define QC_FINISH_MS (QC_LONG_WAIT_MS + 1000L)

/* A timed wait may end this much before its timeout and still count as "not early": room for
 * implementations that round the deadline to whole milliseconds. */
#define QC_EARLY_SLACK_MS 2.0

#define QC_ITEM(n) ((void *)(uintptr_t)(n))
#define QC_NUM(item) ((long)(uintptr_t)(item))

/* ---- helpers ---- */

/* Statuses as ints, for messages. */
#define QC_OK ((int)(Q_STATUS_OK))
#define QC_TIMEOUT ((int)(Q_STATUS_TIMEOUT))

static CONTRACT_UNUSED const char *qc_status_name(int status)
{
    if (status == QC_OK)
        return "OK";
    if (status == QC_TIMEOUT)
        return "TIMEOUT";
    if (status == (int)(QC_FULL))
        return "FULL";
    if (status == (int)(QC_EMPTY))
        return "EMPTY";
#ifdef Q_STATUS_SHUTDOWN
    if (status == (int)(Q_STATUS_SHUTDOWN))
        return "SHUTDOWN";
#endif
#ifdef Q_STATUS_TOO_MANY_DONE
    if (status == (int)(Q_STATUS_TOO_MANY_DONE))
        return "TOO_MANY_DONE";
#endif
    return "an unknown status";
}

/* Counts are cut to a tenth under sanitizers (TL_SAN set, or deadlines scaled up), which run
 * 5-15 times slower; the interleavings still happen, only fewer of them. */
static CONTRACT_UNUSED long qc_scaled_count(long n)
{
    const char *san = getenv("TL_SAN");
    bool slow = (san != NULL && san[0] != '\0') || tl_timeout_scale() > 1.0;
    return slow && n >= 10 ? n / 10 : n;
}

/* One queue call on a helper thread, so the main thread can watch it block and unblock. */
typedef enum { QC_OP_PUT, QC_OP_PUT_MS, QC_OP_GET, QC_OP_GET_MS, QC_OP_JOIN_MS } qc_op_kind;

typedef struct {
    Q_T *q;
    qc_op_kind kind;
    void *item; /* what to put; what get received */
    long ms;
    int status;
} qc_op;

static void qc_op_body(void *arg)
{
    qc_op *op = arg;
    switch (op->kind) {
    case QC_OP_PUT:
        op->status = (int)(Q_PUT(op->q, op->item));
        break;
    case QC_OP_PUT_MS:
        op->status = (int)(Q_PUT_MS(op->q, op->item, op->ms));
        break;
    case QC_OP_GET:
        op->status = (int)(Q_GET(op->q, &op->item));
        break;
    case QC_OP_GET_MS:
        op->status = (int)(Q_GET_MS(op->q, &op->item, op->ms));
        break;
    case QC_OP_JOIN_MS:
#ifdef Q_JOIN_MS
        op->status = (int)(Q_JOIN_MS(op->q, op->ms));
#endif
        break;
    }
}

/* Starts ops[0..n) (static storage), each on its own thread. With expect_blocked, returns once
 * they are all asleep, i.e. blocked inside the queue (or after a bounded pause). */
static CONTRACT_UNUSED void qc_start(qc_op *ops, contract_thread *t, int n, bool expect_blocked)
{
    int baseline = contract_sleeping_threads();
    for (int i = 0; i < n; i++)
        contract_start(&t[i], qc_op_body, &ops[i]);
    if (expect_blocked)
        contract_wait_until_asleep(baseline, n);
}

static CONTRACT_UNUSED qc_op qc_op_of(Q_T *q, qc_op_kind kind, long item, long ms)
{
    return (qc_op){q, kind, item ? QC_ITEM(item) : NULL, ms, -1};
}

/* How many of ops[0..n) finished with `status`. */
static CONTRACT_UNUSED int qc_count_status(const qc_op *ops, int n, int status)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += ops[i].status == status;
    return count;
}

static CONTRACT_UNUSED double qc_ms_since(int64_t start_ns)
{
    return (double)(tl_now_ns() - start_ns) / 1e6;
}

/* Gets one item with a long timeout and checks it is `expected`. */
static CONTRACT_UNUSED void qc_expect_get(Q_T *q, long expected, const char *when)
{
    void *item = NULL;
    int st = (int)(Q_GET_MS(q, &item, contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_OK && QC_NUM(item) == expected,
              "%s: expected get() to return OK with item %ld, got %s with item %ld", when,
              expected, qc_status_name(st), st == QC_OK ? QC_NUM(item) : 0L);
}

static CONTRACT_UNUSED void qc_expect_put(Q_T *q, long n, const char *when)
{
    int st = (int)(Q_PUT_MS(q, QC_ITEM(n), contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_OK, "%s: expected put(%ld) to return OK, got %s", when, n, qc_status_name(st));
}

/* ---- core: order, size, non-blocking and timed calls ---- */

static Q_T qc_q; /* static: a stuck helper may outlive the test's stack frame */
static qc_op qc_ops[8];
static contract_thread qc_threads[8];

static void qc_fifo_order(void)
{
    tl_hint("items must come out in the order they went in (FIFO): put writes at the tail, get "
            "reads at the head, and both indices wrap around modulo the capacity");
    Q_INIT(&qc_q, 5);
    for (long i = 1; i <= 5; i++)
        qc_expect_put(&qc_q, i, "filling a queue of 5");
    for (long i = 1; i <= 5; i++)
        qc_expect_get(&qc_q, i, "emptying a queue filled with 1..5");
    /* Many laps around a 3-slot buffer, at every offset. */
    long next_put = 100, next_get = 100;
    for (int round = 0; round < 50; round++) {
        int puts = 1 + round % 3;
        for (int i = 0; i < puts; i++)
            qc_expect_put(&qc_q, next_put++, "refilling (the buffer wraps around)");
        for (int i = 0; i < puts; i++)
            qc_expect_get(&qc_q, next_get++, "draining after a wrap-around");
    }
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 0, "size() after as many gets as puts");
    Q_DESTROY(&qc_q);
}

static void qc_size_empty_full(void)
{
    tl_hint("size() counts the items inside, empty() is size() == 0, full() is size() == maxsize; "
            "read them with the mutex held");
    Q_INIT(&qc_q, 2);
    TL_ASSERT(Q_IS_EMPTY(&qc_q) && !Q_IS_FULL(&qc_q), "new queue of 2: expected empty and not full");
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 0, "size() of a new queue");
    qc_expect_put(&qc_q, 1, "first put");
    TL_ASSERT(!Q_IS_EMPTY(&qc_q) && !Q_IS_FULL(&qc_q), "1 item in a queue of 2: expected neither "
                                                       "empty nor full");
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 1, "size() after one put");
    qc_expect_put(&qc_q, 2, "second put");
    TL_ASSERT(!Q_IS_EMPTY(&qc_q) && Q_IS_FULL(&qc_q), "2 items in a queue of 2: expected full");
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 2, "size() after two puts");
    qc_expect_get(&qc_q, 1, "get from a full queue");
    TL_ASSERT(!Q_IS_FULL(&qc_q), "after one get from a full queue: expected not full");
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 1, "size() after two puts and one get");
    Q_DESTROY(&qc_q);
}

static void qc_nowait_calls(void)
{
    tl_hint("the non-blocking calls must never wait: put on a full queue returns FULL (and adds "
            "nothing), get on an empty queue returns EMPTY (and removes nothing)");
    void *item = NULL;
    Q_INIT(&qc_q, 1);
    int st = (int)(QC_GET_NOWAIT(&qc_q, &item));
    TL_ASSERT(st == (int)(QC_EMPTY), "get_nowait on an empty queue: expected %s, got %s",
              qc_status_name((int)(QC_EMPTY)), qc_status_name(st));
    st = (int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(7)));
    TL_ASSERT(st == QC_OK, "put_nowait on an empty queue of 1: expected OK, got %s", qc_status_name(st));
    st = (int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(8)));
    TL_ASSERT(st == (int)(QC_FULL), "put_nowait on a full queue: expected %s, got %s",
              qc_status_name((int)(QC_FULL)), qc_status_name(st));
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 1, "size() after a refused put_nowait");
    st = (int)(QC_GET_NOWAIT(&qc_q, &item));
    TL_ASSERT(st == QC_OK && QC_NUM(item) == 7, "get_nowait with one item: expected OK and 7, got "
                                                "%s and %ld",
              qc_status_name(st), st == QC_OK ? QC_NUM(item) : 0L);
    st = (int)(QC_GET_NOWAIT(&qc_q, &item));
    TL_ASSERT(st == (int)(QC_EMPTY), "get_nowait after the only item was taken: expected %s, got %s",
              qc_status_name((int)(QC_EMPTY)), qc_status_name(st));
    Q_DESTROY(&qc_q);
}

static void qc_timeouts(void)
{
    tl_hint("a timed put/get must give up with TIMEOUT, and not before its time: compute one "
            "absolute deadline (tl_deadline_monotonic, on a condvar from tl_cond_init_monotonic) "
            "and loop on pthread_cond_timedwait until the condition holds or it returns ETIMEDOUT");
    void *item = NULL;
    Q_INIT(&qc_q, 1);
    static const long timeouts[] = {0, 60, 1010}; /* 1010: a deadline must carry the seconds */
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        long ms = timeouts[i];
        int64_t start = tl_now_ns();
        int st = (int)(Q_GET_MS(&qc_q, &item, ms));
        double waited = qc_ms_since(start);
        TL_ASSERT(st == QC_TIMEOUT, "get_ms(%ld) on an empty queue: expected TIMEOUT, got %s", ms,
                  qc_status_name(st));
        TL_ASSERT(waited >= (double)ms - QC_EARLY_SLACK_MS,
                  "get_ms(%ld) on an empty queue: expected to wait at least %ld ms, returned after "
                  "%.1f ms",
                  ms, ms, waited);
    }
    qc_expect_put(&qc_q, 1, "filling a queue of 1");
    for (size_t i = 0; i < 2; i++) { /* the first two: one long wait is enough */
        long ms = timeouts[i];
        int64_t start = tl_now_ns();
        int st = (int)(Q_PUT_MS(&qc_q, QC_ITEM(2), ms));
        double waited = qc_ms_since(start);
        TL_ASSERT(st == QC_TIMEOUT, "put_ms(%ld) on a full queue: expected TIMEOUT, got %s", ms,
                  qc_status_name(st));
        TL_ASSERT(waited >= (double)ms - QC_EARLY_SLACK_MS,
                  "put_ms(%ld) on a full queue: expected to wait at least %ld ms, returned after "
                  "%.1f ms",
                  ms, ms, waited);
    }
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 1, "size() after timed-out puts (they must add nothing)");
    qc_expect_get(&qc_q, 1, "the item put before the timed-out puts");
    Q_DESTROY(&qc_q);
}

/* A helper blocks in `kind` on a queue of 2 (full for puts, empty for gets); the main thread
 * checks it stays blocked, then makes room or puts an item, and the helper must complete. */
static void qc_check_blocked_call_completes(qc_op_kind kind)
{
    bool is_put = kind == QC_OP_PUT || kind == QC_OP_PUT_MS;
    const char *call = kind == QC_OP_PUT ? "put()" : kind == QC_OP_PUT_MS ? "put_ms()" :
                       kind == QC_OP_GET ? "get()" : "get_ms()";
    Q_INIT(&qc_q, 2);
    if (is_put) {
        qc_expect_put(&qc_q, 1, "filling a queue of 2");
        qc_expect_put(&qc_q, 2, "filling a queue of 2");
    }
    qc_ops[0] = qc_op_of(&qc_q, kind, is_put ? 3 : 0, contract_scaled_ms(QC_LONG_WAIT_MS));
    qc_start(qc_ops, qc_threads, 1, true);
    int early = contract_count_finished(qc_threads, 1);
    TL_ASSERT(early == 0, "%s on a %s queue: expected it to block, but it returned %s at once",
              call, is_put ? "full" : "empty", qc_status_name(qc_ops[0].status));
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), is_put ? 2 : 0, "size() while a call is blocked");
    if (is_put)
        qc_expect_get(&qc_q, 1, "get() from the full queue");
    else
        qc_expect_put(&qc_q, 9, "put() into the empty queue");
    int finished = contract_finish(qc_threads, 1, QC_FINISH_MS);
    TL_ASSERT_FATAL(finished == 1, "%s blocked on a %s queue: expected it to return once the main "
                                   "thread %s, still blocked after %ld ms",
                    call, is_put ? "full" : "empty", is_put ? "got an item" : "put an item",
                    contract_scaled_ms(QC_FINISH_MS));
    TL_ASSERT(qc_ops[0].status == QC_OK, "the blocked %s, once woken: expected OK, got %s", call,
              qc_status_name(qc_ops[0].status));
    if (is_put) {
        qc_expect_get(&qc_q, 2, "after the blocked put() completed");
        qc_expect_get(&qc_q, 3, "the item of the blocked put()");
    } else {
        TL_ASSERT(QC_NUM(qc_ops[0].item) == 9, "the blocked %s: expected item 9, got %ld", call,
                  QC_NUM(qc_ops[0].item));
    }
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 0, "size() at the end");
    Q_DESTROY(&qc_q);
}

static void qc_put_blocks_until_get(void)
{
    tl_hint("put() on a full queue must wait (`while (full) pthread_cond_wait(&not_full, ...)`) "
            "and get() must signal not_full after removing an item, or the putter sleeps forever");
    qc_check_blocked_call_completes(QC_OP_PUT);
}

static void qc_timed_put_gets_room(void)
{
    tl_hint("put_ms() on a full queue must wait for room until its deadline, not give up early: "
            "get() signals not_full, and the woken putter re-checks `full` in its loop");
    qc_check_blocked_call_completes(QC_OP_PUT_MS);
}

static void qc_get_blocks_until_put(void)
{
    tl_hint("get() on an empty queue must wait (`while (empty) pthread_cond_wait(&not_empty, ...)`) "
            "and put() must signal not_empty after adding an item, or the getter sleeps forever");
    qc_check_blocked_call_completes(QC_OP_GET);
}

static void qc_timed_get_receives_item(void)
{
    tl_hint("get_ms() on an empty queue must wait for an item until its deadline: put() signals "
            "not_empty, and the woken getter re-checks `empty` in its loop");
    qc_check_blocked_call_completes(QC_OP_GET_MS);
}

/* ---- core: wake-ups with many threads ---- */

#define QC_WAITERS 4

static void qc_each_put_wakes_a_getter(void)
{
    tl_hint("with %d getters asleep on an empty queue, %d quick puts must wake all of them: signal "
            "not_empty on EVERY put, not only when the queue goes from empty to non-empty (a "
            "second put may come before the first woken getter runs)",
            QC_WAITERS, QC_WAITERS);
    Q_INIT(&qc_q, QC_WAITERS);
    /* Untimed gets (a timed one would recover from a lost wake-up when it times out), and
     * puts back to back, so several land before the first woken getter takes its item. */
    for (int i = 0; i < QC_WAITERS; i++)
        qc_ops[i] = qc_op_of(&qc_q, QC_OP_GET, 0, 0);
    qc_start(qc_ops, qc_threads, QC_WAITERS, true);
    int put_status[QC_WAITERS];
    for (int i = 0; i < QC_WAITERS; i++)
        put_status[i] = (int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(i + 1)));
    for (int i = 0; i < QC_WAITERS; i++)
        TL_ASSERT(put_status[i] == QC_OK, "put_nowait #%d into a queue of %d: expected OK, got %s",
                  i + 1, QC_WAITERS, qc_status_name(put_status[i]));
    int finished = contract_finish(qc_threads, QC_WAITERS, QC_FINISH_MS);
    long sum = 0;
    for (int i = 0; i < QC_WAITERS; i++)
        sum += qc_ops[i].status == QC_OK ? QC_NUM(qc_ops[i].item) : 0;
    int ok = qc_count_status(qc_ops, QC_WAITERS, QC_OK);
    TL_ASSERT(ok == QC_WAITERS && sum == QC_WAITERS * (QC_WAITERS + 1) / 2,
              "%d getters blocked, then %d puts: expected every getter to get one item (OK, items "
              "summing to %d), got %d OK (items summing to %ld), %d still blocked",
              QC_WAITERS, QC_WAITERS, QC_WAITERS * (QC_WAITERS + 1) / 2, ok, sum,
              QC_WAITERS - finished);
    if (finished == QC_WAITERS)
        Q_DESTROY(&qc_q);
}

static void qc_each_get_wakes_a_putter(void)
{
    tl_hint("with %d putters asleep on a full queue, every get must wake one of them: signal "
            "not_full on EVERY get, not only when the queue goes from full to not full",
            QC_WAITERS);
    Q_INIT(&qc_q, 1);
    qc_expect_put(&qc_q, 100, "filling a queue of 1");
    for (int i = 0; i < QC_WAITERS; i++)
        qc_ops[i] = qc_op_of(&qc_q, i % 2 ? QC_OP_PUT_MS : QC_OP_PUT, i + 1,
                             contract_scaled_ms(QC_LONG_WAIT_MS));
    qc_start(qc_ops, qc_threads, QC_WAITERS, true);
    long sum = 0;
    int got = 0;
    for (int i = 0; i <= QC_WAITERS; i++) {
        void *item = NULL;
        if ((int)(Q_GET_MS(&qc_q, &item, contract_scaled_ms(QC_LONG_WAIT_MS))) != QC_OK)
            break;
        sum += QC_NUM(item);
        got++;
    }
    int finished = contract_finish(qc_threads, QC_WAITERS, QC_FINISH_MS);
    int ok = qc_count_status(qc_ops, QC_WAITERS, QC_OK);
    long want = 100 + QC_WAITERS * (QC_WAITERS + 1) / 2;
    TL_ASSERT(ok == QC_WAITERS && got == QC_WAITERS + 1 && sum == want,
              "%d putters blocked on a full queue of 1, then gets: expected all %d items (sum %ld) "
              "and every put OK, got %d items (sum %ld), %d puts OK, %d still blocked",
              QC_WAITERS, QC_WAITERS + 1, want, got, sum, ok, QC_WAITERS - finished);
    if (finished == QC_WAITERS)
        Q_DESTROY(&qc_q);
}

/* ---- core: backpressure ---- */

#define QC_BP_MAXSIZE 4
#define QC_BP_ITEMS 3000L

static atomic_long qc_bp_put, qc_bp_got, qc_bp_worst_lead, qc_bp_worst_size, qc_bp_order_errors;

static void qc_bp_producer(void *arg)
{
    Q_T *q = arg;
    for (long i = 1; i <= QC_BP_ITEMS; i++) {
        if ((int)(Q_PUT_MS(q, QC_ITEM(i), contract_scaled_ms(QC_LONG_WAIT_MS))) != QC_OK)
            return;
        long put = atomic_fetch_add(&qc_bp_put, 1) + 1;
        /* put - got <= maxsize + 1: the consumer may have taken an item and not counted it yet. */
        long lead = put - atomic_load(&qc_bp_got);
        if (lead > atomic_load(&qc_bp_worst_lead))
            atomic_store(&qc_bp_worst_lead, lead);
        long size = (long)Q_SIZE(q);
        if (size > atomic_load(&qc_bp_worst_size))
            atomic_store(&qc_bp_worst_size, size);
    }
}

static void qc_bp_consumer(void *arg)
{
    Q_T *q = arg;
    for (long i = 1; i <= QC_BP_ITEMS; i++) {
        void *item = NULL;
        if ((int)(Q_GET_MS(q, &item, contract_scaled_ms(QC_LONG_WAIT_MS))) != QC_OK)
            return;
        if (QC_NUM(item) != i)
            atomic_fetch_add(&qc_bp_order_errors, 1);
        atomic_fetch_add(&qc_bp_got, 1);
        if (i % 100 == 0)
            tl_sleep_ms(1); /* a slow consumer: the producer must be held back, not run ahead */
    }
}

static void qc_backpressure(void)
{
    tl_hint("a fast producer feeding a slow consumer through a queue of %d must be held back: "
            "put() blocks while the queue holds maxsize items, so it never gets more than %d "
            "items ahead",
            QC_BP_MAXSIZE, QC_BP_MAXSIZE);
    atomic_store(&qc_bp_put, 0);
    atomic_store(&qc_bp_got, 0);
    atomic_store(&qc_bp_worst_lead, 0);
    atomic_store(&qc_bp_worst_size, 0);
    atomic_store(&qc_bp_order_errors, 0);
    Q_INIT(&qc_q, QC_BP_MAXSIZE);
    contract_start(&qc_threads[0], qc_bp_producer, &qc_q);
    contract_start(&qc_threads[1], qc_bp_consumer, &qc_q);
    int finished = contract_finish(qc_threads, 2, QC_FINISH_MS * 2);
    TL_ASSERT(finished == 2 && atomic_load(&qc_bp_got) == QC_BP_ITEMS,
              "producer and consumer of %ld items: expected both to finish with every item "
              "delivered, got %ld put, %ld got, %d thread(s) still blocked",
              QC_BP_ITEMS, atomic_load(&qc_bp_put), atomic_load(&qc_bp_got), 2 - finished);
    TL_ASSERT(atomic_load(&qc_bp_worst_size) <= QC_BP_MAXSIZE,
              "size() seen by the producer: expected at most %d (maxsize), saw %ld", QC_BP_MAXSIZE,
              atomic_load(&qc_bp_worst_size));
    TL_ASSERT(atomic_load(&qc_bp_worst_lead) <= QC_BP_MAXSIZE + 1,
              "items put but not yet got: expected at most %d (maxsize + 1 in flight), saw %ld — "
              "put() does not block on a full queue",
              QC_BP_MAXSIZE + 1, atomic_load(&qc_bp_worst_lead));
    TL_ASSERT_EQ_LONG(atomic_load(&qc_bp_order_errors), 0, "items received out of order");
    if (finished == 2)
        Q_DESTROY(&qc_q);
}

/* ---- core: many producers and consumers ---- */

#define QC_MAX_SIDE 8
#define QC_SEQ_LIMIT 10000000L /* item = producer * QC_SEQ_LIMIT + seq + 1 */
#define QC_SENTINEL_NUM 2000000000L

typedef struct {
    Q_T *q;
    long id, count;
    int bad_status;
} qc_producer;

typedef struct {
    Q_T *q;
    long got, order_errors, foreign_items, per_producer;
    long last_seq[QC_MAX_SIDE];
    int bad_status;
} qc_consumer;

static qc_producer qc_producers[QC_MAX_SIDE];
static qc_consumer qc_consumers[QC_MAX_SIDE];
static contract_thread qc_prod_threads[QC_MAX_SIDE], qc_cons_threads[QC_MAX_SIDE];
static atomic_uchar *qc_seen; /* how many times each item was received */

static void qc_producer_body(void *arg)
{
    qc_producer *p = arg;
    p->bad_status = QC_OK;
    for (long seq = 0; seq < p->count; seq++) {
        int st = (int)(Q_PUT(p->q, QC_ITEM(p->id * QC_SEQ_LIMIT + seq + 1)));
        if (st != QC_OK) {
            p->bad_status = st;
            return;
        }
    }
}

static void qc_consumer_body(void *arg)
{
    qc_consumer *c = arg;
    c->bad_status = QC_OK;
    for (;;) {
        void *item = NULL;
        int st = (int)(Q_GET(c->q, &item));
        if (st != QC_OK) {
            c->bad_status = st;
            return;
        }
        long n = QC_NUM(item);
        if (n == QC_SENTINEL_NUM)
            return;
        long producer = (n - 1) / QC_SEQ_LIMIT, seq = (n - 1) % QC_SEQ_LIMIT;
        if (n < 1 || producer >= QC_MAX_SIDE || seq >= c->per_producer) {
            c->foreign_items++;
            continue;
        }
        /* FIFO: one producer's items reach any one consumer in the order they were put. */
        if (seq <= c->last_seq[producer])
            c->order_errors++;
        c->last_seq[producer] = seq;
        atomic_fetch_add_explicit(&qc_seen[producer * c->per_producer + seq], 1,
                                  memory_order_relaxed);
        c->got++;
    }
}

static void qc_stress(int producers, int consumers, size_t maxsize, long total_items)
{
    long per_producer = qc_scaled_count(total_items) / producers;
    long total = per_producer * producers;
    qc_seen = calloc((size_t)total, sizeof *qc_seen);
    TL_ASSERT_FATAL(qc_seen != NULL, "out of memory for %ld items", total);
    Q_INIT(&qc_q, maxsize);
    for (int i = 0; i < consumers; i++) {
        qc_consumers[i] = (qc_consumer){.q = &qc_q, .per_producer = per_producer};
        for (int p = 0; p < QC_MAX_SIDE; p++)
            qc_consumers[i].last_seq[p] = -1;
        contract_start(&qc_cons_threads[i], qc_consumer_body, &qc_consumers[i]);
    }
    for (int i = 0; i < producers; i++) {
        qc_producers[i] = (qc_producer){.q = &qc_q, .id = i, .count = per_producer};
        contract_start(&qc_prod_threads[i], qc_producer_body, &qc_producers[i]);
    }
    long bound_ms = 8000; /* a correct queue needs about a second here */
    int producers_done = contract_finish(qc_prod_threads, producers, bound_ms);
    TL_ASSERT_FATAL(producers_done == producers,
                    "%d producers x %ld items into a queue of %zu with %d consumers: %d producer(s) "
                    "still blocked in put() after %ld ms — a lost wake-up (signal the right "
                    "condvar on every get, and wait in a while loop)",
                    producers, per_producer, maxsize, consumers, producers - producers_done,
                    contract_scaled_ms(bound_ms));
    /* One sentinel per consumer: the classic way to stop consumers without shutdown. */
    int sentinels = 0;
    for (int i = 0; i < consumers; i++)
        sentinels += (int)(Q_PUT_MS(&qc_q, QC_ITEM(QC_SENTINEL_NUM),
                                    contract_scaled_ms(QC_LONG_WAIT_MS))) == QC_OK;
    int consumers_done = contract_finish(qc_cons_threads, consumers, bound_ms);
    long got = 0, order_errors = 0, foreign = 0;
    int bad_status = QC_OK;
    for (int i = 0; i < consumers; i++) {
        got += qc_consumers[i].got;
        order_errors += qc_consumers[i].order_errors;
        foreign += qc_consumers[i].foreign_items;
        if (qc_consumers[i].bad_status != QC_OK)
            bad_status = qc_consumers[i].bad_status;
    }
    for (int i = 0; i < producers; i++)
        if (qc_producers[i].bad_status != QC_OK)
            bad_status = qc_producers[i].bad_status;
    long lost = 0, duplicated = 0;
    for (long i = 0; i < total; i++) {
        unsigned char seen = atomic_load_explicit(&qc_seen[i], memory_order_relaxed);
        lost += seen == 0;
        duplicated += seen > 1 ? seen - 1 : 0;
    }
    TL_ASSERT(sentinels == consumers && consumers_done == consumers,
              "stopping %d consumers with one sentinel each: %d sentinel put(s) OK, %d consumer(s) "
              "still blocked in get() after %ld ms",
              consumers, sentinels, consumers - consumers_done, contract_scaled_ms(bound_ms));
    TL_ASSERT(bad_status == QC_OK, "every put() and get() in the stress run: expected OK, one "
                                   "returned %s",
              qc_status_name(bad_status));
    TL_ASSERT(lost == 0 && duplicated == 0 && foreign == 0 && got == total,
              "%d producers x %ld items through a queue of %zu to %d consumers: expected each of "
              "the %ld items received exactly once, got %ld received, %ld lost, %ld duplicated, "
              "%ld that were never put",
              producers, per_producer, maxsize, consumers, total, got, lost, duplicated, foreign);
    TL_ASSERT_EQ_LONG(order_errors, 0, "items a consumer received out of their producer's order");
    if (consumers_done == consumers)
        Q_DESTROY(&qc_q);
    free(qc_seen);
    qc_seen = NULL;
}

static void qc_one_slot_many_threads(void)
{
    tl_hint("4 producers and 4 consumers share a queue of ONE slot: with a single condvar for "
            "both sides, or pthread_cond_signal waking a thread of the wrong kind, a wake-up gets "
            "lost and everyone sleeps; with `if` instead of `while`, a getter takes an item that "
            "is not there. Use two condvars (not_empty, not_full) and while loops");
    qc_stress(4, 4, 1, 40000);
}

static void qc_stress_8x8(void)
{
    tl_hint("8 producers and 8 consumers move many items through a queue of 64: every item must "
            "arrive exactly once, and each producer's items in order; every access to the buffer, "
            "its indices and its count must happen with the mutex held");
    qc_stress(8, 8, 64, QC_STRESS_ITEMS);
}

/* ---- unbounded ---- */

static void qc_unbounded_never_blocks_put(void)
{
    tl_hint("maxsize 0 means unbounded: put() never blocks and full() is never true, so the buffer "
            "must grow (copying the items in FIFO order when it is wrapped around)");
    const long n = 10000;
    Q_INIT(&qc_q, 0);
    void *item = NULL;
    /* Stagger puts and gets so the buffer is wrapped around when it has to grow. */
    for (long i = 1; i <= 10; i++)
        TL_ASSERT_FATAL((int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(i))) == QC_OK, "put_nowait %ld on an "
                                                                          "unbounded queue", i);
    for (long i = 1; i <= 5; i++)
        qc_expect_get(&qc_q, i, "taking the first 5 items");
    int refused = 0;
    for (long i = 11; i <= n; i++)
        refused += (int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(i))) != QC_OK;
    TL_ASSERT(refused == 0, "%ld put_nowait calls on an unbounded queue: expected all OK, %d refused",
              n - 10, refused);
    TL_ASSERT(!Q_IS_FULL(&qc_q), "full() on an unbounded queue holding %ld items: expected false",
              n - 5);
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), n - 5, "size() of the unbounded queue");
    long out_of_order = 0;
    for (long i = 6; i <= n; i++) {
        int st = (int)(QC_GET_NOWAIT(&qc_q, &item));
        out_of_order += st != QC_OK || QC_NUM(item) != i;
    }
    TL_ASSERT_EQ_LONG(out_of_order, 0, "items missing or out of order after growing");
    TL_ASSERT(Q_IS_EMPTY(&qc_q), "empty() after taking every item: expected true");
    Q_DESTROY(&qc_q);
}

static CONTRACT_UNUSED void queue_contract_register_core(CU_pSuite suite)
{
    tl_test(suite, "items come out in FIFO order, also after wrapping around", qc_fifo_order);
    tl_test(suite, "size(), empty() and full() follow puts and gets", qc_size_empty_full);
    tl_test(suite, "put_nowait() on full and get_nowait() on empty fail at once", qc_nowait_calls);
    tl_test(suite, "timed put/get time out, not early", qc_timeouts);
    tl_test(suite, "put() blocks on a full queue until a get()", qc_put_blocks_until_get);
    tl_test(suite, "put_ms() waits for room within its timeout", qc_timed_put_gets_room);
    tl_test(suite, "get() blocks on an empty queue until a put()", qc_get_blocks_until_put);
    tl_test(suite, "get_ms() receives an item put within its timeout", qc_timed_get_receives_item);
    tl_test(suite, "every put wakes a blocked getter", qc_each_put_wakes_a_getter);
    tl_test(suite, "every get wakes a blocked putter", qc_each_get_wakes_a_putter);
    tl_test(suite, "backpressure: a fast producer is held to maxsize", qc_backpressure);
    tl_test_timeout(suite, "4 producers x 4 consumers through one slot", qc_one_slot_many_threads, 30);
    tl_test_timeout(suite, "8 producers x 8 consumers: items conserved, per-producer order kept",
                    qc_stress_8x8, 30);
}

static CONTRACT_UNUSED void queue_contract_register_unbounded(CU_pSuite suite)
{
    tl_test(suite, "maxsize 0: put never blocks, the buffer grows", qc_unbounded_never_blocks_put);
}

/* ---- task_done + join ---- */

#ifdef Q_TASK_DONE

static void qc_task_done_too_many(void)
{
    tl_hint("task_done() must return TOO_MANY_DONE (and change nothing) when every item put has "
            "already been marked done; keep a counter of unfinished items: +1 in put, -1 in "
            "task_done, never below 0");
    Q_INIT(&qc_q, 4);
    int st = (int)(Q_TASK_DONE(&qc_q));
    TL_ASSERT(st == (int)(Q_STATUS_TOO_MANY_DONE), "task_done() on a new queue: expected "
                                                   "TOO_MANY_DONE, got %s",
              qc_status_name(st));
    qc_expect_put(&qc_q, 1, "first put");
    qc_expect_put(&qc_q, 2, "second put");
    qc_expect_get(&qc_q, 1, "first get");
    qc_expect_get(&qc_q, 2, "second get");
    for (int i = 1; i <= 2; i++) {
        st = (int)(Q_TASK_DONE(&qc_q));
        TL_ASSERT(st == QC_OK, "task_done() #%d after 2 puts: expected OK, got %s", i,
                  qc_status_name(st));
    }
    st = (int)(Q_TASK_DONE(&qc_q));
    TL_ASSERT(st == (int)(Q_STATUS_TOO_MANY_DONE), "task_done() #3 after 2 puts: expected "
                                                   "TOO_MANY_DONE, got %s",
              qc_status_name(st));
    st = (int)(Q_JOIN_MS(&qc_q, 0));
    TL_ASSERT(st == QC_OK, "join_ms(0) with every item done (and one task_done too many): "
                           "expected OK, got %s",
              qc_status_name(st));
    qc_expect_put(&qc_q, 3, "a put after the refused task_done");
    st = (int)(Q_JOIN_MS(&qc_q, 0));
    TL_ASSERT(st == QC_TIMEOUT, "join_ms(0) with one item put and not done: expected TIMEOUT, got "
                                "%s (did the refused task_done change the counter?)",
              qc_status_name(st));
    Q_DESTROY(&qc_q);
}

static void qc_join_waits_for_every_task_done(void)
{
    tl_hint("join() must block until task_done() was called once per item put — getting an item "
            "is not enough — and then return; wake joiners (broadcast) when the unfinished count "
            "reaches 0, and let them wait in a while loop");
    Q_INIT(&qc_q, 4);
    int st = (int)(Q_JOIN_MS(&qc_q, 0));
    TL_ASSERT(st == QC_OK, "join_ms(0) on a new queue: expected OK at once, got %s",
              qc_status_name(st));
    for (long i = 1; i <= 3; i++)
        qc_expect_put(&qc_q, i, "putting 3 items");
    st = (int)(Q_JOIN_MS(&qc_q, 50));
    TL_ASSERT(st == QC_TIMEOUT, "join_ms(50) with 3 items queued: expected TIMEOUT, got %s",
              qc_status_name(st));
    for (long i = 1; i <= 3; i++)
        qc_expect_get(&qc_q, i, "getting the 3 items");
    st = (int)(Q_JOIN_MS(&qc_q, 50));
    TL_ASSERT(st == QC_TIMEOUT, "join_ms(50) with 3 items got but none marked done: expected "
                                "TIMEOUT, got %s",
              qc_status_name(st));
    for (int i = 0; i < 3; i++)
        qc_ops[i] = qc_op_of(&qc_q, QC_OP_JOIN_MS, 0, contract_scaled_ms(QC_LONG_WAIT_MS));
    qc_start(qc_ops, qc_threads, 3, true);
    TL_ASSERT((int)(Q_TASK_DONE(&qc_q)) == QC_OK && (int)(Q_TASK_DONE(&qc_q)) == QC_OK,
              "task_done() for 2 of 3 items: expected OK");
    tl_sleep_ms(20);
    int early = contract_count_finished(qc_threads, 3);
    TL_ASSERT(early == 0, "3 joiners with 1 of 3 items still not done: expected all blocked, %d "
                          "returned",
              early);
    TL_ASSERT((int)(Q_TASK_DONE(&qc_q)) == QC_OK, "task_done() for the last item: expected OK");
    int finished = contract_finish(qc_threads, 3, QC_FINISH_MS);
    int ok = qc_count_status(qc_ops, 3, QC_OK);
    TL_ASSERT(ok == 3, "3 joiners after the last task_done(): expected all to return OK (wake "
                       "every joiner), got %d OK, %d still blocked",
              ok, 3 - finished);
    /* Joining again, with nothing outstanding, returns at once — twice. */
    (void)(Q_JOIN(&qc_q));
    st = (int)(Q_JOIN_MS(&qc_q, 0));
    TL_ASSERT(st == QC_OK, "a second join after everything was done: expected OK at once, got %s",
              qc_status_name(st));
    if (finished == 3)
        Q_DESTROY(&qc_q);
}

static CONTRACT_UNUSED void queue_contract_register_join(CU_pSuite suite)
{
    tl_test(suite, "task_done() more often than put() is an error", qc_task_done_too_many);
    tl_test(suite, "join() waits for every task_done(), then returns (twice)",
            qc_join_waits_for_every_task_done);
}

#endif /* Q_TASK_DONE */

/* ---- shutdown: shared by the graceful and the immediate group ---- */

#if defined(Q_SHUTDOWN) || defined(Q_SHUTDOWN_IMMEDIATE)

#define QC_SHUT ((int)(Q_STATUS_SHUTDOWN))

static CONTRACT_UNUSED void *qc_dropped[16];
static CONTRACT_UNUSED int qc_dropped_count;

/* The free callback: runs in the thread that calls the immediate shutdown. */
static CONTRACT_UNUSED void qc_record_drop(void *item)
{
    if (qc_dropped_count < 16)
        qc_dropped[qc_dropped_count] = item;
    qc_dropped_count++;
}

/* Dropped items as a bit set of their numbers (1..15); -1 for anything else. */
static CONTRACT_UNUSED long qc_dropped_set(void)
{
    long set = 0;
    for (int i = 0; i < qc_dropped_count && i < 16; i++) {
        long n = QC_NUM(qc_dropped[i]);
        if (n < 1 || n > 15 || (set & (1L << n)))
            return -1;
        set |= 1L << n;
    }
    return qc_dropped_count > 16 ? -1 : set;
}

/* n helpers blocked in get on an empty queue (or put on a full queue of 1); shutdown must
 * wake every one with SHUTDOWN. */
static CONTRACT_UNUSED void qc_check_shutdown_wakes(bool putters, bool immediate)
{
    const int n = QC_WAITERS;
    Q_INIT(&qc_q, 1);
    if (putters)
        qc_expect_put(&qc_q, 100, "filling a queue of 1");
    for (int i = 0; i < n; i++)
        qc_ops[i] = qc_op_of(&qc_q,
                             putters ? (i % 2 ? QC_OP_PUT_MS : QC_OP_PUT)
                                     : (i % 2 ? QC_OP_GET_MS : QC_OP_GET),
                             putters ? i + 1 : 0, contract_scaled_ms(QC_LONG_WAIT_MS));
    qc_start(qc_ops, qc_threads, n, true);
#ifdef Q_SHUTDOWN_IMMEDIATE
    if (immediate)
        (void)(Q_SHUTDOWN_IMMEDIATE(&qc_q, qc_record_drop));
#endif
#ifdef Q_SHUTDOWN
    if (!immediate)
        (void)(Q_SHUTDOWN(&qc_q));
#endif
    int finished = contract_finish(qc_threads, n, QC_FINISH_MS);
    int shut = qc_count_status(qc_ops, n, QC_SHUT);
    TL_ASSERT(shut == n, "%d %s blocked on a%s queue, then %s shutdown: expected all to return "
                         "SHUTDOWN (broadcast both condvars), got %d SHUTDOWN, %d other, %d still "
                         "blocked",
              n, putters ? "putters" : "getters", putters ? " full" : "n empty",
              immediate ? "an immediate" : "a graceful", shut, finished - shut, n - finished);
    if (finished == n)
        Q_DESTROY(&qc_q);
}

#endif

/* ---- graceful shutdown ---- */

#ifdef Q_SHUTDOWN


static void qc_shutdown_rejects_puts(void)
{
    tl_hint("after shutdown() every put (blocking, timed or nowait) must return SHUTDOWN at once "
            "and add nothing, even when there is room: check the shutdown flag first in put");
    Q_INIT(&qc_q, 4);
    qc_expect_put(&qc_q, 1, "put before shutdown");
    qc_expect_put(&qc_q, 2, "put before shutdown");
    (void)(Q_SHUTDOWN(&qc_q));
    int st = (int)(Q_PUT(&qc_q, QC_ITEM(3)));
    TL_ASSERT(st == QC_SHUT, "put() after shutdown: expected SHUTDOWN, got %s", qc_status_name(st));
    st = (int)(Q_PUT_MS(&qc_q, QC_ITEM(4), contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_SHUT, "put_ms() after shutdown: expected SHUTDOWN, got %s", qc_status_name(st));
    st = (int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(5)));
    TL_ASSERT(st == QC_SHUT, "put_nowait() after shutdown: expected SHUTDOWN, got %s",
              qc_status_name(st));
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 2, "size() after shutdown and three refused puts");
    Q_DESTROY(&qc_q);
}

static void qc_shutdown_drains_then_reports(void)
{
    tl_hint("a graceful shutdown lets getters take the items already queued, in order; only "
            "when the queue is empty does every get (blocking, timed or nowait) return SHUTDOWN, "
            "at once: test `count > 0` before the shutdown flag, and never wait once shut down");
    Q_INIT(&qc_q, 4);
    for (long i = 1; i <= 3; i++)
        qc_expect_put(&qc_q, i, "put before shutdown");
    (void)(Q_SHUTDOWN(&qc_q));
    void *item = NULL;
    int st = (int)(Q_GET(&qc_q, &item));
    TL_ASSERT(st == QC_OK && QC_NUM(item) == 1, "get() after shutdown with 3 items left: expected "
                                                "OK and 1, got %s",
              qc_status_name(st));
    st = (int)(Q_GET_MS(&qc_q, &item, 0));
    TL_ASSERT(st == QC_OK && QC_NUM(item) == 2, "get_ms() after shutdown with 2 items left: "
                                                "expected OK and 2, got %s",
              qc_status_name(st));
    st = (int)(QC_GET_NOWAIT(&qc_q, &item));
    TL_ASSERT(st == QC_OK && QC_NUM(item) == 3, "get_nowait() after shutdown with 1 item left: "
                                                "expected OK and 3, got %s",
              qc_status_name(st));
    st = (int)(Q_GET_MS(&qc_q, &item, contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_SHUT, "get_ms() on a shut-down, empty queue: expected SHUTDOWN at once, got "
                             "%s",
              qc_status_name(st));
    st = (int)(QC_GET_NOWAIT(&qc_q, &item));
    TL_ASSERT(st == QC_SHUT, "get_nowait() on a shut-down, empty queue: expected SHUTDOWN, got %s",
              qc_status_name(st));
    qc_ops[0] = qc_op_of(&qc_q, QC_OP_GET, 0, 0);
    qc_start(qc_ops, qc_threads, 1, false);
    int finished = contract_finish(qc_threads, 1, QC_FINISH_MS);
    TL_ASSERT(finished == 1 && qc_ops[0].status == QC_SHUT,
              "get() on a shut-down, empty queue: expected SHUTDOWN at once, got %s",
              finished ? qc_status_name(qc_ops[0].status) : "still blocked");
    if (finished == 1)
        Q_DESTROY(&qc_q);
}

static void qc_shutdown_wakes_getters(void)
{
    tl_hint("shutdown() must wake EVERY getter blocked on an empty queue (pthread_cond_broadcast "
            "on not_empty, not signal), and each must see the flag in its while loop and return "
            "SHUTDOWN");
    qc_check_shutdown_wakes(false, false);
}

static void qc_shutdown_wakes_putters(void)
{
    tl_hint("shutdown() must wake EVERY putter blocked on a full queue (pthread_cond_broadcast "
            "on not_full), and each must see the flag in its while loop and return SHUTDOWN");
    qc_check_shutdown_wakes(true, false);
}

static void qc_shutdown_twice(void)
{
    tl_hint("calling shutdown() twice must be harmless (the second call changes nothing)");
    Q_INIT(&qc_q, 2);
    qc_expect_put(&qc_q, 1, "put before shutdown");
    (void)(Q_SHUTDOWN(&qc_q));
    (void)(Q_SHUTDOWN(&qc_q));
    qc_expect_get(&qc_q, 1, "get after two shutdowns, one item left");
    void *item = NULL;
    int st = (int)(Q_GET_MS(&qc_q, &item, contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_SHUT, "get_ms() once drained: expected SHUTDOWN, got %s", qc_status_name(st));
    Q_DESTROY(&qc_q);
}

#ifdef Q_TASK_DONE
static void qc_graceful_shutdown_join_waits(void)
{
    tl_hint("a graceful shutdown does not finish the items still queued: join() keeps waiting "
            "until they are got and marked done");
    Q_INIT(&qc_q, 4);
    qc_expect_put(&qc_q, 1, "put before shutdown");
    qc_expect_put(&qc_q, 2, "put before shutdown");
    (void)(Q_SHUTDOWN(&qc_q));
    int st = (int)(Q_JOIN_MS(&qc_q, 50));
    TL_ASSERT(st == QC_TIMEOUT, "join_ms(50) after a graceful shutdown with 2 items left: expected "
                                "TIMEOUT, got %s",
              qc_status_name(st));
    for (long i = 1; i <= 2; i++) {
        qc_expect_get(&qc_q, i, "draining after shutdown");
        TL_ASSERT((int)(Q_TASK_DONE(&qc_q)) == QC_OK, "task_done() for drained item %ld", i);
    }
    st = (int)(Q_JOIN_MS(&qc_q, contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_OK, "join_ms() once both items were done: expected OK, got %s",
              qc_status_name(st));
    Q_DESTROY(&qc_q);
}
#endif

static CONTRACT_UNUSED void queue_contract_register_shutdown(CU_pSuite suite)
{
    tl_test(suite, "after shutdown every put fails", qc_shutdown_rejects_puts);
    tl_test(suite, "after shutdown gets drain the queue, then fail", qc_shutdown_drains_then_reports);
    tl_test(suite, "shutdown wakes every blocked getter", qc_shutdown_wakes_getters);
    tl_test(suite, "shutdown wakes every blocked putter", qc_shutdown_wakes_putters);
    tl_test(suite, "shutdown twice is harmless", qc_shutdown_twice);
#ifdef Q_TASK_DONE
    tl_test(suite, "join still waits for the items a graceful shutdown left",
            qc_graceful_shutdown_join_waits);
#endif
}

#endif /* Q_SHUTDOWN */

/* ---- immediate shutdown ---- */

#ifdef Q_SHUTDOWN_IMMEDIATE

static void qc_immediate_drops_items(void)
{
    tl_hint("an immediate shutdown removes every queued item and passes each exactly once to the "
            "free callback; afterwards the queue is empty and every put and get returns SHUTDOWN");
    qc_dropped_count = 0;
    Q_INIT(&qc_q, 4);
    for (long i = 1; i <= 3; i++)
        qc_expect_put(&qc_q, i, "put before shutdown");
    (void)(Q_SHUTDOWN_IMMEDIATE(&qc_q, qc_record_drop));
    TL_ASSERT(qc_dropped_count == 3 && qc_dropped_set() == (1 << 1 | 1 << 2 | 1 << 3),
              "free callback after an immediate shutdown of a queue holding 1, 2, 3: expected 3 "
              "calls with items 1, 2, 3, got %d call(s)%s",
              qc_dropped_count, qc_dropped_set() < 0 ? " with wrong or repeated items" : "");
    TL_ASSERT_EQ_LONG(Q_SIZE(&qc_q), 0, "size() after an immediate shutdown");
    void *item = NULL;
    int st = (int)(Q_GET_MS(&qc_q, &item, contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_SHUT, "get_ms() after an immediate shutdown: expected SHUTDOWN, got %s",
              qc_status_name(st));
    st = (int)(QC_PUT_NOWAIT(&qc_q, QC_ITEM(4)));
    TL_ASSERT(st == QC_SHUT, "put_nowait() after an immediate shutdown: expected SHUTDOWN, got %s",
              qc_status_name(st));
    Q_DESTROY(&qc_q);
}

static void qc_immediate_wakes_getters(void)
{
    tl_hint("an immediate shutdown must wake EVERY blocked getter (broadcast on not_empty) with "
            "SHUTDOWN");
    qc_dropped_count = 0;
    qc_check_shutdown_wakes(false, true);
    TL_ASSERT_EQ_LONG(qc_dropped_count, 0, "free callback calls for an empty queue");
}

static void qc_immediate_wakes_putters(void)
{
    tl_hint("an immediate shutdown must wake EVERY blocked putter (broadcast on not_full) with "
            "SHUTDOWN, and drop the item that was queued");
    qc_dropped_count = 0;
    qc_check_shutdown_wakes(true, true);
    TL_ASSERT(qc_dropped_count == 1 && QC_NUM(qc_dropped[0]) == 100,
              "free callback after shutting down a full queue of 1 holding item 100: expected one "
              "call with 100, got %d call(s)",
              qc_dropped_count);
}

static void qc_graceful_then_immediate(void)
{
    tl_hint("an immediate shutdown may follow a graceful one: it then drops the items still "
            "left");
    qc_dropped_count = 0;
    Q_INIT(&qc_q, 4);
    for (long i = 1; i <= 3; i++)
        qc_expect_put(&qc_q, i, "put before shutdown");
#ifdef Q_SHUTDOWN
    (void)(Q_SHUTDOWN(&qc_q));
    qc_expect_get(&qc_q, 1, "get after a graceful shutdown");
    long want = 1 << 2 | 1 << 3;
#else
    long want = 1 << 1 | 1 << 2 | 1 << 3;
#endif
    (void)(Q_SHUTDOWN_IMMEDIATE(&qc_q, qc_record_drop));
    TL_ASSERT(qc_dropped_set() == want, "items dropped by the immediate shutdown: expected the %d "
                                        "left, got %d call(s)",
              want == 12 ? 2 : 3, qc_dropped_count);
    void *item = NULL;
    int st = (int)(QC_GET_NOWAIT(&qc_q, &item));
    TL_ASSERT(st == QC_SHUT, "get_nowait() after the immediate shutdown: expected SHUTDOWN, got %s",
              qc_status_name(st));
    Q_DESTROY(&qc_q);
}

#ifdef Q_TASK_DONE
static void qc_immediate_releases_join(void)
{
    tl_hint("items dropped by an immediate shutdown count as done: a blocked join() must be woken "
            "(broadcast) once nothing else is outstanding, and task_done() for a dropped item is "
            "one too many");
    qc_dropped_count = 0;
    Q_INIT(&qc_q, 4);
    for (long i = 1; i <= 3; i++)
        qc_expect_put(&qc_q, i, "put before shutdown");
    qc_ops[0] = qc_op_of(&qc_q, QC_OP_JOIN_MS, 0, contract_scaled_ms(QC_LONG_WAIT_MS));
    qc_start(qc_ops, qc_threads, 1, true);
    TL_ASSERT(contract_count_finished(qc_threads, 1) == 0, "join with 3 items queued: expected it "
                                                           "to block");
    (void)(Q_SHUTDOWN_IMMEDIATE(&qc_q, qc_record_drop));
    int finished = contract_finish(qc_threads, 1, QC_FINISH_MS);
    TL_ASSERT(finished == 1 && qc_ops[0].status == QC_OK,
              "a join blocked on 3 queued items, after an immediate shutdown dropped them: "
              "expected OK, got %s",
              finished ? qc_status_name(qc_ops[0].status) : "still blocked");
    int st = (int)(Q_TASK_DONE(&qc_q));
    TL_ASSERT(st == (int)(Q_STATUS_TOO_MANY_DONE), "task_done() for a dropped item: expected "
                                                   "TOO_MANY_DONE, got %s",
              qc_status_name(st));
    if (finished == 1)
        Q_DESTROY(&qc_q);
}

static void qc_immediate_join_counts_items_in_hand(void)
{
    tl_hint("an immediate shutdown drops only what is still queued: an item a consumer already "
            "got must still be marked done before join() returns (as in Python 3.13)");
    qc_dropped_count = 0;
    Q_INIT(&qc_q, 4);
    qc_expect_put(&qc_q, 1, "put before shutdown");
    qc_expect_put(&qc_q, 2, "put before shutdown");
    qc_expect_get(&qc_q, 1, "a consumer takes item 1");
    (void)(Q_SHUTDOWN_IMMEDIATE(&qc_q, qc_record_drop));
    TL_ASSERT(qc_dropped_set() == 1 << 2, "items dropped: expected only item 2, got %d call(s)",
              qc_dropped_count);
    int st = (int)(Q_JOIN_MS(&qc_q, 50));
    TL_ASSERT(st == QC_TIMEOUT, "join_ms(50) while item 1 is in hand and not done: expected "
                                "TIMEOUT, got %s",
              qc_status_name(st));
    st = (int)(Q_TASK_DONE(&qc_q));
    TL_ASSERT(st == QC_OK, "task_done() for the item in hand: expected OK, got %s", qc_status_name(st));
    st = (int)(Q_JOIN_MS(&qc_q, contract_scaled_ms(QC_LONG_WAIT_MS)));
    TL_ASSERT(st == QC_OK, "join_ms() once the item in hand is done: expected OK, got %s",
              qc_status_name(st));
    Q_DESTROY(&qc_q);
}
#endif

static CONTRACT_UNUSED void queue_contract_register_shutdown_immediate(CU_pSuite suite)
{
    tl_test(suite, "immediate shutdown drops queued items through the callback",
            qc_immediate_drops_items);
    tl_test(suite, "immediate shutdown wakes every blocked getter", qc_immediate_wakes_getters);
    tl_test(suite, "immediate shutdown wakes every blocked putter", qc_immediate_wakes_putters);
    tl_test(suite, "immediate shutdown after a graceful one drops what is left",
            qc_graceful_then_immediate);
#ifdef Q_TASK_DONE
    tl_test(suite, "immediate shutdown releases join", qc_immediate_releases_join);
    tl_test(suite, "immediate shutdown: join still counts items in hand",
            qc_immediate_join_counts_items_in_hand);
#endif
}

#endif /* Q_SHUTDOWN_IMMEDIATE */

#endif
