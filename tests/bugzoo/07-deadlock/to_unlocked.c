/* Breaks {transfer.holds_both}: locks only `from` and credits `to` without its lock (a data race). */
#include "exercise.h"

#include <errno.h>

#include "check.h"

int transfer(account *from, account *to, long amount)
{
    /* One account: nothing to move, and asking for a lock we already hold would be a
     * deadlock with ourselves. */
    if (from == to)
        return 0;

    /* The money leaves `from`: its lock guards the move, and one lock cannot deadlock. */
    TL_CHECK(tl_tlock_lock(&from->lock));
    from->balance -= amount;
    to->balance += amount;
    TL_CHECK(tl_tlock_unlock(&from->lock));
    return 0;
}
