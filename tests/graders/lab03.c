/* Grader for lab03's exercise: the bounded semaphore in labs/03-semaphore-pool/exercise.c.
 *
 * First the contract every bounded semaphore in this kit must keep: the very tests common/sem.c
 * passes (tests/contract/sem_contract.h, run by tests/unit/test_sem.c), mapped onto the
 * exercise's names. Then the lab's own checks (labs/03-semaphore-pool/sem_check.c, the same ones
 * step 3 of the lab runs), which make the tricky wake-up happen on every run.
 */
#include "exercise.h"
#include "harness.h"
#include "sem_check.h"

/* The exercise only has bounded semaphores: `bounded` is always true here. */
#define SEM_T bounded_sem
#define SEM_INIT(s, value, bounded) ((void)(bounded), bounded_sem_init(s, value))
#define SEM_DESTROY(s) bounded_sem_destroy(s)
#define SEM_ACQUIRE(s) bounded_sem_acquire(s)
#define SEM_TRY_ACQUIRE(s) bounded_sem_try_acquire(s)
#define SEM_ACQUIRE_MS(s, ms) bounded_sem_acquire_ms(s, ms)
#define SEM_RELEASE(s) bounded_sem_release(s)
#define SEM_OVER_RELEASE_ERROR EOVERFLOW
#include "../contract/sem_contract.h"

static void expect_check(sem_check_fn *check, sem_check_config cfg)
{
    cfg.bound_ms = (long)(2000 * tl_timeout_scale());
    sem_check_result r = check(&cfg);
    if (!r.passed)
        tl_hint("%s", r.advice); /* the check knows best what its observation means */
    TL_ASSERT(r.passed, "%s", r.summary);
}

static void pool_of_3_for_10_threads(void)
{
    tl_hint("At most N threads may hold a permit at once, and every waiting thread must get one "
            "in the end.");
    expect_check(sem_check_pool, (sem_check_config){.workers = 10, .permits = 3, .rounds = 20});
}

static void pool_of_1_for_12_threads(void)
{
    tl_hint("A semaphore of 1 is a lock: never two threads inside, and every waiter served.");
    expect_check(sem_check_pool, (sem_check_config){.workers = 12, .permits = 1, .rounds = 20});
}

static void wakeup_without_permit_waits_again(void)
{
    tl_hint("A wake-up only means \"look again\": wait in a while loop, in acquire and acquire_ms.");
    expect_check(sem_check_wakeup_rechecks, (sem_check_config){0});
}

static void timed_acquire_times_out(void)
{
    tl_hint("acquire_ms must return false at 0 permits, and not before its timeout.");
    expect_check(sem_check_timed_acquire, (sem_check_config){0});
}

static void over_release_is_refused(void)
{
    tl_hint("release with every permit free must return EOVERFLOW and change nothing.");
    expect_check(sem_check_over_release, (sem_check_config){0});
}

void tl_register_suites(void)
{
    sem_contract_register_bounded(tl_suite("bounded semaphore contract (as common/sem.h)"));
    CU_pSuite lab = tl_suite("lab03 checks");
    tl_test(lab, "a pool of 3 for 10 threads: never more than 3 inside", pool_of_3_for_10_threads);
    tl_test(lab, "a pool of 1 for 12 threads: one at a time", pool_of_1_for_12_threads);
    tl_test(lab, "woken with no permit free, acquire waits again", wakeup_without_permit_waits_again);
    tl_test(lab, "acquire_ms() at zero times out with false", timed_acquire_times_out);
    tl_test(lab, "a release too many is refused with EOVERFLOW", over_release_is_refused);
}
