#include "stress.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "exercise.h"

#define MAX_THREADS 64

typedef struct {
    visited_set *set;
    long urls;
    pthread_mutex_t lock;
    pthread_cond_t go_signal;
    bool go;
} shared;

typedef struct {
    shared *sh;
    bool *got_new; /* got_new[u]: this thread's visited_add said URL u was new */
} adder;

static void url_name(long u, char *buf, size_t len)
{
    snprintf(buf, len, "http://127.0.0.1/stress/page%ld.html", u);
}

static void *add_all(void *arg)
{
    adder *a = arg;
    shared *sh = a->sh;
    TL_CHECK(pthread_mutex_lock(&sh->lock));
    while (!sh->go)
        TL_CHECK(pthread_cond_wait(&sh->go_signal, &sh->lock));
    TL_CHECK(pthread_mutex_unlock(&sh->lock));
    char url[96];
    for (long u = 0; u < sh->urls; u++) {
        url_name(u, url, sizeof url);
        a->got_new[u] = visited_add(sh->set, url);
    }
    return NULL;
}

void visited_stress(int threads, long urls, stress_report *out)
{
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    shared sh = {.set = visited_create(), .urls = urls};
    TL_CHECK(pthread_mutex_init(&sh.lock, NULL));
    TL_CHECK(pthread_cond_init(&sh.go_signal, NULL));
    pthread_t ids[MAX_THREADS];
    adder adders[MAX_THREADS];
    for (int t = 0; t < threads; t++) {
        adders[t] = (adder){&sh, tl_xcalloc((size_t)urls, sizeof(bool))};
        TL_CHECK(pthread_create(&ids[t], NULL, add_all, &adders[t]));
    }
    /* Everyone starts together, so they collide on the same URLs. */
    TL_CHECK(pthread_mutex_lock(&sh.lock));
    sh.go = true;
    TL_CHECK(pthread_cond_broadcast(&sh.go_signal));
    TL_CHECK(pthread_mutex_unlock(&sh.lock));
    for (int t = 0; t < threads; t++)
        TL_CHECK(pthread_join(ids[t], NULL));

    *out = (stress_report){.urls = urls, .count = (long)visited_count(sh.set)};
    for (long u = 0; u < urls; u++) {
        int answers = 0;
        for (int t = 0; t < threads; t++)
            answers += adders[t].got_new[u];
        out->new_answers += answers;
        out->never_new += answers == 0;
        if (answers > 1 && out->added_twice++ == 0)
            url_name(u, out->example, sizeof out->example);
    }
    for (int t = 0; t < threads; t++)
        free(adders[t].got_new);
    visited_destroy(sh.set);
    TL_CHECK(pthread_cond_destroy(&sh.go_signal));
    TL_CHECK(pthread_mutex_destroy(&sh.lock));
}

void visited_stress_thorough(int threads, long urls, stress_report *out)
{
    visited_stress(threads, urls, out);
    if (out->added_twice == 0 && out->never_new == 0)
        visited_stress(threads, urls * 50, out);
}

stress_outcome visited_stress_isolated(int threads, long urls, long timeout_ms,
                                       stress_report *out, int *signal)
{
    *out = (stress_report){0};
    *signal = 0;
    int fds[2];
    if (pipe(fds) != 0)
        TL_DIE("pipe: %s", strerror(errno));
    fflush(NULL); /* or the child would print our buffered output a second time */
    pid_t pid = fork();
    if (pid < 0)
        TL_DIE("fork: %s", strerror(errno));
    if (pid == 0) {
        close(fds[0]);
        stress_report report;
        visited_stress_thorough(threads, urls, &report);
        ssize_t w = write(fds[1], &report, sizeof report);
        _exit(w == (ssize_t)sizeof report ? 0 : 1);
    }
    close(fds[1]);
    /* Read until the report is complete, the child closes the pipe, or time is up. */
    size_t have = 0;
    int64_t deadline = tl_now_ns() + (int64_t)timeout_ms * 1000000;
    bool hung = false;
    while (have < sizeof *out) {
        long left_ms = (long)((deadline - tl_now_ns()) / 1000000);
        if (left_ms <= 0) {
            hung = true;
            break;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int n = poll(&p, 1, (int)left_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            continue;
        ssize_t got = read(fds[0], (char *)out + have, sizeof *out - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* the child died without a report */
        have += (size_t)got;
    }
    close(fds[0]);
    if (hung)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (hung)
        return STRESS_HUNG;
    if (WIFSIGNALED(status)) {
        *signal = WTERMSIG(status);
        return STRESS_CRASHED;
    }
    if (have < sizeof *out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *signal = 0;
        return STRESS_CRASHED; /* exited early: a fatal TL_CHECK in the student's code */
    }
    return STRESS_FINISHED;
}
