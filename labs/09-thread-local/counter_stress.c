#include "counter_stress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

typedef struct stress_run stress_run;

typedef struct {
    stress_run *run;
    int index;
} stress_writer;

/* On the heap, not the caller's stack: if the student's code hangs, the threads outlive the
 * call and keep using it. */
struct stress_run {
    sharded_counter *counter;
    counter_stress_plan plan;
    int64_t deadline_ns;
    atomic_int writers_ready, writers_done;
    long reads, backwards, drop_from, drop_to; /* the reader's; read by the caller after join */
    stress_writer *writers;
    pthread_t *writer_threads;
    pthread_t reader_thread;
};

long counter_stress_amount(int writer)
{
    return writer % 3 + 1;
}

static void *stress_write(void *arg)
{
    stress_writer *w = arg;
    sharded_counter *c = w->run->counter;
    int shard = w->index % c->nshards;
    long amount = counter_stress_amount(w->index);
    /* Start together, so writers that share a shard really overlap instead of each finishing
     * its adds in one time slice before the next is even created. */
    atomic_fetch_add(&w->run->writers_ready, 1);
    while (atomic_load(&w->run->writers_ready) < w->run->plan.writers && tl_now_ns() < w->run->deadline_ns)
        tl_sleep_us(50);
    for (long i = 0; i < w->run->plan.adds_each; i++)
        sharded_counter_add(c, shard, amount);
    atomic_fetch_add(&w->run->writers_done, 1);
    return NULL;
}

/* Polls as fast as it can while writers add: the reads most likely to catch a step back. */
static void *stress_read(void *arg)
{
    stress_run *run = arg;
    long previous = sharded_counter_read(run->counter);
    while (atomic_load(&run->writers_done) < run->plan.writers && tl_now_ns() < run->deadline_ns) {
        long now = sharded_counter_read(run->counter);
        run->reads++;
        if (now < previous && run->backwards++ == 0) {
            run->drop_from = previous;
            run->drop_to = now;
        }
        previous = now;
    }
    return NULL;
}

/* What shard s must hold after the run: the adds of every writer assigned to it. */
static long expected_in_shard(const stress_run *run, int shard)
{
    long sum = 0;
    for (int w = shard; w < run->plan.writers; w += run->counter->nshards)
        sum += run->plan.adds_each * counter_stress_amount(w);
    return sum;
}

counter_stress_result counter_stress_run(sharded_counter *c, const counter_stress_plan *plan)
{
    counter_stress_result result = {.wrong_shard = -1};
    stress_run *run = tl_xcalloc(1, sizeof *run);
    run->counter = c;
    run->plan = *plan;
    run->deadline_ns = tl_now_ns() + plan->timeout_ms * 1000000L;
    atomic_init(&run->writers_ready, 0);
    atomic_init(&run->writers_done, 0);
    run->writers = tl_xcalloc((size_t)plan->writers, sizeof *run->writers);
    run->writer_threads = tl_xcalloc((size_t)plan->writers, sizeof *run->writer_threads);
    for (int w = 0; w < plan->writers; w++)
        result.expected += plan->adds_each * counter_stress_amount(w);

    TL_CHECK(pthread_create(&run->reader_thread, NULL, stress_read, run));
    for (int w = 0; w < plan->writers; w++) {
        run->writers[w] = (stress_writer){run, w};
        TL_CHECK(pthread_create(&run->writer_threads[w], NULL, stress_write, &run->writers[w]));
    }
    /* pthread_join cannot time out, so wait for the writers' own count first. */
    while (atomic_load(&run->writers_done) < plan->writers && tl_now_ns() < run->deadline_ns)
        tl_sleep_ms(1);
    if (atomic_load(&run->writers_done) < plan->writers) {
        for (int w = 0; w < plan->writers; w++)
            TL_CHECK(pthread_detach(run->writer_threads[w]));
        TL_CHECK(pthread_detach(run->reader_thread));
        return result; /* finished == false; run is leaked on purpose: the threads still use it */
    }
    for (int w = 0; w < plan->writers; w++)
        TL_CHECK(pthread_join(run->writer_threads[w], NULL));
    TL_CHECK(pthread_join(run->reader_thread, NULL));

    result.finished = true;
    result.final_read = sharded_counter_read(c);
    result.reads = run->reads;
    result.backwards = run->backwards;
    result.drop_from = run->drop_from;
    result.drop_to = run->drop_to;
    for (int s = 0; s < c->nshards && result.wrong_shard < 0; s++) {
        long got = atomic_load(&c->shards[s].value), want = expected_in_shard(run, s);
        if (got != want) {
            result.wrong_shard = s;
            result.wrong_shard_got = got;
            result.wrong_shard_expected = want;
        }
    }
    free(run->writers);
    free(run->writer_threads);
    free(run);
    return result;
}
