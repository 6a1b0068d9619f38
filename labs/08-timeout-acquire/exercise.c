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
    /* TODO(exercise): this waits as long as it takes: a holder that never lets go keeps the
     * caller here for ever, whatever timeout_ms says. Read what exercise.h promises for a
     * timeout of 0 or less, and README.md on what kind of deadline the timed call wants. */
    (void)timeout_ms;
    TL_CHECK(pthread_mutex_lock(m));
    return 0;
}

int lock_both_or_neither(pthread_mutex_t *first, pthread_mutex_t *second, long timeout_ms, long overall_ms)
{
    /* TODO(exercise): one try, and when `second` times out the caller is left holding `first`
     * while it gives up: the "hold and wait" of lab07's deadlock. exercise.h says what a failed
     * try must do, and what happens until overall_ms have passed. */
    (void)overall_ms;
    int rc = lock_with_timeout(first, timeout_ms);
    if (rc != 0)
        return rc;
    return lock_with_timeout(second, timeout_ms); /* on ETIMEDOUT it still holds `first` */
}
