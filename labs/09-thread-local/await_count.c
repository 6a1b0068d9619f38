/* await_count.c — a bounded, polling wait for a count (await_count.h). */
#include "await_count.h"

#include <stdint.h>

#include "clock.h"

bool await_count(atomic_int *count, int target, long timeout_ms)
{
    int64_t deadline = tl_now_ns() + timeout_ms * 1000000L;
    while (atomic_load(count) < target) {
        if (tl_now_ns() > deadline)
            return false;
        tl_sleep_us(100);
    }
    return true;
}
