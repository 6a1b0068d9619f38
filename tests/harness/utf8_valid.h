/* utf8_valid.h — is a string well-formed UTF-8? For tests that check what the scraper passes on
 * (fault tests, fuzz targets). Written apart from labs/10-scraper/html.c's own repair on purpose:
 * a test that used the code under test to judge it could not catch that code's mistakes. */
#ifndef TL_UTF8_VALID_H
#define TL_UTF8_VALID_H

#include <stdbool.h>

/* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. The ranges of each byte
 * after the first, by first byte, are table 3-7 of the Unicode standard. */
static inline bool tl_utf8_valid(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p != '\0') {
        unsigned char c = *p++;
        int more = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                                                    : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
        if (more < 0)
            return false;
        unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        for (int k = 0; k < more; k++, p++, lo = 0x80, hi = 0xBF)
            if (*p < lo || *p > hi)
                return false;
    }
    return true;
}

#endif
