/* Unit tests of common/event.h: the shared event contract (the same tests lab04's grader runs
 * against a student's event), plus what is specific to tl_event. */
#include "event.h"

#define EV_T tl_event
#define EV_INIT(e) tl_event_init(e)
#define EV_DESTROY(e) tl_event_destroy(e)
#define EV_SET(e) tl_event_set(e)
#define EV_CLEAR(e) tl_event_clear(e)
#define EV_IS_SET(e) tl_event_is_set(e)
#define EV_WAIT(e) tl_event_wait(e)
#define EV_WAIT_MS(e, ms) tl_event_wait_ms(e, ms)
#include "../contract/event_contract.h"

static void negative_timeout_only_looks_at_the_flag(void)
{
    tl_hint("tl_event_wait_ms documents timeout_ms <= 0 as a poll of the flag that never blocks");
    tl_event e;
    tl_event_init(&e);
    TL_ASSERT(!tl_event_wait_ms(&e, -5), "wait_ms(-5) on a clear event: expected false, got true");
    tl_event_set(&e);
    TL_ASSERT(tl_event_wait_ms(&e, -5), "wait_ms(-5) on a set event: expected true, got false");
    tl_event_destroy(&e);
}

/* A start gate, as lab04 uses one: workers wait on `go`, and the last worker to arrive reports
 * in on `ready`. set() on `go` must release all of them; nobody may pass before. */
#define GATE_WORKERS 16
static tl_event gate_go, gate_ready;
static atomic_int gate_arrived, gate_passed;

static void gate_worker(void *arg)
{
    (void)arg;
    if (atomic_fetch_add(&gate_arrived, 1) + 1 == GATE_WORKERS)
        tl_event_set(&gate_ready);
    tl_event_wait(&gate_go);
    atomic_fetch_add(&gate_passed, 1);
}

static void start_gate_releases_every_worker(void)
{
    tl_hint("a start gate: every worker reports ready, then one set() releases all of them at "
            "once");
    static contract_thread workers[GATE_WORKERS];
    tl_event_init(&gate_go);
    tl_event_init(&gate_ready);
    atomic_init(&gate_arrived, 0);
    atomic_init(&gate_passed, 0);
    for (int i = 0; i < GATE_WORKERS; i++)
        contract_start(&workers[i], gate_worker, NULL);
    bool all_ready = tl_event_wait_ms(&gate_ready, contract_scaled_ms(3000));
    TL_ASSERT(all_ready, "ready event: expected the last of %d workers to set it, still clear",
              GATE_WORKERS);
    TL_ASSERT_EQ_LONG(atomic_load(&gate_passed), 0, "workers past the gate before set()");
    tl_event_set(&gate_go);
    int finished = contract_finish(workers, GATE_WORKERS, 3000);
    TL_ASSERT_EQ_LONG(finished, GATE_WORKERS, "workers released by one set() on the gate");
    TL_ASSERT_EQ_LONG(atomic_load(&gate_passed), finished, "workers past the gate after set()");
    if (finished == GATE_WORKERS) {
        tl_event_destroy(&gate_go);
        tl_event_destroy(&gate_ready);
    }
}

void tl_register_suites(void)
{
    event_contract_register(tl_suite("event contract"));
    CU_pSuite own = tl_suite("tl_event");
    tl_test(own, "a timeout <= 0 only looks at the flag", negative_timeout_only_looks_at_the_flag);
    tl_test(own, "a start gate releases every worker", start_gate_releases_every_worker);
}
