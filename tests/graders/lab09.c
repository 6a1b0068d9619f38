/* The grader of lab09's exercise: a counter sharded per thread, merged on read
 * (labs/09-thread-local/exercise.h). Sequential checks first, so a wrong add or read is named
 * plainly; then writers and a reader at once (counter_stress.c, shared with the lab). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "counter_stress.h"
#include "exercise.h"
#include "harness.h"

/* The stress runs' own bound, well inside the harness's deadline so a hang gets our message. */
static long stress_timeout_ms(void)
{
    return (long)(5000 * tl_timeout_scale());
}

static void new_counter_reads_zero(void)
{
    tl_hint("sharded_counter_read of a fresh counter must be 0: does read add up anything but the shards?");
    sharded_counter c;
    sharded_counter_init(&c, 4);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 0, "read of a new 4-shard counter");
    sharded_counter_destroy(&c);
}

static void each_add_lands_in_its_shard(void)
{
    tl_hint("sharded_counter_add(c, shard, n) must add n to c->shards[shard] and to no other shard: "
            "a counter that puts everything in one shard is one shared counter again, and every "
            "thread fights over its cache line.");
    sharded_counter c;
    sharded_counter_init(&c, 8);
    for (int s = 0; s < 8; s++)
        sharded_counter_add(&c, s, s + 1);
    char held[160] = "";
    bool right = true;
    for (int s = 0; s < 8; s++) {
        long got = atomic_load(&c.shards[s].value);
        right = right && got == s + 1;
        snprintf(held + strlen(held), sizeof held - strlen(held), " %ld", got);
    }
    TL_ASSERT(right, "after add(c, s, s + 1) for s = 0..7 the shards hold%s, expected 1 2 3 4 5 6 7 8", held);
    sharded_counter_destroy(&c);
}

static void read_sums_every_shard(void)
{
    tl_hint("sharded_counter_read must merge the counter: loop over all c->nshards shards, load each "
            "atomically, and return the sum.");
    sharded_counter c;
    sharded_counter_init(&c, 8);
    long expected = 0;
    for (int s = 0; s < 8; s++) {
        atomic_store(&c.shards[s].value, 10L * (s + 1));
        expected += 10L * (s + 1);
    }
    long first = sharded_counter_read(&c), second = sharded_counter_read(&c);
    TL_ASSERT_EQ_LONG(first, expected, "read of shards holding 10 20 ... 80");
    TL_ASSERT(second == first, "a second read gave %ld, the first %ld: reading must not change the counter",
              second, first);
    sharded_counter_destroy(&c);
}

static void one_thread_counts_every_add(void)
{
    tl_hint("with one thread and no competition, 1000 adds of 5 to shard 2 must read 5000: check that "
            "add uses n, and that read includes shard 2.");
    sharded_counter c;
    sharded_counter_init(&c, 4);
    for (int i = 0; i < 1000; i++)
        sharded_counter_add(&c, 2, 5);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 5000, "read after 1000 x add(c, 2, 5)");
    sharded_counter_destroy(&c);
}

static void shards_sit_on_their_own_cache_lines(void)
{
    tl_hint("allocate the shards with aligned_alloc(COUNTER_SHARD_ALIGN, nshards * sizeof(counter_shard)) "
            "and start every shard at 0: malloc/calloc only promise 16-byte alignment, so neighbouring "
            "shards could share a cache line (false sharing).");
    sharded_counter c;
    sharded_counter_init(&c, 8);
    TL_ASSERT_EQ_LONG(c.nshards, 8, "nshards after init(c, 8)");
    for (int s = 0; s < c.nshards; s++) {
        uintptr_t address = (uintptr_t)&c.shards[s];
        TL_ASSERT(address % COUNTER_SHARD_ALIGN == 0, "shard %d is at %#lx, not on a %d-byte boundary", s,
                  (unsigned long)address, COUNTER_SHARD_ALIGN);
        TL_ASSERT(atomic_load(&c.shards[s].value) == 0, "shard %d of a new counter holds %ld, expected 0", s,
                  (long)atomic_load(&c.shards[s].value));
    }
    sharded_counter_destroy(&c);
}

static counter_stress_result stress(sharded_counter *c, int writers, long adds_each)
{
    counter_stress_plan plan = {writers, adds_each, stress_timeout_ms()};
    counter_stress_result r = counter_stress_run(c, &plan);
    TL_ASSERT_FATAL(r.finished, "%d writers adding %ld times each did not finish within %ld ms", writers,
                    adds_each, plan.timeout_ms);
    return r;
}

static void many_threads_exact_total(void)
{
    tl_hint("8 threads each add to their own shard while a reader polls: once they are joined the read "
            "must be exact. If the total is short, updates are lost (is add one atomic operation?) or "
            "read skips shards.");
    sharded_counter c;
    sharded_counter_init(&c, 8);
    counter_stress_result r = stress(&c, 8, 200000);
    TL_ASSERT_EQ_LONG(r.final_read, r.expected, "read after 8 writers x 200000 adds (of 1, 2 or 3)");
    TL_ASSERT(r.wrong_shard < 0, "shard %d holds %ld, expected %ld (each writer adds to its own shard)",
              r.wrong_shard, r.wrong_shard_got, r.wrong_shard_expected);
    sharded_counter_destroy(&c);
}

static void threads_sharing_a_shard_lose_nothing(void)
{
    tl_hint("4 threads add to the same shard at once here: a load followed by a store (including "
            "`shard.value = shard.value + n` on an atomic) loses updates. Use one atomic "
            "read-modify-write: atomic_fetch_add_explicit.");
    sharded_counter c;
    sharded_counter_init(&c, 1);
    counter_stress_result r = stress(&c, 4, 500000);
    TL_ASSERT_EQ_LONG(r.final_read, r.expected, "read after 4 writers x 500000 adds on one shared shard");
    sharded_counter_destroy(&c);
}

static void reads_during_updates_never_go_backwards(void)
{
    tl_hint("a reader polls while 4 writers add: every read must be >= the one before. Each shard only "
            "grows, so a read that loads every shard atomically can never step back; one that resets, "
            "subtracts or caches shards can.");
    sharded_counter c;
    sharded_counter_init(&c, 4);
    counter_stress_result r = stress(&c, 4, 300000);
    TL_ASSERT(r.backwards == 0, "%ld of %ld reads went backwards; the first went from %ld to %ld", r.backwards,
              r.reads, r.drop_from, r.drop_to);
    TL_ASSERT_EQ_LONG(r.final_read, r.expected, "read after the writers finished");
    sharded_counter_destroy(&c);
}

static void destroy_then_init_starts_fresh(void)
{
    tl_hint("after destroy, init must give a new counter at 0 (start every shard at 0 in init; free the "
            "shards in destroy).");
    sharded_counter c;
    sharded_counter_init(&c, 2);
    sharded_counter_add(&c, 1, 7);
    sharded_counter_destroy(&c);
    sharded_counter_init(&c, 2);
    TL_ASSERT_EQ_LONG(sharded_counter_read(&c), 0, "read of a counter made again after destroy");
    sharded_counter_destroy(&c);
}

void tl_register_suites(void)
{
    CU_pSuite one = tl_suite("sharded counter, one thread");
    tl_test(one, "a new counter reads 0", new_counter_reads_zero);
    tl_test(one, "each add lands in the shard it names", each_add_lands_in_its_shard);
    tl_test(one, "a read sums every shard", read_sums_every_shard);
    tl_test(one, "one thread's adds are all counted", one_thread_counts_every_add);
    tl_test(one, "each shard sits on a cache line of its own", shards_sit_on_their_own_cache_lines);
    tl_test(one, "destroy then init gives a fresh counter", destroy_then_init_starts_fresh);

    CU_pSuite many = tl_suite("sharded counter, many threads");
    tl_test(many, "8 threads on 8 shards: exact total", many_threads_exact_total);
    tl_test(many, "4 threads sharing one shard: nothing lost", threads_sharing_a_shard_lose_nothing);
    tl_test(many, "reads during updates never go backwards", reads_during_updates_never_go_backwards);
}
