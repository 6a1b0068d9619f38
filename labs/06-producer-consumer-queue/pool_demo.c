/* pool_demo.c — lab06 part B: a thread pool is workers on a queue; see pool_demo.h. */
#include "pool_demo.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "event.h"
#include "io_task.h"
#include "pool.h"
#include "report.h"

#define MAX_TASKS POOL_DEMO_MAX_TASKS
#define BOUND_MS 5000L /* added to every wait's expected length: the demo never hangs */

static long workers, latency_ms;

static io_task io[MAX_TASKS];
static atomic_int finished_so_far;

static void say_indices(const char *label, const int *indices, int n)
{
    char text[640];
    io_format_indices(text, sizeof text, indices, n);
    tl_say("%-31s %s", label, text);
}

static void step_map(tl_pool *pool, int n)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN), python_default = cores + 4 < 32 ? cores + 4 : 32;
    tl_step("%d simulated I/O tasks (%ld to %ld ms each): one after another, then map() on a pool "
            "of %ld workers", n, latency_ms / 10, latency_ms, workers);
    tl_say("A pool is workers on a queue: submit() puts the call, wrapped in a future, on a "
           "tl_queue; each worker loops get -> run -> store the result in the future.");
    tl_verdict(TL_INFO, "default pool size here = %zu (expected min(32, %ld cores + 4) = %ld: "
               "I/O-bound tasks mostly wait, so more threads than cores pay off; the cap keeps a "
               "big machine from starting hundreds)", tl_pool_default_workers(), cores, python_default);
    io_tasks_reset(io, n, latency_ms, &finished_so_far);
    tl_stopwatch clock = tl_stopwatch_start();
    for (int i = 0; i < n; i++) {
        void *ignored;
        (void)io_task_run(&io[i], &ignored);
    }
    double sequential_s = tl_stopwatch_s(&clock), sum_s = io_tasks_sum_s(io, n);
    tl_csv_row("sequential,1,%d,%.4f,%.4f", n, sequential_s, sum_s);

    io_tasks_reset(io, n, latency_ms, &finished_so_far);
    void *args[MAX_TASKS], *results[MAX_TASKS];
    for (int i = 0; i < n; i++)
        args[i] = &io[i];
    clock = tl_stopwatch_start();
    int status = tl_pool_map(pool, io_task_run, args, (size_t)n, results, NULL);
    double pool_s = tl_stopwatch_s(&clock), ideal_s = io_tasks_ideal_s(io, n, workers);
    tl_csv_row("pool,%ld,%d,%.4f,%.4f", workers, n, pool_s, ideal_s);
    int in_order = 0, got[MAX_TASKS], finished[MAX_TASKS];
    for (int i = 0; i < n; i++) {
        got[i] = results[i] != NULL ? ((io_task *)results[i])->index : -1;
        in_order += got[i] == i;
    }
    io_tasks_finish_order(io, n, finished);
    say_indices("map() returned the results of", got, n);
    say_indices("while the tasks finished as", finished, n);
    tl_expect(status == TL_FUTURE_OK && in_order == n, TL_FAIL, "map() results in submission order "
              "= %d of %d (expected %d, whatever order the tasks finished in)", in_order, n, n);
    tl_verdict(TL_INFO, "one after another: %.2f s (expected about %.2f s, the sum of the latencies)",
               sequential_s, sum_s);
    tl_verdict(pool_s < sequential_s || workers == 1 || n == 1 ? TL_INFO : TL_WARN, "pool of %ld: "
               "%.2f s, %.1fx faster (expected about %.2f s = max(sum / %ld, longest task)%s)",
               workers, pool_s, sequential_s / pool_s, ideal_s, workers,
               pool_s < sequential_s || workers == 1 || n == 1 ? "" : "; a busy machine?");
}

static void step_as_completed(tl_pool *pool, int n)
{
    int fail_at = n / 2, completed[MAX_TASKS], submitted[MAX_TASKS], count = 0, errors = 0;
    int failed_index = -1, failed_status = 0;
    tl_step("submit() each task, then take the futures as_completed(); task %d fails", fail_at);
    io_tasks_reset(io, n, latency_ms, &finished_so_far);
    io[fail_at].fail_with = ECONNRESET; /* its "server" hung up */
    tl_future *futures[MAX_TASKS];
    for (int i = 0; i < n; i++) {
        futures[i] = tl_pool_submit(pool, io_task_run, &io[i], NULL); /* never NULL: not shut down */
        submitted[i] = i;
    }
    tl_as_completed *it = tl_as_completed_start(futures, (size_t)n,
                                                (long)(io_tasks_sum_s(io, n) * 1e3) + BOUND_MS);
    tl_future *f;
    while (tl_as_completed_next(it, &f) == TL_FUTURE_OK) {
        void *result = NULL;
        int status = tl_future_result(f, 0, &result); /* done: returns at once */
        completed[count++] = result != NULL ? ((io_task *)result)->index : -1;
        if (status != 0) {
            errors++;
            failed_index = completed[count - 1];
            failed_status = status;
            tl_say("task %d's future: error %s (%s); its result still says which task it was",
                   failed_index, status == ECONNRESET ? "ECONNRESET" : "(unexpected)",
                   status > 0 ? strerror(status) : "the pool's own outcome");
        }
    }
    tl_as_completed_end(it);
    for (int i = 0; i < n; i++)
        tl_future_free(futures[i]);
    say_indices("submitted", submitted, n);
    say_indices("as_completed() handed back", completed, count);
    int moved = 0;
    for (int i = 0; i < count; i++)
        moved += completed[i] != i;
    tl_expect(count == n, TL_FAIL, "futures as_completed() handed back = %d (expected %d, each once)",
              count, n);
    tl_expect(moved > 0 || n == 1, TL_WARN, "tasks that completed out of submission order = %d of "
              "%d (expected most: the quick ones finish first, wherever they were in line%s)", moved,
              n, moved > 0 || n == 1 ? "" : "; a very busy machine?");
    tl_expect(errors == 1 && failed_index == fail_at && failed_status == ECONNRESET, TL_FAIL,
              "futures with an error = %d, task %d's (expected 1, task %d's ECONNRESET, on its own "
              "future; the other %d returned results)", errors, failed_index, fail_at, n - 1);
}

static int count_started(int n)
{
    int started = 0;
    for (int i = 0; i < n; i++)
        started += atomic_load(&io[i].started);
    return started;
}

static void step_cancel(tl_pool *pool, int n)
{
    int running = n < workers ? n : (int)workers, cancelled = 0, refused = 0, ran = 0;
    tl_step("submit() %d tasks that wait for a gate; cancel() every future while %d of them run", n,
            running);
    tl_event gate;
    tl_event_init(&gate);
    io_tasks_reset(io, n, latency_ms, &finished_so_far);
    tl_future *futures[MAX_TASKS];
    for (int i = 0; i < n; i++) {
        io[i].gate = &gate;
        futures[i] = tl_pool_submit(pool, io_task_run, &io[i], NULL);
    }
    struct timespec deadline = tl_deadline_monotonic(BOUND_MS);
    while (count_started(n) < running && tl_ms_until(deadline) > 0)
        tl_sleep_ms(1); /* then every worker is busy, and the rest wait in the pool's queue */
    for (int i = 0; i < n; i++) {
        if (tl_future_cancel(futures[i]))
            cancelled++;
        else
            refused++;
    }
    tl_event_set(&gate); /* the running tasks end; the cancelled ones never start */
    (void)tl_futures_wait(futures, (size_t)n, TL_ALL_COMPLETED, IO_TASK_GATE_BOUND_MS + BOUND_MS,
                          NULL, NULL, NULL, NULL);
    ran = count_started(n);
    for (int i = 0; i < n; i++)
        tl_future_free(futures[i]);
    tl_event_destroy(&gate);
    tl_expect(cancelled == n - running && refused == running && ran == running, TL_FAIL,
              "cancel(): %d pending futures cancelled, %d running ones refused; tasks that ran = %d "
              "(expected %d, %d and %d: only work still in the queue can be cancelled)", cancelled,
              refused, ran, n - running, running, running);
}

void pool_demo_run(const pool_demo_config *cfg)
{
    workers = cfg->workers;
    latency_ms = cfg->latency_ms;
    tl_pool *pool = tl_pool_create((size_t)workers);
    step_map(pool, cfg->tasks);
    step_as_completed(pool, cfg->tasks);
    step_cancel(pool, cfg->tasks);
    tl_pool_destroy(pool);
}
