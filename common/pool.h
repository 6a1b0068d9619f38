/* pool.h — a thread pool with futures: Python's concurrent.futures.ThreadPoolExecutor in C.
 *
 * A thread pool is workers on a queue (lab06's lesson, and literally how this one is built):
 * submit() wraps the call in a future and puts it on a tl_queue; each worker loops on
 * get -> run -> publish the result into the future. The future is the receipt: whoever holds
 * it can wait for the result, ask about the state, cancel it while it is still queued, or
 * have a callback run when it completes.
 *
 *     Python                                    threadlab
 *     ex = ThreadPoolExecutor(max_workers=4)    tl_pool *p = tl_pool_create(4);
 *     f = ex.submit(fn, arg)                    tl_future *f = tl_pool_submit(p, fn, arg, NULL);
 *     f.result(timeout=2)                       tl_future_result(f, 2000, &value)
 *     f.done() / running() / cancelled()        tl_future_done / _running / _cancelled
 *     f.cancel()                                tl_future_cancel(f)
 *     f.add_done_callback(cb)                   tl_future_add_done_callback(f, cb, context)
 *     (garbage collection)                      tl_future_free(f)
 *     list(ex.map(fn, args))                    tl_pool_map(p, fn, args, n, results, &failed)
 *     for f in as_completed(fs, timeout=5)      it = tl_as_completed_start(fs, n, 5000);
 *                                               while (tl_as_completed_next(it, &f) == TL_FUTURE_OK)
 *     wait(fs, timeout, return_when)            tl_futures_wait(fs, n, mode, timeout, done, ...)
 *     ex.shutdown(wait, cancel_futures)         tl_pool_shutdown(p, wait, cancel_pending)
 *     with ThreadPoolExecutor() as ex: ...      ... tl_pool_destroy(p)
 *
 * A task is `int task(void *arg, void **result)`: it returns a status — 0 for success, or a
 * POSITIVE error code of its choosing (errno values are a good choice) — and may store a
 * result through `result` (which starts as NULL). Status and result travel through the future
 * to whoever reads it, the C stand-in for an exception raised in a worker. Negative statuses
 * are reserved for the pool's own outcomes below; a task that returns one is a bug, and the
 * pool stops the program with a message saying so.
 *
 * The one rule: never block a pool's worker on work queued to the same pool. A task that
 * submits to its own pool and waits for that future occupies a worker while it waits; when
 * every worker does so, nobody is left to run the inner tasks (Python deadlocks forever
 * there). Here the wait can at least be bounded: tl_future_result with a timeout returns
 * TL_FUTURE_TIMEOUT instead of hanging. Use a second pool for the inner work, or restructure
 * (submit the follow-up from a done callback instead of waiting).
 *
 * Where C differs from Python, on purpose:
 *   - All `workers` threads start in tl_pool_create (Python starts them lazily on submit), so
 *     a pool's cost is paid up front and a demo can count its threads.
 *   - Futures are reference-counted: the caller releases its future with tl_future_free, and
 *     the pool keeps the future alive while the task is queued or running. A future may
 *     outlive its pool: after tl_pool_destroy every future the pool handed out is done
 *     (finished or cancelled), so reading it never blocks on a pool that is gone.
 *   - Arguments are freed for you only when the task never runs: destroy_arg(arg) is called
 *     exactly once if the task is cancelled or dropped by shutdown(cancel_pending). Once the
 *     task starts, `arg` belongs to the task (it may free it, or hand it back as the result).
 *   - tl_pool_map waits for the items already running before it returns (Python's generator
 *     leaves them running in the background), so args may live on the caller's stack.
 *   - Timeouts are milliseconds; timeout_ms <= 0 only looks, TL_FUTURE_FOREVER waits without
 *     limit (Python's timeout=None).
 *   - Destroying a pool that was not shut down waits for every queued task (Python's `with`
 *     block does the same); call tl_pool_shutdown(p, false, true) first to drop them.
 */
#ifndef TL_POOL_H
#define TL_POOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tl_pool tl_pool;
typedef struct tl_future tl_future;

/* The work: return 0 or a positive error code; optionally set *result (NULL on entry). */
typedef int (*tl_task_fn)(void *arg, void **result);

/* Frees the argument of a task that never ran. */
typedef void (*tl_arg_destroy_fn)(void *arg);

/* Called once when a future completes (finished or cancelled). */
typedef void (*tl_future_callback)(tl_future *future, void *context);

/* The pool's own outcomes, all negative so they never collide with a task's status. */
enum {
    TL_FUTURE_OK = 0,           /* success (the task returned 0; a wait's condition holds) */
    TL_FUTURE_CANCELLED = -1,   /* the task was cancelled before it started: no result */
    TL_FUTURE_TIMEOUT = -2,     /* the timeout passed first; the future is unaffected */
    TL_FUTURE_REJECTED = -3,    /* tl_pool_map: the pool was shut down, nothing more submitted */
    TL_AS_COMPLETED_END = -4,   /* tl_as_completed_next: every future has been returned */
};

/* "Wait without limit", for any timeout_ms in this header. */
#define TL_FUTURE_FOREVER LONG_MAX

/* ---- the pool ---- */

/* min(32, online CPUs + 4), Python's default since 3.8: at least 5 workers for I/O-bound
 * tasks (which mostly wait, so more threads than cores pay off), at most 32 so that a
 * many-core machine does not get hundreds of threads by surprise. */
size_t tl_pool_default_workers(void);

/* Starts a pool of `workers` threads (0 = tl_pool_default_workers()). Never returns NULL:
 * failing to start a thread is fatal, as every pthread error in this kit. Release it with
 * tl_pool_destroy. */
tl_pool *tl_pool_create(size_t workers);

/* How many worker threads the pool runs. */
size_t tl_pool_workers(const tl_pool *pool);

/* Queues fn(arg) and returns its future, which the caller owns and must tl_future_free.
 * NULL means the pool is shut down (the only reason: allocation failure is fatal); the task
 * is then not queued and the caller still owns arg (destroy_arg is not called).
 * destroy_arg (may be NULL) is called on arg if the task is cancelled or dropped before it
 * starts. Safe to call from any thread, including the pool's own tasks. */
tl_future *tl_pool_submit(tl_pool *pool, tl_task_fn fn, void *arg, tl_arg_destroy_fn destroy_arg);

/* Stops accepting work: every later submit returns NULL. Idempotent, and callable from any
 * thread; a later call may add what an earlier one did not (wait, or cancel_pending).
 *   cancel_pending: the tasks still queued are cancelled now (their destroy_arg and done
 *     callbacks run in this thread); otherwise the workers run them all before they exit.
 *     Running tasks are never interrupted.
 *   wait: returns only when every worker has exited (all remaining work done). A task must
 *     not call this with wait = true on its own pool: a worker cannot wait for itself, and
 *     the program stops with a message saying so. */
void tl_pool_shutdown(tl_pool *pool, bool wait, bool cancel_pending);

/* Shuts down (wait = true, keeping queued tasks unless an earlier shutdown cancelled them),
 * joins every worker — also after tl_pool_shutdown(wait = false) — and frees the pool.
 * Futures handed out stay valid; their owners still free them. Not from the pool's own tasks. */
void tl_pool_destroy(tl_pool *pool);

/* ---- futures ---- */

/* Waits up to timeout_ms (TL_FUTURE_FOREVER: no limit; <= 0: just looks) for the future to
 * complete. Returns the task's status (0 or its positive code), TL_FUTURE_CANCELLED, or
 * TL_FUTURE_TIMEOUT. *result (if result is not NULL) receives the task's result when the
 * task finished — also with an error status, if the task set one — and NULL otherwise. The
 * result belongs to the reader: the future never frees it. Can be called any number of times. */
int tl_future_result(tl_future *f, long timeout_ms, void **result);

/* Snapshots of the state: pending -> running -> finished, or pending -> cancelled. */
bool tl_future_done(tl_future *f);      /* finished or cancelled */
bool tl_future_running(tl_future *f);   /* a worker is running the task right now */
bool tl_future_cancelled(tl_future *f);

/* Cancels the task if it has not started: true when it is (now or already) cancelled, false
 * when it is running or finished (it will not be interrupted). On the transition, destroy_arg
 * and the done callbacks run in the calling thread before this returns. */
bool tl_future_cancel(tl_future *f);

/* Registers cb(f, context) to run once when f completes, in the thread that completes it
 * (the worker; or the thread that cancels it). If f is already done, cb runs at once in the
 * caller, before this returns. Callbacks run in the order they were added, without any lock
 * held, so they may call tl_future_result(f, 0, ...) or submit more work; they must not
 * block for long (they hold up a worker). */
void tl_future_add_done_callback(tl_future *f, tl_future_callback cb, void *context);

/* Releases the caller's reference. Allowed in any state: a pending or running task still
 * runs (freeing is not cancelling), but its result is then lost — cancel first, or free only
 * after reading a result that owns memory. NULL is ignored. */
void tl_future_free(tl_future *f);

/* ---- helpers over many futures ---- */

/* Runs fn(args[i]) for i in [0, n) on the pool and stores each result in results[i], in
 * submission order. Returns TL_FUTURE_OK when every task returned 0. Otherwise returns the
 * first failure in submission order — a task's status, TL_FUTURE_CANCELLED (cancelled by an
 * immediate shutdown meanwhile) or TL_FUTURE_REJECTED (the pool was shut down) — stores its
 * index in *failed_index (if not NULL), and cancels every later item still queued.
 * It returns only once no task of this call is running, so args may live on the stack.
 * results[i] receives the result of every item that finished (whatever its status) and NULL
 * for the others, so after a failure the caller can still free what was produced. The pool
 * does not own args (no destroy_arg). */
int tl_pool_map(tl_pool *pool, tl_task_fn fn, void *const args[], size_t n, void *results[],
                size_t *failed_index);

typedef enum {
    TL_FIRST_COMPLETED, /* return when any future completes (or is cancelled) */
    TL_FIRST_EXCEPTION, /* ... when any finishes with a non-zero status, or all have completed */
    TL_ALL_COMPLETED,   /* ... when all have completed */
} tl_wait_mode;

/* Waits (up to timeout_ms, or TL_FUTURE_FOREVER) until `mode` is satisfied, then splits the
 * futures into done[] and not_done[] (each listed once even if repeated in the input, in
 * input order; either array may be NULL, else it must have room for n). Returns TL_FUTURE_OK
 * when the condition holds for the sets returned, TL_FUTURE_TIMEOUT when it does not.
 * The futures must stay alive (not freed) during the call. */
int tl_futures_wait(tl_future *const futures[], size_t n, tl_wait_mode mode, long timeout_ms,
                    tl_future *done[], size_t *n_done, tl_future *not_done[], size_t *n_not_done);

/* as_completed: returns each distinct future once, in the order they complete (those already
 * done first), within one overall timeout counted from tl_as_completed_start.
 *
 *     tl_as_completed *it = tl_as_completed_start(fs, n, 5000);
 *     tl_future *f;
 *     int st;
 *     while ((st = tl_as_completed_next(it, &f)) == TL_FUTURE_OK)
 *         use(f);
 *     tl_as_completed_end(it);     // st is TL_AS_COMPLETED_END, or TL_FUTURE_TIMEOUT
 *
 * next returns TL_FUTURE_OK with *future set, TL_AS_COMPLETED_END once every future was
 * returned, or TL_FUTURE_TIMEOUT when the overall timeout passed first (a later call still
 * returns futures that completed since). The futures must stay alive until
 * tl_as_completed_end, which every start must be paired with. */
typedef struct tl_as_completed tl_as_completed;
tl_as_completed *tl_as_completed_start(tl_future *const futures[], size_t n, long timeout_ms);
int tl_as_completed_next(tl_as_completed *it, tl_future **future);
void tl_as_completed_end(tl_as_completed *it);

#endif
