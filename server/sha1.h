/* sha1.h - SHA-1 (FIPS 180-4), for the script cache's keys: EVALSHA names
 * a script by the SHA-1 of its body in lower-case hex, as Redis does.
 * Not for anything that needs a secure hash. A leaf: libc and md32.c. */
#ifndef RESPITE_SHA1_H
#define RESPITE_SHA1_H

#include <stddef.h>

#include "server/md32.h"

struct sha1 {
    struct md32 md;
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t n);
/* Ends the hash; digest receives the 20 bytes. s is spent afterwards. */
void sha1_final(struct sha1 *s, unsigned char digest[20]);
/* The SHA-1 of data[0..n) as 40 lower-case hex digits and a NUL. */
void sha1_hex(const void *data, size_t n, char hex[41]);

#endif
