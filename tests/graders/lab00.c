/* Grader for lab00: run_all_threaded() (labs/00-threads/exercise.h).
 *
 * Every check runs the student's function with probe_task as the work. probe_task counts
 * how often each task id is seen, how many calls are inside it at once, and holds each
 * call until all n have arrived (bounded), so that:
 *   - the `&i` bug is caught on every run, not just sometimes: a thread reads its task only
 *     after every thread has been started, by which time a shared argument has been
 *     overwritten with the last task;
 *   - concurrency is proven by COUNTING (the most calls inside at once must be n), not by
 *     comparing elapsed time with the longest task: on a loaded, shared 2-core machine a
 *     wall-clock threshold either flakes or is too loose to mean anything;
 *   - a result read before the join is caught: each call holds its result back for a while
 *     after every thread has started, so a copy taken before joining finds nothing yet.
 * The task and result arrays have guard entries past n, so a thread that indexes with a
 * loop variable that has run past the end is reported in words instead of corrupting memory.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "exercise.h"
#include "harness.h"

enum { MAX_TASKS = 16, GUARDS = 4, GUARD_ID = 1000 };
static const task_result untouched = {-1, -12345, -1}; /* what a guard result must still hold */

/* What the probe saw during one call of run_all_threaded. */
static struct {
    int n;
    long gate_ms, hold_ms;          /* how long a call waits for the others; holds its result */
    atomic_int calls[MAX_TASKS];    /* calls per task id */
    atomic_int strays, stray_id;    /* calls with a task id outside 0..n-1 */
    atomic_int arrived, running, max_running, finished;
} probe;

static void probe_reset(int n, long gate_ms, long hold_ms)
{
    probe.n = n;
    probe.gate_ms = (long)(gate_ms * tl_timeout_scale());
    probe.hold_ms = (long)(hold_ms * tl_timeout_scale());
    for (int i = 0; i < MAX_TASKS; i++)
        atomic_store(&probe.calls[i], 0);
    atomic_store(&probe.strays, 0);
    atomic_store(&probe.stray_id, 0);
    atomic_store(&probe.arrived, 0);
    atomic_store(&probe.running, 0);
    atomic_store(&probe.max_running, 0);
    atomic_store(&probe.finished, 0);
}

static long expected_value(int id) { return 1000L + id; }

static bool same_result(task_result a, task_result b)
{
    return a.task_id == b.task_id && a.value == b.value && a.error == b.error;
}

static void probe_task(const task *t, task_result *out)
{
    int now = atomic_fetch_add(&probe.running, 1) + 1;
    int max = atomic_load(&probe.max_running);
    while (now > max && !atomic_compare_exchange_weak(&probe.max_running, &max, now)) {
    }
    atomic_fetch_add(&probe.arrived, 1);
    struct timespec gate = tl_deadline_monotonic(probe.gate_ms);
    while (atomic_load(&probe.arrived) < probe.n && tl_ms_until(gate) > 0)
        tl_sleep_ms(1);

    /* Only now look at the task: every thread has been started, the loop is over. */
    int id = t->id;
    if (id >= 0 && id < probe.n) {
        atomic_fetch_add(&probe.calls[id], 1);
    } else {
        atomic_fetch_add(&probe.strays, 1);
        atomic_store(&probe.stray_id, id);
    }
    tl_sleep_ms(probe.hold_ms);
    *out = t->fail ? (task_result){id, 0, EIO} : (task_result){id, expected_value(id), 0};
    atomic_fetch_sub(&probe.running, 1);
    atomic_fetch_add(&probe.finished, 1);
}

/* n tasks (task fail_id fails on purpose; -1: none) followed by guard entries. */
typedef struct {
    task tasks[MAX_TASKS + GUARDS];
    task_result results[MAX_TASKS + GUARDS];
    int rc;
    int finished_at_return; /* calls that had finished when run_all_threaded returned */
} run;

/* Runs the student's function on a heap-allocated run (freed by run_free). */
static run *run_tasks(int n, int fail_id, long gate_ms, long hold_ms)
{
    run *r = calloc(1, sizeof *r);
    TL_ASSERT_FATAL(r != NULL, "out of memory");
    for (int i = 0; i < MAX_TASKS + GUARDS; i++) {
        r->tasks[i] = (task){i < n ? i : GUARD_ID + i - n, 1, i == fail_id};
        r->results[i] = untouched;
    }
    probe_reset(n, gate_ms, hold_ms);
    r->rc = run_all_threaded(r->tasks, r->results, (size_t)n, probe_task);
    r->finished_at_return = atomic_load(&probe.finished);
    return r;
}

/* True when every call had finished by the time run_all_threaded returned; otherwise says so
 * and waits (bounded) for the stragglers, so that the counts the test reads next are complete. */
static bool all_joined_before_return(const run *r, int n)
{
    bool ok = r->finished_at_return >= n;
    TL_ASSERT(ok, "run_all_threaded returned while %d of %d tasks were still running: join every "
              "thread before returning (and before reading its result)", n - r->finished_at_return, n);
    struct timespec deadline = tl_deadline_monotonic((long)(3000 * tl_timeout_scale()));
    while (atomic_load(&probe.finished) < n && tl_ms_until(deadline) > 0)
        tl_sleep_ms(5);
    return ok;
}

/* Frees r once no probe call is running any more; if one still is after a few seconds
 * (threads that were never joined), r is left allocated rather than freed under them. */
static void run_free(run *r)
{
    struct timespec deadline = tl_deadline_monotonic((long)(3000 * tl_timeout_scale()));
    while (atomic_load(&probe.running) > 0 && tl_ms_until(deadline) > 0)
        tl_sleep_ms(5);
    if (atomic_load(&probe.running) == 0)
        free(r);
}

/* True when every task id 0..n-1 was seen exactly once and nothing else was; otherwise
 * describes the first problem in why (one sentence). */
static bool each_task_once(int n, char *why, size_t len)
{
    int missing = -1, repeated = -1;
    for (int id = 0; id < n; id++) {
        int c = atomic_load(&probe.calls[id]);
        if (c == 0 && missing < 0)
            missing = id;
        if (c > 1 && repeated < 0)
            repeated = id;
    }
    if (atomic_load(&probe.strays) > 0) {
        int stray = atomic_load(&probe.stray_id);
        snprintf(why, len,
                 "a thread was handed task id %d, which is not one of the %d tasks%s: it read an "
                 "index or pointer after the loop had moved it on (the &i bug) — give each thread "
                 "its own argument that stays put until the thread is joined",
                 stray, n, stray >= GUARD_ID ? " but the entry just past the end of tasks[]" : "");
        return false;
    }
    if (missing >= 0 && repeated >= 0) {
        snprintf(why, len,
                 "task %d ran %d times and task %d ran %d times: every thread was given the "
                 "address of the same variable, which the loop kept changing (the &i bug) — give "
                 "each thread its own argument (e.g. an array of n struct worker)",
                 missing, atomic_load(&probe.calls[missing]), repeated,
                 atomic_load(&probe.calls[repeated]));
        return false;
    }
    if (missing >= 0) {
        snprintf(why, len, "task %d never ran (expected once): start one thread for every task",
                 missing);
        return false;
    }
    if (repeated >= 0) {
        snprintf(why, len, "task %d ran %d times (expected once): start exactly one thread per task",
                 repeated, atomic_load(&probe.calls[repeated]));
        return false;
    }
    return true;
}

static void each_task_argument_seen_exactly_once(void)
{
    tl_hint("every thread must get an argument of its own (not &i, not one struct the loop "
            "reuses): by the time a thread reads it, the loop may have changed it");
    /* Several rounds: a variant that reads its argument first thing in the thread (before
     * fn) loses the race only sometimes; twenty rounds of eight make a pass by luck unlikely. */
    for (int round = 1; round <= 20; round++) {
        run *r = run_tasks(8, -1, 300, 0);
        if (!all_joined_before_return(r, 8)) {
            run_free(r);
            return;
        }
        char why[512];
        bool ok = each_task_once(8, why, sizeof why);
        int rc = r->rc;
        bool concurrent = atomic_load(&probe.max_running) == 8;
        TL_ASSERT(ok, "round %d of 20: %s", round, why);
        TL_ASSERT(rc == 0, "run_all_threaded returned %d, expected 0 (every thread started)", rc);
        run_free(r);
        if (!ok || rc != 0 || !concurrent)
            return; /* one sentence is enough; concurrency has a check of its own */
    }
}

/* The task whose result `got` is (probe_task writes only these), or -1 if no task's. */
static int producer_of(task_result got, const run *r, int n)
{
    for (int k = 0; k < n; k++) {
        task_result want = r->tasks[k].fail ? (task_result){k, 0, EIO}
                                             : (task_result){k, expected_value(k), 0};
        if (same_result(got, want))
            return k;
    }
    return -1;
}

static void results_match_their_tasks_after_return(void)
{
    tl_hint("join every thread before reading its result: until pthread_join returns, the "
            "thread may not have written it yet");
    enum { N = 4, FAILING = 2 };
    run *r = run_tasks(N, FAILING, 1000, 200);
    all_joined_before_return(r, N);
    for (int i = 0; i < N; i++) {
        task_result got = r->results[i];
        int producer = producer_of(got, r, N);
        if (producer == i)
            continue;
        char said[160];
        snprintf(said, sizeof said, "results[%d] = {task_id %d, value %ld, error %d}, expected "
                 "task %d's result%s", i, got.task_id, got.value, got.error, i,
                 r->tasks[i].fail ? " (it fails on purpose: its error must come back too)" : "");
        if (same_result(got, untouched))
            TL_ASSERT(false, "%s: nothing was ever stored there — does each thread get its own "
                      "task and its own place for the result, and is results[i] filled in?", said);
        else if (producer < 0)
            TL_ASSERT(false, "%s: no task produced that, so it was read before the thread had "
                      "written it (read before join) — join every thread first, then copy its "
                      "result", said);
        else
            TL_ASSERT(false, "%s, but it holds task %d's: the threads did not each get their own "
                      "task and result (the &i bug) — see \"each task's own argument seen "
                      "exactly once\"", said, producer);
        break;
    }
    for (int i = N; i < N + GUARDS; i++)
        TL_ASSERT(same_result(r->results[i], untouched),
                  "results[%d] was written, but there are only %d tasks: something wrote past "
                  "the end of results[]",
                  i, N);
    run_free(r);
}

static void all_tasks_run_at_the_same_time(void)
{
    tl_hint("start every thread first, then join them all: a join inside the loop that starts "
            "them makes each task wait for the one before");
    enum { N = 4 };
    run *r = run_tasks(N, -1, 1000, 0);
    all_joined_before_return(r, N);
    int max = atomic_load(&probe.max_running);
    TL_ASSERT(max == N,
              "at most %d of the %d tasks were running at the same time (expected all %d): "
              "elapsed time would be the sum of the tasks, not the longest one",
              max, N, N);
    run_free(r);
}

static void zero_tasks_start_nothing(void)
{
    tl_hint("with n == 0 there is nothing to start: return 0 without calling fn");
    run *r = run_tasks(0, -1, 1000, 0);
    TL_ASSERT(r->rc == 0, "run_all_threaded(n = 0) returned %d, expected 0", r->rc);
    TL_ASSERT(atomic_load(&probe.finished) == 0 && atomic_load(&probe.strays) == 0,
              "fn was called %d times for zero tasks, expected 0", atomic_load(&probe.finished));
    TL_ASSERT(same_result(r->results[0], untouched),
              "results[0] was written although there are no tasks");
    run_free(r);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("lab00 run_all_threaded");
    tl_test(s, "each task's own argument seen exactly once", each_task_argument_seen_exactly_once);
    tl_test(s, "results match their tasks after return (read after join)",
            results_match_their_tasks_after_return);
    tl_test(s, "all tasks run at the same time", all_tasks_run_at_the_same_time);
    tl_test(s, "zero tasks: returns 0 and calls nothing", zero_tasks_start_nothing);
}
