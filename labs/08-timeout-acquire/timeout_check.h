/* timeout_check.h — checks of lock_with_timeout and lock_both_or_neither (exercise.h), shared by
 * lab08 (step 3) and its grader (tests/graders/lab08.c).
 *
 * None of them can hang the caller. The call under test runs on a thread of its own and is
 * waited for with a deadline (a call that never returns is reported, and abandoned with its
 * mutexes). The helper threads that hold a mutex against the call let go after `bound_ms` at the
 * latest, so a lock_with_timeout that ignores its timeout returns then — late, which the check
 * reports — instead of hanging. The mutexes are PTHREAD_MUTEX_ERRORCHECK, so after the call its
 * own thread can ask each one "do I hold you?" (a relock answers EDEADLK) and release it.
 *
 * Time is measured on the monotonic clock. "Not before the timeout" allows TOLERANCE_MS for
 * clock granularity; the upper bound is only generous: returned while the holder still held on.
 */
#ifndef LAB08_TIMEOUT_CHECK_H
#define LAB08_TIMEOUT_CHECK_H

#include <stdbool.h>

#define TOLERANCE_MS 2.0

typedef struct {
    bool passed;
    char summary[400]; /* a verdict: what was observed, with what was expected */
    char advice[400];  /* on failure: what probably went wrong, what to change */
} timeout_check;

/* lock_with_timeout(free mutex, timeout_ms) returns 0 holding it, before the timeout passed. */
timeout_check check_free_mutex_taken_at_once(long timeout_ms);

/* Another thread holds the mutex (for up to bound_ms): ETIMEDOUT, not before timeout_ms, and
 * before the holder let go. */
timeout_check check_held_mutex_times_out(long timeout_ms, long bound_ms);

/* Another thread holds the mutex for hold_ms only: a call with a longer timeout returns 0 as soon
 * as it is free, well before its timeout. */
timeout_check check_released_mutex_taken_during_wait(long hold_ms, long timeout_ms);

/* Timeout 0 on a held mutex: ETIMEDOUT at once (before the holder lets go after bound_ms). */
timeout_check check_zero_timeout_does_not_wait(long bound_ms);

/* lock_both_or_neither on two free mutexes returns 0 holding both. */
timeout_check check_both_free_taken(long timeout_ms);

/* Another thread holds `second` (or, with first_held, `first`) for up to bound_ms: ETIMEDOUT, not
 * before overall_ms, holding neither. */
timeout_check check_one_held_takes_neither(bool first_held, long timeout_ms, long overall_ms, long bound_ms);

/* Another thread holds `second` for hold_ms, then lets go: the call retries meanwhile and returns
 * 0 holding both, before overall_ms. */
timeout_check check_retries_until_free(long hold_ms, long timeout_ms, long overall_ms);

/* The deadlock of lab07, with one side all-or-nothing: a thread holds `second`, waits until the
 * call holds `first`, then waits for `first` itself (up to bound_ms). The call must let go of
 * `first` when its try on `second` fails, so that thread gets it; then the call gets both. */
timeout_check check_backs_off_for_opposite_order(long timeout_ms, long overall_ms, long bound_ms);

/* Two threads call lock_both_or_neither `rounds` times each, one with (first, second), the other
 * with (second, first), holding both for a moment each time. Every call must return 0 holding
 * both; all of it within bound_ms. */
timeout_check check_opposite_callers_both_succeed(long rounds, long timeout_ms, long overall_ms, long bound_ms);

#endif
