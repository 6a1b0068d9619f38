/* Lab runs and bad input for lab00 (threads): the starter and solution builds with --fast,
 * --csv (including the sweeps `make plots` runs), --quiet, the heartbeat child, the Python
 * comparison, and the usage errors only lab00 has (each option's own: bad_input_matrix.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab00"
#define RUN_MS 30000L /* a --fast run takes about 1.5 s; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* Verdicts every build prints with --fast (3 downloads of 200 ms). */
#define DEMO_VERDICTS                                                                              \
    "lab00 — threads", "[ok]   threaded took 0.", "ideal 0.20 s (the longest)",                    \
        "[ok]   after join: 2 results and 1 error (expected 2 and 1: task 2 fails on purpose)",     \
        "  | heartbeat: beat 3\n", "  | heartbeat: beat 6\n",                                        \
        "[ok]   beats after main called pthread_exit: 3 (expected 3", "[info] CPU-bound speedup ",  \
        "[ok]   primes below 500000: 41538 counted by 4 threads (expected 41538", "Lesson: "

static void starter_run_shows_demo_and_todo(void)
{
    tl_hint("./lab00 --fast with the starter exercise must exit 0, show every step, and report the "
            "unfinished exercise as [todo] naming the &i bug (not as a failure).");
    static const char *const must[] = {
        DEMO_VERDICTS, "[ok]   with no tasks it returns 0, starts no thread and never calls fn",
        "[todo] each thread gets its own task, still intact when the thread reads it late: ",
        "(&i, or one struct the loop refills)", "`make check-lab00` runs every check", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_shows_demo_and_ok(void)
{
    tl_hint("./lab00 --fast with the reference solution must exit 0 and report the exercise [ok].");
    static const char *const must[] = {
        DEMO_VERDICTS, "[ok]   each thread gets its own task, still intact when the thread reads it late",
        "[ok]   your exercise passes all 7 checks (expected 7)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

/* Asserts that out is the CSV header followed by rows starting with each of `starts`, in order,
 * each with 7 fields, and nothing else. */
static void assert_csv(const char *out, const char *const starts[], int rows)
{
    static const char header[] = "step,mode,tasks,threads,delay_ms,seconds,cores\n";
    TL_ASSERT(strncmp(out, header, strlen(header)) == 0, "the header is not the first line:\n%s", out);
    TL_ASSERT_EQ_LONG(tl_count_lines(out), rows + 1, "lines of CSV (header + rows)");
    const char *line = strchr(out, '\n');
    for (int i = 0; i < rows && line != NULL && line[1] != '\0'; i++, line = strchr(line + 1, '\n')) {
        TL_ASSERT(strncmp(line + 1, starts[i], strlen(starts[i])) == 0,
                  "row %d should start with %s:\n%s", i + 1, starts[i], out);
        int commas = 0;
        for (const char *p = line + 1; *p != '\0' && *p != '\n'; p++)
            commas += *p == ',';
        TL_ASSERT_EQ_LONG(commas, 6, "commas in a row (7 fields)");
    }
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, then rows for Steps 1 and 4, and nothing else.");
    static const char *const args[] = {"--fast", "--csv", "--delay-ms", "50", NULL};
    static const char *const must[] = {"step,mode,", NULL};
    static const char *const starts[] = {
        "1,sequential,3,1,50,", "1,threaded,3,3,50,", "1,ideal,3,3,50,0.0500,",
        "4,io-sequential,4,1,20,", "4,io-threaded,4,4,20,", "4,cpu-sequential,4,1,0,",
        "4,cpu-threaded,4,4,0,"};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    assert_csv(r.out, starts, 7);
    tl_run_result_free(&r);
}

static void solution_csv_sweeps_one_step(void)
{
    tl_hint("`make plots` sweeps --tasks with --step 1 and --threads with --step 4: each run must "
            "print only that step's rows, with the values it was given.");
    static const char *const tasks_args[] = {"--csv", "--step", "1", "--tasks", "5", "--delay-ms",
                                             "20", NULL};
    static const char *const tasks_rows[] = {"1,sequential,5,1,20,", "1,threaded,5,5,20,",
                                             "1,ideal,5,5,20,0.0200,"};
    tl_run_result r = tl_check_lab_run(LAB, true, tasks_args, 0, NULL, RUN_MS);
    assert_csv(r.out, tasks_rows, 3);
    tl_run_result_free(&r);

    static const char *const threads_args[] = {"--csv", "--step", "4", "--threads", "2", "--io-ms",
                                               "10", "--primes-below", "20000", NULL};
    static const char *const threads_rows[] = {"4,io-sequential,2,1,10,", "4,io-threaded,2,2,10,",
                                               "4,cpu-sequential,2,1,0,", "4,cpu-threaded,2,2,0,"};
    r = tl_check_lab_run(LAB, true, threads_args, 0, NULL, RUN_MS);
    assert_csv(r.out, threads_rows, 4);
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", "--delay-ms", "50", NULL};
    static const char *const must[] = {"[ok]   after join: ", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void heartbeat_child_modes(void)
{
    tl_hint("--end-main return must stop at beat 3 (exit ends the detached heartbeat); "
            "--end-main pthread_exit must let it reach beat 6 and then end the process.");
    static const char *const ret[] = {"--end-main", "return", NULL};
    static const char *const ret_must[] = {"heartbeat: beat 3\nmain: return from main", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, ret, 0, ret_must, RUN_MS);
    tl_run_result_free(&r);
    static const char *const pexit[] = {"--end-main", "pthread_exit", NULL};
    static const char *const pexit_must[] = {
        "heartbeat: beat 3\nmain: pthread_exit()", "heartbeat: beat 6\nheartbeat: done", NULL};
    r = tl_check_lab_run(LAB, false, pexit, 0, pexit_must, RUN_MS);
    tl_run_result_free(&r);
}

static bool python3_on_path(void)
{
    const char *path = getenv("PATH");
    char file[4096];
    for (const char *p = path ? path : ""; *p != '\0';) {
        size_t len = strcspn(p, ":");
        snprintf(file, sizeof file, "%.*s/python3", (int)len, p);
        if (access(file, X_OK) == 0)
            return true;
        p += len + (p[len] == ':');
    }
    return false;
}

static void solution_compare_python(void)
{
    tl_hint("--compare-python runs Step 4 with Python's speedups beside C's when python3 is on "
            "PATH, and exits 2 with one line on stderr when it is not.");
    if (!python3_on_path()) {
        static const char *const args[] = {"--compare-python", NULL};
        static const char *const must[] = {"--compare-python", "python3", NULL};
        tl_check_bad_input(LAB, NULL, args, must);
        return;
    }
    static const char *const args[] = {"--compare-python", "--fast", NULL};
    static const char *const must[] = {"Step 4. ", "[info] I/O-bound speedup with 4 threads: C ",
                                       "[info] CPU-bound speedup with 4 threads: C ", ", Python ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "Step 1.") == NULL && strstr(r.out, "Step 5.") == NULL,
              "--compare-python must run Step 4 only:\n%s", r.out);
    tl_run_result_free(&r);
}

static void compare_python_without_python3(void)
{
    tl_hint("without python3 on PATH, --compare-python must say so on stderr and exit 2.");
    setenv("PATH", "/nonexistent-threadlab-dir", 1); /* this test runs in a process of its own */
    static const char *const args[] = {"--compare-python", NULL};
    static const char *const must[] = {"--compare-python", "python3", NULL};
    tl_check_bad_input(LAB, NULL, args, must);
}

static void clashing_options_are_rejected(void)
{
    tl_hint("--compare-python runs Step 4 only: with another --step it must exit 2 with one line "
            "on stderr naming both.");
    static const char *const args[] = {"--compare-python", "--step", "2", NULL};
    static const char *const must[] = {"--compare-python", "--step 2", NULL};
    tl_check_bad_input(LAB, NULL, args, must);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab00 runs");
    tl_test_timeout(runs, "starter --fast: every step shown, exercise todo (&i bug)",
                    starter_run_shows_demo_and_todo, 40);
    tl_test_timeout(runs, "solution --fast: every step shown, exercise ok", solution_run_shows_demo_and_ok, 40);
    tl_test_timeout(runs, "solution --csv: header and the rows of Steps 1 and 4", solution_csv_is_only_csv, 40);
    tl_test_timeout(runs, "solution --csv --step: the sweeps make plots runs", solution_csv_sweeps_one_step, 40);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only, 40);
    tl_test_timeout(runs, "starter --end-main: return stops the heartbeat, pthread_exit does not",
                    heartbeat_child_modes, 40);
    tl_test_timeout(runs, "solution --compare-python: C and Python speedups side by side",
                    solution_compare_python, 90);
    CU_pSuite bad = tl_suite("lab00 bad input");
    tl_test(bad, "--compare-python without python3 on PATH: exit 2, one line", compare_python_without_python3);
    tl_test(bad, "--compare-python with --step 2: exit 2, one line", clashing_options_are_rejected);
}
