/* Lab runs and bad input for lab10 (web scraper): the starter and solution builds with
 * --fast, --csv, --quiet, --mode, --dump, --serve with a crawl of the served URL, --faults, and
 * the usage errors only lab10 has: URLs, --serve or --faults with a URL, --dump files (each
 * option's own: bad_input_matrix.c). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "labrun.h"

#define LAB "lab10"
#define RUN_MS 60000L /* a --fast run takes about a second; scaled for sanitizer builds */

static const char *const fast[] = {"--fast", NULL};

/* What every local-site run prints, whatever state the exercise is in. */
#define DEMO_VERDICTS                                                                              \
    "lab10 — web scraper", "[info] seq: ", "[info] threads: ", "[info] multi: ",                  \
        "[ok]   multi met the same ", "[ok]   seq fetched no URL twice",                           \
        "[ok]   multi fetched no URL twice",                                                       \
        "[ok]   requests for URLs no crawl may ask for (robots.txt, <base>, plain text, libcurl "  \
        "7.88 quirks) = 0 (expected 0)",                                                           \
        "Lesson: "

static void starter_run_shows_crawls_and_todo(void)
{
    tl_hint("./lab10 --fast with the starter must exit 0, run all three crawls, and report the "
            "unfinished visited set as [todo] (not as a failure).");
    static const char *const must[] = {DEMO_VERDICTS, "[todo] an add that comes between another add's look-up and its insert answers false: two "
                                       "adds of one URL, the second made between the first's look-up and its insert: true "
                                       "and true (expected exactly one true)", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[FAIL]") == NULL, "the starter run printed a [FAIL]:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_run_is_all_ok(void)
{
    tl_hint("./lab10 --fast with the reference solution must exit 0 with every check [ok].");
    static const char *const must[] = {
        DEMO_VERDICTS, "[ok]   threads met the same ", "[ok]   threads fetched no URL twice",
        "[ok]   8 threads adding the same 200, then 2000 URLs: each is new exactly once",
        "[ok]   your exercise passes all 7 checks (expected 7)",
        "speedup", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, fast, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[todo]") == NULL && strstr(r.out, "[FAIL]") == NULL &&
              strstr(r.out, "[warn]") == NULL, "the solution run printed [todo], [warn] or [FAIL]:\n%s",
              r.out);
    tl_run_result_free(&r);
}

static void solution_csv_is_only_csv(void)
{
    tl_hint("--csv must print the header row, then one row per crawl with 10 fields, nothing else.");
    static const char *const args[] = {"--fast", "--csv", "--workers", "3", NULL};
    static const char *const must[] = {
        "mode,workers,latency_ms,pages,requests,errors,seconds,pages_per_s,ideal_speedup,ideal_seconds\n",
        "\nseq,1,5,", "\nthreads,3,5,", "\nmulti,3,5,", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strncmp(r.out, must[0], strlen(must[0])) == 0, "the header is not the first line:\n%s", r.out);
    TL_ASSERT_EQ_LONG(tl_count_lines(r.out), 4, "lines of CSV (header + 3 crawls)");
    for (const char *line = r.out; *line != '\0';) {
        int commas = 0;
        for (const char *p = line; *p != '\0' && *p != '\n'; p++)
            commas += *p == ',';
        TL_ASSERT_EQ_LONG(commas, 9, "commas in a line (10 fields)");
        const char *next = strchr(line, '\n');
        line = next ? next + 1 : line + strlen(line);
    }
    tl_run_result_free(&r);
}

static void starter_quiet_prints_verdicts_only(void)
{
    tl_hint("--quiet must print verdict lines only: each line starts with two spaces and a [tag].");
    static const char *const args[] = {"--fast", "--quiet", NULL};
    static const char *const must[] = {"[info] seq: ", "[todo] ", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, RUN_MS);
    tl_assert_verdict_lines_only(r.out);
    tl_run_result_free(&r);
}

static void solution_one_mode(void)
{
    tl_hint("--mode multi must run only the event-loop crawl.");
    static const char *const args[] = {"--fast", "--mode", "multi", NULL};
    static const char *const must[] = {"[info] multi: ", "[ok]   multi fetched no URL twice", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    TL_ASSERT(strstr(r.out, "[info] seq: ") == NULL && strstr(r.out, "[info] threads: ") == NULL,
              "--mode multi ran another crawl:\n%s", r.out);
    tl_run_result_free(&r);
}

static void solution_dump_is_sorted_and_tab_separated(void)
{
    tl_hint("--dump FILE writes one line per URL met and crawl: mode, URL, depth, status, title, "
            "words, reason, tab-separated, sorted within each crawl.");
    char path[] = "/tmp/lab10-dump-XXXXXX";
    int fd = mkstemp(path);
    TL_ASSERT_FATAL(fd >= 0, "mkstemp: %s", strerror(errno));
    close(fd);
    static const char *const must[] = {"[info] seq: ", NULL};
    const char *args[] = {"--fast", "--dump", path, "--mode", "all", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    tl_run_result_free(&r);
    FILE *f = fopen(path, "r");
    TL_ASSERT_FATAL(f != NULL, "the dump file %s was not written", path);
    char line[4096], previous[4096] = "";
    long lines = 0, per_mode[3] = {0};
    static const char *const modes[] = {"seq\t", "threads\t", "multi\t"};
    while (fgets(line, sizeof line, f) != NULL) {
        lines++;
        int tabs = 0;
        for (const char *p = line; *p != '\0'; p++)
            tabs += *p == '\t';
        TL_ASSERT(tabs == 6, "line %ld has %d tabs (expected 6): %s", lines, tabs, line);
        for (int m = 0; m < 3; m++)
            if (strncmp(line, modes[m], strlen(modes[m])) == 0) {
                per_mode[m]++;
                if (strncmp(previous, modes[m], strlen(modes[m])) == 0)
                    TL_ASSERT(strcmp(previous, line) < 0, "not sorted:\n%s%s", previous, line);
            }
        snprintf(previous, sizeof previous, "%s", line);
    }
    fclose(f);
    unlink(path);
    TL_ASSERT(per_mode[0] > 30 && per_mode[0] == per_mode[1] && per_mode[1] == per_mode[2],
              "lines per crawl: seq %ld, threads %ld, multi %ld (expected the same, over 30)",
              per_mode[0], per_mode[1], per_mode[2]);
}

static void solution_faults_are_recorded(void)
{
    tl_hint("./lab10 --faults serves the site's faults too: each must be listed with its reason, "
            "every ordinary page still fetched, and no check [FAIL].");
    char timeout[32]; /* the slow faults wait it out in every crawl: short, but scaled for sanitizers */
    snprintf(timeout, sizeof timeout, "%ld", (long)(2000 * tl_timeout_scale()));
    const char *args[] = {"--faults", "--fast", "--timeout-ms", timeout, NULL};
    static const char *const must[] = {
        "What the faults did to the seq crawl", "/faults/slow.html ", "timed out",
        "Connection reset by peer", "HTTP 500", "HTTP 503; Retry-After: 120 s, not retried",
        "met already, not requested again", "larger than the 512 KiB cap",
        "binary data sent as text/html", "of the title not UTF-8", "nested deeper than 256 levels",
        "9000 more links ignored", "/silent.html ",
        "[ok]   ordinary pages fetched with status 200 in spite of the faults = 30 (expected 30)",
        "[ok]   threads fetched no URL twice", NULL};
    tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
    tl_assert_no_todo_or_fail(r.out);
    tl_run_result_free(&r);
}

/* --serve in a child process: reads the URL it prints, crawls that URL with a second lab10,
 * then stops the server with SIGTERM and checks it shut down cleanly. */
static void solution_serve_then_crawl_its_url(void)
{
    tl_hint("./lab10 --serve prints its URL and serves until SIGINT or SIGTERM, then stops with "
            "exit 0; ./lab10 URL crawls a site that is not its own.");
    char lab[512];
    tl_lab_path(LAB, true, lab, sizeof lab);
    int out[2];
    TL_ASSERT_FATAL(pipe(out) == 0, "pipe");
    pid_t pid = fork();
    TL_ASSERT_FATAL(pid >= 0, "fork");
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl(lab, lab, "--serve", "--fast", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char text[4096] = "";
    size_t len = 0;
    int64_t waited_ms = 0, limit_ms = (int64_t)(10000 * tl_timeout_scale());
    while (strstr(text, "Ctrl-C") == NULL && waited_ms < limit_ms && len + 1 < sizeof text) {
        struct pollfd p = {.fd = out[0], .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) {
            waited_ms += 100;
            continue;
        }
        ssize_t n = read(out[0], text + len, sizeof text - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        text[len] = '\0';
    }
    const char *at = strstr(text, "serving the local site at ");
    char url[128] = "";
    if (at != NULL)
        sscanf(at + strlen("serving the local site at "), "%127s", url);
    TL_ASSERT(strncmp(url, "http://127.0.0.1:", 17) == 0, "--serve did not print its URL:\n%s", text);
    if (url[0] != '\0') {
        static const char *const must[] = {"[info] seq: ", "[ok]   threads met the same ",
                                           "[ok]   multi met no URL twice", NULL};
        const char *args[] = {url, "--mode", "all", "--workers", "3", NULL};
        tl_run_result r = tl_check_lab_run(LAB, true, args, 0, must, RUN_MS);
        TL_ASSERT(strstr(r.out, "[warn]") == NULL, "the crawl of %s warned:\n%s", url, r.out);
        tl_run_result_free(&r);
    }
    kill(pid, SIGTERM);
    int status = 0;
    for (waited_ms = 0; waitpid(pid, &status, WNOHANG) == 0 && waited_ms < limit_ms; waited_ms += 20)
        nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    if (waited_ms >= limit_ms) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        TL_ASSERT(false, "--serve did not stop within %lld ms of SIGTERM", (long long)limit_ms);
    }
    ssize_t n = read(out[0], text, sizeof text - 1);
    text[n > 0 ? n : 0] = '\0';
    close(out[0]);
    TL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "--serve after SIGTERM: expected exit 0");
    TL_ASSERT(strstr(text, "terminated: served ") && strstr(text, "stopped"),
              "--serve says how it stopped, got: %s", text);
}

static void help_describes_the_lab(void)
{
    static const char *const args[] = {"--help", NULL};
    static const char *const must[] = {"usage: lab10 [options] [URL]", "--serve", "--mode M",
                                       "--ignore-robots", "--dump FILE", NULL};
    tl_run_result r = tl_check_lab_run(LAB, false, args, 0, must, 10000);
    tl_run_result_free(&r);
}

static void bad_urls_and_clashes_are_rejected(void)
{
    tl_hint("A bad URL, --serve or --faults with a URL, or a --dump file that cannot be written "
            "must give exit status 2 and one line on stderr, before any file is created.");
    static const tl_bad_input cases[] = {
        {{"--dump", "/nonexistent-dir/lab10.tsv"}, {"--dump", "/nonexistent-dir/lab10.tsv"}},
        {{"ftp://example.com/"}, {"http", "ftp://example.com/"}},
        {{"not a url"}, {"http", "not a url"}},
        {{"--dump", "crawl.tsv", "ftp://example.com/"}, {"http", "ftp://example.com/"}},
        {{"--serve", "http://127.0.0.1/"}, {"--serve", "http://127.0.0.1/"}},
        {{"--faults", "http://127.0.0.1/"}, {"--faults", "http://127.0.0.1/"}},
    };
    tl_check_bad_inputs(LAB, cases, sizeof cases / sizeof cases[0]);
}

void tl_register_suites(void)
{
    CU_pSuite runs = tl_suite("lab10 runs");
    tl_test_timeout(runs, "starter --fast: three crawls, exercise todo", starter_run_shows_crawls_and_todo, 70);
    tl_test_timeout(runs, "solution --fast: every check ok", solution_run_is_all_ok, 70);
    tl_test_timeout(runs, "solution --csv: header and one row per crawl", solution_csv_is_only_csv, 70);
    tl_test_timeout(runs, "starter --quiet: verdict lines only", starter_quiet_prints_verdicts_only, 70);
    tl_test_timeout(runs, "solution --mode multi: one crawl", solution_one_mode, 70);
    tl_test_timeout(runs, "solution --dump: sorted, tab-separated, one line per URL", solution_dump_is_sorted_and_tab_separated, 70);
    tl_test_timeout(runs, "solution --serve, then a crawl of its URL", solution_serve_then_crawl_its_url, 90);
    tl_test_timeout(runs, "solution --faults: every fault recorded, every page fetched", solution_faults_are_recorded, 70);
    tl_test(runs, "--help describes the lab and its options", help_describes_the_lab);
    CU_pSuite bad = tl_suite("lab10 bad input");
    tl_test(bad, "bad URLs, --serve with a URL, an unwritable --dump: exit 2, one line, no file",
            bad_urls_and_clashes_are_rejected);
}
