/* checks.h — the one checking framework of every lab's exercise.
 *
 * A lab declares its checks in one table, in labs/NN-topic/checks.c:
 *
 *     static void wakes_every_waiter(void) { ... TL_ASSERT(...); ... }
 *
 *     TL_CHECK_TABLE("lab04",
 *         {.name = "set() wakes every thread waiting at that moment",
 *          .promises = "set.wakes_all",
 *          .points = 2,
 *          .hints = {"the concept ...", "the place ...", "the pattern ..."},
 *          .flags = TL_CHECK_RACES,
 *          .run = wakes_every_waiter},
 *         ...);
 *
 * and the same table is run by the lab's "Your exercise" step (tl_checks_step, from labNN.c)
 * and by its grader (`make check-labNN`: tests/harness/grader.c), so the two never disagree.
 * A check is a plain function that calls the exercise and asserts with harness.h (TL_ASSERT,
 * tl_hint). Each runs in a process of its own under its bound (child.c): a crash is reported
 * by its signal, a hang within the bound, with where each of the exercise's threads is blocked
 * (spy.h) — never a frozen terminal.
 *
 * Promises. Every promise sentence of exercise.h ends in a tag such as {set.wakes_all}; a
 * check lists the tags it tests in .promises. `GRADER --promises exercise.h` (make selfcheck)
 * fails when a tag has no check, or a check names a tag exercise.h does not have. A promise no
 * check can test is said so in exercise.h, in words, without a tag.
 *
 * Forced interleavings: a check needs a particular order of events on EVERY run, on one core
 * or many, under load, so it never hopes for one. The tools, in the order to reach for them:
 *   1. Wait for the state, then act (spy.h). tl_spy_await_waiting(cond, n) returns once n
 *      threads are inside pthread_cond_wait on cond; whoever takes the mutex they passed is then
 *      ordered after they sleep. tl_spy_wake_spuriously(cond) then wakes them with nothing
 *      changed, exactly what a spurious wake-up or a stolen permit looks like to them.
 *   2. Act inside the exercise's own thread, at the chosen call: tl_spy_on(TL_SPY_UNLOCK, hook)
 *      runs hook just before each unlock, while the lock is still held — e.g. to check that the
 *      money is all there the moment a transfer lets go of a lock.
 *   3. Make the loser lose: tl_check_one_cpu() pins the check's process to one CPU, and
 *      tl_check_run_last() puts the calling thread at SCHED_IDLE (no privilege needed), so on
 *      that CPU it runs only when every other thread is blocked. Pin before starting threads:
 *      the pin is the calling thread's, inherited by the threads it starts. Linux only; elsewhere both
 *      return false, and a check that needs them must also hold without them.
 * Bounds (tl_timeout_scale) stretch for slow builds, never the order.
 *
 * Data races. Checks flagged TL_CHECK_RACES are run again, once they pass, in a twin of the
 * program built with ThreadSanitizer (the GNUmakefile's race build); a race becomes one sentence
 * naming the two functions, lines and source lines, with the raw report kept in a log file.
 * TL_RACE_CHECKS=0 in the environment leaves the twin out; TL_CHECKS=0 leaves a lab's exercise
 * step out altogether (make valgrind: helgrind cannot tell the checks' forcing from races).
 */
#ifndef TL_CHECKS_H
#define TL_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"
#include "spy.h"

enum {
    TL_CHECK_RACES = 1 << 0, /* also run under ThreadSanitizer: it runs threads in the exercise */
};

typedef struct {
    const char *name;     /* what must hold, as a sentence a student reads in the verdict */
    const char *promises; /* the exercise.h tags it tests, separated by spaces */
    int points;           /* its weight in the lab's score (make grade); 0 counts as 1 */
    const char *hints[3]; /* the ladder: the concept, then the place, then the pattern */
    double bound_s;       /* how long it may run (0: 5 s), scaled by TL_TIMEOUT_SCALE */
    unsigned flags;
    void (*run)(void);
} tl_check;

typedef struct {
    const char *lab; /* "lab04" */
    const tl_check *checks;
    size_t count;
} tl_check_table;

/* The lab's table: defined once, by its checks.c. */
extern const tl_check_table tl_lab_checks;

#define TL_CHECK_TABLE(lab_, ...)                                                                  \
    static const tl_check tl_lab_check_list_[] = {__VA_ARGS__};                                    \
    const tl_check_table tl_lab_checks = {                                                         \
        lab_, tl_lab_check_list_, sizeof tl_lab_check_list_ / sizeof tl_lab_check_list_[0]}

/* The lab's "Your exercise" step: runs every check of the table (and its race twin), prints a
 * verdict line for each — [ok], or [todo] with what went wrong — and a last line with how many
 * pass. Returns true when all pass. A [todo] is not a failure of the lab (report.h). With --csv
 * (rows for charts, no verdicts) it runs nothing and returns true. */
bool tl_checks_step(const tl_check_table *table);

/* tl_checks_step in two halves, for a lab whose demo needs the verdict before it prints the
 * step (lab10 trusts its crawls only to a visited set that passes). tl_checks_begin runs the
 * checks now (call it before the lab starts threads of its own: each check forks), and
 * tl_checks_end prints the step then and frees what begin kept. With --csv begin still runs the
 * checks (the demo must not trust a set that hangs), without the race twin. */
typedef struct tl_checks_outcome tl_checks_outcome;
tl_checks_outcome *tl_checks_begin(const tl_check_table *table);
bool tl_checks_passed(const tl_checks_outcome *outcome);
/* A check hung or crashed: the exercise cannot be trusted to return (lab10 then skips the
 * crawls that use it). */
bool tl_checks_hung_or_crashed(const tl_checks_outcome *outcome);
bool tl_checks_end(tl_checks_outcome *outcome);

/* main() of a grader (grader.c). */
int tl_checks_main(const tl_check_table *table, int argc, char **argv);

/* ---- forcing an order (see above) ---- */

/* Pins the calling thread, and every thread it starts from then on, to the CPU it is on now:
 * call it before starting the threads that must share that CPU. False where it cannot be done. */
bool tl_check_one_cpu(void);

/* Lowers the calling thread to SCHED_IDLE: on a shared CPU, it runs only when nothing else can.
 * False where that cannot be done. */
bool tl_check_run_last(void);

/* Milliseconds scaled by TL_TIMEOUT_SCALE: bounds of a check's own waits. */
long tl_check_ms(long ms);

#endif
