/* Grader for lab04's exercise: the event in labs/04-event-signaling/exercise.c.
 *
 * First the contract every event in this kit must keep: the very tests common/event.c passes
 * (tests/contract/event_contract.h, run by tests/unit/test_event.c), mapped onto the exercise's
 * names. Then the lab's own checks (labs/04-event-signaling/event_check.c, the same ones step 4
 * of the lab runs), which call set() only once every waiter is known to be waiting.
 */
#include "event_check.h"
#include "exercise.h"
#include "harness.h"

#define EV_T event
#define EV_INIT(e) event_init(e)
#define EV_DESTROY(e) event_destroy(e)
#define EV_SET(e) event_set(e)
#define EV_CLEAR(e) event_clear(e)
#define EV_IS_SET(e) event_is_set(e)
#define EV_WAIT(e) event_wait(e)
#define EV_WAIT_MS(e, ms) event_wait_ms(e, ms)
#include "../contract/event_contract.h"

static void expect_check(event_check_fn *check, int waiters)
{
    event_check_config cfg = {waiters, (long)(1000 * tl_timeout_scale())};
    event_check_result r = check(&cfg);
    if (!r.passed)
        tl_hint("%s", r.advice); /* the check knows best what its observation means */
    TL_ASSERT(r.passed, "%s", r.summary);
}

static void flag_follows_set_and_clear(void)
{
    tl_hint("set/clear/is_set work on the flag under the mutex; a wait on a set event returns at "
            "once.");
    expect_check(event_check_flag, 0);
}

static void timed_wait_times_out(void)
{
    tl_hint("wait_ms must return false when nobody sets the event, and not before its timeout.");
    expect_check(event_check_timeout, 0);
}

static void set_wakes_all_waiting(void)
{
    tl_hint("set() must wake every waiting thread: broadcast, not signal.");
    expect_check(event_check_set_wakes_all, 6);
}

static void set_clear_wakes_all_waiting(void)
{
    tl_hint("Waiters must wait for the generation to change, not for the flag.");
    expect_check(event_check_set_clear_wakes_all, 6);
}

void tl_register_suites(void)
{
    event_contract_register(tl_suite("event contract (as common/event.h)"));
    CU_pSuite lab = tl_suite("lab04 checks");
    tl_test(lab, "set(), clear() and is_set() on one thread", flag_follows_set_and_clear);
    tl_test(lab, "wait_ms() with nobody setting returns false", timed_wait_times_out);
    tl_test(lab, "one set() wakes 6 threads known to be waiting", set_wakes_all_waiting);
    tl_test(lab, "set() then clear() still wakes 6 threads known to be waiting",
            set_clear_wakes_all_waiting);
}
