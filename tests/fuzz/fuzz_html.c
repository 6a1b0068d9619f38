/* Fuzzes html_extract and html_is_html (labs/10-scraper/html.h).
 * Input: the first byte picks a Content-Type (none, with or without a charset, a bogus one);
 * the rest is the body. html_is_html reads the start of the body as a header. */
#include <ctype.h>
#include <stdbool.h>

#include <libxml/parser.h>

#include "fuzz.h"
#include "html.h"
#include "utf8_valid.h"

static const char *const content_types[] = {
    NULL,
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=ISO-8859-1",
    "text/html; charset=\"windows-1252\"",
    "text/html; charset=UTF-16",
    "text/html; charset=no-such-charset",
    "application/xhtml+xml",
    "TEXT/HTML;CHARSET=SHIFT_JIS",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    xmlInitParser(); /* what lab10's main does before parsing */
    return 0;
}

static void check_title(const char *title)
{
    size_t len = strlen(title);
    FUZZ_CHECK(len <= HTML_MAX_TITLE, "title is %zu bytes, more than HTML_MAX_TITLE", len);
    FUZZ_CHECK(tl_utf8_valid(title), "title is not valid UTF-8: '%s'", title);
    for (size_t i = 0; i < len; i++) {
        bool space = isspace((unsigned char)title[i]);
        FUZZ_CHECK(!space || (title[i] == ' ' && i > 0 && i + 1 < len && title[i + 1] != ' '),
                   "title whitespace not collapsed at byte %zu: '%s'", i, title);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *type = NULL;
    if (size > 0) {
        type = content_types[data[0] % (sizeof content_types / sizeof content_types[0])];
        data++, size--;
    }
    char *as_type = fuzz_string(data, size < 100 ? size : 100);
    (void)html_is_html(as_type); /* any header a server sends: must not crash */
    free(as_type);

    (void)html_looks_binary((const char *)data, size); /* reads only what it is given */
    html_page page;
    bool ok = html_extract((const char *)data, size, type, &page);
    FUZZ_CHECK(page.title != NULL, "title is NULL (\"\" when there is none)");
    check_title(page.title);
    FUZZ_CHECK(page.link_count <= HTML_MAX_LINKS, "%zu links kept", page.link_count);
    FUZZ_CHECK(page.links_dropped == 0 || page.link_count == HTML_MAX_LINKS,
               "%zu links dropped with only %zu kept", page.links_dropped, page.link_count);
    for (size_t i = 0; i < page.link_count; i++)
        FUZZ_CHECK(page.links[i] != NULL, "link %zu is NULL", i);
    FUZZ_CHECK(page.words >= 0, "%ld words", page.words);
    FUZZ_CHECK(page.cut_at_depth >= 0, "cut at depth %d", page.cut_at_depth);
    if (!ok)
        FUZZ_CHECK(page.title[0] == '\0' && page.base_href == NULL && page.link_count == 0 &&
                       page.words == 0,
                   "html_extract failed but the page is not empty");
    html_page_free(&page);
    return 0;
}
