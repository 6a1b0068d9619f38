#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define CAPTURE_MAX (4u << 20)

typedef struct {
    char *data;
    size_t len;
} capture;

static void capture_read(int fd, capture *c, bool *open)
{
    char chunk[8192];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
        return;
    if (n <= 0) {
        *open = false;
        return;
    }
    size_t keep = (size_t)n;
    if (c->len + keep > CAPTURE_MAX)
        keep = CAPTURE_MAX - c->len; /* keep draining, stop storing */
    char *grown = realloc(c->data, c->len + keep + 1);
    if (grown == NULL) {
        fprintf(stderr, "spawn: out of memory\n");
        exit(1);
    }
    c->data = grown;
    memcpy(c->data + c->len, chunk, keep);
    c->len += keep;
    c->data[c->len] = '\0';
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

tl_run_result tl_run(char *const argv[], long timeout_ms)
{
    return tl_run_in(NULL, argv, timeout_ms);
}

tl_run_result tl_run_in(const char *dir, char *const argv[], long timeout_ms)
{
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) {
        perror("spawn: pipe");
        exit(1);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        exit(1);
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        setenv("NO_COLOR", "1", 1);
        if (dir != NULL && chdir(dir) != 0) {
            fprintf(stderr, "spawn: cannot enter %s: %s\n", dir, strerror(errno));
            _exit(127);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "spawn: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    close(out[1]);
    close(err[1]);

    tl_run_result r = {.exit_code = -1};
    capture co = {0}, ce = {0};
    bool out_open = true, err_open = true;
    double deadline = now_ms() + (double)timeout_ms * tl_timeout_scale();
    while (out_open || err_open) {
        double left = deadline - now_ms();
        if (left <= 0) {
            r.timed_out = true;
            break;
        }
        struct pollfd p[2] = {{.fd = out_open ? out[0] : -1, .events = POLLIN},
                              {.fd = err_open ? err[0] : -1, .events = POLLIN}};
        int n = poll(p, 2, (int)left + 1);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        if (p[0].revents)
            capture_read(out[0], &co, &out_open);
        if (p[1].revents)
            capture_read(err[0], &ce, &err_open);
    }
    int status = 0;
    while (!r.timed_out && waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ms() > deadline)
            r.timed_out = true;
        else
            nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
    }
    if (r.timed_out) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    close(out[0]);
    close(err[0]);
    if (!r.timed_out && WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r.signal = WTERMSIG(status);
    r.out = co.data ? co.data : calloc(1, 1);
    r.err = ce.data ? ce.data : calloc(1, 1);
    return r;
}

void tl_run_result_free(tl_run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int tl_count_lines(const char *text)
{
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    size_t len = strlen(text);
    return lines + (len > 0 && text[len - 1] != '\n');
}

const char *tl_lab_path(const char *lab, bool solution, char *buf, unsigned len)
{
    const char *dir = getenv(solution ? "TL_SOLUTION_BIN_DIR" : "TL_BIN_DIR");
    if (dir == NULL || dir[0] == '\0')
        dir = solution ? "build/solution" : ".";
    snprintf(buf, len, "%s/%s", dir, lab);
    return buf;
}
