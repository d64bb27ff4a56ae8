/* rdb.h - the pieces of Redis's RDB format that DUMP, RESTORE and FUNCTION
 * DUMP / RESTORE share (rdb.c): lengths, strings (integer and LZF
 * encoded), the payload trailer (RDB version and CRC-64), and a bounded
 * reader for client bytes. rdb_pack.c adds the packed blobs that strings
 * carry (listpack, ziplist, intset, zipmap). */
#ifndef RESPITE_RDB_H
#define RESPITE_RDB_H

#include <stddef.h>
#include <stdint.h>

#define RDB_VERSION 10              /* Redis 7.0's */
#define RDB_VERSION_HFE 12          /* Redis 7.4's: hashes with field TTLs */
#define RDB_TYPE_HASH_METADATA 24   /* Redis 7.4's hash types with TTLs */
#define RDB_TYPE_HASH_LISTPACK_EX 25
#define RDB_TRAILER 10              /* version (2) + CRC-64 (8) */

/* ---- Whole files (rdb_save.c, rdb_load.c) ------------------------------
 * A file is "REDIS" and a 4-digit version, then opcodes and keys, then EOF
 * and the CRC-64 of everything before it (zeros with rdbchecksum no). */
#define RDB_OPCODE_SLOT_INFO 244    /* Redis 7.4 cluster: skipped */
#define RDB_OPCODE_FUNCTION2 245    /* a function library's code */
#define RDB_OPCODE_FUNCTION_PRE_GA 246
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248         /* LRU idle seconds of the next key */
#define RDB_OPCODE_FREQ 249         /* LFU counter of the next key */
#define RDB_OPCODE_AUX 250          /* a name and value string */
#define RDB_OPCODE_RESIZEDB 251     /* two lengths: keys, keys with TTLs */
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253   /* seconds, before RDB version 3 */
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

/* The CRC-64 Redis computes (Jones, reflected) of p[0..n), continued from
 * crc: 0 for the first piece, then the previous piece's result. */
uint64_t rdb_crc64(uint64_t crc, const void *buf, size_t n);

/* ---- Writing ------------------------------------------------------------ */

/* A growing byte buffer; nomem sticks once an allocation failed (later
 * writes are dropped). Zero it to start; p is malloc'ed, the caller's.
 * nolzf (rdbcompression no) keeps rdb_put_string from compressing; a
 * buffer built to be put into b as a string takes b's. */
struct rdb_buf {
    unsigned char *p;
    size_t len, cap;
    int nomem;
    int nolzf;
};

void rdb_put(struct rdb_buf *b, const void *p, size_t n);
void rdb_put_byte(struct rdb_buf *b, unsigned char c);
/* An RDB length: 1, 2, 5 or 9 bytes. */
void rdb_put_len(struct rdb_buf *b, uint64_t n);
/* An RDB string as Redis writes one: a strict decimal of at most 11
 * bytes that fits 32 bits as an integer (0xC0-0xC2), else LZF when more
 * than 20 bytes compress by at least 4, else length and bytes. */
void rdb_put_string(struct rdb_buf *b, const char *p, size_t n);
/* Appends the trailer (RDB version, CRC-64 of everything) and hands over
 * b's bytes: a malloc'ed buffer of *len bytes, or NULL (and b freed) when
 * an allocation failed. */
char *rdb_finish(struct rdb_buf *b, size_t *len);
/* rdb_finish with another RDB version in the trailer. */
char *rdb_finish_version(struct rdb_buf *b, unsigned version, size_t *len);

/* ---- Reading ------------------------------------------------------------ */

/* 1 if p[0..n) ends in a trailer Redis 7.0 accepts: an RDB version of at
 * most 10 and the CRC-64 of what precedes the CRC. A value of the hash
 * types with field TTLs (24, 25) may say 12, as Redis 7.4 writes them. */
int rdb_payload_ok(const unsigned char *p, size_t n);

/* Client bytes p[0..len) read from pos on; every get checks the bound. */
struct rdb_reader {
    const unsigned char *p;
    size_t pos, len;
};

/* Each returns 0, or -1 (nothing consumed that matters) when the bytes
 * end or are malformed. */
int rdb_get_byte(struct rdb_reader *r, unsigned char *out);
/* A length, or with *enc set, the 6-bit code of an encoded string. */
int rdb_get_len(struct rdb_reader *r, uint64_t *n, int *enc);
/* A length that is not an encoded string's code. */
int rdb_get_plain_len(struct rdb_reader *r, uint64_t *n);
/* An RDB string into a malloc'ed buffer (*out, *n bytes, NUL after). */
int rdb_get_string(struct rdb_reader *r, char **out, size_t *n);
/* n raw bytes, borrowed from the reader's buffer. */
int rdb_get_raw(struct rdb_reader *r, size_t n, const unsigned char **out);
/* 8 bytes, little-endian (ms times, doubles' bits). */
int rdb_get_u64le(struct rdb_reader *r, uint64_t *out);

/* ---- Packed blobs (rdb_pack.c) -------------------------------------------
 * Redis keeps small values as one blob that an RDB string carries whole:
 * a listpack (Redis 7), a ziplist (before 7.0), an intset, or a zipmap
 * (before 2.6). Writing makes listpacks and intsets; reading checks the
 * whole blob as Redis does with sanitize-dump-payload yes. */

/* One element read from a blob: p[0..len), borrowed from the blob, or
 * from num when the blob held it as an integer. */
struct rdb_elem {
    const char *p;
    size_t len;
    char num[24];
};
/* Called for each element in order; non-zero stops the walk, which then
 * fails. */
typedef int (*rdb_elem_cb)(void *ctx, const struct rdb_elem *e);

/* Starts a listpack in b (its 6-byte header, filled by rdb_lp_end). */
size_t rdb_lp_begin(struct rdb_buf *b);
/* Appends p[0..n) as a listpack entry: as an integer when it is a strict
 * decimal of at most 20 bytes, as Redis stores it. */
void rdb_lp_append(struct rdb_buf *b, const char *p, size_t n);
/* Bytes rdb_lp_append adds for p[0..n). */
size_t rdb_lp_entry_size(const char *p, size_t n);
/* Ends the listpack begun at offset start with count entries. */
void rdb_lp_end(struct rdb_buf *b, size_t start, size_t count);
/* Writes an intset of the n sorted values v, each w bytes (2, 4 or 8) or
 * as wide as the widest needs if that is more. */
void rdb_intset_put(struct rdb_buf *b, const int64_t *v, size_t n,
                    size_t w);

/* Each walk checks p[0..n) and calls cb for every element; it returns
 * the element count, or -1 when the blob is malformed or cb failed. */
int64_t rdb_lp_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                    void *ctx);
/* A stream node's listpack: Redis checks its entries, not its count. */
int64_t rdb_lp_walk_stream(const unsigned char *p, size_t n,
                           rdb_elem_cb cb, void *ctx);
int64_t rdb_zl_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                    void *ctx);
int64_t rdb_intset_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                        void *ctx);
/* A zipmap's keys and values, alternating. */
int64_t rdb_zipmap_walk(const unsigned char *p, size_t n, rdb_elem_cb cb,
                        void *ctx);

#endif
