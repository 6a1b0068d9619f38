/* The runner: main() of every test program. Each test runs in a child process of its own,
 * in its own process group, under a deadline; the child sends the test's hint and failures
 * back over a pipe. See harness.h for why.
 *
 * usage: TEST-PROGRAM [--only TEXT] [--friendly LAB] [--no-fork] [--list]
 *   --only TEXT     run only tests whose "suite / test" name contains TEXT
 *   --friendly LAB  student-facing output for `make check-LAB`: checks, hints, what to do next
 *   --no-fork       run tests in this process (for a debugger; no deadlines)
 *   --list          print the test names and exit
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>

#include "harness.h"
#include "harness_internal.h"

/* LeakSanitizer looks for leaks when a process exits, and a test's process ends with _exit:
 * in sanitizer builds it is asked to look before that. */
#if defined(__SANITIZE_ADDRESS__)
#define TL_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define TL_LEAK_CHECK 1
#endif
#endif
#ifdef TL_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

/* ---- the child's side: records go to the pipe (or to memory with --no-fork) ---- */

static int record_fd = -1;

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static buffer in_process_records;

static void buffer_append(buffer *b, const void *bytes, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            fprintf(stderr, "harness: out of memory\n");
            exit(1);
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the runner is gone; nothing useful left to do */
        p += w;
        n -= (size_t)w;
    }
}

/* A record: kind byte, 4-byte length, text. */
void tl_report_record(tl_record_kind kind, const char *text)
{
    uint32_t len = (uint32_t)strlen(text);
    char head[5] = {(char)kind};
    memcpy(head + 1, &len, sizeof len);
    if (record_fd < 0) {
        buffer_append(&in_process_records, head, sizeof head);
        buffer_append(&in_process_records, text, len);
        return;
    }
    write_all(record_fd, head, sizeof head);
    write_all(record_fd, text, len);
}

static int run_test_here(const tl_test_entry *e)
{
    CU_run_test(e->suite, e->test);
    int failed = 0;
    for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext) {
        char text[2600];
        snprintf(text, sizeof text, "%s:%u\t%s", f->strFileName ? f->strFileName : "?",
                 f->uiLineNumber, f->strCondition ? f->strCondition : "");
        tl_report_record(TL_RECORD_FAILURE, text);
        failed++;
    }
    return failed;
}

/* ---- the runner's side ---- */

typedef enum { OUTCOME_PASSED, OUTCOME_FAILED, OUTCOME_HUNG, OUTCOME_CRASHED } outcome;

typedef struct {
    outcome how;
    char detail[256]; /* for HUNG / CRASHED */
    buffer records;
} test_result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_in_child(const tl_test_entry *e, test_result *r)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("harness: pipe");
        exit(1);
    }
    /* Programs a test starts (lab runs) must not inherit the pipe, or EOF never comes. */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("harness: fork");
        exit(1);
    }
    if (pid == 0) {
        setpgid(0, 0); /* so a hang can be killed together with anything it started */
        close(fds[0]);
        record_fd = fds[1];
        int failed = run_test_here(e);
        fflush(NULL);
#ifdef TL_LEAK_CHECK
        __lsan_do_leak_check(); /* a leak ends the process here, with LeakSanitizer's status */
#endif
        _exit(failed ? 1 : 0);
    }
    setpgid(pid, pid);
    close(fds[1]);

    double timeout = e->timeout_s * tl_timeout_scale();
    double deadline = now_s() + timeout;
    bool eof = false, hung = false;
    while (!eof) {
        double left = deadline - now_s();
        if (left <= 0) {
            hung = true;
            break;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int n = poll(&p, 1, (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        char chunk[4096];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got > 0)
            buffer_append(&r->records, chunk, (size_t)got);
        else if (got == 0 || errno != EINTR)
            eof = true;
    }
    close(fds[0]);
    int status = 0;
    /* The pipe closes when the test returns; the process exits right after. */
    while (!hung) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (now_s() > deadline)
            hung = true;
        else
            nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
    }
    if (hung) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        r->how = OUTCOME_HUNG;
        snprintf(r->detail, sizeof r->detail, "did not finish within %.0f s and was stopped",
                 timeout);
    } else if (WIFSIGNALED(status)) {
        r->how = OUTCOME_CRASHED;
        snprintf(r->detail, sizeof r->detail, "crashed: %s (signal %d)", strsignal(WTERMSIG(status)),
                 WTERMSIG(status));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        r->how = OUTCOME_FAILED;
        if (WEXITSTATUS(status) != 1)
            snprintf(r->detail, sizeof r->detail, "exited with status %d", WEXITSTATUS(status));
    } else {
        r->how = OUTCOME_PASSED;
    }
    /* exit(1) from inside the code under test (a fatal TL_CHECK) also lands here with no record. */
    if (r->how == OUTCOME_FAILED && r->detail[0] == '\0') {
        bool any_failure = false;
        for (size_t i = 0; i + 5 <= r->records.len;) {
            uint32_t len;
            memcpy(&len, r->records.data + i + 1, sizeof len);
            any_failure |= r->records.data[i] == TL_RECORD_FAILURE;
            i += 5 + len;
        }
        if (!any_failure)
            snprintf(r->detail, sizeof r->detail, "exited with status 1 before finishing (see the "
                                                  "message above)");
    }
}

static void run_in_process(const tl_test_entry *e, test_result *r)
{
    in_process_records = (buffer){0};
    int failed = run_test_here(e);
    r->records = in_process_records;
    r->how = failed ? OUTCOME_FAILED : OUTCOME_PASSED;
}

/* ---- printing ---- */

static const char *friendly_lab; /* --friendly LAB */

static void print_result(const tl_test_entry *e, const test_result *r)
{
    static const char *tags[] = {"ok", "FAIL", "HANG", "CRASH"};
    const char *indent = friendly_lab ? "         " : "        ";
    char tag[16];
    snprintf(tag, sizeof tag, "[%s]", tags[r->how]);
    if (friendly_lab)
        printf("  %-6s %s\n", tag, e->test->pName);
    else
        printf("  %-5s %s / %s\n", tags[r->how], e->suite->pName, e->test->pName);
    if (r->how == OUTCOME_PASSED) {
        fflush(stdout);
        return;
    }
    const char *hint = NULL;
    size_t hint_len = 0;
    for (size_t i = 0; i + 5 <= r->records.len;) {
        uint32_t len;
        memcpy(&len, r->records.data + i + 1, sizeof len);
        const char *text = r->records.data + i + 5;
        if (i + 5 + len > r->records.len)
            break; /* cut off by a kill mid-record */
        if (r->records.data[i] == TL_RECORD_HINT) {
            hint = text;
            hint_len = len;
        } else {
            const char *tab = memchr(text, '\t', len);
            if (friendly_lab && tab != NULL)
                printf("%s%.*s\n", indent, (int)(len - (size_t)(tab + 1 - text)), tab + 1);
            else if (tab != NULL)
                printf("%s%.*s: %.*s\n", indent, (int)(tab - text), text,
                       (int)(len - (size_t)(tab + 1 - text)), tab + 1);
            else
                printf("%s%.*s\n", indent, (int)len, text);
        }
        i += 5 + len;
    }
    if (r->detail[0] != '\0')
        printf("%s%s\n", indent, r->detail);
    if (hint != NULL)
        printf("%shint: %.*s\n", indent, (int)hint_len, hint);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    bool no_fork = false, list = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--friendly") == 0 && i + 1 < argc)
            friendly_lab = argv[++i];
        else if (strcmp(argv[i], "--no-fork") == 0)
            no_fork = true;
        else if (strcmp(argv[i], "--list") == 0)
            list = true;
        else {
            fprintf(stderr, "usage: %s [--only TEXT] [--friendly LAB] [--no-fork] [--list]\n",
                    argv[0]);
            return 2;
        }
    }
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "harness: cannot initialise CUnit: %s\n", CU_get_error_msg());
        return 1;
    }
    tl_register_suites();
    size_t count;
    const tl_test_entry *entries = tl_test_entries(&count);

    if (friendly_lab)
        printf("Checking your exercise for %s\n\n", friendly_lab);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        char full[512];
        snprintf(full, sizeof full, "%s / %s", entries[i].suite->pName, entries[i].test->pName);
        if (only != NULL && strstr(full, only) == NULL)
            continue;
        if (list) {
            puts(full);
            continue;
        }
        test_result r = {0};
        if (no_fork)
            run_in_process(&entries[i], &r);
        else
            run_in_child(&entries[i], &r);
        print_result(&entries[i], &r);
        free(r.records.data);
        if (r.how == OUTCOME_PASSED)
            passed++;
        else
            failed++;
    }
    CU_cleanup_registry();
    if (list)
        return 0;
    if (passed + failed == 0) {
        fprintf(stderr, "%s: no test matched%s%s\n", name, only ? " --only " : "", only ? only : "");
        return 1;
    }
    if (friendly_lab) {
        if (failed == 0)
            printf("\nAll %d checks passed. Well done! Compare your answer with the reference in "
                   "solutions/ and read its comments.\n",
                   passed);
        else
            printf("\n%d of %d checks passed. Not there yet: fix the first check marked FAIL, HANG or "
                   "CRASH above, then run `make check-%s` again.\n",
                   passed, passed + failed, friendly_lab);
    }
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed ? 1 : 0;
}
