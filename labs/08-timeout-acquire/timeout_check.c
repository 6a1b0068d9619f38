#include "timeout_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bounded.h"
#include "check.h"
#include "clock.h"
#include "event.h"
#include "exercise.h"

#define MARGIN_MS 2000L /* on top of every bound, before a call counts as never returning */

static timeout_check verdict(bool passed, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static timeout_check verdict(bool passed, const char *advice, const char *fmt, ...)
{
    timeout_check r = {.passed = passed};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    snprintf(r.advice, sizeof r.advice, "%s", passed ? "" : advice);
    return r;
}

/* ---- a bench: two mutexes, the call under test on its own thread, the helper threads ---- */

typedef struct {
    pthread_mutex_t *m;
    long max_hold_ms; /* lets go after this at the latest, even if nobody says so */
    tl_event taken, release;
    pthread_t id;
} holder;

/* The other side of lab07's deadlock: holds `second`, then wants `first` (see the header). */
typedef struct {
    pthread_mutex_t *first, *second;
    long bound_ms;
    tl_event holds_second;
    int rc;
    pthread_t id;
} rival;

/* On the heap: if the call never returns, its thread keeps using the bench, which is leaked. */
typedef struct {
    pthread_mutex_t first, second;
    bool both; /* lock_both_or_neither(first, second), else lock_with_timeout(first) */
    long timeout_ms, overall_ms;
    int rc;
    double ms;
    bool held_first, held_second; /* what the call left its thread holding */
    holder holder;
    bool has_holder;
    rival rival;
    bool has_rival;
} bench;

static void mutex_init_errorcheck(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    TL_CHECK(pthread_mutexattr_init(&attr));
    TL_CHECK(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK));
    TL_CHECK(pthread_mutex_init(m, &attr));
    TL_CHECK(pthread_mutexattr_destroy(&attr));
}

/* Whether the calling thread holds m (an ERRORCHECK mutex), releasing it if so. A timed lock whose
 * deadline has passed never waits: EDEADLK means "you hold it already", ETIMEDOUT that another
 * thread holds it, 0 that it was free (and is let go again). (Unlocking to find out, with EPERM
 * for "not yours", would do too, but ThreadSanitizer reports every such unlock as a bug.) */
static bool release_if_mine(pthread_mutex_t *m)
{
    struct timespec now = tl_deadline_realtime(0);
    int rc = pthread_mutex_timedlock(m, &now);
    if (rc != EDEADLK && TL_CHECK_EXPECT(rc, ETIMEDOUT) == ETIMEDOUT)
        return false;
    TL_CHECK(pthread_mutex_unlock(m));
    return rc == EDEADLK;
}

static bench *bench_new(bool both, long timeout_ms, long overall_ms)
{
    bench *b = tl_xcalloc(1, sizeof *b);
    mutex_init_errorcheck(&b->first);
    mutex_init_errorcheck(&b->second);
    b->both = both;
    b->timeout_ms = timeout_ms;
    b->overall_ms = overall_ms;
    return b;
}

static void *hold(void *arg)
{
    holder *h = arg;
    TL_CHECK(pthread_mutex_lock(h->m)); /* free: the bench's call has not started yet */
    tl_event_set(&h->taken);
    (void)tl_event_wait_ms(&h->release, h->max_hold_ms);
    TL_CHECK(pthread_mutex_unlock(h->m));
    return NULL;
}

/* Returns once the holder holds m. */
static void start_holder(bench *b, pthread_mutex_t *m, long max_hold_ms)
{
    holder *h = &b->holder;
    h->m = m;
    h->max_hold_ms = max_hold_ms;
    tl_event_init(&h->taken);
    tl_event_init(&h->release);
    TL_CHECK(pthread_create(&h->id, NULL, hold, h));
    tl_event_wait(&h->taken); /* the mutex is free, so this takes microseconds */
    b->has_holder = true;
}

static void *want_first_while_holding_second(void *arg)
{
    rival *r = arg;
    TL_CHECK(pthread_mutex_lock(r->second));
    tl_event_set(&r->holds_second);
    /* Wait (bounded) until the call under test holds `first`: only then is this a deadlock. */
    int64_t stop_polling = tl_now_ns() + r->bound_ms * 1000000L;
    while (tl_now_ns() < stop_polling && TL_CHECK_EXPECT(pthread_mutex_trylock(r->first), EBUSY) == 0) {
        TL_CHECK(pthread_mutex_unlock(r->first));
        tl_sleep_ms(1);
    }
    struct timespec deadline = tl_deadline_realtime(r->bound_ms);
    r->rc = TL_CHECK_EXPECT(pthread_mutex_timedlock(r->first, &deadline), ETIMEDOUT);
    if (r->rc == 0)
        TL_CHECK(pthread_mutex_unlock(r->first));
    TL_CHECK(pthread_mutex_unlock(r->second));
    return NULL;
}

static void start_rival(bench *b, long bound_ms)
{
    rival *r = &b->rival;
    r->first = &b->first;
    r->second = &b->second;
    r->bound_ms = bound_ms;
    tl_event_init(&r->holds_second);
    TL_CHECK(pthread_create(&r->id, NULL, want_first_while_holding_second, r));
    tl_event_wait(&r->holds_second);
    b->has_rival = true;
}

static void call_under_test(void *arg)
{
    bench *b = arg;
    int64_t start = tl_now_ns();
    b->rc = b->both ? lock_both_or_neither(&b->first, &b->second, b->timeout_ms, b->overall_ms)
                    : lock_with_timeout(&b->first, b->timeout_ms);
    b->ms = (double)(tl_now_ns() - start) / 1e6;
    b->held_first = release_if_mine(&b->first);
    b->held_second = release_if_mine(&b->second);
}

/* Runs the call and waits for it at most bound_ms. True: it returned, the helpers are joined and
 * the bench is freed by bench_free. False: all threads are detached and the bench is leaked. */
static bool run_call(bench *b, long bound_ms)
{
    if (!tl_call_bounded(call_under_test, b, bound_ms)) {
        if (b->has_holder)
            TL_CHECK(pthread_detach(b->holder.id));
        if (b->has_rival)
            TL_CHECK(pthread_detach(b->rival.id));
        return false;
    }
    if (b->has_holder) {
        tl_event_set(&b->holder.release);
        TL_CHECK(pthread_join(b->holder.id, NULL));
    }
    if (b->has_rival)
        TL_CHECK(pthread_join(b->rival.id, NULL)); /* its waits are bounded */
    return true;
}

static void bench_free(bench *b)
{
    if (b->has_holder) {
        tl_event_destroy(&b->holder.taken);
        tl_event_destroy(&b->holder.release);
    }
    if (b->has_rival)
        tl_event_destroy(&b->rival.holds_second);
    TL_CHECK(pthread_mutex_destroy(&b->first));
    TL_CHECK(pthread_mutex_destroy(&b->second));
    free(b);
}

static timeout_check never_returned(const char *what, long bound_ms)
{
    return verdict(false, "Every wait needs a deadline: use pthread_mutex_timedlock (not pthread_mutex_lock), "
                   "and make every retry loop stop once the overall time is spent.",
                   "%s did not return within %ld ms (expected it to give up long before)", what, bound_ms);
}

/* ---- lock_with_timeout ---- */

#define TIMEDLOCK_ADVICE                                                                            \
    "Use pthread_mutex_timedlock with an ABSOLUTE deadline on CLOCK_REALTIME: clock_gettime(" \
    "CLOCK_REALTIME, &ts), then add the timeout (seconds to tv_sec, the rest to tv_nsec, carrying " \
    "into tv_sec when tv_nsec reaches 1000000000), or use tl_deadline_realtime from common/clock.h."

timeout_check check_free_mutex_taken_at_once(long timeout_ms)
{
    bench *b = bench_new(false, timeout_ms, 0);
    if (!run_call(b, timeout_ms + MARGIN_MS))
        return never_returned("lock_with_timeout on a free mutex", timeout_ms + MARGIN_MS);
    timeout_check r = verdict(b->rc == 0 && b->held_first && b->ms < (double)timeout_ms,
                              "A free mutex is taken at once: return 0 holding it, without waiting out the "
                              "timeout.",
                              "lock_with_timeout(free mutex, %ld ms) returned %s after %.1f ms, %s (expected 0 at "
                              "once, holding it)", timeout_ms, tl_errno_name(b->rc), b->ms,
                              b->held_first ? "holding the mutex" : "NOT holding the mutex");
    bench_free(b);
    return r;
}

timeout_check check_held_mutex_times_out(long timeout_ms, long bound_ms)
{
    bench *b = bench_new(false, timeout_ms, 0);
    start_holder(b, &b->first, bound_ms);
    if (!run_call(b, bound_ms + MARGIN_MS))
        return never_returned("lock_with_timeout on a held mutex", bound_ms + MARGIN_MS);
    bool in_time = b->ms >= (double)timeout_ms - TOLERANCE_MS && b->ms < (double)bound_ms;
    timeout_check r = verdict(b->rc == ETIMEDOUT && in_time && !b->held_first,
                              b->rc == 0 ? "It waited until the holder let go: the timeout was ignored. "
                              TIMEDLOCK_ADVICE
                              : b->ms < (double)timeout_ms ? "It gave up before the timeout: is the deadline "
                              "now + timeout_ms, with milliseconds converted right (1 ms = 1000000 ns)?"
                              : TIMEDLOCK_ADVICE,
                              "lock_with_timeout(mutex held by another thread, %ld ms) returned %s after %.1f ms "
                              "(expected ETIMEDOUT after %ld ms; the holder held it for %ld ms)", timeout_ms,
                              tl_errno_name(b->rc), b->ms, timeout_ms, bound_ms);
    bench_free(b);
    return r;
}

timeout_check check_released_mutex_taken_during_wait(long hold_ms, long timeout_ms)
{
    bench *b = bench_new(false, timeout_ms, 0);
    start_holder(b, &b->first, hold_ms);
    if (!run_call(b, timeout_ms + MARGIN_MS))
        return never_returned("lock_with_timeout on a mutex released during the wait", timeout_ms + MARGIN_MS);
    timeout_check r = verdict(b->rc == 0 && b->held_first && b->ms < (double)timeout_ms,
                              "Wait IN the lock call (pthread_mutex_timedlock), not by sleeping and then "
                              "trying: the call returns as soon as the mutex is free.",
                              "the holder let go after %ld ms; lock_with_timeout(%ld ms) returned %s after "
                              "%.1f ms (expected 0 then, holding it, long before its timeout)", hold_ms,
                              timeout_ms, tl_errno_name(b->rc), b->ms);
    bench_free(b);
    return r;
}

timeout_check check_zero_timeout_does_not_wait(long bound_ms)
{
    bench *b = bench_new(false, 0, 0);
    start_holder(b, &b->first, bound_ms);
    if (!run_call(b, bound_ms + MARGIN_MS))
        return never_returned("lock_with_timeout(held mutex, 0 ms)", bound_ms + MARGIN_MS);
    timeout_check r = verdict(b->rc == ETIMEDOUT && !b->held_first && b->ms < (double)bound_ms,
                              "A timeout of 0 means \"only if it is free now\": a deadline of now, which "
                              "pthread_mutex_timedlock answers with ETIMEDOUT at once when the mutex is held.",
                              "lock_with_timeout(mutex held by another thread, 0 ms) returned %s after %.1f ms "
                              "(expected ETIMEDOUT at once)", tl_errno_name(b->rc), b->ms);
    bench_free(b);
    return r;
}

/* ---- lock_both_or_neither ---- */

#define ALL_OR_NOTHING_ADVICE                                                                       \
    "All or nothing: when `second` cannot be had in time, unlock `first` before you back off or " \
    "give up, so you never return (or sleep) holding only one of them."

timeout_check check_both_free_taken(long timeout_ms)
{
    bench *b = bench_new(true, timeout_ms, 10 * timeout_ms);
    if (!run_call(b, 10 * timeout_ms + MARGIN_MS))
        return never_returned("lock_both_or_neither on two free mutexes", 10 * timeout_ms + MARGIN_MS);
    timeout_check r = verdict(b->rc == 0 && b->held_first && b->held_second,
                              "With both mutexes free, take first, then second, and return 0 holding both.",
                              "lock_both_or_neither(two free mutexes) returned %s holding %s (expected 0 "
                              "holding both)", tl_errno_name(b->rc),
                              b->held_first && b->held_second ? "both"
                              : b->held_first                 ? "only first"
                              : b->held_second                ? "only second"
                                                              : "neither");
    bench_free(b);
    return r;
}

timeout_check check_one_held_takes_neither(bool first_held, long timeout_ms, long overall_ms, long bound_ms)
{
    bench *b = bench_new(true, timeout_ms, overall_ms);
    start_holder(b, first_held ? &b->first : &b->second, bound_ms);
    if (!run_call(b, bound_ms + overall_ms + MARGIN_MS))
        return never_returned("lock_both_or_neither with one mutex held", bound_ms + overall_ms + MARGIN_MS);
    const char *held = b->held_first && b->held_second ? "both"
                       : b->held_first                 ? "`first`"
                       : b->held_second                ? "`second`"
                                                       : "neither";
    const char *advice = ALL_OR_NOTHING_ADVICE;
    if (b->rc == 0)
        advice = "It waited until the holder let go: each try must give up after timeout_ms (use "
                 "lock_with_timeout), and the whole call after overall_ms.";
    else if (!b->held_first && !b->held_second && b->ms < (double)overall_ms - TOLERANCE_MS)
        advice = "It gave up too early: back off and try again until overall_ms have passed since the call.";
    timeout_check r = verdict(b->rc == ETIMEDOUT && !b->held_first && !b->held_second &&
                                  b->ms >= (double)overall_ms - TOLERANCE_MS && b->ms < (double)bound_ms,
                              advice,
                              "another thread held `%s` for %ld ms; lock_both_or_neither(try %ld ms, overall %ld "
                              "ms) returned %s after %.1f ms holding %s (expected ETIMEDOUT after %ld ms, holding "
                              "neither)", first_held ? "first" : "second", bound_ms, timeout_ms, overall_ms,
                              tl_errno_name(b->rc), b->ms, held, overall_ms);
    bench_free(b);
    return r;
}

timeout_check check_retries_until_free(long hold_ms, long timeout_ms, long overall_ms)
{
    bench *b = bench_new(true, timeout_ms, overall_ms);
    start_holder(b, &b->second, hold_ms);
    if (!run_call(b, overall_ms + MARGIN_MS))
        return never_returned("lock_both_or_neither while `second` is held for a while", overall_ms + MARGIN_MS);
    timeout_check r = verdict(b->rc == 0 && b->held_first && b->held_second && b->ms < (double)overall_ms,
                              "A failed try is not the end: back off and try again until overall_ms have passed; "
                              "`second` is free again long before that.",
                              "another thread held `second` for %ld ms; lock_both_or_neither(try %ld ms, overall "
                              "%ld ms) returned %s after %.1f ms (expected 0 holding both, soon after %ld ms)",
                              hold_ms, timeout_ms, overall_ms, tl_errno_name(b->rc), b->ms, hold_ms);
    bench_free(b);
    return r;
}

timeout_check check_backs_off_for_opposite_order(long timeout_ms, long overall_ms, long bound_ms)
{
    bench *b = bench_new(true, timeout_ms, overall_ms);
    start_rival(b, bound_ms);
    long call_bound = 2 * bound_ms + overall_ms + MARGIN_MS;
    if (!run_call(b, call_bound))
        return never_returned("lock_both_or_neither against a thread taking the mutexes the other way", call_bound);
    timeout_check r;
    if (b->rc == 0 && b->held_first && b->held_second && b->rival.rc == 0)
        r = verdict(true, "", "a thread holding `second` and wanting `first` got it while lock_both_or_neither "
                    "backed off; the call then returned 0 after %.1f ms, holding both (expected the same)", b->ms);
    else if (b->rival.rc != 0)
        r = verdict(false, ALL_OR_NOTHING_ADVICE,
                    "a thread holding `second` waited %ld ms for `first` and never got it: lock_both_or_neither "
                    "kept `first` while it waited for `second` (expected it to let go when its %ld ms try "
                    "failed). Two threads doing that in opposite orders deadlock",
                    bound_ms, timeout_ms);
    else if (b->held_first != b->held_second)
        r = verdict(false, ALL_OR_NOTHING_ADVICE,
                    "against a thread holding `second` and wanting `first`, lock_both_or_neither returned %s "
                    "holding only `%s` (expected 0 holding both, or ETIMEDOUT holding neither)", tl_errno_name(b->rc),
                    b->held_first ? "first" : "second");
    else
        r = verdict(false, "After backing off, try again until overall_ms have passed: once the other thread is "
                    "done, both mutexes are free.",
                    "a thread holding `second` and wanting `first` got it while lock_both_or_neither backed off, "
                    "but the call then returned %s after %.1f ms (expected 0 holding both)", tl_errno_name(b->rc), b->ms);
    bench_free(b);
    return r;
}

/* ---- two callers, opposite orders ---- */

typedef struct opposite_run opposite_run;

typedef struct {
    opposite_run *run;
    bool reversed; /* takes (second, first) instead of (first, second) */
    long taken, failed, one_held;
} opposite_caller;

/* On the heap: if a call never returns, its thread keeps using the run, which is leaked. */
struct opposite_run {
    pthread_mutex_t first, second;
    long rounds, timeout_ms, overall_ms;
    opposite_caller callers[2];
};

static void call_in_a_loop(void *arg)
{
    opposite_caller *c = arg;
    opposite_run *run = c->run;
    pthread_mutex_t *a = c->reversed ? &run->second : &run->first;
    pthread_mutex_t *b = c->reversed ? &run->first : &run->second;
    for (long i = 0; i < run->rounds; i++) {
        int rc = lock_both_or_neither(a, b, run->timeout_ms, run->overall_ms);
        if (rc == 0)
            tl_sleep_us(500); /* the work done holding both: the other caller collides with it */
        bool held_a = release_if_mine(a), held_b = release_if_mine(b);
        c->taken += rc == 0 && held_a && held_b;
        c->failed += rc != 0;
        c->one_held += held_a != held_b;
    }
}

timeout_check check_opposite_callers_both_succeed(long rounds, long timeout_ms, long overall_ms, long bound_ms)
{
    opposite_run *run = tl_xcalloc(1, sizeof *run);
    mutex_init_errorcheck(&run->first);
    mutex_init_errorcheck(&run->second);
    run->rounds = rounds;
    run->timeout_ms = timeout_ms;
    run->overall_ms = overall_ms;
    tl_bounded_group *callers = tl_bounded_group_new(2);
    for (int i = 0; i < 2; i++) {
        run->callers[i] = (opposite_caller){.run = run, .reversed = i == 1};
        tl_bounded_start(callers, call_in_a_loop, &run->callers[i]);
    }
    tl_bounded_await(callers, 2, bound_ms);
    if (!tl_bounded_finish(callers)) {
        return verdict(false, "Two threads that each hold one mutex and wait for the other are lab07's "
                       "deadlock: each try must give up after timeout_ms and let go of `first`.",
                       "two threads calling lock_both_or_neither in opposite orders, %ld times each, did not "
                       "finish within %ld ms (expected well under a second)", rounds, bound_ms);
    }
    long taken = 0, failed = 0, one_held = 0;
    for (int i = 0; i < 2; i++) {
        taken += run->callers[i].taken;
        failed += run->callers[i].failed;
        one_held += run->callers[i].one_held;
    }
    timeout_check r = verdict(taken == 2 * rounds,
                              one_held > 0 ? ALL_OR_NOTHING_ADVICE
                                           : "Back off for a short RANDOM time after a failed try, so the two "
                                             "threads stop colliding, and retry until overall_ms have passed.",
                              "two threads calling lock_both_or_neither(try %ld ms, overall %ld ms) in opposite "
                              "orders, %ld times each: %ld took both, %ld gave up, %ld returned holding one "
                              "(expected %ld, 0, 0)", timeout_ms, overall_ms, rounds, taken, failed, one_held,
                              2 * rounds);
    TL_CHECK(pthread_mutex_destroy(&run->first));
    TL_CHECK(pthread_mutex_destroy(&run->second));
    free(run);
    return r;
}
