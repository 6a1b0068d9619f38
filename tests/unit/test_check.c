/* Unit tests of common/check.h: a failed pthread call is fatal with file:line and the reason;
 * an allowed code is handed back. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "harness.h"

static void allowed_codes_are_returned(void)
{
    TL_ASSERT_EQ_LONG(TL_CHECK(0), 0, "TL_CHECK(0)");
    TL_ASSERT_EQ_LONG(TL_CHECK_EXPECT(ETIMEDOUT, ETIMEDOUT), ETIMEDOUT, "an allowed code");
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    TL_CHECK(pthread_mutex_lock(&m));
    TL_ASSERT_EQ_LONG(TL_CHECK_EXPECT(pthread_mutex_trylock(&m), EBUSY), EBUSY, "trylock on a held mutex");
    TL_CHECK(pthread_mutex_unlock(&m));
}

/* Runs fn in a child process; returns its exit status and what it wrote on stderr. */
static int run_child(void (*fn)(void), char *err, size_t len)
{
    int fds[2];
    TL_ASSERT_FATAL(pipe(fds) == 0, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    while (used < len - 1 && (n = read(fds[0], err + used, len - 1 - used)) > 0)
        used += (size_t)n;
    err[used] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* An invalid mutex type: EINVAL, a plain error no sanitizer intercepts first. */
static void set_invalid_mutex_type(void)
{
    pthread_mutexattr_t a;
    TL_CHECK(pthread_mutexattr_init(&a));
    TL_CHECK(pthread_mutexattr_settype(&a, -1));
}

static void a_failed_call_is_fatal_with_location_and_reason(void)
{
    char err[512];
    int status = run_child(set_invalid_mutex_type, err, sizeof err);
    TL_ASSERT_EQ_LONG(status, 1, "exit status after a failed pthread call");
    TL_ASSERT(strstr(err, "test_check.c:") != NULL, "message names the file: %s", err);
    TL_ASSERT(strstr(err, "pthread_mutexattr_settype(&a, -1)") != NULL, "message names the call: %s", err);
    TL_ASSERT(strstr(err, strerror(EINVAL)) != NULL, "message gives the reason: %s", err);
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("check");
    tl_test(s, "success and allowed codes are returned", allowed_codes_are_returned);
    tl_test(s, "a failed call exits 1 naming file, call and reason",
            a_failed_call_is_fatal_with_location_and_reason);
}
