/* digest.c - the value digest DIGEST, DELEX IFDEQ and SET IFDEQ compare:
 * XXH3 64-bit with seed 0, as Redis 8.4 uses, so a digest computed by a
 * client library (or by Redis) for the same bytes matches ours. It lives
 * in store/ because xxhash is this module's dependency. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "store/store.h"

/* Returns XXH3_64bits of p[0..n). */
uint64_t store_digest(const char *p, size_t n)
{
    return (uint64_t)XXH3_64bits(p, n);
}
