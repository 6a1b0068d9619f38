/* The test side of the harness: hints, sentence assertions, records to the runner. It needs no
 * CUnit, so a lab's own "Your exercise" step runs the same checks as its grader (checks.h).
 * Where tests run (a child process, under a deadline) is child.c's business. */
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness_internal.h"

/* ---- records: to the runner's pipe in a child, to memory in-process ---- */

int tl_record_fd = -1; /* set by child.c in the test's process */
tl_buffer tl_in_process_records;

void tl_buffer_append(tl_buffer *b, const void *bytes, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            fprintf(stderr, "harness: out of memory (realloc of %zu bytes failed)\n", cap);
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

/* A record: kind byte, 4-byte length, text. One write, so records from threads never mix. */
void tl_report_record(tl_record_kind kind, const char *text)
{
    uint32_t len = (uint32_t)strlen(text);
    if (len > 60000)
        len = 60000;
    char *rec = malloc(5 + (size_t)len);
    if (rec == NULL)
        return;
    rec[0] = (char)kind;
    memcpy(rec + 1, &len, sizeof len);
    memcpy(rec + 5, text, len);
    if (tl_record_fd < 0)
        tl_buffer_append(&tl_in_process_records, rec, 5 + (size_t)len);
    else
        write_all(tl_record_fd, rec, 5 + (size_t)len);
    free(rec);
}

/* ---- running one body, with fatal assertions caught ---- */

static jmp_buf fatal_exit;
static _Atomic int failures; /* helper threads of a test may assert too */
static pthread_t body_thread;
static atomic_bool body_running;

int tl_run_body(void (*fn)(void))
{
    atomic_store(&failures, 0);
    body_thread = pthread_self();
    atomic_store(&body_running, true);
    if (setjmp(fatal_exit) == 0)
        fn();
    atomic_store(&body_running, false);
    return atomic_load(&failures);
}

static const char *current_name = "";

void tl_set_test_name(const char *name)
{
    current_name = name ? name : "";
}

const char *tl_test_name(void)
{
    return current_name;
}

double tl_timeout_scale(void)
{
    const char *s = getenv("TL_TIMEOUT_SCALE");
    double scale = s ? atof(s) : 1.0;
    return scale >= 1.0 ? scale : 1.0;
}

void tl_hint(const char *fmt, ...)
{
    char hint[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hint, sizeof hint, fmt, ap);
    va_end(ap);
    tl_report_record(TL_RECORD_HINT, hint);
}

void tl_assert_at(bool ok, const char *file, int line, bool fatal, const char *fmt, ...)
{
    if (ok)
        return;
    char message[2048], text[2400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    snprintf(text, sizeof text, "%s:%d\t%s", file, line, message);
    tl_report_record(TL_RECORD_FAILURE, text);
    atomic_fetch_add(&failures, 1);
    if (!fatal || !atomic_load(&body_running))
        return;
    if (pthread_equal(pthread_self(), body_thread))
        longjmp(fatal_exit, 1);
    _exit(1); /* a fatal failure in a helper thread: the record is sent, the test is over */
}
