/* Forcing an order (checks.h, tool 3): one CPU for the check's process, and the thread that must
 * lose at SCHED_IDLE. Linux's calls; elsewhere both say they could not. */
#if defined(__linux__)
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity, CPU_SET, SCHED_IDLE: Linux's own */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include "checks.h"

bool tl_check_one_cpu(void)
{
#if defined(__linux__)
    int cpu = sched_getcpu();
    if (cpu < 0)
        return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
#else
    return false;
#endif
}

bool tl_check_run_last(void)
{
#if defined(__linux__) && defined(SCHED_IDLE)
    struct sched_param p = {0};
    return pthread_setschedparam(pthread_self(), SCHED_IDLE, &p) == 0;
#else
    return false;
#endif
}
