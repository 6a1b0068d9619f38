/* exercise_check.c — Step 5's bounded, counting run of run_all_threaded (exercise_check.h). */
#include "exercise_check.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bounded.h"
#include "check.h"
#include "clock.h"
#include "report.h"

enum { GUARDS = 4, GUARD_ID = 1000, GATE_MS = 500 };
static struct {
    long n;
    task_fn work;
    atomic_int calls[64], strays, arrived, running, max_running, finished;
} probe;

/* The work, after a bounded wait until every task has started: so it can count how many run
 * at once, and it reads its task only after the caller's loop is over. */
static void probed_work(const task *t, task_result *out)
{
    int now = atomic_fetch_add(&probe.running, 1) + 1, max = atomic_load(&probe.max_running);
    while (now > max && !atomic_compare_exchange_weak(&probe.max_running, &max, now)) {
    }
    atomic_fetch_add(&probe.arrived, 1);
    struct timespec gate = tl_deadline_monotonic(GATE_MS);
    while (atomic_load(&probe.arrived) < probe.n && tl_ms_until(gate) > 0)
        tl_sleep_ms(1);
    if (t->id >= 0 && t->id < probe.n)
        atomic_fetch_add(&probe.calls[t->id], 1);
    else
        atomic_fetch_add(&probe.strays, 1);
    probe.work(t, out);
    atomic_fetch_sub(&probe.running, 1);
    atomic_fetch_add(&probe.finished, 1);
}

typedef struct {
    task *tasks;
    task_result *results;
    size_t n;
    int rc, finished_at_return;
    double seconds;
    bool returned; /* within its bound, so a hang in the exercise cannot hang the lab */
} exercise_call;

static void call_exercise(void *arg)
{
    exercise_call *c = arg;
    tl_stopwatch sw = tl_stopwatch_start();
    c->rc = run_all_threaded(c->tasks, c->results, c->n, probed_work);
    c->seconds = tl_stopwatch_s(&sw);
    c->finished_at_return = atomic_load(&probe.finished);
}

/* Why the exercise is not done yet, in one sentence; NULL when it is. */
static const char *exercise_problem(exercise_call *c, char *why, size_t len)
{
    long n = (long)c->n, missing = -1, repeated = -1;
    if (!c->returned)
        return "run_all_threaded did not return within its bound: is a thread never joined?";
    if (c->finished_at_return < n)
        return "run_all_threaded returned before its threads had finished: join every one first";
    for (long id = 0; id < n; id++) {
        missing = missing < 0 && atomic_load(&probe.calls[id]) == 0 ? id : missing;
        repeated = repeated < 0 && atomic_load(&probe.calls[id]) > 1 ? id : repeated;
    }
    const char *amp_i = "every thread was given the address of the same variable, which the loop "
                        "kept changing (the &i bug)";
    if (missing >= 0 && repeated >= 0)
        snprintf(why, len, "task %ld ran 0 times and task %ld ran %d times: %s", missing, repeated,
                 atomic_load(&probe.calls[repeated]), amp_i);
    else if (atomic_load(&probe.strays) > 0)
        snprintf(why, len, "a thread was handed the entry past the end of tasks[]: %s", amp_i);
    else if (missing >= 0 || repeated >= 0)
        snprintf(why, len, "task %ld did not run exactly once: start one thread per task",
                 missing >= 0 ? missing : repeated);
    else if (c->rc != 0)
        snprintf(why, len, "run_all_threaded returned %d, expected 0", c->rc);
    else if (atomic_load(&probe.max_running) != n)
        snprintf(why, len, "at most %d of %ld tasks ran at the same time: start every thread before "
                 "joining any", atomic_load(&probe.max_running), n);
    for (long i = 0; i < n + GUARDS && why[0] == '\0'; i++) {
        task_result want = {-1, -1, -1}, got = c->results[i]; /* guards must stay untouched */
        if (i < n)
            probe.work(&(task){(int)i, 0, i == n - 1}, &want);
        if (got.task_id != want.task_id || got.value != want.value || got.error != want.error)
            snprintf(why, len, "results[%ld] = {task %d, value %ld, error %d}, expected {task %d, "
                     "value %ld, error %d}: %s", i, got.task_id, got.value, got.error, want.task_id,
                     want.value, want.error, i < n ? "read before the threads were joined?"
                                                   : "written past the end of results[]");
    }
    return why[0] != '\0' ? why : NULL;
}

double check_run_all_threaded(long n_tasks, long ms, task_fn work)
{
    size_t n = (size_t)n_tasks;
    exercise_call *c = tl_xcalloc(1, sizeof *c);
    c->tasks = tl_xcalloc(n + GUARDS, sizeof *c->tasks);
    c->results = tl_xcalloc(n + GUARDS, sizeof *c->results);
    c->n = n;
    for (size_t i = 0; i < n + GUARDS; i++) {
        c->tasks[i] = (task){i < n ? (int)i : GUARD_ID, (int)ms, i == n - 1};
        c->results[i] = (task_result){-1, -1, -1};
    }
    probe.n = n_tasks;
    probe.work = work;
    c->returned = tl_call_bounded(call_exercise, c, n_tasks * (GATE_MS + ms) + 3000);
    char why[512] = "";
    const char *problem = exercise_problem(c, why, sizeof why);
    if (problem == NULL)
        tl_verdict(TL_OK, "%ld tasks of %ld ms: each ran once, all %ld at the same time, results read "
                   "after join: %.2f s (the longest task, not the sum: %.2f s)", n_tasks, ms, n_tasks,
                   c->seconds, (double)(n_tasks * ms) / 1000);
    else
        tl_verdict(TL_TODO, "%s — run `make check-lab00`", problem);
    if (!c->returned)
        return -1; /* still inside the exercise: its memory is left alone */
    double seconds = c->seconds;
    if (c->finished_at_return < n_tasks)
        return seconds; /* its threads may still be running and using the arrays: leave them alone */
    free(c->tasks);
    free(c->results);
    free(c);
    return seconds;
}
