/* sem_check.c — deadline-bounded checks of a bounded_sem; see sem_check.h for why they look so. */
#include "sem_check.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "bounded.h"
#include "check.h"
#include "clock.h"
#include "exercise.h"

#define HOLD_US 1000         /* a pool worker stays inside this long, so others pile up at the door */
#define SHORT_TIMEOUT_MS 50  /* the timed acquire that must time out */
#define EARLY_SLACK_MS 2.0   /* room for deadlines rounded to whole milliseconds */
#define MAX_RUNNERS (SEM_CHECK_MAX_WORKERS + 4)

typedef struct trial trial;
typedef struct runner runner;
typedef void runner_body(trial *t, runner *r);

/* One call (or loop of calls) into the semaphore, on a thread of the trial's group. */
struct runner {
    trial *trial;
    runner_body *body;
    long arg;    /* the body's input */
    long result; /* the body's output; read only once its thread has returned */
    int index;   /* in the trial's group */
};

/* One check's world. Threads stuck in a broken semaphore point into it, so unless every runner
 * returned it is deliberately never freed. */
struct trial {
    bounded_sem sem;
    long bound_ms;
    int rounds;
    int started;
    tl_bounded_group *group;
    runner runners[MAX_RUNNERS];
    atomic_int inside, max_inside; /* pool workers holding a permit now / at most */
    atomic_long gave_up, refused;  /* pool: timed-out acquire_ms calls, refused releases */
    sem_check_result result;       /* single-thread checks: the body's verdict */
};

static trial *trial_new(unsigned permits, long bound_ms)
{
    trial *t = tl_xcalloc(1, sizeof *t);
    bounded_sem_init(&t->sem, permits);
    t->bound_ms = bound_ms;
    t->group = tl_bounded_group_new(MAX_RUNNERS);
    atomic_init(&t->inside, 0);
    atomic_init(&t->max_inside, 0);
    atomic_init(&t->gave_up, 0);
    atomic_init(&t->refused, 0);
    return t;
}

static void runner_main(void *arg)
{
    runner *r = arg;
    r->body(r->trial, r);
}

static runner *start(trial *t, runner_body *body, long arg)
{
    if (t->started == MAX_RUNNERS)
        TL_DIE("sem_check: more than %d threads", MAX_RUNNERS);
    runner *r = &t->runners[t->started++];
    *r = (runner){.trial = t, .body = body, .arg = arg};
    r->index = tl_bounded_start(t->group, runner_main, r);
    return r;
}

static bool has_returned(const runner *r)
{
    return tl_bounded_returned(r->trial->group, r->index);
}

static int returned_count(trial *t)
{
    return tl_bounded_returned_count(t->group);
}

/* Waits until n runners have returned or ms pass; returns how many had. */
static int await_returned(trial *t, int n, long ms)
{
    return tl_bounded_await(t->group, n, ms);
}

/* Runs body on a thread and waits for it at most ms: true if it returned. */
static bool call_bounded(trial *t, runner_body *body, long arg, long ms, runner **out)
{
    runner *r = start(t, body, arg);
    *out = r;
    return await_returned(t, t->started, ms) == t->started;
}

/* Joins and frees everything when every runner returned; otherwise leaves the trial to the
 * stuck threads (common/bounded.h says why). */
static sem_check_result finish(trial *t, sem_check_result result)
{
    if (tl_bounded_finish(t->group)) {
        bounded_sem_destroy(&t->sem);
        free(t);
    }
    return result;
}

static sem_check_result verdict(bool passed, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sem_check_result verdict(bool passed, const char *advice, const char *fmt, ...)
{
    sem_check_result r = {.passed = passed};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    snprintf(r.advice, sizeof r.advice, "%s", passed ? "" : advice);
    return r;
}

/* try_acquire until refused (at most limit + 1): the free permits, read through the API. */
static int take_all(bounded_sem *s, int limit)
{
    int taken = 0;
    while (taken <= limit && bounded_sem_try_acquire(s))
        taken++;
    return taken;
}

/* ---- the pool ---- */

static void pool_worker(trial *t, runner *r)
{
    for (int i = 0; i < t->rounds; i++) {
        if (r->arg % 2 == 0) {
            bounded_sem_acquire(&t->sem);
        } else if (!bounded_sem_acquire_ms(&t->sem, t->bound_ms)) {
            atomic_fetch_add(&t->gave_up, 1);
            return;
        }
        int now = atomic_fetch_add(&t->inside, 1) + 1;
        int seen = atomic_load(&t->max_inside);
        while (now > seen && !atomic_compare_exchange_weak(&t->max_inside, &seen, now))
            continue;
        tl_sleep_us(HOLD_US);
        atomic_fetch_sub(&t->inside, 1);
        if (bounded_sem_release(&t->sem) != 0)
            atomic_fetch_add(&t->refused, 1);
    }
}

static void count_free(trial *t, runner *r)
{
    r->result = take_all(&t->sem, (int)r->arg);
}

sem_check_result sem_check_pool(const sem_check_config *cfg)
{
    static const char advice[] =
        "At most N threads may hold a permit: test `count == 0` and take the permit under the "
        "same mutex, waiting in a `while` loop; release() must give back exactly one permit and "
        "signal the condition variable so a waiting acquire wakes up.";
    trial *t = trial_new((unsigned)cfg->permits, cfg->bound_ms);
    t->rounds = cfg->rounds;
    int n = cfg->workers < SEM_CHECK_MAX_WORKERS ? cfg->workers : SEM_CHECK_MAX_WORKERS;
    long busy_ms = (long)n * cfg->rounds * HOLD_US / 1000 / cfg->permits; /* if all goes well */
    for (int i = 0; i < n; i++)
        start(t, pool_worker, i);
    int finished = await_returned(t, n, cfg->bound_ms + 4 * busy_ms);
    if (finished < n)
        return finish(t, verdict(false, advice, "%d of %d threads still waiting for a permit after "
                                 "%ld ms (expected all done: a release did not wake a waiter)",
                                 n - finished, n, cfg->bound_ms + 4 * busy_ms));
    runner *counter;
    if (!call_bounded(t, count_free, cfg->permits, cfg->bound_ms, &counter))
        return finish(t, verdict(false, advice, "try_acquire() did not return within %ld ms",
                                 cfg->bound_ms));
    int max = atomic_load(&t->max_inside);
    long gave_up = atomic_load(&t->gave_up), refused = atomic_load(&t->refused);
    bool ok = max <= cfg->permits && gave_up == 0 && refused == 0 && counter->result == cfg->permits;
    return finish(t, verdict(ok, advice, "%d threads x %d rounds through %d permit%s: at most %d "
                             "inside (expected at most %d), %ld timed out, %ld releases refused, "
                             "%ld free at the end (expected 0, 0, %d)", n, cfg->rounds,
                             cfg->permits, cfg->permits == 1 ? "" : "s", max, cfg->permits, gave_up, refused, counter->result,
                             cfg->permits));
}

/* ---- a wake-up with no permit free ---- */

static void take_one(trial *t, runner *r)
{
    r->result = bounded_sem_try_acquire(&t->sem);
}

static void give_one(trial *t, runner *r)
{
    r->result = bounded_sem_release(&t->sem);
}

/* arg 0: acquire(), arg 1: acquire_ms() with a long timeout. Passes the permit on afterwards.
 * result: 1 took a permit, 0 timed out. */
static void acquire_then_release(trial *t, runner *r)
{
    if (r->arg == 0)
        bounded_sem_acquire(&t->sem);
    else if (!bounded_sem_acquire_ms(&t->sem, 4 * t->bound_ms))
        return;
    r->result = 1;
    (void)bounded_sem_release(&t->sem);
}

/* The semaphore's waits counter, read under its lock; -1 if the lock stayed held for ms. */
static long read_waits(trial *t, long ms)
{
    struct timespec deadline = tl_deadline_realtime(ms);
    if (TL_CHECK_EXPECT(pthread_mutex_timedlock(&t->sem.lock, &deadline), ETIMEDOUT) != 0)
        return -1;
    long waits = (long)t->sem.waits;
    TL_CHECK(pthread_mutex_unlock(&t->sem.lock));
    return waits;
}

typedef enum { WAITING, SOMEONE_RETURNED, NEITHER } poll_outcome;

/* Until `waits` reaches target (the threads are waiting), more than `returned_before` runners
 * have returned, or the bound passes. */
static poll_outcome poll_waits(trial *t, long target, int returned_before)
{
    struct timespec deadline = tl_deadline_monotonic(t->bound_ms);
    for (;;) {
        if (returned_count(t) > returned_before)
            return SOMEONE_RETURNED;
        long waits = read_waits(t, tl_ms_until(deadline));
        if (waits >= target)
            return WAITING;
        if (waits < 0 || tl_ms_until(deadline) == 0)
            return NEITHER;
        tl_sleep_ms(1);
    }
}

sem_check_result sem_check_wakeup_rechecks(const sem_check_config *cfg)
{
    static const char advice[] =
        "A wake-up only means \"look again\": it may be spurious, or another thread took the "
        "permit first. Wait in `while (s->count == 0)`, not `if`, in acquire and in acquire_ms "
        "(there also until the deadline passes), and keep the `s->waits++` line just before "
        "each wait.";
    trial *t = trial_new(1, cfg->bound_ms);
    runner *taker;
    if (!call_bounded(t, take_one, 0, cfg->bound_ms, &taker) || taker->result != 1)
        return finish(t, verdict(false, advice, "try_acquire() on a semaphore of 1: did not "
                                 "return true within %ld ms", cfg->bound_ms));
    runner *plain = start(t, acquire_then_release, 0), *timed = start(t, acquire_then_release, 1);
    poll_outcome o = poll_waits(t, 2, 1);
    if (o != WAITING)
        return finish(t, verdict(false, advice, "acquire() and acquire_ms() with no permit free: "
                                 "%s (expected both to wait)", o == SOMEONE_RETURNED ?
                                 "one returned at once" : "not both waiting within the bound"));
    struct timespec deadline = tl_deadline_realtime(cfg->bound_ms);
    if (TL_CHECK_EXPECT(pthread_mutex_timedlock(&t->sem.lock, &deadline), ETIMEDOUT) != 0)
        return finish(t, verdict(false, advice, "the semaphore's mutex stayed locked for %ld ms",
                                 cfg->bound_ms));
    TL_CHECK(pthread_cond_broadcast(&t->sem.permit_free)); /* a wake-up with nothing changed */
    TL_CHECK(pthread_mutex_unlock(&t->sem.lock));
    o = poll_waits(t, 4, 1);
    if (o == SOMEONE_RETURNED) {
        await_returned(t, 3, 200); /* let the other one show whether it returned too */
        bool both = has_returned(plain) && has_returned(timed);
        return finish(t, verdict(false, advice, "woken with no permit free: %s returned with a "
                                 "permit that is not there (expected: wait again)", both ?
                                 "acquire() and acquire_ms() both" : has_returned(plain) ?
                                 "acquire()" : "acquire_ms()"));
    }
    if (o == NEITHER)
        return finish(t, verdict(false, advice, "woken with no permit free: neither returned nor "
                                 "waited again within %ld ms (expected: wait again)",
                                 cfg->bound_ms));
    runner *giver;
    if (!call_bounded(t, give_one, 0, cfg->bound_ms, &giver) || giver->result != 0)
        return finish(t, verdict(false, advice, "release() of the one permit taken: expected 0"));
    int done = await_returned(t, 4, cfg->bound_ms);
    bool ok = done == 4 && plain->result == 1 && timed->result == 1;
    return finish(t, verdict(ok, advice, "acquire() and acquire_ms() woken with no permit free "
                             "waited again, then %ld of 2 took the permit in turn once it was "
                             "released (expected: wait again, then 2)",
                             (has_returned(plain) ? plain->result : 0) +
                                 (has_returned(timed) ? timed->result : 0)));
}

/* ---- one thread ---- */

static void timed_acquire_body(trial *t, runner *r)
{
    (void)r;
    static const char advice[] =
        "acquire_ms: compute one absolute deadline (tl_deadline_monotonic, on the condition "
        "variable tl_cond_init_monotonic made) and wait with pthread_cond_timedwait in a loop "
        "while the count is 0, until it returns ETIMEDOUT; then take a permit only if one is free.";
    bounded_sem *s = &t->sem;
    if (!bounded_sem_acquire_ms(s, 0)) {
        t->result = verdict(false, advice, "acquire_ms(0) with 1 permit free: false (expected true)");
        return;
    }
    if (bounded_sem_acquire_ms(s, 0)) {
        t->result = verdict(false, advice, "acquire_ms(0) at 0 permits: true (expected false)");
        return;
    }
    int64_t start_ns = tl_now_ns();
    bool got = bounded_sem_acquire_ms(s, SHORT_TIMEOUT_MS);
    double waited = (double)(tl_now_ns() - start_ns) / 1e6;
    if (got || waited < SHORT_TIMEOUT_MS - EARLY_SLACK_MS) {
        t->result = verdict(false, advice, "acquire_ms(%d) at 0 permits: %s after %.1f ms "
                            "(expected false after at least %d ms)", SHORT_TIMEOUT_MS,
                            got ? "true" : "false", waited, SHORT_TIMEOUT_MS);
        return;
    }
    int rc = bounded_sem_release(s);
    got = rc == 0 && bounded_sem_acquire_ms(s, t->bound_ms);
    t->result = verdict(got, advice, "acquire_ms(%d) at 0 permits: false after %.0f ms; after a "
                        "release(), acquire_ms(%ld): %s (expected false after >= %d ms, then true)",
                        SHORT_TIMEOUT_MS, waited, t->bound_ms, got ? "true" : "false",
                        SHORT_TIMEOUT_MS);
    if (got)
        (void)bounded_sem_release(s);
}

static void over_release_body(trial *t, runner *r)
{
    (void)r;
    static const char advice[] =
        "In release, check the bound before adding: when `count == max` every permit is already "
        "free, so this release has no matching acquire. Return EOVERFLOW and leave the count alone.";
    bounded_sem *s = &t->sem;
    int first = bounded_sem_release(s);
    int free_after_first = take_all(s, 3);
    for (int i = 0; i < free_after_first; i++)
        (void)bounded_sem_release(s);
    if (first != EOVERFLOW || free_after_first != 2) {
        t->result = verdict(false, advice, "release() on a semaphore of 2 with both permits free "
                            "returned %d, and then %d permits were free (expected EOVERFLOW (%d) "
                            "and still 2)", first, free_after_first, EOVERFLOW);
        return;
    }
    int taken = take_all(s, 2), gave = 0;
    for (int i = 0; i < taken; i++)
        gave += bounded_sem_release(s) == 0;
    int again = bounded_sem_release(s);
    int free_end = take_all(s, 3);
    bool ok = taken == 2 && gave == 2 && again == EOVERFLOW && free_end == 2;
    t->result = verdict(ok, advice, "release() with every permit free: refused with EOVERFLOW, "
                        "count unchanged at 2; after taking and giving back both: %d of 2 "
                        "accepted, one more %s, %d free (expected 2, refused, 2)", gave,
                        again == EOVERFLOW ? "refused" : "accepted", free_end);
}

static sem_check_result one_thread_check(runner_body *body, unsigned permits, long bound_ms,
                                         const char *what)
{
    trial *t = trial_new(permits, bound_ms);
    runner *r;
    if (!call_bounded(t, body, 0, 2 * bound_ms + SHORT_TIMEOUT_MS, &r))
        return finish(t, verdict(false, "A call that never returns holds the mutex or waits for a "
                                 "wake-up nobody sends: check every path unlocks the mutex.",
                                 "%s did not return within %ld ms", what,
                                 2 * bound_ms + SHORT_TIMEOUT_MS));
    return finish(t, t->result);
}

sem_check_result sem_check_timed_acquire(const sem_check_config *cfg)
{
    return one_thread_check(timed_acquire_body, 1, cfg->bound_ms, "acquire_ms()");
}

sem_check_result sem_check_over_release(const sem_check_config *cfg)
{
    return one_thread_check(over_release_body, 2, cfg->bound_ms, "release()");
}
