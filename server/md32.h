/* md32.h - what SHA-1 and SHA-256 share (FIPS 180-4): the message goes in
 * 64-byte blocks through the hash's own mixing function into a state of
 * 32-bit words, and ends padded with 0x80, zeros and its bit length (big
 * endian); the digest is the state's words, big endian. A leaf: libc
 * only. */
#ifndef RESPITE_MD32_H
#define RESPITE_MD32_H

#include <stddef.h>
#include <stdint.h>

struct md32 {
    uint32_t h[8];                      /* the state (SHA-1 uses 5 words) */
    uint64_t len;                       /* bytes hashed so far */
    unsigned char block[64];            /* the partial block */
    void (*mix)(uint32_t *h, const unsigned char *p);   /* one block */
};

/* Hashes data[0..n) (borrowed) into m. */
void md32_update(struct md32 *m, const void *data, size_t n);
/* Pads, mixes the last block(s) and writes the first words of the state,
 * big endian, to digest (4 * words bytes). m is spent afterwards. */
void md32_final(struct md32 *m, unsigned char *digest, int words);
/* d[0..n) as 2n lower-case hex digits and a NUL. */
void md32_hex(const unsigned char *d, size_t n, char *hex);

#endif
