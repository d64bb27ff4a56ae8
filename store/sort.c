/* sort.c - the order SORT puts elements in, apart from the keyspace: the
 * handler (server/cmd_sort.c) gathers the elements and what each is
 * ordered by, this file compares and sorts them.
 *
 * Redis's rules, which replies show:
 *   - numeric: by score; equal scores by the elements' bytes, so the
 *     result does not depend on the input order;
 *   - ALPHA: by the elements' (or BY values') bytes with strcoll, which
 *     under the C and C.UTF-8 locales is byte order up to the first NUL;
 *     with STORE Redis compares the whole binary string instead. A missing
 *     BY value comes first;
 *   - DESC negates the comparison, ties included;
 *   - glibc's qsort, which Redis calls, is a merge sort: elements that
 *     compare equal keep their input order. A merge sort here too (any
 *     stable sort gives the same order), on pointers to the items.
 *
 * Not here: Redis's partial quicksort for BY with LIMIT, which orders
 * equal elements in its own way (see the README). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* See store.h. Most elements sorted by number are integers a list or a
 * set keeps as such, so their canonical text is parsed as an integer
 * first: converting that to a double rounds to nearest exactly as strtod
 * does with the same digits, at a fraction of strtod's cost. */
int store_sort_score(const char *p, size_t len, double *out)
{
    int64_t i;
    if (store_i64_parse(p, len, &i)) {
        *out = (double)i;
        return 1;
    }
    char *end;
    errno = 0;
    double d = strtod(p, &end);
    if (*end != '\0' || errno == ERANGE || isnan(d))
        return 0;
    *out = d;
    return 1;
}

/* Byte order of a and b, then the shorter first. */
static int cmp_binary(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

static inline int cmp_items(const struct store_sort_item *x,
                            const struct store_sort_item *y, unsigned flags)
{
    int r;
    if (!(flags & STORE_SORT_ALPHA)) {
        if (x->score != y->score)
            r = x->score < y->score ? -1 : 1;
        else
            r = cmp_binary(x->p, x->len, y->p, y->len);
    } else {
        const char *a = x->p, *b = y->p;
        size_t alen = x->len, blen = y->len;
        if (flags & STORE_SORT_BY) {
            a = x->by, b = y->by;
            alen = x->bylen, blen = y->bylen;
        }
        if (!a || !b)
            r = a == b ? 0 : !a ? -1 : 1;
        else if (flags & STORE_SORT_BINARY)
            r = cmp_binary(a, alen, b, blen);
        else
            r = strcmp(a, b);
    }
    return (flags & STORE_SORT_DESC) ? -r : r;
}

/* Runs this short are sorted by insertion: fewer moves and calls than
 * merging down to single elements. */
#define INSERTION_MAX 8

/* Sorts v[0..n) (n <= INSERTION_MAX) stably by insertion. */
static void insertion_sort(const struct store_sort_item **v, size_t n,
                           unsigned flags)
{
    for (size_t i = 1; i < n; i++) {
        const struct store_sort_item *x = v[i];
        size_t j = i;
        for (; j > 0 && cmp_items(x, v[j - 1], flags) < 0; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Sorts v[0..n) using tmp (n / 2 items) as scratch; stable. */
static void merge_sort(const struct store_sort_item **v,
                       const struct store_sort_item **tmp, size_t n,
                       unsigned flags)
{
    if (n <= INSERTION_MAX) {
        insertion_sort(v, n, flags);
        return;
    }
    size_t h = n / 2;
    merge_sort(v, tmp, h, flags);
    merge_sort(v + h, tmp, n - h, flags);
    if (cmp_items(v[h - 1], v[h], flags) <= 0)
        return;
    memcpy(tmp, v, h * sizeof(*v));
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp_items(v[j], tmp[i], flags) < 0)
            v[k++] = v[j++];
        else
            v[k++] = tmp[i++];
    }
    while (i < h)
        v[k++] = tmp[i++];
}

/* See store.h. The merge sort moves pointers, not 40-byte items, and
 * the items are put in place once at the end: one block holds a copy of
 * the items, the pointers to them and the merge's scratch. */
int store_sort_items(struct store_sort_item *v, size_t n, unsigned flags)
{
    if (n < 2)
        return STORE_OK;
    struct store_sort_item *copy;
    const struct store_sort_item **ptr, **tmp;
    copy = malloc(n * sizeof(*copy) + (n + n / 2) * sizeof(*ptr));
    if (!copy)
        return STORE_NOMEM;
    ptr = (const struct store_sort_item **)(copy + n);
    tmp = ptr + n;
    memcpy(copy, v, n * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        ptr[i] = &copy[i];
    merge_sort(ptr, tmp, n, flags);
    for (size_t i = 0; i < n; i++)
        v[i] = *ptr[i];
    free(copy);
    return STORE_OK;
}
