/* sha1.c - SHA-1 as FIPS 180-4 describes it: the message is padded with
 * 0x80, zeros and its bit length (big endian) to a multiple of 64 bytes,
 * and each 64-byte block goes through 80 rounds that mix it into the five
 * 32-bit words of the state. The script cache needs it to name scripts as
 * Redis does (SCRIPT LOAD, EVALSHA, redis.sha1hex); speed does not matter
 * much next to compiling the script, so the rounds are a plain loop. The
 * buffering and padding, which SHA-256 shares, are md32.c's. */
#include <string.h>

#include "server/sha1.h"

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* Mixes one 64-byte block p into the state h. */
static void sha1_mix(uint32_t *h, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
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
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

/* Starts a hash with the standard initial state. */
void sha1_init(struct sha1 *s)
{
    static const uint32_t h0[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE,
                                    0x10325476, 0xC3D2E1F0 };
    memcpy(s->md.h, h0, sizeof(h0));
    s->md.len = 0;
    s->md.mix = sha1_mix;
}

/* See sha1.h. */
void sha1_update(struct sha1 *s, const void *data, size_t n)
{
    md32_update(&s->md, data, n);
}

/* See sha1.h. */
void sha1_final(struct sha1 *s, unsigned char digest[20])
{
    md32_final(&s->md, digest, 5);
}

/* See sha1.h. */
void sha1_hex(const void *data, size_t n, char hex[41])
{
    struct sha1 s;
    unsigned char d[20];
    sha1_init(&s);
    sha1_update(&s, data, n);
    sha1_final(&s, d);
    md32_hex(d, sizeof d, hex);
}
