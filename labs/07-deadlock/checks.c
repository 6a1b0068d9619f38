/* checks.c — lab07's checks (checks.h) of transfer() (exercise.h). The spy does not see traced locks, so
 * orders are forced with what locktrace tells: its order table (the check records the agreed order first);
 * a probe, tl_tlock_timedlock(L, 0) by a thread holding H, which returns EDEADLK, without waiting, exactly
 * when L's holder waits for H; and its order handler, run in the transfer's thread between its two locks. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include "check.h"
#include "checks.h"
#include "clock.h"
#include "exercise.h"

static int64_t until_ms(long ms) { return tl_now_ns() + tl_check_ms(ms) * 1000000; }
/* Nobody holds a's lock (trylock says EBUSY even to its own holder). */
static bool lock_free(account *a) { return tl_tlock_trylock(&a->lock) == 0 && tl_tlock_unlock(&a->lock) == 0; }
static void take_both(account *first, account *second) /* records the lock order "first, then second" */
{
    TL_CHECK(tl_tlock_lock(&first->lock) || tl_tlock_lock(&second->lock));
    TL_CHECK(tl_tlock_unlock(&second->lock) || tl_tlock_unlock(&first->lock));
}

static void assert_locks_free(account *a, account *b)
{
    bool fa = lock_free(a), fb = lock_free(b);
    TL_ASSERT_FATAL(fa && fb, "after the transfer returned, account %d's lock is %s and account %d's is %s "
                    "(expected both free)", a->id, fa ? "free" : "still held", b->id, fb ? "free" : "still held");
}

typedef struct { /* a thread making `rounds` transfers */
    pthread_t id;
    account *from, *to;
    long amount, rounds, moved, failed;
    int index, first_rc;
    atomic_bool done;
    char cycle[TL_TEXT_MAX];
} mover;

static atomic_bool movers_go; /* they start together, so that opposite transfers overlap */

static void *move_money(void *arg)
{
    mover *m = arg;
    char name[16];
    snprintf(name, sizeof name, "T%d", m->index + 1);
    tl_thread_set_name(name);
    while (!atomic_load(&movers_go))
        tl_sleep_us(50);
    for (long i = 0; i < m->rounds; i++) {
        int rc = transfer(m->from, m->to, m->amount);
        m->moved += rc == 0;
        if (rc != 0 && m->failed++ == 0) {
            m->first_rc = rc;
            snprintf(m->cycle, sizeof m->cycle, "%s", rc == EDEADLK ? tl_last_deadlock()->text : "");
        }
    }
    atomic_store(&m->done, true);
    return NULL;
}

static void start(mover *m, int index, account *from, account *to, long amount, long rounds)
{
    m->from = from, m->to = to, m->amount = amount, m->rounds = rounds, m->index = index, m->moved = m->failed = 0;
    atomic_store(&m->done, false);
    TL_CHECK(pthread_create(&m->id, NULL, move_money, m));
}

/* Waits up to ms (scaled) for n movers; joins those done, leaves the others. How many finished. */
static int finish(mover *m, int n, long ms)
{
    int64_t until = until_ms(ms), done = 0;
    for (int i = 0; i < n; i++) {
        while (!atomic_load(&m[i].done) && tl_now_ns() < until)
            tl_sleep_us(200);
        done += atomic_load(&m[i].done);
        TL_CHECK(atomic_load(&m[i].done) ? pthread_join(m[i].id, NULL) : pthread_detach(m[i].id));
    }
    return (int)done;
}

static account a1, b1, s1;

static void moves_the_amount(void)
{
    static const struct { int from; long amount, a, b; } steps[] = {{1, 30, 70, 80}, {2, 120, 190, -40},
                                                                   {1, 0, 190, -40}};
    account_init(&a1, 1, 100);
    account_init(&b1, 2, 50);
    for (int i = 0; i < 3; i++) {
        account *from = steps[i].from == 1 ? &a1 : &b1, *to = from == &a1 ? &b1 : &a1;
        int rc = transfer(from, to, steps[i].amount);
        TL_ASSERT_FATAL(rc == 0 && a1.balance == steps[i].a && b1.balance == steps[i].b, "transfer %d of 3 "
                        "(account %d -> account %d, %ld): returned %d, balances %ld and %ld (expected 0, %ld and "
                        "%ld%s)", i + 1, from->id, to->id, steps[i].amount, rc, a1.balance, b1.balance, steps[i].a,
                        steps[i].b, steps[i].b < 0 ? ": balances may go negative" : "");
        assert_locks_free(&a1, &b1);
    }
}

static void same_account_changes_nothing(void)
{
    account_init(&s1, 1, 100);
    int rc = transfer(&s1, &s1, 10);
    TL_ASSERT_FATAL(rc == 0 && s1.balance == 100, "transfer(a, a, 10) with a = 100: returned %d%s, balance %ld "
                    "(expected 0 and 100: nothing to move)", rc,
                    rc == EDEADLK ? " (EDEADLK: it asked for a lock it already held)" : "", s1.balance);
    TL_ASSERT(lock_free(&s1), "after transfer(a, a, 10) a's lock is still held (expected free)");
}

/* Layout 0: the lower id lies at the higher address, has the larger balance and the later name ("account 7"
 * > "account 30"); layout 1: all agree with the id. Any order but the id's is wrong in one of them. */
static account order_pairs[2][2];

static void lower_id_taken_first(void)
{
    static const struct { int lo, hi; long lo_balance, hi_balance; int lo_slot; } layout[] = {
        {7, 30, 900, 100, 1}, {3, 4, 100, 900, 0}};
    for (int l = 0; l < 2; l++) {
        account *lo = &order_pairs[l][layout[l].lo_slot], *hi = &order_pairs[l][1 - layout[l].lo_slot];
        account_init(lo, layout[l].lo, layout[l].lo_balance), account_init(hi, layout[l].hi, layout[l].hi_balance);
        for (int dir = 0; dir < 2; dir++) {
            account *from = dir ? hi : lo, *to = dir ? lo : hi;
            tl_locktrace_reset();
            take_both(lo, hi); /* the agreed order, recorded first */
            int rc = transfer(from, to, 5);
            tl_lockorder_report r;
            TL_ASSERT_FATAL(tl_lockorder_reports(&r, 1) == 0, "transfer(account %d -> account %d) took %s "
                            "while holding %s (expected account %d's lock first, the lower id, in both "
                            "directions; account %d lies at the %s address and had the %s balance). Nothing "
                            "deadlocked, as nothing ran at the same time; with a transfer going the other way "
                            "at once, it can", from->id, to->id, r.later.taken, r.later.held, lo->id, lo->id,
                            lo > hi ? "higher" : "lower", l == 0 ? "larger" : "smaller");
            TL_ASSERT_FATAL(rc == 0, "transfer(account %d -> account %d, 5) returned %d (expected 0)",
                            from->id, to->id, rc);
            assert_locks_free(lo, hi);
        }
    }
}

static account lo2, hi2;
static mover m2;

static void holds_both_locks(void)
{
    account_init(&lo2, 1, 1000);
    account_init(&hi2, 2, 1000);
    for (int dir = 0; dir < 2; dir++) {
        account *from = dir ? &hi2 : &lo2, *to = dir ? &lo2 : &hi2;
        long lo0 = lo2.balance, hi0 = hi2.balance;
        TL_CHECK(tl_tlock_lock(&hi2.lock));
        atomic_store(&movers_go, true);
        start(&m2, 0, from, to, 10, 1);
        int rc;
        for (int64_t until = until_ms(2000); (rc = tl_tlock_timedlock(&lo2.lock, 0, NULL)) != EDEADLK;
             tl_sleep_us(200)) {
            if (rc == 0) { /* both locks held: what any thread holding both may see */
                long total = lo2.balance + hi2.balance;
                TL_CHECK(tl_tlock_unlock(&lo2.lock));
                TL_ASSERT_FATAL(total == lo0 + hi0, "money in flight: holding both accounts' locks while "
                                "transfer(account %d -> account %d, 10) ran, the check counted %ld in all "
                                "(expected %ld): the transfer let go of account 1's lock before it held account "
                                "2's", from->id, to->id, total, lo0 + hi0);
            }
            TL_ASSERT_FATAL(!atomic_load(&m2.done), "transfer(account %d -> account %d, 10) returned while the "
                            "check held account 2's lock: it moved money without holding that account's lock",
                            from->id, to->id);
            TL_ASSERT_FATAL(tl_now_ns() < until, "transfer(account %d -> account %d) did not hold account 1's "
                            "lock and wait for account 2's (held by the check) within %ld ms: the lower id's "
                            "lock comes first", from->id, to->id, tl_check_ms(2000));
        }
        /* It holds account 1 and waits for account 2: a deposit made now under account 2's lock must stay. */
        hi2.balance += 1000;
        TL_CHECK(tl_tlock_unlock(&hi2.lock));
        TL_ASSERT_FATAL(finish(&m2, 1, 2000) == 1, "transfer(account %d -> account %d) did not return once the "
                        "check released account 2's lock", from->id, to->id);
        long lo_want = lo0 + (dir ? 10 : -10), hi_want = hi0 + 1000 + (dir ? -10 : 10);
        TL_ASSERT_FATAL(m2.moved == 1 && lo2.balance == lo_want && hi2.balance == hi_want,
                        "transfer(account %d -> account %d, 10) returned %s; balances %ld and %ld (expected %ld "
                        "and %ld: the check added 1000 to account 2 under its lock while the transfer waited for "
                        "it; a balance read before its lock is held overwrites that)", from->id, to->id,
                        m2.moved ? "0" : "an error", lo2.balance, hi2.balance, lo_want, hi_want);
        assert_locks_free(&lo2, &hi2);
    }
}

static account lo3, hi3;
static pthread_t victim, other;
static atomic_bool lined_up;
static atomic_int other_rc = -1;

/* Takes account 2, then waits (bounded) for account 1, which the transfer holds. */
static void *other_thread(void *arg)
{
    TL_CHECK(tl_tlock_lock(&hi3.lock));
    int rc = tl_tlock_timedlock(&lo3.lock, tl_check_ms(3000), NULL);
    TL_CHECK(rc == 0 ? tl_tlock_unlock(&lo3.lock) : 0);
    TL_CHECK(tl_tlock_unlock(&hi3.lock));
    atomic_store(&other_rc, rc);
    return arg;
}

/* The order handler: in the transfer's thread, holding account 1, about to ask for account 2. */
static void line_up(const tl_lockorder_report *report, void *arg)
{
    (void)report, (void)arg;
    if (!pthread_equal(pthread_self(), victim) || atomic_exchange(&lined_up, true))
        return;
    TL_CHECK(pthread_create(&other, NULL, other_thread, NULL));
    int rc; /* EDEADLK: "other" holds account 2 and waits for account 1, which this thread holds */
    for (int64_t until = until_ms(2000); (rc = tl_tlock_timedlock(&hi3.lock, 0, NULL)) != EDEADLK &&
                                         tl_now_ns() < until; tl_sleep_us(100))
        TL_CHECK(rc == 0 ? tl_tlock_unlock(&hi3.lock) : 0); /* "other" has not taken it yet */
}

static void backs_off_on_edeadlk(void)
{
    account_init(&lo3, 1, 100);
    account_init(&hi3, 2, 100);
    tl_locktrace_reset();
    take_both(&hi3, &lo3); /* the opposite order, so that the handler runs at the transfer's */
    victim = pthread_self();
    tl_lockorder_set_handler(line_up, NULL);
    int rc = transfer(&lo3, &hi3, 10);
    bool kept = tl_tlock_held_by_me(&lo3.lock);
    TL_CHECK(kept ? tl_tlock_unlock(&lo3.lock) : 0); /* so that "other" can finish */
    TL_ASSERT_FATAL(atomic_load(&lined_up), "transfer(account 1 -> account 2) never asked for account 2's lock "
                    "while holding account 1's, so it could not be made a deadlock's victim");
    TL_ASSERT_FATAL(!kept, "transfer(account 1 -> account 2) returned %d%s still holding account 1's lock "
                    "(expected: on EDEADLK, release every lock taken, then return): the thread holding account 2 "
                    "and waiting for account 1 is stuck behind it", rc, rc == EDEADLK ? " (EDEADLK)" : "");
    TL_ASSERT_FATAL(rc == EDEADLK, "transfer(account 1 -> account 2) returned %d (expected EDEADLK: its lock call "
                    "for account 2 returned EDEADLK, as another thread held account 2 and waited for account 1)", rc);
    TL_CHECK(pthread_join(other, NULL));
    TL_ASSERT_FATAL(atomic_load(&other_rc) == 0, "after the transfer returned EDEADLK, the thread waiting for "
                    "account 1 never got it (expected it to, at once)");
    TL_ASSERT(lo3.balance == 100 && hi3.balance == 100, "transfer returned EDEADLK but the balances are %ld and "
              "%ld (expected 100 and 100: nothing moves when it backs off)", lo3.balance, hi3.balance);
}

enum { ACCOUNTS = 3, MOVERS = 6, ROUNDS = 300 };
static account ring[ACCOUNTS];
static mover movers[MOVERS];

static void many_transfers_never_deadlock(void)
{
    long want[ACCOUNTS];
    for (int a = 0; a < ACCOUNTS; a++)
        account_init(&ring[a], a + 1, want[a] = 1000);
    for (int t = 0; t < MOVERS; t++) /* around the ring, then the other way round */
        start(&movers[t], t, &ring[t < ACCOUNTS ? t : (t + 1) % ACCOUNTS],
              &ring[t < ACCOUNTS ? (t + 1) % ACCOUNTS : t % ACCOUNTS], t + 1, ROUNDS);
    atomic_store(&movers_go, true);
    int done = finish(movers, MOVERS, 3000);
    TL_ASSERT_FATAL(done == MOVERS, "%d of %d threads still inside transfer after %ld ms (each makes %d transfers "
                    "around 3 accounts, both ways)", MOVERS - done, MOVERS, tl_check_ms(3000), ROUNDS);
    for (int t = 0; t < MOVERS; t++) {
        mover *m = &movers[t];
        TL_ASSERT_FATAL(m->failed == 0, "T%d's transfer(account %d -> account %d) failed %ld times, first with %d%s "
                        "(expected never)%s%s", t + 1, m->from->id, m->to->id, m->failed, m->first_rc,
                        m->first_rc == EDEADLK ? " (EDEADLK)" : "", m->cycle[0] ? ": " : "", m->cycle);
        want[m->from->id - 1] -= m->moved * m->amount;
        want[m->to->id - 1] += m->moved * m->amount;
    }
    for (int a = 0; a < ACCOUNTS; a++)
        TL_ASSERT(ring[a].balance == want[a], "after %d transfers, account %d holds %ld (expected %ld)",
                  MOVERS * ROUNDS, a + 1, ring[a].balance, want[a]);
}

TL_CHECK_TABLE("lab07",
    {.name = "transfer moves the amount, once, from `from` to `to`, and releases both locks",
     .promises = "transfer.moves transfer.unlocks", .points = 2, .run = moves_the_amount,
     .hints = {"One balance goes down by the amount, the other up by the same, once; every lock is released.",
               "The two lines that change the balances, and the unlocks after them.",
               "lock, lock; change each balance once; unlock, unlock; return 0."}},
    {.name = "a transfer to the same account changes nothing and returns 0",
     .promises = "transfer.same_account", .points = 1, .run = same_account_changes_nothing,
     .hints = {"A traced lock asked for by its own holder is a deadlock with yourself: EDEADLK.",
               "The very start of transfer, before the first lock call.",
               "When the two accounts are one, there is nothing to move: return before locking."}},
    {.name = "both directions take the lower id's lock first",
     .promises = "transfer.order", .points = 3, .run = lower_id_taken_first,
     .hints = {"Locking in argument order, transfers going opposite ways lock in opposite orders: a cycle.",
               "Which lock comes first must not depend on the direction, the addresses or the balances.",
               "Choose a first and a second account by their ids; lock in that order; move from -> to."}},
    {.name = "the money moves while both locks are held: nothing in flight, nothing overwritten",
     .promises = "transfer.holds_both", .points = 3, .flags = TL_CHECK_RACES, .run = holds_both_locks,
     .hints = {"Between one lock's release and the other's acquire the money is nowhere; a balance read "
               "before its lock is held is stale when written back.",
               "Every read and write of a balance, and where it sits between the accounts' own lock calls.",
               "Take both accounts' locks; read, change and write both balances; release both."}},
    {.name = "a transfer that gets EDEADLK releases what it holds, moves nothing, returns EDEADLK",
     .promises = "transfer.backs_off", .points = 2, .flags = TL_CHECK_RACES, .run = backs_off_on_edeadlk,
     .hints = {"A deadlock's victim must back off: the others of the cycle go on only once it lets go.",
               "The path taken when the second lock call returns EDEADLK.",
               "On EDEADLK: unlock the lock already taken, touch no balance, return EDEADLK."}},
    {.name = "6 threads moving money both ways around 3 accounts never deadlock, balances exact",
     .promises = "transfer.no_deadlock transfer.moves", .points = 2, .bound_s = 8, .flags = TL_CHECK_RACES,
     .run = many_transfers_never_deadlock,
     .hints = {"Transfers 1 -> 2, 2 -> 3, 3 -> 1 form a cycle too, unless each takes the lower id first.",
               "The lock order, and the balances' reads and writes between the lock calls.",
               "Lower id first; both locks held while both balances change."}});
