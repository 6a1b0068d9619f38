/* checks.c — lab03's checks (checks.h): the bounded semaphore of exercise.c. */
#include <errno.h>

#include "checks.h"
#include "exercise.h"

#define SEM_T bounded_sem
#define SEM_INIT(s, value, bounded) ((void)(bounded), bounded_sem_init(s, value))
#define SEM_DESTROY(s) bounded_sem_destroy(s)
#define SEM_ACQUIRE(s) bounded_sem_acquire(s)
#define SEM_TRY_ACQUIRE(s) bounded_sem_try_acquire(s)
#define SEM_ACQUIRE_MS(s, ms) bounded_sem_acquire_ms(s, ms)
#define SEM_RELEASE(s) bounded_sem_release(s)
#define SEM_OVER_RELEASE_ERROR EOVERFLOW
#include "../contract/sem_contract.h"

#define TW_T bounded_sem
#define TW_INIT(o) bounded_sem_init(o, 0)
#define TW_DESTROY(o) bounded_sem_destroy(o)
#define TW_TIMED(o, ms) bounded_sem_acquire_ms(o, ms)
#define TW_GRANT(o) ((o)->max = 1, (void)bounded_sem_release(o))
#define TW_WAKE(o) tl_spy_wake_spuriously(&(o)->permit_free)
#define TW_ZERO_MEANS_TRY
#include "../contract/timed_wait_contract.h"

TL_CHECK_TABLE("lab03",
    {.name = "permits are counted", .promises = "init.permits", .points = 1,
     .hints = {"a", "b", "c"}, .run = semc_counts_permits_bounded},
    {.name = "timeout 0 and negative do not block", .promises = "acquire_ms.zero", .points = 1,
     .hints = {"a", "b", "c"}, .run = tw_zero_and_negative_do_not_block},
    {.name = "a timed acquire times out, not early", .promises = "acquire_ms.times_out",
     .hints = {"a"}, .run = tw_times_out_not_early},
    {.name = "999 ms carries", .promises = "acquire_ms.times_out", .hints = {"a"},
     .run = tw_999ms_carries_nanoseconds},
    {.name = "long timeouts", .promises = "acquire_ms.times_out", .hints = {"a"},
     .run = tw_long_timeout_is_not_overflowed},
    {.name = "wake-ups do not restart", .promises = "acquire_ms.deadline", .hints = {"a"},
     .flags = TL_CHECK_RACES, .run = tw_wakeups_do_not_restart_the_timeout},
    {.name = "never more than N inside", .promises = "acquire.waits", .hints = {"a"},
     .flags = TL_CHECK_RACES, .run = semc_at_most_n_inside_bounded});
