/* pool.c — see pool.h. Workers loop on a tl_queue of futures; each future carries its task,
 * a mutex + condvar for result(), a list of done callbacks and a list of "waiters" (the
 * wake-up channel of tl_futures_wait and tl_as_completed, which wait on many futures at once).
 * Lock order: a future's mutex, then a waiter's mutex — never the other way round. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "queue.h"

/* ---- waiters: one thread waiting for any of many futures ---- */

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    size_t completed, failed; /* futures watched that completed / finished with an error */
    tl_future **order;        /* completion order (as_completed), or NULL (wait) */
} waiter;

/* A waiter's entry in one future's list. */
typedef struct waiter_link {
    waiter *w;
    struct waiter_link *prev, *next;
    bool linked;
} waiter_link;

typedef struct callback_node {
    tl_future_callback fn;
    void *context;
    struct callback_node *next;
} callback_node;

typedef enum { PENDING, RUNNING, FINISHED, CANCELLED } future_state;

struct tl_future {
    pthread_mutex_t mutex;
    pthread_cond_t completed; /* broadcast once, when the state becomes FINISHED or CANCELLED */
    future_state state;
    int status;
    void *result;
    tl_task_fn fn;
    void *arg;
    tl_arg_destroy_fn destroy_arg;
    callback_node *callbacks, *callbacks_tail;
    waiter_link *waiters;
    atomic_int refs; /* the caller's, and the pool's while the task is queued or running */
};

struct tl_pool {
    tl_queue tasks; /* of tl_future *, unbounded: submit never blocks (as in Python) */
    size_t worker_count;
    pthread_t *workers;
    pthread_mutex_t join_mutex;
    pthread_cond_t joined;
    enum { WORKERS_RUNNING, WORKERS_JOINING, WORKERS_JOINED } join_state;
};

static bool is_done(future_state s)
{
    return s == FINISHED || s == CANCELLED;
}

static void waiter_init(waiter *w, tl_future **order)
{
    TL_CHECK(pthread_mutex_init(&w->mutex, NULL));
    tl_cond_init_monotonic(&w->cond);
    w->completed = w->failed = 0;
    w->order = order;
}

static void waiter_destroy(waiter *w)
{
    TL_CHECK(pthread_cond_destroy(&w->cond));
    TL_CHECK(pthread_mutex_destroy(&w->mutex));
}

/* Caller holds f->mutex. */
static void notify_waiter(waiter *w, tl_future *f)
{
    TL_CHECK(pthread_mutex_lock(&w->mutex));
    if (w->order != NULL)
        w->order[w->completed] = f;
    w->completed++;
    w->failed += f->state == FINISHED && f->status != 0;
    TL_CHECK(pthread_cond_signal(&w->cond)); /* only the waiter's owner sleeps on it */
    TL_CHECK(pthread_mutex_unlock(&w->mutex));
}

/* ---- one future ---- */

static tl_future *future_new(tl_task_fn fn, void *arg, tl_arg_destroy_fn destroy_arg)
{
    tl_future *f = tl_xcalloc(1, sizeof *f);
    TL_CHECK(pthread_mutex_init(&f->mutex, NULL));
    tl_cond_init_monotonic(&f->completed);
    f->state = PENDING;
    f->fn = fn;
    f->arg = arg;
    f->destroy_arg = destroy_arg;
    atomic_init(&f->refs, 2);
    return f;
}

static void future_release(tl_future *f)
{
    if (atomic_fetch_sub(&f->refs, 1) != 1)
        return;
    TL_CHECK(pthread_cond_destroy(&f->completed));
    TL_CHECK(pthread_mutex_destroy(&f->mutex));
    free(f);
}

/* Moves f to its final state and wakes everyone waiting for it. Caller holds f->mutex.
 * Returns the done callbacks, to be run after unlocking. */
static callback_node *complete_locked(tl_future *f, future_state state)
{
    f->state = state;
    TL_CHECK(pthread_cond_broadcast(&f->completed));
    for (waiter_link *l = f->waiters; l != NULL; l = l->next)
        notify_waiter(l->w, f);
    callback_node *callbacks = f->callbacks;
    f->callbacks = f->callbacks_tail = NULL;
    return callbacks;
}

static void run_callbacks(tl_future *f, callback_node *node)
{
    while (node != NULL) {
        callback_node *next = node->next;
        node->fn(f, node->context);
        free(node);
        node = next;
    }
}

/* PENDING -> CANCELLED; true if f is cancelled now or was already. */
static bool cancel_if_pending(tl_future *f)
{
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    if (f->state != PENDING) {
        bool cancelled = f->state == CANCELLED;
        TL_CHECK(pthread_mutex_unlock(&f->mutex));
        return cancelled;
    }
    f->status = TL_FUTURE_CANCELLED;
    callback_node *callbacks = complete_locked(f, CANCELLED);
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
    /* The task never runs, so nothing else touches arg: free it outside the lock. */
    if (f->destroy_arg != NULL)
        f->destroy_arg(f->arg);
    run_callbacks(f, callbacks);
    return true;
}

static void run_task(tl_future *f)
{
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    bool start = f->state == PENDING; /* else it was cancelled while queued */
    if (start)
        f->state = RUNNING;
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
    if (!start)
        return;
    void *result = NULL;
    int status = f->fn(f->arg, &result);
    if (status < 0)
        TL_DIE("a pool task returned %d: a task returns 0 or a positive error code (negative "
               "statuses are reserved for TL_FUTURE_CANCELLED, TL_FUTURE_TIMEOUT, ...)",
               status);
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    f->status = status;
    f->result = result;
    callback_node *callbacks = complete_locked(f, FINISHED);
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
    run_callbacks(f, callbacks);
}

/* ---- the pool ---- */

static void *worker_main(void *arg)
{
    tl_pool *pool = arg;
    void *item;
    /* SHUTDOWN comes once the queue is shut down and drained (or dropped): time to exit. */
    while (tl_queue_get(&pool->tasks, &item) == TL_QUEUE_OK) {
        run_task(item);
        future_release(item); /* the pool's reference */
    }
    return NULL;
}

/* The queue's free callback: a task dropped by an immediate shutdown is cancelled. */
static void drop_task(void *item)
{
    cancel_if_pending(item);
    future_release(item);
}

size_t tl_pool_default_workers(void)
{
    long cpus = 1;
#ifdef _SC_NPROCESSORS_ONLN
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    if (cpus < 1)
        cpus = 1;
    return cpus + 4 < 32 ? (size_t)cpus + 4 : 32;
}

tl_pool *tl_pool_create(size_t workers)
{
    tl_pool *pool = tl_xcalloc(1, sizeof *pool);
    pool->worker_count = workers ? workers : tl_pool_default_workers();
    tl_queue_init(&pool->tasks, 0, drop_task);
    TL_CHECK(pthread_mutex_init(&pool->join_mutex, NULL));
    TL_CHECK(pthread_cond_init(&pool->joined, NULL));
    pool->join_state = WORKERS_RUNNING;
    pool->workers = tl_xcalloc(pool->worker_count, sizeof *pool->workers);
    for (size_t i = 0; i < pool->worker_count; i++)
        TL_CHECK(pthread_create(&pool->workers[i], NULL, worker_main, pool));
    return pool;
}

size_t tl_pool_workers(const tl_pool *pool)
{
    return pool->worker_count;
}

tl_future *tl_pool_submit(tl_pool *pool, tl_task_fn fn, void *arg, tl_arg_destroy_fn destroy_arg)
{
    tl_future *f = future_new(fn, arg, destroy_arg);
    if (tl_queue_put(&pool->tasks, f) != TL_QUEUE_OK) {
        /* Shut down: never published, so both references are ours; arg stays the caller's. */
        future_release(f);
        future_release(f);
        return NULL;
    }
    return f;
}

/* Joins every worker exactly once, however many threads ask at the same time. */
static void join_workers(tl_pool *pool)
{
    pthread_t self = pthread_self();
    for (size_t i = 0; i < pool->worker_count; i++)
        if (pthread_equal(self, pool->workers[i]))
            TL_DIE("tl_pool_shutdown(wait = true) or tl_pool_destroy called from a task of the "
                   "same pool: a worker would wait for itself to exit");
    TL_CHECK(pthread_mutex_lock(&pool->join_mutex));
    while (pool->join_state == WORKERS_JOINING)
        TL_CHECK(pthread_cond_wait(&pool->joined, &pool->join_mutex));
    if (pool->join_state == WORKERS_RUNNING) {
        pool->join_state = WORKERS_JOINING;
        /* Joining can take as long as the remaining tasks: not with the mutex held. */
        TL_CHECK(pthread_mutex_unlock(&pool->join_mutex));
        for (size_t i = 0; i < pool->worker_count; i++)
            TL_CHECK(pthread_join(pool->workers[i], NULL));
        TL_CHECK(pthread_mutex_lock(&pool->join_mutex));
        pool->join_state = WORKERS_JOINED;
        TL_CHECK(pthread_cond_broadcast(&pool->joined));
    }
    TL_CHECK(pthread_mutex_unlock(&pool->join_mutex));
}

void tl_pool_shutdown(tl_pool *pool, bool wait, bool cancel_pending)
{
    /* Immediate: queued tasks go to drop_task (cancelled). Graceful: workers drain them. */
    tl_queue_shutdown(&pool->tasks, cancel_pending, NULL);
    if (wait)
        join_workers(pool);
}

void tl_pool_destroy(tl_pool *pool)
{
    tl_pool_shutdown(pool, true, false);
    tl_queue_destroy(&pool->tasks);
    TL_CHECK(pthread_cond_destroy(&pool->joined));
    TL_CHECK(pthread_mutex_destroy(&pool->join_mutex));
    free(pool->workers);
    free(pool);
}

/* ---- futures ---- */

int tl_future_result(tl_future *f, long timeout_ms, void **result)
{
    bool forever = timeout_ms == TL_FUTURE_FOREVER;
    struct timespec deadline = {0};
    if (!forever && timeout_ms > 0)
        deadline = tl_deadline_monotonic(timeout_ms);
    bool time_left = timeout_ms > 0;
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    while (!is_done(f->state) && time_left) {
        if (forever)
            TL_CHECK(pthread_cond_wait(&f->completed, &f->mutex));
        else
            time_left = TL_CHECK_EXPECT(pthread_cond_timedwait(&f->completed, &f->mutex, &deadline),
                                        ETIMEDOUT) == 0;
    }
    int status = f->state == FINISHED ? f->status
                 : f->state == CANCELLED ? TL_FUTURE_CANCELLED
                                         : TL_FUTURE_TIMEOUT;
    if (result != NULL)
        *result = f->state == FINISHED ? f->result : NULL;
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
    return status;
}

static future_state state_of(tl_future *f)
{
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    future_state s = f->state;
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
    return s;
}

bool tl_future_done(tl_future *f)
{
    return is_done(state_of(f));
}

bool tl_future_running(tl_future *f)
{
    return state_of(f) == RUNNING;
}

bool tl_future_cancelled(tl_future *f)
{
    return state_of(f) == CANCELLED;
}

bool tl_future_cancel(tl_future *f)
{
    return cancel_if_pending(f);
}

void tl_future_add_done_callback(tl_future *f, tl_future_callback cb, void *context)
{
    callback_node *node = tl_xmalloc(sizeof *node);
    *node = (callback_node){cb, context, NULL};
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    bool done = is_done(f->state);
    if (!done) {
        if (f->callbacks_tail != NULL)
            f->callbacks_tail->next = node;
        else
            f->callbacks = node;
        f->callbacks_tail = node;
    }
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
    if (done)
        run_callbacks(f, node);
}

void tl_future_free(tl_future *f)
{
    if (f != NULL)
        future_release(f);
}

/* ---- many futures ---- */

/* Registers w with f; if f is already done, counts it at once instead. */
static void watch(tl_future *f, waiter_link *link, waiter *w)
{
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    link->w = w;
    link->prev = NULL;
    link->linked = !is_done(f->state);
    if (link->linked) {
        link->next = f->waiters;
        if (f->waiters != NULL)
            f->waiters->prev = link;
        f->waiters = link;
    } else {
        notify_waiter(w, f);
    }
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
}

static void unwatch(tl_future *f, waiter_link *link)
{
    TL_CHECK(pthread_mutex_lock(&f->mutex));
    if (link->linked) {
        if (link->prev != NULL)
            link->prev->next = link->next;
        else
            f->waiters = link->next;
        if (link->next != NULL)
            link->next->prev = link->prev;
        link->linked = false;
    }
    TL_CHECK(pthread_mutex_unlock(&f->mutex));
}

typedef struct {
    uintptr_t key;
    size_t index;
} keyed_future;

static int compare_keyed(const void *a, const void *b)
{
    const keyed_future *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Copies futures[] to out[] without repeats, keeping first occurrences in input order (Python
 * uses a set). Returns how many are left. */
static size_t distinct_futures(const char *caller, tl_future *const futures[], size_t n,
                               tl_future **out)
{
    keyed_future *keyed = tl_xcalloc(n, sizeof *keyed);
    bool *repeat = tl_xcalloc(n, sizeof *repeat);
    for (size_t i = 0; i < n; i++) {
        if (futures[i] == NULL)
            TL_DIE("%s: futures[%zu] is NULL (did tl_pool_submit return NULL because the pool "
                   "was shut down?)",
                   caller, i);
        keyed[i] = (keyed_future){(uintptr_t)futures[i], i};
    }
    qsort(keyed, n, sizeof *keyed, compare_keyed);
    for (size_t i = 1; i < n; i++)
        if (keyed[i].key == keyed[i - 1].key)
            repeat[keyed[i].index] = true;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!repeat[i])
            out[m++] = futures[i];
    free(repeat);
    free(keyed);
    return m;
}

static bool wait_satisfied(tl_wait_mode mode, size_t completed, size_t failed, size_t total)
{
    switch (mode) {
    case TL_FIRST_COMPLETED:
        return completed > 0 || total == 0;
    case TL_FIRST_EXCEPTION:
        return failed > 0 || completed == total;
    case TL_ALL_COMPLETED:
        break;
    }
    return completed == total;
}

/* Waits on w's condvar; false once the deadline (NULL: none) has passed. Caller holds w->mutex. */
static bool waiter_sleep(waiter *w, const struct timespec *deadline)
{
    if (deadline == NULL) {
        TL_CHECK(pthread_cond_wait(&w->cond, &w->mutex));
        return true;
    }
    return TL_CHECK_EXPECT(pthread_cond_timedwait(&w->cond, &w->mutex, deadline), ETIMEDOUT) == 0;
}

int tl_futures_wait(tl_future *const futures[], size_t n, tl_wait_mode mode, long timeout_ms,
                    tl_future *done[], size_t *n_done, tl_future *not_done[], size_t *n_not_done)
{
    struct timespec deadline = {0};
    bool forever = timeout_ms == TL_FUTURE_FOREVER;
    if (!forever)
        deadline = tl_deadline_monotonic(timeout_ms);
    tl_future **distinct = tl_xcalloc(n, sizeof *distinct);
    size_t m = distinct_futures("tl_futures_wait", futures, n, distinct);
    waiter_link *links = tl_xcalloc(m, sizeof *links);
    waiter w;
    waiter_init(&w, NULL);
    for (size_t i = 0; i < m; i++)
        watch(distinct[i], &links[i], &w);

    TL_CHECK(pthread_mutex_lock(&w.mutex));
    bool time_left = timeout_ms > 0;
    while (!wait_satisfied(mode, w.completed, w.failed, m) && time_left)
        time_left = waiter_sleep(&w, forever ? NULL : &deadline);
    TL_CHECK(pthread_mutex_unlock(&w.mutex));
    for (size_t i = 0; i < m; i++)
        unwatch(distinct[i], &links[i]);

    /* The sets reflect the states now (a future may have completed since the wake-up). */
    size_t d = 0, nd = 0, failed = 0;
    for (size_t i = 0; i < m; i++) {
        tl_future *f = distinct[i];
        TL_CHECK(pthread_mutex_lock(&f->mutex));
        bool is_complete = is_done(f->state);
        failed += f->state == FINISHED && f->status != 0;
        TL_CHECK(pthread_mutex_unlock(&f->mutex));
        if (is_complete) {
            if (done != NULL)
                done[d] = f;
            d++;
        } else {
            if (not_done != NULL)
                not_done[nd] = f;
            nd++;
        }
    }
    if (n_done != NULL)
        *n_done = d;
    if (n_not_done != NULL)
        *n_not_done = nd;
    waiter_destroy(&w);
    free(links);
    free(distinct);
    return wait_satisfied(mode, d, failed, m) ? TL_FUTURE_OK : TL_FUTURE_TIMEOUT;
}

struct tl_as_completed {
    waiter w;
    tl_future **distinct;
    tl_future **order; /* filled by the futures as they complete */
    waiter_link *links;
    size_t count, returned;
    bool forever;
    struct timespec deadline;
};

tl_as_completed *tl_as_completed_start(tl_future *const futures[], size_t n, long timeout_ms)
{
    tl_as_completed *it = tl_xcalloc(1, sizeof *it);
    it->forever = timeout_ms == TL_FUTURE_FOREVER;
    if (!it->forever)
        it->deadline = tl_deadline_monotonic(timeout_ms);
    it->distinct = tl_xcalloc(n, sizeof *it->distinct);
    it->count = distinct_futures("tl_as_completed_start", futures, n, it->distinct);
    it->order = tl_xcalloc(it->count, sizeof *it->order);
    it->links = tl_xcalloc(it->count, sizeof *it->links);
    waiter_init(&it->w, it->order);
    /* Futures already done are recorded first, in input order, as Python yields them. */
    for (size_t i = 0; i < it->count; i++)
        watch(it->distinct[i], &it->links[i], &it->w);
    return it;
}

int tl_as_completed_next(tl_as_completed *it, tl_future **future)
{
    if (it->returned == it->count)
        return TL_AS_COMPLETED_END;
    int status = TL_FUTURE_OK;
    bool time_left = true;
    TL_CHECK(pthread_mutex_lock(&it->w.mutex));
    while (it->w.completed == it->returned) {
        if (!time_left) {
            status = TL_FUTURE_TIMEOUT;
            break;
        }
        time_left = waiter_sleep(&it->w, it->forever ? NULL : &it->deadline);
    }
    if (status == TL_FUTURE_OK)
        *future = it->order[it->returned++];
    TL_CHECK(pthread_mutex_unlock(&it->w.mutex));
    return status;
}

void tl_as_completed_end(tl_as_completed *it)
{
    for (size_t i = 0; i < it->count; i++)
        unwatch(it->distinct[i], &it->links[i]);
    waiter_destroy(&it->w);
    free(it->links);
    free(it->order);
    free(it->distinct);
    free(it);
}

/* ---- map ---- */

int tl_pool_map(tl_pool *pool, tl_task_fn fn, void *const args[], size_t n, void *results[],
                size_t *failed_index)
{
    tl_future **futures = tl_xcalloc(n, sizeof *futures);
    size_t submitted = 0;
    for (; submitted < n; submitted++) {
        futures[submitted] = tl_pool_submit(pool, fn, args[submitted], NULL);
        if (futures[submitted] == NULL)
            break; /* shut down: the items already submitted still count */
    }

    int first_failure = TL_FUTURE_OK;
    size_t first_index = 0;
    for (size_t i = 0; i < submitted; i++) {
        /* Waits also for items already running after a failure: none outlives this call. */
        int status = tl_future_result(futures[i], TL_FUTURE_FOREVER, &results[i]);
        if (status != TL_FUTURE_OK && first_failure == TL_FUTURE_OK) {
            first_failure = status;
            first_index = i;
            for (size_t j = i + 1; j < submitted; j++)
                tl_future_cancel(futures[j]);
        }
        tl_future_free(futures[i]);
    }
    for (size_t i = submitted; i < n; i++)
        results[i] = NULL;
    if (submitted < n && first_failure == TL_FUTURE_OK) {
        first_failure = TL_FUTURE_REJECTED;
        first_index = submitted;
    }
    free(futures);
    if (first_failure != TL_FUTURE_OK && failed_index != NULL)
        *failed_index = first_index;
    return first_failure;
}
