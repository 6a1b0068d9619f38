/* One test in a process of its own, under a deadline — for the CUnit test runner (runner.c) and
 * the check-table runner (checks_run.c) alike.
 *
 * The child runs the test's body with fatal assertions caught, sends its hint and failures back
 * over a pipe, and exits 0 (passed) or 1 (failed). A watchdog fires at the deadline: it sends
 * where the exercise's threads are blocked (spy.h) and exits with TL_EXIT_HUNG, so a hang is
 * explained, not just timed out. It is a timer signal, not a thread, so a check may still fork
 * (ThreadSanitizer refuses threads in a child forked from a process with threads). Should even
 * that not happen, the parent kills the child's whole process group a moment later. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "harness_internal.h"
#include "spy.h"

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

extern int tl_record_fd;
extern tl_buffer tl_in_process_records;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_blocked(void)
{
    char where[4096];
    tl_spy_describe_blocked(where, sizeof where);
    if (where[0] != '\0')
        tl_report_record(TL_RECORD_BLOCKED, where);
}

/* The process is stuck and about to end: only the write matters. The description is built in
 * this frame's buffers; nothing here takes a lock another thread could hold. */
static void watchdog(int sig)
{
    (void)sig;
    char rec[5 + 4096];
    tl_spy_describe_blocked(rec + 5, sizeof rec - 5);
    uint32_t len = (uint32_t)strlen(rec + 5);
    if (len > 0) {
        rec[0] = TL_RECORD_BLOCKED;
        memcpy(rec + 1, &len, sizeof len);
        for (size_t off = 0, n = 5 + len; off < n;) {
            ssize_t w = write(tl_record_fd, rec + off, n - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
    }
    _exit(TL_EXIT_HUNG);
}

static void start_watchdog(double seconds)
{
    struct sigaction sa = {.sa_handler = watchdog};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval t = {.it_value = {(time_t)seconds,
                                       (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6)}};
    if (t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0)
        t.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &t, NULL);
}

/* Exits with the body's verdict; never returns. */
static _Noreturn void child_main(void (*fn)(void), double timeout_s, int fd)
{
    setpgid(0, 0); /* so a hang can be killed together with anything it started */
    tl_record_fd = fd;
    start_watchdog(timeout_s);
    int failed = tl_run_body(fn);
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
    if (failed)
        send_blocked();
    fflush(NULL);
#ifdef TL_LEAK_CHECK
    __lsan_do_leak_check(); /* a leak ends the process here, with LeakSanitizer's status */
#endif
    _exit(failed ? 1 : 0);
}

static bool any_failure_record(const tl_buffer *b)
{
    for (size_t i = 0; i + 5 <= b->len;) {
        uint32_t len;
        memcpy(&len, b->data + i + 1, sizeof len);
        if (b->data[i] == TL_RECORD_FAILURE)
            return true;
        i += 5 + len;
    }
    return false;
}

void tl_child_run(void (*fn)(void), double timeout_s, bool in_process, tl_child_result *r)
{
    double start = now_s();
    *r = (tl_child_result){0};
    if (in_process) {
        tl_in_process_records = (tl_buffer){0};
        int failed = tl_run_body(fn);
        r->records = tl_in_process_records;
        r->how = failed ? TL_FAILED : TL_PASSED;
        r->seconds = now_s() - start;
        return;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "harness: pipe() failed: %s (the kit's own machinery failed, not the code "
                "under test)\n", strerror(errno));
        exit(1);
    }
    /* Programs a test starts (lab runs) must not inherit the pipe, or EOF never comes. */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    double timeout = timeout_s * tl_timeout_scale();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "harness: fork() failed: %s (the kit's own machinery failed, not the code "
                "under test)\n", strerror(errno));
        exit(1);
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fn, timeout, fds[1]);
    }
    setpgid(pid, pid);
    close(fds[1]);
    r->pid = (int)pid;

    double deadline = start + timeout + 2.0; /* the watchdog's turn first */
    bool eof = false, killed = false;
    while (!eof) {
        double left = deadline - now_s();
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int n = poll(&p, 1, (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        char chunk[4096];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got > 0)
            tl_buffer_append(&r->records, chunk, (size_t)got);
        else if (got == 0 || errno != EINTR)
            eof = true;
    }
    close(fds[0]);
    int status = 0;
    /* The pipe closes when the test's process ends (or hands it to a program it starts). */
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (now_s() > deadline) {
            killed = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
    }
    kill(-pid, SIGKILL); /* anything the test started and left behind */
    r->seconds = now_s() - start;
    if (killed || (WIFEXITED(status) && WEXITSTATUS(status) == TL_EXIT_HUNG)) {
        r->how = TL_HUNG;
        snprintf(r->detail, sizeof r->detail, "did not finish within %.0f s and was stopped",
                 timeout);
    } else if (WIFSIGNALED(status)) {
        r->how = TL_CRASHED;
        snprintf(r->detail, sizeof r->detail, "crashed: %s (signal %d)", strsignal(WTERMSIG(status)),
                 WTERMSIG(status));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == TL_EXIT_RACE) {
        r->how = TL_RACED;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        r->how = TL_FAILED;
        if (WEXITSTATUS(status) != 1)
            snprintf(r->detail, sizeof r->detail, "exited with status %d", WEXITSTATUS(status));
        else if (!any_failure_record(&r->records)) /* exit(1) from inside: a fatal TL_CHECK */
            snprintf(r->detail, sizeof r->detail,
                     "exited with status 1 before finishing (see the message above)");
    } else {
        r->how = TL_PASSED;
    }
}

void tl_child_records(const tl_child_result *r,
                      void (*each)(char kind, const char *text, size_t len, void *ctx), void *ctx)
{
    for (size_t i = 0; i + 5 <= r->records.len;) {
        uint32_t len;
        memcpy(&len, r->records.data + i + 1, sizeof len);
        if (i + 5 + len > r->records.len)
            break; /* cut off by a kill mid-record */
        each(r->records.data[i], r->records.data + i + 5, len, ctx);
        i += 5 + len;
    }
}
