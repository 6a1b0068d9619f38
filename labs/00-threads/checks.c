/* checks.c — lab00's checks (checks.h): run_all_threaded() of exercise.c, handed probe() as
 * its task function. probe() notes who ran which task with which pointer, and holds its thread
 * (bounded) where an order is needed on every run: with GATE it reads its task only once every
 * task has arrived (or the caller began joining too early), so a shared argument (&i) has been
 * overwritten by then and concurrent tasks are all inside at once; with HOLD it writes its
 * result only once the caller has called pthread_join, so a result read before that is one
 * that was never written. Guard entries past n name a stray index instead of crashing. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "exercise.h"

enum { MAXN = 8, GUARDS = 2, GUARD_ID = 100, GATE = 1, HOLD = 2, WAIT_MS = 1000 };

typedef struct {
    const task *ptr; /* what fn was handed */
    task seen;       /* what it held when read (after the gate) */
} call_record;

static struct {
    int n, mode;
    pthread_t caller;
    atomic_int arrived, inside, max_inside, finished, calls, on_caller, thread_reused, in_call;
    atomic_int gate_missed, hold_missed, fail_create;
    atomic_long creates_at_first_join; /* -1 until the first pthread_join */
    call_record rec[4 * MAXN];
    int rc, finished_at_return;
    long creates, joins, detaches, unjoined, live; /* spy counts when it returned */
} p;
static task tasks[MAXN + GUARDS];
static task_result results[MAXN + GUARDS];
static const task_result untouched = {-1, -1, -1};
static _Thread_local int tasks_here; /* fresh in every new thread, even on a reused stack */

static task_result expected(const task *t)
{
    return t->fail ? (task_result){t->id, 0, EIO} : (task_result){t->id, 1000L + t->id, 0};
}

static bool same(task_result a, task_result b)
{
    return a.task_id == b.task_id && a.value == b.value && a.error == b.error;
}

/* Waits, at most ms (scaled), until cond() holds. */
static bool until(bool (*cond)(void), long ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (cond())
            return true;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > tl_check_ms(ms))
            return false;
        nanosleep(&(struct timespec){0, 200000}, NULL);
    }
}

static bool all_arrived(void)
{
    long at_join = atomic_load(&p.creates_at_first_join); /* a join before all started: stop */
    return atomic_load(&p.arrived) >= p.n || (at_join >= 0 && at_join < p.n);
}
static bool joining(void) { return tl_spy_count(TL_SPY_JOIN) > 0; }
static bool all_finished(void) { return atomic_load(&p.finished) >= atomic_load(&p.calls); }

static void probe(const task *t, task_result *out)
{
    int now = atomic_fetch_add(&p.inside, 1) + 1, max = atomic_load(&p.max_inside);
    while (now > max && !atomic_compare_exchange_weak(&p.max_inside, &max, now)) {
    }
    int k = atomic_fetch_add(&p.calls, 1);
    atomic_fetch_add(&p.arrived, 1);
    bool on_caller = pthread_equal(pthread_self(), p.caller);
    atomic_fetch_or(&p.on_caller, on_caller);
    atomic_fetch_or(&p.thread_reused, !on_caller && tasks_here++ > 0);
    if ((p.mode & GATE) && !on_caller && !atomic_load(&p.gate_missed) && !until(all_arrived, WAIT_MS))
        atomic_store(&p.gate_missed, 1);
    if (k < 4 * MAXN)
        p.rec[k] = (call_record){t, *t};
    if ((p.mode & HOLD) && !atomic_load(&p.hold_missed) && !until(joining, WAIT_MS))
        atomic_store(&p.hold_missed, 1);
    *out = expected(t);
    atomic_fetch_sub(&p.inside, 1);
    atomic_fetch_add(&p.finished, 1);
}

/* Just before the exercise's first pthread_join: how many threads had it started? */
static void on_join(const tl_spy_event *e)
{
    (void)e;
    long none = -1;
    atomic_compare_exchange_strong(&p.creates_at_first_join, &none, tl_spy_count(TL_SPY_CREATE));
}

/* A TL_CHECK in the exercise ends the process with exit(1) in the middle of the call. */
static void exited_in_call(void)
{
    if (atomic_load(&p.in_call))
        TL_ASSERT(false, "the process exited inside run_all_threaded%s: a pthread call it checks "
                  "failed (is it joining a pthread_t that names no thread?)",
                  p.fail_create ? ", after a pthread_create failed" : "");
}

/* One call on n tasks (task fail_id fails on purpose), the fail_create-th pthread_create
 * failing with EAGAIN (0: none). Waits (bounded) for calls still running when it returned. */
static void run(int n, int mode, int fail_id, int fail_create)
{
    memset(&p, 0, sizeof p);
    p.n = n, p.mode = mode, p.caller = pthread_self();
    atomic_store(&p.creates_at_first_join, -1);
    for (int i = 0; i < MAXN + GUARDS; i++) {
        tasks[i] = (task){i < n ? i : GUARD_ID + i, 1 + i, i == fail_id};
        results[i] = untouched;
    }
    static bool once;
    if (!once)
        once = atexit(exited_in_call) == 0;
    tl_spy_reset();
    tl_spy_on(TL_SPY_JOIN, on_join);
    if ((p.fail_create = fail_create) > 0)
        tl_spy_fail_create(fail_create, EAGAIN);
    atomic_store(&p.in_call, 1);
    p.rc = run_all_threaded(tasks, results, (size_t)n, probe);
    atomic_store(&p.in_call, 0);
    p.finished_at_return = atomic_load(&p.finished);
    p.creates = tl_spy_count(TL_SPY_CREATE), p.joins = tl_spy_count(TL_SPY_JOIN);
    p.detaches = tl_spy_count(TL_SPY_DETACH), p.unjoined = tl_spy_unjoined();
    p.live = tl_spy_live_allocations();
    until(all_finished, WAIT_MS);
}

/* Each of tasks 0..n-1 was run exactly once, by a thread handed that task; NULL, or why not. */
static const char *each_once(int n, char *why, size_t len)
{
    int count[MAXN] = {0}, calls = atomic_load(&p.calls), missing = -1, twice = -1;
    for (int k = 0; k < calls && k < 4 * MAXN; k++) {
        const call_record *r = &p.rec[k];
        int id = r->seen.id;
        if (id < 0 || id >= n)
            return snprintf(why, len, "a thread was handed task id %d, which is none of the %d tasks it "
                            "should run: it read an index or pointer after the loop had moved it on", id, n), why;
        if (r->seen.delay_ms != tasks[id].delay_ms || r->seen.fail != tasks[id].fail)
            return snprintf(why, len, "task %d was handed with the wrong contents", id), why;
        count[id]++;
        for (int j = 0; j < k && (p.mode & GATE); j++) /* GATE: all calls overlap in time */
            if (p.rec[j].ptr == r->ptr)
                return snprintf(why, len, "two threads were handed the same pointer, %p: one variable "
                                "(&i, or one struct the loop refills) shared by them all", (void *)r->ptr), why;
    }
    for (int id = 0; id < n; id++) {
        missing = missing < 0 && count[id] == 0 ? id : missing;
        twice = twice < 0 && count[id] > 1 ? id : twice;
    }
    if (twice >= 0 && missing >= 0)
        return snprintf(why, len, "task %d ran %d times and task %d never: the threads were handed one "
                        "variable the loop kept changing (the &i bug)", twice, count[twice], missing), why;
    if (twice >= 0 || missing >= 0)
        return snprintf(why, len, "task %d ran %d times, expected once: start one thread per task",
                        twice >= 0 ? twice : missing, twice >= 0 ? count[twice] : 0), why;
    return NULL;
}

static bool results_right(int n, int first_wrong_allowed)
{
    for (int i = 0; i < MAXN + GUARDS; i++) {
        task_result got = results[i], want = i < first_wrong_allowed ? expected(&tasks[i]) : untouched;
        if (i >= first_wrong_allowed && i < n)
            continue; /* unspecified */
        if (!same(got, want))
            return TL_ASSERT(false, "results[%d] = {task %d, value %ld, error %d}, expected {task %d, value "
                             "%ld, error %d}: %s", i, got.task_id, got.value, got.error, want.task_id,
                             want.value, want.error, i >= n ? "written past the end of results[]"
                             : same(got, untouched) ? "nothing was stored there"
                             : "copied before its thread had written it, or another task's"), false;
    }
    return true;
}

static void zero_tasks(void)
{
    run(0, 0, -1, 0);
    TL_ASSERT(p.rc == 0, "run_all_threaded(n = 0) returned %d, expected 0", p.rc);
    TL_ASSERT(p.creates == 0 && p.calls == 0, "with no tasks it started %ld threads and called fn %d "
              "times, expected none", p.creates, atomic_load(&p.calls));
    results_right(0, 0);
}

static void own_thread(void)
{
    run(4, GATE, -1, 0);
    TL_ASSERT_FATAL(!p.on_caller, "a task ran on the calling thread: each task needs a thread of its own");
    TL_ASSERT_FATAL(p.creates == 4, "it called pthread_create %ld times for 4 tasks", p.creates);
    TL_ASSERT(!p.thread_reused, "one thread ran two tasks: each task needs a thread of its own");
}

static void own_argument(void)
{
    run(MAXN, GATE, -1, 0);
    char why[300];
    const char *bad = each_once(MAXN, why, sizeof why);
    TL_ASSERT(bad == NULL, "each task read once all %d had started: %s", MAXN, bad);
}

static void concurrent(void)
{
    run(4, GATE, -1, 0);
    long at_join = atomic_load(&p.creates_at_first_join);
    TL_ASSERT_FATAL(at_join < 0 || at_join == 4, "the first pthread_join came when %ld of the 4 threads had been "
                    "started: a join waits for its thread, so the next starts only after it ends", at_join);
    TL_ASSERT(p.max_inside == 4, "at most %d of the 4 tasks ran at the same time (each waited %ld ms "
              "for the others)", atomic_load(&p.max_inside), tl_check_ms(WAIT_MS));
}

static void joins(void)
{
    run(4, 0, -1, 0);
    TL_ASSERT_FATAL(p.unjoined == 0 && p.detaches == 0 && p.joins == 4, "of the 4 threads it started, "
                    "%ld were joined, %ld detached and %ld neither when it returned (%d of 4 tasks had "
                    "finished): wait for each with pthread_join", p.joins, p.detaches, p.unjoined,
                    p.finished_at_return);
}

static void results_after_join(void)
{
    run(4, HOLD, 2, 0);
    TL_ASSERT_FATAL(!p.hold_missed, "each task kept its result back until the caller called pthread_join, "
                    "and none came within %ld ms: the caller waited some other way", tl_check_ms(WAIT_MS));
    TL_ASSERT(p.rc == 0, "run_all_threaded returned %d, expected 0", p.rc);
    results_right(4, 4);
}

static void create_error(void)
{
    for (int k = 1; k <= 4; k++) {
        run(4, 0, -1, k);
        char why[300];
        const char *bad = each_once(k - 1, why, sizeof why);
        TL_ASSERT_FATAL(p.rc == EAGAIN, "pthread_create #%d failed with EAGAIN and it returned %d "
                        "(expected EAGAIN)", k, p.rc);
        TL_ASSERT_FATAL(p.creates == k, "after pthread_create #%d failed it went on to call it %ld more "
                        "times: start no more threads", k, p.creates - k);
        TL_ASSERT_FATAL(p.unjoined == 0 && p.joins == k - 1, "pthread_create #%d failed: of the %d "
                        "threads started, %ld were joined and %ld not when it returned", k, k - 1,
                        p.joins, p.unjoined);
        TL_ASSERT_FATAL(bad == NULL && !p.on_caller, "pthread_create #%d failed: %s", k,
                        bad ? bad : "a task ran on the calling thread instead");
        if (!results_right(4, k - 1))
            TL_ASSERT_FATAL(false, "(that was after pthread_create #%d failed)", k);
    }
}

static void frees(void)
{
    for (int k = 0; k <= 3; k += 3) {
        run(4, 0, -1, k);
        TL_ASSERT_FATAL(p.live == 0, "%ld allocation%s still live after it returned%s", p.live,
                        p.live == 1 ? " was" : "s were", k ? " (pthread_create #3 had failed)" : "");
    }
}

static void stress(void)
{
    for (int round = 0; round < 100; round++) {
        run(MAXN, 0, round % MAXN, 0);
        char why[300];
        const char *bad = each_once(MAXN, why, sizeof why);
        TL_ASSERT_FATAL(bad == NULL && p.rc == 0, "round %d: %s (returned %d)", round, bad ? bad : "", p.rc);
        TL_ASSERT_FATAL(p.unjoined == 0, "round %d: %ld threads not joined", round, p.unjoined);
        if (!results_right(MAXN, MAXN))
            TL_ASSERT_FATAL(false, "(in round %d of 100)", round);
    }
}

TL_CHECK_TABLE("lab00",
    {.name = "with no tasks it returns 0, starts no thread and never calls fn", .points = 1,
     .promises = "run_all_threaded.zero", .run = zero_tasks,
     .hints = {"n == 0 is a valid call: nothing to start, join or allocate", "the start of the "
               "function and its allocation", "an allocation of 0 bytes may return NULL: not an error"}},
    {.name = "every task runs on a thread of its own, none on the calling thread", .points = 2,
     .promises = "run_all_threaded.own_thread", .run = own_thread, .flags = TL_CHECK_RACES,
     .hints = {"the caller only starts and joins threads; it never runs fn itself", "the loop that "
               "starts the threads: does any task skip pthread_create?", "n tasks, n threads, n joins"}},
    {.name = "every thread it started is joined with pthread_join before it returns", .points = 2,
     .promises = "run_all_threaded.joins", .run = joins, .flags = TL_CHECK_RACES,
     .hints = {"only pthread_join says a thread has ended; a detached or polled one may still run",
               "the loop after the one that starts the threads", "keep every pthread_t; join each once"}},
    {.name = "each thread gets its own task, still intact when the thread reads it late", .points = 3,
     .promises = "run_all_threaded.own_argument", .run = own_argument, .flags = TL_CHECK_RACES,
     .hints = {"a thread may first read its argument long after pthread_create returned (the &i bug)",
               "the pointer each pthread_create is handed, and who writes there afterwards",
               "memory of its own per thread, filled in before it starts, untouched until it is joined"}},
    {.name = "every thread is started before any is joined, so all tasks run at once", .points = 2,
     .promises = "run_all_threaded.concurrent", .run = concurrent, .flags = TL_CHECK_RACES,
     .hints = {"pthread_join waits until that thread has ended", "where the joins are: inside the loop "
               "that starts the threads, or after it?", "one loop starts them all, the next joins them"}},
    {.name = "results[i] holds task i's result and error, read only after its thread was joined",
     .promises = "run_all_threaded.results", .points = 3, .run = results_after_join,
     .flags = TL_CHECK_RACES,
     .hints = {"until pthread_join returns, the thread may not have written its result yet", "where "
               "results[] is filled in, compared with where the threads are joined", "join, then copy"}},
    {.name = "a failed pthread_create: no more threads, those started are joined, the error returned",
     .promises = "run_all_threaded.create_error", .points = 2, .run = create_error,
     .flags = TL_CHECK_RACES,
     .hints = {"when pthread_create fails no thread started, and its pthread_t names nothing", "what "
               "the loop does with pthread_create's result, and which threads are joined after it",
               "stop at the first failure, join the threads that did start, return the error"}},
    {.name = "everything it allocated is freed, also after a failed pthread_create", .points = 1,
     .promises = "run_all_threaded.frees", .run = frees, .flags = TL_CHECK_RACES,
     .hints = {"what is allocated for the threads is garbage once they are joined", "every way out "
               "of run_all_threaded", "free after the joins, on the error path too"}},
    {.name = "100 rounds of 8 tasks: every task once, every result right, no data race", .points = 2,
     .promises = "run_all_threaded.race_free run_all_threaded.own_argument", .run = stress,
     .flags = TL_CHECK_RACES,
     .hints = {"a thread must not read what the loop that started it still writes", "what a thread "
               "reads first, and whether the caller may be writing it at that moment",
               "hand each thread memory nobody else writes until it is joined"}});
