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
 * (account.c; given, not part of the exercise.) */
void account_init(account *a, int id, long balance);

/* Pre: no thread holds or waits for a's lock. Post: the lock's resources are released. */
void account_destroy(account *a);

/* Moves `amount` from `from` to `to` (from->balance -= amount; to->balance += amount) while
 * holding both accounts' locks. Balances may go negative: this bank lends freely.
 * Pre: both accounts are initialised; the caller holds no account lock; amount >= 0.
 * Returns 0: the money moved, and both locks are free again.
 *         EDEADLK: a lock call returned EDEADLK (this thread was the victim of a deadlock).
 *                  Nothing moved, and the call released every lock it had taken (it backed
 *                  off, so the other threads of the cycle can go on). With a global lock order
 *                  this never happens.
 * from == to is allowed: nothing changes and it returns 0. (Taking the same lock twice would
 * be a deadlock with yourself.) */
int transfer(account *from, account *to, long amount);

#endif
