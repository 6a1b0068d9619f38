/* exercise.h — lab07's exercise: move money between two accounts without ever deadlocking.
 *
 * Each account has a lock of its own, so transfers between different accounts run in parallel.
 * A transfer must hold BOTH accounts' locks while it moves the money; otherwise another transfer
 * could see, or overwrite, a half-done move. Taking them in argument order (from, then to)
 * deadlocks: transfer(a, b) holds a and waits for b while transfer(b, a) holds b and waits for a.
 * The cure is a global lock order: every transfer takes the lock of the LOWER account id first,
 * whichever way the money goes. A thread then never waits for a lower id while holding a higher
 * one, so no cycle of threads waiting for each other can form.
 *
 * The locks are traced (common/locktrace.h), so a deadlock is not a silent hang: the thread whose
 * wait would close the cycle gets EDEADLK at once. And the lock-order checker remembers every
 * order it has seen, so a wrong order is reported even on a run where timing hid the deadlock.
 */
#ifndef LAB07_EXERCISE_H
#define LAB07_EXERCISE_H

#include "locktrace.h"

typedef struct {
    int id;        /* unique per account; the global lock order goes by id, lowest first */
    long balance;  /* guarded by lock */
    tl_tlock lock; /* a traced lock named "account <id>" */
} account;

/* Pre: a is not initialised. Post: a has this id and balance, and a free lock "account <id>".
 * (account.c; given, not part of the exercise, so no check tests it.) */
void account_init(account *a, int id, long balance);

/* Pre: no thread holds or waits for a's lock. Post: the lock's resources are released.
 * (account.c; given, not part of the exercise.) */
void account_destroy(account *a);

/* Moves `amount` from `from` to `to`: from->balance -= amount and to->balance += amount, once
 * each, and returns 0; balances may go negative (this bank lends freely) {transfer.moves}.
 * Pre: both accounts are initialised; the caller holds no account lock; amount >= 0.
 *
 * It holds BOTH accounts' locks from before it reads either balance until after it has written
 * both: no other thread that takes the two locks ever sees the money gone from one account and
 * not yet in the other, and no update made meanwhile under a lock is overwritten
 * {transfer.holds_both}. It takes the lock of the account with the LOWER id first, whichever way
 * the money goes, and holds it while it takes the other (the global lock order; ids, not
 * addresses or balances) {transfer.order}. When it returns 0, both locks are free again
 * {transfer.unlocks}. So any number of transfers, between any accounts in any directions, run
 * at the same time without a deadlock: none of them returns EDEADLK, and every balance ends
 * exactly as the transfers add up {transfer.no_deadlock}.
 *
 * Returns EDEADLK when one of its lock calls returned EDEADLK (this thread was the victim of a
 * deadlock, which with the global order only happens when another thread broke it): then
 * nothing moved, and it released every lock it had taken before returning (it backed off, so
 * the other threads of the cycle can go on) {transfer.backs_off}.
 *
 * from == to is allowed: nothing changes, no lock stays held, and it returns 0 (taking the same
 * lock twice would be a deadlock with yourself) {transfer.same_account}. */
int transfer(account *from, account *to, long amount);

#endif
