/* Breaks {add.concurrent}: reads each shard through a plain long pointer, a non-atomic load racing with the adds. */
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
        total += *(const long *)&c->shards[i].value;
    return total;
}

void sharded_counter_destroy(sharded_counter *c)
{
    free(c->shards);
    c->shards = NULL;
    c->nshards = 0;
}
