/* account.c — the bank accounts of lab07's exercise (the part you are given). */
#include <stdio.h>

#include "check.h"
#include "exercise.h"

void account_init(account *a, int id, long balance)
{
    /* One name per account: the lock-order checker keeps order per lock name, so accounts
     * sharing a name would all look like one lock and no inversion between them could show. */
    char name[TL_NAME_MAX];
    snprintf(name, sizeof name, "account %d", id);
    a->id = id;
    a->balance = balance;
    tl_tlock_init(&a->lock, name);
}

void account_destroy(account *a)
{
    TL_CHECK(tl_tlock_destroy(&a->lock));
}
