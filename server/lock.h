/* lock.h - value digests shared by DIGEST/DELEX (cmd_lock.c) and SET's
 * IFDEQ/IFDNE (cmd_string.c). Private to server/. */
#ifndef RESPITE_LOCK_H
#define RESPITE_LOCK_H

#include <stddef.h>

struct client;

/* Length of a digest in hex, as DIGEST replies it. */
#define SERVER_DIGEST_HEX 16

/* Writes the digest of v[0..n) as 16 lower-case hex digits plus a NUL. */
void server_digest_hex(const char *v, size_t n,
                       char out[SERVER_DIGEST_HEX + 1]);
/* 1 if the client-given digest d[0..dlen) (16 characters, any case)
 * names the digest of v[0..n), else 0. */
int server_digest_matches(const char *v, size_t n, const char *d,
                          size_t dlen);
/* 1 if argument i has a digest's length; else replies Redis's error and
 * returns 0. Redis checks only the length, not that the digits are hex:
 * a 16-character non-hex operand simply never matches. */
int server_digest_arg_ok_or_reply(struct client *c, size_t i);

#endif
