#include "transfer_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "exercise.h"

#define ORDER_ADVICE                                                                               \
    "Take the two locks in one global order, whichever way the money goes: the account with the " \
    "lower id first (compare from->id and to->id), then the other."

static transfer_check fail(const char *advice, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static transfer_check fail(const char *advice, const char *fmt, ...)
{
    transfer_check r = {.passed = false};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    snprintf(r.advice, sizeof r.advice, "%s", advice);
    return r;
}

static transfer_check pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static transfer_check pass(const char *fmt, ...)
{
    transfer_check r = {.passed = true};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.summary, sizeof r.summary, fmt, ap);
    va_end(ap);
    return r;
}

/* True if nobody holds a's lock. trylock says EBUSY even when the caller itself holds it. */
static bool lock_is_free(account *a)
{
    if (tl_tlock_trylock(&a->lock) != 0)
        return false;
    TL_CHECK(tl_tlock_unlock(&a->lock));
    return true;
}

/* A lock that transfer() left held cannot be destroyed (that is fatal); leaving it is harmless. */
static void destroy_if_free(account *a)
{
    if (lock_is_free(a))
        account_destroy(a);
}

transfer_check transfer_check_moves_money(void)
{
    account a, b;
    account_init(&a, 1, 100);
    account_init(&b, 2, 50);
    int rc1 = transfer(&a, &b, 30);
    long a1 = a.balance, b1 = b.balance;
    int rc2 = transfer(&b, &a, 80);
    bool free_a = lock_is_free(&a), free_b = lock_is_free(&b);
    transfer_check r;
    if (rc1 != 0 || rc2 != 0 || a1 != 70 || b1 != 80 || a.balance != 150 || b.balance != 0)
        r = fail("transfer must subtract amount from `from` and add it to `to`, then return 0.",
                 "transfer(a, b, 30) then transfer(b, a, 80), a = 100 and b = 50 at first: returned %d "
                 "and %d, balances %ld/%ld then %ld/%ld (expected 0 and 0, 70/80 then 150/0)",
                 rc1, rc2, a1, b1, a.balance, b.balance);
    else if (!free_a || !free_b)
        r = fail("Unlock both accounts' locks before transfer returns, on every path.",
                 "after two transfers, account 1's lock is %s and account 2's is %s (expected both free)",
                 free_a ? "free" : "still held", free_b ? "free" : "still held");
    else
        r = pass("transfer(a, b, 30), transfer(b, a, 80): balances 70/80 then 150/0 (expected the same), "
                 "both locks free after");
    destroy_if_free(&a);
    destroy_if_free(&b);
    return r;
}

transfer_check transfer_check_same_account(void)
{
    account a;
    account_init(&a, 1, 100);
    int rc = transfer(&a, &a, 10);
    bool free_a = lock_is_free(&a);
    transfer_check r;
    if (rc != 0 || a.balance != 100 || !free_a)
        r = fail("When from == to there is nothing to move: return 0 before taking any lock. (Taking "
                 "the same lock twice is a deadlock with yourself: locktrace answers EDEADLK.)",
                 "transfer(a, a, 10) returned %d%s, balance %ld, lock %s (expected 0, balance 100, lock "
                 "free)", rc, rc == EDEADLK ? " (EDEADLK)" : "", a.balance, free_a ? "free" : "held");
    else
        r = pass("transfer(a, a, 10) returned 0, balance 100 (expected 0 and 100: nothing to move)");
    destroy_if_free(&a);
    return r;
}

transfer_check transfer_check_lock_order(void)
{
    /* Element 0 has the higher id, so "lower address first" disagrees with "lower id first". */
    account both[2];
    account *one = &both[1], *two = &both[0];
    account_init(one, 1, 100);
    account_init(two, 2, 100);
    tl_locktrace_reset();
    /* The agreed order, recorded first: account 1, then account 2. */
    TL_CHECK(tl_tlock_lock(&one->lock));
    TL_CHECK(tl_tlock_lock(&two->lock));
    TL_CHECK(tl_tlock_unlock(&two->lock));
    TL_CHECK(tl_tlock_unlock(&one->lock));

    int rc1 = transfer(two, one, 5);
    int inversions_first = tl_lockorder_reports(NULL, 0);
    int rc2 = transfer(one, two, 5);
    tl_lockorder_report report;
    int inversions = tl_lockorder_reports(&report, 1);
    bool free_both = lock_is_free(one) && lock_is_free(two);
    transfer_check r;
    if (inversions > 0)
        r = fail(ORDER_ADVICE,
                 "transfer(account %s) took %s while holding %s (expected account 1 first, then account 2, "
                 "in both directions). Nothing deadlocked because the transfers ran one after the other, "
                 "but run at the same time as one taking the locks the other way, it can",
                 inversions_first > 0 ? "2 -> account 1" : "1 -> account 2", report.later.taken,
                 report.later.held);
    else if (rc1 != 0 || rc2 != 0 || !free_both)
        r = fail("Return 0 after moving the money, with both locks released.",
                 "transfer(2 -> 1) and transfer(1 -> 2) returned %d and %d, locks %s (expected 0, 0, free)",
                 rc1, rc2, free_both ? "free" : "still held");
    else
        r = pass("transfer(2 -> 1) and transfer(1 -> 2) both took account 1 first: no lock-order inversion "
                 "(expected none)");
    destroy_if_free(one);
    destroy_if_free(two);
    return r;
}

/* ---- the stress check ---- */

typedef struct stress_run stress_run;

typedef struct {
    stress_run *run;
    int index;
    long moved, deadlocks, other_errors;
    int other_code;
    char cycle[TL_TEXT_MAX]; /* this thread's first deadlock, in words */
} stress_thread;

/* On the heap, not the caller's stack: if transfer() hangs, the threads outlive the call. */
struct stress_run {
    int accounts, threads;
    long rounds;
    int64_t deadline_ns;
    atomic_int ready, done;
    atomic_bool stop;
    account *bank;
    stress_thread *workers;
    pthread_t *ids;
};

static long amount_of(int thread)
{
    return thread + 1;
}

static void *move_money(void *arg)
{
    stress_thread *t = arg;
    stress_run *run = t->run;
    char name[TL_NAME_MAX];
    snprintf(name, sizeof name, "T%d", t->index + 1);
    tl_thread_set_name(name);
    account *from = &run->bank[t->index % run->accounts];
    account *to = &run->bank[(t->index + 1) % run->accounts];
    /* Start together, so opposite transfers really overlap instead of each thread finishing its
     * rounds in one time slice before the next is even created. */
    atomic_fetch_add(&run->ready, 1);
    while (atomic_load(&run->ready) < run->threads && tl_now_ns() < run->deadline_ns)
        tl_sleep_us(50);
    for (long i = 0; i < run->rounds && !atomic_load(&run->stop); i++) {
        int rc = transfer(from, to, amount_of(t->index));
        if (rc == 0) {
            t->moved++;
        } else if (rc == EDEADLK) {
            if (t->deadlocks++ == 0)
                snprintf(t->cycle, sizeof t->cycle, "%s", tl_last_deadlock()->text);
        } else if (t->other_errors++ == 0) {
            t->other_code = rc;
        }
    }
    atomic_fetch_add(&run->done, 1);
    return NULL;
}

transfer_check transfer_check_stress(int accounts, int threads, long rounds, long timeout_ms)
{
    stress_run *run = tl_xcalloc(1, sizeof *run);
    run->accounts = accounts;
    run->threads = threads;
    run->rounds = rounds;
    run->deadline_ns = tl_now_ns() + timeout_ms * 1000000L;
    atomic_init(&run->ready, 0);
    atomic_init(&run->done, 0);
    atomic_init(&run->stop, false);
    run->bank = tl_xcalloc((size_t)accounts, sizeof *run->bank);
    run->workers = tl_xcalloc((size_t)threads, sizeof *run->workers);
    run->ids = tl_xcalloc((size_t)threads, sizeof *run->ids);
    const long start_balance = 1000;
    for (int a = 0; a < accounts; a++)
        account_init(&run->bank[a], a + 1, start_balance);

    tl_stopwatch sw = tl_stopwatch_start();
    for (int t = 0; t < threads; t++) {
        run->workers[t] = (stress_thread){.run = run, .index = t};
        TL_CHECK(pthread_create(&run->ids[t], NULL, move_money, &run->workers[t]));
    }
    /* pthread_join cannot time out, so wait for the threads' own count first. */
    while (atomic_load(&run->done) < threads && tl_now_ns() < run->deadline_ns)
        tl_sleep_ms(1);
    if (atomic_load(&run->done) < threads) {
        atomic_store(&run->stop, true); /* threads still looping stop; stuck ones never return */
        for (int t = 0; t < threads; t++)
            TL_CHECK(pthread_detach(run->ids[t]));
        /* run is leaked on purpose: the stuck threads still use it. */
        return fail("A transfer that never returns is waiting for a lock nobody will release: is "
                    "every lock unlocked on every path, including after EDEADLK?",
                    "%d threads x %ld transfers around %d accounts: %d of %d threads finished within %ld ms "
                    "(expected all, in well under a second)",
                    threads, rounds, accounts, atomic_load(&run->done), threads, timeout_ms);
    }
    for (int t = 0; t < threads; t++)
        TL_CHECK(pthread_join(run->ids[t], NULL));
    double seconds = tl_stopwatch_s(&sw);

    long moved = 0, deadlocks = 0, other_errors = 0, total = 0;
    int other_code = 0;
    const char *cycle = NULL;
    long *expected = tl_xcalloc((size_t)accounts, sizeof *expected);
    for (int a = 0; a < accounts; a++)
        expected[a] = start_balance;
    for (int t = 0; t < threads; t++) {
        const stress_thread *w = &run->workers[t];
        moved += w->moved;
        deadlocks += w->deadlocks;
        other_errors += w->other_errors;
        if (w->other_errors > 0 && other_code == 0)
            other_code = w->other_code;
        if (w->deadlocks > 0 && cycle == NULL)
            cycle = w->cycle;
        expected[t % accounts] -= w->moved * amount_of(t);
        expected[(t + 1) % accounts] += w->moved * amount_of(t);
    }
    int wrong = -1;
    for (int a = 0; a < accounts; a++) {
        total += run->bank[a].balance;
        if (wrong < 0 && run->bank[a].balance != expected[a])
            wrong = a;
    }
    long start_total = start_balance * accounts;

    transfer_check r;
    if (deadlocks > 0)
        r = fail(ORDER_ADVICE,
                 "%s deadlocked %ld time%s in %d threads x %ld transfers (expected 0): %s",
                 accounts == 2 ? "transfer(a, b) and transfer(b, a)" : "transfers around the ring", deadlocks,
                 deadlocks == 1 ? "" : "s", threads, rounds, cycle);
    else if (other_errors > 0)
        r = fail("transfer returns 0, or EDEADLK when a lock call said so; nothing else.",
                 "%ld transfers returned %d (expected 0)", other_errors, other_code);
    else if (total != start_total || wrong >= 0)
        r = fail("Hold BOTH accounts' locks from before you read either balance until after you wrote "
                 "both: an update made without its account's lock can overwrite another thread's.",
                 "after %ld transfers the total is %ld (expected %ld, conserved); account %d holds %ld "
                 "(expected %ld)", moved, total, start_total, wrong < 0 ? 1 : wrong + 1,
                 run->bank[wrong < 0 ? 0 : wrong].balance, expected[wrong < 0 ? 0 : wrong]);
    else
        r = pass("%d threads x %ld transfers around %d accounts: 0 deadlocks, total %ld (expected 0 and "
                 "%ld), every balance exact", threads, rounds, accounts, total, start_total);
    r.deadlocks = deadlocks;
    r.seconds = seconds;
    for (int a = 0; a < accounts; a++)
        destroy_if_free(&run->bank[a]);
    free(expected);
    free(run->bank);
    free(run->workers);
    free(run->ids);
    free(run);
    return r;
}
