/* clock.h — time for measuring and time for waiting.
 *
 * Measure with the monotonic clock: it never jumps when an administrator or NTP sets the
 * wall clock. Wait with absolute deadlines, because POSIX timed waits take "until when",
 * not "for how long" — a loop that re-waits after a spurious wake-up then keeps the
 * original bound instead of starting the timeout over.
 *
 * Which clock a deadline must use depends on the call:
 *   - pthread_cond_timedwait: the condvar's clock. tl_cond_init_monotonic() sets it to
 *     CLOCK_MONOTONIC, so use tl_deadline_monotonic().
 *   - pthread_mutex_timedlock, sem_timedwait: always CLOCK_REALTIME (POSIX gives no
 *     choice), so use tl_deadline_realtime() — and know that a wall-clock jump moves it.
 */
#ifndef TL_CLOCK_H
#define TL_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Nanoseconds on the monotonic clock since an arbitrary start. */
int64_t tl_now_ns(void);

/* Seconds on the monotonic clock, as a double (for printing durations). */
double tl_now_s(void);

/* Sleeps at least `ms` milliseconds, resuming after signal interruptions. ms <= 0 returns at once. */
void tl_sleep_ms(long ms);

/* Same, in microseconds. */
void tl_sleep_us(long us);

/* Absolute deadline `ms` milliseconds from now on the given clock. */
struct timespec tl_deadline_monotonic(long ms);
struct timespec tl_deadline_realtime(long ms);

/* Milliseconds from now until `deadline` on the monotonic clock; 0 if it has passed. */
long tl_ms_until(struct timespec deadline);

/* pthread_cond_init with CLOCK_MONOTONIC, so timed waits ignore wall-clock jumps. */
void tl_cond_init_monotonic(pthread_cond_t *cond);

/* A stopwatch: start it, read elapsed time as often as you like. */
typedef struct {
    int64_t start_ns;
} tl_stopwatch;

tl_stopwatch tl_stopwatch_start(void);
double tl_stopwatch_s(const tl_stopwatch *sw);
double tl_stopwatch_ms(const tl_stopwatch *sw);

#endif
