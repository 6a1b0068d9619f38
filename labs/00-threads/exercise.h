/* exercise.h — lab00's exercise: run every task in a thread of its own, at the same time,
 * and collect each task's result (and error) after joining.
 *
 * This is the C form of Python's
 *
 *     threads = [Worker(task) for task in tasks]   # a Thread subclass with .result/.error
 *     for t in threads: t.start()
 *     for t in threads: t.join()
 *     results = [(t.result, t.error) for t in threads]
 *
 * and the two mistakes it is easy to make in C (see README.md):
 *   - handing every thread the address of ONE variable that the loop keeps changing
 *     (the `&i` bug): by the time a thread looks, the loop has moved on;
 *   - reading a thread's result before joining it: it may not have been written yet.
 */
#ifndef LAB00_EXERCISE_H
#define LAB00_EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

/* One unit of work, e.g. one fake download. */
typedef struct {
    int id;       /* 0..n-1: its index in the tasks array */
    int delay_ms; /* how long it takes */
    bool fail;    /* fail on purpose (to show how an error travels back) */
} task;

/* What one task produced. */
typedef struct {
    int task_id; /* the id of the task this result belongs to */
    long value;  /* e.g. bytes downloaded; meaningful when error == 0 */
    int error;   /* 0, or an errno value saying why the task failed */
} task_result;

/* The work itself: reads *t, fills in *out. Called once per task, from that task's thread.
 * It may block (sleep, wait for the other tasks); it never fails to return. */
typedef void (*task_fn)(const task *t, task_result *out);

/* Runs fn on every task, each in a thread of its own, all at the same time.
 *
 * Pre:  tasks[0..n-1] and results[0..n-1] exist (n may be 0); fn is not NULL.
 * Post, when it returns 0:
 *   - with n == 0 it starts no thread and never calls fn {run_all_threaded.zero}.
 *   - fn was called exactly once for each task, with a pointer to that task (tasks[i] itself,
 *     or a copy of it owned by that one thread) that still holds tasks[i] however late the
 *     thread first reads it, e.g. once every thread has started {run_all_threaded.own_argument}.
 *   - each call of fn ran in a thread of its own that run_all_threaded started for that task:
 *     never on the calling thread, never two tasks on one thread {run_all_threaded.own_thread}.
 *   - every thread was started before any was joined, so all n calls could run at the same
 *     time {run_all_threaded.concurrent}.
 *   - every thread it started was joined with pthread_join (not detached, not polled until a
 *     flag says it is done) before it returns {run_all_threaded.joins}.
 *   - results[i] holds what fn wrote for tasks[i], and nothing read it before that thread was
 *     joined; nothing outside tasks[0..n-1] and results[0..n-1] was read or written
 *     {run_all_threaded.results}.
 *   - no data race: nothing is touched by two of its threads, or by a thread and the caller,
 *     without pthread_create or pthread_join ordering the two {run_all_threaded.race_free}.
 *   - everything it allocated has been freed, on every return path {run_all_threaded.frees}.
 * Returns 0, or, when the pthread_create for tasks[k] fails, that call's error number: it then
 *       starts no thread for tasks[k..n-1] and never calls fn for them (not even on the calling
 *       thread), joins the k threads already started, leaves their results in results[0..k-1],
 *       frees what it allocated, and returns; results[k..n-1] are unspecified
 *       {run_all_threaded.create_error}.
 *       It returns ENOMEM, having started nothing, if it cannot allocate its bookkeeping; no
 *       check can make an allocation fail, so that promise is stated but not tested. */
int run_all_threaded(const task *tasks, task_result *results, size_t n, task_fn fn);

#endif
