/* Lab runs for lab07 (deadlock): the starter and solution builds with --fast,
 * --csv, --quiet, --help. Usage errors: tests/labs/bad_input_matrix.c. The exercise step is the
 * check table (labs/07-deadlock/checks.c); its verdicts are matched by the checks' names. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab07"
#define RUN_MS 30000L /* a --fast run takes well under a second; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* Verdicts every build prints, every run: the hang, the detected cycle and the back-off, the
 * ordered rounds, the inversion flagged without a deadlock. (Which thread is the victim is up to
 * the scheduler, so the cycle is matched by its shape only.) */
#define DEMO_VERDICTS                                                                              \
    "lab07 — deadlock",                                                                            \
        "[race] plain mutexes: T1 never got lock_b, T2 never got lock_a (expected neither",        \
        "[race] deadlocks detected = ", " holds lock_b, waits for lock_a",                         \
        "[ok]   threads that finished = 2 (expected 2: the victim T",                              \
        "[ok]   traced locks: rounds = 20000, deadlocks = 0, lock-order reports = 0 (expected 20000, 0, 0)", \
        "[ok]   plain mutexes: rounds = 20000 (expected 20000",                                    \
        "[ok]   threads that finished = 2 (expected 2: they never ran at the same time",           \
        "[race] lock-order inversions reported = 1 (expected 1: T1 took lock_b while holding lock_a, T2 the " \
        "reverse)",                                                                                \
        "[ok]   plain mutexes, the same two orders: threads that finished = 2 (expected 2, and no report", \
        "Step 5. Your exercise (", "): the 6 checks of `make check-lab07`",                          \
        "[ok]   transfer moves the amount, once, from `from` to `to`, and releases both locks", "Lesson: "

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab07 --fast with the starter exercise must exit 0, show every demo verdict, and report "
            "its first failing check (a transfer to the same account) as [todo], not as a failure.");
    static const char *const must[] = {
        DEMO_VERDICTS,
        "[todo] a transfer to the same account changes nothing and returns 0: transfer(a, a, 10) with a = 100: "
        "returned 35 (EDEADLK",
        "[todo] your exercise passes 1 check, then fails the one above (expected all 6)", "`make check-lab07`",
        NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab07 --fast with the reference solution must exit 0 and report every transfer check as "
            "[ok].");
    static const char *const must[] = {
        DEMO_VERDICTS,
        "[ok]   a transfer to the same account changes nothing and returns 0",
        "[ok]   both directions take the lower id's lock first",
        "[ok]   the money moves while both locks are held: nothing in flight, nothing overwritten",
        "[ok]   a transfer that gets EDEADLK releases what it holds, moves nothing, returns EDEADLK",
        "[ok]   6 threads moving money both ways around 3 accounts never deadlock, balances exact", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, then one row for the detected deadlock and two for the "
            "ordered rounds, 6 fields each, and nothing else on stdout.");
    static const char *const args[] = {"--fast", "--csv", "--rounds", "500", NULL};
    static const char *const must[] = {"order,locks,threads,rounds,deadlocks,seconds\n", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strncmp(r.out, must[0], strlen(must[0])) == 0, "the header is not the first line:\n%s", r.out);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 4, "lines of CSV (header + 3 rows)");
    static const char *const rows[] = {"opposite,traced,2,1,", "ordered,traced,2,500,0,", "ordered,plain,2,500,0,"};
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
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[race] plain mutexes: ", "[race] deadlocks detected = ",
                                       "[race] lock-order inversions reported = 1", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void help_describes_the_lab(void)
{
    tl_hint("--help must exit 0 and describe what the lab teaches and every option.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {"usage: lab07", "EDEADLK", "lock-order checker", "--hang-ms MS",
                                       "--backoff-ms MS", "--rounds N", "make check-lab07", "--csv",
                                       NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab07 runs");
    tl_test_timeout(runs, "starter --fast: demo shown, exercise todo", starter_run_shows_demo_and_todo, 40);
    tl_test_timeout(runs, "solution --fast: demo shown, exercise ok", solution_run_shows_demo_and_ok, 40);
    tl_test_timeout(runs, "solution --csv: header and one row per run", solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only, 40);
    tl_test_timeout(runs, "starter --help: what the lab teaches", help_describes_the_lab, 40);
}
