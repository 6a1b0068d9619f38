/* exercise.c — your sharded counter (lab09). Read exercise.h for the contract and README.md
 * for hints; `make check-lab09` grades it.
 *
 * As shipped it is not sharded at all: every add goes to shard 0, so all threads still fight
 * over one cache line, and a read looks only at shard 0. Totals come out right, which is why
 * the bug is easy to miss — but it is one shared counter wearing a sharded counter's name.
 */
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
    /* TODO(exercise): add n to the shard the caller named, not to shard 0. Keep it atomic (a
     * reader may load the shard meanwhile, and threads may share a shard); think about which
     * memory order is enough for a counter nobody uses to publish other data. */
    (void)shard;
    atomic_fetch_add(&c->shards[0].value, n);
}

long sharded_counter_read(const sharded_counter *c)
{
    /* TODO(exercise): merge the shards — sum every shard, each read atomically. */
    return atomic_load(&c->shards[0].value);
}

void sharded_counter_destroy(sharded_counter *c)
{
    free(c->shards);
    c->shards = NULL;
    c->nshards = 0;
}
