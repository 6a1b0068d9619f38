/* Lab runs for lab01 (race counter): the starter and solution builds with
 * --fast, --csv, --quiet. Usage errors: tests/labs/bad_input_matrix.c. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab01"
#define RUN_MS 30000L /* a --fast run takes well under 2 s; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* Verdicts every build prints: the races reproduced, the fixes exact. */
#define DEMO_VERDICTS                                                                              \
    "lab01 — race counter", "[race] unsafe counter = ",                                            \
        "[ok]   locked counter = 100 (expected 100)", "[ok]   atomic counter = 100 (expected 100)", \
        "[info] cost per increment: mutex ", "[race] unsafe registration: 'alice' is in the table ", \
        "[ok]   locked registration: 'alice' is in the table 1 time (expected 1)", "Lesson: "

static void starter_run_shows_races_and_todo(void)
{
    tl_hint("./lab01 --fast with the starter exercise must exit 0, reproduce the races, and report "
            "the unfinished exercise as [todo] (not as a failure).");
    static const char *const must[] = {
        DEMO_VERDICTS, "Your exercise (labs/01-race-counter/exercise.c): the 7 checks of ",
        "[todo] counter_increment_locked locks only c->lock, once, and writes c->value before it "
        "unlocks: counter_increment_locked never locked c->lock",
        "[todo] your exercise passes 1 check, then fails the one above (expected all 7)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_shows_races_and_ok(void)
{
    tl_hint("./lab01 --fast with the reference solution must exit 0 and report the "
            "exercise as [ok] on all 7 checks.");
    static const char *const must[] = {
        DEMO_VERDICTS, "[ok]   16 threads x 25 calls of counter_increment_locked at once lose no update",
        "[ok]   counter_increment_atomic is one indivisible read-modify-write: ",
        "[ok]   your exercise passes all 7 checks (expected 7)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, then one row per variant (unsafe-wrong, mutex, "
            "atomic) with 6 fields, and nothing else on stdout.");
    static const char *const args[] = {"--fast", "--csv", "--threads", "3", "--increments", "1000",
                                       NULL};
    static const char *const must[] = {"variant,threads,increments,seconds,per_second,lost\n",
                                       NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strncmp(r.out, must[0], strlen(must[0])) == 0,
              "the header is not the first line:\n%s", r.out);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 4, "lines of CSV (header + 3 variants)");
    static const char *const rows[] = {"unsafe-wrong,3,3000,", "mutex,3,3000,", "atomic,3,3000,"};
    const char *line = strchr(r.out, '\n');
    for (int i = 0; i < 3 && line != NULL; i++, line = strchr(line + 1, '\n')) {
        TL_ASSERT(strncmp(line + 1, rows[i], strlen(rows[i])) == 0,
                  "row %d should start with %s:\n%s", i + 1, rows[i], r.out);
        int commas = 0;
        for (const char *p = line + 1; *p != '\0' && *p != '\n'; p++)
            commas += *p == ',';
        TL_ASSERT_EQ_LONG(commas, 5, "commas in a row (6 fields)");
    }
    TL_ASSERT(strstr(r.out, "mutex,3,3000,") && strstr(r.out, ",0\natomic,3,3000,"),
              "the mutex row must show 0 lost updates:\n%s", r.out);
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[race] unsafe counter = ", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab01 runs");
    tl_test_timeout(runs, "starter --fast: races shown, exercise todo",
                    starter_run_shows_races_and_todo, 40);
    tl_test_timeout(runs, "solution --fast: races shown, exercise ok",
                    solution_run_shows_races_and_ok, 40);
    tl_test_timeout(runs, "solution --csv: header and one row per variant",
                    solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only",
                    starter_quiet_prints_verdicts_only, 40);
}
