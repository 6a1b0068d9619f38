#include "summary.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"
#include "url.h"

static int by_depth_then_url(const void *a, const void *b)
{
    const crawl_page *x = *(crawl_page *const *)a, *y = *(crawl_page *const *)b;
    return x->depth != y->depth ? (x->depth < y->depth ? -1 : 1) : strcmp(x->url, y->url);
}

/* text cut to `width` characters (not bytes: a title may say "café"), padded to it unless
 * it is the last column. */
static const char *column(const char *text, size_t width, bool pad, char *buf, size_t len)
{
    size_t chars = 0, n = 0;
    for (; text[n] != '\0' && n + 1 < len; n++) {
        bool starts_char = ((unsigned char)text[n] & 0xC0) != 0x80;
        if (starts_char && chars++ == width)
            break;
        buf[n] = text[n];
    }
    for (; pad && chars < width && n + 1 < len; chars++)
        buf[n++] = ' ';
    buf[n] = '\0';
    return buf;
}

void summary_table(const crawl_result *r, const char *origin, size_t rows)
{
    const crawl_page **order = tl_xcalloc(r->pages.count + 1, sizeof *order);
    for (size_t i = 0; i < r->pages.count; i++)
        order[i] = &r->pages.items[i];
    qsort(order, r->pages.count, sizeof *order, by_depth_then_url);
    tl_say("%-5s %-6s %-5s %-22s %-26s %s", "depth", "status", "words", "title", "URL", "note");
    size_t skip = strlen(origin);
    char title[100], url[120], note[200], line[512];
    for (size_t i = 0; i < r->pages.count && i < rows; i++) {
        const crawl_page *p = order[i];
        bool here = strncmp(p->url, origin, skip) == 0 && p->url[skip] == '/';
        snprintf(line, sizeof line, "%5ld %6ld %5ld %s %s %s", p->depth, p->status, p->words,
                 column(p->title, 22, true, title, sizeof title),
                 column(here ? p->url + skip : p->url, 26, true, url, sizeof url),
                 column(p->reason, 40, false, note, sizeof note));
        size_t end = strlen(line);
        while (end > 0 && line[end - 1] == ' ')
            line[--end] = '\0'; /* no note: no trailing padding */
        tl_say("%s", line);
    }
    if (r->pages.count > rows)
        tl_say("... and %zu more (--dump FILE writes them all)", r->pages.count - rows);
    free(order);
}

void summary_records(const crawl_result *r, const char *origin, const char *const urls[])
{
    tl_say("%-6s %-34s %s", "status", "URL", "note");
    char url[URL_MAX_LEN + 100], shown[120];
    for (size_t i = 0; urls[i] != NULL; i++) {
        snprintf(url, sizeof url, "%s%s", urls[i][0] == '/' ? origin : "", urls[i]);
        const crawl_page *p = NULL;
        for (size_t k = 0; k < r->pages.count && p == NULL; k++)
            if (strcmp(r->pages.items[k].url, url) == 0)
                p = &r->pages.items[k];
        tl_say("%6ld %s %s", p ? p->status : 0L, column(urls[i], 34, true, shown, sizeof shown),
               p ? p->reason : "(not met)");
    }
}

void summary_speed(const crawl_result *const runs[], size_t n)
{
    tl_step("Speed: the waiting is what threads and the event loop overlap");
    tl_say("%-8s %7s %7s %8s %8s %8s %6s %10s", "mode", "workers", "fetched", "seconds",
           "pages/s", "speedup", "ideal", "efficiency");
    double seq_seconds = runs[0]->mode == CRAWL_SEQ ? runs[0]->seconds : 0;
    for (size_t i = 0; i < n; i++) {
        const crawl_result *r = runs[i];
        double ideal = crawl_ideal_speedup(r);
        char speedup[16] = "-", efficiency[16] = "-";
        if (seq_seconds > 0) {
            snprintf(speedup, sizeof speedup, "%.2f", seq_seconds / r->seconds);
            snprintf(efficiency, sizeof efficiency, "%.0f%%", 100 * seq_seconds / r->seconds / ideal);
        }
        tl_say("%-8s %7ld %7ld %8.2f %8.1f %8s %6.2f %10s", crawl_mode_name(r->mode), r->workers,
               r->fetched, r->seconds, r->fetched / r->seconds, speedup, ideal, efficiency);
    }
    tl_say("ideal: a round of n requests (a level, a hop of redirects, robots.txt) takes "
           "ceil(n / workers) latencies; this crawl had %zu rounds", runs[0]->rounds);
    for (size_t i = 1; i < n && seq_seconds > 0; i++) {
        double speedup = seq_seconds / runs[i]->seconds, ideal = crawl_ideal_speedup(runs[i]);
        tl_verdict(TL_INFO, "%s: %.2fx as fast as seq; the ideal for %ld at once is %.2fx, so "
                   "%.0f%% of ideal", crawl_mode_name(runs[i]->mode), speedup, runs[i]->workers,
                   ideal, 100 * speedup / ideal);
    }
}
