/* Lab runs for lab02 (rlock recursion): the starter and solution builds with
 * --fast, --csv, --quiet. Usage errors: tests/labs/bad_input_matrix.c. */
#include <string.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab02"
#define RUN_MS 30000L /* a --fast run takes about a second; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* Verdicts every build prints: Steps 1-3 do not depend on the exercise. */
#define DEMO_VERDICTS                                                                              \
    "lab02 — rlock recursion", "[ok]   recursive mutex: inner()'s second lock returned 0",       \
        "another thread's trylock returned EBUSY (expected EBUSY",                                 \
        "[ok]   error-checking mutex: inner()'s second lock returned EDEADLK (expected EDEADLK",   \
        "A plain mutex would hang forever here",                                                   \
        "[ok]   plain mutex: the same second lock, limited to 50 ms, returned ETIMEDOUT",          \
        "[ok]   sum = 2016 (expected 2016)",                                                       \
        "[ok]   deepest nesting: one thread held the lock 6 times at once (expected 6",            \
        "[ok]   balanced: 63 locks, 63 unlocks (expected 63 each", "Lesson: "

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab02 --fast with the starter exercise must exit 0, show Steps 1-3, and report the "
            "unfinished exercise as [todo] (not as a failure, and without hanging).");
    static const char *const must[] = {
        DEMO_VERDICTS,
        "[todo] the owner acquires again at once (timed and untimed); destroy destroys both "
        "parts: the owner's second acquire, rlock_acquire_timed(300 ms), returned ETIMEDOUT",
        "[todo] your exercise passes 0 checks, then fails the one above (expected all 12)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab02 --fast with the reference solution must exit 0 and report every exercise "
            "check as [ok].");
    static const char *const must[] = {
        DEMO_VERDICTS,
        "[ok]   the owner acquires again at once (timed and untimed)",
        "[ok]   a release by a thread that does not hold the lock returns EPERM",
        "[ok]   a thread blocked in rlock_acquire gets the lock when the last release comes",
        "[ok]   wake-ups that find the lock held do not restart the timeout",
        "[ok]   your exercise passes all 12 checks (expected 12)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row and one row for the tree walk, nothing else.");
    static const char *const args[] = {"--fast", "--csv", "--depth", "4", NULL};
    static const char *const must[] = {"depth,nodes,locks,unlocks,deepest,seconds\n4,15,15,15,4,",
                                       NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strncmp(r.out, must[0], strlen(must[0])) == 0,
              "the header is not the first line:\n%s", r.out);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 2, "lines of CSV (header + 1 row)");
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[ok]   recursive mutex", "[todo] the owner acquires again",
                                       NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab02 runs");
    tl_test_timeout(runs, "starter --fast: demo shown, exercise todo",
                    starter_run_shows_demo_and_todo, 40);
    tl_test_timeout(runs, "solution --fast: demo shown, exercise ok",
                    solution_run_shows_demo_and_ok, 40);
    tl_test_timeout(runs, "solution --csv: header and one row", solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only",
                    starter_quiet_prints_verdicts_only, 40);
}
