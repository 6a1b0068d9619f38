/* Unit tests of tl_errno_name (common/check.h): the names lock calls return, and a safe answer
 * for everything else. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "harness.h"

static void names_the_codes_lock_calls_return(void)
{
    static const struct {
        int code;
        const char *name;
    } known[] = {
        {0, "0"},          {EPERM, "EPERM"},         {EDEADLK, "EDEADLK"},
        {EBUSY, "EBUSY"},  {ETIMEDOUT, "ETIMEDOUT"}, {EINVAL, "EINVAL"},
        {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"},      {EOVERFLOW, "EOVERFLOW"},
        {EINTR, "EINTR"},  {ESRCH, "ESRCH"},         {EOWNERDEAD, "EOWNERDEAD"},
        {ENOTRECOVERABLE, "ENOTRECOVERABLE"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *got = tl_errno_name(known[i].code);
        TL_ASSERT(got != NULL && strcmp(got, known[i].name) == 0,
                  "tl_errno_name(%d) = \"%s\", expected \"%s\"", known[i].code,
                  got ? got : "(null)", known[i].name);
    }
}

static void anything_else_is_unknown(void)
{
    static const int others[] = {-1, -EDEADLK, 12345, ENOENT};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        const char *got = tl_errno_name(others[i]);
        TL_ASSERT(got != NULL && strcmp(got, "unknown") == 0,
                  "tl_errno_name(%d) = \"%s\", expected \"unknown\"", others[i],
                  got ? got : "(null)");
    }
}

static void the_same_code_gives_the_same_string(void)
{
    /* String literals: no buffer a later call (or another thread) could overwrite. */
    const char *first = tl_errno_name(EDEADLK), *unknown = tl_errno_name(-1);
    (void)tl_errno_name(ETIMEDOUT);
    (void)tl_errno_name(-2);
    TL_ASSERT(tl_errno_name(EDEADLK) == first && strcmp(first, "EDEADLK") == 0,
              "a second tl_errno_name(EDEADLK) returned another pointer, or the first changed");
    TL_ASSERT(tl_errno_name(-1) == unknown && strcmp(unknown, "unknown") == 0,
              "a second tl_errno_name(-1) returned another pointer, or the first changed");
}

void tl_register_suites(void)
{
    CU_pSuite s = tl_suite("errno name");
    tl_test(s, "names the codes lock calls return", names_the_codes_lock_calls_return);
    tl_test(s, "any other code is \"unknown\"", anything_else_is_unknown);
    tl_test(s, "results are fixed strings, not a reused buffer",
            the_same_code_gives_the_same_string);
}
