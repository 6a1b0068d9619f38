/* The test-side half of the harness: registration, hints, sentence assertions. The runner's
 * half (processes, deadlines, reporting) is in runner.c. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_internal.h"

static tl_test_entry entries[TL_MAX_TESTS];
static size_t entry_count;

const tl_test_entry *tl_test_entries(size_t *count)
{
    *count = entry_count;
    return entries;
}

CU_pSuite tl_suite(const char *name)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (s == NULL) {
        fprintf(stderr, "harness: cannot add suite '%s': %s\n", name, CU_get_error_msg());
        exit(1);
    }
    return s;
}

void tl_test_timeout(CU_pSuite suite, const char *name, void (*fn)(void), double seconds)
{
    CU_pTest t = CU_add_test(suite, name, fn);
    if (t == NULL || entry_count == TL_MAX_TESTS) {
        fprintf(stderr, "harness: cannot add test '%s': %s\n", name,
                t == NULL ? CU_get_error_msg() : "too many tests");
        exit(1);
    }
    entries[entry_count++] = (tl_test_entry){suite, t, seconds};
}

void tl_test(CU_pSuite suite, const char *name, void (*fn)(void))
{
    tl_test_timeout(suite, name, fn, TL_DEFAULT_TIMEOUT_S);
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
    if (ok) {
        CU_assertImplementation(CU_TRUE, (unsigned)line, "", file, "", CU_FALSE);
        return;
    }
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    /* CUnit copies the condition text into its failure record. */
    CU_assertImplementation(CU_FALSE, (unsigned)line, message, file, "", fatal ? CU_TRUE : CU_FALSE);
}
