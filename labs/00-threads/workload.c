/* workload.c — Step 4's sleeping and prime-counting shares, timed (workload.h). */
#include "workload.h"

#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

/* Shares deal out blocks of BLOCK numbers in turn: share i tests blocks i, i + stride, ... A
 * stride of single numbers would be unfair: with 2 shares one would get every even number (each
 * rejected after one division) and the other all the work, so 2 threads would not run faster. */
#define BLOCK 1024

/* One share: sleep, then test its blocks of numbers below `below`. */
typedef struct {
    pthread_t thread;
    long sleep_ms, first, stride, below, primes;
} share;

static void *do_share(void *arg)
{
    share *s = arg;
    tl_sleep_ms(s->sleep_ms);
    for (long start = s->first * BLOCK; start < s->below; start += s->stride * BLOCK) {
        for (long k = start; k < start + BLOCK && k < s->below; k++) {
            bool prime = k >= 2;
            for (long d = 2; prime && d * d <= k; d++)
                prime = k % d != 0;
            s->primes += prime;
        }
    }
    return NULL;
}

double time_work(long shares, long sleep_ms, long primes_below, bool threaded, long *primes)
{
    share *s = tl_xcalloc((size_t)shares, sizeof *s);
    for (long i = 0; i < shares; i++)
        s[i] = (share){.sleep_ms = sleep_ms, .first = i, .stride = shares, .below = primes_below};
    tl_stopwatch sw = tl_stopwatch_start();
    for (long i = 0; i < shares; i++) {
        if (threaded)
            TL_CHECK(pthread_create(&s[i].thread, NULL, do_share, &s[i]));
        else
            do_share(&s[i]);
    }
    for (long i = 0; threaded && i < shares; i++)
        TL_CHECK(pthread_join(s[i].thread, NULL));
    double seconds = tl_stopwatch_s(&sw);
    for (long i = 0; i < shares; i++)
        *primes += s[i].primes;
    free(s);
    return seconds;
}
