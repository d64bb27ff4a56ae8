/* text.c - the text conf/ works on: growable strings and argument
 * vectors, config lines split by Redis's sdssplitargs rules, and the
 * number parsers (Redis's string2ll and memtoull). */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"

int conf__sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int conf__sbuf_str(struct sbuf *b, const char *s)
{
    return conf__sbuf_add(b, s, strlen(s));
}

void conf__args_free(struct args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* Takes ownership of s, also on failure. */
static int args_push(struct args *a, char *s)
{
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 8;
        char **v = realloc(a->v, (size_t)cap * sizeof(*v));
        if (!v) {
            free(s);
            return -1;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    return 0;
}

int conf__args_push_copy(struct args *a, const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return args_push(a, copy);
}

/* Copies at most ~60 bytes of a user-supplied name into dst for an error
 * message, with CR and LF turned into spaces (what Redis's error replies
 * do; other bytes are echoed as they are, as there). */
void conf__clip(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0, max = dstlen - 4;
    for (; src[i] && i < max; i++)
        dst[i] = (src[i] == '\r' || src[i] == '\n') ? ' ' : src[i];
    if (src[i])
        memcpy(dst + i, "...", 4);
    else
        dst[i] = '\0';
}

char *conf__dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return ch - 'A' + 10;
}

/* Reads one token starting at *pp into tok and advances *pp past it.
 * Double quotes take \n \r \t \b \a \xHH and \<any> escapes; single quotes
 * take only \'. A closing quote must end the token. */
static int split_token(const char **pp, struct sbuf *tok)
{
    const char *p = *pp;
    int quote = 0;
    for (;;) {
        char ch;
        if (quote == '"' && p[0] == '\\' && p[1] == 'x' &&
            isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
            ch = (char)(hexval(p[2]) * 16 + hexval(p[3]));
            if (ch == '\0')
                return SPLIT_NUL;
            p += 4;
        } else if (quote == '"' && p[0] == '\\' && p[1]) {
            switch (p[1]) {
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'b': ch = '\b'; break;
            case 'a': ch = '\a'; break;
            default:  ch = p[1]; break;
            }
            p += 2;
        } else if (quote == '\'' && p[0] == '\\' && p[1] == '\'') {
            ch = '\'';
            p += 2;
        } else if (quote) {
            /* The closing quote, which must end the token. */
            if (p[0] == quote) {
                if (p[1] && !isspace((unsigned char)p[1]))
                    return SPLIT_QUOTES;
                p++;
                break;
            }
            if (p[0] == '\0')
                return SPLIT_QUOTES;
            ch = *p++;
        } else {
            /* Not isspace: Redis ends a bare token at these alone, so
             * "a\vb" is one token there. */
            if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n' ||
                *p == '\r')
                break;
            if (*p == '"' || *p == '\'') {
                quote = *p++;
                continue;
            }
            ch = *p++;
        }
        if (conf__sbuf_add(tok, &ch, 1) != 0)
            return SPLIT_NOMEM;
    }
    *pp = p;
    return conf__sbuf_add(tok, "", 0) == 0 ? SPLIT_OK : SPLIT_NOMEM;
}

/* Splits a config line into out (which must be empty). On failure out is
 * left empty. */
int conf__split_line(const char *line, struct args *out)
{
    const char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return SPLIT_OK;
        struct sbuf tok = {0};
        int rc = split_token(&p, &tok);
        if (rc == SPLIT_OK && args_push(out, tok.p) != 0)
            rc = SPLIT_NOMEM;
        else if (rc != SPLIT_OK)
            free(tok.p);
        if (rc != SPLIT_OK) {
            conf__args_free(out);
            return rc;
        }
    }
}

/* Splits a CONFIG SET value at every single space, as Redis's
 * sdssplitlen(value, " ") does for directives that take several arguments:
 * "" gives no piece at all, and empty pieces are kept ("3600  1" is three
 * pieces, the middle one empty), so such values fail as they do there. */
int conf__split_spaces(const char *s, struct args *out)
{
    if (*s == '\0')
        return 0;
    for (;;) {
        const char *end = strchr(s, ' ');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (conf__args_push_copy(out, s, n) != 0) {
            conf__args_free(out);
            return -1;
        }
        if (!end)
            return 0;
        s = end + 1;
    }
}

/* ------------------------------------------------------------------------
 * Value parsers (Redis's string2ll, memtoull, yesnotoi)
 * --------------------------------------------------------------------- */

/* Strict decimal: no spaces, no '+', no leading zeros, no "-0". */
int conf__parse_ll(const char *s, long long *out)
{
    const char *p = s;
    int neg = 0;
    if (p[0] == '0' && p[1] == '\0') {
        *out = 0;
        return 0;
    }
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (*p < '1' || *p > '9')
        return -1;
    unsigned long long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return -1;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                      : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return -1;
        *out = (long long)v;
    }
    return 0;
}

/* Bytes with an optional unit: b, k (1000), kb (1024), m, mb, g, gb, any
 * case, read the way Redis 7.0's memtoull reads them: no sign; an empty
 * number counts as 0 ("kb" is 0); more than 127 digits is an error; a
 * number beyond 64 bits saturates at ULLONG_MAX (strtoull's overflow is not
 * checked there) and the unit's product wraps modulo 2^64 (nor is that), so
 * "17179869184gb" is 0. Bounds checks come after, on what this returns. */
int conf__parse_mem(const char *s, unsigned long long *out)
{
    static const struct { const char *unit; unsigned long long mul; }
    units[] = {
        { "", 1 }, { "b", 1 },
        { "k", 1000ULL }, { "kb", 1024ULL },
        { "m", 1000ULL * 1000 }, { "mb", 1024ULL * 1024 },
        { "g", 1000ULL * 1000 * 1000 }, { "gb", 1024ULL * 1024 * 1024 },
    };
    const char *u = s;
    while (*u >= '0' && *u <= '9')
        u++;
    unsigned long long mul = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(u, units[i].unit) == 0)
            mul = units[i].mul;
    if (mul == 0 || u - s >= 128)
        return -1;
    unsigned long long v = 0;
    for (const char *p = s; p < u; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            v = ULLONG_MAX;
            break;
        }
        v = v * 10 + d;
    }
    *out = v * mul;
    return 0;
}
