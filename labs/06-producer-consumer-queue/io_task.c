/* io_task.c — lab06 part B's simulated I/O task; see io_task.h. */
#include "io_task.h"

#include <stdio.h>

#include "clock.h"

long io_task_latency_ms(int index, long slowest_ms)
{
    /* (7i + 3) mod 10 visits every digit once per 10 tasks: quick and slow tasks alternate, so
     * tasks finish in an order quite unlike the order they were submitted in. */
    long tenths = 1 + (7L * index + 3) % 10;
    return slowest_ms * tenths / 10;
}

void io_tasks_reset(io_task *tasks, int n, long slowest_ms, atomic_int *finished_so_far)
{
    atomic_store(finished_so_far, 0);
    for (int i = 0; i < n; i++) {
        tasks[i] = (io_task){.index = i, .latency_ms = io_task_latency_ms(i, slowest_ms),
                             .finished_so_far = finished_so_far};
        atomic_init(&tasks[i].started, false);
    }
}

int io_task_run(void *arg, void **result)
{
    io_task *t = arg;
    atomic_store(&t->started, true);
    if (t->gate != NULL)
        (void)tl_event_wait_ms(t->gate, IO_TASK_GATE_BOUND_MS);
    else
        tl_sleep_ms(t->latency_ms);
    t->finish_rank = atomic_fetch_add(t->finished_so_far, 1) + 1;
    *result = t;
    return t->fail_with;
}

double io_tasks_sum_s(const io_task *tasks, int n)
{
    long ms = 0;
    for (int i = 0; i < n; i++)
        ms += tasks[i].latency_ms;
    return (double)ms / 1e3;
}

double io_tasks_ideal_s(const io_task *tasks, int n, long workers)
{
    long longest = 0;
    for (int i = 0; i < n; i++)
        longest = tasks[i].latency_ms > longest ? tasks[i].latency_ms : longest;
    double spread = io_tasks_sum_s(tasks, n) / (double)workers;
    return spread > (double)longest / 1e3 ? spread : (double)longest / 1e3;
}

void io_format_indices(char *buf, size_t len, const int *indices, int n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        char one[16];
        int w = snprintf(one, sizeof one, "%s%d", i ? " " : "", indices[i]);
        if (used + (size_t)w + 5 > len) { /* keep room for " ..." and the NUL */
            snprintf(buf + used, len - used, " ...");
            return;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s", one);
    }
}

void io_tasks_finish_order(const io_task *tasks, int n, int *order)
{
    int placed = 0;
    for (int rank = 1; rank <= n; rank++)
        for (int i = 0; i < n; i++)
            if (tasks[i].finish_rank == rank)
                order[placed++] = i;
    for (int i = 0; i < n && placed < n; i++) /* tasks that never finished go last */
        if (tasks[i].finish_rank == 0)
            order[placed++] = i;
}
