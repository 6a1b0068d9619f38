/* exercise.c — the reference sharded counter (lab09). See labs/09-thread-local/exercise.h. */
#include "exercise.h"

#include <stdlib.h>

#include "check.h"

void sharded_counter_init(sharded_counter *c, int nshards)
{
    /* malloc only promises 16-byte alignment; the shards' alignas(64) needs aligned_alloc,
     * whose size must be a multiple of the alignment (sizeof(counter_shard) is 64). */
    c->shards = aligned_alloc(COUNTER_SHARD_ALIGN, (size_t)nshards * sizeof *c->shards);
    if (c->shards == NULL)
        TL_DIE("out of memory for %d counter shards", nshards);
    for (int i = 0; i < nshards; i++)
        atomic_init(&c->shards[i].value, 0);
    c->nshards = nshards;
}

void sharded_counter_add(sharded_counter *c, int shard, long n)
{
    /* An atomic read-modify-write, so threads that share a shard lose nothing and a reader
     * never loads a half-written value. Relaxed is enough: the counter publishes no other data
     * (nobody reads a value and then relies on memory another thread wrote before adding), and
     * atomicity plus per-location ordering hold at every memory order. Threads that need the
     * exact final total join the writers first, and the join orders everything. */
    atomic_fetch_add_explicit(&c->shards[shard].value, n, memory_order_relaxed);
}

long sharded_counter_read(const sharded_counter *c)
{
    /* Why successive reads never go backwards: each shard only grows, and coherence forbids a
     * thread's later load of a location from seeing an older value than its earlier load. So
     * every term of this read is >= the same term of the previous read, and so is the sum.
     * Why it is not a snapshot: shard 0 is loaded before shard n-1, and writers keep adding in
     * between, so the sum mixes moments; it lies between the totals at the start and at the end
     * of the read. A snapshot would need every writer stopped (a lock), which is the cost the
     * sharded counter exists to avoid. */
    long total = 0;
    for (int i = 0; i < c->nshards; i++)
        total += atomic_load_explicit(&c->shards[i].value, memory_order_relaxed);
    return total;
}

void sharded_counter_destroy(sharded_counter *c)
{
    free(c->shards);
    c->shards = NULL;
    c->nshards = 0;
}
