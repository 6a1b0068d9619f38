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

/* Length of the well-formed UTF-8 character at p, or 0 when p does not start one. The second
 * byte's range rules out overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_char_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
             : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    unsigned lo = p[0] == 0xE0 ? 0xA0 : p[0] == 0xF0 ? 0x90 : 0x80;
    unsigned hi = p[0] == 0xED ? 0x9F : p[0] == 0xF4 ? 0x8F : 0xBF;
    if (n == 0 || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Whitespace runs become one space, none at either end; at most cap bytes, never cutting a
 * UTF-8 character in half. libxml2 hands over text as UTF-8 but passes invalid bytes through
 * when the page claims to be UTF-8: each becomes U+FFFD, the replacement character. */
static char *collapse_whitespace(const char *text, size_t cap)
{
    char *out = tl_xmalloc(3 * strlen(text) + 1); /* an invalid byte grows into 3 */
    size_t n = 0;
    bool pending_space = false;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0';) {
        if (isspace(*p)) {
            pending_space = n > 0;
            p++;
            continue;
        }
        if (pending_space)
            out[n++] = ' ';
        pending_space = false;
        size_t len = utf8_char_len(p);
        memcpy(out + n, len > 0 ? (const char *)p : "\xEF\xBF\xBD", len > 0 ? len : 3);
        n += len > 0 ? len : 3;
        p += len > 0 ? len : 1;
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

/* Text a reader does not see: inside <head>, <script>, <style>, <noscript> or <template>.
 * libxml2 caps tree depth (256 by default), so walking up is cheap. */
static bool is_hidden_text(const xmlNode *node)
{
    static const char *const hidden[] = {"head", "script", "style", "noscript", "template"};
    for (const xmlNode *n = node->parent; n != NULL; n = n->parent)
        for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
            if (name_is(n, hidden[i]))
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

/* Looks at one node of the tree: title, base, links, words. */
static void visit(xmlNode *node, html_page *page, bool *have_title)
{
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        if (!is_hidden_text(node))
            page->words += count_words(node->content);
        return;
    }
    if (name_is(node, "title") && !*have_title) {
        xmlChar *text = xmlNodeGetContent(node);
        free(page->title);
        page->title = collapse_whitespace(text ? (const char *)text : "", HTML_MAX_TITLE);
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
    if (charset_of(content_type, charset, sizeof charset))
        doc = htmlReadMemory(body, (int)len, NULL, charset, options);
    if (doc == NULL) /* no charset given, or one libxml2 does not know: let it detect */
        doc = htmlReadMemory(body, (int)len, NULL, NULL, options);
    if (doc == NULL)
        return false;

    /* Depth-first walk without recursion: down to the first child, else across to the next
     * sibling, else up until a parent has one. */
    bool have_title = false;
    xmlNode *node = doc->children;
    while (node != NULL) {
        visit(node, page, &have_title);
        bool descend = node->type == XML_ELEMENT_NODE && node->children != NULL;
        if (descend) {
            node = node->children;
            continue;
        }
        while (node != NULL && node->next == NULL)
            node = node->parent == (xmlNode *)doc ? NULL : node->parent;
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
