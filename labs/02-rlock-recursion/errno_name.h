/* errno_name.h — "EDEADLK" rather than "Resource deadlock avoided": lab02's verdicts print what
 * a lock call returned by the name the man pages and exercise.h use. */
#ifndef LAB02_ERRNO_NAME_H
#define LAB02_ERRNO_NAME_H

/* "0", the name of an error code a lock call returns, or strerror() for any other. */
const char *errno_name(int rc);

#endif
