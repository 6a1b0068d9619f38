/* workload.h — Step 4's work: T equal shares of sleeping (I/O-bound) or of counting primes
 * (CPU-bound), done one after another in the calling thread or one thread per share.
 *
 * The shares of the prime count interleave (share i tests i, i + T, i + 2T, ...), so every share
 * gets about the same mix of small and large numbers, and no thread finishes long before the
 * others. The threaded run starts every thread before joining any, as in Steps 1 and 2.
 */
#ifndef LAB00_WORKLOAD_H
#define LAB00_WORKLOAD_H

#include <stdbool.h>

/* Does `shares` shares, each sleeping sleep_ms and then testing its numbers below primes_below
 * (0: none); threaded or not. Adds the primes found to *primes; returns the seconds it took. */
double time_work(long shares, long sleep_ms, long primes_below, bool threaded, long *primes);

#endif
