/* check.h — never ignore an error from a pthread call (or an allocation).
 *
 * pthread functions do not set errno: they *return* the error number, 0 on success.
 * Code that writes `pthread_mutex_lock(&m);` and moves on hides EDEADLK, EINVAL and
 * friends; code that writes `assert(pthread_mutex_lock(&m) == 0)` loses the call
 * entirely under -DNDEBUG. So every call goes through TL_CHECK, which on failure
 * prints the call, file:line and strerror, and exits with status 1:
 *
 *     TL_CHECK(pthread_mutex_lock(&m));
 *     TL_CHECK(pthread_create(&t, NULL, worker, arg));
 *
 * Calls whose non-zero result is an expected outcome (trylock's EBUSY, timedwait's
 * ETIMEDOUT) are checked by hand with TL_CHECK_EXPECT, which lets listed codes through:
 *
 *     int rc = TL_CHECK_EXPECT(pthread_cond_timedwait(&c, &m, &deadline), ETIMEDOUT);
 */
#ifndef TL_CHECK_H
#define TL_CHECK_H

#include <stddef.h>

/* Exits with status 1 after printing "file:line: what: strerror(rc)" when rc != 0. */
#define TL_CHECK(call) tl_check_rc((call), #call, __FILE__, __LINE__, 0)

/* As TL_CHECK, but `allowed` (e.g. ETIMEDOUT) is returned to the caller instead of being fatal. */
#define TL_CHECK_EXPECT(call, allowed) tl_check_rc((call), #call, __FILE__, __LINE__, (allowed))

int tl_check_rc(int rc, const char *what, const char *file, int line, int allowed);

/* Prints "file:line: message" to stderr and exits with status 1. */
#define TL_DIE(...) tl_die(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void tl_die(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* malloc/calloc that never return NULL: out of memory is fatal with file:line. */
#define tl_xmalloc(size) tl_xmalloc_at((size), __FILE__, __LINE__)
#define tl_xcalloc(count, size) tl_xcalloc_at((count), (size), __FILE__, __LINE__)
void *tl_xmalloc_at(size_t size, const char *file, int line);
void *tl_xcalloc_at(size_t count, size_t size, const char *file, int line);

/* "EDEADLK" rather than "Resource deadlock avoided": the name the man pages use for what a
 * pthread call returned, "0" for success, "unknown" for a code not listed. Only string literals,
 * so it is thread-safe and its result never needs freeing or copying. */
const char *tl_errno_name(int code);

#endif
