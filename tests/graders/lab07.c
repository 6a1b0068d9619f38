/* The grader of lab07's exercise: transfer() between two accounts without deadlock
 * (labs/07-deadlock/exercise.h). The checks live in labs/07-deadlock/transfer_check.c, shared
 * with the lab. The lock-order test needs no luck: it runs the two directions one after the other
 * and asks the lock-order checker, so a transfer in argument order fails it on every run. The
 * stress tests then run opposite transfers at the same time; the accounts' locks are traced, so a
 * deadlock comes back as EDEADLK and is reported in words instead of hanging the grader. */
#include "exercise.h"
#include "harness.h"
#include "transfer_check.h"

/* The stress runs' own bound, well inside the harness's deadline so a hang gets our message. */
static long stress_timeout_ms(void)
{
    return (long)(5000 * tl_timeout_scale());
}

static void expect_check(transfer_check r)
{
    if (!r.passed)
        tl_hint("%s", r.advice); /* the check knows best what its observation means */
    TL_ASSERT(r.passed, "%s", r.summary);
}

static void transfer_moves_the_money(void)
{
    tl_hint("transfer(from, to, n) must subtract n from `from`, add it to `to`, return 0 and unlock both.");
    expect_check(transfer_check_moves_money());
}

static void transfer_to_the_same_account_changes_nothing(void)
{
    tl_hint("transfer(a, a, n): return 0 before taking any lock; a lock cannot be taken twice.");
    expect_check(transfer_check_same_account());
}

static void locks_are_taken_lower_id_first(void)
{
    tl_hint("Take the lock of the account with the lower id first, whichever way the money goes.");
    expect_check(transfer_check_lock_order());
}

static void opposite_transfers_never_deadlock(void)
{
    tl_hint("4 threads move money between two accounts, half one way, half the other. If they "
            "deadlock, take the two locks in a global order: the lower id first.");
    expect_check(transfer_check_stress(2, 4, 5000, stress_timeout_ms()));
}

static void a_ring_of_three_accounts_never_deadlocks(void)
{
    tl_hint("3 threads move money 1 -> 2, 2 -> 3 and 3 -> 1: a cycle of three can deadlock too, unless "
            "every transfer takes the lower id first.");
    expect_check(transfer_check_stress(3, 3, 5000, stress_timeout_ms()));
}

static void many_threads_conserve_the_total(void)
{
    tl_hint("8 threads on 2 accounts: no money may appear or vanish. Hold both locks from before you "
            "read a balance until after you wrote both.");
    expect_check(transfer_check_stress(2, 8, 3000, stress_timeout_ms()));
}

void tl_register_suites(void)
{
    CU_pSuite one = tl_suite("transfer, one thread");
    tl_test(one, "transfer moves the amount and releases both locks", transfer_moves_the_money);
    tl_test(one, "both locks are taken lower id first, in either direction", locks_are_taken_lower_id_first);
    tl_test(one, "a transfer to the same account changes nothing", transfer_to_the_same_account_changes_nothing);

    CU_pSuite many = tl_suite("transfer, many threads");
    tl_test(many, "opposite transfers from 4 threads never deadlock", opposite_transfers_never_deadlock);
    tl_test(many, "transfers around a ring of 3 accounts never deadlock", a_ring_of_three_accounts_never_deadlocks);
    tl_test(many, "8 threads: every balance exact, the total conserved", many_threads_conserve_the_total);
}
