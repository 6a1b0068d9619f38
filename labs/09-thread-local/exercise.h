/* exercise.h — lab09's exercise: a counter sharded per thread, merged on read.
 *
 * A single counter that many threads increment is one memory location they all fight over,
 * whether a mutex guards it or not. A sharded counter gives each thread a shard of its own:
 * adding touches only that shard, so writers never contend, and a read merges (sums) the
 * shards. Adds are cheap and scale; reads cost one load per shard.
 *
 * The contract, one promise a sentence, each tagged with the name of its checks (checks.c):
 *   - sharded_counter_add(c, s, n) adds n to shards[s] and to no other shard {add.own_shard};
 *   - sharded_counter_read(c) returns the sum of every shard, whatever they hold, and changes
 *     nothing {read.sums};
 *   - many threads may add and read at the same time, with no data race {add.concurrent}: no
 *     update is ever lost, also when threads share a shard {add.atomic}, and successive reads
 *     by one thread never go backwards while adds are non-negative {read.monotonic};
 *   - a read taken while writers run is NOT a snapshot: it lies between the total when the read
 *     began and the total when it ended, but that exact value may never have existed; every add
 *     that returned before the read began is in it {read.between}.
 */
#ifndef LAB09_EXERCISE_H
#define LAB09_EXERCISE_H

#include <stdalign.h>
#include <stdatomic.h>

/* Two CPUs never own the same cache line at once: each write takes the whole line away from
 * every other core. Without the padding, eight 8-byte shards would share one 64-byte line and
 * threads adding to "their own" shards would still bounce that line between cores (false
 * sharing), running almost as slowly as one shared counter. alignas(64) gives each shard a line
 * of its own (sizeof(counter_shard) is 64 too). 64 bytes is the line size of x86-64 and most
 * ARM cores. */
#define COUNTER_SHARD_ALIGN 64

typedef struct {
    alignas(COUNTER_SHARD_ALIGN) atomic_long value; /* atomic: a reader loads it while its writer adds */
} counter_shard;

typedef struct {
    counter_shard *shards; /* nshards shards, each COUNTER_SHARD_ALIGN-aligned, all starting at 0 */
    int nshards;
} sharded_counter;

/* Pre: 1 <= nshards. Post: c has nshards shards, all 0 {init.zeroed}, each on its own cache
 * line: the array is COUNTER_SHARD_ALIGN-aligned {init.aligned}. */
void sharded_counter_init(sharded_counter *c, int nshards);

/* Pre: 0 <= shard < c->nshards, n >= 0. Adds n to shards[shard] with one atomic
 * read-modify-write: other threads may add to the same shard or read the counter at the same
 * time, and nothing is lost {add.atomic}. */
void sharded_counter_add(sharded_counter *c, int shard, long n);

/* The sum of all shards. Safe while other threads add {add.concurrent}; successive reads by one
 * thread never decrease (see above); once every writer has finished (and been joined), exact,
 * whichever threads added and whether they still run {read.exact}. */
long sharded_counter_read(const sharded_counter *c);

/* Pre: no thread is using c any more. Releases the shards: everything init allocated is freed
 * {destroy.frees}. */
void sharded_counter_destroy(sharded_counter *c);

#endif
