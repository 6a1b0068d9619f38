/* contract_threads.h — helper threads for contract tests that may run against broken code.
 *
 * The contract suites (event_contract.h, sem_contract.h) run a student's implementation, where
 * a waiter may never be woken and an acquire may never return. Two needs follow:
 *
 *   - Bounded joins. Joining a stuck thread would hang the test, and the harness would then
 *     report only "did not finish". contract_finish() gives helpers a bounded time, joins the
 *     ones that finished and deliberately detaches the ones still stuck in the code under test,
 *     so the test can say "3 of 8 waiters still blocked". Hence two rules for tests: everything
 *     a helper touches lives in static storage (a detached helper may outlive the test's stack
 *     frame), and the object under test is destroyed only when every helper finished.
 *
 *   - "Blocked inside wait()". Some claims need helpers to be blocked before the main thread
 *     acts ("set(); clear(); wakes every thread that was waiting"). Portable code cannot see
 *     that; on Linux a thread blocked on a condition variable or mutex sleeps in the kernel,
 *     which /proc/self/task shows, so contract_wait_until_asleep() waits until the helpers
 *     sleep (and falls back to a pause elsewhere).
 *
 * Everything is static and header-only: a test program includes the contract headers once.
 */
#ifndef TL_CONTRACT_THREADS_H
#define TL_CONTRACT_THREADS_H

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "harness.h"

/* Each test program uses only some of these helpers; unused static ones must not warn. */
#define CONTRACT_UNUSED __attribute__((unused))

typedef struct {
    pthread_t id;
    void (*body)(void *arg);
    void *arg;
    atomic_bool finished;
} contract_thread;

/* A bound in milliseconds for this run: sanitizer builds (TL_TIMEOUT_SCALE) get longer ones. */
static CONTRACT_UNUSED long contract_scaled_ms(long ms)
{
    return (long)((double)ms * tl_timeout_scale());
}

/* Milliseconds since `start_ns` (from tl_now_ns), for "did not return before the timeout". */
static CONTRACT_UNUSED double contract_ms_since(int64_t start_ns)
{
    return (double)(tl_now_ns() - start_ns) / 1e6;
}

static CONTRACT_UNUSED void *contract_thread_main(void *arg)
{
    contract_thread *t = arg;
    t->body(t->arg);
    atomic_store(&t->finished, true);
    return NULL;
}

/* Starts body(arg) on a new thread described by *t (static storage: see above). */
static CONTRACT_UNUSED void contract_start(contract_thread *t, void (*body)(void *), void *arg)
{
    t->body = body;
    t->arg = arg;
    atomic_init(&t->finished, false);
    TL_CHECK(pthread_create(&t->id, NULL, contract_thread_main, t));
}

/* How many of the n helpers have finished their body so far. */
static CONTRACT_UNUSED int contract_count_finished(contract_thread *t, int n)
{
    int finished = 0;
    for (int i = 0; i < n; i++)
        finished += atomic_load(&t[i].finished);
    return finished;
}

/* Gives the n helpers up to `ms` (scaled) to finish; joins those that did and detaches those
 * that did not (they are stuck in the code under test). Returns how many finished. */
static CONTRACT_UNUSED int contract_finish(contract_thread *t, int n, long ms)
{
    struct timespec deadline = tl_deadline_monotonic(contract_scaled_ms(ms));
    while (contract_count_finished(t, n) < n && tl_ms_until(deadline) > 0)
        tl_sleep_ms(1);
    int finished = 0;
    for (int i = 0; i < n; i++) {
        if (atomic_load(&t[i].finished)) {
            TL_CHECK(pthread_join(t[i].id, NULL));
            finished++;
        } else {
            TL_CHECK(pthread_detach(t[i].id));
        }
    }
    return finished;
}

/* Threads of this process the kernel has asleep right now (Linux), or -1 where /proc/self/task
 * cannot be read. The caller is running, so it never counts itself. */
static CONTRACT_UNUSED int contract_sleeping_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL)
        return -1;
    int sleeping = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[64 + sizeof entry->d_name];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", entry->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* the thread ended meanwhile */
        /* "tid (name) S ...": the name may hold spaces and parentheses; the state follows
         * the last ')'. */
        char line[256];
        size_t len = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[len] = '\0';
        char *paren = strrchr(line, ')');
        if (paren != NULL && (size_t)(paren - line) + 2 < len && paren[2] == 'S')
            sleeping++;
    }
    closedir(dir);
    return sleeping;
}

/* Waits until n more threads than `baseline` (contract_sleeping_threads() before the helpers
 * were started) are asleep: the helpers have reached their blocking call. Seen twice in a row,
 * because reading /proc is not one atomic snapshot. Bounded (2 s, scaled): a helper that never
 * blocks does not hang the test, which then checks what it can. */
static CONTRACT_UNUSED void contract_wait_until_asleep(int baseline, int n)
{
    if (baseline < 0) {
        tl_sleep_ms(contract_scaled_ms(200));
        return;
    }
    struct timespec deadline = tl_deadline_monotonic(contract_scaled_ms(2000));
    int seen_in_a_row = 0;
    while (seen_in_a_row < 2 && tl_ms_until(deadline) > 0) {
        int asleep = contract_sleeping_threads() - baseline;
        seen_in_a_row = asleep >= n ? seen_in_a_row + 1 : 0;
        tl_sleep_ms(5);
    }
    /* Asleep may still mean "queued for the mutex, about to check the flag": let it settle. */
    tl_sleep_ms(contract_scaled_ms(20));
}

#endif
