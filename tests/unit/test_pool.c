/* Unit tests of common/pool.h: submit/result, errors, cancel, callbacks, map, wait,
 * as_completed, shutdown in its forms, destroy, and the saturated-pool self-wait.
 *
 * Nothing here depends on timing: tasks that must still be running block on a gate the test
 * opens (every gate wait is bounded, so a broken pool fails instead of hanging), and the
 * checks are on states and counts. Tasks only record; the test thread asserts (CUnit is not
 * thread-safe). Gates live in static storage, because a worker may still hold one when a
 * failed assertion ends the test early. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../contract/contract_threads.h"
#include "check.h"
#include "clock.h"
#include "harness.h"
#include "pool.h"

#define ITEM(n) ((void *)(uintptr_t)(n))
#define NUM(p) ((long)(uintptr_t)(p))

/* The bound of every wait for something that must happen (scaled for sanitizer builds). */
static long patience_ms(void)
{
    return (long)(5000 * tl_timeout_scale());
}

/* ---- a gate: tasks enter and wait (bounded) until the test opens it ---- */

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    bool open;
    int entered, inside;
} gate;

static void gate_init(gate *g)
{
    TL_CHECK(pthread_mutex_init(&g->mutex, NULL));
    tl_cond_init_monotonic(&g->changed);
    g->open = false;
    g->entered = g->inside = 0;
}

static void gate_destroy(gate *g)
{
    TL_CHECK(pthread_cond_destroy(&g->changed));
    TL_CHECK(pthread_mutex_destroy(&g->mutex));
}

static void gate_open(gate *g)
{
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    g->open = true;
    TL_CHECK(pthread_cond_broadcast(&g->changed));
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
}

/* Waits on g->changed until `until` holds or the patience runs out. Caller holds the mutex. */
#define GATE_WAIT_WHILE(g, cond)                                                                   \
    do {                                                                                           \
        struct timespec deadline_ = tl_deadline_monotonic(patience_ms());                          \
        while ((cond) && TL_CHECK_EXPECT(pthread_cond_timedwait(&(g)->changed, &(g)->mutex,        \
                                                                &deadline_),                       \
                                         ETIMEDOUT) == 0)                                          \
            continue;                                                                              \
    } while (0)

/* A task's side: enter, wait for the gate to open. False if it never opened. */
static bool gate_pass(gate *g)
{
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    g->entered++;
    g->inside++;
    TL_CHECK(pthread_cond_broadcast(&g->changed));
    GATE_WAIT_WHILE(g, !g->open);
    bool opened = g->open;
    g->inside--;
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
    return opened;
}

/* The test's side: wait until n tasks are inside at once. */
static bool gate_wait_inside(gate *g, int n)
{
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    GATE_WAIT_WHILE(g, g->inside < n);
    bool ok = g->inside >= n;
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
    return ok;
}

static int gate_entered(gate *g)
{
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    int n = g->entered;
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
    return n;
}

/* ---- tasks ---- */

static atomic_int tasks_run;

/* Returns its argument as the result. */
static int task_echo(void *arg, void **result)
{
    atomic_fetch_add(&tasks_run, 1);
    *result = arg;
    return 0;
}

/* Fails with the error code it is given, and still hands back a result. */
static int task_fail(void *arg, void **result)
{
    atomic_fetch_add(&tasks_run, 1);
    *result = ITEM(99);
    return (int)NUM(arg);
}

/* Blocks on the gate it is given; ETIMEDOUT if the test never opened it. */
static int task_gate(void *arg, void **result)
{
    atomic_fetch_add(&tasks_run, 1);
    *result = arg;
    return gate_pass(arg) ? 0 : ETIMEDOUT;
}

static atomic_int args_destroyed;

static void count_destroyed_arg(void *arg)
{
    (void)arg;
    atomic_fetch_add(&args_destroyed, 1);
}

static void reset_counts(void)
{
    atomic_store(&tasks_run, 0);
    atomic_store(&args_destroyed, 0);
}

/* Threads of this process now (Linux), or -1 where /proc/self/task is missing. */
static int thread_count(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL)
        return -1;
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        n += entry->d_name[0] != '.';
    closedir(dir);
    return n;
}

/* Threads other than `workers` just-created pool workers: the count to return to after the
 * pool is destroyed. Taken after creating the pool, because sanitizer runtimes start helper
 * threads of their own around the first pthread_create. */
static int threads_besides(size_t workers)
{
    int n = thread_count();
    return n < 0 ? -1 : n - (int)workers;
}

/* Waits (bounded) until the process is back to `baseline` threads: an exited thread can stay
 * listed for a moment after pthread_join returns. True when it got there. */
static bool threads_back_to(int baseline)
{
    if (baseline < 0)
        return true;
    struct timespec deadline = tl_deadline_monotonic(patience_ms());
    while (thread_count() > baseline && tl_ms_until(deadline) > 0)
        tl_sleep_ms(1);
    return thread_count() <= baseline;
}

/* ---- submit and result ---- */

static void submit_returns_value(void)
{
    tl_hint("a worker must run the task and publish its status and result into the future, then "
            "wake result() (broadcast on the future's condvar)");
    reset_counts();
    tl_pool *pool = tl_pool_create(2);
    tl_future *f = tl_pool_submit(pool, task_echo, ITEM(42), NULL);
    TL_ASSERT_FATAL(f != NULL, "submit to a running pool returned NULL");
    void *result = NULL;
    int st = tl_future_result(f, patience_ms(), &result);
    TL_ASSERT(st == TL_FUTURE_OK && NUM(result) == 42, "result(): expected status 0 and 42, got "
                                                       "%d and %ld",
              st, NUM(result));
    TL_ASSERT(tl_future_done(f) && !tl_future_running(f) && !tl_future_cancelled(f),
              "a finished future: expected done, not running, not cancelled");
    result = NULL;
    st = tl_future_result(f, 0, &result);
    TL_ASSERT(st == TL_FUTURE_OK && NUM(result) == 42, "reading the result again: expected 0 and "
                                                       "42, got %d and %ld",
              st, NUM(result));
    TL_ASSERT(tl_future_result(f, TL_FUTURE_FOREVER, NULL) == 0, "result(FOREVER, NULL)");
    tl_future_free(f);
    tl_pool_destroy(pool);
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), 1, "tasks run");
}

static void submit_returns_error(void)
{
    tl_hint("a task's non-zero status is its error: it must reach the reader of the future as is, "
            "together with any result the task set (the C stand-in for an exception)");
    tl_pool *pool = tl_pool_create(1);
    tl_future *f = tl_pool_submit(pool, task_fail, ITEM(EIO), NULL);
    TL_ASSERT_FATAL(f != NULL, "submit returned NULL");
    void *result = NULL;
    int st = tl_future_result(f, patience_ms(), &result);
    TL_ASSERT(st == EIO, "result() of a task that returned EIO (%d): got %d", EIO, st);
    TL_ASSERT(NUM(result) == 99, "the result a failing task set: expected 99, got %ld", NUM(result));
    TL_ASSERT(tl_future_done(f) && !tl_future_cancelled(f), "a failed future is done, not "
                                                            "cancelled");
    tl_future_free(f);
    tl_pool_destroy(pool);
}

static void result_times_out(void)
{
    tl_hint("result() with a timeout must return TL_FUTURE_TIMEOUT while the task runs, and leave "
            "the future alone: it still completes later");
    static gate g;
    gate_init(&g);
    tl_pool *pool = tl_pool_create(1);
    tl_future *f = tl_pool_submit(pool, task_gate, &g, NULL);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    void *result = ITEM(1);
    TL_ASSERT(tl_future_result(f, 50, &result) == TL_FUTURE_TIMEOUT && result == NULL,
              "result(50 ms) of a task blocked on a gate: expected TL_FUTURE_TIMEOUT and NULL");
    TL_ASSERT(tl_future_result(f, 0, NULL) == TL_FUTURE_TIMEOUT, "result(0) of a running task");
    TL_ASSERT(tl_future_result(f, -7, NULL) == TL_FUTURE_TIMEOUT, "result(-7) of a running task");
    TL_ASSERT(tl_future_running(f) && !tl_future_done(f), "after timed-out reads: expected still "
                                                          "running");
    gate_open(&g);
    TL_ASSERT(tl_future_result(f, patience_ms(), &result) == 0 && result == &g,
              "result() once the gate is open: expected 0 and the task's result");
    tl_future_free(f);
    tl_pool_destroy(pool);
    gate_destroy(&g);
}

/* ---- cancel ---- */

static void cancel_pending_running_finished(void)
{
    tl_hint("cancel() succeeds only while the task is queued (then destroy_arg runs once and "
            "result() says CANCELLED); a running or finished task cannot be cancelled");
    static gate g;
    gate_init(&g);
    reset_counts();
    tl_pool *pool = tl_pool_create(1);
    tl_future *running = tl_pool_submit(pool, task_gate, &g, NULL);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    tl_future *pending = tl_pool_submit(pool, task_echo, ITEM(5), count_destroyed_arg);
    TL_ASSERT(!tl_future_running(pending) && !tl_future_done(pending), "a task queued behind a "
                                                                      "busy worker is pending");
    TL_ASSERT(tl_future_cancel(pending), "cancel() of a pending task: expected true");
    TL_ASSERT(tl_future_cancelled(pending) && tl_future_done(pending), "after cancel(): expected "
                                                                       "cancelled and done");
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), 1, "destroy_arg calls after cancel()");
    TL_ASSERT(tl_future_cancel(pending), "cancel() again: expected true (already cancelled)");
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), 1, "destroy_arg calls after a second cancel()");
    void *result = ITEM(1);
    TL_ASSERT(tl_future_result(pending, 0, &result) == TL_FUTURE_CANCELLED && result == NULL,
              "result() of a cancelled future: expected TL_FUTURE_CANCELLED and NULL");

    TL_ASSERT(!tl_future_cancel(running), "cancel() of a running task: expected false");
    TL_ASSERT(tl_future_running(running) && !tl_future_cancelled(running), "still running");
    gate_open(&g);
    TL_ASSERT(tl_future_result(running, patience_ms(), NULL) == 0, "the gate task's result");
    TL_ASSERT(!tl_future_cancel(running), "cancel() of a finished task: expected false");
    TL_ASSERT(!tl_future_cancelled(running), "a finished task is not cancelled");
    tl_pool_destroy(pool);
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), 1, "tasks run (the cancelled one must not run)");
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), 1, "destroy_arg calls in all");
    tl_future_free(running);
    tl_future_free(pending);
    gate_destroy(&g);
}

static void freeing_is_not_cancelling(void)
{
    tl_hint("tl_future_free releases the caller's reference only: a queued task still runs, and "
            "the pool keeps the future alive until it is done (run under ASan or valgrind)");
    static gate g;
    gate_init(&g);
    reset_counts();
    tl_pool *pool = tl_pool_create(1);
    tl_future *blocker = tl_pool_submit(pool, task_gate, &g, NULL);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    tl_future_free(tl_pool_submit(pool, task_echo, ITEM(1), count_destroyed_arg));
    gate_open(&g);
    tl_future_free(blocker);
    tl_pool_destroy(pool);
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), 2, "tasks run, including the freed one");
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), 0, "destroy_arg calls (the task ran)");
    gate_destroy(&g);
}

/* ---- done callbacks ---- */

typedef struct {
    pthread_t thread;
    int calls;
    bool saw_done;
    int order;
} callback_record;

static atomic_int callback_sequence;

static void record_callback(tl_future *f, void *context)
{
    callback_record *r = context;
    r->thread = pthread_self();
    r->calls++;
    r->saw_done = tl_future_done(f) && tl_future_result(f, 0, NULL) != TL_FUTURE_TIMEOUT;
    r->order = atomic_fetch_add(&callback_sequence, 1);
}

static void done_callbacks(void)
{
    tl_hint("a done callback runs once, after the future is done: in the worker if added before, "
            "at once in the caller if added after; callbacks run in the order they were added, "
            "without the future's lock held");
    static gate g;
    static callback_record before[2], after;
    gate_init(&g);
    atomic_store(&callback_sequence, 0);
    tl_pool *pool = tl_pool_create(1);
    tl_future *f = tl_pool_submit(pool, task_gate, &g, NULL);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    tl_future_add_done_callback(f, record_callback, &before[0]);
    tl_future_add_done_callback(f, record_callback, &before[1]);
    TL_ASSERT(before[0].calls == 0, "a callback added to a running future must not run yet");
    gate_open(&g);
    TL_ASSERT(tl_future_result(f, patience_ms(), NULL) == 0, "the gate task's result");
    tl_pool_destroy(pool); /* joins the worker: its callbacks have run */
    TL_ASSERT(before[0].calls == 1 && before[1].calls == 1, "callbacks added before completion: "
                                                            "expected 1 call each, got %d and %d",
              before[0].calls, before[1].calls);
    TL_ASSERT(before[0].order == 0 && before[1].order == 1, "callbacks must run in the order added");
    TL_ASSERT(!pthread_equal(before[0].thread, pthread_self()), "a callback added before "
                                                                "completion runs in the worker");
    TL_ASSERT(before[0].saw_done && before[1].saw_done, "inside the callback the future is done "
                                                        "and its result readable");

    tl_future_add_done_callback(f, record_callback, &after);
    TL_ASSERT(after.calls == 1, "a callback added to a done future: expected it to run before "
                                "add_done_callback returns, got %d calls",
              after.calls);
    TL_ASSERT(pthread_equal(after.thread, pthread_self()), "a callback added to a done future runs "
                                                           "in the caller");
    TL_ASSERT(after.saw_done, "inside the late callback the future is done");
    tl_future_free(f);
    gate_destroy(&g);
}

static void callback_on_cancel_runs_in_canceller(void)
{
    tl_hint("cancelling a pending future completes it: its callbacks run in the cancelling thread "
            "before cancel() returns");
    static gate g;
    static callback_record r;
    gate_init(&g);
    tl_pool *pool = tl_pool_create(1);
    tl_future *blocker = tl_pool_submit(pool, task_gate, &g, NULL);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    tl_future *f = tl_pool_submit(pool, task_echo, ITEM(1), NULL);
    tl_future_add_done_callback(f, record_callback, &r);
    TL_ASSERT(tl_future_cancel(f), "cancel() of a pending task");
    TL_ASSERT(r.calls == 1 && pthread_equal(r.thread, pthread_self()) && r.saw_done,
              "callback of a cancelled future: expected 1 call, in the canceller, seeing it done; "
              "got %d call(s)",
              r.calls);
    gate_open(&g);
    tl_pool_destroy(pool);
    TL_ASSERT_EQ_LONG(r.calls, 1, "callback calls in all");
    tl_future_free(blocker);
    tl_future_free(f);
    gate_destroy(&g);
}

/* ---- shutdown and destroy ---- */

static void submit_after_shutdown_is_rejected(void)
{
    tl_hint("after shutdown() every submit returns NULL and leaves the argument with the caller "
            "(destroy_arg is not called); shutdown() may be called again");
    reset_counts();
    tl_pool *pool = tl_pool_create(2);
    tl_pool_shutdown(pool, false, false);
    tl_future *f = tl_pool_submit(pool, task_echo, ITEM(1), count_destroyed_arg);
    TL_ASSERT(f == NULL, "submit after shutdown: expected NULL");
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), 0, "destroy_arg calls for a rejected submit");
    tl_pool_shutdown(pool, true, false);
    tl_pool_shutdown(pool, true, true);
    TL_ASSERT(tl_pool_submit(pool, task_echo, ITEM(1), NULL) == NULL, "submit after three "
                                                                      "shutdowns");
    void *args[3] = {ITEM(1), ITEM(2), ITEM(3)};
    void *results[3] = {ITEM(7), ITEM(7), ITEM(7)};
    size_t failed = 99;
    int st = tl_pool_map(pool, task_echo, args, 3, results, &failed);
    TL_ASSERT(st == TL_FUTURE_REJECTED && failed == 0 && results[0] == NULL && results[2] == NULL,
              "map on a shut-down pool: expected TL_FUTURE_REJECTED at index 0 and NULL results, "
              "got %d at %zu",
              st, failed);
    tl_pool_destroy(pool);
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), 0, "tasks run");
}

#define SLOW_TASKS 50
#define SLOW_WORKERS 4

static void shutdown_cancels_pending(void)
{
    tl_hint("shutdown(cancel_pending = true) must cancel every task still queued (destroy_arg "
            "once each, result CANCELLED) and let the running ones finish; with wait = false it "
            "returns without waiting for them");
    static gate g;
    gate_init(&g);
    reset_counts();
    tl_pool *pool = tl_pool_create(SLOW_WORKERS);
    tl_future *f[SLOW_TASKS];
    for (int i = 0; i < SLOW_TASKS; i++)
        f[i] = tl_pool_submit(pool, task_gate, &g, count_destroyed_arg);
    TL_ASSERT_FATAL(gate_wait_inside(&g, SLOW_WORKERS), "%d workers never all started a task",
                    SLOW_WORKERS);
    tl_pool_shutdown(pool, false, true);
    int cancelled = 0, running = 0;
    for (int i = 0; i < SLOW_TASKS; i++) {
        cancelled += tl_future_cancelled(f[i]);
        running += tl_future_running(f[i]);
    }
    TL_ASSERT(cancelled == SLOW_TASKS - SLOW_WORKERS && running == SLOW_WORKERS,
              "right after shutdown(wait = false, cancel_pending = true) with %d running and %d "
              "queued: expected %d cancelled and %d running, got %d and %d",
              SLOW_WORKERS, SLOW_TASKS - SLOW_WORKERS, SLOW_TASKS - SLOW_WORKERS, SLOW_WORKERS,
              cancelled, running);
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), SLOW_TASKS - SLOW_WORKERS,
                      "destroy_arg calls (one per cancelled task)");
    gate_open(&g);
    tl_pool_shutdown(pool, true, true); /* idempotent; now waits for the running ones */
    int finished_ok = 0;
    for (int i = 0; i < SLOW_TASKS; i++) {
        TL_ASSERT(tl_future_done(f[i]), "after shutdown(wait = true) every future is done");
        finished_ok += tl_future_result(f[i], 0, NULL) == 0;
    }
    TL_ASSERT_EQ_LONG(finished_ok, SLOW_WORKERS, "tasks that finished with status 0");
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), SLOW_WORKERS, "tasks run");
    TL_ASSERT_EQ_LONG(gate_entered(&g), SLOW_WORKERS, "tasks that reached the gate");
    tl_pool_destroy(pool);
    for (int i = 0; i < SLOW_TASKS; i++)
        tl_future_free(f[i]);
    gate_destroy(&g);
}

/* Opens a gate after a pause: lets the test thread get into a blocking call first. */
static void open_gate_later(void *arg)
{
    tl_sleep_ms(50);
    gate_open(arg);
}

static void shutdown_nowait_then_destroy_joins(void)
{
    tl_hint("shutdown(wait = false) returns while tasks still run, and the queued ones still run "
            "after it; tl_pool_destroy must then wait for them and join every worker thread");
    static gate g;
    static contract_thread opener;
    gate_init(&g);
    reset_counts();
    tl_pool *pool = tl_pool_create(1);
    int baseline = threads_besides(1);
    tl_future *f[4];
    f[0] = tl_pool_submit(pool, task_gate, &g, NULL);
    for (int i = 1; i < 4; i++)
        f[i] = tl_pool_submit(pool, task_echo, ITEM(i), count_destroyed_arg);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    tl_pool_shutdown(pool, false, false);
    TL_ASSERT(tl_future_running(f[0]) && !tl_future_done(f[3]), "shutdown(wait = false) must "
                                                                "return while the task runs");
    contract_start(&opener, open_gate_later, &g);
    tl_pool_destroy(pool); /* blocks until the gate opens and all four tasks ran */
    for (int i = 0; i < 4; i++) {
        void *result = NULL;
        int st = tl_future_result(f[i], 0, &result);
        TL_ASSERT(st == 0, "future %d right after destroy: expected finished with 0, got %d%s", i,
                  st, st == TL_FUTURE_TIMEOUT ? " (not done: destroy did not wait)" : "");
    }
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), 4, "tasks run (queued tasks survive a graceful "
                                                  "shutdown)");
    TL_ASSERT_EQ_LONG(atomic_load(&args_destroyed), 0, "destroy_arg calls");
    TL_ASSERT(contract_finish(&opener, 1, 5000) == 1, "the gate opener thread");
    TL_ASSERT(threads_back_to(baseline), "threads after destroy: expected %d, still %d", baseline,
              thread_count());
    for (int i = 0; i < 4; i++)
        tl_future_free(f[i]);
    gate_destroy(&g);
}

#define BIG_POOL 64

static void destroy_idle_big_pool(void)
{
    tl_hint("a pool of %d workers really runs %d threads at once, and destroying it once idle "
            "must wake every sleeping worker (broadcast) and join them all",
            BIG_POOL, BIG_POOL);
    static gate g;
    gate_init(&g);
    tl_pool *pool = tl_pool_create(BIG_POOL);
    int baseline = threads_besides(BIG_POOL);
    TL_ASSERT_EQ_LONG(tl_pool_workers(pool), BIG_POOL, "tl_pool_workers()");
    tl_future *f[BIG_POOL];
    for (int i = 0; i < BIG_POOL; i++)
        f[i] = tl_pool_submit(pool, task_gate, &g, NULL);
    bool all_inside = gate_wait_inside(&g, BIG_POOL);
    gate_open(&g);
    TL_ASSERT(all_inside, "%d tasks on %d workers: expected all inside at once", BIG_POOL, BIG_POOL);
    int ok = 0;
    for (int i = 0; i < BIG_POOL; i++) {
        ok += tl_future_result(f[i], patience_ms(), NULL) == 0;
        tl_future_free(f[i]);
    }
    TL_ASSERT_EQ_LONG(ok, BIG_POOL, "tasks finished with 0");
    tl_pool_destroy(pool); /* idle: every worker is asleep in get() */
    TL_ASSERT(threads_back_to(baseline), "threads after destroying the idle pool: expected %d, "
                                         "still %d",
              baseline, thread_count());
    gate_destroy(&g);
}

static void create_destroy_loop(void)
{
    tl_hint("creating and destroying pools in a loop must neither leak threads nor lose tasks; a "
            "future outlives its pool and reads its result after destroy");
    reset_counts();
    int baseline = -1;
    const int rounds = 200;
    for (int i = 0; i < rounds; i++) {
        tl_pool *pool = tl_pool_create(1 + (size_t)i % 4);
        if (i == 0)
            baseline = threads_besides(1);
        tl_future *f = i % 3 == 0 ? NULL : tl_pool_submit(pool, task_echo, ITEM(i), NULL);
        if (i % 5 == 0)
            tl_pool_shutdown(pool, false, false);
        tl_pool_destroy(pool);
        if (f != NULL) {
            void *result = NULL;
            TL_ASSERT(tl_future_result(f, 0, &result) == 0 && NUM(result) == i,
                      "round %d: the future, after its pool was destroyed: expected 0 and %d", i, i);
            tl_future_free(f);
        }
    }
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), rounds - (rounds + 2) / 3, "tasks run");
    TL_ASSERT(threads_back_to(baseline), "threads after %d pools: expected %d, still %d", rounds,
              baseline, thread_count());
}

static void default_worker_count(void)
{
    tl_hint("0 workers means min(32, online CPUs + 4), Python's default");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long want = cpus + 4 < 32 ? cpus + 4 : 32;
    TL_ASSERT_EQ_LONG(tl_pool_default_workers(), want, "tl_pool_default_workers()");
    tl_pool *pool = tl_pool_create(0);
    TL_ASSERT_EQ_LONG(tl_pool_workers(pool), want, "workers of tl_pool_create(0)");
    tl_pool_destroy(pool);
}

static void two_pools_are_independent(void)
{
    tl_hint("two pools share nothing: one blocked or shut down does not stop the other");
    static gate g;
    gate_init(&g);
    tl_pool *a = tl_pool_create(1), *b = tl_pool_create(2);
    tl_future *blocked = tl_pool_submit(a, task_gate, &g, NULL);
    TL_ASSERT_FATAL(gate_wait_inside(&g, 1), "the gate task never started");
    tl_future *fb[10];
    int ok = 0;
    for (int i = 0; i < 10; i++)
        fb[i] = tl_pool_submit(b, task_echo, ITEM(i), NULL);
    for (int i = 0; i < 10; i++) {
        void *result = NULL;
        ok += tl_future_result(fb[i], patience_ms(), &result) == 0 && NUM(result) == i;
        tl_future_free(fb[i]);
    }
    TL_ASSERT_EQ_LONG(ok, 10, "pool B's tasks finished while pool A's only worker is blocked");
    tl_pool_destroy(b);
    tl_future *later = tl_pool_submit(a, task_echo, ITEM(7), NULL);
    TL_ASSERT(later != NULL, "pool A still accepts work after pool B was shut down and destroyed");
    gate_open(&g);
    void *result = NULL;
    TL_ASSERT(tl_future_result(later, patience_ms(), &result) == 0 && NUM(result) == 7,
              "pool A's later task");
    TL_ASSERT(tl_future_result(blocked, patience_ms(), NULL) == 0, "pool A's gate task");
    tl_pool_destroy(a);
    tl_future_free(later);
    tl_future_free(blocked);
    gate_destroy(&g);
}

/* ---- the saturated-pool self-wait ---- */

static tl_pool *self_pool;
static tl_future *inner_future;

/* A task that submits to its own pool and waits for the inner task with a timeout. */
static int task_waits_on_own_pool(void *arg, void **result)
{
    (void)arg;
    inner_future = tl_pool_submit(self_pool, task_echo, ITEM(7), NULL);
    if (inner_future == NULL)
        return EINVAL;
    int inner_status = tl_future_result(inner_future, 200, NULL);
    *result = ITEM(inner_status == TL_FUTURE_TIMEOUT ? 1 : 2);
    return 0;
}

static void saturated_pool_self_wait_times_out(void)
{
    tl_hint("never block a pool's worker on work queued to the same pool: with every worker "
            "waiting, the inner task cannot start (Python deadlocks); a timed result() turns the "
            "deadlock into TL_FUTURE_TIMEOUT, and the inner task runs once the worker is free");
    reset_counts();
    self_pool = tl_pool_create(1);
    tl_future *outer = tl_pool_submit(self_pool, task_waits_on_own_pool, NULL, NULL);
    void *result = NULL;
    int st = tl_future_result(outer, patience_ms(), &result);
    TL_ASSERT_FATAL(st == 0, "the outer task: expected it to finish with 0 (its timed wait must "
                             "return), got %d",
                    st);
    TL_ASSERT(NUM(result) == 1, "what the outer task saw waiting on its own saturated pool: "
                                "expected TL_FUTURE_TIMEOUT (1), got %s",
              NUM(result) == 2 ? "another status (2)" : "nothing");
    result = NULL;
    st = tl_future_result(inner_future, patience_ms(), &result);
    TL_ASSERT(st == 0 && NUM(result) == 7, "the inner task, once the worker is free: expected 0 "
                                           "and 7, got %d and %ld",
              st, NUM(result));
    tl_pool_destroy(self_pool);
    tl_future_free(inner_future);
    tl_future_free(outer);
}

/* ---- map ---- */

/* Doubles its argument; fails with EDOM for 5. */
static int task_double(void *arg, void **result)
{
    atomic_fetch_add(&tasks_run, 1);
    if (NUM(arg) == 5)
        return EDOM;
    *result = ITEM(NUM(arg) * 2);
    return 0;
}

static void map_keeps_submission_order(void)
{
    tl_hint("map() stores results[i] for args[i]: in submission order, whatever order the "
            "workers finish in");
    reset_counts();
    enum { N = 1000 };
    static void *args[N], *results[N];
    for (long i = 0; i < N; i++)
        args[i] = ITEM(i < 5 ? i : i + 1); /* skip 5, which fails */
    tl_pool *pool = tl_pool_create(4);
    size_t failed = 12345;
    int st = tl_pool_map(pool, task_double, args, N, results, &failed);
    TL_ASSERT(st == 0 && failed == 12345, "map of %d good items: expected 0 and failed_index "
                                          "untouched, got %d",
              N, st);
    long wrong = 0;
    for (long i = 0; i < N; i++)
        wrong += NUM(results[i]) != NUM(args[i]) * 2;
    TL_ASSERT_EQ_LONG(wrong, 0, "results not matching their argument's position");
    TL_ASSERT_EQ_LONG(tl_pool_map(pool, task_double, args, 0, results, NULL), 0, "map of 0 items");
    tl_pool_destroy(pool);
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), N, "tasks run");
}

static gate map_gate;

/* Items after 5 block on map_gate: whichever one the worker starts stays running until the
 * test opens the gate, so the mapper's cancellations cannot be outrun by the worker. */
static int task_double_or_block(void *arg, void **result)
{
    if (NUM(arg) >= 6 && !gate_pass(&map_gate))
        return ETIMEDOUT;
    return task_double(arg, result);
}

enum { MAP_N = 20 };
static void *map_args[MAP_N], *map_results[MAP_N];
static size_t map_failed;
static int map_status;
static char mapper_stat_path[128]; /* /proc/self/task/TID/stat of the thread calling map */
static atomic_bool mapper_known;

static void run_map(void *arg)
{
    char self[64];
    ssize_t len = readlink("/proc/thread-self", self, sizeof self - 1);
    if (len > 0) {
        self[len] = '\0';
        snprintf(mapper_stat_path, sizeof mapper_stat_path, "/proc/%s/stat", self);
    }
    atomic_store(&mapper_known, true);
    map_status = tl_pool_map(arg, task_double_or_block, map_args, MAP_N, map_results, &map_failed);
}

/* 'S' when the thread whose stat file this is sleeps in the kernel; 0 if unknown. */
static char thread_state(const char *stat_path)
{
    FILE *f = fopen(stat_path, "r");
    if (f == NULL)
        return 0;
    char line[256];
    size_t len = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[len] = '\0';
    char *paren = strrchr(line, ')');
    return paren != NULL && paren[1] == ' ' ? paren[2] : 0;
}

static int gate_inside(gate *g)
{
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    int n = g->inside;
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
    return n;
}

/* Waits (bounded) until map() has returned, or until an item after the failure is blocked on
 * the gate and the mapper sleeps (seen twice in a row): item 5 has failed by then, so the only
 * wait left for the mapper is the one for that running item, after its cancellations. Where
 * /proc cannot tell, pauses instead. */
static void wait_until_map_settles(contract_thread *mapper)
{
    struct timespec deadline = tl_deadline_monotonic(patience_ms());
    while (!atomic_load(&mapper_known) && tl_ms_until(deadline) > 0)
        tl_sleep_ms(1);
    if (mapper_stat_path[0] == '\0' || thread_state(mapper_stat_path) == 0) {
        tl_sleep_ms((long)(200 * tl_timeout_scale()));
        return;
    }
    int settled_in_a_row = 0;
    while (settled_in_a_row < 2 && tl_ms_until(deadline) > 0) {
        if (contract_count_finished(mapper, 1) == 1)
            return;
        bool settled = gate_inside(&map_gate) == 1 && thread_state(mapper_stat_path) == 'S';
        settled_in_a_row = settled ? settled_in_a_row + 1 : 0;
        tl_sleep_ms(5);
    }
}

static void map_reports_first_error_and_cancels_rest(void)
{
    tl_hint("map() must report the first failure in submission order (status and index), cancel "
            "the items still queued, and return only when none is running");
    static contract_thread mapper;
    gate_init(&map_gate);
    reset_counts();
    for (long i = 0; i < MAP_N; i++) {
        map_args[i] = ITEM(i);
        map_results[i] = ITEM(1000);
    }
    mapper_stat_path[0] = '\0';
    atomic_store(&mapper_known, false);
    tl_pool *pool = tl_pool_create(1);
    contract_start(&mapper, run_map, pool);
    /* One worker: items 0-4 succeed, 5 fails; the worker may then start one later item (which
     * blocks on the gate) before the mapper, woken by 5's failure, cancels the rest. */
    wait_until_map_settles(&mapper);
    bool item_running = gate_inside(&map_gate) == 1;
    bool returned_early = contract_count_finished(&mapper, 1) == 1;
    gate_open(&map_gate);
    TL_ASSERT_FATAL(contract_finish(&mapper, 1, 5000) == 1, "map() never returned");
    TL_ASSERT(!(item_running && returned_early), "map() returned while one of its items was "
                                                 "still running");
    TL_ASSERT(map_status == EDOM && map_failed == 5, "map with item 5 failing: expected EDOM (%d) "
                                                     "at index 5, got %d at %zu",
              EDOM, map_status, map_failed);
    long wrong = 0;
    for (long i = 0; i < 5; i++)
        wrong += NUM(map_results[i]) != i * 2;
    TL_ASSERT_EQ_LONG(wrong, 0, "results of the items before the failure");
    long ran = 0, cancelled = 0, inconsistent = 0;
    for (long i = 6; i < MAP_N; i++) {
        ran += map_results[i] != NULL;
        cancelled += map_results[i] == NULL;
        inconsistent += map_results[i] != NULL && NUM(map_results[i]) != i * 2;
    }
    TL_ASSERT(ran <= 1 && (!item_running || ran == 1),
              "items after the failure that ran: expected at most the one the worker had started "
              "(%d), got %ld — the others must be cancelled",
              item_running ? 1 : 0, ran);
    TL_ASSERT_EQ_LONG(cancelled, MAP_N - 6 - ran, "items after the failure left with a NULL result");
    TL_ASSERT_EQ_LONG(inconsistent, 0, "results of the items that ran after the failure");
    TL_ASSERT_EQ_LONG(atomic_load(&tasks_run), 6 + ran, "tasks run");
    tl_pool_destroy(pool);
    gate_destroy(&map_gate);
}

/* ---- wait ---- */

static bool contains(tl_future *const set[], size_t n, const tl_future *f)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == f)
            return true;
    return false;
}

static void wait_three_modes(void)
{
    tl_hint("wait() returns when its condition holds — FIRST_COMPLETED: one done; FIRST_EXCEPTION: "
            "one finished with an error, or all done; ALL_COMPLETED: all done — or TIMEOUT, and "
            "splits the futures into done and not done, each listed once");
    static gate ga, gb;
    gate_init(&ga);
    gate_init(&gb);
    tl_pool *pool = tl_pool_create(3);
    tl_future *a = tl_pool_submit(pool, task_gate, &ga, NULL);
    tl_future *b = tl_pool_submit(pool, task_gate, &gb, NULL);
    tl_future *fs[3] = {a, b, a};
    tl_future *done[3], *not_done[3];
    size_t nd = 9, nn = 9;

    /* Right after submit nothing is done: no mode may return early. */
    int st = tl_futures_wait(fs, 3, TL_FIRST_COMPLETED, 50, done, &nd, not_done, &nn);
    TL_ASSERT(st == TL_FUTURE_TIMEOUT && nd == 0 && nn == 2,
              "FIRST_COMPLETED right after submit, nothing done: expected TIMEOUT, 0 done, 2 not "
              "done (a repeated future counts once), got %d, %zu, %zu",
              st, nd, nn);
    st = tl_futures_wait(fs, 3, TL_ALL_COMPLETED, 50, done, &nd, not_done, &nn);
    TL_ASSERT(st == TL_FUTURE_TIMEOUT && nd == 0, "ALL_COMPLETED with nothing done: expected "
                                                  "TIMEOUT");
    st = tl_futures_wait(fs, 3, TL_FIRST_EXCEPTION, 0, done, &nd, not_done, &nn);
    TL_ASSERT(st == TL_FUTURE_TIMEOUT && nd == 0, "FIRST_EXCEPTION(0) with nothing done: expected "
                                                  "TIMEOUT");

    gate_open(&ga);
    st = tl_futures_wait(fs, 3, TL_FIRST_COMPLETED, patience_ms(), done, &nd, not_done, &nn);
    TL_ASSERT(st == TL_FUTURE_OK && nd == 1 && done[0] == a && nn == 1 && not_done[0] == b,
              "FIRST_COMPLETED once A finished (B blocked): expected OK, done = {A}, not done = "
              "{B}, got %d, %zu done, %zu not done",
              st, nd, nn);
    st = tl_futures_wait(fs, 3, TL_FIRST_EXCEPTION, 50, NULL, &nd, NULL, &nn);
    TL_ASSERT(st == TL_FUTURE_TIMEOUT && nd == 1 && nn == 1,
              "FIRST_EXCEPTION with A finished fine and B running: expected TIMEOUT (no error, "
              "not all done), got %d",
              st);

    tl_future *bad = tl_pool_submit(pool, task_fail, ITEM(EIO), NULL);
    tl_future *with_bad[3] = {b, bad, a};
    st = tl_futures_wait(with_bad, 3, TL_FIRST_EXCEPTION, patience_ms(), done, &nd, not_done, &nn);
    TL_ASSERT(st == TL_FUTURE_OK && contains(done, nd, bad) && contains(done, nd, a) && nn == 1 &&
                  not_done[0] == b,
              "FIRST_EXCEPTION with one task failing and B blocked: expected OK with the failed "
              "one done and B not done, got %d, %zu done, %zu not done",
              st, nd, nn);

    gate_open(&gb);
    st = tl_futures_wait(with_bad, 3, TL_ALL_COMPLETED, patience_ms(), done, &nd, not_done, &nn);
    TL_ASSERT(st == TL_FUTURE_OK && nd == 3 && nn == 0 && done[0] == b && done[1] == bad &&
                  done[2] == a,
              "ALL_COMPLETED once everything finished: expected OK with all 3 done in input "
              "order, got %d, %zu done",
              st, nd);
    st = tl_futures_wait(NULL, 0, TL_FIRST_COMPLETED, TL_FUTURE_FOREVER, NULL, &nd, NULL, &nn);
    TL_ASSERT(st == TL_FUTURE_OK && nd == 0 && nn == 0, "wait on no futures returns OK at once");
    tl_pool_destroy(pool);
    tl_future_free(a);
    tl_future_free(b);
    tl_future_free(bad);
    gate_destroy(&ga);
    gate_destroy(&gb);
}

static void wait_all_right_after_submit(void)
{
    tl_hint("wait(ALL_COMPLETED) right after submitting must wait for every task, not return "
            "while some are still queued or running");
    enum { N = 8 };
    static gate g;
    gate_init(&g);
    tl_pool *pool = tl_pool_create(2);
    tl_future *f[N];
    for (int i = 0; i < N; i++)
        f[i] = i % 2 ? tl_pool_submit(pool, task_gate, &g, NULL)
                     : tl_pool_submit(pool, task_echo, ITEM(i), NULL);
    size_t nd = 0, nn = 0;
    int st = tl_futures_wait(f, N, TL_ALL_COMPLETED, 50, NULL, &nd, NULL, &nn);
    TL_ASSERT(st == TL_FUTURE_TIMEOUT && nn > 0, "ALL_COMPLETED(50 ms) with gated tasks: expected "
                                                 "TIMEOUT with some not done, got %d, %zu not "
                                                 "done",
              st, nn);
    static contract_thread opener;
    contract_start(&opener, open_gate_later, &g);
    st = tl_futures_wait(f, N, TL_ALL_COMPLETED, TL_FUTURE_FOREVER, NULL, &nd, NULL, &nn);
    int finished = 0;
    for (int i = 0; i < N; i++)
        finished += tl_future_done(f[i]);
    TL_ASSERT(st == TL_FUTURE_OK && nd == N && nn == 0 && finished == N,
              "ALL_COMPLETED(FOREVER): expected OK with all %d done, got %d, %zu done, %d really "
              "done",
              N, st, nd, finished);
    TL_ASSERT(contract_finish(&opener, 1, 5000) == 1, "the gate opener thread");
    tl_pool_destroy(pool);
    for (int i = 0; i < N; i++)
        tl_future_free(f[i]);
    gate_destroy(&g);
}

/* ---- as_completed ---- */

static void as_completed_order_duplicates_timeout(void)
{
    tl_hint("as_completed() returns each distinct future once, those already done first, then "
            "in the order they complete; after its overall timeout it says TIMEOUT");
    static gate g[3];
    for (int i = 0; i < 3; i++)
        gate_init(&g[i]);
    tl_pool *pool = tl_pool_create(3);
    tl_future *early = tl_pool_submit(pool, task_echo, ITEM(1), NULL);
    TL_ASSERT_FATAL(tl_future_result(early, patience_ms(), NULL) == 0, "the early task");
    tl_future *f[3];
    for (int i = 0; i < 3; i++)
        f[i] = tl_pool_submit(pool, task_gate, &g[i], NULL);
    tl_future *input[6] = {f[0], early, f[1], f[0], f[2], early};
    tl_as_completed *it = tl_as_completed_start(input, 6, patience_ms());
    tl_future *next = NULL;
    int st = tl_as_completed_next(it, &next);
    TL_ASSERT(st == TL_FUTURE_OK && next == early, "first from as_completed: expected the future "
                                                   "that was already done");
    static const int open_order[3] = {1, 2, 0};
    for (int k = 0; k < 3; k++) {
        gate_open(&g[open_order[k]]);
        next = NULL;
        st = tl_as_completed_next(it, &next);
        TL_ASSERT(st == TL_FUTURE_OK && next == f[open_order[k]],
                  "as_completed after opening gate %d: expected its future, got status %d and "
                  "%s",
                  open_order[k], st, next == NULL ? "none" : "another future");
    }
    st = tl_as_completed_next(it, &next);
    TL_ASSERT(st == TL_AS_COMPLETED_END, "after 4 distinct futures (6 with repeats): expected "
                                         "TL_AS_COMPLETED_END, got %d",
              st);
    tl_as_completed_end(it);

    static gate late;
    gate_init(&late);
    tl_future *slow = tl_pool_submit(pool, task_gate, &late, NULL);
    it = tl_as_completed_start(&slow, 1, 60);
    st = tl_as_completed_next(it, &next);
    TL_ASSERT(st == TL_FUTURE_TIMEOUT, "as_completed(60 ms) on a blocked task: expected TIMEOUT, "
                                       "got %d",
              st);
    gate_open(&late);
    TL_ASSERT(tl_future_result(slow, patience_ms(), NULL) == 0, "the blocked task, once opened");
    next = NULL;
    st = tl_as_completed_next(it, &next);
    TL_ASSERT(st == TL_FUTURE_OK && next == slow, "next after the timeout, once the task finished: "
                                                  "expected it, got %d",
              st);
    TL_ASSERT(tl_as_completed_next(it, &next) == TL_AS_COMPLETED_END, "then the end");
    tl_as_completed_end(it);

    tl_pool_destroy(pool);
    tl_future_free(early);
    tl_future_free(slow);
    for (int i = 0; i < 3; i++) {
        tl_future_free(f[i]);
        gate_destroy(&g[i]);
    }
    gate_destroy(&late);
}

/* ---- programming errors stop the program with a message ---- */

static int task_negative(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return -1;
}

static tl_pool *victim_pool;

static int task_joins_own_pool(void *arg, void **result)
{
    (void)arg;
    (void)result;
    tl_pool_shutdown(victim_pool, true, false);
    return 0;
}

/* Runs body in a child process; expects exit status 1 with `message` on stderr. */
static void expect_death(void (*body)(void), const char *message)
{
    int fds[2];
    TL_ASSERT_FATAL(pipe(fds) == 0, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    TL_ASSERT_FATAL(pid >= 0, "fork");
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        body();
        _exit(0);
    }
    close(fds[1]);
    char text[1024] = "";
    size_t len = 0;
    ssize_t got;
    while (len < sizeof text - 1 && (got = read(fds[0], text + len, sizeof text - 1 - len)) > 0)
        len += (size_t)got;
    text[len] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    TL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 1, "expected exit status 1, got %s %d",
              WIFEXITED(status) ? "status" : "signal",
              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    TL_ASSERT(strstr(text, message) != NULL, "expected a message containing '%s', got '%s'",
              message, text);
}

/* In the child, which exits from inside the pool: keep what it allocated reachable (global)
 * so a leak checker at exit does not turn the expected status 1 into its own. */
static tl_future *victim_future;

static void die_on_negative_status(void)
{
    victim_pool = tl_pool_create(1);
    victim_future = tl_pool_submit(victim_pool, task_negative, NULL, NULL);
    tl_future_result(victim_future, patience_ms(), NULL);
}

static void die_on_self_join(void)
{
    victim_pool = tl_pool_create(1);
    victim_future = tl_pool_submit(victim_pool, task_joins_own_pool, NULL, NULL);
    tl_future_result(victim_future, patience_ms(), NULL);
}

static void misuse_stops_with_a_message(void)
{
    tl_hint("a task returning a negative status, or a task shutting down its own pool with "
            "wait = true, is a bug the pool reports and stops on (TL_DIE), instead of hanging or "
            "confusing the status with TL_FUTURE_CANCELLED/TIMEOUT");
    expect_death(die_on_negative_status, "a pool task returned -1");
    expect_death(die_on_self_join, "a worker would wait for itself");
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("pool: futures");
    tl_test(s, "submit returns the task's value", submit_returns_value);
    tl_test(s, "a task's error reaches the future", submit_returns_error);
    tl_test(s, "result() with a timeout times out, the task goes on", result_times_out);
    tl_test(s, "cancel: pending yes, running no, finished no", cancel_pending_running_finished);
    tl_test(s, "freeing a future does not cancel its task", freeing_is_not_cancelling);
    tl_test(s, "done callbacks: before and after completion, in order", done_callbacks);
    tl_test(s, "a cancelled future's callbacks run in the canceller",
            callback_on_cancel_runs_in_canceller);

    s = tl_suite("pool: lifecycle");
    tl_test(s, "submit after shutdown is rejected", submit_after_shutdown_is_rejected);
    tl_test(s, "shutdown(cancel_pending) with 50 slow tasks", shutdown_cancels_pending);
    tl_test(s, "shutdown(wait = false), then destroy still joins",
            shutdown_nowait_then_destroy_joins);
    tl_test(s, "an idle 64-worker pool is destroyed cleanly", destroy_idle_big_pool);
    tl_test(s, "create/destroy in a loop; futures outlive their pool", create_destroy_loop);
    tl_test(s, "0 workers means min(32, cpus + 4)", default_worker_count);
    tl_test(s, "two pools are independent", two_pools_are_independent);
    tl_test(s, "a task waiting on its own saturated pool times out",
            saturated_pool_self_wait_times_out);
    tl_test(s, "misuse stops the program with a message", misuse_stops_with_a_message);

    s = tl_suite("pool: many futures");
    tl_test(s, "map keeps submission order", map_keeps_submission_order);
    tl_test(s, "map reports the first error and cancels the rest",
            map_reports_first_error_and_cancels_rest);
    tl_test(s, "wait: FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED", wait_three_modes);
    tl_test(s, "wait(ALL_COMPLETED) right after submit does not return early",
            wait_all_right_after_submit);
    tl_test(s, "as_completed: completion order, duplicates once, timeout",
            as_completed_order_duplicates_timeout);
}
