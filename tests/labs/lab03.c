/* Lab runs for lab03 (semaphore pool): the starter and solution builds with --fast,
 * other pool sizes, --csv, --quiet, --help. Usage errors: tests/labs/bad_input_matrix.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab03"
#define RUN_MS 30000L /* a --fast run takes under a second; scaled for sanitizer builds */

/* What every build prints for the demo with the defaults (10 workers, a pool of 3). */
#define DEMO_VERDICTS                                                                              \
    "lab03 — semaphore pool", "'.' waiting for a connection, '#' holding one",                    \
        "[ok]   most connections in use at once = 3 (expected 3 = --limit)",                      \
        "[info] total time = ", "(expected about 0.40 s = ceil(10/3) = 4 rounds x 0.10 s)",       \
        "[race] most connections in use at once = 10 (expected at most 3: the pool has only 3, ", \
        "Lesson: "

static void assert_no(const tl_run_result *r, const char *tag)
{
    TL_ASSERT(strstr(r->out, tag) == NULL, "the run printed %s:\n%s", tag, r->out);
}

/* Timeline rows of the step that starts at `from` (up to the next "Step"): how many there are,
 * and how many show the worker holding a connection at some point. */
static void count_rows(const char *from, int *rows, int *holding)
{
    *rows = *holding = 0;
    const char *end = from ? strstr(from + 1, "\nStep ") : NULL;
    for (const char *line = from; line != NULL && (end == NULL || line < end);) {
        const char *next = strchr(line, '\n');
        size_t len = next ? (size_t)(next - line) : strlen(line);
        if (strncmp(line, "  worker ", 9) == 0) {
            (*rows)++;
            *holding += memchr(line, '#', len) != NULL;
        }
        line = next ? next + 1 : NULL;
    }
}

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab03 --fast with the starter exercise must exit 0, show the demo's verdicts, and "
            "report the unfinished semaphore as [todo] (not as a failure).");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        DEMO_VERDICTS,
        "Step 3. Your exercise (labs/03-semaphore-pool/exercise.c): the 12 checks of `make "
        "check-lab03`", "[ok]   init(n) gives n permits",
        "[todo] release() with every permit free is refused with EOVERFLOW, count unchanged: "
        "release() on a new bounded init(2): expected it refused with 75, got 0 (accepted)",
        "[todo] your exercise passes 3 checks, then fails the one above (expected all 12)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_timeline_and_ok(void)
{
    tl_hint("./lab03 --fast with the reference solution must exit 0, draw one timeline row per "
            "worker in both runs, and pass every check of the semaphore.");
    static const char *const args[] = {"--fast", NULL};
    static const char *const must[] = {
        DEMO_VERDICTS, "time (s)   0",
        "Step 3. Your exercise (solutions/03-semaphore-pool/exercise.c): the 12 checks",
        "[ok]   two release() back to back wake two waiting threads",
        "[ok]   12 threads x 200 rounds through 3 permits: never more than 3 inside",
        "[ok]   your exercise passes all 12 checks (expected 12)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[todo]");
    assert_no(&r, "[FAIL]");
    const char *step1 = strstr(r.out, "Step 1."), *step2 = strstr(r.out, "Step 2.");
    int rows, holding;
    count_rows(step1, &rows, &holding);
    TL_ASSERT(rows == 10 && holding == 10, "step 1 timeline: expected 10 worker rows, each with a "
              "'#', got %d rows, %d with '#'", rows, holding);
    count_rows(step2, &rows, &holding);
    TL_ASSERT(rows == 10 && holding == 10, "step 2 timeline: expected 10 worker rows, each with a "
              "'#', got %d rows, %d with '#'", rows, holding);
    tl_run_result_free(&r);
}

static void solution_pool_of_one(void)
{
    tl_hint("--limit 1 makes the semaphore a lock: one worker at a time, 5 rounds for 5 workers.");
    static const char *const args[] = {"--fast", "--workers", "5", "--limit", "1", "--hold-ms",
                                       "20", NULL};
    static const char *const must[] = {
        "[ok]   most connections in use at once = 1 (expected 1 = --limit)",
        "(expected about 0.10 s = ceil(5/1) = 5 rounds x 0.02 s)",
        "[race] most connections in use at once = 5 (expected at most 1", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_room_for_everyone_warns(void)
{
    tl_hint("With --workers <= --limit the pool never runs out: the lab must say there is nothing "
            "to contrast ([warn]) and still exit 0.");
    static const char *const args[] = {"--fast", "--workers", "2", "--limit", "3", NULL};
    static const char *const must[] = {
        "[ok]   most connections in use at once = 2 (expected 2 = --workers: the pool never runs "
        "out)",
        "[warn] most connections in use at once = 2 (expected 2: with --workers <= --limit "
        "everyone fits", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_no(&r, "[FAIL]");
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, then one row per worker for each run, nothing else.");
    static const char *const args[] = {"--fast", "--csv", NULL};
    static const char *const must[] = {"run,worker,acquired_ms,released_ms,max_inside,total_ms\n",
                                       "\nsemaphore,1,", "\nsemaphore,10,", "\nnone,1,",
                                       "\nnone,10,", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 21, "lines of CSV (header + 10 workers x 2 runs)");
    for (const char *line = strchr(r.out, '\n'); line != NULL && line[1] != '\0';) {
        line++;
        TL_ASSERT(strncmp(line, "semaphore,", 10) == 0 || strncmp(line, "none,", 5) == 0,
                  "not a CSV row of a run: %.60s", line);
        int commas = 0;
        for (const char *c = line; *c != '\0' && *c != '\n'; c++)
            commas += *c == ',';
        TL_ASSERT(commas == 5, "expected 6 fields, got %d: %.60s", commas + 1, line);
        line = strchr(line, '\n');
    }
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[ok]   most connections in use at once = 3", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void help_lists_every_option(void)
{
    tl_hint("--help must exit 0 and list every option with its default and range.");
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {"usage: lab03", "--workers N", "--limit N", "--hold-ms MS",
                                       "--fast", "--csv", "--quiet", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab03 runs");
    tl_test_timeout(runs, "starter --fast: demo ok, exercise todo", starter_run_shows_demo_and_todo,
                    40);
    tl_test_timeout(runs, "solution --fast: demo, timelines, exercise ok",
                    solution_run_shows_demo_timeline_and_ok, 40);
    tl_test_timeout(runs, "solution --limit 1: one at a time", solution_pool_of_one, 40);
    tl_test_timeout(runs, "solution --workers 2 --limit 3: nothing to contrast, warns",
                    solution_room_for_everyone_warns, 40);
    tl_test_timeout(runs, "solution --csv: header and one row per worker and run",
                    solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only,
                    40);
    tl_test_timeout(runs, "starter --help: every option listed", help_lists_every_option, 40);
}
