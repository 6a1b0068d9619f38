/* bounded.c — threads waited for with a deadline, abandoned if they never return (bounded.h). */
#include "bounded.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

typedef struct {
    tl_bounded_group *group;
    tl_bounded_fn *fn;
    void *arg;
    pthread_t id;
    bool returned; /* guarded by group->lock */
    bool joinable; /* owned by tl_bounded_finish: the thread had returned by then */
} bounded_thread;

struct tl_bounded_group {
    pthread_mutex_t lock;
    pthread_cond_t a_thread_returned;
    int started, returned, max_threads;
    /* After tl_bounded_finish: the parties still using the group (the finisher while it joins,
     * each detached thread until it returns); the last one out frees it. Guarded by lock. */
    bool finished;
    int users;
    bounded_thread threads[];
};

tl_bounded_group *tl_bounded_group_new(int max_threads)
{
    if (max_threads < 1)
        TL_DIE("tl_bounded_group_new: max_threads must be at least 1, got %d", max_threads);
    tl_bounded_group *g = tl_xcalloc(1, sizeof *g + (size_t)max_threads * sizeof g->threads[0]);
    TL_CHECK(pthread_mutex_init(&g->lock, NULL));
    tl_cond_init_monotonic(&g->a_thread_returned);
    g->max_threads = max_threads;
    return g;
}

static void group_free(tl_bounded_group *g)
{
    TL_CHECK(pthread_cond_destroy(&g->a_thread_returned));
    TL_CHECK(pthread_mutex_destroy(&g->lock));
    free(g);
}

/* Called with g->lock held, by a party done with a finished group; true if it was the last. */
static bool last_user_leaves(tl_bounded_group *g)
{
    return --g->users == 0;
}

static void *bounded_main(void *arg)
{
    bounded_thread *t = arg;
    t->fn(t->arg);
    /* Marked under the lock, so whoever reads `returned` under it also sees what fn wrote. */
    tl_bounded_group *g = t->group;
    TL_CHECK(pthread_mutex_lock(&g->lock));
    t->returned = true;
    g->returned++;
    TL_CHECK(pthread_cond_broadcast(&g->a_thread_returned));
    bool free_it = g->finished && last_user_leaves(g); /* finished: this thread was detached */
    TL_CHECK(pthread_mutex_unlock(&g->lock));
    if (free_it)
        group_free(g);
    return NULL;
}

int tl_bounded_start(tl_bounded_group *g, tl_bounded_fn *fn, void *arg)
{
    if (g->started == g->max_threads)
        TL_DIE("tl_bounded_start: more than %d threads", g->max_threads);
    /* Only the owner starts threads and reads `started`, so it needs no lock. */
    int i = g->started;
    bounded_thread *t = &g->threads[i];
    *t = (bounded_thread){.group = g, .fn = fn, .arg = arg};
    TL_CHECK(pthread_create(&t->id, NULL, bounded_main, t));
    g->started++;
    return i;
}

bool tl_bounded_returned(tl_bounded_group *g, int i)
{
    TL_CHECK(pthread_mutex_lock(&g->lock));
    bool returned = i >= 0 && i < g->started && g->threads[i].returned;
    TL_CHECK(pthread_mutex_unlock(&g->lock));
    return returned;
}

int tl_bounded_returned_count(tl_bounded_group *g)
{
    TL_CHECK(pthread_mutex_lock(&g->lock));
    int n = g->returned;
    TL_CHECK(pthread_mutex_unlock(&g->lock));
    return n;
}

int tl_bounded_await(tl_bounded_group *g, int n, long timeout_ms)
{
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    TL_CHECK(pthread_mutex_lock(&g->lock));
    int rc = 0;
    while (g->returned < n && rc != ETIMEDOUT)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&g->a_thread_returned, &g->lock, &deadline),
                             ETIMEDOUT);
    int returned = g->returned;
    TL_CHECK(pthread_mutex_unlock(&g->lock));
    return returned;
}

bool tl_bounded_finish(tl_bounded_group *g)
{
    /* Each thread's fate is decided under the lock: one still running is detached now, and when
     * (if ever) it returns it finds `finished` set and leaves the group like the finisher does. */
    TL_CHECK(pthread_mutex_lock(&g->lock));
    int started = g->started;
    bool all = g->returned == started;
    g->finished = true;
    g->users = 1 + started - g->returned;
    for (int i = 0; i < started; i++) {
        g->threads[i].joinable = g->threads[i].returned;
        if (!g->threads[i].joinable)
            TL_CHECK(pthread_detach(g->threads[i].id));
    }
    TL_CHECK(pthread_mutex_unlock(&g->lock));
    /* Joined outside the lock: a thread that returned may still be on its way out of it. */
    for (int i = 0; i < started; i++) {
        if (g->threads[i].joinable)
            TL_CHECK(pthread_join(g->threads[i].id, NULL));
    }
    TL_CHECK(pthread_mutex_lock(&g->lock));
    bool free_it = last_user_leaves(g);
    TL_CHECK(pthread_mutex_unlock(&g->lock));
    if (free_it)
        group_free(g);
    return all;
}

bool tl_call_bounded(tl_bounded_fn *fn, void *arg, long timeout_ms)
{
    tl_bounded_group *g = tl_bounded_group_new(1);
    tl_bounded_start(g, fn, arg);
    tl_bounded_await(g, 1, timeout_ms);
    return tl_bounded_finish(g);
}
