/* The grader of lab08's exercise: lock_with_timeout and lock_both_or_neither
 * (labs/08-timeout-acquire/exercise.h). The checks live in labs/08-timeout-acquire/timeout_check.c,
 * shared with the lab: each call runs on a thread of its own under a deadline, against helper
 * threads that hold a mutex for a bounded time, so a call that ignores its timeout comes back late
 * (and fails) instead of hanging. Timing is checked one way only: never before the timeout; the
 * upper bounds are generous (the holder's hold, 10x the timeout or more). */
#include <stdbool.h>

#include "exercise.h"
#include "harness.h"
#include "timeout_check.h"

/* How long a helper thread holds a mutex at most: the generous upper bound. */
static long bound_ms(void)
{
    return (long)(1000 * tl_timeout_scale());
}

static void expect_check(timeout_check r)
{
    if (!r.passed)
        tl_hint("%s", r.advice); /* the check knows best what its observation means */
    TL_ASSERT(r.passed, "%s", r.summary);
}

/* ---- lock_with_timeout ---- */

static void free_mutex_is_taken_at_once(void)
{
    tl_hint("lock_with_timeout on a free mutex must return 0 holding it, without waiting.");
    expect_check(check_free_mutex_taken_at_once(bound_ms()));
}

static void held_mutex_times_out(void)
{
    tl_hint("lock_with_timeout on a mutex another thread holds must give up after the timeout with "
            "ETIMEDOUT: use pthread_mutex_timedlock with an absolute CLOCK_REALTIME deadline.");
    expect_check(check_held_mutex_times_out(100, bound_ms()));
}

static void timeout_counts_seconds_and_nanoseconds(void)
{
    tl_hint("a timeout of 1250 ms is 1 s in tv_sec and 250000000 ns in tv_nsec, with a carry into tv_sec "
            "when tv_nsec passes 999999999 (else pthread_mutex_timedlock fails with EINVAL).");
    expect_check(check_held_mutex_times_out(1250, bound_ms() + 1250));
}

static void mutex_released_during_the_wait_is_taken_then(void)
{
    tl_hint("lock_with_timeout must return as soon as the mutex is free: wait inside "
            "pthread_mutex_timedlock, not by sleeping out the timeout and then trying.");
    expect_check(check_released_mutex_taken_during_wait(100, bound_ms()));
}

static void zero_timeout_does_not_wait(void)
{
    tl_hint("lock_with_timeout(m, 0) on a held mutex must return ETIMEDOUT at once: a deadline of now.");
    expect_check(check_zero_timeout_does_not_wait(bound_ms()));
}

/* ---- lock_both_or_neither ---- */

static void two_free_mutexes_are_both_taken(void)
{
    tl_hint("lock_both_or_neither on two free mutexes must return 0 holding both.");
    expect_check(check_both_free_taken(50));
}

static void second_held_gives_up_holding_neither(void)
{
    tl_hint("when `second` stays held, lock_both_or_neither must return ETIMEDOUT after overall_ms, "
            "having released `first`: all or nothing.");
    expect_check(check_one_held_takes_neither(false, 50, 200, bound_ms()));
}

static void first_held_gives_up_holding_neither(void)
{
    tl_hint("when `first` stays held, lock_both_or_neither must return ETIMEDOUT after overall_ms, never "
            "holding `second` on its own.");
    expect_check(check_one_held_takes_neither(true, 50, 200, bound_ms()));
}

static void retries_until_second_is_free(void)
{
    tl_hint("after a failed try, back off and try again until overall_ms have passed: `second` is "
            "released after 200 ms here, so the call must end up holding both.");
    expect_check(check_retries_until_free(200, 50, bound_ms()));
}

static void opposite_order_thread_gets_through(void)
{
    tl_hint("a thread holds `second` and waits for `first`, the other half of lab07's deadlock: when your "
            "try on `second` fails, unlock `first` and back off, so that thread can take it.");
    expect_check(check_backs_off_for_opposite_order(50, bound_ms(), bound_ms()));
}

static void opposite_callers_both_get_through(void)
{
    tl_hint("two threads call lock_both_or_neither in opposite orders, 50 times each: every call must end "
            "holding both. Without letting go of `first` they deadlock; without a random back-off they can "
            "keep colliding.");
    expect_check(check_opposite_callers_both_succeed(50, 20, bound_ms(), 2 * bound_ms()));
}

void tl_register_suites(void)
{
    CU_pSuite timed = tl_suite("lock_with_timeout");
    tl_test(timed, "a free mutex is taken at once", free_mutex_is_taken_at_once);
    tl_test(timed, "a held mutex: ETIMEDOUT, not before the timeout", held_mutex_times_out);
    tl_test(timed, "a 1250 ms timeout waits 1250 ms (seconds and nanoseconds)",
            timeout_counts_seconds_and_nanoseconds);
    tl_test(timed, "a mutex released during the wait is taken then", mutex_released_during_the_wait_is_taken_then);
    tl_test(timed, "a timeout of 0 does not wait", zero_timeout_does_not_wait);

    CU_pSuite both = tl_suite("lock_both_or_neither");
    tl_test(both, "two free mutexes: both taken", two_free_mutexes_are_both_taken);
    tl_test(both, "second held: ETIMEDOUT after the overall time, holding neither",
            second_held_gives_up_holding_neither);
    tl_test(both, "first held: ETIMEDOUT after the overall time, holding neither", first_held_gives_up_holding_neither);
    tl_test(both, "second released later: retried until both are held", retries_until_second_is_free);
    tl_test(both, "a thread taking them the other way gets through (back-off)", opposite_order_thread_gets_through);
    tl_test(both, "two callers in opposite orders: every call gets both", opposite_callers_both_get_through);
}
