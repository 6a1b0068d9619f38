/* workload.c — Step 4's sleeping and prime-counting shares, timed (workload.h). */
#include "workload.h"

#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

/* One share: sleep, then test first, first + stride, ... below `below`. */
typedef struct {
    pthread_t thread;
    long sleep_ms, first, stride, below, primes;
} share;

static void *do_share(void *arg)
{
    share *s = arg;
    tl_sleep_ms(s->sleep_ms);
    for (long k = s->first; k < s->below; k += s->stride) {
        bool prime = k >= 2;
        for (long d = 2; prime && d * d <= k; d++)
            prime = k % d != 0;
        s->primes += prime;
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
