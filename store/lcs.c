/* lcs.c - the longest common subsequence of two strings (LCS), by the
 * textbook dynamic programme:
 *
 *   T[i][j] = length of the LCS of a[0..i) and b[0..j)
 *           = 0                              when i or j is 0
 *           = T[i-1][j-1] + 1                when a[i-1] == b[j-1]
 *           = max(T[i-1][j], T[i][j-1])      otherwise
 *
 * kept as one array of (alen + 1) x (blen + 1) 32-bit counts, as Redis
 * does, so LCS of two 10 KB strings takes 400 MB: the caller's limits
 * (proto-max-bulk-len, maxmemory) are the only guard, as in Redis.
 *
 * The walk back from T[alen][blen] decides which subsequence and which
 * match runs the reply shows when several are as long, so it follows
 * Redis's choice: on a mismatch it drops a's last byte only when that
 * keeps a strictly longer LCS, else b's. A run of matches is reported
 * when the walk leaves it (a mismatch, or the start of either string). */
#include <stdint.h>
#include <stdlib.h>

#include "store/store.h"

#define T(l, i, j) ((l)->dp[(size_t)(i) * ((l)->blen + 1) + (j)])

/* See store.h. */
int store_lcs_init(struct store_lcs *l, const char *a, size_t alen,
                   const char *b, size_t blen)
{
    l->dp = NULL;
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1)
        return STORE_TOO_BIG;
    size_t cells = (alen + 1) * (blen + 1);
    if (cells / (alen + 1) != blen + 1 || cells > SIZE_MAX / sizeof(uint32_t))
        return STORE_NOMEM;
    l->dp = malloc(cells * sizeof(uint32_t));
    if (!l->dp)
        return STORE_NOMEM;
    l->a = a, l->b = b;
    l->alen = alen, l->blen = blen;
    for (size_t j = 0; j <= blen; j++)
        T(l, 0, j) = 0;
    for (size_t i = 1; i <= alen; i++) {
        T(l, i, 0) = 0;
        for (size_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1]) {
                T(l, i, j) = T(l, i - 1, j - 1) + 1;
            } else {
                uint32_t up = T(l, i - 1, j), left = T(l, i, j - 1);
                T(l, i, j) = up > left ? up : left;
            }
        }
    }
    return STORE_OK;
}

/* See store.h. */
size_t store_lcs_len(const struct store_lcs *l)
{
    return T(l, l->alen, l->blen);
}

/* See store.h. */
void store_lcs_walk(const struct store_lcs *l, char *out, store_lcs_cb cb,
                    void *ctx)
{
    size_t i = l->alen, j = l->blen, k = store_lcs_len(l);
    int in_run = 0;
    size_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    while (i > 0 && j > 0) {
        int end_run = 0;
        if (l->a[i - 1] == l->b[j - 1]) {
            if (out)
                out[k - 1] = l->a[i - 1];
            /* A match right after another one extends the run down. */
            if (!in_run) {
                in_run = 1;
                a0 = a1 = i - 1;
                b0 = b1 = j - 1;
            } else {
                a0 = i - 1;
                b0 = j - 1;
            }
            end_run = a0 == 0 || b0 == 0;
            k--, i--, j--;
        } else {
            if (T(l, i - 1, j) > T(l, i, j - 1))
                i--;
            else
                j--;
            end_run = in_run;
        }
        if (end_run) {
            if (cb)
                cb(ctx, a0, a1, b0, b1);
            in_run = 0;
        }
    }
}

/* See store.h. */
void store_lcs_free(struct store_lcs *l)
{
    free(l->dp);
    l->dp = NULL;
}
