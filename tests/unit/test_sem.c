/* Unit tests of common/sem.h: the shared semaphore contract, bounded and counting (the same
 * tests lab03's grader runs against a student's bounded semaphore), plus what is specific to
 * tl_sem: the exact error code and the limits of an unsigned count. */
#include <errno.h>
#include <limits.h>

#include "sem.h"

#define SEM_T tl_sem
#define SEM_INIT(s, value, bounded) tl_sem_init(s, value, bounded)
#define SEM_DESTROY(s) tl_sem_destroy(s)
#define SEM_ACQUIRE(s) tl_sem_acquire(s)
#define SEM_TRY_ACQUIRE(s) tl_sem_try_acquire(s)
#define SEM_ACQUIRE_MS(s, ms) tl_sem_acquire_ms(s, ms)
#define SEM_RELEASE(s) tl_sem_release(s)
#define SEM_OVER_RELEASE_ERROR EOVERFLOW
#include "../contract/sem_contract.h"

static void negative_timeout_is_a_try(void)
{
    tl_hint("tl_sem_acquire_ms documents timeout_ms <= 0 as a try_acquire that never blocks");
    tl_sem s;
    tl_sem_init(&s, 1, true);
    TL_ASSERT(tl_sem_acquire_ms(&s, -5), "acquire_ms(-5) with 1 permit free: expected true");
    TL_ASSERT(!tl_sem_acquire_ms(&s, -5), "acquire_ms(-5) at count 0: expected false");
    TL_ASSERT_EQ_LONG(tl_sem_release(&s), 0, "release() of the permit taken");
    tl_sem_destroy(&s);
}

static void unbounded_count_stops_at_uint_max(void)
{
    tl_hint("an unbounded tl_sem refuses the release that would wrap its unsigned count past "
            "UINT_MAX, with EOVERFLOW, so no release is silently lost");
    tl_sem s;
    tl_sem_init(&s, UINT_MAX - 1, false);
    TL_ASSERT_EQ_LONG(tl_sem_release(&s), 0, "release() up to UINT_MAX");
    TL_ASSERT_EQ_LONG(tl_sem_release(&s), EOVERFLOW, "release() past UINT_MAX");
    TL_ASSERT(tl_sem_try_acquire(&s), "try_acquire() at UINT_MAX permits: expected true");
    TL_ASSERT_EQ_LONG(tl_sem_release(&s), 0, "release() back up to UINT_MAX");
    tl_sem_destroy(&s);
}

void tl_register_suites(void)
{
    sem_contract_register_bounded(tl_suite("bounded semaphore contract"));
    sem_contract_register_counting(tl_suite("counting semaphore contract"));
    CU_pSuite own = tl_suite("tl_sem");
    tl_test(own, "a timeout <= 0 is a try_acquire", negative_timeout_is_a_try);
    tl_test(own, "an unbounded count stops at UINT_MAX with EOVERFLOW",
            unbounded_count_stops_at_uint_max);
}
