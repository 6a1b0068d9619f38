/* Unit tests of common/locktrace.h: thread names, traced locks, deadlock detection in the
 * wait-for graph, the lock-order checker, timed locks.
 *
 * Deadlocks are forced, not hoped for: each thread takes its first lock, all meet at a gate,
 * then each asks for the next thread's lock — so the cycle forms on every run. Worker threads
 * only record what happened; the test thread asserts after joining them (CUnit is not
 * thread-safe). Every gate wait is bounded; a lock call that never returns is caught by the
 * harness deadline and explained by the test's hint. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "harness.h"
#include "locktrace.h"

#define GATE_TIMEOUT_MS 5000

/* ---- a gate: threads arrive, and wait (bounded) until enough have arrived ---- */

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    int arrived;
} gate;

static void gate_init(gate *g)
{
    TL_CHECK(pthread_mutex_init(&g->mutex, NULL));
    tl_cond_init_monotonic(&g->changed);
    g->arrived = 0;
}

static void gate_destroy(gate *g)
{
    TL_CHECK(pthread_cond_destroy(&g->changed));
    TL_CHECK(pthread_mutex_destroy(&g->mutex));
}

static void gate_arrive(gate *g)
{
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    g->arrived++;
    TL_CHECK(pthread_cond_broadcast(&g->changed));
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
}

/* Waits until `count` threads have arrived; false if that took longer than the bound. */
static bool gate_wait_for(gate *g, int count)
{
    struct timespec deadline =
        tl_deadline_monotonic((long)(GATE_TIMEOUT_MS * tl_timeout_scale()));
    int rc = 0;
    TL_CHECK(pthread_mutex_lock(&g->mutex));
    while (g->arrived < count && rc != ETIMEDOUT)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&g->changed, &g->mutex, &deadline), ETIMEDOUT);
    bool all_there = g->arrived >= count;
    TL_CHECK(pthread_mutex_unlock(&g->mutex));
    return all_there;
}

static bool gate_pass(gate *g, int count)
{
    gate_arrive(g);
    return gate_wait_for(g, count);
}

/* ---- thread names ---- */

static void *report_default_name(void *out)
{
    snprintf(out, TL_NAME_MAX, "%s", tl_thread_name());
    return NULL;
}

static void thread_names_default_and_set(void)
{
    tl_hint("tl_thread_name() must be \"main\" in the initial thread, \"thread-N\" in an unnamed "
            "one, and what tl_thread_set_name() set (cut to TL_NAME_MAX - 1 characters).");
    TL_ASSERT(strcmp(tl_thread_name(), "main") == 0,
              "initial thread: expected \"main\", got \"%s\"", tl_thread_name());

    char other[TL_NAME_MAX] = "";
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, report_default_name, other));
    TL_CHECK(pthread_join(t, NULL));
    int n = 0;
    char rest = 0;
    TL_ASSERT(sscanf(other, "thread-%d%c", &n, &rest) == 1 && n >= 1,
              "unnamed thread: expected \"thread-N\", got \"%s\"", other);

    tl_thread_set_name("T1");
    TL_ASSERT(strcmp(tl_thread_name(), "T1") == 0, "after set_name(\"T1\"): got \"%s\"",
              tl_thread_name());
    const char *long_name = "a-thread-name-much-longer-than-thirty-one-characters";
    tl_thread_set_name(long_name);
    TL_ASSERT_EQ_LONG(strlen(tl_thread_name()), TL_NAME_MAX - 1, "length of a cut name");
    TL_ASSERT(strncmp(tl_thread_name(), long_name, TL_NAME_MAX - 1) == 0,
              "a cut name keeps its beginning, got \"%s\"", tl_thread_name());
}

/* ---- basic lock contract ---- */

static void *try_unlock(void *lock)
{
    tl_thread_set_name("intruder");
    return (void *)(intptr_t)tl_tlock_unlock(lock);
}

static void unlock_by_non_holder_is_eperm(void)
{
    tl_hint("Unlocking a traced lock the caller does not hold must return EPERM and change "
            "nothing: the owner check in tl_tlock_unlock is missing or wrong.");
    tl_tlock lock;
    tl_tlock_init(&lock, "db");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&lock), EPERM, "unlock of a free lock");
    TL_ASSERT_FATAL(tl_tlock_lock(&lock) == 0, "lock of a free lock must succeed");

    pthread_t t;
    void *rc;
    TL_CHECK(pthread_create(&t, NULL, try_unlock, &lock));
    TL_CHECK(pthread_join(t, &rc));
    TL_ASSERT_EQ_LONG((intptr_t)rc, EPERM, "unlock by a thread that does not hold it");
    TL_ASSERT(tl_tlock_held_by_me(&lock), "after the refused unlock, main must still hold it");
    TL_ASSERT_EQ_LONG(tl_tlock_trylock(&lock), EBUSY, "trylock while held (it must stay held)");

    TL_ASSERT_EQ_LONG(tl_tlock_destroy(&lock), EBUSY, "destroy while held");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&lock), 0, "unlock by the holder");
    TL_ASSERT(!tl_tlock_held_by_me(&lock), "after unlock, main must not hold it");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&lock), EPERM, "second unlock");
    TL_ASSERT_EQ_LONG(tl_tlock_trylock(&lock), 0, "trylock of a free lock");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&lock), 0, "unlock after trylock");
    TL_ASSERT_EQ_LONG(tl_tlock_destroy(&lock), 0, "destroy of a free lock");
}

static void relock_by_holder_is_edeadlk(void)
{
    tl_hint("Locking a traced lock you already hold is a cycle of one: lock and timedlock must "
            "return EDEADLK at once (not hang), describe it, and leave the lock held.");
    tl_thread_set_name("T1");
    tl_tlock lock;
    tl_tlock_init(&lock, "db");
    TL_ASSERT_FATAL(tl_tlock_lock(&lock) == 0, "first lock must succeed");
    TL_ASSERT_EQ_LONG(tl_tlock_lock(&lock), EDEADLK, "lock again by the holder");
    const tl_deadlock_info *info = tl_last_deadlock();
    TL_ASSERT_EQ_LONG(info->length, 1, "threads in a self-deadlock");
    TL_ASSERT(strcmp(info->text, "T1 holds db, waits for db") == 0,
              "description: expected \"T1 holds db, waits for db\", got \"%s\"", info->text);
    TL_ASSERT_EQ_LONG(tl_tlock_timedlock(&lock, 60000, NULL), EDEADLK, "timedlock by the holder");
    TL_ASSERT_EQ_LONG(tl_tlock_trylock(&lock), EBUSY, "trylock by the holder");
    TL_ASSERT(tl_tlock_held_by_me(&lock), "the lock must still be held after EDEADLK");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&lock), 0, "one unlock releases it");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&lock), EPERM, "no second unlock: it is not recursive");
    TL_CHECK(tl_tlock_destroy(&lock));
}

/* ---- wait-for cycles ---- */

#define MAX_CYCLE 5

typedef struct {
    char name[TL_NAME_MAX];
    tl_tlock *first, *second;
    gate *all_hold_first, *others_done;
    int threads;
    bool timed;
    /* results, read after join */
    bool gates_ok;
    int rc;       /* of the second lock call */
    int retry_rc; /* the victim's second attempt, after the others finished */
    tl_deadlock_info deadlock;
} cycle_worker;

static int take_second(cycle_worker *w)
{
    return w->timed ? tl_tlock_timedlock(w->second, 600000, NULL) : tl_tlock_lock(w->second);
}

/* Holds `first`, asks for `second` (the next worker's first). The victim backs off, waits
 * for the others to finish, then takes both again: recovery, as lab07 shows it. */
static void *cycle_thread(void *arg)
{
    cycle_worker *w = arg;
    tl_thread_set_name(w->name);
    TL_CHECK(tl_tlock_lock(w->first));
    w->gates_ok = gate_pass(w->all_hold_first, w->threads);
    if (!w->gates_ok) {
        TL_CHECK(tl_tlock_unlock(w->first));
        return NULL;
    }
    w->rc = take_second(w);
    if (w->rc == 0) {
        TL_CHECK(tl_tlock_unlock(w->second));
        TL_CHECK(tl_tlock_unlock(w->first));
        gate_arrive(w->others_done);
        return NULL;
    }
    TL_CHECK(tl_tlock_unlock(w->first)); /* the victim backs off; the others can finish */
    if (w->rc != EDEADLK)
        return NULL;
    w->deadlock = *tl_last_deadlock();
    w->gates_ok = gate_wait_for(w->others_done, w->threads - 1);
    TL_CHECK(tl_tlock_lock(w->first));
    w->retry_rc = take_second(w);
    if (w->retry_rc == 0)
        TL_CHECK(tl_tlock_unlock(w->second));
    TL_CHECK(tl_tlock_unlock(w->first));
    return NULL;
}

static void check_cycle(int n, bool timed)
{
    static const char *lock_names[MAX_CYCLE] = {"accounts.a", "accounts.b", "accounts.c",
                                                "accounts.d", "accounts.e"};
    tl_tlock locks[MAX_CYCLE];
    cycle_worker workers[MAX_CYCLE];
    pthread_t threads[MAX_CYCLE];
    gate all_hold_first, others_done;
    gate_init(&all_hold_first);
    gate_init(&others_done);
    for (int i = 0; i < n; i++)
        tl_tlock_init(&locks[i], lock_names[i]);
    for (int i = 0; i < n; i++) {
        workers[i] = (cycle_worker){.first = &locks[i], .second = &locks[(i + 1) % n],
                                    .all_hold_first = &all_hold_first, .others_done = &others_done,
                                    .threads = n, .timed = timed, .rc = -1, .retry_rc = -1};
        snprintf(workers[i].name, sizeof workers[i].name, "T%d", i + 1);
        TL_CHECK(pthread_create(&threads[i], NULL, cycle_thread, &workers[i]));
    }
    for (int i = 0; i < n; i++)
        TL_CHECK(pthread_join(threads[i], NULL));

    int victims = 0, completed = 0;
    const cycle_worker *victim = NULL;
    for (int i = 0; i < n; i++) {
        TL_ASSERT(workers[i].gates_ok, "%s: a gate timed out (did two threads get EDEADLK?)",
                  workers[i].name);
        if (workers[i].rc == EDEADLK) {
            victims++;
            victim = &workers[i];
        } else if (workers[i].rc == 0) {
            completed++;
        }
    }
    TL_ASSERT_EQ_LONG(victims, 1, "threads that got EDEADLK (the victim)");
    TL_ASSERT_EQ_LONG(completed, n - 1, "threads that got their second lock");
    if (victim == NULL)
        return;
    TL_ASSERT_EQ_LONG(victim->retry_rc, 0, "the victim's retry once the others finished");

    /* The cycle, from the victim: each thread waits for what the next one holds. */
    const tl_deadlock_info *info = &victim->deadlock;
    TL_ASSERT_FATAL(info->length == n, "cycle length: expected %d, got %d (\"%s\")", n,
                    info->length, info->text);
    TL_ASSERT(strcmp(info->steps[0].thread, victim->name) == 0,
              "steps[0] must be the victim %s, got %s", victim->name, info->steps[0].thread);
    char expected[TL_TEXT_MAX] = "";
    size_t used = 0;
    int at = (int)(victim - workers);
    for (int k = 0; k < n; k++, at = (at + 1) % n) {
        const tl_cycle_step *s = &info->steps[k];
        TL_ASSERT(strcmp(s->thread, workers[at].name) == 0 &&
                      strcmp(s->holds, workers[at].first->name) == 0 &&
                      strcmp(s->waits_for, workers[at].second->name) == 0,
                  "step %d: expected %s holds %s, waits for %s; got %s holds %s, waits for %s", k,
                  workers[at].name, workers[at].first->name, workers[at].second->name, s->thread,
                  s->holds, s->waits_for);
        used += (size_t)snprintf(expected + used, sizeof expected - used,
                                 "%s%s holds %s, waits for %s", k ? "; " : "", workers[at].name,
                                 workers[at].first->name, workers[at].second->name);
    }
    TL_ASSERT(strcmp(info->text, expected) == 0,
              "cycle text:\n  expected \"%s\"\n  got      \"%s\"", expected, info->text);

    for (int i = 0; i < n; i++)
        TL_ASSERT_EQ_LONG(tl_tlock_destroy(&locks[i]), 0, "destroy after everyone finished");
    gate_destroy(&all_hold_first);
    gate_destroy(&others_done);
}

static void two_thread_cycle_one_victim(void)
{
    tl_hint("T1 holds accounts.a and waits for accounts.b while T2 holds accounts.b and waits "
            "for accounts.a: exactly one of them (the one that closed the cycle) must get "
            "EDEADLK, the other must finish once the victim unlocks. A hang means no victim.");
    check_cycle(2, false);
}

static void three_thread_cycle_one_victim(void)
{
    tl_hint("T1 -> T2 -> T3 -> T1 through three locks: the graph walk must follow holders and "
            "waits all the way round, and pick exactly one victim.");
    check_cycle(3, false);
}

static void five_thread_cycle_with_timed_locks(void)
{
    tl_hint("Timed lock calls wait like any other: a cycle of five timed waiters (timeouts of "
            "10 minutes) must still be found at once, with one victim.");
    check_cycle(5, true);
}

/* ---- lock order ---- */

typedef struct {
    pthread_mutex_t mutex;
    int calls;
    tl_lockorder_report last;
} report_log;

static void log_report(const tl_lockorder_report *report, void *arg)
{
    report_log *log = arg;
    TL_CHECK(pthread_mutex_lock(&log->mutex));
    log->calls++;
    log->last = *report;
    TL_CHECK(pthread_mutex_unlock(&log->mutex));
}

typedef struct {
    const char *name;
    tl_tlock *outer, *inner;
    int rounds;
} nesting;

static void *lock_nested(void *arg)
{
    const nesting *job = arg;
    tl_thread_set_name(job->name);
    for (int i = 0; i < job->rounds; i++) {
        TL_CHECK(tl_tlock_lock(job->outer));
        TL_CHECK(tl_tlock_lock(job->inner));
        TL_CHECK(tl_tlock_unlock(job->inner));
        TL_CHECK(tl_tlock_unlock(job->outer));
    }
    return NULL;
}

static void run_alone(const char *name, tl_tlock *outer, tl_tlock *inner)
{
    nesting job = {name, outer, inner, 1};
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, lock_nested, &job));
    TL_CHECK(pthread_join(t, NULL));
}

static bool order_is(const tl_lock_order *o, const char *thread, const char *held,
                     const char *taken)
{
    return strcmp(o->thread, thread) == 0 && strcmp(o->held, held) == 0 &&
           strcmp(o->taken, taken) == 0;
}

static void inversion_reported_without_deadlock(void)
{
    tl_hint("T1 takes a then b; later, alone, T2 takes b then a. Nothing deadlocks, but the "
            "checker must report the inversion once, naming both orders and both threads.");
    report_log log = {.calls = 0};
    TL_CHECK(pthread_mutex_init(&log.mutex, NULL));
    tl_lockorder_set_handler(log_report, &log);
    tl_tlock a, b;
    tl_tlock_init(&a, "accounts.a");
    tl_tlock_init(&b, "accounts.b");

    run_alone("T1", &a, &b);
    TL_ASSERT_EQ_LONG(tl_lockorder_reports(NULL, 0), 0, "reports after one consistent order");
    run_alone("T2", &b, &a);

    tl_lockorder_report r;
    TL_ASSERT_FATAL(tl_lockorder_reports(&r, 1) == 1, "reports after the opposite order: "
                    "expected 1, got %d", tl_lockorder_reports(NULL, 0));
    TL_ASSERT(order_is(&r.earlier, "T1", "accounts.a", "accounts.b"),
              "earlier order: expected T1 took accounts.b holding accounts.a, got %s took %s "
              "holding %s", r.earlier.thread, r.earlier.taken, r.earlier.held);
    TL_ASSERT(order_is(&r.later, "T2", "accounts.b", "accounts.a"),
              "later order: expected T2 took accounts.a holding accounts.b, got %s took %s "
              "holding %s", r.later.thread, r.later.taken, r.later.held);
    TL_ASSERT(strstr(r.text, "T1 took accounts.b while holding accounts.a") &&
                  strstr(r.text, "T2 takes accounts.a while holding accounts.b"),
              "report text must describe both orders, got \"%s\"", r.text);
    TL_ASSERT_EQ_LONG(log.calls, 1, "handler calls");
    TL_ASSERT(strcmp(log.last.text, r.text) == 0, "the handler must get the same report");

    /* Once per pair: both orders again, in both directions, report nothing new. */
    run_alone("T3", &a, &b);
    run_alone("T4", &b, &a);
    TL_ASSERT_EQ_LONG(tl_lockorder_reports(NULL, 0), 1, "reports after repeating both orders");
    TL_ASSERT_EQ_LONG(log.calls, 1, "handler calls after repeating both orders");

    /* Reset forgets what was learned (and the handler): the same inversion is news again. */
    tl_locktrace_reset();
    TL_ASSERT_EQ_LONG(tl_lockorder_reports(NULL, 0), 0, "reports after reset");
    run_alone("T5", &b, &a);
    run_alone("T6", &a, &b);
    TL_ASSERT_EQ_LONG(tl_lockorder_reports(&r, 1), 1, "reports after reset and an inversion");
    TL_ASSERT(order_is(&r.earlier, "T5", "accounts.b", "accounts.a") &&
                  order_is(&r.later, "T6", "accounts.a", "accounts.b"),
              "after reset: got \"%s\"", r.text);
    TL_ASSERT_EQ_LONG(log.calls, 1, "handler calls after reset removed the handler");

    TL_CHECK(tl_tlock_destroy(&a));
    TL_CHECK(tl_tlock_destroy(&b));
    TL_CHECK(pthread_mutex_destroy(&log.mutex));
}

/* Many threads, the same order a -> b -> c, with contention; a plain counter proves mutual
 * exclusion (TSan would also see a race). */
typedef struct {
    tl_tlock *locks[3];
    long *counter;
    int rounds;
    int failures;
} ordered_job;

static void *lock_in_order(void *arg)
{
    ordered_job *job = arg;
    for (int i = 0; i < job->rounds; i++) {
        for (int k = 0; k < 3; k++)
            if (tl_tlock_lock(job->locks[k]) != 0)
                job->failures++;
        (*job->counter)++;
        if (i % 7 == 0 && tl_tlock_trylock(job->locks[0]) != EBUSY)
            job->failures++; /* held by this thread: trylock must say busy */
        for (int k = 2; k >= 0; k--)
            if (tl_tlock_unlock(job->locks[k]) != 0)
                job->failures++;
    }
    return NULL;
}

static void consistent_order_never_reported(void)
{
    tl_hint("Eight threads all take accounts.a, then .b, then .c, many times: no inversion, no "
            "deadlock and no lost update may be reported. A false EDEADLK means the graph walk "
            "saw a cycle that is not there; a wrong count means two holders at once.");
    enum { THREADS = 8, ROUNDS = 400 };
    tl_tlock a, b, c;
    tl_tlock_init(&a, "accounts.a");
    tl_tlock_init(&b, "accounts.b");
    tl_tlock_init(&c, "accounts.c");
    long counter = 0;
    ordered_job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (ordered_job){{&a, &b, &c}, &counter, ROUNDS, 0};
        TL_CHECK(pthread_create(&threads[i], NULL, lock_in_order, &jobs[i]));
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        TL_CHECK(pthread_join(threads[i], NULL));
        failures += jobs[i].failures;
    }
    TL_ASSERT_EQ_LONG(failures, 0, "lock/unlock calls that did not return the expected code");
    TL_ASSERT_EQ_LONG(counter, (long)THREADS * ROUNDS, "counter incremented under the locks");
    tl_lockorder_report r;
    int reports = tl_lockorder_reports(&r, 1);
    TL_ASSERT(reports == 0, "lock-order reports: expected 0, got %d (first: \"%s\")", reports,
              reports ? r.text : "");
    TL_CHECK(tl_tlock_destroy(&a));
    TL_CHECK(tl_tlock_destroy(&b));
    TL_CHECK(tl_tlock_destroy(&c));
}

/* ---- timed locks ---- */

typedef struct {
    tl_tlock *lock;
    gate *holding, *may_release;
    bool gates_ok;
} holder_job;

static void *hold_until_told(void *arg)
{
    holder_job *job = arg;
    tl_thread_set_name("holder");
    TL_CHECK(tl_tlock_lock(job->lock));
    gate_arrive(job->holding);
    job->gates_ok = gate_wait_for(job->may_release, 1);
    TL_CHECK(tl_tlock_unlock(job->lock));
    return NULL;
}

static void timed_lock_reports_holder_and_wait(void)
{
    tl_hint("While \"holder\" keeps db, tl_tlock_timedlock(db, 200 ms) must return ETIMEDOUT "
            "and say: lock db, holder \"holder\", waited at least 200 ms; once released, a "
            "timed lock must succeed.");
    enum { TIMEOUT_MS = 200 };
    tl_tlock db;
    tl_tlock_init(&db, "db");
    TL_ASSERT_EQ_LONG(tl_tlock_timedlock(&db, 0, NULL), 0, "timed lock of a free lock");
    TL_CHECK(tl_tlock_unlock(&db));

    gate holding, may_release;
    gate_init(&holding);
    gate_init(&may_release);
    holder_job job = {&db, &holding, &may_release, false};
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, hold_until_told, &job));
    TL_ASSERT_FATAL(gate_wait_for(&holding, 1), "the holder thread never took the lock");

    tl_lock_timeout why;
    memset(&why, 0, sizeof why);
    int rc = tl_tlock_timedlock(&db, TIMEOUT_MS, &why);
    TL_ASSERT_EQ_LONG(rc, ETIMEDOUT, "timed lock of a held lock");
    TL_ASSERT(strcmp(why.lock, "db") == 0, "timeout report: lock expected \"db\", got \"%s\"",
              why.lock);
    TL_ASSERT(strcmp(why.holder, "holder") == 0,
              "timeout report: holder expected \"holder\", got \"%s\"", why.holder);
    TL_ASSERT(!why.holder_exited, "the holder is alive");
    TL_ASSERT(why.waited_ms >= TIMEOUT_MS, "waited: expected at least %d ms, got %.1f ms",
              TIMEOUT_MS, why.waited_ms);
    TL_ASSERT(why.held_ms >= why.waited_ms,
              "held_ms (%.1f) must cover the wait (%.1f): the holder took it before we asked",
              why.held_ms, why.waited_ms);
    TL_ASSERT(!tl_tlock_held_by_me(&db), "a timed-out lock call must not take the lock");
    TL_ASSERT_EQ_LONG(tl_tlock_timedlock(&db, 0, NULL), ETIMEDOUT, "timeout 0 on a held lock");

    gate_arrive(&may_release);
    rc = tl_tlock_timedlock(&db, (long)(GATE_TIMEOUT_MS * tl_timeout_scale()), NULL);
    TL_ASSERT_EQ_LONG(rc, 0, "timed lock once the holder releases");
    TL_CHECK(pthread_join(t, NULL));
    TL_ASSERT(job.gates_ok, "the holder's gate timed out");
    if (rc == 0)
        TL_CHECK(tl_tlock_unlock(&db));
    TL_CHECK(tl_tlock_destroy(&db));
    gate_destroy(&holding);
    gate_destroy(&may_release);
}

static void *take_and_quit(void *lock)
{
    tl_thread_set_name("quitter");
    TL_CHECK(tl_tlock_lock(lock));
    return NULL; /* the bug under test: ending while holding a lock */
}

static void holder_that_exits_is_reported(void)
{
    tl_hint("A thread that ends holding a traced lock leaves it locked forever: locktrace must "
            "say so on stderr, must not touch the dead thread's state afterwards (ASan), and a "
            "timed lock must name the exited holder.");
    tl_tlock db;
    tl_tlock_init(&db, "db");

    /* Capture stderr around the thread's exit to check the warning (and keep the run quiet). */
    FILE *capture = tmpfile();
    TL_ASSERT_FATAL(capture != NULL, "tmpfile() failed");
    int saved_stderr = dup(STDERR_FILENO);
    TL_ASSERT_FATAL(saved_stderr >= 0 && dup2(fileno(capture), STDERR_FILENO) >= 0,
                    "could not redirect stderr");
    pthread_t t;
    TL_CHECK(pthread_create(&t, NULL, take_and_quit, &db));
    TL_CHECK(pthread_join(t, NULL));
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    char said[512] = "";
    rewind(capture);
    size_t n = fread(said, 1, sizeof said - 1, capture);
    said[n] = '\0';
    fclose(capture);
    TL_ASSERT(strstr(said, "quitter") && strstr(said, "db"),
              "stderr must name the thread and the lock, got \"%s\"", said);

    tl_lock_timeout why;
    memset(&why, 0, sizeof why);
    TL_ASSERT_EQ_LONG(tl_tlock_timedlock(&db, 50, &why), ETIMEDOUT,
                      "timed lock of an orphaned lock");
    TL_ASSERT(strcmp(why.holder, "quitter") == 0 && why.holder_exited,
              "timeout report: expected holder \"quitter\" (exited), got \"%s\"%s", why.holder,
              why.holder_exited ? " (exited)" : " (alive)");
    TL_ASSERT_EQ_LONG(tl_tlock_unlock(&db), EPERM, "unlock of the orphaned lock by another thread");
    TL_ASSERT_EQ_LONG(tl_tlock_destroy(&db), EBUSY, "destroy of the orphaned lock");
}

void tl_register_suites(void)
{
    CU_pSuite names = tl_suite("thread names");
    tl_test(names, "default and set names", thread_names_default_and_set);

    CU_pSuite locks = tl_suite("traced lock");
    tl_test(locks, "unlock by a non-holder is EPERM", unlock_by_non_holder_is_eperm);
    tl_test(locks, "relock by the holder is EDEADLK at once", relock_by_holder_is_edeadlk);
    tl_test(locks, "timed lock reports lock, holder and wait", timed_lock_reports_holder_and_wait);
    tl_test(locks, "a holder that exits is reported", holder_that_exits_is_reported);

    CU_pSuite cycles = tl_suite("wait-for graph");
    tl_test_timeout(cycles, "two-thread cycle: one victim, described",
                    two_thread_cycle_one_victim, 20);
    tl_test_timeout(cycles, "three-thread cycle: one victim", three_thread_cycle_one_victim, 20);
    tl_test_timeout(cycles, "five timed waiters in a cycle: one victim",
                    five_thread_cycle_with_timed_locks, 20);

    CU_pSuite order = tl_suite("lock order");
    tl_test(order, "inversion reported once, without a deadlock",
            inversion_reported_without_deadlock);
    tl_test(order, "consistent order from many threads: no report",
            consistent_order_never_reported);
}
