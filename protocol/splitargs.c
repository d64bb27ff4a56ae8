/* splitargs.c - one argument at a time of a line split the way Redis's
 * sdssplitargs splits it: an inline request (reader.c) and the shebang
 * line of a function library (server/function.c) follow the same rules.
 *
 * Spaces (and \v \f) separate arguments; inside one, only space, \t, \r
 * and \n end it. Double quotes take \n \r \t \b \a \xHH and \<any>
 * escapes, single quotes only \'. A closing quote must be the end of its
 * argument, and a quote left open is an error. resp_repr writes the
 * double-quoted form these rules read back (Redis's sdscatrepr). */
#include "protocol/resp.h"

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* See resp.h. */
int resp_split_next(const char *line, size_t n, size_t *pos, char *out,
                    size_t *len)
{
    size_t i = *pos, o = 0;
    while (i < n && is_sep(line[i]))
        i++;
    if (i == n) {
        *pos = n;
        return 0;
    }
    int quote = 0;
    for (;;) {
        if (i == n) {
            if (quote)
                return -1;
            break;
        }
        char c = line[i];
        if (quote == '"') {
            if (c == '\\' && n - i >= 4 && line[i + 1] == 'x' &&
                hex_val(line[i + 2]) >= 0 && hex_val(line[i + 3]) >= 0) {
                out[o++] = (char)(hex_val(line[i + 2]) * 16 +
                                  hex_val(line[i + 3]));
                i += 4;
                continue;
            }
            if (c == '\\' && n - i >= 2) {
                char e = line[i + 1];
                out[o++] = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t'
                         : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
                i += 2;
                continue;
            }
        } else if (quote == '\'') {
            if (c == '\\' && n - i >= 2 && line[i + 1] == '\'') {
                out[o++] = '\'';
                i += 2;
                continue;
            }
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            break;
        } else if (c == '"' || c == '\'') {
            quote = c;
            i++;
            continue;
        }
        if (quote && c == quote) {
            i++;
            if (i < n && !is_sep(line[i]))
                return -1;
            break;
        }
        out[o++] = c;
        i++;
    }
    *pos = i;
    *len = o;
    return 1;
}

/* See resp.h. */
size_t resp_repr(char *dst, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *p = dst;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '\\':
        case '"':
            *p++ = '\\';
            *p++ = (char)ch;
            break;
        case '\n': *p++ = '\\'; *p++ = 'n'; break;
        case '\r': *p++ = '\\'; *p++ = 'r'; break;
        case '\t': *p++ = '\\'; *p++ = 't'; break;
        case '\a': *p++ = '\\'; *p++ = 'a'; break;
        case '\b': *p++ = '\\'; *p++ = 'b'; break;
        default:
            if (ch >= 0x20 && ch < 0x7f) {   /* isprint in the C locale */
                *p++ = (char)ch;
            } else {
                *p++ = '\\';
                *p++ = 'x';
                *p++ = hex[ch >> 4];
                *p++ = hex[ch & 15];
            }
        }
    }
    *p++ = '"';
    return (size_t)(p - dst);
}
