/* io_task.h — lab06 part B's simulated I/O task: it "waits for a server" (sleeps) for a latency
 * taken from a fixed pattern, so every run has the same mix of quick and slow tasks, and the
 * pool's timings and orders can be compared with running the same tasks one after another.
 *
 * An io_task is the argument of io_task_run, a tl_task_fn (common/pool.h): it returns 0 or the
 * task's error code, and hands back the task itself as its result, so whoever reads a future
 * knows which task it was. It records the order in which tasks finished.
 */
#ifndef LAB06_IO_TASK_H
#define LAB06_IO_TASK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "event.h"

typedef struct {
    int index;          /* submission order, from 0 */
    long latency_ms;    /* how long the "server" takes to answer */
    int fail_with;      /* 0, or the error code (an errno value) this task reports */
    tl_event *gate;     /* NULL, or: wait for this event instead of sleeping (bounded) */
    atomic_int *finished_so_far; /* shared by a batch: numbers each task as it finishes */
    atomic_bool started;
    int finish_rank;    /* 1 = finished first in its batch; 0 = never finished */
} io_task;

/* The latency of task `index`: 10% to 100% of slowest_ms, in a fixed shuffled pattern that
 * repeats every 10 tasks (40%, 10%, 80%, 50%, 20%, 90%, 60%, 30%, 100%, 70%). */
long io_task_latency_ms(int index, long slowest_ms);

/* Prepares a batch of n tasks for a new run: latencies from the pattern, no failure, no gate,
 * nothing started or finished. */
void io_tasks_reset(io_task *tasks, int n, long slowest_ms, atomic_int *finished_so_far);

/* The task (a tl_task_fn): waits its latency (or for its gate, at most gate_bound_ms), then
 * returns fail_with, with the task itself as the result either way. */
int io_task_run(void *arg, void **result);

/* How long a gated task waits for its gate at most: the demo never hangs. */
#define IO_TASK_GATE_BOUND_MS 5000L

/* Sum of the latencies, the longest one, and the ideal time on `workers` threads:
 * max(sum / workers, longest) — the work spread evenly, but no task split. */
double io_tasks_sum_s(const io_task *tasks, int n);
double io_tasks_ideal_s(const io_task *tasks, int n, long workers);

/* "1 4 0 3 ..." of up to n indices into buf (cut with "..." when it does not fit). */
void io_format_indices(char *buf, size_t len, const int *indices, int n);

/* The task indices in the order they finished (by finish_rank), into order[0..n). */
void io_tasks_finish_order(const io_task *tasks, int n, int *order);

#endif
