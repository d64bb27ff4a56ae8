/* sha256.h - SHA-256 (FIPS 180-4), for ACL password hashes: Redis keeps
 * and shows a user's passwords as the SHA-256 of each in lower-case hex.
 * A leaf: libc and md32.c. */
#ifndef RESPITE_SHA256_H
#define RESPITE_SHA256_H

#include <stddef.h>

#include "server/md32.h"

struct sha256 {
    struct md32 md;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Ends the hash; digest receives the 32 bytes. s is spent afterwards. */
void sha256_final(struct sha256 *s, unsigned char digest[32]);
/* The SHA-256 of data[0..n) as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char hex[65]);

#endif
