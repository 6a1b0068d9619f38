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
 * Post: fn was called exactly once for each task, with a pointer to that task (tasks[i]
 *       itself, or a copy of it owned by that one thread) and somewhere to write its result;
 *       every thread was started before any was joined, so all n calls could run at once;
 *       every thread has been joined before the function returns;
 *       results[i] holds what fn wrote for tasks[i];
 *       nothing outside tasks[0..n-1] and results[0..n-1] was read or written.
 * Returns 0, or the error number of a pthread_create that failed (the threads already
 *       started are joined first; the results of tasks that never ran are unspecified). */
int run_all_threaded(const task *tasks, task_result *results, size_t n, task_fn fn);

#endif
