/* Unit tests of common/queue.h: the queue contract (tests/contract/queue_contract.h, the same
 * tests lab06's grader runs) instantiated for tl_queue, plus what only tl_queue promises
 * (free callbacks, timeouts <= 0, a huge maxsize). */
#include <stdint.h>

#include "queue.h"

#define Q_T tl_queue
#define Q_INIT(q, maxsize) tl_queue_init((q), (maxsize), NULL)
#define Q_DESTROY(q) tl_queue_destroy(q)
#define Q_PUT(q, item) tl_queue_put((q), (item))
#define Q_GET(q, itemp) tl_queue_get((q), (itemp))
#define Q_PUT_MS(q, item, ms) tl_queue_put_ms((q), (item), (ms))
#define Q_GET_MS(q, itemp, ms) tl_queue_get_ms((q), (itemp), (ms))
#define Q_PUT_NOWAIT(q, item) tl_queue_put_nowait((q), (item))
#define Q_GET_NOWAIT(q, itemp) tl_queue_get_nowait((q), (itemp))
#define Q_SIZE(q) tl_queue_size(q)
#define Q_IS_EMPTY(q) tl_queue_empty(q)
#define Q_IS_FULL(q) tl_queue_full(q)
#define Q_TASK_DONE(q) tl_queue_task_done(q)
#define Q_JOIN(q) tl_queue_join(q)
#define Q_JOIN_MS(q, ms) tl_queue_join_ms((q), (ms))
#define Q_SHUTDOWN(q) tl_queue_shutdown((q), false, NULL)
#define Q_SHUTDOWN_IMMEDIATE(q, free_fn) tl_queue_shutdown((q), true, (free_fn))
#define Q_STATUS_OK TL_QUEUE_OK
#define Q_STATUS_TIMEOUT TL_QUEUE_TIMEOUT
#define Q_STATUS_FULL TL_QUEUE_FULL
#define Q_STATUS_EMPTY TL_QUEUE_EMPTY
#define Q_STATUS_SHUTDOWN TL_QUEUE_SHUTDOWN
#define Q_STATUS_TOO_MANY_DONE TL_QUEUE_TOO_MANY_DONE
#include "../contract/queue_contract.h"

/* ---- tl_queue only ---- */

static int init_drops, shutdown_drops;

static void count_init_drop(void *item)
{
    (void)item;
    init_drops++;
}

static void count_shutdown_drop(void *item)
{
    (void)item;
    shutdown_drops++;
}

static void free_callbacks_init_and_shutdown(void)
{
    tl_hint("tl_queue_shutdown(q, true, NULL) must drop items through the init's free_item; a "
            "free_item given to shutdown overrides it; destroy frees leftovers through the init's");
    tl_queue q;
    init_drops = shutdown_drops = 0;
    tl_queue_init(&q, 0, count_init_drop);
    for (long i = 1; i <= 3; i++)
        TL_ASSERT_FATAL(tl_queue_put(&q, QC_ITEM(i)) == TL_QUEUE_OK, "put %ld", i);
    tl_queue_shutdown(&q, true, NULL);
    TL_ASSERT(init_drops == 3 && shutdown_drops == 0, "immediate shutdown without its own "
                                                      "callback: expected 3 drops through the "
                                                      "init's, got %d (and %d)",
              init_drops, shutdown_drops);
    tl_queue_destroy(&q);
    TL_ASSERT_EQ_LONG(init_drops, 3, "drops after destroying an already emptied queue");

    init_drops = shutdown_drops = 0;
    tl_queue_init(&q, 4, count_init_drop);
    TL_ASSERT_FATAL(tl_queue_put(&q, QC_ITEM(1)) == TL_QUEUE_OK, "put 1");
    TL_ASSERT_FATAL(tl_queue_put(&q, QC_ITEM(2)) == TL_QUEUE_OK, "put 2");
    tl_queue_shutdown(&q, true, count_shutdown_drop);
    TL_ASSERT(init_drops == 0 && shutdown_drops == 2, "immediate shutdown with its own callback: "
                                                      "expected 2 drops through it, got %d (init's "
                                                      "got %d)",
              shutdown_drops, init_drops);
    tl_queue_destroy(&q);

    init_drops = 0;
    tl_queue_init(&q, 4, count_init_drop);
    TL_ASSERT_FATAL(tl_queue_put(&q, QC_ITEM(1)) == TL_QUEUE_OK, "put 1");
    tl_queue_shutdown(&q, false, NULL);
    TL_ASSERT_EQ_LONG(init_drops, 0, "drops by a graceful shutdown (it keeps the items)");
    tl_queue_destroy(&q);
    TL_ASSERT_EQ_LONG(init_drops, 1, "drops by destroy of a queue with 1 item left");
}

static void freed_items_are_really_freed(void)
{
    tl_hint("items dropped by shutdown or destroy go to free_item; run under ASan/valgrind to see "
            "leaks if they do not");
    tl_queue q;
    tl_queue_init(&q, 8, free);
    for (int i = 0; i < 5; i++)
        TL_ASSERT_FATAL(tl_queue_put(&q, tl_xmalloc(32)) == TL_QUEUE_OK, "put a malloc'd item");
    void *item = NULL;
    TL_ASSERT_FATAL(tl_queue_get(&q, &item) == TL_QUEUE_OK, "get one back");
    free(item);
    tl_queue_shutdown(&q, true, NULL); /* 4 freed here */
    for (int i = 0; i < 3; i++)
        TL_ASSERT(tl_queue_put(&q, QC_ITEM(1)) == TL_QUEUE_SHUTDOWN, "put after shutdown");
    tl_queue_destroy(&q);
    tl_queue_init(&q, 8, free);
    TL_ASSERT_FATAL(tl_queue_put(&q, tl_xmalloc(32)) == TL_QUEUE_OK, "put a malloc'd item");
    tl_queue_destroy(&q); /* 1 freed here */
}

static void nonpositive_timeout_only_tries(void)
{
    tl_hint("tl_queue_get_ms/put_ms/join_ms with a timeout <= 0 must not wait: they try once and "
            "report TIMEOUT (as tl_event_wait_ms does), or succeed when they can");
    tl_queue q;
    void *item = NULL;
    tl_queue_init(&q, 1, NULL);
    TL_ASSERT(tl_queue_get_ms(&q, &item, -5) == TL_QUEUE_TIMEOUT, "get_ms(-5) on an empty queue");
    TL_ASSERT(tl_queue_put_ms(&q, QC_ITEM(1), -5) == TL_QUEUE_OK, "put_ms(-5) with room");
    TL_ASSERT(tl_queue_put_ms(&q, QC_ITEM(2), -5) == TL_QUEUE_TIMEOUT, "put_ms(-5) on a full queue");
    TL_ASSERT(tl_queue_join_ms(&q, -5) == TL_QUEUE_TIMEOUT, "join_ms(-5) with 1 item undone");
    TL_ASSERT(tl_queue_get_ms(&q, &item, -5) == TL_QUEUE_OK && QC_NUM(item) == 1,
              "get_ms(-5) with an item");
    TL_ASSERT(tl_queue_task_done(&q) == TL_QUEUE_OK, "task_done");
    TL_ASSERT(tl_queue_join_ms(&q, -5) == TL_QUEUE_OK, "join_ms(-5) with nothing undone");
    tl_queue_destroy(&q);
}

static void huge_maxsize_is_not_preallocated(void)
{
    tl_hint("the ring grows on demand up to maxsize: a queue with maxsize SIZE_MAX must not try to "
            "allocate SIZE_MAX slots at init or on the first put");
    tl_queue q;
    tl_queue_init(&q, SIZE_MAX, NULL);
    for (long i = 1; i <= 100; i++)
        TL_ASSERT_FATAL(tl_queue_put_nowait(&q, QC_ITEM(i)) == TL_QUEUE_OK, "put %ld", i);
    TL_ASSERT(!tl_queue_full(&q), "full() with 100 of SIZE_MAX items");
    void *item = NULL;
    long wrong = 0;
    for (long i = 1; i <= 100; i++)
        wrong += tl_queue_get_nowait(&q, &item) != TL_QUEUE_OK || QC_NUM(item) != i;
    TL_ASSERT_EQ_LONG(wrong, 0, "items missing or out of order");
    tl_queue_destroy(&q);
}

static void is_shut_down_and_null_items(void)
{
    tl_hint("tl_queue_is_shut_down reports the flag; NULL is an ordinary item");
    tl_queue q;
    tl_queue_init(&q, 2, NULL);
    TL_ASSERT(!tl_queue_is_shut_down(&q), "is_shut_down() on a new queue");
    TL_ASSERT_FATAL(tl_queue_put(&q, NULL) == TL_QUEUE_OK, "put NULL");
    void *item = QC_ITEM(1);
    TL_ASSERT(tl_queue_get(&q, &item) == TL_QUEUE_OK && item == NULL, "get NULL back");
    tl_queue_shutdown(&q, false, NULL);
    TL_ASSERT(tl_queue_is_shut_down(&q), "is_shut_down() after shutdown");
    item = QC_ITEM(1);
    TL_ASSERT(tl_queue_get_nowait(&q, &item) == TL_QUEUE_SHUTDOWN && item == QC_ITEM(1),
              "get_nowait after shutdown: SHUTDOWN, *item untouched");
    tl_queue_destroy(&q);
}

void tl_register_suites(void)
{
    queue_contract_register_core(tl_suite("queue contract: core"));
    queue_contract_register_unbounded(tl_suite("queue contract: unbounded"));
    queue_contract_register_join(tl_suite("queue contract: task_done and join"));
    queue_contract_register_shutdown(tl_suite("queue contract: graceful shutdown"));
    queue_contract_register_shutdown_immediate(tl_suite("queue contract: immediate shutdown"));

    CU_pSuite s = tl_suite("tl_queue");
    tl_test(s, "free callbacks: init's, shutdown's, destroy's", free_callbacks_init_and_shutdown);
    tl_test(s, "dropped malloc'd items are freed", freed_items_are_really_freed);
    tl_test(s, "a timeout <= 0 only tries", nonpositive_timeout_only_tries);
    tl_test(s, "maxsize SIZE_MAX is not preallocated", huge_maxsize_is_not_preallocated);
    tl_test(s, "is_shut_down() and NULL items", is_shut_down_and_null_items);
}
