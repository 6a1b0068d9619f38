/* python_compare.h — --compare-python: Step 4's two workloads run again by Python threads.
 *
 * The same sleeping tasks and the same prime counting, timed one after another and with one
 * Python thread each, so that C's speedups and Python's stand side by side: the I/O-bound ones
 * match, the CPU-bound one does not (the GIL). Python counts primes below a tenth of C's limit,
 * being 10-50x slower: compare the speedups, not the times.
 */
#ifndef LAB00_PYTHON_COMPARE_H
#define LAB00_PYTHON_COMPARE_H

#include <stdbool.h>

/* --compare-python runs Step 4 only (--step 0 or 4) and needs python3 on PATH: true when it
 * can run; else false, after one line on stderr saying why. */
bool python_compare_can_run(long only_step);

/* Runs the Python twin of Step 4 (threads tasks of io_ms ms; primes below primes_below / 10),
 * prints Python's speedups beside C's (c_io, c_cpu) as [info] lines and its timings as CSV
 * rows (step 4, mode python-...); a [warn] if python3 did not finish within 60 s. */
void python_compare(long io_ms, long threads, long primes_below, long cores, double c_io, double c_cpu);

#endif
