/* run_captured.h — run another program for at most a while and keep what it printed.
 *
 * lab00 runs two programs of its own: itself again as Step 3's heartbeat child (child.c), and
 * python3 for --compare-python (python_compare.c). Neither may hang the lab, so the run is
 * bounded: a program still running at the deadline is killed.
 */
#ifndef LAB00_RUN_CAPTURED_H
#define LAB00_RUN_CAPTURED_H

#include <stddef.h>

/* Runs argv (argv[0] searched on PATH) for at most timeout_ms, its stdout captured in out
 * (NUL-terminated; what does not fit in len is read and dropped). Returns its exit status, or
 * -1 if it could not start, died of a signal or was still running at the deadline. */
int run_captured(char *const argv[], long timeout_ms, char *out, size_t len);

#endif
