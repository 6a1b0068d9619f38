/* checks.c — lab06's checks (checks.h): contract suites (queue, and timed waits on get_ms, then
 * put_ms), and forced here what they leave to chance: wake-ups, races, hand-offs, cleanup. */
#include "checks.h"
#include "exercise.h"

#define Q_T bounded_queue
#define Q_INIT(q, maxsize) queue_init((q), (maxsize))
#define Q_DESTROY(q) queue_destroy(q)
#define Q_PUT(q, item) queue_put((q), (item))
#define Q_GET(q, itemp) queue_get((q), (itemp))
#define Q_PUT_MS(q, item, ms) queue_put_ms((q), (item), (ms))
#define Q_GET_MS(q, itemp, ms) queue_get_ms((q), (itemp), (ms))
#define Q_SIZE(q) queue_size(q)
#define Q_IS_EMPTY(q) queue_empty(q)
#define Q_IS_FULL(q) queue_full(q)
#define Q_SHUTDOWN(q) queue_shutdown(q)
#define Q_STATUS_OK QUEUE_OK
#define Q_STATUS_TIMEOUT QUEUE_TIMEOUT
#define Q_STATUS_SHUTDOWN QUEUE_SHUTDOWN
#include "../contract/queue_contract.h"

static int tw_put; /* the timed-wait contract runs get_ms (0) or put_ms (1) on a queue of 1 */
static void *tw_got, *tw_taken;
#define TW_COND(o) (tw_put ? &(o)->not_full : &(o)->not_empty)
#define TW_T bounded_queue
#define TW_INIT(o) (queue_init(o, 1), (void)(tw_put ? queue_put(o, QC_ITEM(1)) : QUEUE_OK))
#define TW_DESTROY(o) queue_destroy(o)
#define TW_TIMED(o, ms)                                                                            \
    ((tw_put ? queue_put_ms(o, QC_ITEM(2), ms) : queue_get_ms(o, &tw_got, ms)) == QUEUE_OK)
#define TW_GRANT(o) (void)(tw_put ? queue_get(o, &tw_taken) : queue_put(o, QC_ITEM(3)))
#define TW_WAKE(o) tl_spy_wake_spuriously(TW_COND(o))
#define TW_AWAIT_WAITING(o) tl_spy_await_waiting(TW_COND(o), 1, 2000)
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"

const char *__tsan_default_options(void); /* TSan: no 1 s sleep as each check's process ends */
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }
#define ALL(name, ...) static void name(void) { __VA_ARGS__; }
#define BOTH_SIDES(name, ...) ALL(name, for (tw_put = 0; tw_put < 2; tw_put++) __VA_ARGS__)
BOTH_SIDES(tw_zero, tw_zero_and_negative_do_not_block())
BOTH_SIDES(tw_times_out, tw_times_out_not_early())
BOTH_SIDES(tw_arithmetic, tw_999ms_carries_nanoseconds(), tw_long_timeout_is_not_overflowed())
ALL(tw_trickle, tw_put = 0, tw_wakeups_do_not_restart_the_timeout(), tw_put = 1; /* if passed */
    if (tw_wait_result.took_ms <= 300 + tl_check_ms(TW_LATE_SLACK_MS))
        tw_wakeups_do_not_restart_the_timeout())
ALL(blocked_calls_complete, qc_get_blocks_until_put(), qc_timed_get_receives_item(),
    qc_put_blocks_until_get(), qc_timed_put_gets_room())
ALL(shut_down, qc_shutdown_rejects_puts(), qc_shutdown_drains_then_reports(), qc_shutdown_twice())
/* Starts n calls of `kind` on q (qc_ops[first...], a thread each); returns once all wait. */
static void start_waiting(Q_T *q, int first, int n, qc_op_kind kind, void (*body)(void *))
{
    bool put = kind == QC_OP_PUT || kind == QC_OP_PUT_MS;
    for (int i = first; i < first + n; i++) {
        qc_ops[i] = qc_op_of(q, kind, 11 + i, contract_scaled_ms(QC_LONG_WAIT_MS));
        contract_start(&qc_threads[i], body, &qc_ops[i]);
    }
    TL_ASSERT_FATAL(tl_spy_await_waiting(put ? &q->not_full : &q->not_empty, n, 2000), "%d %s "
                    "started: not all of them waited", n, put ? "putters" : "getters");
}
/* put(), put_ms(), get(), get_ms() in turn wait on a queue of 1 (full, or empty) of their own;
 * each, woken with nothing changed, must start a new wait, not return. They are left waiting. */
static Q_T woken_q[4];
static void woken_waits_again(void)
{
    static const char *const calls[] = {"put()", "put_ms(3000)", "get()", "get_ms(3000)"};
    for (qc_op_kind k = QC_OP_PUT; k <= QC_OP_GET_MS; k++) {
        Q_INIT(&woken_q[k], 1);
        if (k <= QC_OP_PUT_MS)
            qc_expect_put(&woken_q[k], 1, "filling a queue of 1");
        start_waiting(&woken_q[k], (int)k, 1, k, qc_op_body);
        long waits = tl_spy_count(TL_SPY_WAIT);
        tl_spy_wake_spuriously(k <= QC_OP_PUT_MS ? &woken_q[k].not_full : &woken_q[k].not_empty);
        for (long ms = 0; tl_spy_count(TL_SPY_WAIT) == waits && !qc_threads[k].finished &&
                          ms < tl_check_ms(2000); ms++)
            tl_sleep_ms(1); /* until it waits again, or returned */
        bool back = atomic_load(&qc_threads[k].finished);
        TL_ASSERT_FATAL(!back, "%s, woken with the queue still %s, returned %s (expected it to "
                        "wait again)", calls[k], k <= QC_OP_PUT_MS ? "full" : "empty",
                        back ? qc_status_name(qc_ops[k].status) : "");
    }
    contract_finish(qc_threads, 4, 0); /* detached: ThreadSanitizer reports threads not joined */
}
/* Two putters race for the one free slot. One that locks the mutex twice in its put (the test
 * for room and the insert in two critical sections) waits at the second lock for the other. */
static _Thread_local bool racer;
static atomic_int at_second_lock;
static void meet_at_second_lock(const tl_spy_event *e)
{
    if (racer && tl_spy_count_mine(e->call) == 2 && atomic_fetch_add(&at_second_lock, 1) == 0)
        for (long ms = 0; atomic_load(&at_second_lock) < 2 && ms < tl_check_ms(1000); ms++)
            tl_sleep_ms(1);
}
static void racer_body(void *op) { racer = true, qc_op_body(op); }
static void two_putters_race_for_the_last_slot(void)
{
    Q_INIT(&qc_q, 1);
    tl_spy_on(TL_SPY_LOCK, meet_at_second_lock);
    for (int i = 0; i < 2; i++) {
        qc_ops[i] = qc_op_of(&qc_q, QC_OP_PUT, i + 1, 0);
        contract_start(&qc_threads[i], racer_body, &qc_ops[i]);
    }
    long ms = 0; /* until one has put and the other waits */
    while (contract_count_finished(qc_threads, 2) + tl_spy_waiting(&qc_q.not_full) < 2 &&
           ms++ < tl_check_ms(2000))
        tl_sleep_ms(1);
    size_t size = (tl_spy_on(TL_SPY_LOCK, NULL), Q_SIZE(&qc_q));
    TL_ASSERT(contract_finish(qc_threads, 2, 0) <= 1 && size == 1, "two putters raced for the one "
              "free slot of an empty queue of 1: size() is then %zu (expected 1)", size);
}
/* 4 getters, then 4 putters, wait at SCHED_IDLE on one CPU: none runs before the main thread's
 * 4 puts (gets) are all made, back to back, so each of those must wake a waiter of its own. */
static void idle_op_body(void *op) { (void)tl_check_run_last(), qc_op_body(op); }
static void quick_handoffs(void)
{
    (void)tl_check_one_cpu();
    for (int putters = 0; putters < 2; putters++) {
        Q_INIT(&qc_q, 4);
        for (long i = 1; putters && i <= 4; i++)
            qc_expect_put(&qc_q, i, "filling a queue of 4");
        start_waiting(&qc_q, 0, 4, putters ? QC_OP_PUT : QC_OP_GET, idle_op_body);
        void *item = NULL;
        for (long i = 1; i <= 4; i++)
            (void)(putters ? Q_GET_MS(&qc_q, &item, 0) : Q_PUT_MS(&qc_q, QC_ITEM(i), 0));
        int left = 4 - contract_finish(qc_threads, 4, 1000);
        TL_ASSERT_FATAL(left == 0 && qc_count_status(qc_ops, 4, QC_OK) == 4, "4 %s waiting, 4 "
                        "quick %s: %d still wait after %ld ms (expected 0)", putters ? "putters" :
                        "getters", putters ? "gets" : "puts", left, tl_check_ms(1000));
        Q_DESTROY(&qc_q);
    }
}
static Q_T full_q;
static void shutdown_wakes_every_waiter(void)
{
    Q_INIT(&qc_q, 1), Q_INIT(&full_q, 1);
    qc_expect_put(&full_q, 100, "filling a queue of 1");
    start_waiting(&qc_q, 0, 3, QC_OP_GET, qc_op_body);
    start_waiting(&full_q, 3, 3, QC_OP_PUT, qc_op_body);
    queue_shutdown(&qc_q), queue_shutdown(&full_q);
    int done[2] = {contract_finish(qc_threads, 3, 500), contract_finish(qc_threads + 3, 3, 500)};
    for (int p = 0; p < 2; p++)
        TL_ASSERT(done[p] == 3 && qc_count_status(qc_ops + 3 * p, 3, QC_SHUT) == 3, "3 %s waiting, "
                  "then shutdown(): %d still wait after %ld ms, %d returned SHUTDOWN (expected "
                  "3)", p ? "putters" : "getters", 3 - done[p], tl_check_ms(500),
                  qc_count_status(qc_ops + 3 * p, 3, QC_SHUT));
}
static void destroy_frees_everything(void)
{
    long before = tl_spy_live_allocations();
    queue_init(&qc_q, 64);
    qc_expect_put(&qc_q, 1, "a put"), qc_expect_get(&qc_q, 1, "a get"), queue_destroy(&qc_q);
    long left = tl_spy_live_allocations() - before; /* < 0: tl_xcalloc is not counted */
    TL_ASSERT(left <= 0, "queue_init(64), a put, a get, queue_destroy(): %ld allocation(s) still "
              "live (expected 0)", left);
}
#define WAKE "every thread waiting for a change must be woken once the change is made"
#define TIMED "one absolute deadline, computed once, on the clock of the condvar"
#define RACES TL_CHECK_RACES
TL_CHECK_TABLE("lab06",
    {.name = "items come out in the order they went in, also after the ring wraps around",
     .promises = "init.empty get.fifo", .points = 1, .run = qc_fifo_order,
     .hints = {"a ring buffer", "the index arithmetic", "the tail is head + count, mod maxsize"}},
    {.name = "size(), empty() and full() follow puts and gets", .promises = "size.snapshot",
     .points = 1, .run = qc_size_empty_full, .hints = {"count says how full the queue is"}},
    {.name = "queue_destroy() frees everything queue_init() allocated", .promises = "destroy.frees",
     .points = 1, .run = destroy_frees_everything,
     .hints = {"what init takes, destroy gives back", "queue_destroy", "the ring buffer"}},
    {.name = "get_ms() and put_ms() with timeout 0 or less never wait, yet take what is there",
     .promises = "get_ms.zero put_ms.zero", .points = 1, .run = tw_zero,
     .hints = {"timeout 0: look once", "queue_get_ms, queue_put_ms", "a deadline already passed"}},
    {.name = "get_ms() and put_ms() time out after 300 ms and 1250 ms, not before, not long after",
     .promises = "get_ms.times_out put_ms.times_out", .points = 2, .run = tw_times_out,
     .hints = {TIMED, "the deadline given to pthread_cond_timedwait", "tl_deadline_monotonic"}},
    {.name = "get_ms() and put_ms() of 999 ms, 3.6 s and an hour: nanoseconds carried, no overflow",
     .promises = "get_ms.times_out put_ms.times_out", .points = 2, .run = tw_arithmetic,
     .hints = {"tv_nsec < 1e9; 3.6e9 ns overflows an int", "the deadline", "64 bits, and a carry"}},
    {.name = "get() and put() wait on an empty (full) queue until an item (room) comes",
     .promises = "get.blocks_while_empty put.blocks_while_full", .points = 1, .flags = RACES,
     .run = blocked_calls_complete, .hints = {WAKE, "the waits, and the signals"}},
    {.name = "get(), get_ms(), put() and put_ms() woken with nothing changed wait again",
     .promises = "get.rechecks put.rechecks", .points = 3, .flags = RACES, .run = woken_waits_again,
     .hints = {"a wake-up is only a hint", "the waits", "a loop that tests the condition again"}},
    {.name = "a 300 ms get_ms() and put_ms() woken every 40 ms still give up after 300 ms",
     .promises = "get_ms.deadline put_ms.deadline", .points = 2, .flags = RACES, .bound_s = 8,
     .run = tw_trickle, .hints = {TIMED, "where the deadline is computed", "once, before"}},
    {.name = "two putters racing for the last slot: one puts, the other waits", .points = 2,
     .promises = "put.bounded", .flags = RACES, .run = two_putters_race_for_the_last_slot,
     .hints = {"test and act in one critical section", "put_until", "hold the mutex throughout"}},
    {.name = "4 getters waiting, 4 quick puts (then 4 putters, 4 gets): every one goes on",
     .promises = "put.wakes_getter get.wakes_putter", .points = 3, .flags = RACES,
     .run = quick_handoffs, .hints = {WAKE, "when put and get signal", "every time, not only at "
     "the edge from empty or full"}},
    {.name = "after shutdown() puts are refused, gets drain what is left, then say SHUTDOWN",
     .promises = "put.shutdown get.drains shutdown.idempotent", .points = 2, .run = shut_down,
     .hints = {"graceful: no new work, the queued work goes out", "after the wait loops"}},
    {.name = "shutdown() wakes all 3 waiting getters and all 3 waiting putters", .points = 2,
     .promises = "shutdown.wakes_all", .flags = RACES, .run = shutdown_wakes_every_waiter,
     .hints = {"a change every sleeper must see, made under the mutex", "queue_shutdown"}},
    {.name = "a fast producer and a slow consumer: the producer is held to maxsize", .points = 2,
     .promises = "put.bounded size.snapshot", .flags = RACES, .run = qc_backpressure,
     .hints = {"backpressure", "every read of count", "size() takes the mutex, even for a read"}},
    {.name = "4 producers and 4 consumers through one slot: every item exactly once", .points = 3,
     .promises = "get.exactly_once", .flags = RACES, .bound_s = 20, .run = qc_one_slot_many_threads,
     .hints = {"all of the above at once", "the first check above that fails"}});
