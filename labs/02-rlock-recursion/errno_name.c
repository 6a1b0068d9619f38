/* errno_name.c — names of the error codes lock calls return (errno_name.h). */
#include "errno_name.h"

#include <errno.h>
#include <string.h>

const char *errno_name(int rc)
{
    switch (rc) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return strerror(rc);
    }
}
