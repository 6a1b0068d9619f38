/* pool_demo.h — lab06 part B (Steps 3-5): a thread pool is workers on a queue.
 *
 * Runs the simulated I/O tasks of io_task.h one after another and through a common/pool.h pool:
 *   Step 3  one after another, then map() (results in submission order), and the time of each;
 *           prints the CSV rows `sequential,1,N,s,ideal` and `pool,W,N,s,ideal`.
 *   Step 4  submit() + as_completed() (completion order), one task's error on its own future.
 *   Step 5  cancel() every future while the first W tasks run: only the queued ones cancel.
 * Every wait is bounded. Reports through common/report.h, numbering steps from wherever the
 * caller left off.
 */
#ifndef LAB06_POOL_DEMO_H
#define LAB06_POOL_DEMO_H

#define POOL_DEMO_MAX_TASKS 200

typedef struct {
    int tasks;       /* 1..POOL_DEMO_MAX_TASKS */
    long workers;    /* the pool's threads */
    long latency_ms; /* the slowest task's latency (io_task_latency_ms) */
} pool_demo_config;

void pool_demo_run(const pool_demo_config *cfg);

#endif
