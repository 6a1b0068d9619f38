/* Breaks {transfer.holds_both}: one bank-wide mutex instead of the two accounts' locks. */
#include "exercise.h"

#include <errno.h>

#include "check.h"

static pthread_mutex_t bank = PTHREAD_MUTEX_INITIALIZER;

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
    account *first = from->id < to->id ? from : to;
    account *second = first == from ? to : from;

    /* EDEADLK cannot come from this function's own two locks any more; it can only mean the
     * caller broke the precondition and holds another account lock. Back off all the same. */
    (void)first, (void)second; /* one lock for the whole bank: no order to get wrong */
    TL_CHECK(pthread_mutex_lock(&bank));
    from->balance -= amount;
    to->balance += amount;
    TL_CHECK(pthread_mutex_unlock(&bank));
    return 0;
}
