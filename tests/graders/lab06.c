/* Grader for lab06's exercise: the bounded blocking queue in labs/06-producer-consumer-queue/exercise.c.
 *
 * First the contract every bounded queue in this kit must keep: the very tests common/queue.c
 * passes (tests/contract/queue_contract.h, run by tests/unit/test_queue.c), mapped onto the
 * exercise's names — the core group (order, size, timed calls, blocking, wake-ups, backpressure,
 * many producers and consumers) and the graceful-shutdown group. The exercise has no nowait
 * calls (the contract then uses the _ms calls with 0) and no task_done/join. Then the lab's own
 * checks (labs/06-producer-consumer-queue/queue_check.c, the same ones the lab's last step
 * runs), which wake waiting threads with nothing changed, on every run.
 */
#include <stdint.h>

#include "exercise.h"
#include "harness.h"
#include "queue_check.h"

#define Q_T bounded_queue
#define Q_INIT(q, maxsize) queue_init((q), (maxsize))
#define Q_DESTROY(q) queue_destroy(q)
#define Q_PUT(q, item) queue_put((q), (item))
#define Q_GET(q, itemp) queue_get((q), (itemp))
#define Q_PUT_MS(q, item, ms) queue_put_ms((q), (item), (ms))
#define Q_GET_MS(q, itemp, ms) queue_get_ms((q), (itemp), (ms))
#define Q_SIZE(q) queue_size(q)
#define Q_IS_EMPTY(q) queue_empty(q)
#define Q_IS_FULL(q) queue_full(q)
#define Q_SHUTDOWN(q) queue_shutdown(q)
#define Q_STATUS_OK QUEUE_OK
#define Q_STATUS_TIMEOUT QUEUE_TIMEOUT
#define Q_STATUS_SHUTDOWN QUEUE_SHUTDOWN
#include "../contract/queue_contract.h"

static void expect_check(queue_check_fn *check, queue_check_config cfg)
{
    cfg.bound_ms = (long)(2000 * tl_timeout_scale());
    queue_check_result r = check(&cfg);
    if (!r.passed)
        tl_hint("%s", r.advice); /* the check knows best what its observation means */
    TL_ASSERT(r.passed, "%s", r.summary);
}

static void get_waits_again_after_empty_wakeup(void)
{
    tl_hint("A wake-up only means \"look again\": get() and get_ms() must wait in a while loop.");
    expect_check(queue_check_get_rechecks, (queue_check_config){0});
}

static void put_waits_again_after_full_wakeup(void)
{
    tl_hint("A wake-up only means \"look again\": put() and put_ms() must wait in a while loop.");
    expect_check(queue_check_put_rechecks, (queue_check_config){0});
}

static void producers_consumers_and_shutdown(void)
{
    tl_hint("Every item exactly once, and every consumer back after shutdown(): fix the tests "
            "above first.");
    expect_check(queue_check_stress, (queue_check_config){.producers = 4, .consumers = 4,
                                                          .items_per_producer = 2000, .maxsize = 1});
}

void tl_register_suites(void)
{
    queue_contract_register_core(tl_suite("bounded queue contract: core (as common/queue.h)"));
    queue_contract_register_shutdown(tl_suite("bounded queue contract: graceful shutdown"));
    CU_pSuite lab = tl_suite("lab06 checks");
    tl_test(lab, "get() and get_ms() woken with the queue still empty wait again",
            get_waits_again_after_empty_wakeup);
    tl_test(lab, "put() and put_ms() woken with the queue still full wait again",
            put_waits_again_after_full_wakeup);
    tl_test_timeout(lab, "4 producers x 2000 items through one slot, then shutdown(): every item "
                    "once, every consumer back", producers_consumers_and_shutdown, 20);
}
