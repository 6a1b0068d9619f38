/* Breaks {contains.found}: visited_contains inserts the URL it was asked about ("remember what we saw"). */
#include "exercise.h"

#include <pthread.h>
#include <stdlib.h>

#include <libxml/hash.h>

#include "check.h"

struct visited_set {
    pthread_mutex_t lock;
    xmlHashTablePtr urls; /* url -> the set itself (any non-NULL payload will do) */
};

visited_set *visited_create(void)
{
    visited_set *set = tl_xcalloc(1, sizeof *set);
    TL_CHECK(pthread_mutex_init(&set->lock, NULL));
    set->urls = xmlHashCreate(1024);
    if (set->urls == NULL)
        TL_DIE("out of memory");
    return set;
}

void visited_destroy(visited_set *set)
{
    if (set == NULL)
        return;
    xmlHashFree(set->urls, NULL); /* the payloads are not allocations: nothing to free */
    TL_CHECK(pthread_mutex_destroy(&set->lock));
    free(set);
}

bool visited_contains(visited_set *set, const char *url)
{
    TL_CHECK(pthread_mutex_lock(&set->lock));
    bool found = xmlHashLookup(set->urls, (const xmlChar *)url) != NULL;
    if (!found)
        xmlHashAddEntry(set->urls, (const xmlChar *)url, set);
    TL_CHECK(pthread_mutex_unlock(&set->lock));
    return found;
}

bool visited_add(visited_set *set, const char *url)
{
    TL_CHECK(pthread_mutex_lock(&set->lock));
    /* The check and the insert under one lock: nothing can happen in between. */
    bool is_new = xmlHashLookup(set->urls, (const xmlChar *)url) == NULL;
    /* xmlHashAddEntry's -1 means "already there" OR "out of memory"; having just looked,
     * under the lock, we know it is not there, so -1 can only be the second. */
    if (is_new && xmlHashAddEntry(set->urls, (const xmlChar *)url, set) != 0)
        TL_DIE("out of memory adding a URL to the visited set");
    TL_CHECK(pthread_mutex_unlock(&set->lock));
    return is_new;
}

size_t visited_count(visited_set *set)
{
    TL_CHECK(pthread_mutex_lock(&set->lock));
    int n = xmlHashSize(set->urls);
    TL_CHECK(pthread_mutex_unlock(&set->lock));
    return n > 0 ? (size_t)n : 0;
}
