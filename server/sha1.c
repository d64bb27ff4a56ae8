/* sha1.c - SHA-1 as FIPS 180-4 describes it: the message is padded with
 * 0x80, zeros and its bit length (big endian) to a multiple of 64 bytes,
 * and each 64-byte block goes through 80 rounds that mix it into the five
 * 32-bit words of the state. The script cache needs it to name scripts as
 * Redis does (SCRIPT LOAD, EVALSHA, redis.sha1hex); speed does not matter
 * much next to compiling the script, so the rounds are a plain loop. */
#include <string.h>

#include "server/sha1.h"

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* Mixes one 64-byte block p into s->h. */
static void sha1_block(struct sha1 *s, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3],
             e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

/* Starts a hash with the standard initial state. */
void sha1_init(struct sha1 *s)
{
    static const uint32_t h0[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE,
                                    0x10325476, 0xC3D2E1F0 };
    memcpy(s->h, h0, sizeof(h0));
    s->len = 0;
}

/* Hashes n more bytes (borrowed). */
void sha1_update(struct sha1 *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t used = (size_t)(s->len % 64);
    s->len += n;
    if (used) {
        size_t take = 64 - used < n ? 64 - used : n;
        memcpy(s->block + used, p, take);
        p += take;
        n -= take;
        if (used + take < 64)
            return;
        sha1_block(s, s->block);
    }
    for (; n >= 64; p += 64, n -= 64)
        sha1_block(s, p);
    memcpy(s->block, p, n);
}

/* Pads, hashes the last block(s) and writes the digest big endian. */
void sha1_final(struct sha1 *s, unsigned char digest[20])
{
    uint64_t bits = s->len * 8;
    size_t used = (size_t)(s->len % 64);
    s->block[used++] = 0x80;
    if (used > 56) {
        memset(s->block + used, 0, 64 - used);
        sha1_block(s, s->block);
        used = 0;
    }
    memset(s->block + used, 0, 56 - used);
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_block(s, s->block);
    for (int i = 0; i < 20; i++)
        digest[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* See sha1.h. */
void sha1_hex(const void *data, size_t n, char hex[41])
{
    static const char digits[] = "0123456789abcdef";
    struct sha1 s;
    unsigned char d[20];
    sha1_init(&s);
    sha1_update(&s, data, n);
    sha1_final(&s, d);
    for (int i = 0; i < 20; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[40] = '\0';
}
