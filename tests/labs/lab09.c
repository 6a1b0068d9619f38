/* Lab runs for lab09 (thread-local): the starter and solution builds with
 * --fast, --csv, --quiet, --help. Usage errors: tests/labs/bad_input_matrix.c. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab09"
#define RUN_MS 30000L /* a --fast run takes well under a second; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* Verdicts every build prints: the global overwritten, the thread-local copies intact, the key's
 * destructor closing every connection, exact counter totals and the measured ratio. */
#define DEMO_VERDICTS                                                                              \
    "lab09 — thread-local storage",                                                                \
        "[race] plain global: 2 of 3 handlers read another's request id (expected each its own)",  \
        "[ok]   _Thread_local: 3 of 3 handlers read their own request id and cache (expected 3)",  \
        "[ok]   main's request_id = 0, cache = \"\" (expected 0 and \"\"",                          \
        "[ok]   3 of 3 workers ran all 4 queries on one connection (expected 3)",                  \
        "[ok]   connections opened = 3, closed = 3 (expected 3 and 3",                             \
        "[ok]   mutex            total = 1000000 (expected 1000000)",                              \
        "[ok]   sharded          total = 1000000 (expected 1000000)",                              \
        "[ok]   sharded-unpadded total = 1000000 (expected 1000000)",                              \
        "[info] sharded / mutex throughput = ", "[info] padded / unpadded shards = ", "Lesson: "

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab09 --fast with the starter exercise must exit 0, show every demo verdict, and "
            "report the unfinished sharded counter as [todo] (not as a failure).");
    static const char *const must[] = {
        DEMO_VERDICTS, "Your exercise (labs/09-thread-local/exercise.c): the 8 checks of ",
        "[todo] add(c, s, n) adds n to shard s and to no other shard: ",
        "the shards hold 46 0 0 0 0 0 0 0; expected 1 2 3 4 5 16 7 8",
        "[todo] your exercise passes 1 check, then fails the one above (expected all 8)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab09 --fast with the reference solution must exit 0 and pass every check of the "
            "sharded counter.");
    static const char *const must[] = {
        DEMO_VERDICTS, "[ok]   add is one indivisible read-modify-write: ",
        "[ok]   8 writers and a polling reader at once: exact total, ",
        "[ok]   your exercise passes all 8 checks (expected 8)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, then one row per variant (mutex, sharded, "
            "sharded-unpadded) with 5 fields, and nothing else on stdout.");
    static const char *const args[] = {"--fast", "--csv", "--threads", "3", "--increments", "1000", NULL};
    static const char *const must[] = {"variant,threads,increments,seconds,per_second\n", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strncmp(r.out, must[0], strlen(must[0])) == 0, "the header is not the first line:\n%s", r.out);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 4, "lines of CSV (header + 3 variants)");
    static const char *const rows[] = {"mutex,3,3000,", "sharded,3,3000,", "sharded-unpadded,3,3000,"};
    const char *line = strchr(r.out, '\n');
    for (int i = 0; i < 3 && line != NULL; i++, line = strchr(line + 1, '\n')) {
        TL_ASSERT(strncmp(line + 1, rows[i], strlen(rows[i])) == 0, "row %d should start with %s:\n%s", i + 1,
                  rows[i], r.out);
        int commas = 0;
        for (const char *p = line + 1; *p != '\0' && *p != '\n'; p++)
            commas += *p == ',';
        TL_ASSERT_EQ_LONG(commas, 4, "commas in a row (5 fields)");
    }
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[race] plain global: ", "[info] sharded / mutex throughput = ", "[todo] ",
                                       NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void help_describes_the_lab(void)
{
    tl_hint("--help must exit 0 and describe what the lab teaches and every option.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {"usage: lab09", "_Thread_local", "pthread_key_create", "--threads N",
                                       "--increments N", "--csv", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab09 runs");
    tl_test_timeout(runs, "starter --fast: demo shown, exercise todo", starter_run_shows_demo_and_todo, 40);
    tl_test_timeout(runs, "solution --fast: demo shown, exercise ok", solution_run_shows_demo_and_ok, 40);
    tl_test_timeout(runs, "solution --csv: header and one row per variant", solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only, 40);
    tl_test_timeout(runs, "starter --help: what the lab teaches", help_describes_the_lab, 40);
}
