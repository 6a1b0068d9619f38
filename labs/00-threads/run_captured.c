/* run_captured.c — a child process with a deadline and a pipe on its stdout (run_captured.h). */
#include "run_captured.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

int run_captured(char *const argv[], long timeout_ms, char *out, size_t len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    bool eof = false;
    struct timespec deadline = tl_deadline_monotonic(timeout_ms);
    while (pid > 0 && !eof && tl_ms_until(deadline) > 0) {
        struct pollfd p = {fds[0], POLLIN, 0};
        char chunk[512];
        if (poll(&p, 1, (int)tl_ms_until(deadline)) <= 0)
            continue;
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        eof = got == 0 || (got < 0 && errno != EINTR);
        for (ssize_t i = 0; i < got && used + 1 < len; i++) /* the rest is drained, not kept */
            out[used++] = chunk[i];
    }
    out[used] = '\0';
    close(fds[0]);
    int status = -1;
    if (pid > 0 && !eof)
        kill(pid, SIGKILL);
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return eof && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
