/* Unit tests of common/clock.h. Durations are checked only from below (a sleep may run long on a
 * busy machine, never short), so nothing here depends on how loaded the machine is. */
#include <errno.h>
#include <time.h>

#include "check.h"
#include "clock.h"
#include "harness.h"

static void now_is_monotonic(void)
{
    int64_t prev = tl_now_ns();
    for (int i = 0; i < 100000; i++) {
        int64_t t = tl_now_ns();
        TL_ASSERT_FATAL(t >= prev, "tl_now_ns went backwards: %lld after %lld", (long long)t,
                        (long long)prev);
        prev = t;
    }
}

static void sleep_lasts_at_least_its_duration(void)
{
    tl_stopwatch sw = tl_stopwatch_start();
    tl_sleep_ms(30);
    double ms = tl_stopwatch_ms(&sw);
    TL_ASSERT(ms >= 30.0, "tl_sleep_ms(30) returned after %.3f ms", ms);
    sw = tl_stopwatch_start();
    tl_sleep_us(2000);
    TL_ASSERT(tl_stopwatch_ms(&sw) >= 2.0, "tl_sleep_us(2000) returned early");
    sw = tl_stopwatch_start();
    tl_sleep_ms(0);
    tl_sleep_ms(-5);
    TL_ASSERT(tl_stopwatch_s(&sw) >= 0.0, "stopwatch reads a non-negative time");
}

static void deadlines_normalise_nanoseconds(void)
{
    for (long ms = 0; ms < 3000; ms += 7) {
        struct timespec m = tl_deadline_monotonic(ms), r = tl_deadline_realtime(ms);
        TL_ASSERT_FATAL(m.tv_nsec >= 0 && m.tv_nsec < 1000000000L, "tv_nsec out of range: %ld",
                        m.tv_nsec);
        TL_ASSERT_FATAL(r.tv_nsec >= 0 && r.tv_nsec < 1000000000L, "tv_nsec out of range: %ld",
                        r.tv_nsec);
    }
    struct timespec past = tl_deadline_monotonic(-100);
    TL_ASSERT_EQ_LONG(tl_ms_until(past), 0, "ms until a deadline that has passed");
    long left = tl_ms_until(tl_deadline_monotonic(5000));
    TL_ASSERT(left > 4000 && left <= 5000, "ms until a deadline 5 s away: got %ld", left);
}

/* A condvar from tl_cond_init_monotonic times out against a monotonic deadline. */
static void monotonic_condvar_times_out(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c;
    tl_cond_init_monotonic(&c);
    struct timespec deadline = tl_deadline_monotonic(50);
    tl_stopwatch sw = tl_stopwatch_start();
    TL_CHECK(pthread_mutex_lock(&m));
    int rc = 0;
    while (rc != ETIMEDOUT)
        rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&c, &m, &deadline), ETIMEDOUT);
    TL_CHECK(pthread_mutex_unlock(&m));
    TL_ASSERT(tl_stopwatch_ms(&sw) >= 49.0, "timed wait on a 50 ms deadline ended after %.1f ms",
              tl_stopwatch_ms(&sw));
    TL_CHECK(pthread_cond_destroy(&c));
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("clock");
    tl_test(s, "the monotonic clock never goes backwards", now_is_monotonic);
    tl_test(s, "sleeps last at least their duration", sleep_lasts_at_least_its_duration);
    tl_test(s, "deadlines are normalised and ms_until counts down", deadlines_normalise_nanoseconds);
    tl_test(s, "a monotonic condvar times out at its deadline", monotonic_condvar_times_out);
}
