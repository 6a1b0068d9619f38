/* event_check.c — deadline-bounded checks of an event; see event_check.h for why they look so. */
#include "event_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bounded.h"
#include "check.h"
#include "clock.h"
#include "exercise.h"

#define SHORT_TIMEOUT_MS 50 /* the timed wait that must time out */
#define EARLY_SLACK_MS 2.0  /* room for deadlines rounded to whole milliseconds */
#define MAX_RUNNERS (EVENT_CHECK_MAX_WAITERS + 2)

typedef struct trial trial;
typedef struct runner runner;
typedef void runner_body(trial *t, runner *r);

/* One call into the event, on a thread of the trial's group. */
struct runner {
    trial *trial;
    runner_body *body;
    long arg;    /* the body's input */
    long result; /* the body's output; read only once its thread has returned */
    int index;   /* in the trial's group */
};

/* One check's world. Threads stuck in a broken event point into it, so unless every runner
 * returned it is deliberately never freed. */
struct trial {
    event e;
    long bound_ms;
    int started;
    tl_bounded_group *group;
    runner runners[MAX_RUNNERS];
    event_check_result result; /* single-thread checks: the body's verdict */
};

static trial *trial_new(long bound_ms)
{
    trial *t = tl_xcalloc(1, sizeof *t);
    event_init(&t->e);
    t->bound_ms = bound_ms;
    t->group = tl_bounded_group_new(MAX_RUNNERS);
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
        TL_DIE("event_check: more than %d threads", MAX_RUNNERS);
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

/* Joins and frees everything when every runner returned; otherwise leaves the trial to the
 * stuck threads (common/bounded.h says why). */
static event_check_result finish(trial *t, event_check_result result)
{
    if (tl_bounded_finish(t->group)) {
        event_destroy(&t->e);
        free(t);
    }
    return result;
}

static event_check_result verdict(bool passed, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static event_check_result verdict(bool passed, const char *advice, const char *fmt, ...)
{
    event_check_result r = {.passed = passed};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    snprintf(r.advice, sizeof r.advice, "%s", passed ? "" : advice);
    return r;
}

/* ---- one thread ---- */

static void flag_body(trial *t, runner *r)
{
    (void)r;
    static const char advice[] =
        "is_set() reports the flag; set() raises it, clear() lowers it, under the mutex. "
        "wait_ms(0) must only look (never block), and a set() then clear() before the call began "
        "does not count; waiting must never lower the flag (an event is not a semaphore).";
    event *e = &t->e;
    bool fresh = event_is_set(e);
    event_set(e);
    event_set(e);
    bool after_set = event_is_set(e);
    event_clear(e);
    bool after_clear = event_is_set(e), polled_clear = event_wait_ms(e, 0);
    event_set(e);
    bool polled_set = event_wait_ms(e, 0);
    event_wait(e); /* the flag is up: returns at once, or the runner's deadline reports it */
    bool still_set = event_is_set(e);
    bool ok = !fresh && after_set && !after_clear && !polled_clear && polled_set && still_set;
    t->result = verdict(ok, advice, "is_set(): %d after init, %d after set() twice, %d after "
                        "clear(); wait_ms(0): %d after set()+clear(), %d when set; is_set() after "
                        "waiting: %d (expected 0 1 0; 0 1; 1)", fresh, after_set, after_clear,
                        polled_clear, polled_set, still_set);
}

static void timeout_body(trial *t, runner *r)
{
    (void)r;
    static const char advice[] =
        "wait_ms: compute one absolute deadline (tl_deadline_monotonic, on the condition variable "
        "tl_cond_init_monotonic made) and loop on pthread_cond_timedwait until it returns "
        "ETIMEDOUT; then return whether a set() happened.";
    event *e = &t->e;
    int64_t start_ns = tl_now_ns();
    bool got = event_wait_ms(e, SHORT_TIMEOUT_MS);
    double waited = (double)(tl_now_ns() - start_ns) / 1e6;
    event_set(e);
    bool then = event_wait_ms(e, t->bound_ms);
    bool ok = !got && waited >= SHORT_TIMEOUT_MS - EARLY_SLACK_MS && then;
    t->result = verdict(ok, advice, "wait_ms(%d) with nobody setting: %s after %.0f ms; once set, "
                        "wait_ms(%ld): %s (expected false after at least %d ms, then true)",
                        SHORT_TIMEOUT_MS, got ? "true" : "false", waited, t->bound_ms,
                        then ? "true" : "false", SHORT_TIMEOUT_MS);
}

static event_check_result one_thread_check(runner_body *body, long bound_ms, const char *what)
{
    trial *t = trial_new(bound_ms);
    start(t, body, 0);
    long limit = 2 * bound_ms + SHORT_TIMEOUT_MS;
    if (await_returned(t, 1, limit) < 1)
        return finish(t, verdict(false, "A call that never returns holds the mutex, or waits "
                                 "although the flag is up: check every path unlocks the mutex "
                                 "and that wait looks at the flag before it blocks.",
                                 "%s did not return within %ld ms", what, limit));
    return finish(t, t->result);
}

event_check_result event_check_flag(const event_check_config *cfg)
{
    return one_thread_check(flag_body, cfg->bound_ms, "set/clear/is_set/wait on one thread");
}

event_check_result event_check_timeout(const event_check_config *cfg)
{
    return one_thread_check(timeout_body, cfg->bound_ms, "wait_ms()");
}

/* ---- waiters ---- */

/* arg 0: wait(); arg 1: wait_ms() with a timeout far beyond the check's bound. result: 1 set. */
static void waiter(trial *t, runner *r)
{
    if (r->arg == 0) {
        event_wait(&t->e);
        r->result = 1;
    } else {
        r->result = event_wait_ms(&t->e, 4 * t->bound_ms);
    }
}

static void setter(trial *t, runner *r)
{
    event_set(&t->e);
    if (r->arg)
        event_clear(&t->e);
}

/* Until the event's waits counter reaches n (everyone is waiting), a runner returns, or the
 * bound passes. The lock is taken with a deadline: a broken event may never unlock it. */
static bool all_waiting(trial *t, long n, bool *someone_returned)
{
    struct timespec deadline = tl_deadline_monotonic(t->bound_ms);
    for (;;) {
        if ((*someone_returned = returned_count(t) > 0))
            return false;
        struct timespec lock_deadline = tl_deadline_realtime(tl_ms_until(deadline));
        if (TL_CHECK_EXPECT(pthread_mutex_timedlock(&t->e.lock, &lock_deadline), ETIMEDOUT) != 0)
            return false;
        bool reached = t->e.waits >= (unsigned long)n;
        TL_CHECK(pthread_mutex_unlock(&t->e.lock));
        if (reached)
            return true;
        if (tl_ms_until(deadline) == 0)
            return false;
        tl_sleep_ms(1);
    }
}

static event_check_result check_wakes_all(const event_check_config *cfg, bool then_clear)
{
    static const char advice_all[] =
        "set() must wake EVERY waiting thread: pthread_cond_broadcast, not pthread_cond_signal "
        "(which wakes at most one).";
    static const char advice_clear[] =
        "A waiter that was waiting when set() ran must return \"set\" even if clear() came right "
        "after: remember the generation when the wait begins and wait only while the flag is "
        "down AND the generation is unchanged (set() increments it); set() must broadcast.";
    const char *advice = then_clear ? advice_clear : advice_all;
    const char *what = then_clear ? "set() then clear() at once" : "one set()";
    trial *t = trial_new(cfg->bound_ms);
    int n = cfg->waiters < EVENT_CHECK_MAX_WAITERS ? cfg->waiters : EVENT_CHECK_MAX_WAITERS;
    for (int i = 0; i < n; i++)
        start(t, waiter, i % 2);
    bool someone_returned;
    if (!all_waiting(t, n, &someone_returned))
        return finish(t, verdict(false, advice, "before any set(): %s (expected all %d waiting)",
                                 someone_returned ? "a waiter returned" :
                                 "not every waiter was waiting within the bound", n));
    start(t, setter, then_clear);
    await_returned(t, n + 1, cfg->bound_ms);
    int woke = 0, gave_up = 0;
    for (int i = 0; i < n; i++) {
        if (!has_returned(&t->runners[i]))
            continue;
        woke += t->runners[i].result == 1;
        gave_up += t->runners[i].result != 1;
    }
    return finish(t, verdict(woke == n, advice, "%s with %d threads waiting (half in wait(), half "
                             "in wait_ms()): %d returned true, %d false, %d still waiting (given "
                             "%ld ms; expected all %d true)", what, n, woke, gave_up,
                             n - woke - gave_up, cfg->bound_ms, n));
}

event_check_result event_check_set_wakes_all(const event_check_config *cfg)
{
    return check_wakes_all(cfg, false);
}

event_check_result event_check_set_clear_wakes_all(const event_check_config *cfg)
{
    return check_wakes_all(cfg, true);
}
