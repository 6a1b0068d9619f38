/* transfer_check.h — checks of a transfer() (exercise.h) shared by lab07 (step 5) and its grader
 * (tests/graders/lab07.c).
 *
 * None of them can hang the caller: the threads of the stress check are waited for with a
 * deadline and abandoned (with their accounts) if they do not finish. They need not be: the
 * accounts' locks are traced, so a deadlock comes back from transfer() as EDEADLK, and the check
 * reports the cycle in words. The lock-order check needs no luck at all: it runs the two
 * directions one after the other and asks the lock-order checker what it saw.
 */
#ifndef LAB07_TRANSFER_CHECK_H
#define LAB07_TRANSFER_CHECK_H

#include <stdbool.h>

#include "locktrace.h"

typedef struct {
    bool passed;
    char summary[TL_TEXT_MAX + 256]; /* a verdict: what was observed, with what was expected */
    char advice[512];                /* on failure: what probably went wrong, what to change */
    long deadlocks;                  /* stress: transfers that returned EDEADLK */
    double seconds;                  /* stress: how long the transfers took */
} transfer_check;

/* One thread: transfer(a, b, 30) then transfer(b, a, 80) move exactly that, return 0, and leave
 * both locks free. */
transfer_check transfer_check_moves_money(void);

/* transfer(a, a, 10) returns 0, changes nothing and leaves a's lock free. */
transfer_check transfer_check_same_account(void);

/* The checker takes account 1's lock then account 2's itself (the agreed order), then calls
 * transfer(2 -> 1) and transfer(1 -> 2), one after the other: nothing can deadlock, but the
 * lock-order checker must see no inversion. The accounts are laid out in memory in the opposite
 * order of their ids, so an order by address is caught too. Resets locktrace's order table. */
transfer_check transfer_check_lock_order(void);

/* `threads` threads move money around a ring of `accounts` accounts, `rounds` transfers each:
 * thread i from account i % accounts to the next one (2 accounts: half of the threads one way,
 * half the other). Passes when every transfer returned 0 within timeout_ms, no deadlock was
 * reported, every balance is exactly what the transfers add up to, and the total is conserved. */
transfer_check transfer_check_stress(int accounts, int threads, long rounds, long timeout_ms);

#endif
