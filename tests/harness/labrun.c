#include "labrun.h"

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define MAX_ARGS 32

static void build_argv(const char *path, const char *const args[], char *argv[MAX_ARGS + 2])
{
    int n = 0;
    argv[n++] = (char *)path;
    for (int i = 0; args != NULL && args[i] != NULL && n <= MAX_ARGS; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
}

static void describe_args(const char *const args[], char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; args != NULL && args[i] != NULL; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, " %s", args[i]);
    }
}

tl_run_result tl_check_lab_run(const char *lab, bool solution, const char *const args[],
                               int expect_exit, const char *const must_contain[], long timeout_ms)
{
    char path[512], shown[512];
    char *argv[MAX_ARGS + 2];
    tl_lab_path(lab, solution, path, sizeof path);
    build_argv(path, args, argv);
    describe_args(args, shown, sizeof shown);
    tl_run_result r = tl_run(argv, timeout_ms);
    TL_ASSERT(!r.timed_out, "%s%s did not finish within %ld ms", path, shown, timeout_ms);
    TL_ASSERT(r.signal == 0, "%s%s was killed by signal %d\nstderr:\n%s", path, shown, r.signal, r.err);
    TL_ASSERT(r.exit_code == expect_exit, "%s%s: expected exit status %d, got %d\nstdout:\n%s\nstderr:\n%s",
              path, shown, expect_exit, r.exit_code, r.out, r.err);
    for (int i = 0; must_contain != NULL && must_contain[i] != NULL; i++)
        TL_ASSERT(strstr(r.out, must_contain[i]) != NULL, "%s%s: stdout lacks \"%s\"\nstdout:\n%s",
                  path, shown, must_contain[i], r.out);
    return r;
}

void tl_check_bad_input(const char *lab, const char *const args[], const char *const must_contain[])
{
    char path[512], shown[512];
    char *argv[MAX_ARGS + 2];
    tl_lab_path(lab, false, path, sizeof path);
    build_argv(path, args, argv);
    describe_args(args, shown, sizeof shown);
    tl_run_result r = tl_run(argv, 10000);
    TL_ASSERT(r.exit_code == 2, "%s%s: expected exit status 2 (usage error), got %d", lab, shown,
              r.exit_code);
    TL_ASSERT(r.out[0] == '\0', "%s%s: a usage error must print nothing on stdout, got:\n%s", lab,
              shown, r.out);
    TL_ASSERT(tl_count_lines(r.err) == 1, "%s%s: expected one line on stderr, got %d:\n%s", lab,
              shown, tl_count_lines(r.err), r.err);
    for (int i = 0; must_contain != NULL && must_contain[i] != NULL; i++)
        TL_ASSERT(strstr(r.err, must_contain[i]) != NULL, "%s%s: stderr lacks \"%s\": %s", lab,
                  shown, must_contain[i], r.err);
    tl_run_result_free(&r);
}

void tl_check_bad_inputs(const char *lab, const tl_bad_input cases[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        tl_check_bad_input(lab, cases[i].args, cases[i].must);
}

void tl_assert_verdict_lines_only(const char *out)
{
    for (const char *line = out; *line != '\0';) {
        TL_ASSERT(strncmp(line, "  [", 3) == 0, "not a verdict line: %.60s", line);
        const char *next = strchr(line, '\n');
        line = next ? next + 1 : line + strlen(line);
    }
}

void tl_assert_no_todo_or_fail(const char *out)
{
    TL_ASSERT(strstr(out, "[todo]") == NULL && strstr(out, "[FAIL]") == NULL,
              "the solution run printed [todo] or [FAIL]:\n%s", out);
}
