/* lab06 — producer-consumer with a queue, and the thread pool.
 *   Steps 1-2 (part A, common/queue.h): one producer, consumers, a queue bounded at 3. The
 *     producer is held to the consumers' pace (backpressure, timed); join() waits for every
 *     task_done(); one sentinel per consumer stops it.
 *   Steps 3-5 (part B, common/pool.h): a thread pool is workers on a queue. Simulated I/O tasks
 *     one after another vs map() on W workers; submit + as_completed, one task failing on its
 *     own future; cancel() of the futures still queued.
 *   Step 6 checks your bounded queue (exercise.c): the check table of checks.c.
 * Steps 3-5 live in pool_demo.c, their simulated task in io_task.c; the lesson is in
 * labs/06-producer-consumer-queue/README.md. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "checks.h"
#include "cli.h"
#include "clock.h"
#include "pool_demo.h"
#include "queue.h"
#include "report.h"

#define MAX_ITEMS 100
#define MAX_CONSUMERS 8
#define BOUND_MS 5000L /* added to every wait's expected length: the demo never hangs */

static long items = 10, maxsize = 3, consumers = 2, work_ms = 100;
static long tasks = 20, workers = 5, latency_ms = 100;
static const char *part = "all";

static const tl_option options[] = {
    {"items", TL_OPT_LONG, &items, 1, MAX_ITEMS, "N", "items the producer puts (part A)", NULL, NULL},
    {"maxsize", TL_OPT_LONG, &maxsize, 1, 50, "N", "the queue's maxsize (part A)", NULL, NULL},
    {"consumers", TL_OPT_LONG, &consumers, 1, MAX_CONSUMERS, "N", "consumer threads (part A)", NULL, NULL},
    {"work-ms", TL_OPT_LONG, &work_ms, 1, 1000, "MS", "a consumer's work per item (part A)", "20", NULL},
    {"tasks", TL_OPT_LONG, &tasks, 1, POOL_DEMO_MAX_TASKS, "N", "simulated I/O tasks (part B)", NULL, NULL},
    {"workers", TL_OPT_LONG, &workers, 1, 64, "N", "the pool's worker threads (part B)", NULL, NULL},
    {"latency-ms", TL_OPT_LONG, &latency_ms, 10, 2000, "MS",
     "the slowest task's latency; the others take 10% to 90% of it (part B)", "30", NULL},
    {"part", TL_OPT_CHOICE, &part, 0, 0, "P", "run only part A (queue), part B (pool) or the "
     "exercise check", NULL, "all|queue|pool|exercise"},
    {0},
};

static const tl_cli cli = {
    "lab06", "[options]",
    "A bounded queue between a producer and its consumers: a put on a full queue blocks, so the\n"
    "producer runs at the consumers' pace (backpressure); one sentinel per consumer stops it;\n"
    "task_done/join waits until every item is processed. A thread pool is workers on such a\n"
    "queue: map() (results in submission order), submit + as_completed (completion order), a\n"
    "failing task's error on its own future, cancel() of queued work, and the time against\n"
    "running the tasks one after another. Then your bounded queue\n"
    "(labs/06-producer-consumer-queue/exercise.c) is checked. --csv: mode,workers,tasks,seconds,\n"
    "ideal_seconds rows of part B, for a chart of time against --workers.",
    options, false, 0};

/* ---- part A: producer -> bounded queue -> consumers ---- */

static char sentinel_mark;
#define SENTINEL ((void *)&sentinel_mark) /* no real item has this address */

typedef struct {
    double put_ms, waited_ms; /* producer: when its put returned, how long it waited for room */
    double done_ms;           /* consumer: when it finished the item */
    int consumer;             /* which consumer (from 1) */
} item_log;

static struct {
    tl_queue q;
    tl_stopwatch clock;
    item_log log[MAX_ITEMS];
    int full_puts; /* the producer's: puts that found the queue full */
    atomic_int processed, stopped_by_sentinel, gave_up;
} demo;

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 0; i < items; i++) {
        void *item = (void *)(uintptr_t)(i + 1);
        double asked = tl_stopwatch_ms(&demo.clock);
        tl_queue_status st = tl_queue_put_nowait(&demo.q, item);
        if (st == TL_QUEUE_FULL) { /* backpressure: wait until a consumer makes room */
            demo.full_puts++;
            st = tl_queue_put_ms(&demo.q, item, work_ms + BOUND_MS);
        }
        if (st != TL_QUEUE_OK) {
            atomic_fetch_add(&demo.gave_up, 1);
            return NULL;
        }
        demo.log[i].put_ms = tl_stopwatch_ms(&demo.clock);
        demo.log[i].waited_ms = demo.log[i].put_ms - asked;
    }
    return NULL;
}

static void *consumer(void *arg)
{
    for (;;) {
        void *item = NULL;
        if (tl_queue_get_ms(&demo.q, &item, items * work_ms + BOUND_MS) != TL_QUEUE_OK) {
            atomic_fetch_add(&demo.gave_up, 1);
            return NULL;
        }
        if (item == SENTINEL) { /* one sentinel per consumer: this one is ours, so stop */
            atomic_fetch_add(&demo.stopped_by_sentinel, 1);
            (void)tl_queue_task_done(&demo.q);
            return NULL;
        }
        tl_sleep_ms(work_ms); /* processing the item */
        item_log *log = &demo.log[(uintptr_t)item - 1];
        log->consumer = (int)(intptr_t)arg;
        log->done_ms = tl_stopwatch_ms(&demo.clock);
        atomic_fetch_add(&demo.processed, 1);
        (void)tl_queue_task_done(&demo.q); /* after the work, never before: join() counts on it */
    }
}

static void part_a(void)
{
    tl_step("One producer puts %ld items into a queue of maxsize %ld; %ld consumer%s take%s them, "
            "%ld ms of work per item", items, maxsize, consumers, consumers == 1 ? "" : "s",
            consumers == 1 ? "s" : "", work_ms);
    tl_queue_init(&demo.q, (size_t)maxsize, NULL);
    demo.clock = tl_stopwatch_start();
    pthread_t threads[MAX_CONSUMERS + 1];
    for (long c = 0; c < consumers; c++)
        TL_CHECK(pthread_create(&threads[c], NULL, consumer, (void *)(intptr_t)(c + 1)));
    TL_CHECK(pthread_create(&threads[consumers], NULL, producer, NULL));
    TL_CHECK(pthread_join(threads[consumers], NULL)); /* every wait inside is bounded */
    double producer_ms = tl_stopwatch_ms(&demo.clock);
    int outstanding = (int)items - atomic_load(&demo.processed);
    tl_queue_status joined = tl_queue_join_ms(&demo.q, items * work_ms + BOUND_MS);
    double join_ms = tl_stopwatch_ms(&demo.clock) - producer_ms;
    int processed_at_join = atomic_load(&demo.processed), sentinels = 0;
    for (long c = 0; c < consumers; c++)
        sentinels += tl_queue_put_ms(&demo.q, SENTINEL, BOUND_MS) == TL_QUEUE_OK;
    for (long c = 0; c < consumers; c++)
        TL_CHECK(pthread_join(threads[c], NULL));
    tl_queue_destroy(&demo.q);

    tl_say("item   put at  waited for room  done at  by");
    double blocked_ms = 0;
    for (long i = 0; i < items; i++) {
        const item_log *l = &demo.log[i];
        blocked_ms += l->waited_ms;
        tl_say("%4ld  %4.0f ms  %12.0f ms  %4.0f ms  consumer %d", i + 1, l->put_ms, l->waited_ms,
               l->done_ms, l->consumer);
    }
    /* The producer is never more than maxsize (queue) + consumers (in their hands) items ahead
     * of the finished ones, and consumers finish `consumers` items per work_ms at best. */
    long ahead = maxsize + consumers, rounds = (items - ahead + consumers - 1) / consumers;
    if (items > ahead)
        tl_expect(producer_ms >= (double)(rounds * work_ms), TL_FAIL, "the producer's last put "
                  "returned at %.0f ms (expected at least %ld ms = %ld round%s of %ld ms: it can "
                  "never be more than %ld items ahead, %ld queued + %ld in the consumers' hands)",
                  producer_ms, rounds * work_ms, rounds, rounds == 1 ? "" : "s", work_ms, ahead,
                  maxsize, consumers);
    else
        tl_verdict(TL_WARN, "the producer never had to wait (expected: with %ld items and room "
                   "for %ld in the queue and the consumers' hands, there is no backpressure to "
                   "see; try --items %ld)", items, ahead, 3 * ahead);
    tl_verdict(TL_INFO, "puts that found the queue full = %d of %ld; time they spent blocked = "
               "%.0f ms of the producer's %.0f ms (backpressure: it ran at the consumers' pace)",
               demo.full_puts, items, blocked_ms, producer_ms);

    tl_step("join() waits until task_done() was called for every item; then one sentinel per "
            "consumer stops it");
    tl_verdict(TL_INFO, "items not yet processed when the producer finished = %d; join() waited "
               "%.0f ms for them", outstanding, join_ms);
    tl_expect(joined == TL_QUEUE_OK && processed_at_join == items, TL_FAIL, "items processed when "
              "join() returned = %d (expected %ld: join() waits for one task_done() per item put)",
              processed_at_join, items);
    tl_expect(sentinels == consumers && atomic_load(&demo.stopped_by_sentinel) == consumers &&
              atomic_load(&demo.gave_up) == 0, TL_FAIL, "consumers stopped by their sentinel = %d "
              "(expected %ld, one sentinel each; waits that hit their bound = %d)",
              atomic_load(&demo.stopped_by_sentinel), consumers, atomic_load(&demo.gave_up));
}

int main(int argc, char **argv)
{
    tl_common_opts common;
    tl_cli_parse_or_exit(&cli, argc, argv, &common);
    tl_report_init("lab06", &common);
    tl_header("producer-consumer with a queue, and the thread pool");
    tl_csv_header("mode,workers,tasks,seconds,ideal_seconds");
    bool all = strcmp(part, "all") == 0;
    if (all || strcmp(part, "queue") == 0)
        part_a();
    tl_step_number_next(3); /* each part keeps its step numbers when run alone */
    if (all || strcmp(part, "pool") == 0)
        pool_demo_run(&(pool_demo_config){(int)tasks, workers, latency_ms});
    tl_step_number_next(6);
    if (all || strcmp(part, "exercise") == 0)
        (void)tl_checks_step(&tl_lab_checks);
    tl_lesson("A bounded queue holds a fast producer to its consumers' pace; stop consumers with one "
              "sentinel each and wait for the work with task_done/join. A thread pool is that queue "
              "with workers behind it: map keeps submission order, as_completed gives completion "
              "order, each future carries its own result or error, and only queued work can be "
              "cancelled.");
    return tl_report_exit_status();
}
