/* exercise.c — YOUR part of lab00: run_all_threaded() (the contract is in exercise.h).
 *
 * As shipped it compiles, runs, and is wrong in the two ways the lab is about. Each place to
 * change is marked TODO(exercise). Check your work with `make check-lab00`; hints are in
 * README.md. */
#include "exercise.h"

#include <pthread.h>
#include <stdlib.h>

#include "check.h"

/* Everything one thread needs: its task, the work to do, and a place for its result
 * (the C form of a Python Thread subclass with .result and .error attributes). */
struct worker {
    task task;
    task_fn fn;
    task_result result;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->fn(&w->task, &w->result);
    return NULL;
}

int run_all_threaded(const task *tasks, task_result *results, size_t n, task_fn fn)
{
    pthread_t *threads = tl_xcalloc(n, sizeof *threads);

    /* TODO(exercise): this is ONE struct worker for all n threads. Every thread gets its
     * address, and the loop below overwrites it for the next task while the threads already
     * started have not looked yet (the `&i` bug): they all end up doing the last task.
     * Give each thread its own struct worker (an array of n of them) that nobody else
     * writes while the thread is running. */
    struct worker shared_worker = {0};

    size_t started = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        shared_worker.task = tasks[i];
        shared_worker.fn = fn;
        rc = pthread_create(&threads[i], NULL, worker_main, &shared_worker);
        if (rc != 0)
            break;
        started++;
    }

    /* TODO(exercise): the results are read here, while the threads may still be running and
     * have not written them yet. Join every thread first; only then read its result. */
    for (size_t i = 0; i < started; i++)
        results[i] = shared_worker.result;

    for (size_t i = 0; i < started; i++)
        TL_CHECK(pthread_join(threads[i], NULL));
    free(threads);
    return rc;
}
