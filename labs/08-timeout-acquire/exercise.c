/* exercise.c — your timed acquisition (lab08). Read exercise.h for the contract and README.md for
 * hints; `make check-lab08` grades it.
 *
 * As shipped, lock_with_timeout ignores its timeout and waits as long as it takes, and
 * lock_both_or_neither takes the first lock and then waits for the second while holding it:
 * "hold and wait", one of the four conditions every deadlock needs.
 */
#include "exercise.h"

#include <errno.h>

#include "check.h"
#include "clock.h"

int lock_with_timeout(pthread_mutex_t *m, long timeout_ms)
{
    /* TODO(exercise): give up after timeout_ms. pthread_mutex_timedlock takes an ABSOLUTE
     * deadline on CLOCK_REALTIME (now + timeout_ms, as a struct timespec), and returns ETIMEDOUT
     * when it passes. pthread_mutex_lock, below, waits forever if the holder never lets go. */
    (void)timeout_ms;
    TL_CHECK(pthread_mutex_lock(m));
    return 0;
}

int lock_both_or_neither(pthread_mutex_t *first, pthread_mutex_t *second, long timeout_ms, long overall_ms)
{
    /* TODO(exercise): all or nothing. When `second` cannot be had in time, release `first`,
     * back off a short random time, and try both again, until overall_ms have passed; then
     * return ETIMEDOUT holding neither. */
    (void)overall_ms;
    int rc = lock_with_timeout(first, timeout_ms);
    if (rc != 0)
        return rc;
    return lock_with_timeout(second, timeout_ms); /* on ETIMEDOUT it still holds `first` */
}
