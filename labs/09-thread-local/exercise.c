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
    /* TODO(exercise): this ignores which shard the caller named, so every thread still fights
     * over shard 0's cache line. Whatever you change, the update must stay atomic: a reader may
     * load the shard meanwhile, and threads may share a shard. Which memory order does a
     * counter need when nobody uses it to publish other data? */
    (void)shard;
    atomic_fetch_add(&c->shards[0].value, n);
}

long sharded_counter_read(const sharded_counter *c)
{
    /* TODO(exercise): this looks at one shard only, so the adds in the others are missing.
     * Writers keep adding while this runs (exercise.h says what a read must still promise). */
    return atomic_load(&c->shards[0].value);
}

void sharded_counter_destroy(sharded_counter *c)
{
    free(c->shards);
    c->shards = NULL;
    c->nshards = 0;
}
