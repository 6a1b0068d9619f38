/* Breaks {destroy.frees}: destroy forgets the shards (clears the fields) without freeing them. */
#include "exercise.h"

#include <stdlib.h>

#include "check.h"

void sharded_counter_init(sharded_counter *c, int nshards)
{
    c->shards = aligned_alloc(COUNTER_SHARD_ALIGN, (size_t)nshards * sizeof *c->shards);
    if (c->shards == NULL)
        TL_DIE("out of memory for %d counter shards", nshards);
    for (int i = 0; i < nshards; i++)
        atomic_init(&c->shards[i].value, 0);
    c->nshards = nshards;
}

void sharded_counter_add(sharded_counter *c, int shard, long n)
{
    atomic_fetch_add_explicit(&c->shards[shard].value, n, memory_order_relaxed);
}

long sharded_counter_read(const sharded_counter *c)
{
    long total = 0;
    for (int i = 0; i < c->nshards; i++)
        total += atomic_load_explicit(&c->shards[i].value, memory_order_relaxed);
    return total;
}

void sharded_counter_destroy(sharded_counter *c)
{
    c->shards = NULL;
    c->nshards = 0;
}
