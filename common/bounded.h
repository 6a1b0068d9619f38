/* bounded.h — run code that may never return (a student's unfinished lock, say) on threads of
 * their own, and wait for them with a deadline, so a hang is reported instead of hanging the
 * lab or the grader.
 *
 * pthread_join cannot time out, so each thread marks itself returned under a mutex and signals a
 * condition variable (on the monotonic clock); the waiter waits for that with a deadline, then
 * joins the threads that returned and detaches the ones that did not.
 *
 * THE RULE for a thread that did not return: its argument, and everything its function may still
 * touch (the lock under test, result fields, the arrays it was handed), must be LEAKED — never
 * freed, never reused, never on the caller's stack. A thread stuck inside a broken lock cannot
 * be stopped safely: pthread_cancel would leave that lock, and anything it guards, in whatever
 * half-updated state the thread was in, and student code has no cancellation cleanup. So the
 * thread is left running, detached, and the process's exit ends it. (The group's own memory is
 * not the caller's worry: a stuck thread frees it if it ever returns.)
 *
 *     if (!tl_call_bounded(check_body, world, 2000))
 *         return report_hang();   // world stays allocated: the stuck thread may still use it
 *     free(world);
 */
#ifndef TL_BOUNDED_H
#define TL_BOUNDED_H

#include <stdbool.h>

typedef void tl_bounded_fn(void *arg);

/* Runs fn(arg) on a new thread and waits at most timeout_ms for it. True: it returned and the
 * thread is joined (everything fn wrote is visible). False: the thread is detached, still
 * running, and arg must be leaked (see THE RULE above). */
bool tl_call_bounded(tl_bounded_fn *fn, void *arg, long timeout_ms);

/* Several such threads, started one by one and waited for together. */
typedef struct tl_bounded_group tl_bounded_group;

/* A group for at most max_threads threads. */
tl_bounded_group *tl_bounded_group_new(int max_threads);

/* Starts fn(arg) on a new thread of the group; returns its index (0, 1, ... in start order). */
int tl_bounded_start(tl_bounded_group *g, tl_bounded_fn *fn, void *arg);

/* Whether thread i has returned; once true, everything its function wrote is visible. */
bool tl_bounded_returned(tl_bounded_group *g, int i);

/* How many of the group's threads have returned so far. */
int tl_bounded_returned_count(tl_bounded_group *g);

/* Waits until at least n threads have returned or timeout_ms pass; returns how many had. */
int tl_bounded_await(tl_bounded_group *g, int n, long timeout_ms);

/* Ends the group without waiting: joins every thread that returned and detaches the rest; the
 * group must not be used again. True when all had returned: the caller may free the arguments.
 * False: every argument a stuck thread may touch must be leaked (THE RULE above). */
bool tl_bounded_finish(tl_bounded_group *g);

#endif
