/* Breaks {lock_both_or_neither.backs_off}: the back-off's random state is one static variable that every caller updates without a lock (a data race). */
#include "exercise.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "clock.h"

int lock_with_timeout(pthread_mutex_t *m, long timeout_ms)
{
    /* pthread_mutex_timedlock wants "until when", on CLOCK_REALTIME (POSIX gives no choice).
     * An absolute deadline is what a waiter woken early needs: it waits again until the same
     * moment, instead of starting its timeout over. */
    if (timeout_ms < 0)
        timeout_ms = 0;
    struct timespec deadline;
    if (clock_gettime(CLOCK_REALTIME, &deadline) != 0)
        TL_DIE("clock_gettime(CLOCK_REALTIME) failed");
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { /* tv_nsec must stay below one second, or EINVAL */
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    /* Even with the deadline already passed, a free mutex is taken (POSIX says so): a timeout
     * of 0 means "only if it is free now". */
    return TL_CHECK_EXPECT(pthread_mutex_timedlock(m, &deadline), ETIMEDOUT);
}

/* A different sequence per thread and call, so two threads backing off never sleep alike. */
static long random_backoff_ms(uint64_t *state, long max_ms)
{
    *state ^= *state << 13, *state ^= *state >> 7, *state ^= *state << 17; /* xorshift64 */
    return 1 + (long)(*state % (uint64_t)max_ms);
}

int lock_both_or_neither(pthread_mutex_t *first, pthread_mutex_t *second, long timeout_ms, long overall_ms)
{
    /* The overall budget is a duration, so it is kept on the monotonic clock: setting the wall
     * clock must not shorten or stretch it. */
    struct timespec give_up = tl_deadline_monotonic(overall_ms);
    static uint64_t rng = 88172645463325252u; /* shared by every caller */
    for (;;) {
        /* No try may outlast the budget, so ETIMEDOUT comes when it is spent, not a try later. */
        long left = tl_ms_until(give_up);
        if (lock_with_timeout(first, left < timeout_ms ? left : timeout_ms) == 0) {
            left = tl_ms_until(give_up);
            if (lock_with_timeout(second, left < timeout_ms ? left : timeout_ms) == 0)
                return 0;
            /* All or nothing: never go on holding one lock while the other is out of reach.
             * A thread holding `second` and waiting for `first` can now take it. */
            TL_CHECK(pthread_mutex_unlock(first));
        }
        left = tl_ms_until(give_up);
        if (left == 0)
            return ETIMEDOUT;
        long pause = random_backoff_ms(&rng, timeout_ms);
        tl_sleep_ms(pause < left ? pause : left);
    }
}
