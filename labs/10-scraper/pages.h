/* pages.h — what a crawl met: one record per URL, and what we do with the lists of them
 * (sort, compare two crawls, spot a URL recorded twice, write them out for diffing). */
#ifndef LAB10_PAGES_H
#define LAB10_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    char *url;     /* normal form (url.h); as written for links that are not http(s) */
    long depth;    /* links from the start page: 0 for the start page itself */
    long status;   /* HTTP status; 0 when it was not fetched or no response came */
    char *title;   /* "" when none (or not HTML, or not fetched) */
    long words;    /* visible words; 0 unless HTML was parsed */
    char *reason;  /* "" when all went well; else why not ("HTTP 404", "off-host: not followed") */
    bool fetched;  /* a request was sent for it */
} crawl_page;

typedef struct {
    crawl_page *items;
    size_t count, cap;
} page_list;

/* Appends page; the list takes ownership of its strings. */
void page_list_add(page_list *list, crawl_page page);

/* A record for a URL that was met but not fetched. Copies the strings. */
crawl_page page_not_fetched(const char *url, long depth, const char *reason);

/* Moves every record of `from` to the end of `to`, leaving `from` empty. */
void page_list_move(page_list *to, page_list *from);

/* Sorts by URL, then depth, status, title, words: the order of --dump and of comparisons. */
void page_list_sort(page_list *list);

/* In a sorted list: how many records repeat the URL of the record before them (a URL met
 * twice means a visited set let it through twice), and the first such URL into example. */
size_t page_list_repeats(const page_list *list, char *example, size_t len);

/* Do two sorted lists hold the same set of (URL, depth, status, title, words), ignoring
 * repeats? If not, describes the first difference in diff. */
bool page_list_same(const page_list *a, const page_list *b, char *diff, size_t len);

/* Writes one tab-separated line per record: mode, URL, depth, status, title, words, reason. */
void page_list_dump(const page_list *list, const char *mode, FILE *out);

void page_list_free(page_list *list);

#endif
