/* Lab runs for lab08 (timeout acquire): the starter and solution builds with --fast,
 * --csv, --quiet, --help. Usage errors: tests/labs/bad_input_matrix.c. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab08"
#define RUN_MS 30000L /* a --fast run takes one to two seconds; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* What every build prints in --fast (hold 300 ms, timeout 200 ms): the timed-out wait and its log,
 * the successful retry, the plain timedlock. */
#define DEMO_LINES                                                                                 \
    "lab08 — timeout acquire", "worker gave up on lock \"db\" after ", "(timeout 200 ms): held by holder for ", \
        "stack trace of worker at the time:", "    #0 ", "worker took \"db\" on attempt 2, after ",             \
        "[ok]   first attempt: ETIMEDOUT after ",                                                  \
        " ms (expected ETIMEDOUT, not before the 200 ms timeout)",                                 \
        "[info] the log says: lock \"db\", held by \"holder\" for ",                                \
        "[ok]   retry: worker took \"db\" ", " ms after the holder took it, on attempt 2", "the deadline is absolute, on the wall clock: ",  \
        "[ok]   pthread_mutex_timedlock: ETIMEDOUT after ",                                        \
        "Step 3. Your exercise (", "the 12 checks of `make check-lab08`", "Lesson: "

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab08 --fast with the starter exercise must exit 0, show every demo line, and report the "
            "timeout it ignores and the lock it keeps as [todo] (not as a failure).");
    static const char *const must[] = {
        DEMO_LINES,
        "[todo] lock_with_timeout(0 or -1 ms) of a held mutex and of a free one returns at once: "
        "lock_with_timeout(held mutex, 0 ms) returned 0 after ",
        "[todo] your exercise passes 0 checks, then fails the one above (expected all 12): `make "
        "check-lab08` runs every check", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab08 --fast with the reference solution must exit 0 and report every exercise check as [ok].");
    static const char *const must[] = {
        DEMO_LINES,
        "[ok]   lock_with_timeout(0 or -1 ms) of a held mutex and of a free one returns at once",
        "[ok]   lock_with_timeout takes a mutex the moment it is let go",
        "[ok]   with either mutex held throughout, lock_both_or_neither gives up after overall_ms holding "
        "neither",
        "[ok]   lock_both_or_neither backs off after letting go",
        "[ok]   two threads calling it in opposite orders, 20 times each, all get both",
        "[ok]   your exercise passes all 12 checks (expected 12)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, one row per attempt on \"db\" and one for the plain timedlock, "
            "6 fields each, and nothing else on stdout (no stack trace).");
    static const char *const args[] = {"--csv", "--hold-ms", "150", "--timeout-ms", "100", NULL};
    static const char *const must[] = {"part,attempt,timeout_ms,result,waited_ms,holder_held_ms\n", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strncmp(r.out, must[0], strlen(must[0])) == 0, "the header is not the first line:\n%s", r.out);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 4, "lines of CSV (header + 2 attempts on db + 1 plain)");
    static const char *const rows[] = {"traced,1,100,ETIMEDOUT,", "traced,2,100,taken,", "plain,1,100,ETIMEDOUT,"};
    const char *line = strchr(r.out, '\n');
    for (int i = 0; i < 3 && line != NULL; i++, line = strchr(line + 1, '\n')) {
        TL_ASSERT(strncmp(line + 1, rows[i], strlen(rows[i])) == 0, "row %d should start with %s:\n%s", i + 1,
                  rows[i], r.out);
        int commas = 0;
        for (const char *p = line + 1; *p != '\0' && *p != '\n'; p++)
            commas += *p == ',';
        TL_ASSERT_EQ_LONG(commas, 5, "commas in a row (6 fields)");
    }
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag] (the log "
            "and the stack trace are narrative, hidden).");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[ok]   first attempt: ETIMEDOUT", "[info] the log says: ",
                                       "[todo] lock_with_timeout(0 or -1 ms)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void short_hold_warns_instead_of_failing(void)
{
    tl_hint("with --hold-ms below --timeout-ms the first attempt succeeds: the lab must say so as [warn] "
            "and still exit 0.");
    static const char *const args[] = {"--hold-ms", "20", "--timeout-ms", "200", "--quiet", NULL};
    static const char *const must[] = {"[warn] worker took \"db\" on attempt 1 (expected a timeout first", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

static void help_describes_the_lab(void)
{
    tl_hint("--help must exit 0 and describe what the lab teaches and every option.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {"usage: lab08", "pthread_mutex_timedlock", "CLOCK_REALTIME", "backtrace()",
                                       "--hold-ms MS", "--timeout-ms MS", "--csv", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab08 runs");
    tl_test_timeout(runs, "starter --fast: demo shown, exercise todo", starter_run_shows_demo_and_todo, 40);
    tl_test_timeout(runs, "solution --fast: demo shown, exercise ok", solution_run_shows_demo_and_ok, 40);
    tl_test_timeout(runs, "solution --csv: header and one row per attempt", solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only, 40);
    tl_test_timeout(runs, "solution with a short hold: warned, not failed", short_hold_warns_instead_of_failing, 40);
    tl_test_timeout(runs, "starter --help: what the lab teaches", help_describes_the_lab, 40);
}
