#include "crowd.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

/* Thread creation is slow under valgrind and the sanitizers; the gate still has a bound. */
#define GATE_TIMEOUT_MS 60000L

/* The gate is a read-write lock the caller holds for writing while the crowd gathers. Each
 * member blocks taking it for reading; when the caller lets go, every reader is let in at once.
 * (A condition variable would let them out one by one, each re-taking the mutex, which spreads
 * the start over many context switches and narrows the overlap a race needs.) */
typedef struct {
    pthread_rwlock_t gate;
    pthread_mutex_t lock;       /* guards the counts below */
    pthread_cond_t main_wakeup; /* the caller waits here for arrivals and departures */
    int arrived, done;
    int64_t open_ns, last_done_ns;
    crowd_task task;
    void *arg;
} crowd;

/* With c->lock held: waits until *count reaches target; false if the deadline passes first. */
static bool wait_until(crowd *c, const int *count, int target, struct timespec deadline)
{
    while (*count < target)
        if (TL_CHECK_EXPECT(pthread_cond_timedwait(&c->main_wakeup, &c->lock, &deadline),
                            ETIMEDOUT) == ETIMEDOUT)
            return *count >= target;
    return true;
}

static void *crowd_member(void *arg)
{
    crowd *c = arg;
    TL_CHECK(pthread_mutex_lock(&c->lock));
    c->arrived++;
    TL_CHECK(pthread_cond_signal(&c->main_wakeup));
    TL_CHECK(pthread_mutex_unlock(&c->lock));
    /* Timed rwlock waits take a CLOCK_REALTIME deadline. */
    struct timespec give_up = tl_deadline_realtime(GATE_TIMEOUT_MS);
    if (TL_CHECK_EXPECT(pthread_rwlock_timedrdlock(&c->gate, &give_up), ETIMEDOUT) == ETIMEDOUT)
        TL_DIE("crowd: the start gate did not open within %ld s", GATE_TIMEOUT_MS / 1000);
    TL_CHECK(pthread_rwlock_unlock(&c->gate));

    c->task(c->arg);

    TL_CHECK(pthread_mutex_lock(&c->lock));
    c->done++;
    c->last_done_ns = tl_now_ns();
    TL_CHECK(pthread_cond_signal(&c->main_wakeup));
    TL_CHECK(pthread_mutex_unlock(&c->lock));
    return NULL;
}

crowd_result crowd_run(int threads, crowd_task task, void *arg, long timeout_ms)
{
    /* On the heap, not the stack: stragglers detached after a timeout still use it. */
    crowd *c = tl_xcalloc(1, sizeof *c);
    c->task = task;
    c->arg = arg;
    TL_CHECK(pthread_rwlock_init(&c->gate, NULL));
    TL_CHECK(pthread_rwlock_wrlock(&c->gate));
    TL_CHECK(pthread_mutex_init(&c->lock, NULL));
    tl_cond_init_monotonic(&c->main_wakeup);
    pthread_t *members = tl_xcalloc((size_t)threads, sizeof *members);
    for (int i = 0; i < threads; i++)
        TL_CHECK(pthread_create(&members[i], NULL, crowd_member, c));

    TL_CHECK(pthread_mutex_lock(&c->lock));
    if (!wait_until(c, &c->arrived, threads, tl_deadline_monotonic(GATE_TIMEOUT_MS)))
        TL_DIE("crowd: only %d of %d threads reached the start gate", c->arrived, threads);
    c->open_ns = tl_now_ns();
    TL_CHECK(pthread_rwlock_unlock(&c->gate));
    bool finished = wait_until(c, &c->done, threads, tl_deadline_monotonic(timeout_ms));
    crowd_result result = {finished, finished ? (double)(c->last_done_ns - c->open_ns) / 1e9 : 0};
    TL_CHECK(pthread_mutex_unlock(&c->lock));

    for (int i = 0; i < threads; i++)
        TL_CHECK(finished ? pthread_join(members[i], NULL) : pthread_detach(members[i]));
    free(members);
    if (finished) {
        TL_CHECK(pthread_cond_destroy(&c->main_wakeup));
        TL_CHECK(pthread_mutex_destroy(&c->lock));
        TL_CHECK(pthread_rwlock_destroy(&c->gate));
        free(c);
    }
    return result;
}
