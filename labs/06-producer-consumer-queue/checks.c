/* checks.c — lab06's checks (checks.h): the bounded blocking queue of exercise.c. Most are the
 * contract suites (queue_contract.h, as common/queue.h passes them; timed_wait_contract.h, run
 * on get_ms and then on put_ms); the ones here force what those leave to chance: a wake-up with
 * nothing changed, two putters between the check for room and the insert, shutdown() once every
 * thread really waits, and what destroy leaves behind. */
#include <stdatomic.h>

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

#if defined(__SANITIZE_THREAD__)
#define LAB06_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LAB06_TSAN 1
#endif
#endif
#ifdef LAB06_TSAN /* ThreadSanitizer sleeps 1 s as each process exits: each check's, here */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "atexit_sleep_ms=0"; }
#endif

#define BOTH_SIDES(test) static void test##_both(void) { tw_put = 0; test(); tw_put = 1; test(); }
BOTH_SIDES(tw_zero_and_negative_do_not_block)
BOTH_SIDES(tw_times_out_not_early)
BOTH_SIDES(tw_999ms_carries_nanoseconds)
BOTH_SIDES(tw_long_timeout_is_not_overflowed)
static void tw_trickle_both(void) /* put_ms only when get_ms passed: the wait is 3 s when it fails */
{
    tw_put = 0;
    tw_wakeups_do_not_restart_the_timeout();
    tw_put = 1;
    if (atomic_load(&tw_wait_result.done) && !atomic_load(&tw_wait_result.ok) &&
        atomic_load(&tw_wait_result.took_ms) <= 300 + contract_scaled_ms(TW_LATE_SLACK_MS))
        tw_wakeups_do_not_restart_the_timeout();
}

static void blocked_get_completes(void) { qc_get_blocks_until_put(); qc_timed_get_receives_item(); }
static void blocked_put_completes(void) { qc_put_blocks_until_get(); qc_timed_put_gets_room(); }
static void shutdown_contract(void) { qc_shutdown_rejects_puts(); qc_shutdown_drains_then_reports(); qc_shutdown_twice(); }

/* One call of `kind` waits on a queue of 1 (empty for a get, full for a put). Woken with nothing
 * changed, it must wait again (a new wait starts) rather than return; then room or an item comes. */
static void woken_waits_again(qc_op_kind kind)
{
    bool put = kind == QC_OP_PUT || kind == QC_OP_PUT_MS;
    const char *call = put ? (kind == QC_OP_PUT ? "put()" : "put_ms(3000)")
                           : (kind == QC_OP_GET ? "get()" : "get_ms(3000)");
    pthread_cond_t *cond = put ? &qc_q.not_full : &qc_q.not_empty;
    Q_INIT(&qc_q, 1);
    if (put)
        qc_expect_put(&qc_q, 1, "filling a queue of 1");
    qc_ops[0] = qc_op_of(&qc_q, kind, put ? 2 : 0, contract_scaled_ms(QC_LONG_WAIT_MS));
    contract_start(&qc_threads[0], qc_op_body, &qc_ops[0]);
    TL_ASSERT_FATAL(tl_spy_await_waiting(cond, 1, 2000), "%s on a %s queue of 1 never waited on "
                    "%s", call, put ? "full" : "empty", put ? "not_full" : "not_empty");
    long waits = tl_spy_count(TL_SPY_WAIT);
    tl_spy_wake_spuriously(cond);
    struct timespec until = tl_deadline_monotonic(tl_check_ms(2000));
    while (tl_spy_count(TL_SPY_WAIT) == waits && !atomic_load(&qc_threads[0].finished) &&
           tl_ms_until(until) > 0)
        tl_sleep_ms(1);
    bool returned = atomic_load(&qc_threads[0].finished);
    TL_ASSERT_FATAL(!returned, "%s, woken with the queue still %s, returned %s at once (expected "
                    "it to wait again)", call, put ? "full" : "empty",
                    returned ? qc_status_name(qc_ops[0].status) : "");
    if (put)
        qc_expect_get(&qc_q, 1, "the item inside, to make room");
    else
        qc_expect_put(&qc_q, 9, "an item for the waiting getter");
    TL_ASSERT_FATAL(contract_finish(qc_threads, 1, QC_FINISH_MS) == 1, "%s still waits after the "
                    "main thread %s", call, put ? "made room" : "put an item");
    TL_ASSERT(qc_ops[0].status == QC_OK && (put || QC_NUM(qc_ops[0].item) == 9), "%s, once %s "
              "came: expected OK%s, got %s", call, put ? "room" : "an item", put ? "" : " and 9",
              qc_status_name(qc_ops[0].status));
    if (put)
        qc_expect_get(&qc_q, 2, "the item of the woken put");
    Q_DESTROY(&qc_q);
}

static void get_woken_waits_again(void) { woken_waits_again(QC_OP_GET); woken_waits_again(QC_OP_GET_MS); }
static void put_woken_waits_again(void) { woken_waits_again(QC_OP_PUT); woken_waits_again(QC_OP_PUT_MS); }

/* Two putters race for the one free slot; the one that locks the mutex a second time within its
 * put (a check and an insert in two critical sections) waits there until the other arrives too. */
static _Thread_local bool racer;
static atomic_int at_second_lock;
static void meet_at_second_lock(const tl_spy_event *e)
{
    (void)e;
    if (!racer || tl_spy_count_mine(TL_SPY_LOCK) < 2)
        return;
    atomic_fetch_add(&at_second_lock, 1);
    struct timespec until = tl_deadline_monotonic(tl_check_ms(1000));
    while (atomic_load(&at_second_lock) < 2 && tl_ms_until(until) > 0)
        tl_sleep_ms(1);
}
static void racer_body(void *op) { racer = true; qc_op_body(op); }

static void two_putters_race_for_the_last_slot(void)
{
    Q_INIT(&qc_q, 1);
    atomic_store(&at_second_lock, 0);
    tl_spy_on(TL_SPY_LOCK, meet_at_second_lock);
    for (int i = 0; i < 2; i++) {
        qc_ops[i] = qc_op_of(&qc_q, QC_OP_PUT, i + 1, 0);
        contract_start(&qc_threads[i], racer_body, &qc_ops[i]);
    }
    struct timespec until = tl_deadline_monotonic(tl_check_ms(2000));
    while (contract_count_finished(qc_threads, 2) + tl_spy_waiting(&qc_q.not_full) < 2 &&
           tl_ms_until(until) > 0)
        tl_sleep_ms(1);
    size_t size = Q_SIZE(&qc_q);
    tl_spy_on(TL_SPY_LOCK, NULL);
    TL_ASSERT_FATAL(size == 1, "two putters raced for the one free slot of an empty queue of 1: "
                    "size() is then %zu (expected 1: the second finds it full and waits)", size);
    long sum = 0;
    for (int i = 0; i < 2; i++) {
        void *item = NULL;
        if (Q_GET_MS(&qc_q, &item, contract_scaled_ms(QC_LONG_WAIT_MS)) == QUEUE_OK)
            sum += QC_NUM(item);
    }
    TL_ASSERT_FATAL(contract_finish(qc_threads, 2, QC_FINISH_MS) == 2, "the second putter still "
                    "waits after both items were got");
    TL_ASSERT(sum == 3, "the two items got after the race: expected 1 and 2, summing to 3, got a "
              "sum of %ld", sum);
    Q_DESTROY(&qc_q);
}

/* 4 getters (putters) wait at SCHED_IDLE on one CPU, so none of them runs before the main thread
 * has made its 4 puts (gets) back to back: each must wake a waiter, whatever the queue held. */
static void idle_op_body(void *op) { (void)tl_check_run_last(); qc_op_body(op); }
static void quick_handoffs(bool putters)
{
    const char *who = putters ? "putters" : "getters", *what = putters ? "gets" : "puts";
    (void)tl_check_one_cpu();
    Q_INIT(&qc_q, 4);
    for (long i = 1; putters && i <= 4; i++)
        qc_expect_put(&qc_q, i, "filling a queue of 4");
    for (int i = 0; i < 4; i++) {
        qc_ops[i] = qc_op_of(&qc_q, putters ? QC_OP_PUT : QC_OP_GET, putters ? 11 + i : 0, 0);
        contract_start(&qc_threads[i], idle_op_body, &qc_ops[i]);
    }
    TL_ASSERT_FATAL(tl_spy_await_waiting(putters ? &qc_q.not_full : &qc_q.not_empty, 4, 2000),
                    "4 %s on a queue of 4 never all waited", who);
    int ok = 0;
    for (long i = 1; i <= 4; i++) {
        void *item = NULL;
        ok += (putters ? Q_GET_MS(&qc_q, &item, 0) : Q_PUT_MS(&qc_q, QC_ITEM(i), 0)) == QUEUE_OK;
    }
    int finished = contract_finish(qc_threads, 4, 1000);
    TL_ASSERT_FATAL(finished == 4, "4 %s waiting, then 4 quick %s: %d %s still waiting after %ld "
                    "ms (expected none: each of the %s wakes one)", who, what, 4 - finished,
                    4 - finished == 1 ? "is" : "are", tl_check_ms(1000), what);
    TL_ASSERT(ok == 4 && qc_count_status(qc_ops, 4, QC_OK) == 4, "4 %s waiting, then 4 quick %s: "
              "%d of the %s and %d of the %s OK (expected all)", who, what, ok, what,
              qc_count_status(qc_ops, 4, QC_OK), who);
    Q_DESTROY(&qc_q);
}
static void each_put_wakes_a_getter(void) { quick_handoffs(false); }
static void each_get_wakes_a_putter(void) { quick_handoffs(true); }

/* 3 getters on an empty queue and 3 putters on a full one, all seen waiting; then shutdown(). */
static bounded_queue full_q;
static void shutdown_wakes_every_waiter(void)
{
    Q_INIT(&qc_q, 1);
    Q_INIT(&full_q, 1);
    qc_expect_put(&full_q, 100, "filling a queue of 1");
    for (int i = 0; i < 3; i++) {
        long ms = contract_scaled_ms(QC_LONG_WAIT_MS);
        qc_ops[i] = qc_op_of(&qc_q, i == 1 ? QC_OP_GET_MS : QC_OP_GET, 0, ms);
        qc_ops[3 + i] = qc_op_of(&full_q, i == 1 ? QC_OP_PUT_MS : QC_OP_PUT, i + 1, ms);
    }
    for (int i = 0; i < 6; i++)
        contract_start(&qc_threads[i], qc_op_body, &qc_ops[i]);
    TL_ASSERT_FATAL(tl_spy_await_waiting(&qc_q.not_empty, 3, 2000) &&
                    tl_spy_await_waiting(&full_q.not_full, 3, 2000), "3 getters on an empty queue "
                    "and 3 putters on a full one: not all of them waited");
    queue_shutdown(&qc_q);
    queue_shutdown(&full_q);
    int getters = contract_finish(qc_threads, 3, 500), putters = contract_finish(qc_threads + 3, 3, 500);
    int shut_g = qc_count_status(qc_ops, 3, QC_SHUT), shut_p = qc_count_status(qc_ops + 3, 3, QC_SHUT);
    TL_ASSERT(getters == 3 && shut_g == 3, "3 getters waiting on an empty queue, then shutdown(): "
              "%d returned SHUTDOWN, %d still waiting after %ld ms (expected all 3 SHUTDOWN)",
              shut_g, 3 - getters, tl_check_ms(500));
    TL_ASSERT(putters == 3 && shut_p == 3, "3 putters waiting on a full queue, then shutdown(): "
              "%d returned SHUTDOWN, %d still waiting after %ld ms (expected all 3 SHUTDOWN)",
              shut_p, 3 - putters, tl_check_ms(500));
    if (getters == 3)
        Q_DESTROY(&qc_q);
    if (putters == 3)
        Q_DESTROY(&full_q);
}

static void destroy_frees_everything(void)
{
    static const size_t sizes[] = {1, 3, 64};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        long before = tl_spy_live_allocations();
        queue_init(&qc_q, sizes[i]);
        long took = tl_spy_live_allocations() - before;
        qc_expect_put(&qc_q, 1, "a put");
        qc_expect_get(&qc_q, 1, "a get");
        qc_expect_put(&qc_q, 2, "a second put");
        queue_destroy(&qc_q);
        long left = tl_spy_live_allocations() - before;
        TL_ASSERT(left <= 0, "queue_init(%zu), a few puts and gets, queue_destroy(): %ld of the %ld "
                  "allocation(s) made are still live (expected 0)", sizes[i], left, took);
    }
}

#define WAKE "every waiting thread must be woken when its condition may have changed"
#define LOOP "a wake-up is only a hint: the waiter looks at the queue again before it acts"
#define TIMED "one absolute deadline, computed once, on the clock of the condvar"

TL_CHECK_TABLE("lab06",
    {.name = "items come out in the order they went in, also after the ring wraps around",
     .promises = "init.empty get.fifo", .points = 1, .run = qc_fifo_order,
     .hints = {"a ring buffer: put writes at the tail, get reads at the head",
               "the index arithmetic in put_until and get_until",
               "both indices wrap modulo maxsize; the tail is head + count"}},
    {.name = "size(), empty() and full() follow puts and gets", .promises = "size.snapshot",
     .points = 1, .run = qc_size_empty_full,
     .hints = {"count is the one number that says how full the queue is",
               "queue_size and where put and get change count", "read count with the mutex held"}},
    {.name = "queue_destroy() frees everything queue_init() allocated",
     .promises = "destroy.frees", .points = 1, .run = destroy_frees_everything,
     .hints = {"what init takes, destroy gives back", "queue_destroy",
               "the ring buffer init allocated is the queue's own, unlike the items in it"}},
    {.name = "get_ms() and put_ms() with timeout 0 or less never wait, yet take what is there",
     .promises = "get_ms.zero put_ms.zero", .points = 1, .run = tw_zero_and_negative_do_not_block_both,
     .hints = {"timeout 0 means try once: look at the queue, then give up at once if you must",
               "queue_get_ms and queue_put_ms, before the deadline is used",
               "a deadline already passed makes the loop try exactly once"}},
    {.name = "get_ms() and put_ms() time out after 300 ms and 1250 ms, not before, not long after",
     .promises = "get_ms.times_out put_ms.times_out", .points = 2, .run = tw_times_out_not_early_both,
     .hints = {TIMED, "the deadline passed to pthread_cond_timedwait", "tl_deadline_monotonic "
               "for the condvars tl_cond_init_monotonic made"}},
    {.name = "a 999 ms get_ms() and put_ms() carry the nanoseconds into the seconds",
     .promises = "get_ms.times_out put_ms.times_out", .points = 1, .run = tw_999ms_carries_nanoseconds_both,
     .hints = {"tv_nsec must stay below one second", "where the deadline is computed",
               "add the milliseconds' nanoseconds, then move whole seconds into tv_sec"}},
    {.name = "get_ms() and put_ms() of 3.6 s and of an hour wait until granted, no overflow",
     .promises = "get_ms.times_out put_ms.times_out", .points = 1,
     .run = tw_long_timeout_is_not_overflowed_both,
     .hints = {"3600 ms is 3.6e9 ns, more than an int holds", "the milliseconds-to-nanoseconds sum",
               "do the arithmetic in a 64-bit type, or let tl_deadline_monotonic do it"}},
    {.name = "get() and get_ms() on an empty queue wait until an item is put", .points = 1,
     .promises = "get.blocks_while_empty", .flags = TL_CHECK_RACES, .run = blocked_get_completes,
     .hints = {WAKE, "get_until's wait, and the signal in put_until", "getters sleep on not_empty"}},
    {.name = "put() and put_ms() on a full queue wait until an item is got", .points = 1,
     .promises = "put.blocks_while_full", .flags = TL_CHECK_RACES, .run = blocked_put_completes,
     .hints = {WAKE, "put_until's wait, and the signal in get_until", "putters sleep on not_full"}},
    {.name = "get() and get_ms() woken with the queue still empty wait again", .points = 2,
     .promises = "get.rechecks", .flags = TL_CHECK_RACES, .run = get_woken_waits_again,
     .hints = {LOOP, "the wait in get_until", "wait in a loop on the condition, not once"}},
    {.name = "put() and put_ms() woken with the queue still full wait again", .points = 2,
     .promises = "put.rechecks", .flags = TL_CHECK_RACES, .run = put_woken_waits_again,
     .hints = {LOOP, "the wait in put_until", "wait in a loop on the condition, not once"}},
    {.name = "a 300 ms get_ms() and put_ms() woken every 40 ms still give up after 300 ms",
     .promises = "get_ms.deadline put_ms.deadline", .points = 2, .flags = TL_CHECK_RACES, .bound_s = 8,
     .run = tw_trickle_both,
     .hints = {TIMED, "where the deadline is computed, inside or outside the loop",
               "compute it before the loop and pass the same one to every wait"}},
    {.name = "two putters racing for the last slot: one puts, the other waits", .points = 2,
     .promises = "put.bounded", .flags = TL_CHECK_RACES, .run = two_putters_race_for_the_last_slot,
     .hints = {"check and act in one critical section", "put_until between its wait and its insert",
               "hold the mutex from the test for room until the item is in"}},
    {.name = "4 getters waiting, 4 quick puts: every getter gets an item", .points = 2,
     .promises = "put.wakes_getter", .flags = TL_CHECK_RACES, .run = each_put_wakes_a_getter,
     .hints = {WAKE, "the signal in put_until, and when it is sent",
               "signal not_empty on every put, not only when the queue was empty"}},
    {.name = "4 putters waiting, 4 quick gets: every putter puts its item", .points = 2,
     .promises = "get.wakes_putter", .flags = TL_CHECK_RACES, .run = each_get_wakes_a_putter,
     .hints = {WAKE, "the signal in get_until, and when it is sent",
               "signal not_full on every get, not only when the queue was full"}},
    {.name = "after shutdown() puts are refused, gets drain what is left, then say SHUTDOWN",
     .promises = "put.shutdown get.drains shutdown.idempotent", .points = 2, .run = shutdown_contract,
     .hints = {"a graceful shutdown: no new work, the queued work still handed out",
               "the order of the tests after the loops in put_until and get_until",
               "put: shut down first; get: items first, then shut down, else a timeout"}},
    {.name = "shutdown() wakes all 3 waiting getters and all 3 waiting putters", .points = 2,
     .promises = "shutdown.wakes_all", .flags = TL_CHECK_RACES, .run = shutdown_wakes_every_waiter,
     .hints = {"a change every sleeper must see", "queue_shutdown, on both condvars",
               "one signal wakes one thread; there is a call that wakes them all"}},
    {.name = "a fast producer and a slow consumer: the producer is held to maxsize", .points = 2,
     .promises = "put.bounded size.snapshot", .flags = TL_CHECK_RACES, .run = qc_backpressure,
     .hints = {"backpressure: put blocks while maxsize items are inside",
               "every read and write of count", "size() takes the mutex too, even for one read"}},
    {.name = "4 producers and 4 consumers through one slot: every item exactly once", .points = 3,
     .promises = "get.exactly_once", .flags = TL_CHECK_RACES, .bound_s = 20,
     .run = qc_one_slot_many_threads,
     .hints = {"each earlier check alone; here they all meet", "fix the first check that fails",
               "two condvars, while loops, every access under the mutex"}});
