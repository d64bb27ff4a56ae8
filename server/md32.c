/* md32.c - the block buffering, padding and digest output that SHA-1 and
 * SHA-256 share (md32.h); each hash brings its own mixing function. */
#include <string.h>

#include "server/md32.h"

/* See md32.h. */
void md32_update(struct md32 *m, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t used = (size_t)(m->len % 64);
    m->len += n;
    if (used) {
        size_t take = 64 - used < n ? 64 - used : n;
        memcpy(m->block + used, p, take);
        p += take;
        n -= take;
        if (used + take < 64)
            return;
        m->mix(m->h, m->block);
    }
    for (; n >= 64; p += 64, n -= 64)
        m->mix(m->h, p);
    memcpy(m->block, p, n);
}

/* See md32.h. */
void md32_final(struct md32 *m, unsigned char *digest, int words)
{
    uint64_t bits = m->len * 8;
    size_t used = (size_t)(m->len % 64);
    m->block[used++] = 0x80;
    if (used > 56) {
        memset(m->block + used, 0, 64 - used);
        m->mix(m->h, m->block);
        used = 0;
    }
    memset(m->block + used, 0, 56 - used);
    for (int i = 0; i < 8; i++)
        m->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    m->mix(m->h, m->block);
    for (int i = 0; i < 4 * words; i++)
        digest[i] = (unsigned char)(m->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* See md32.h. */
void md32_hex(const unsigned char *d, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = '\0';
}
