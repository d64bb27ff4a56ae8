/* intset.c - a sorted array of integers of one width, as Redis's intset:
 * the encoding of a set whose members are all integers (coll.c).
 *
 *   p:  [v0][v1] ... [v(n-1)]   v0 < v1 < ...; each w = 2, 4 or 8 bytes
 *
 * Every element takes the width of the widest one ever added: adding a
 * value that needs more first widens the whole array (from the back, in
 * place, after one realloc), and since such a value is below or above
 * every element it then goes at one end. Removing never narrows, as in
 * Redis, so a set's width (and its DUMP payload) is the same on both.
 *
 * Lookups are a binary search; adds and removes move the tail, O(n),
 * which is cheap for the few hundred elements the set-max-intset-entries
 * limit allows. An add past the last element (ids arriving in order) is
 * checked first and moves nothing.
 *
 * There is no header: the owner keeps n and w (struct store__intset), so
 * the array is n * w bytes and nothing more. The allocation grows only
 * past malloc_usable_size, exactly sized, so the allocator's size
 * classes give the slack, and shrinks once less than half is used. All
 * of it goes through store__malloc & co., so used_memory counts it. */
#include "store/intset.h"

#include <malloc.h>
#include <string.h>

#include "store/store_int.h"

uint8_t store__intset_width(int64_t v)
{
    if (v >= INT16_MIN && v <= INT16_MAX)
        return 2;
    return v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
}

/* Element i of an array of width w. */
static int64_t get_w(const void *p, uint8_t w, size_t i)
{
    const char *q = (const char *)p + i * w;
    if (w == 2) {
        int16_t v;
        memcpy(&v, q, sizeof v);
        return v;
    }
    if (w == 4) {
        int32_t v;
        memcpy(&v, q, sizeof v);
        return v;
    }
    int64_t v;
    memcpy(&v, q, sizeof v);
    return v;
}

/* Stores v (which fits w) as element i of an array of width w. */
static void put_w(void *p, uint8_t w, size_t i, int64_t v)
{
    char *q = (char *)p + i * w;
    if (w == 2) {
        int16_t x = (int16_t)v;
        memcpy(q, &x, sizeof x);
    } else if (w == 4) {
        int32_t x = (int32_t)v;
        memcpy(q, &x, sizeof x);
    } else {
        memcpy(q, &v, sizeof v);
    }
}

int64_t store__intset_get(const struct store__intset *is, size_t i)
{
    return get_w(is->p, is->w, i);
}

int store__intset_find(const struct store__intset *is, int64_t v,
                       size_t *pos)
{
    size_t lo = 0, hi = is->n;
    /* The common append: past the last element, no search. */
    if (hi == 0 || v > get_w(is->p, is->w, hi - 1)) {
        *pos = hi;
        return 0;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t m = get_w(is->p, is->w, mid);
        if (m == v) {
            *pos = mid;
            return 1;
        }
        if (m < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

/* Makes room for n elements of width w: STORE_OK or STORE_NOMEM. */
static int room(struct store *s, struct store__intset *is, size_t n,
                uint8_t w)
{
    size_t need = n * w;
    if (is->p && need <= malloc_usable_size(is->p))
        return STORE_OK;
    void *p = store__realloc(s, is->p, need ? need : 1);
    if (!p)
        return STORE_NOMEM;
    is->p = p;
    return STORE_OK;
}

/* Rewrites the n elements at width w (wider than is->w), back to front
 * so that none is overwritten before it is read; the array has room. */
static void widen(struct store__intset *is, uint8_t w)
{
    for (size_t i = is->n; i-- > 0;)
        put_w(is->p, w, i, get_w(is->p, is->w, i));
    is->w = w;
}

int store__intset_reserve(struct store *s, struct store__intset *is,
                          size_t n, uint8_t w)
{
    if (w < is->w)
        w = is->w;
    if (n < is->n)
        n = is->n;
    if (room(s, is, n, w))
        return STORE_NOMEM;
    if (w > is->w)
        widen(is, w);
    return STORE_OK;
}

int store__intset_add(struct store *s, struct store__intset *is, int64_t v)
{
    uint8_t w = store__intset_width(v);
    size_t pos;
    if (w <= is->w && store__intset_find(is, v, &pos))
        return 0;
    if (w < is->w)
        w = is->w;
    if (room(s, is, (size_t)is->n + 1, w))
        return STORE_NOMEM;
    if (w > is->w) {
        /* Too wide for any element: it goes at one end. */
        widen(is, w);
        pos = v < 0 ? 0 : is->n;
    }
    char *p = is->p;
    memmove(p + (pos + 1) * w, p + pos * w, (is->n - pos) * w);
    put_w(p, w, pos, v);
    is->n++;
    return 1;
}

int store__intset_del(struct store *s, struct store__intset *is, int64_t v)
{
    size_t pos;
    if (store__intset_width(v) > is->w || !store__intset_find(is, v, &pos))
        return 0;
    char *p = is->p;
    size_t w = is->w;
    memmove(p + pos * w, p + (pos + 1) * w, (is->n - pos - 1) * w);
    is->n--;
    size_t need = (size_t)is->n * w;
    if (need && need < malloc_usable_size(p) / 2) {
        /* Optional: on failure the array keeps its size. */
        void *q = store__realloc(s, p, need);
        if (q)
            is->p = q;
    }
    return 1;
}

void store__intset_free(struct store *s, struct store__intset *is)
{
    store__free(s, is->p);
    is->p = NULL;
    is->n = 0;
}
