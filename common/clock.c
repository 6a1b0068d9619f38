#include "clock.h"

#include <errno.h>

#include "check.h"

#define NS_PER_S 1000000000LL

static struct timespec now_on(clockid_t clock)
{
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0)
        TL_DIE("clock_gettime failed");
    return ts;
}

int64_t tl_now_ns(void)
{
    struct timespec ts = now_on(CLOCK_MONOTONIC);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

double tl_now_s(void)
{
    return (double)tl_now_ns() / 1e9;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec left = {.tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S)};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        continue;
}

void tl_sleep_ms(long ms)
{
    sleep_ns((int64_t)ms * 1000000);
}

void tl_sleep_us(long us)
{
    sleep_ns((int64_t)us * 1000);
}

static struct timespec deadline_on(clockid_t clock, long ms)
{
    struct timespec ts = now_on(clock);
    if (ms < 0)
        ms = 0;
    int64_t nsec = ts.tv_nsec + (int64_t)(ms % 1000) * 1000000;
    ts.tv_sec += (time_t)(ms / 1000) + (time_t)(nsec / NS_PER_S);
    ts.tv_nsec = (long)(nsec % NS_PER_S);
    return ts;
}

struct timespec tl_deadline_monotonic(long ms)
{
    return deadline_on(CLOCK_MONOTONIC, ms);
}

struct timespec tl_deadline_realtime(long ms)
{
    return deadline_on(CLOCK_REALTIME, ms);
}

long tl_ms_until(struct timespec deadline)
{
    int64_t end = (int64_t)deadline.tv_sec * NS_PER_S + deadline.tv_nsec;
    int64_t left = end - tl_now_ns();
    return left <= 0 ? 0 : (long)((left + 999999) / 1000000);
}

void tl_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    TL_CHECK(pthread_condattr_init(&attr));
    TL_CHECK(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    TL_CHECK(pthread_cond_init(cond, &attr));
    TL_CHECK(pthread_condattr_destroy(&attr));
}

tl_stopwatch tl_stopwatch_start(void)
{
    return (tl_stopwatch){.start_ns = tl_now_ns()};
}

double tl_stopwatch_s(const tl_stopwatch *sw)
{
    return (double)(tl_now_ns() - sw->start_ns) / 1e9;
}

double tl_stopwatch_ms(const tl_stopwatch *sw)
{
    return (double)(tl_now_ns() - sw->start_ns) / 1e6;
}
