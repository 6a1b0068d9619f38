/* Shared between harness.c (the test side) and runner.c (the parent side). */
#ifndef TL_HARNESS_INTERNAL_H
#define TL_HARNESS_INTERNAL_H

#include <stddef.h>
#include <CUnit/CUnit.h>

#define TL_MAX_TESTS 512
#define TL_DEFAULT_TIMEOUT_S 10.0

typedef struct {
    CU_pSuite suite;
    CU_pTest test;
    double timeout_s;
} tl_test_entry;

const tl_test_entry *tl_test_entries(size_t *count);

/* What a test's process tells the runner, one record at a time. */
typedef enum { TL_RECORD_HINT = 'H', TL_RECORD_FAILURE = 'F' } tl_record_kind;

/* Sends a record to the runner (or keeps it, when tests run in-process). */
void tl_report_record(tl_record_kind kind, const char *text);

#endif
