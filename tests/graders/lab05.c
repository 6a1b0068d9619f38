/* Grader for lab05's exercise: the bounded buffer in labs/05-producer-consumer-condition/exercise.c.
 *
 * The single-thread tests call the buffer directly (the runner's deadline catches a hang). The
 * waiting tests use probe.c: each buffer call on a thread of its own, waited for with a deadline,
 * and the tricky wake-ups made to happen on every run (see probe.h).
 */
#include "exercise.h"
#include "harness.h"
#include "probe.h"

static long deadline_ms(void)
{
    return (long)(2000 * tl_timeout_scale());
}

static void expect_probe(probe_fn *probe, const probe_config *cfg)
{
    probe_result r = probe(cfg);
    if (!r.passed)
        tl_hint("%s", r.advice); /* the probe knows best what its observation means */
    TL_ASSERT(r.passed, "%s", r.summary);
}

/* ---- one thread ---- */

static void items_come_out_in_order(void)
{
    tl_hint("buffer_put appends at (head + count) %% capacity and buffer_get takes from head, then "
            "moves head on by one (wrapping at capacity).");
    bounded_buffer b;
    buffer_init(&b, 3);
    for (long round = 0; round < 3; round++) { /* several rounds, so the ring wraps around */
        for (long i = 1; i <= 3; i++)
            TL_ASSERT(buffer_put(&b, round * 10 + i), "put(%ld) into a buffer with room: expected "
                      "true, got false", round * 10 + i);
        for (long i = 1; i <= 3; i++) {
            long item = -1;
            bool got = buffer_get(&b, &item);
            TL_ASSERT(got && item == round * 10 + i, "get() number %ld of round %ld: expected true "
                      "with item %ld, got %s with item %ld", i, round, round * 10 + i,
                      got ? "true" : "false", item);
        }
    }
    buffer_destroy(&b);
}

static void get_drains_then_reports_closed(void)
{
    tl_hint("After close(), buffer_get must still hand out the items that are left, and return "
            "false only when the buffer is closed AND empty.");
    bounded_buffer b;
    buffer_init(&b, 4);
    TL_ASSERT(buffer_put(&b, 7) && buffer_put(&b, 8), "put() into an open buffer: expected true");
    buffer_close(&b);
    long item = -1;
    bool got = buffer_get(&b, &item);
    TL_ASSERT(got && item == 7, "first get() after close(): expected true with 7, got %s with %ld",
              got ? "true" : "false", item);
    got = buffer_get(&b, &item);
    TL_ASSERT(got && item == 8, "second get() after close(): expected true with 8, got %s with %ld",
              got ? "true" : "false", item);
    for (int i = 0; i < 2; i++) {
        item = -1;
        got = buffer_get(&b, &item);
        TL_ASSERT(!got, "get() on a closed, empty buffer: expected false, got true with %ld", item);
        TL_ASSERT(item == -1, "get() returning false must leave *item alone: it became %ld", item);
    }
    buffer_destroy(&b);
}

static void put_on_closed_buffer_is_refused(void)
{
    tl_hint("buffer_put must check b->closed after any waiting and return false without adding the "
            "item.");
    bounded_buffer b;
    buffer_init(&b, 4);
    buffer_close(&b);
    TL_ASSERT(!buffer_put(&b, 5), "put() on a closed buffer: expected false, got true");
    long item = -1;
    TL_ASSERT(!buffer_get(&b, &item), "get() after a refused put(): expected false (nothing was "
              "added), got true with %ld", item);
    buffer_destroy(&b);
}

/* ---- waiting threads, one scenario each (probe.c) ---- */

static void get_waits_again_after_empty_wakeup(void)
{
    tl_hint("A wake-up only means \"look again\". In buffer_get, replace `if (b->count == 0 && "
            "!b->closed)` with `while (...)` so a consumer that wakes to an empty buffer waits again.");
    expect_probe(probe_get_rechecks, &(probe_config){.deadline_ms = deadline_ms()});
}

static void put_waits_again_after_full_wakeup(void)
{
    tl_hint("The same in buffer_put: `while (b->count == b->capacity && !b->closed)`, or a producer "
            "woken while the buffer is still full writes over an item nobody has taken.");
    expect_probe(probe_put_rechecks, &(probe_config){.deadline_ms = deadline_ms()});
}

static void close_wakes_every_consumer(void)
{
    tl_hint("close() must wake every waiting consumer (pthread_cond_broadcast on not_empty, not "
            "signal, which wakes at most one), and get() must re-check the predicate in a while loop.");
    expect_probe(probe_close_wakes_consumers,
                 &(probe_config){.waiters = 3, .deadline_ms = deadline_ms()});
}

static void close_wakes_every_producer(void)
{
    tl_hint("close() must also broadcast on not_full, and buffer_put must return false once the "
            "buffer is closed; the item already inside must still come out.");
    expect_probe(probe_close_wakes_producers,
                 &(probe_config){.waiters = 3, .deadline_ms = deadline_ms()});
}

/* ---- many threads ---- */

static void many_threads_capacity_2(void)
{
    tl_hint("Items lost, duplicated or out of order, or a thread that never returns: both waits must "
            "be while loops and close() must broadcast. Fix the tests above first.");
    expect_probe(probe_stress, &(probe_config){.producers = 3, .consumers = 4, .capacity = 2,
                                               .items_per_producer = 3000,
                                               .deadline_ms = 3 * deadline_ms()});
}

static void many_threads_capacity_1(void)
{
    tl_hint("With one slot every put waits for a get and back: any `if` instead of `while`, or a "
            "missed wake-up, shows here. Fix the tests above first.");
    expect_probe(probe_stress, &(probe_config){.producers = 4, .consumers = 3, .capacity = 1,
                                               .items_per_producer = 1500,
                                               .deadline_ms = 3 * deadline_ms()});
}

void tl_register_suites(void)
{
    CU_pSuite one = tl_suite("lab05 bounded buffer, one thread");
    tl_test(one, "items come out in the order they went in", items_come_out_in_order);
    tl_test(one, "after close(), get() drains what is left, then returns false",
            get_drains_then_reports_closed);
    tl_test(one, "put() on a closed buffer returns false and adds nothing",
            put_on_closed_buffer_is_refused);

    CU_pSuite waits = tl_suite("lab05 bounded buffer, waiting");
    tl_test(waits, "get() waits again after a wake-up that finds the buffer empty",
            get_waits_again_after_empty_wakeup);
    tl_test(waits, "put() waits again after a wake-up that finds the buffer full",
            put_waits_again_after_full_wakeup);
    tl_test(waits, "close() wakes every waiting consumer (3 waiting)", close_wakes_every_consumer);
    tl_test(waits, "close() wakes every waiting producer (3 waiting)", close_wakes_every_producer);

    CU_pSuite many = tl_suite("lab05 bounded buffer, many threads");
    /* Generous deadlines: thousands of hand-offs on a loaded 2-core machine. */
    tl_test_timeout(many, "every item delivered exactly once: 3 producers, 4 consumers, capacity 2",
                    many_threads_capacity_2, 20);
    tl_test_timeout(many, "every item delivered exactly once: 4 producers, 3 consumers, capacity 1",
                    many_threads_capacity_1, 20);
}
