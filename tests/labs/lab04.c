/* Lab runs for lab04 (event signaling): the starter and solution builds with
 * --fast, --slow-worker, --csv, --quiet, --help. Usage errors: tests/labs/bad_input_matrix.c. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab04"
#define RUN_MS 30000L /* a --fast run takes a second or two; scaled for sanitizer builds */

/* What every build prints for steps 1 and 2 with the --fast values. */
#define SIGNAL_VERDICTS                                                                            \
    "lab04 — event signaling", "waiter    waits for the event", "signaler  sets the event",      \
        "waiter    wakes: the event is set", "[ok]   waiter woke = yes at 0.1",                   \
        "[ok]   wait_ms(50) = false after ", "(expected false, after at least 50 ms)"

#define GATE_OPENS                                                                                 \
    "[ok]   workers ready = 4 of 4 (expected 4): the gate opened at ",                            \
        "[ok]   workers started before the gate opened = 0, after = 4 (expected 0 and 4)"

static void assert_no(const tl_run_result *r, const char *tag)
{
    TL_ASSERT(strstr(r->out, tag) == NULL, "the run printed %s:\n%s", tag, r->out);
}

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab04 --fast with the starter exercise must exit 0, show the demo's verdicts, and "
            "report the unfinished event as [todo] (not as a failure).");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        SIGNAL_VERDICTS, GATE_OPENS,
        "Step 4. Your exercise (labs/04-event-signaling/exercise.c): the ",
        "[ok]   is_set() follows set() and clear(), false after init()",
        "[todo] one set() wakes every waiting thread: after one set() with 4 threads waiting",
        "[todo] your exercise passes ", "`make check-lab04` runs every check", "Lesson: ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab04 --fast with the reference solution must exit 0 and pass every check of the "
            "event.");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        SIGNAL_VERDICTS, GATE_OPENS, "worker  4: ready at ",
        "Step 4. Your exercise (solutions/04-event-signaling/exercise.c): the ",
        "[ok]   set() then clear() at once still wakes every waiting thread",
        "[ok]   set(), clear() and is_set() touch the fields only under the mutex",
        "[ok]   your exercise passes all ", "Lesson: ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[todo]");
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_slow_worker_makes_gate_give_up(void)
{
    tl_hint("--slow-worker: one worker never says ready, so main must give up after --ready-ms "
            "with a clear message naming it, start nobody, and still exit 0.");
    static const char *const args[] = {"--fast", "--slow-worker", NULL};
    static const char *const must[] = {
        "one worker is slow", "worker  3: never said ready (its setup hangs)",
        "worker  1: ready at ", "not started: main gave up",
        "[ok]   start gate gave up at ",
        "worker 3 did not say ready within 200 ms (3 of 4 did); nobody was started (expected "
        "this, with --slow-worker)",
        "[ok]   workers started after giving up = 0 (expected 0)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    assert_no(&r, "started at ");
    tl_run_result_free(&r);
}

static void solution_slow_only_worker(void)
{
    tl_hint("--slow-worker --workers 1: the only worker is the slow one; main still gives up.");
    static const char *const args[] = {"--fast", "--slow-worker", "--workers", "1", "--ready-ms",
                                       "50", NULL};
    static const char *const must[] = {
        "worker 1 did not say ready within 50 ms (0 of 1 did); nobody was started", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row and one row per thing that happened, nothing else.");
    static const char *const args[] = {"--fast", "--csv", NULL};
    static const char *const must[] = {"step,who,what,ms\nsignal,waiter,waits,",
                                       "\nsignal,signaler,set,", "\nsignal,waiter,woke,",
                                       "\ntimeout,waiter,timed_out,", "\ngate,worker 1,ready,",
                                       "\ngate,worker 4,started,", "\ngate,main,go,", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 14, "lines of CSV (header, 3 signal, 1 timeout, "
                      "4 workers x 2 + 1 gate)");
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[ok]   waiter woke = yes", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void help_lists_every_option(void)
{
    tl_hint("--help must exit 0 and list every option with its default and range.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {"usage: lab04", "--signal-ms MS", "--timeout-ms MS",
                                       "--workers N", "--ready-ms MS", "--slow-worker", "--fast",
                                       "--csv", "--quiet", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab04 runs");
    tl_test_timeout(runs, "starter --fast: demo ok, exercise todo", starter_run_shows_demo_and_todo,
                    40);
    tl_test_timeout(runs, "solution --fast: demo ok, exercise ok", solution_run_shows_demo_and_ok,
                    40);
    tl_test_timeout(runs, "solution --slow-worker: the gate gives up and starts nobody",
                    solution_slow_worker_makes_gate_give_up, 40);
    tl_test_timeout(runs, "solution --slow-worker --workers 1: gives up on the only worker",
                    solution_slow_only_worker, 40);
    tl_test_timeout(runs, "solution --csv: header and one row per event", solution_csv_is_only_csv,
                    40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only,
                    40);
    tl_test_timeout(runs, "starter --help: every option listed", help_lists_every_option, 40);
}
