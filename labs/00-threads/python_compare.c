/* python_compare.c — Step 4 in Python, for --compare-python (python_compare.h). */
#include "python_compare.h"

#include <stdio.h>

#include "report.h"
#include "run_captured.h"

/* The same four runs in Python: argv is io_ms, threads, primes_below; prints four times. */
static const char python_script[] =
    "import sys, threading, time\n"
    "io_ms, n, below = (int(a) for a in sys.argv[1:4])\n"
    "def is_prime(k):\n"
    "    d = 2\n"
    "    while d * d <= k:\n"
    "        if k % d == 0: return False\n"
    "        d += 1\n"
    "    return k >= 2\n"
    "def io(i): time.sleep(io_ms / 1000)\n"
    "def cpu(i): sum(1 for k in range(i, below, n) if is_prime(k))\n"
    "def timed(work, threaded):\n"
    "    t0 = time.monotonic()\n"
    "    if threaded:\n"
    "        ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]\n"
    "        for t in ts: t.start()\n"
    "        for t in ts: t.join()\n"
    "    else:\n"
    "        for i in range(n): work(i)\n"
    "    return time.monotonic() - t0\n"
    "print(timed(io, False), timed(io, True), timed(cpu, False), timed(cpu, True))\n";
static const char *const modes[] = {"io-sequential", "io-threaded", "cpu-sequential", "cpu-threaded"};

bool python_compare_can_run(long only_step)
{
    if (only_step != 0 && only_step != 4) {
        fprintf(stderr, "lab00: --compare-python runs Step 4 only, not --step %ld\n", only_step);
        return false;
    }
    char out[64];
    if (run_captured((char *[]){"python3", "-c", "pass", NULL}, 10000, out, sizeof out) != 0) {
        fprintf(stderr, "lab00: --compare-python needs python3 on PATH, and none could be run\n");
        return false;
    }
    return true;
}

void python_compare(long io_ms, long threads, long primes_below, long cores, double c_io, double c_cpu)
{
    long t = threads;
    char args[3][24], out[512];
    snprintf(args[0], sizeof args[0], "%ld", io_ms);
    snprintf(args[1], sizeof args[1], "%ld", t);
    snprintf(args[2], sizeof args[2], "%ld", primes_below / 10); /* CPython is 10-50x slower */
    char *argv[] = {"python3", "-c", (char *)python_script, args[0], args[1], args[2], NULL};
    tl_say("python3, the same work with Python threads (primes below %ld: compare speedups, not times)",
           primes_below / 10);
    double py[4];
    if (run_captured(argv, 60000, out, sizeof out) != 0 ||
        sscanf(out, "%lf %lf %lf %lf", &py[0], &py[1], &py[2], &py[3]) != 4) {
        tl_verdict(TL_WARN, "python3 did not finish the comparison within 60 s (it printed '%.60s')", out);
        return;
    }
    tl_verdict(TL_INFO, "I/O-bound speedup with %ld threads: C %.1fx, Python %.1fx (a sleeping Python "
               "thread lets go of the GIL)", t, c_io, py[0] / py[1]);
    tl_verdict(TL_INFO, "CPU-bound speedup with %ld threads: C %.1fx, Python %.1fx (the GIL lets one "
               "thread at a time run Python code)", t, c_cpu, py[2] / py[3]);
    for (int run = 0; run < 4; run++)
        tl_csv_row("4,python-%s,%ld,%ld,%ld,%.4f,%ld", modes[run], t, run % 2 ? t : 1,
                   run < 2 ? io_ms : 0, py[run], cores);
}
