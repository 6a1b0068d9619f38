/* checks.c — lab07's checks (checks.h): transfer() between two accounts (exercise.h).
 *
 * The accounts' locks are traced locks (common/locktrace.h), which the spy does not see, so the
 * checks force their orders with what locktrace itself can tell, never with a sleep that hopes:
 *   - Its lock-order table. The check takes the agreed order (lower id first) itself; a transfer
 *     that then takes the other order is reported, on every run, with no second thread at all.
 *   - A probe: tl_tlock_timedlock(L, 0) by a thread holding H never waits, and returns EDEADLK
 *     exactly when L's holder is blocked waiting for H (the probe would close a cycle). So the
 *     check knows when a transfer really holds L and waits for H, and acts at that moment.
 *   - Its lock-order handler, which runs inside the transfer's own thread between its two lock
 *     calls once the check has recorded the opposite order: the one point where another thread
 *     can be lined up so that the transfer's second lock call is the one that closes a cycle.
 * Helper threads and their accounts are static: a stuck helper may outlive its check. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include "checks.h"
#include "check.h"
#include "clock.h"
#include "exercise.h"

typedef struct {
    pthread_t id;
    account *from, *to;
    long amount, rounds;
    int index;
    atomic_bool done;
    long moved, deadlocks, others;
    int other_rc;
    char cycle[TL_TEXT_MAX];
} mover;

static atomic_int movers_ready, movers_wanted;

static void *move_money(void *arg)
{
    mover *m = arg;
    char name[16];
    snprintf(name, sizeof name, "T%d", m->index + 1);
    tl_thread_set_name(name);
    atomic_fetch_add(&movers_ready, 1); /* start together, so opposite transfers overlap */
    while (atomic_load(&movers_ready) < atomic_load(&movers_wanted))
        tl_sleep_us(50);
    for (long i = 0; i < m->rounds; i++) {
        int rc = transfer(m->from, m->to, m->amount);
        if (rc == 0)
            m->moved++;
        else if (rc == EDEADLK && m->deadlocks++ == 0)
            snprintf(m->cycle, sizeof m->cycle, "%s", tl_last_deadlock()->text);
        else if (rc != EDEADLK && m->others++ == 0)
            m->other_rc = rc;
    }
    atomic_store(&m->done, true);
    return NULL;
}

static void start(mover *m, int index, account *from, account *to, long amount, long rounds)
{
    *m = (mover){.from = from, .to = to, .amount = amount, .rounds = rounds, .index = index};
    TL_CHECK(pthread_create(&m->id, NULL, move_money, m));
}

/* Waits (ms, scaled) for n movers; joins those done, leaves the others. How many finished. */
static int finish(mover *m, int n, long ms)
{
    int64_t until = tl_now_ns() + tl_check_ms(ms) * 1000000;
    int done = 0;
    for (int i = 0; i < n; i++) {
        while (!atomic_load(&m[i].done) && tl_now_ns() < until)
            tl_sleep_us(200);
        if (atomic_load(&m[i].done)) {
            TL_CHECK(pthread_join(m[i].id, NULL));
            done++;
        } else {
            TL_CHECK(pthread_detach(m[i].id));
        }
    }
    return done;
}

/* Nobody holds a's lock (trylock says EBUSY even to its own holder). */
static bool lock_free(account *a)
{
    if (tl_tlock_trylock(&a->lock) != 0)
        return false;
    TL_CHECK(tl_tlock_unlock(&a->lock));
    return true;
}

static void assert_locks_free(account *a, account *b, const char *after)
{
    bool fa = lock_free(a), fb = lock_free(b);
    TL_ASSERT_FATAL(fa && fb, "after %s returned, account %d's lock is %s and account %d's is %s "
                    "(expected both free)", after, a->id, fa ? "free" : "still held", b->id,
                    fb ? "free" : "still held");
}

/* ---- one thread ---- */

static account a1, b1, s1;

static void moves_the_amount(void)
{
    account_init(&a1, 1, 100);
    account_init(&b1, 2, 50);
    static const struct { int from; long amount, a, b; } steps[] = {{1, 30, 70, 80},
                                                                   {2, 120, 190, -40},
                                                                   {1, 0, 190, -40}};
    for (int i = 0; i < 3; i++) {
        account *from = steps[i].from == 1 ? &a1 : &b1, *to = from == &a1 ? &b1 : &a1;
        long a0 = a1.balance, b0 = b1.balance;
        int rc = transfer(from, to, steps[i].amount);
        TL_ASSERT_FATAL(rc == 0 && a1.balance == steps[i].a && b1.balance == steps[i].b,
                        "transfer(account %d -> account %d, %ld) with balances %ld and %ld: returned "
                        "%d, balances %ld and %ld (expected 0, %ld and %ld%s)", from->id, to->id,
                        steps[i].amount, a0, b0, rc, a1.balance, b1.balance, steps[i].a, steps[i].b,
                        steps[i].b < 0 ? ": balances may go negative" : "");
        assert_locks_free(&a1, &b1, "the transfer");
    }
}

static void same_account_changes_nothing(void)
{
    account_init(&s1, 1, 100);
    int rc = transfer(&s1, &s1, 10);
    TL_ASSERT_FATAL(rc == 0 && s1.balance == 100, "transfer(a, a, 10) with a = 100: returned %d%s, "
                    "balance %ld (expected 0 and 100: nothing to move)", rc,
                    rc == EDEADLK ? " (EDEADLK: it asked for a lock it already held)" : "", s1.balance);
    TL_ASSERT(lock_free(&s1), "after transfer(a, a, 10) a's lock is still held (expected free)");
}

/* Two layouts: in the first, the lower id lies at the higher address, has the larger balance
 * and the later name ("account 7" > "account 30"); in the second all of those agree with the
 * id. Any order but the id's disagrees with it in one of them. */
static account order_pairs[2][2];

static void lower_id_taken_first(void)
{
    static const struct { int lo, hi; long lo_balance, hi_balance; int lo_slot; } layout[] = {
        {7, 30, 900, 100, 1}, {3, 4, 100, 900, 0}};
    for (int l = 0; l < 2; l++) {
        account *lo = &order_pairs[l][layout[l].lo_slot], *hi = &order_pairs[l][1 - layout[l].lo_slot];
        account_init(lo, layout[l].lo, layout[l].lo_balance);
        account_init(hi, layout[l].hi, layout[l].hi_balance);
        for (int dir = 0; dir < 2; dir++) {
            account *from = dir ? hi : lo, *to = dir ? lo : hi;
            tl_locktrace_reset();
            TL_CHECK(tl_tlock_lock(&lo->lock)); /* the agreed order, recorded first */
            TL_CHECK(tl_tlock_lock(&hi->lock));
            TL_CHECK(tl_tlock_unlock(&hi->lock));
            TL_CHECK(tl_tlock_unlock(&lo->lock));
            int rc = transfer(from, to, 5);
            tl_lockorder_report r;
            int inversions = tl_lockorder_reports(&r, 1);
            TL_ASSERT_FATAL(inversions == 0, "transfer(account %d -> account %d) took %s while "
                            "holding %s (expected account %d's lock first, the lower id, in both "
                            "directions; here account %d lies at the %s address and holds %ld). "
                            "Nothing deadlocked, as nothing ran at the same time; with a transfer "
                            "going the other way at once, it can", from->id, to->id, r.later.taken,
                            r.later.held, lo->id, lo->id, lo > hi ? "higher" : "lower",
                            lo->balance);
            TL_ASSERT_FATAL(rc == 0, "transfer(account %d -> account %d, 5) returned %d (expected 0)",
                            from->id, to->id, rc);
            assert_locks_free(lo, hi, "the transfer");
        }
    }
}

/* ---- the check holds account 2's lock while a transfer runs ---- */

static account lo2, hi2;

static void holds_both_locks(void)
{
    account_init(&lo2, 1, 1000);
    account_init(&hi2, 2, 1000);
    for (int dir = 0; dir < 2; dir++) {
        account *from = dir ? &hi2 : &lo2, *to = dir ? &lo2 : &hi2;
        long lo0 = lo2.balance, hi0 = hi2.balance, limit = tl_check_ms(2000);
        int64_t until = tl_now_ns() + limit * 1000000;
        TL_CHECK(tl_tlock_lock(&hi2.lock));
        static mover m;
        atomic_store(&movers_wanted, 0);
        start(&m, 0, from, to, 10, 1);
        int rc;
        while ((rc = tl_tlock_timedlock(&lo2.lock, 0, NULL)) != EDEADLK) {
            if (rc == 0) { /* both locks held: what any thread holding both would see */
                long total = lo2.balance + hi2.balance;
                TL_CHECK(tl_tlock_unlock(&lo2.lock));
                TL_ASSERT_FATAL(total == lo0 + hi0, "money in flight: holding both accounts' locks "
                                "while transfer(account %d -> account %d, 10) ran, the check counted "
                                "%ld in all (expected %ld): the transfer let go of account 1's lock "
                                "before it held account 2's", from->id, to->id, total, lo0 + hi0);
            }
            TL_ASSERT_FATAL(!atomic_load(&m.done), "transfer(account %d -> account %d, 10) returned "
                            "while the check held account 2's lock: it moved money without holding "
                            "that account's lock", from->id, to->id);
            TL_ASSERT_FATAL(tl_now_ns() < until, "transfer(account %d -> account %d) did not hold "
                            "account 1's lock and wait for account 2's (held by the check) within "
                            "%ld ms: it must take the lower id's lock first", from->id, to->id, limit);
            tl_sleep_us(200);
        }
        /* It holds account 1 and waits for account 2: a deposit made now, under account 2's
         * lock, must survive the transfer. */
        hi2.balance += 1000;
        TL_CHECK(tl_tlock_unlock(&hi2.lock));
        TL_ASSERT_FATAL(finish(&m, 1, 2000) == 1, "transfer(account %d -> account %d) did not return "
                        "within 2000 ms of account 2's lock being released", from->id, to->id);
        long lo_want = lo0 + (dir ? 10 : -10), hi_want = hi0 + 1000 + (dir ? -10 : 10);
        TL_ASSERT_FATAL(m.moved == 1 && lo2.balance == lo_want && hi2.balance == hi_want,
                        "transfer(account %d -> account %d, 10) returned %s; balances %ld and %ld "
                        "(expected %ld and %ld: the check added 1000 to account 2 under its lock "
                        "while the transfer waited for it; a balance read before its lock was held "
                        "overwrites that)", from->id, to->id, m.moved ? "0" : "an error",
                        lo2.balance, hi2.balance, lo_want, hi_want);
        assert_locks_free(&lo2, &hi2, "the transfer");
    }
}

/* ---- the transfer made the victim of a deadlock ---- */

static account lo3, hi3;
static pthread_t victim;
static atomic_bool other_holds, go, lined_up;
static atomic_int other_rc;
static long other_saw[2];

/* Holds account 2, then (once the transfer holds account 1) waits for account 1. */
static void *other_thread(void *arg)
{
    (void)arg;
    tl_thread_set_name("other");
    TL_CHECK(tl_tlock_lock(&hi3.lock));
    atomic_store(&other_holds, true);
    int64_t until = tl_now_ns() + tl_check_ms(2000) * 1000000;
    while (!atomic_load(&go) && tl_now_ns() < until)
        tl_sleep_us(100);
    int rc = tl_tlock_timedlock(&lo3.lock, tl_check_ms(3000), NULL);
    if (rc == 0) {
        other_saw[0] = lo3.balance;
        other_saw[1] = hi3.balance;
        TL_CHECK(tl_tlock_unlock(&lo3.lock));
    }
    TL_CHECK(tl_tlock_unlock(&hi3.lock));
    atomic_store(&other_rc, rc);
    return NULL;
}

/* In the transfer's thread, holding account 1, about to ask for account 2. */
static void line_up(const tl_lockorder_report *report, void *arg)
{
    (void)report, (void)arg;
    if (!pthread_equal(pthread_self(), victim) || atomic_exchange(&lined_up, true))
        return;
    atomic_store(&go, true);
    int64_t until = tl_now_ns() + tl_check_ms(2000) * 1000000;
    int rc; /* EDEADLK: "other" now waits for account 1, which this thread holds */
    while ((rc = tl_tlock_timedlock(&hi3.lock, 0, NULL)) == ETIMEDOUT && tl_now_ns() < until)
        tl_sleep_us(100);
    if (rc == 0)
        TL_CHECK(tl_tlock_unlock(&hi3.lock));
}

static void backs_off_on_edeadlk(void)
{
    account_init(&lo3, 1, 100);
    account_init(&hi3, 2, 100);
    tl_locktrace_reset();
    TL_CHECK(tl_tlock_lock(&hi3.lock)); /* the opposite order, so the handler sees the transfer's */
    TL_CHECK(tl_tlock_lock(&lo3.lock));
    TL_CHECK(tl_tlock_unlock(&lo3.lock));
    TL_CHECK(tl_tlock_unlock(&hi3.lock));
    victim = pthread_self();
    tl_lockorder_set_handler(line_up, NULL);
    atomic_store(&other_rc, -1);
    pthread_t other;
    TL_CHECK(pthread_create(&other, NULL, other_thread, NULL));
    while (!atomic_load(&other_holds))
        tl_sleep_us(100);
    int rc = transfer(&lo3, &hi3, 10);
    bool kept_lo = tl_tlock_held_by_me(&lo3.lock), kept_hi = tl_tlock_held_by_me(&hi3.lock);
    if (kept_lo)
        TL_CHECK(tl_tlock_unlock(&lo3.lock)); /* so "other" can finish */
    atomic_store(&go, true);
    TL_ASSERT_FATAL(atomic_load(&lined_up), "transfer(account 1 -> account 2) never asked for account "
                    "2's lock while holding account 1's, so it could not be made a deadlock's victim");
    TL_ASSERT_FATAL(!kept_lo && !kept_hi, "transfer(account 1 -> account 2) returned %d still holding "
                    "account %d's lock (expected: on EDEADLK, release every lock taken, then return): "
                    "the thread holding account 2 and waiting for account 1 is stuck behind it",
                    rc, kept_lo ? 1 : 2);
    TL_ASSERT_FATAL(rc == EDEADLK, "transfer(account 1 -> account 2) returned %d (expected EDEADLK: "
                    "its lock call for account 2 returned EDEADLK, as another thread held account 2 "
                    "and waited for account 1)", rc);
    int64_t until = tl_now_ns() + tl_check_ms(3000) * 1000000;
    while (atomic_load(&other_rc) == -1 && tl_now_ns() < until)
        tl_sleep_us(200);
    int orc = atomic_load(&other_rc);
    TL_ASSERT_FATAL(orc == 0, "after the transfer returned EDEADLK, the thread waiting for account 1 "
                    "%s (expected it to get account 1's lock)", orc == -1 ? "never got it" : "gave up");
    TL_CHECK(pthread_join(other, NULL));
    TL_ASSERT(other_saw[0] == 100 && other_saw[1] == 100 && lo3.balance == 100 && hi3.balance == 100,
              "transfer returned EDEADLK but the balances are %ld and %ld (expected 100 and 100: "
              "nothing moves when it backs off)", lo3.balance, hi3.balance);
}

/* ---- many threads ---- */

enum { ACCOUNTS = 3, MOVERS = 6 };
static account ring[ACCOUNTS];
static mover movers[MOVERS];

static void many_transfers_never_deadlock(void)
{
    for (int a = 0; a < ACCOUNTS; a++)
        account_init(&ring[a], a + 1, 1000);
    long rounds = 300;
    atomic_store(&movers_ready, 0);
    atomic_store(&movers_wanted, MOVERS);
    for (int t = 0; t < MOVERS; t++) { /* around the ring, then the other way round */
        int from = t < ACCOUNTS ? t : (t + 1) % ACCOUNTS, to = t < ACCOUNTS ? (t + 1) % ACCOUNTS : t % ACCOUNTS;
        start(&movers[t], t, &ring[from], &ring[to], t + 1, rounds);
    }
    int done = finish(movers, MOVERS, 3000);
    TL_ASSERT_FATAL(done == MOVERS, "%d of %d threads still inside transfer after 3000 ms (each makes "
                    "%ld transfers around 3 accounts, both ways)", MOVERS - done, MOVERS, rounds);
    long want[ACCOUNTS] = {1000, 1000, 1000};
    for (int t = 0; t < MOVERS; t++) {
        mover *m = &movers[t];
        TL_ASSERT_FATAL(m->deadlocks == 0, "thread T%d's transfer(account %d -> account %d) returned "
                        "EDEADLK %ld times (expected never): %s", t + 1, m->from->id, m->to->id,
                        m->deadlocks, m->cycle);
        TL_ASSERT_FATAL(m->others == 0, "%ld transfers returned %d (expected 0)", m->others, m->other_rc);
        want[m->from->id - 1] -= m->moved * m->amount;
        want[m->to->id - 1] += m->moved * m->amount;
    }
    for (int a = 0; a < ACCOUNTS; a++)
        TL_ASSERT(ring[a].balance == want[a], "after %ld transfers, account %d holds %ld (expected %ld)",
                  MOVERS * rounds, a + 1, ring[a].balance, want[a]);
}

TL_CHECK_TABLE("lab07",
    {.name = "transfer moves the amount, once, from `from` to `to`, and releases both locks",
     .promises = "transfer.moves transfer.unlocks", .points = 2,
     .hints = {"A transfer subtracts from one balance and adds the same amount to the other, and "
               "unlocks everything it locked before it returns.",
               "Look at the two lines that change the balances, and at the unlocks after them.",
               "lock, lock; change each balance once; unlock, unlock; return 0."},
     .run = moves_the_amount},
    {.name = "a transfer to the same account changes nothing and returns 0",
     .promises = "transfer.same_account", .points = 1,
     .hints = {"A traced lock asked for by its own holder is a deadlock with yourself: EDEADLK.",
               "The very start of transfer, before the first lock call.",
               "When the two accounts are one, there is nothing to move: return before locking."},
     .run = same_account_changes_nothing},
    {.name = "both directions take the lower id's lock first",
     .promises = "transfer.order", .points = 3,
     .hints = {"Locks taken in argument order are taken in opposite orders by transfers going "
               "opposite ways: each can hold one and wait for the other. One global order for "
               "every caller rules that cycle out.",
               "The two lock calls: which account is locked first must not depend on which way "
               "the money goes, nor on where the accounts lie in memory.",
               "Pick `first` and `second` by comparing the two ids; lock first, then second; the "
               "money still moves from `from` to `to`."},
     .run = lower_id_taken_first},
    {.name = "the money moves while both locks are held: nothing in flight, nothing overwritten",
     .promises = "transfer.holds_both", .points = 3,
     .hints = {"Between releasing one account's lock and holding the other's, the money is in "
               "neither account; a balance read before its lock is held is stale by the time it "
               "is written back.",
               "Every read and write of a balance, and where it sits between the lock and unlock "
               "calls; the accounts' own locks, not a lock of your own.",
               "Take both accounts' locks, then read, change and write both balances, then release "
               "both."},
     .flags = TL_CHECK_RACES, .run = holds_both_locks},
    {.name = "a transfer that gets EDEADLK releases what it holds, moves nothing, returns EDEADLK",
     .promises = "transfer.backs_off", .points = 2,
     .hints = {"The victim of a deadlock must back off: only when it lets go of what it holds can "
               "the other threads of the cycle go on.",
               "The path after the second lock call returned EDEADLK.",
               "On EDEADLK: unlock the lock already taken, touch no balance, return EDEADLK."},
     .flags = TL_CHECK_RACES, .run = backs_off_on_edeadlk},
    {.name = "6 threads moving money both ways around 3 accounts never deadlock, balances exact",
     .promises = "transfer.no_deadlock transfer.moves", .points = 2, .bound_s = 8,
     .hints = {"A ring of transfers 1 -> 2, 2 -> 3, 3 -> 1 is a cycle too, unless every transfer "
               "takes the lower id first.",
               "The lock order, and the balances' reads and writes between the lock calls.",
               "Lower id first, both locks held while both balances change."},
     .flags = TL_CHECK_RACES, .run = many_transfers_never_deadlock});
