/* Breaks {run_all_threaded.create_error}: when a pthread_create fails it frees and returns at once, leaving the threads already started unjoined. */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

/* Everything one thread needs: its task, the work to do, and a place for its result
 * (the C form of a Python Thread subclass with .result and .error attributes). */
struct worker {
    pthread_t thread;
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
    /* One struct per thread, filled in BEFORE its thread starts and never written by this
     * loop again: a thread may first look at its argument long after pthread_create has
     * returned, so what it points to must stay put until the thread is joined. (Passing &i,
     * or one struct reused for every thread, hands them all a moving target.) */
    struct worker *workers = calloc(n, sizeof *workers);
    if (workers == NULL && n > 0)
        return ENOMEM;

    /* Start them all first, then join: a join inside this loop would wait for each task
     * before starting the next, and the threads would run one after another. */
    size_t started = 0;
    int rc = 0;
    while (started < n) {
        struct worker *w = &workers[started];
        w->task = tasks[started];
        w->fn = fn;
        rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0) {
            free(workers);
            return rc;
        }
        started++;
    }

    /* pthread_join is what makes a thread's writes visible here: only after it returns is
     * workers[i].result complete (and no longer being written). Join exactly the threads that
     * were started: a pthread_t that pthread_create failed to fill in names no thread. */
    for (size_t i = 0; i < started; i++)
        TL_CHECK(pthread_join(workers[i].thread, NULL));
    for (size_t i = 0; i < started; i++)
        results[i] = workers[i].result;

    free(workers);
    return rc;
}
