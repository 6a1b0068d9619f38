/* exercise.c — YOUR part of lab00: run_all_threaded() (the contract is in exercise.h).
 *
 * As shipped it compiles, runs, and is wrong in the two ways the lab is about. Each place to
 * change is marked TODO(exercise). Check your work with `make check-lab00`; `make hint-lab00`
 * gives one more hint each time you run it. */
#include "exercise.h"

#include <errno.h>
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
    pthread_t *threads = calloc(n, sizeof *threads);
    if (threads == NULL && n > 0)
        return ENOMEM;

    /* TODO(exercise): every thread is handed the address of this one struct, and the loop
     * rewrites it for the next task while the threads already started may not have looked
     * at it yet (the `&i` bug). What does each thread need instead, and until when must
     * nobody else write it? */
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

    /* TODO(exercise): the results are copied here while the threads may still be running:
     * nothing says a thread has written its result yet. Which call does, and so must come
     * first? */
    for (size_t i = 0; i < started; i++)
        results[i] = shared_worker.result;

    for (size_t i = 0; i < started; i++)
        TL_CHECK(pthread_join(threads[i], NULL));
    free(threads);
    return rc;
}
