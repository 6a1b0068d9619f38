#include "pages.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

static char *xstrdup(const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        TL_DIE("out of memory");
    return copy;
}

void page_list_add(page_list *list, crawl_page page)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->items = realloc(list->items, list->cap * sizeof *list->items);
        if (list->items == NULL)
            TL_DIE("out of memory");
    }
    list->items[list->count++] = page;
}

crawl_page page_not_fetched(const char *url, long depth, const char *reason)
{
    return (crawl_page){.url = xstrdup(url), .depth = depth, .title = xstrdup(""),
                        .reason = xstrdup(reason)};
}

void page_list_move(page_list *to, page_list *from)
{
    for (size_t i = 0; i < from->count; i++)
        page_list_add(to, from->items[i]);
    free(from->items);
    *from = (page_list){0};
}

/* The fields two crawls must agree on; `reason` is left out (error texts may mention
 * timings or addresses). */
static int compare_content(const crawl_page *a, const crawl_page *b)
{
    int c = strcmp(a->url, b->url);
    if (c != 0)
        return c;
    if (a->depth != b->depth)
        return a->depth < b->depth ? -1 : 1;
    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    c = strcmp(a->title, b->title);
    if (c != 0)
        return c;
    if (a->words != b->words)
        return a->words < b->words ? -1 : 1;
    return 0;
}

static int compare_pages(const void *a, const void *b)
{
    const crawl_page *x = a, *y = b;
    int c = compare_content(x, y);
    return c != 0 ? c : strcmp(x->reason, y->reason);
}

void page_list_sort(page_list *list)
{
    if (list->count > 1)
        qsort(list->items, list->count, sizeof *list->items, compare_pages);
}

size_t page_list_repeats(const page_list *list, char *example, size_t len)
{
    size_t repeats = 0;
    if (len > 0)
        example[0] = '\0';
    for (size_t i = 1; i < list->count; i++)
        if (strcmp(list->items[i].url, list->items[i - 1].url) == 0) {
            if (repeats++ == 0 && len > 0)
                snprintf(example, len, "%s", list->items[i].url);
        }
    return repeats;
}

static void describe(const crawl_page *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s (depth %ld, status %ld, title \"%s\", %ld words)", p->url, p->depth,
             p->status, p->title, p->words);
}

bool page_list_same(const page_list *a, const page_list *b, char *diff, size_t len)
{
    size_t i = 0, j = 0;
    char what[1024];
    while (i < a->count || j < b->count) {
        /* Step over repeats of the record just compared. */
        if (i > 0 && i < a->count && compare_content(&a->items[i], &a->items[i - 1]) == 0) {
            i++;
            continue;
        }
        if (j > 0 && j < b->count && compare_content(&b->items[j], &b->items[j - 1]) == 0) {
            j++;
            continue;
        }
        int c = i == a->count ? 1 : j == b->count ? -1 : compare_content(&a->items[i], &b->items[j]);
        if (c == 0) {
            i++;
            j++;
            continue;
        }
        describe(c < 0 ? &a->items[i] : &b->items[j], what, sizeof what);
        snprintf(diff, len, "only the %s crawl has %s", c < 0 ? "first" : "second", what);
        return false;
    }
    if (len > 0)
        diff[0] = '\0';
    return true;
}

/* Tabs and line breaks would break the one-record-per-line format. */
static void put_field(const char *text, FILE *out)
{
    for (const char *p = text; *p != '\0'; p++)
        fputc(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p, out);
}

void page_list_dump(const page_list *list, const char *mode, FILE *out)
{
    for (size_t i = 0; i < list->count; i++) {
        const crawl_page *p = &list->items[i];
        fprintf(out, "%s\t", mode);
        put_field(p->url, out);
        fprintf(out, "\t%ld\t%ld\t", p->depth, p->status);
        put_field(p->title, out);
        fprintf(out, "\t%ld\t", p->words);
        put_field(p->reason, out);
        fputc('\n', out);
    }
}

void page_list_free(page_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].url);
        free(list->items[i].title);
        free(list->items[i].reason);
    }
    free(list->items);
    *list = (page_list){0};
}
