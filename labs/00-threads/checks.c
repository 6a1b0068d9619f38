/* checks.c — lab00's checks (checks.h) of run_all_threaded(), handed probe() as its task function.
 * probe() notes who ran which task with which pointer, and holds its thread (bounded) so that an
 * order happens on every run: GATE reads the task only once every task has arrived (or the caller
 * joined too early), by when a shared argument (&i) was overwritten and concurrent tasks are all
 * inside; HOLD writes the result only once the caller has called pthread_join. */
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

static struct {
    char when[64]; /* first, so run() keeps it: the context of a failure, "round 3 of 100: " */
    int n, mode, rc, finished_at_return, in_call; /* in_call: the caller's alone */
    pthread_t caller;
    atomic_int arrived, inside, max_inside, finished, on_caller, thread_reused, late;
    atomic_long at_join; /* threads started at the exercise's first pthread_join; -1: none yet */
    struct { const task *ptr; task seen; } rec[MAXN]; /* what each call of fn was handed */
    long creates, joins, detaches, unjoined, live; /* spy counts at its return */
} p;
static task tasks[MAXN + GUARDS];
static task_result results[MAXN + GUARDS];
static const task_result untouched = {-1, -1, -1};
static _Thread_local int tasks_here; /* fresh in every new thread, even on a reused stack */

static task_result expected(const task *t) { return (task_result){t->id, 1000L + t->id, t->fail * EIO}; }
static bool same(task_result a, task_result b)
{
    return a.task_id == b.task_id && a.value == b.value && a.error == b.error;
}

/* Waits, at most ms (scaled), until cond() holds. */
static bool until(bool (*cond)(void), long ms)
{
    struct timespec t0, t;
    for (clock_gettime(CLOCK_MONOTONIC, &t0); !cond(); nanosleep(&(struct timespec){0, 200000}, NULL))
        if (clock_gettime(CLOCK_MONOTONIC, &t) == 0 &&
            (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > tl_check_ms(ms))
            return false;
    return true;
}

static bool all_arrived(void) { return p.arrived >= p.n || (p.at_join >= 0 && p.at_join < p.n); }
static bool joining(void) { return tl_spy_count(TL_SPY_JOIN) > 0; } /* the caller is joining */
static bool all_finished(void) { return atomic_load(&p.finished) >= atomic_load(&p.arrived); }

static void probe(const task *t, task_result *out)
{
    for (int now = atomic_fetch_add(&p.inside, 1) + 1, max = p.max_inside;
         now > max && !atomic_compare_exchange_weak(&p.max_inside, &max, now);) {
    }
    int k = atomic_fetch_add(&p.arrived, 1);
    bool on_caller = pthread_equal(pthread_self(), p.caller);
    atomic_fetch_or(&p.on_caller, on_caller);
    atomic_fetch_or(&p.thread_reused, !on_caller && tasks_here++ > 0);
    if ((p.mode & GATE) && !on_caller && !atomic_load(&p.late) && !until(all_arrived, WAIT_MS))
        atomic_store(&p.late, 1); /* one wait is enough to tell */
    if (k < MAXN)
        p.rec[k].ptr = t, p.rec[k].seen = *t;
    if ((p.mode & HOLD) && !atomic_load(&p.late) && !until(joining, WAIT_MS))
        atomic_store(&p.late, 1);
    *out = expected(t);
    atomic_fetch_sub(&p.inside, 1);
    atomic_fetch_add(&p.finished, 1);
}

static void on_join(const tl_spy_event *e)
{
    long none = -1;
    (void)e, atomic_compare_exchange_strong(&p.at_join, &none, tl_spy_count(TL_SPY_CREATE));
}

static void exited_in_call(void) /* a TL_CHECK in the exercise called exit(1) mid-call */
{
    TL_ASSERT(!p.in_call, "%sthe process exited inside run_all_threaded: a pthread call "
              "it checks failed (does it join a pthread_t that names no thread?)", p.when);
}

/* n tasks (fail_id fails on purpose), pthread_create #fail_create failing (0: none), then a wait. */
static void run(int n, int mode, int fail_id, int fail_create)
{
    static bool once;
    once = once || atexit(exited_in_call) == 0;
    memset((char *)&p + sizeof p.when, 0, sizeof p - sizeof p.when);
    p.n = n, p.mode = mode, p.caller = pthread_self(), p.at_join = -1;
    for (int i = 0; i < MAXN + GUARDS; i++)
        tasks[i] = (task){i < n ? i : GUARD_ID + i, 1 + i, i == fail_id}, results[i] = untouched;
    tl_spy_reset();
    tl_spy_on(TL_SPY_JOIN, on_join);
    if (fail_create > 0)
        tl_spy_fail_create(fail_create, EAGAIN);
    p.in_call = 1;
    p.rc = run_all_threaded(tasks, results, (size_t)n, probe);
    p.in_call = 0, p.finished_at_return = atomic_load(&p.finished);
    p.creates = tl_spy_count(TL_SPY_CREATE), p.joins = tl_spy_count(TL_SPY_JOIN);
    p.detaches = tl_spy_count(TL_SPY_DETACH), p.unjoined = tl_spy_unjoined();
    p.live = tl_spy_live_allocations();
    until(all_finished, WAIT_MS);
}

/* Asserts that each of tasks 0..n-1 ran exactly once, handed that task, and nothing else ran. */
static bool each_once(int n)
{
    int count[MAXN] = {0}, calls = p.arrived < MAXN ? p.arrived : MAXN, missing = -1, twice = -1;
    for (int k = 0; k < calls; k++) {
        int id = p.rec[k].seen.id;
        if (id < 0 || id >= n)
            return TL_ASSERT(false, "%sa thread was handed task id %d, none of the %d it should run: it "
                             "read an index or pointer after the loop had moved it on", p.when, id, n), false;
        for (int j = 0; j < k && (p.mode & GATE); j++) /* GATE: all the calls overlap in time */
            if (p.rec[j].ptr == p.rec[k].ptr)
                return TL_ASSERT(false, "%stwo threads were handed the same pointer: one variable (&i, or "
                                 "one struct the loop refills) shared by them all", p.when), false;
        count[id]++;
    }
    for (int id = n - 1; id >= 0; id--)
        missing = count[id] == 0 ? id : missing, twice = count[id] > 1 ? id : twice;
    int bad = twice >= 0 ? twice : missing, times = twice >= 0 ? count[twice] : 0;
    TL_ASSERT(twice < 0 || missing < 0, "%stask %d ran %d times and task %d never: the threads were "
              "handed one variable the loop kept changing (the &i bug)", p.when, bad, times, missing);
    TL_ASSERT((twice < 0) == (missing < 0), "%stask %d ran %d times, expected once: one thread per task",
              p.when, bad, times);
    return bad < 0;
}

/* Asserts results[0..good-1] are their tasks', and the guards past n untouched. */
static bool results_right(int n, int good)
{
    for (int i = 0; i < MAXN + GUARDS; i++) {
        task_result got = results[i], want = i < good ? expected(&tasks[i]) : untouched;
        if ((i < good || i >= n) && !same(got, want))
            return TL_ASSERT(false, "%sresults[%d] = {task %d, value %ld, error %d}, expected {task %d, "
                             "value %ld, error %d}: %s", p.when, i, got.task_id, got.value, got.error,
                             want.task_id, want.value, want.error, i >= n ? "written past the end"
                             : same(got, untouched) ? "nothing was stored there"
                             : "read before its thread had written it, or another task's"), false;
    }
    return true;
}

static void zero_tasks(void)
{
    run(0, 0, -1, 0);
    TL_ASSERT(p.rc == 0 && p.creates == 0 && p.arrived == 0, "with no tasks it returned %d, started %ld "
              "threads and called fn %d times, expected 0 and none", p.rc, p.creates, (int)p.arrived);
    results_right(0, 0);
}

static void joins(void)
{
    run(4, 0, -1, 0);
    TL_ASSERT(p.unjoined == 0 && p.detaches == 0 && p.joins == p.creates, "of the %ld threads it "
              "started, %ld were joined, %ld detached and %ld neither when it returned (%d of 4 tasks had "
              "finished): wait for each with pthread_join", p.creates, p.joins, p.detaches, p.unjoined,
              p.finished_at_return);
    TL_ASSERT(p.live == 0, "%ld of its allocations were still live after it returned", p.live);
}

static void own_argument(void)
{
    snprintf(p.when, sizeof p.when, "each task read once all %d had started: ", MAXN);
    run(MAXN, GATE, -1, 0);
    each_once(MAXN);
}

static void own_threads_at_once(void)
{
    run(4, GATE, -1, 0);
    TL_ASSERT_FATAL(!p.on_caller, "a task ran on the calling thread: each needs a thread of its own");
    TL_ASSERT_FATAL(p.creates == 4, "it called pthread_create %ld times for 4 tasks", p.creates);
    TL_ASSERT_FATAL(!p.thread_reused, "one thread ran two tasks: each needs a thread of its own");
    TL_ASSERT_FATAL(p.at_join < 0 || p.at_join == 4, "the first pthread_join came when %ld of the 4 "
                    "threads were started: a join waits for its thread to end", (long)p.at_join);
    TL_ASSERT(p.max_inside == 4, "at most %d of the 4 tasks ran at the same time (each waited %ld ms "
              "for the others)", atomic_load(&p.max_inside), tl_check_ms(WAIT_MS));
}

static void results_after_join(void)
{
    run(4, HOLD, 2, 0);
    TL_ASSERT_FATAL(!p.late, "each task kept its result back until the caller called pthread_join, and "
                    "none came within %ld ms: the caller waited some other way", tl_check_ms(WAIT_MS));
    TL_ASSERT(p.rc == 0, "run_all_threaded returned %d, expected 0", p.rc);
    results_right(4, 4);
}

static void create_error(void)
{
    for (int k = 1; k <= 4; k++) {
        snprintf(p.when, sizeof p.when, "pthread_create #%d failed with EAGAIN: ", k);
        run(4, 0, -1, k);
        TL_ASSERT_FATAL(p.rc == EAGAIN, "%sit returned %d, expected EAGAIN", p.when, p.rc);
        TL_ASSERT_FATAL(p.creates == k, "%sit went on to call it %ld more times", p.when, p.creates - k);
        TL_ASSERT_FATAL(p.unjoined == 0 && p.joins == k - 1 && p.live == 0, "%sof the %d threads started "
                        "before it, %ld were joined and %ld not when it returned, and %ld allocations "
                        "were still live", p.when, k - 1, p.joins, p.unjoined, p.live);
        TL_ASSERT_FATAL(!p.on_caller && each_once(k - 1) && results_right(4, k - 1), "%s(%d threads had "
                        "started; did a task run on the calling thread?)", p.when, k - 1);
    }
}

static void stress(void)
{
    for (int round = 1; round <= 100; round++) {
        snprintf(p.when, sizeof p.when, "round %d of 100: ", round);
        run(MAXN, 0, round % MAXN, 0);
        TL_ASSERT_FATAL(p.rc == 0 && p.unjoined == 0, "%sit returned %d with %ld threads not joined",
                        p.when, p.rc, p.unjoined);
        TL_ASSERT_FATAL(each_once(MAXN) && results_right(MAXN, MAXN), "(8 tasks at once)");
    }
}

TL_CHECK_TABLE("lab00",
    {.name = "with no tasks it returns 0, starts no thread and never calls fn", .points = 1,
     .promises = "run_all_threaded.zero", .run = zero_tasks, .hints = {"n == 0 is a valid call",
     "the allocation at the top", "calloc(0, size) may return NULL, and that is no error"}},
    {.name = "every task runs on a thread of its own, all started before any is joined, all at once",
     .promises = "run_all_threaded.own_thread run_all_threaded.concurrent", .points = 3,
     .run = own_threads_at_once, .flags = TL_CHECK_RACES, .hints = {"the caller only starts and joins "
     "threads, and pthread_join waits until its thread has ended", "the loop that starts them: does "
     "every task get a pthread_create, and is there a join inside it?", "one loop starts them all, "
     "the next joins them"}},
    {.name = "every thread it started is joined with pthread_join, and what it allocated is freed",
     .promises = "run_all_threaded.joins run_all_threaded.frees", .points = 2, .run = joins,
     .flags = TL_CHECK_RACES, .hints = {"only pthread_join says a thread has ended", "the loop after "
     "the one that starts the threads, and every return", "keep each pthread_t, join each, then free"}},
    {.name = "each thread gets its own task, still intact when the thread reads it late", .points = 3,
     .promises = "run_all_threaded.own_argument", .run = own_argument, .flags = TL_CHECK_RACES,
     .hints = {"a thread may first read its argument long after pthread_create returned (the &i bug)",
     "the pointer each pthread_create is handed, and who writes there afterwards", "memory of its "
     "own per thread, filled in before it starts and left alone until it is joined"}},
    {.name = "results[i] holds task i's result and error, read only after its thread was joined",
     .promises = "run_all_threaded.results", .points = 3, .run = results_after_join,
     .flags = TL_CHECK_RACES, .hints = {"until pthread_join returns, the thread may not have written "
     "its result", "where results[] is filled in, and where the threads are joined", "join, then copy"}},
    {.name = "a failed pthread_create: no more threads, those started are joined, the error returned",
     .promises = "run_all_threaded.create_error", .points = 2, .run = create_error,
     .flags = TL_CHECK_RACES, .hints = {"a failed pthread_create started nothing: its pthread_t names "
     "nothing", "the loop's use of pthread_create's result, and what is joined after", "stop at the "
     "first failure, join those that did start, free, return the error"}},
    {.name = "100 rounds of 8 tasks: every task once, every result right, no data race", .points = 2,
     .promises = "run_all_threaded.race_free run_all_threaded.own_argument", .run = stress,
     .flags = TL_CHECK_RACES, .hints = {"a thread must not read what its starter still writes", "what "
     "a thread reads first, and whether the caller may be writing it at that moment", "hand each "
     "thread memory nobody else writes until it is joined"}});
