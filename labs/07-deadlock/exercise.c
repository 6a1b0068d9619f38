/* exercise.c — your transfer between two accounts (lab07). Read exercise.h for the contract and
 * README.md for hints; `make check-lab07` grades it.
 *
 * As shipped it takes the locks in argument order, from then to. Money is never lost — both
 * locks are held while it moves — but transfer(a, b) and transfer(b, a) running at the same time
 * can each hold one lock and wait for the other: a deadlock. The traced locks turn it into an
 * EDEADLK instead of a hang, and the lock-order checker reports the inverted order even when the
 * two transfers did not happen to overlap.
 */
#include "exercise.h"

#include <errno.h>

#include "check.h"

int transfer(account *from, account *to, long amount)
{
    /* TODO(exercise): transfer(a, a, n) must change nothing and return 0. Here it takes a's
     * lock, then asks for it again: a deadlock with itself (EDEADLK). */

    /* TODO(exercise): take the two locks in one global order, the lower account id first,
     * whichever way the money goes. "from, then to" is not an order: it is a different order
     * for every pair of callers that move money in opposite directions. */
    TL_CHECK(tl_tlock_lock(&from->lock));
    int rc = TL_CHECK_EXPECT(tl_tlock_lock(&to->lock), EDEADLK);
    if (rc == EDEADLK) {
        /* The victim of a deadlock: release what we hold so the other thread can finish. */
        TL_CHECK(tl_tlock_unlock(&from->lock));
        return EDEADLK;
    }
    from->balance -= amount;
    to->balance += amount;
    TL_CHECK(tl_tlock_unlock(&to->lock));
    TL_CHECK(tl_tlock_unlock(&from->lock));
    return 0;
}
