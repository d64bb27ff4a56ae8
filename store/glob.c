/* glob.c - Redis's glob patterns (KEYS, SCAN MATCH, PSUBSCRIBE):
 *
 *   *        any run of bytes, including none
 *   ?        any one byte
 *   [abc]    one of the listed bytes; [a-z] a range (ends in either
 *            order); [^...] negates; \x inside a class is a literal x;
 *            ']' always closes, a class left open runs to the end
 *   \x       a literal x (a trailing \ matches itself)
 *
 * nocase folds ASCII letters only (no locale).
 *
 * The matcher is iterative: every element except '*' consumes exactly one
 * byte, so on a mismatch it is enough to go back to the most recent '*'
 * and let it swallow one more byte; earlier stars never need to be
 * revisited. That makes the cost O(plen * slen) in the worst case, where
 * Redis's recursive matcher can go exponential on patterns like
 * "*a*a*a*a*a*a*b" against a long run of 'a'. */
#include "store/store_int.h"

static unsigned char fold(unsigned char c, int nocase)
{
    return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Matches byte c (already folded) against the class whose body starts at
 * pat[p] (just after '['). Stores in *end the index after the class. */
static int class_match(const char *pat, size_t plen, size_t p,
                       unsigned char c, int nocase, size_t *end)
{
    int neg = 0, match = 0;
    if (p < plen && pat[p] == '^') {
        neg = 1;
        p++;
    }
    while (p < plen) {
        unsigned char x = (unsigned char)pat[p];
        if (x == ']') {
            p++;
            break;
        }
        if (x == '\\' && p + 1 < plen) {
            match |= fold((unsigned char)pat[p + 1], nocase) == c;
            p += 2;
        } else if (p + 2 < plen && pat[p + 1] == '-') {
            unsigned char a = fold(x, nocase);
            unsigned char b = fold((unsigned char)pat[p + 2], nocase);
            if (a > b) {
                unsigned char t = a;
                a = b;
                b = t;
            }
            match |= c >= a && c <= b;
            p += 3;
        } else {
            match |= fold(x, nocase) == c;
            p++;
        }
    }
    *end = p;
    return neg ? !match : match;
}

/* Returns 1 if str[0..slen) matches the glob pattern pat[0..plen), else
 * 0. Time O(plen * slen), no recursion, no allocation. An empty string
 * matches only the empty pattern, "*" included, as in Redis, whose
 * matcher stops before looking at the pattern (KEYS and the SCANs treat
 * a bare "*" as no pattern at all, so an empty key or field still shows
 * there; PSUBSCRIBE and PUBSUB CHANNELS do not). */
int store_glob_match(const char *pat, size_t plen, const char *str,
                     size_t slen, int nocase)
{
    if (slen == 0)
        return plen == 0;
    size_t p = 0, s = 0;
    size_t star_p = SIZE_MAX, star_s = 0;   /* after the last '*' */
    while (s < slen) {
        if (p < plen) {
            unsigned char x = (unsigned char)pat[p];
            if (x == '*') {
                while (p < plen && pat[p] == '*')
                    p++;
                if (p == plen)
                    return 1;
                star_p = p;
                star_s = s;
                continue;
            }
            unsigned char c = fold((unsigned char)str[s], nocase);
            size_t next = p + 1;
            int ok;
            if (x == '?') {
                ok = 1;
            } else if (x == '[') {
                ok = class_match(pat, plen, p + 1, c, nocase, &next);
            } else {
                if (x == '\\' && p + 1 < plen) {
                    x = (unsigned char)pat[p + 1];
                    next = p + 2;
                }
                ok = fold(x, nocase) == c;
            }
            if (ok) {
                p = next;
                s++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return 0;
        p = star_p;
        s = ++star_s;
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}
