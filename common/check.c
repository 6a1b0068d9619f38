#include "check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_check_rc(int rc, const char *what, const char *file, int line, int allowed)
{
    if (rc == 0 || (allowed != 0 && rc == allowed))
        return rc;
    /* strerror is not thread-safe; strerror_r's POSIX form is, and this is a dying path anyway. */
    char reason[128];
    if (strerror_r(rc, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", rc);
    fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, what, reason);
    exit(1);
}

void tl_die(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *tl_xmalloc_at(size_t size, const char *file, int line)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        tl_die(file, line, "out of memory allocating %zu bytes", size);
    return p;
}

void *tl_xcalloc_at(size_t count, size_t size, const char *file, int line)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        tl_die(file, line, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

const char *tl_errno_name(int code)
{
    switch (code) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case EDEADLK: return "EDEADLK";
    case ENOSYS: return "ENOSYS";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOTSUP: return "ENOTSUP";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    default: return "unknown";
    }
}
