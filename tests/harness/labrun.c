#include "labrun.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* " --workers 5x", with an empty argument or one with a space quoted so it can be seen. */
static void describe_args(const char *const args[], char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; args != NULL && args[i] != NULL; i++) {
        size_t used = strlen(buf);
        bool quote = args[i][0] == '\0' || strchr(args[i], ' ') != NULL;
        snprintf(buf + used, len - used, quote ? " '%s'" : " %s", args[i]);
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

/* A fresh empty directory under $TMPDIR (or /tmp) to run a lab in. */
static void make_empty_dir(char *dir, size_t len)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/threadlab-bad-input-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    TL_ASSERT_FATAL(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
}

/* Removes dir, first listing in `left` what was created in it ("" when nothing was). What
 * cannot be removed (a directory with files in it) stays for a look. */
static void remove_dir_noting_leftovers(const char *dir, char *left, size_t len)
{
    left[0] = '\0';
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t used = strlen(left);
        snprintf(left + used, len - used, "%s'%s'", used ? ", " : "", e->d_name);
        char path[1024];
        snprintf(path, sizeof path, "%.511s/%.256s", dir, e->d_name);
        remove(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

void tl_check_bad_input(const char *lab, const char *what, const char *const args[],
                        const char *const must_contain[])
{
    char path[512], cwd[512], absolute[1100], shown[512], label[768], dir[512], left[512];
    char prefix[64], *argv[MAX_ARGS + 2];
    tl_lab_path(lab, false, path, sizeof path);
    TL_ASSERT_FATAL(getcwd(cwd, sizeof cwd) != NULL, "getcwd: %s", strerror(errno));
    snprintf(absolute, sizeof absolute, "%s%s%s", path[0] == '/' ? "" : cwd, /* it runs elsewhere */
             path[0] == '/' ? "" : "/", path);
    build_argv(absolute, args, argv);
    describe_args(args, shown, sizeof shown);
    if (what != NULL)
        snprintf(label, sizeof label, "%s %s (args:%s)", lab, what, shown);
    else
        snprintf(label, sizeof label, "%s%s", lab, shown);
    make_empty_dir(dir, sizeof dir);
    /* A usage error is reported before anything starts, in milliseconds: a lab still running
     * after this bound has started its demo. Not fatal, so a table's other cases still run. */
    long bound_ms = (long)(3000 * tl_timeout_scale());
    tl_run_result r = tl_run_in(dir, argv, bound_ms);
    remove_dir_noting_leftovers(dir, left, sizeof left);
    if (r.timed_out)
        TL_ASSERT(false, "%s: still running after %ld ms: a usage error must be reported before "
                  "the demo starts\nstdout:\n%.500s", label, bound_ms, r.out);
    else
        TL_ASSERT(r.exit_code == 2, "%s: expected exit status 2 (usage error), got %d\nstdout:\n"
                  "%.300s\nstderr:\n%.300s", label, r.exit_code, r.out, r.err);
    if (r.exit_code == 2) { /* otherwise the rest would only repeat that it was not refused */
        TL_ASSERT(r.out[0] == '\0', "%s: a usage error must print nothing on stdout, got:\n%.300s",
                  label, r.out);
        TL_ASSERT(tl_count_lines(r.err) == 1, "%s: expected one line on stderr, got %d:\n%.300s",
                  label, tl_count_lines(r.err), r.err);
        snprintf(prefix, sizeof prefix, "%s: ", lab);
        TL_ASSERT(strncmp(r.err, prefix, strlen(prefix)) == 0, "%s: the message must start with "
                  "\"%s\": %.300s", label, prefix, r.err);
        for (int i = 0; must_contain != NULL && must_contain[i] != NULL; i++)
            TL_ASSERT(strstr(r.err, must_contain[i]) != NULL, "%s: stderr lacks \"%s\": %.300s",
                      label, must_contain[i], r.err);
    }
    TL_ASSERT(left[0] == '\0', "%s: a usage error must have no side effect, but the lab created %s "
              "in its working directory %s", label, left, dir);
    tl_run_result_free(&r);
}

void tl_check_bad_inputs(const char *lab, const tl_bad_input cases[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        tl_check_bad_input(lab, NULL, cases[i].args, cases[i].must);
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
