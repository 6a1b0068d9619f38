#include "site.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

const char *const site_special_fetched[] = {
    SITE_ROBOTS, SITE_MISSING,  SITE_MOVED,     SITE_MOVED_TARGET, SITE_MOVED_HOME,
    SITE_OFFHOST_REDIRECT,      SITE_QUERY,     SITE_QUERY_OTHER,  SITE_NO_TITLE,
    SITE_ENTITIES, SITE_TEXT_FILE, SITE_BASE_PAGE, SITE_BASE_TARGET, SITE_SPACES, SITE_BIG,
    NULL,
};

const char *const site_never_requested[] = {
    SITE_DISALLOWED, SITE_QUERY_DIR, SITE_NEVER_PARSED, SITE_BASE_WRONG, NULL,
};

const char *const site_fault_pages[] = {
    SITE_SLOW,   SITE_RESET,  SITE_ERROR_500, SITE_ERROR_503, SITE_LOOP_A, SITE_LOOP_B,
    SITE_ENDLESS, SITE_BINARY, SITE_BAD_UTF8,  SITE_DEEP,      SITE_LINKS,  NULL,
};

/* ---- a growing text buffer that also counts the visible words written into it ---- */

typedef struct {
    char *text;
    size_t len, cap;
    long words;
} page_text;

static void add(page_text *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(page_text *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            TL_DIE("vsnprintf failed");
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 1;
        b->text = realloc(b->text, b->cap);
        if (b->text == NULL)
            TL_DIE("out of memory");
    }
}

static long words_in(const char *text)
{
    long words = 0;
    bool in_word = false;
    for (const char *p = text; *p != '\0'; p++) {
        bool space = isspace((unsigned char)*p);
        words += !space && !in_word;
        in_word = !space;
    }
    return words;
}

/* Visible text: written and counted. (No markup or entities in it, so the count is exact.) */
static void say(page_text *b, const char *text)
{
    add(b, "%s", text);
    b->words += words_in(text);
}

static void link_to(page_text *b, const char *href, const char *text)
{
    add(b, "<li><a href=\"%s\">", href);
    say(b, text);
    add(b, "</a></li>\n");
}

static void start_page(page_text *b, const char *title_markup, const char *head_extra)
{
    add(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    if (title_markup != NULL)
        add(b, "<title>%s</title>\n", title_markup);
    add(b, "%s<style>body { font-family: sans-serif; max-width: 40em }</style>\n</head>\n<body>\n",
        head_extra ? head_extra : "");
}

static void end_page(page_text *b)
{
    add(b, "<script>var hidden = 'words in a script are not text on the page';</script>\n");
    add(b, "<noscript>nor are these</noscript>\n</body>\n</html>\n");
}

/* ---- the ordinary pages ---- */

int site_level(const site_shape *shape, long i)
{
    int level = 0;
    for (; i > 0; i = (i - 1) / shape->fanout)
        level++;
    return level;
}

int site_levels(const site_shape *shape)
{
    return site_level(shape, shape->pages - 1) + 1;
}

void site_page_path(const site_shape *shape, long i, char *buf, size_t len)
{
    if (i == 0)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "/l%d/p%ld.html", site_level(shape, i), i);
}

void site_page_title(long i, char *buf, size_t len)
{
    snprintf(buf, len, "Page %ld", i);
}

static const char *const vocabulary[] = {
    "threads", "wait", "for", "the", "network", "while", "one", "thread", "parses",
    "a", "page", "and", "another", "fetches", "lock", "queue",
};

/* The text of ordinary page i: a paragraph of 20 to 79 words, different on each page. */
static void write_paragraph(page_text *b, long i)
{
    long n = 20 + (i * 37) % 60;
    add(b, "<p>");
    for (long w = 0; w < n; w++) {
        say(b, vocabulary[(i + w * 7) % (long)(sizeof vocabulary / sizeof vocabulary[0])]);
        add(b, w + 1 < n ? " " : "");
    }
    add(b, "</p>\n");
}

/* Child j of a page at `level`, linked in one of the forms real pages use. */
static void link_child(page_text *b, const site_shape *shape, const char *origin, long j)
{
    char path[64], href[128], text[32];
    site_page_path(shape, j, path, sizeof path);
    snprintf(text, sizeof text, "child %ld", j);
    switch (j % 4) {
    case 0:
        snprintf(href, sizeof href, "%s%s", origin, path); /* absolute */
        break;
    case 1:
        snprintf(href, sizeof href, "  %s ", path); /* root-relative, untidy whitespace */
        break;
    case 2:
        snprintf(href, sizeof href, "..%s", path); /* "../l2/p9.html": up, then down */
        break;
    default:
        snprintf(href, sizeof href, "..%s#intro", path); /* the same, with a fragment */
        break;
    }
    link_to(b, href, text);
}

static void write_special_links(page_text *b)
{
    static const struct {
        const char *href, *text;
    } specials[] = {
        {SITE_DISALLOWED, "private"},         {SITE_MISSING, "broken link"},
        {SITE_MOVED, "moved page"},           {SITE_MOVED_HOME, "old index"},
        {SITE_OFFHOST_REDIRECT, "elsewhere"}, {SITE_EXTERNAL, "another site"},
        {SITE_MAILTO, "mail"},                {SITE_JAVASCRIPT, "script link"},
        {"find/search?q=threads&amp;lang=c", "search"},
        {SITE_NO_TITLE, "untitled"},          {SITE_ENTITIES, "entities"},
        {SITE_TEXT_FILE, "notes"},            {SITE_BASE_PAGE, "base"},
        {"notes/read me.html", "read me"},    {SITE_BIG, "big page"},
        {"", "this page"},
    };
    for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++)
        link_to(b, specials[k].href, specials[k].text);
}

/* Links to the faults asked for. The silent listener is on a port of its own. */
static void write_fault_links(page_text *b, unsigned faults, const char *silent_origin)
{
    static const struct {
        unsigned fault;
        const char *href, *text;
    } links[] = {
        {SITE_FAULT_SLOW, SITE_SLOW, "slow"},         {SITE_FAULT_RESET, SITE_RESET, "reset"},
        {SITE_FAULT_500, SITE_ERROR_500, "error"},    {SITE_FAULT_503, SITE_ERROR_503, "busy"},
        {SITE_FAULT_LOOP, SITE_LOOP_A, "loop"},       {SITE_FAULT_ENDLESS, SITE_ENDLESS, "endless"},
        {SITE_FAULT_BINARY, SITE_BINARY, "binary"},   {SITE_FAULT_BAD_UTF8, SITE_BAD_UTF8, "bad bytes"},
        {SITE_FAULT_DEEP, SITE_DEEP, "deep"},         {SITE_FAULT_LINKS, SITE_LINKS, "many links"},
    };
    for (size_t k = 0; k < sizeof links / sizeof links[0]; k++)
        if (faults & links[k].fault)
            link_to(b, links[k].href, links[k].text);
    if ((faults & SITE_FAULT_SILENT) && silent_origin != NULL) {
        char href[128];
        snprintf(href, sizeof href, "%s" SITE_SILENT_PATH, silent_origin);
        link_to(b, href, "silent");
    }
}

static void write_ordinary_page(page_text *b, const site_shape *shape, const char *origin,
                                const char *silent_origin, long i)
{
    char title[64], path[64];
    site_page_title(i, title, sizeof title);
    start_page(b, title, NULL);
    add(b, "<h1 id=\"top\">");
    say(b, title);
    add(b, "</h1>\n");
    write_paragraph(b, i);
    add(b, "<ul>\n");
    link_to(b, "/#top", "home");
    if (i > 0) {
        long parent = (i - 1) / shape->fanout;
        site_page_path(shape, parent, path, sizeof path);
        link_to(b, path, "up");
        if (i + 1 < shape->pages && site_level(shape, i + 1) == site_level(shape, i)) {
            char sibling[64];
            snprintf(sibling, sizeof sibling, "./p%ld.html", i + 1);
            link_to(b, sibling, "next");
        }
    }
    link_to(b, "#top", "top");
    /* Every page of a level links to the first page of the next one, as a site's navigation
     * bar does: many workers meet this link at the same moment (the exercise's race). */
    long first_next = 0;
    for (int level = 0; level <= site_level(shape, i); level++)
        first_next = first_next * shape->fanout + 1;
    if (first_next < shape->pages) {
        site_page_path(shape, first_next, path, sizeof path);
        link_to(b, path, "featured");
    }
    for (long j = i * shape->fanout + 1; j <= i * shape->fanout + shape->fanout && j < shape->pages; j++)
        link_child(b, shape, origin, j);
    if (i == 0) {
        write_special_links(b);
        write_fault_links(b, shape->faults, silent_origin);
    }
    add(b, "</ul>\n");
    end_page(b);
}

long site_page_words(const site_shape *shape, long i)
{
    page_text b = {.cap = 4096};
    b.text = tl_xmalloc(b.cap);
    /* Link targets hold no words. */
    write_ordinary_page(&b, shape, "http://words.invalid", "http://silent.invalid", i);
    free(b.text);
    return b.words;
}

/* ---- the special cases ---- */

static void simple_page(page_text *b, const char *title, const char *head_extra, const char *body)
{
    start_page(b, title, head_extra);
    add(b, "<p>");
    say(b, body);
    add(b, "</p>\n<ul>\n");
    link_to(b, "/", "home");
    add(b, "</ul>\n");
    end_page(b);
}

static bool ordinary_page_index(const site_shape *shape, const char *path, long *index)
{
    if (strcmp(path, "/") == 0) {
        *index = 0;
        return true;
    }
    int level, used = 0;
    long i;
    if (sscanf(path, "/l%d/p%ld.html%n", &level, &i, &used) != 2 || path[used] != '\0')
        return false;
    char canonical[64];
    if (i <= 0 || i >= shape->pages)
        return false;
    site_page_path(shape, i, canonical, sizeof canonical);
    *index = i;
    return strcmp(canonical, path) == 0; /* "/l9/p1.html" or "/l1/p01.html" are not pages */
}

static void respond_redirect(site_response *out, int status, const char *location)
{
    out->status = status;
    out->reason = status == 301 ? "Moved Permanently" : "Found";
    out->location = strdup(location);
    if (out->location == NULL)
        TL_DIE("out of memory");
}

/* ---- the faults ---- */

/* Bytes that are no text at all: a PNG signature (NULs in it), then noise from a fixed
 * linear congruential generator, so every run serves the same bytes. */
static void write_binary(page_text *b)
{
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    if (b->cap < 8192 + 1) {
        b->cap = 8192 + 1;
        b->text = realloc(b->text, b->cap);
        if (b->text == NULL)
            TL_DIE("out of memory");
    }
    memcpy(b->text, png, sizeof png - 1);
    unsigned long x = 12345;
    for (b->len = sizeof png - 1; b->len < 8192; b->len++) {
        x = x * 1103515245ul + 12345ul;
        b->text[b->len] = (char)(x >> 16);
    }
    b->text[b->len] = '\0';
}

/* The page of fault `path`, if that fault is on; false otherwise. */
static bool respond_fault(const site_shape *shape, const char *origin, const char *path,
                          site_response *out, page_text *b)
{
    unsigned on = shape->faults;
    long index;
    int used = 0;
    if ((on & SITE_FAULT_SLOW) && strcmp(path, SITE_SLOW) == 0) {
        out->delivery = SITE_SEND_LATE;
        simple_page(b, "Slow", NULL, "an answer that comes too late");
    } else if ((on & SITE_FAULT_RESET) && strcmp(path, SITE_RESET) == 0) {
        out->delivery = SITE_SEND_HALF_RESET;
        start_page(b, "Reset", NULL);
        while (b->len < 64 * 1024) /* enough that half of it is sent in several pieces */
            add(b, "<p>a page cut off in the middle by a reset connection</p>\n");
        end_page(b);
    } else if ((on & SITE_FAULT_500) && strcmp(path, SITE_ERROR_500) == 0) {
        out->status = 500;
        out->reason = "Internal Server Error";
        simple_page(b, "Server error", NULL, "something broke on the server");
    } else if ((on & SITE_FAULT_503) && strcmp(path, SITE_ERROR_503) == 0) {
        out->status = 503;
        out->reason = "Service Unavailable";
        out->retry_after = SITE_RETRY_AFTER;
        simple_page(b, "Busy", NULL, "come back later");
    } else if ((on & SITE_FAULT_LOOP) && strcmp(path, SITE_LOOP_A) == 0) {
        respond_redirect(out, 302, SITE_LOOP_B);
        simple_page(b, "Loop", NULL, "round and round");
    } else if ((on & SITE_FAULT_LOOP) && strcmp(path, SITE_LOOP_B) == 0) {
        char back[256];
        snprintf(back, sizeof back, "%s" SITE_LOOP_A, origin); /* absolute this time */
        respond_redirect(out, 302, back);
        simple_page(b, "Loop", NULL, "round and round");
    } else if ((on & SITE_FAULT_ENDLESS) && strcmp(path, SITE_ENDLESS) == 0) {
        out->delivery = SITE_SEND_ENDLESS; /* the server sends this body over and over */
        for (int k = 0; k < 100; k++)
            add(b, "<p>this page never ends</p>\n");
    } else if ((on & SITE_FAULT_BINARY) && strcmp(path, SITE_BINARY) == 0) {
        write_binary(b); /* and the Content-Type stays text/html */
    } else if ((on & SITE_FAULT_BAD_UTF8) && strcmp(path, SITE_BAD_UTF8) == 0) {
        /* Latin-1 bytes, bytes never valid in UTF-8, a cut sequence, a surrogate, an overlong
         * "/", a code point past U+10FFFF. */
        static const char bad[] = "caf\xe9 \xff\xfe \xc3( \xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80";
        start_page(b, "Bad " "\xe9" "ncoding \xc3( \xed\xa0\x80 \xc0\xaf end", NULL);
        add(b, "<p>%s</p>\n<ul>\n", bad);
        link_to(b, "/", "home");
        link_to(b, SITE_BAD_UTF8_LINK, "a Latin-1 link");
        link_to(b, "mailto:caf\xe9@example.com", "a Latin-1 address");
        add(b, "</ul>\n");
        end_page(b);
    } else if ((on & SITE_FAULT_DEEP) && strcmp(path, SITE_DEEP) == 0) {
        start_page(b, "Deep", NULL);
        add(b, "<ul>\n");
        link_to(b, "/", "home");
        add(b, "</ul>\n");
        for (long k = 0; k < SITE_DEEP_LEVELS; k++)
            add(b, "<b>"); /* never closed: the shortest way down, under the crawler's cap */
        add(b, "deep down <a href=\"/\">home again</a>\n");
        end_page(b);
    } else if ((on & SITE_FAULT_LINKS) && strcmp(path, SITE_LINKS) == 0) {
        start_page(b, "Many links", NULL);
        for (long k = 1; k <= SITE_LINKS_COUNT; k++)
            add(b, "<a href=" SITE_LINKS_TARGET "%ld.html>%ld</a>\n", k, k); /* short: under the cap */
        end_page(b);
    } else if ((on & SITE_FAULT_LINKS) && sscanf(path, SITE_LINKS_TARGET "%ld.html%n", &index, &used) == 1 &&
               path[used] == '\0' && index >= 1 && index <= SITE_LINKS_COUNT) {
        char title[64];
        snprintf(title, sizeof title, "Link %ld", index);
        simple_page(b, title, NULL, "one of many");
    } else {
        return false;
    }
    return true;
}

void site_respond(const site_shape *shape, const char *origin, const char *silent_origin,
                  const char *target, site_response *out)
{
    *out = (site_response){.status = 200, .reason = "OK",
                           .content_type = "text/html; charset=utf-8"};
    page_text b = {.cap = 4096};
    b.text = tl_xmalloc(b.cap);
    b.text[0] = '\0';

    char path[1024];
    snprintf(path, sizeof path, "%.*s", (int)strcspn(target, "?"), target);
    const char *query = strchr(target, '?');
    long index;
    int used = 0;

    if (ordinary_page_index(shape, path, &index)) {
        write_ordinary_page(&b, shape, origin, silent_origin, index);
    } else if (strcmp(path, SITE_ROBOTS) == 0) {
        out->content_type = "text/plain; charset=utf-8";
        add(&b, "# robots.txt of the threadlab local site\n"
                "User-agent: *\nDisallow: /private/\n\n"
                "User-agent: SomeOtherBot\nDisallow: /\n");
    } else if (strcmp(path, SITE_DISALLOWED) == 0) {
        simple_page(&b, "Private", NULL, "robots.txt asks crawlers to stay out of here");
    } else if (strcmp(path, SITE_MOVED) == 0) {
        respond_redirect(out, 301, SITE_MOVED_TARGET); /* a relative Location */
        simple_page(&b, "Moved", NULL, "this page moved");
    } else if (strcmp(path, SITE_MOVED_TARGET) == 0) {
        simple_page(&b, "New home", NULL, "the moved page lives here now");
    } else if (strcmp(path, SITE_MOVED_HOME) == 0) {
        char home[256];
        snprintf(home, sizeof home, "%s/", origin);
        respond_redirect(out, 301, home);
        simple_page(&b, "Moved", NULL, "the index moved home");
    } else if (strcmp(path, SITE_OFFHOST_REDIRECT) == 0) {
        respond_redirect(out, 302, SITE_OFFHOST_TARGET);
        simple_page(&b, "Elsewhere", NULL, "this lives on another site");
    } else if (strcmp(path, "/find/search") == 0) {
        char title[128];
        snprintf(title, sizeof title, "Search: %.100s", query ? query + 1 : "");
        for (char *p = title; *p != '\0'; p++)
            if (*p == '<' || *p == '&')
                *p = ' '; /* the query is the visitor's text: never markup */
        start_page(&b, title, NULL);
        add(&b, "<p id=\"results\">");
        say(&b, "no results for your search");
        add(&b, "</p>\n<ul>\n");
        link_to(&b, "", "search again");
        link_to(&b, "#results", "results");
        link_to(&b, "?q=locks", "locks");
        link_to(&b, "?q=threads&amp;lang=c", "threads");
        add(&b, "</ul>\n");
        end_page(&b);
    } else if (strcmp(path, SITE_NO_TITLE) == 0) {
        simple_page(&b, NULL, NULL, "a page without a title");
    } else if (strcmp(path, SITE_ENTITIES) == 0) {
        simple_page(&b, "\n   Threads &amp;  Locks &mdash;\n\tcaf&eacute; &lt;3   ", NULL,
                    "a title with entities and whitespace");
    } else if (strcmp(path, SITE_TEXT_FILE) == 0) {
        out->content_type = "text/plain; charset=utf-8";
        add(&b, "Notes, in plain text.\n<a href=\"%s\">This looks like a link but is plain text."
                "</a>\n", SITE_NEVER_PARSED);
    } else if (strcmp(path, SITE_BASE_PAGE) == 0) {
        start_page(&b, "Base", "<base href=\"/docs/\">\n");
        add(&b, "<ul>\n");
        link_to(&b, "guide.html", "the guide");
        add(&b, "</ul>\n");
        end_page(&b);
    } else if (strcmp(path, SITE_BASE_TARGET) == 0) {
        simple_page(&b, "Guide", NULL, "found through a base href");
    } else if (strcmp(path, SITE_SPACES) == 0) {
        simple_page(&b, "Read me", NULL, "a file name with a space");
    } else if (sscanf(path, SITE_HOPS "%ld%n", &index, &used) == 1 && path[used] == '\0' &&
               index >= 1 && index <= 10) {
        char next[64];
        snprintf(next, sizeof next, SITE_HOPS "%ld", index + 1);
        if (index < 10)
            respond_redirect(out, 301, next);
        simple_page(&b, index < 10 ? "Hop" : "Arrived", NULL, "a chain of redirects");
    } else if (strcmp(path, SITE_BIG) == 0) {
        start_page(&b, "Big", NULL);
        while (b.len < SITE_BIG_BYTES)
            add(&b, "<p>a big page, larger than any crawler here wants to hold</p>\n");
        end_page(&b);
    } else if (!respond_fault(shape, origin, path, out, &b)) {
        out->status = 404;
        out->reason = "Not Found";
        simple_page(&b, "Not found", NULL, "nothing here");
    }
    out->body = b.text;
    out->body_len = b.len;
}

void site_response_free(site_response *r)
{
    free(r->body);
    free(r->location);
    *r = (site_response){0};
}
