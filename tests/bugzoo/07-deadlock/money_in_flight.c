/* Breaks {transfer.holds_both}: debits under `from`'s lock, unlocks it, then locks `to` and credits (money in flight). */
#include "exercise.h"

#include <errno.h>

#include "check.h"

int transfer(account *from, account *to, long amount)
{
    /* One account: nothing to move, and asking for a lock we already hold would be a
     * deadlock with ourselves. */
    if (from == to)
        return 0;

    /* One lock at a time: a thread that never holds two locks can never deadlock. */
    TL_CHECK(tl_tlock_lock(&from->lock));
    from->balance -= amount;
    TL_CHECK(tl_tlock_unlock(&from->lock));
    TL_CHECK(tl_tlock_lock(&to->lock));
    to->balance += amount;
    TL_CHECK(tl_tlock_unlock(&to->lock));
    return 0;
}
