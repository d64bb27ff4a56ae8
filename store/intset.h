/* intset.h - private to store/: sorted arrays of fixed-width integers,
 * the encoding of small sets of integers (intset.c). */
#ifndef RESPITE_STORE_INTSET_H
#define RESPITE_STORE_INTSET_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* n distinct integers, ascending, each w bytes (2, 4 or 8) in host
 * order at p (NULL while nothing was ever allocated). The owner keeps
 * these three fields wherever it likes and passes them in this struct. */
struct store__intset {
    void *p;
    uint32_t n;
    uint8_t w;
};

/* Bytes v needs: 2, 4 or 8. */
uint8_t store__intset_width(int64_t v);
/* Element i (< n). */
int64_t store__intset_get(const struct store__intset *is, size_t i);
/* 1 if v is in is, else 0; *pos gets its index or where it would go. */
int store__intset_find(const struct store__intset *is, int64_t v,
                       size_t *pos);
/* Adds v, widening every element first if v needs it. 1 if added, 0 if
 * present, STORE_NOMEM (nothing changed). */
int store__intset_add(struct store *s, struct store__intset *is, int64_t v);
/* Removes v: 1 if it was there, else 0. The width never narrows. */
int store__intset_del(struct store *s, struct store__intset *is, int64_t v);
/* Room for n elements at width w (widening to w if wider): STORE_OK or
 * STORE_NOMEM (nothing changed). A size hint; never shrinks. */
int store__intset_reserve(struct store *s, struct store__intset *is,
                          size_t n, uint8_t w);
/* Frees the array; is becomes empty. */
void store__intset_free(struct store *s, struct store__intset *is);

#endif
