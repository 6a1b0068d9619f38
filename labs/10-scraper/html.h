/* html.h — what the crawler reads from a page, with libxml2's HTML parser.
 *
 * Real pages are rarely valid HTML, so the parser runs in recover mode (it builds a tree
 * from whatever it gets, like a browser does), with network access off (a page cannot make
 * the parser fetch anything) and its error reports off (a crawler meets broken markup all
 * day; it is not news). Call xmlInitParser() once before threads parse in parallel.
 *
 * Everything taken from the page is capped, and the title is always valid UTF-8 (libxml2
 * passes invalid bytes through when the page claims to be utf-8): it was written by a stranger.
 */
#ifndef LAB10_HTML_H
#define LAB10_HTML_H

#include <stdbool.h>
#include <stddef.h>

#define HTML_MAX_LINKS 1000 /* links kept per page; the rest are ignored (and counted) */
#define HTML_MAX_TITLE 200  /* bytes of title kept, cut on a UTF-8 character boundary */

typedef struct {
    char *title;       /* the <title> text, whitespace collapsed; "" when there is none */
    char *base_href;   /* the first <base href>, as written; NULL when there is none */
    char **links;      /* every <a href> as written, in document order (at most HTML_MAX_LINKS) */
    size_t link_count;
    size_t links_dropped; /* <a href> beyond HTML_MAX_LINKS */
    long words;        /* words of visible text: not in <head>, <script>, <style>, <noscript>,
                          <template>; a word is a run of non-whitespace characters */
    size_t title_repairs; /* bytes of the title that were not UTF-8, each now U+FFFD */
    int cut_at_depth;  /* markup nested deeper than libxml2 reads (xmlParserMaxDepth, 256): the
                          depth where it stopped, and the rest of the page is missing; else 0 */
} html_page;

/* Is this Content-Type ("text/html; charset=utf-8") one we parse? text/html and
 * application/xhtml+xml, any case, any parameters. */
bool html_is_html(const char *content_type);

/* How much of a body html_looks_binary reads: the WHATWG MIME Sniffing standard's
 * "resource header" size. */
#define HTML_SNIFF_BYTES 1445

/* Does the body look like binary data rather than text: a byte that no text has (NUL and
 * most other controls) in its first HTML_SNIFF_BYTES? The WHATWG MIME Sniffing rule, which
 * browsers use to refuse to render such a body as a page, whatever its Content-Type. */
bool html_looks_binary(const char *body, size_t len);

/* Parses body (len bytes, not NUL-terminated) and fills *page. content_type may name the
 * charset; without one libxml2 looks for a <meta charset> and falls back to its default.
 * Returns false, with *page empty but valid, when libxml2 could not build a document at all
 * (an empty body). Free with html_page_free. */
bool html_extract(const char *body, size_t len, const char *content_type, html_page *page);

void html_page_free(html_page *page);

#endif
