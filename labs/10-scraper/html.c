#include "html.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "check.h"

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Does content_type start with media type `type`, followed by its end, ';' or a space? */
static bool media_type_is(const char *content_type, const char *type)
{
    size_t n = strlen(type);
    const char *s = skip_space(content_type);
    return strncasecmp(s, type, n) == 0 && (s[n] == '\0' || s[n] == ';' || s[n] == ' ');
}

bool html_is_html(const char *content_type)
{
    return content_type != NULL &&
           (media_type_is(content_type, "text/html") ||
            media_type_is(content_type, "application/xhtml+xml"));
}

/* The charset parameter of a Content-Type, if it is a plausible encoding name. */
static bool charset_of(const char *content_type, char *buf, size_t len)
{
    if (content_type == NULL)
        return false;
    for (const char *p = strchr(content_type, ';'); p != NULL; p = strchr(p + 1, ';')) {
        const char *param = skip_space(p + 1);
        if (strncasecmp(param, "charset=", 8) != 0)
            continue;
        param += 8;
        if (*param == '"')
            param++;
        size_t n = 0;
        while (n + 1 < len && param[n] != '\0' &&
               (isalnum((unsigned char)param[n]) || strchr("-_.:", param[n]) != NULL)) {
            buf[n] = param[n];
            n++;
        }
        buf[n] = '\0';
        return n > 0;
    }
    return false;
}

bool html_looks_binary(const char *body, size_t len)
{
    for (size_t i = 0; i < len && i < HTML_SNIFF_BYTES; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F))
            return true;
    }
    return false;
}

/* The length of the well-formed UTF-8 character at s (RFC 3629, table 3-7 of Unicode: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0 when there is none. */
static size_t utf8_char_length(const unsigned char *s)
{
    static const struct {
        unsigned char first_lo, first_hi, second_lo, second_hi;
        size_t length;
    } forms[] = {
        {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3}, {0xE1, 0xEC, 0x80, 0xBF, 3},
        {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3}, {0xF0, 0xF0, 0x90, 0xBF, 4},
        {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
    };
    if (s[0] < 0x80)
        return 1;
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (s[0] < forms[f].first_lo || s[0] > forms[f].first_hi)
            continue;
        if (s[1] < forms[f].second_lo || s[1] > forms[f].second_hi)
            return 0;
        for (size_t k = 2; k < forms[f].length; k++)
            if ((s[k] & 0xC0) != 0x80)
                return 0; /* a NUL stops here too: the string's end is never read past */
        return forms[f].length;
    }
    return 0;
}

/* A copy of text with every byte that does not belong to a well-formed UTF-8 character
 * replaced by U+FFFD, as a browser shows it; *repairs counts them. */
static char *utf8_repaired(const char *text, size_t *repairs)
{
    static const char replacement[] = "\xef\xbf\xbd";
    char *out = tl_xmalloc(strlen(text) * 3 + 1); /* each byte becomes at most 3 */
    size_t n = 0;
    *repairs = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0';) {
        size_t len = utf8_char_length(p);
        if (len == 0) {
            memcpy(out + n, replacement, 3);
            n += 3;
            (*repairs)++;
            p++;
            continue;
        }
        memcpy(out + n, p, len);
        n += len;
        p += len;
    }
    out[n] = '\0';
    return out;
}

/* Whitespace runs become one space, none at either end; at most cap bytes, never cutting a
 * UTF-8 character in half (text is valid UTF-8). */
static char *collapse_whitespace(const char *text, size_t cap)
{
    size_t len = strlen(text);
    char *out = tl_xmalloc(len + 1);
    size_t n = 0;
    bool pending_space = false;
    for (const char *p = text; *p != '\0'; p++) {
        if (isspace((unsigned char)*p)) {
            pending_space = n > 0;
            continue;
        }
        if (pending_space)
            out[n++] = ' ';
        pending_space = false;
        out[n++] = *p;
    }
    if (n > cap) {
        n = cap;
        while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
            n--; /* out[n] is a continuation byte: back up to the start of its character */
        while (n > 0 && out[n - 1] == ' ')
            n--;
    }
    out[n] = '\0';
    return out;
}

static bool name_is(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && strcasecmp((const char *)node->name, name) == 0;
}

/* Does this element hide the text inside it from a reader: <head>, <script>, <style>,
 * <noscript>, <template>? */
static bool hides_text(const xmlNode *node)
{
    static const char *const hiding[] = {"head", "script", "style", "noscript", "template"};
    for (size_t i = 0; i < sizeof hiding / sizeof hiding[0]; i++)
        if (name_is(node, hiding[i]))
            return true;
    return false;
}

static long count_words(const xmlChar *text)
{
    long words = 0;
    bool in_word = false;
    for (const xmlChar *p = text; p != NULL && *p != '\0'; p++) {
        bool space = isspace(*p);
        if (!space && !in_word)
            words++;
        in_word = !space;
    }
    return words;
}

static char *xstrdup(const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        TL_DIE("out of memory");
    return copy;
}

/* Looks at one node of the tree: title, base, links, words (unless `hidden`). */
static void visit(xmlNode *node, html_page *page, bool *have_title, bool hidden)
{
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        if (!hidden)
            page->words += count_words(node->content);
        return;
    }
    if (name_is(node, "title") && !*have_title) {
        xmlChar *text = xmlNodeGetContent(node);
        char *repaired = utf8_repaired(text ? (const char *)text : "", &page->title_repairs);
        free(page->title);
        page->title = collapse_whitespace(repaired, HTML_MAX_TITLE);
        free(repaired);
        xmlFree(text);
        *have_title = true;
    } else if (name_is(node, "base") && page->base_href == NULL) {
        xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
        if (href != NULL)
            page->base_href = xstrdup((const char *)href);
        xmlFree(href);
    } else if (name_is(node, "a")) {
        xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
        if (href != NULL && page->link_count < HTML_MAX_LINKS)
            page->links[page->link_count++] = xstrdup((const char *)href);
        else if (href != NULL)
            page->links_dropped++;
        xmlFree(href);
    }
}

bool html_extract(const char *body, size_t len, const char *content_type, html_page *page)
{
    *page = (html_page){.title = xstrdup("")};
    page->links = tl_xcalloc(HTML_MAX_LINKS, sizeof *page->links);
    if (len == 0 || len > INT_MAX)
        return false;
    const int options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                        HTML_PARSE_NOWARNING;
    char charset[48];
    htmlDocPtr doc = NULL;
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL)
        TL_DIE("out of memory");
    if (charset_of(content_type, charset, sizeof charset))
        doc = htmlCtxtReadMemory(ctxt, body, (int)len, NULL, charset, options);
    if (doc == NULL) /* no charset given, or one libxml2 does not know: let it detect */
        doc = htmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL, options);
    /* Recover mode goes on after any error but one that halts the parser; nesting deeper
     * than xmlParserMaxDepth does that, and says how deep in int1 (libxml2 2.9, Debian 12:
     * newer versions may word it differently, and the deep-page test would then fail on the
     * missing note rather than pass quietly). */
    const xmlError *halt = ctxt->disableSAX ? xmlCtxtGetLastError(ctxt) : NULL;
    if (halt != NULL && halt->code == XML_ERR_INTERNAL_ERROR && halt->int1 > 0)
        page->cut_at_depth = halt->int1;
    htmlFreeParserCtxt(ctxt);
    if (doc == NULL)
        return false;

    /* Depth-first walk without recursion: down to the first child, else across to the next
     * sibling, else up until a parent has one. `hiding` counts the elements above that hide
     * their text, kept on the way down and up: looking up from every text node instead
     * costs depth x text nodes, 0.8 s of CPU for one 512 KiB page nested 250 deep. */
    bool have_title = false;
    int hiding = 0;
    xmlNode *node = doc->children;
    while (node != NULL) {
        visit(node, page, &have_title, hiding > 0);
        bool descend = node->type == XML_ELEMENT_NODE && node->children != NULL;
        if (descend) {
            hiding += hides_text(node);
            node = node->children;
            continue;
        }
        while (node != NULL && node->next == NULL) {
            node = node->parent == (xmlNode *)doc ? NULL : node->parent;
            if (node != NULL)
                hiding -= hides_text(node); /* leaving it */
        }
        if (node != NULL)
            node = node->next;
    }
    xmlFreeDoc(doc);
    return true;
}

void html_page_free(html_page *page)
{
    for (size_t i = 0; i < page->link_count; i++)
        free(page->links[i]);
    free(page->links);
    free(page->title);
    free(page->base_href);
    *page = (html_page){0};
}
