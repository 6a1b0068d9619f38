/* Breaks {run_all_threaded.results}: reads each result once a plain done flag says so, before joining (and the flag is a data race). */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <stdlib.h>

#include "check.h"

/* Everything one thread needs: its task, the work to do, and a place for its result
 * (the C form of a Python Thread subclass with .result and .error attributes). */
struct worker {
    pthread_t thread;
    task task;
    task_fn fn;
    task_result result;
    volatile bool done;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->fn(&w->task, &w->result);
    w->done = true;
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
        if (rc != 0)
            break; /* the contract: start no more, join those already started, report the error */
        started++;
    }

    /* pthread_join is what makes a thread's writes visible here: only after it returns is
     * workers[i].result complete (and no longer being written). Join exactly the threads that
     * were started: a pthread_t that pthread_create failed to fill in names no thread. */
    for (size_t i = 0; i < started; i++) {
        while (!workers[i].done) /* its result is there once it says it is done */
            nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
        results[i] = workers[i].result;
    }
    for (size_t i = 0; i < started; i++)
        TL_CHECK(pthread_join(workers[i].thread, NULL));

    free(workers);
    return rc;
}
