/* Breaks {transfer.order}: orders the locks by balance (a field that is not the id), read unlocked. */
#include "exercise.h"

#include <errno.h>

#include "check.h"

int transfer(account *from, account *to, long amount)
{
    /* One account: nothing to move, and asking for a lock we already hold would be a
     * deadlock with ourselves. */
    if (from == to)
        return 0;

    /* Every transfer takes the lower id first, whichever way the money goes. A thread holding
     * a lock only ever waits for a HIGHER id, so along any chain of "holds, waits for" the ids
     * keep rising: the chain can never come back to its start, and a deadlock needs exactly
     * that (a cycle). Ids, not argument order, because ids are the same for every caller. */
    account *first = from->balance < to->balance ? from : to;
    account *second = first == from ? to : from;

    /* EDEADLK cannot come from this function's own two locks any more; it can only mean the
     * caller broke the precondition and holds another account lock. Back off all the same. */
    int rc = TL_CHECK_EXPECT(tl_tlock_lock(&first->lock), EDEADLK);
    if (rc == EDEADLK)
        return EDEADLK;
    rc = TL_CHECK_EXPECT(tl_tlock_lock(&second->lock), EDEADLK);
    if (rc == EDEADLK) {
        TL_CHECK(tl_tlock_unlock(&first->lock));
        return EDEADLK;
    }
    from->balance -= amount;
    to->balance += amount;
    /* The unlock order does not matter for deadlock: unlocking never waits. */
    TL_CHECK(tl_tlock_unlock(&second->lock));
    TL_CHECK(tl_tlock_unlock(&first->lock));
    return 0;
}
