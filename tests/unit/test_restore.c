/* test_restore.c - unit tests for RESTORE's value parser (server/restore.c,
 * restore_stream.c, rdb.c's reader, rdb_pack.c). First as the RDB file
 * loader reads keys, one value at a time from a shared reader
 * (dump_read_value): each read must leave the reader just past its value,
 * and an empty collection is DUMP_EMPTY (the reader past it, so loading
 * goes on) where Redis 7.0 skips an empty key, while RESTORE's wrapper
 * (dump_restore) still refuses what Redis 7.0's RESTORE refuses. Then on
 * hostile payloads: the inputs tests/fuzz/fuzz_restore.c found crashing
 * or wrongly accepted, declared lengths and counts of 2^40 and more (in
 * the sanitized build an allocation that size aborts, so a length trusted
 * before the bytes are there fails the test), NaN scores, duplicates,
 * unsorted intsets, streams whose consumers and PELs disagree, field
 * deadlines Redis 7.4 refuses, a listpack of 100000 entries, and store
 * allocation failures at every step of a restore. Each payload gets its
 * trailer here (the fuzz target's layout); tests/integration/test_dump.py
 * sends the same kinds of payload to both servers over a socket. */
#include <stdint.h>

#include "server/dump.h"
#include "server/rdb.h"
#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define T0 INT64_C(1700000000000)

#define B(lit) (const unsigned char *)(lit), (sizeof(lit) - 1)

/* dump_restore of body + trailer (version 12 for types 24 and 25) in a
 * fresh store; frees what it read. */
static int restore_rc(const unsigned char *body, size_t n)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put(&b, body, n);
    unsigned version = n && (body[0] == 24 || body[0] == 25)
                           ? RDB_VERSION_HFE
                           : RDB_VERSION;
    size_t len;
    unsigned char *p = (unsigned char *)rdb_finish_version(&b, version,
                                                           &len);
    struct store *s = store_new(1);
    struct dump_value v;
    int rc = dump_restore(s, p, len, &v);
    if (rc == DUMP_OK)
        dump_value_free(s, &v);
    store_free(s);
    free(p);
    return rc;
}

/* A blob as an RDB string after a type byte (and extra bytes before). */
static int restore_blob(unsigned char type, const void *pre, size_t npre,
                        const struct rdb_buf *blob)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put_byte(&b, type);
    rdb_put(&b, pre, npre);
    rdb_put_string(&b, (const char *)blob->p, blob->len);
    int rc = restore_rc(b.p, b.len);
    free(b.p);
    return rc;
}

/* A listpack of the n texts v. */
static struct rdb_buf listpack(const char *const *v, size_t n)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    size_t start = rdb_lp_begin(&b);
    for (size_t i = 0; i < n; i++)
        rdb_lp_append(&b, v[i], strlen(v[i]));
    rdb_lp_end(&b, start, n);
    return b;
}

/* ---- One value at a time, as the loader reads them ------------------------ */

/* Appends a listpack of the n texts v as an RDB string. */
static void put_listpack(struct rdb_buf *b, const char *const *v, size_t n)
{
    struct rdb_buf lp = listpack(v, n);
    rdb_put_string(b, (const char *)lp.p, lp.len);
    free(lp.p);
}

TEST(values_in_a_row)
{
    struct store *s = store_new(1);
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    size_t after[5];
    /* A string, a plain set, an empty plain list, an empty listpack hash,
     * a set of Redis 7.2 (type 20), then a byte that is not a value. */
    rdb_put_string(&b, "abc", 3);
    after[0] = b.len;
    rdb_put_byte(&b, 2);
    rdb_put_string(&b, "x", 1);
    rdb_put_string(&b, "y", 1);
    after[1] = b.len;
    rdb_put_byte(&b, 0);
    after[2] = b.len;
    put_listpack(&b, NULL, 0);
    after[3] = b.len;
    const char *members[] = { "m1", "m2", "m3" };
    put_listpack(&b, members, 3);
    after[4] = b.len;
    rdb_put_byte(&b, 0x7A);
    struct rdb_reader r = { b.p, 0, b.len };
    struct dump_value v;

    ASSERT_EQ(dump_read_value(s, &r, 0, &v), DUMP_OK);
    ASSERT_EQ(v.type, STORE_T_STRING);
    ASSERT_MEM_EQ(v.str, v.slen, "abc");
    dump_value_free(s, &v);
    ASSERT_EQ(r.pos, after[0]);

    ASSERT_EQ(dump_read_value(s, &r, 2, &v), DUMP_OK);
    ASSERT_EQ(v.type, STORE_T_SET);
    ASSERT_EQ(store_obj_len(STORE_T_SET, v.obj), 2);
    dump_value_free(s, &v);
    ASSERT_EQ(r.pos, after[1]);

    ASSERT_EQ(dump_read_value(s, &r, 1, &v), DUMP_EMPTY);
    ASSERT_EQ(r.pos, after[2]);
    ASSERT_EQ(dump_read_value(s, &r, 16, &v), DUMP_EMPTY);
    ASSERT_EQ(r.pos, after[3]);

    ASSERT_EQ(dump_read_value(s, &r, 20, &v), DUMP_OK);
    ASSERT_EQ(v.type, STORE_T_SET);
    ASSERT_EQ(store_obj_len(STORE_T_SET, v.obj), 3);
    dump_value_free(s, &v);
    ASSERT_EQ(r.pos, after[4]);

    ASSERT_EQ(dump_read_value(s, &r, b.p[r.pos], &v), DUMP_BAD);
    free(b.p);
    store_free(s);
}

/* Stored under a key with a TTL, as RESTORE and the loader store one. */
TEST(value_store_with_ttl)
{
    struct store *s = store_new(1);
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put_byte(&b, 2);
    rdb_put_string(&b, "a", 1);
    rdb_put_string(&b, "b", 1);
    struct rdb_reader r = { b.p, 0, b.len };
    struct dump_value v;
    ASSERT_EQ(dump_read_value(s, &r, 2, &v), DUMP_OK);
    ASSERT_EQ(dump_value_store(s, "k", 1, &v, T0 + 5000, T0), STORE_OK);
    ASSERT_EQ(store_size(s), 1);
    ASSERT(store_key_find(s, "k", 1, T0 + 4999) != NULL);
    ASSERT(store_key_find(s, "k", 1, T0 + 5001) == NULL);
    free(b.p);
    store_free(s);
}

/* RESTORE reads one value with a Redis 7.0 trailer: an empty collection
 * and Redis 7.2's types are bad data there, as in Redis 7.0. */
TEST(restore_wrapper_keeps_70_rules)
{
    const char *members[] = { "a" };
    ASSERT_EQ(restore_rc(B("\x02\x00")), DUMP_BAD);
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put_byte(&b, 20);
    put_listpack(&b, members, 1);
    ASSERT_EQ(restore_rc(b.p, b.len), DUMP_BAD);
    free(b.p);
    ASSERT_EQ(restore_rc(B("\x02\x01\x01" "a")), DUMP_OK);
    /* An empty intset is malformed, not empty, as Redis finds it. */
    struct store *s = store_new(1);
    static const unsigned char intset[] = "\x08\x02\x00\x00\x00\x00\x00\x00\x00";
    struct rdb_reader r = { intset, 0, sizeof(intset) - 1 };
    struct dump_value v;
    ASSERT_EQ(dump_read_value(s, &r, 11, &v), DUMP_BAD);
    store_free(s);
}

/* ---- What the fuzzer found ----------------------------------------------- */

/* Type 24 with a deadline past 2^48 (0x0101010301010101): Respite kept it
 * as a double that could not hold it, and store__check failed. */
TEST(fuzz_hfe_deadline_past_48_bits)
{
    ASSERT_EQ(restore_rc(B("\x18\x01\x01\x01\x01\x03\x01\x01\x01\x01\x01"
                           "\x01\x01\x01\x01\x01\x01\x01N")),
              DUMP_BAD);
}

/* A stream node whose listpack is empty: its elements were read before
 * their count was checked (a NULL array). */
TEST(fuzz_stream_empty_node)
{
    ASSERT_EQ(restore_rc(B("\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01"
                           "\x00\x00\x00\x00\x00\x00\x00\x01\x07\x07\x00"
                           "\x00\x00\x00\x00\xff\x00\x00\x00\x00\x00\x00"
                           "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                           "\x00\x00\x00")),
              DUMP_BAD);
}

/* Stream 1-1, 2-1 (f: 0, 1) with group g whose PEL holds 1-1 and 2-1;
 * consumers a and b claim what cons says. */
static int stream_with_pel(const char *cons, size_t nc)
{
    static const unsigned char head[] =
        "\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00"
        "\x00\x00\x01\x26\x26\x00\x00\x00\x0f\x00\x02\x01\x00\x01\x01\x01"
        "\x81\x66\x02\x00\x01\x02\x01\x00\x01\x00\x01\x00\x01\x04\x01\x02"
        "\x01\x01\x01\x00\x01\x01\x01\x04\x01\xff\x02\x02\x01\x01\x01\x00"
        "\x00\x02\x01\x01\x67\x02\x01\x02\x02\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x00\x00\x00\x00\x00\x00\x00\x01\xe8\x03\x00\x00\x00\x00\x00"
        "\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00"
        "\x00\x01\xe8\x03\x00\x00\x00\x00\x00\x00\x01";
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put(&b, head, sizeof(head) - 1);
    rdb_put(&b, cons, nc);
    int rc = restore_rc(b.p, b.len);
    free(b.p);
    return rc;
}

#define ID1 "\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01"
#define ID2 "\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x01"
#define SEEN "\xe8\x03\x00\x00\x00\x00\x00\x00"

/* Consumers and the group PEL must agree: each PEL ID owned exactly
 * once (Redis 7.0 refuses an ID two consumers claim). */
TEST(stream_pel_consumers)
{
    static const char ok[] = "\x02\x01" "a" SEEN "\x01" ID1
                             "\x01" "b" SEEN "\x01" ID2;
    static const char twice[] = "\x02\x01" "a" SEEN "\x02" ID1 ID2
                                "\x01" "b" SEEN "\x01" ID2;
    static const char same[] = "\x01\x01" "a" SEEN "\x03" ID1 ID2 ID1;
    static const char orphan[] = "\x01\x01" "a" SEEN "\x01" ID1;
    static const char unknown[] = "\x01\x01" "a" SEEN "\x03" ID1 ID2
                                  "\x00\x00\x00\x00\x00\x00\x00\x03"
                                  "\x00\x00\x00\x00\x00\x00\x00\x01";
    static const char dupname[] = "\x02\x01" "a" SEEN "\x01" ID1
                                  "\x01" "a" SEEN "\x01" ID2;
    static const char many[] = "\x81\x00\x00\x01\x00\x00\x00\x00\x00";
    ASSERT_EQ(stream_with_pel(ok, sizeof(ok) - 1), DUMP_OK);
    ASSERT_EQ(stream_with_pel(twice, sizeof(twice) - 1), DUMP_BAD);
    ASSERT_EQ(stream_with_pel(same, sizeof(same) - 1), DUMP_BAD);
    ASSERT_EQ(stream_with_pel(orphan, sizeof(orphan) - 1), DUMP_BAD);
    ASSERT_EQ(stream_with_pel(unknown, sizeof(unknown) - 1), DUMP_BAD);
    ASSERT_EQ(stream_with_pel(dupname, sizeof(dupname) - 1), DUMP_BAD);
    ASSERT_EQ(stream_with_pel(many, sizeof(many) - 1), DUMP_BAD);
}

/* A quicklist's plain node must not be empty (Redis refuses any empty
 * node string); an empty listpack node is skipped, an all-empty list is
 * bad. */
TEST(quicklist_empty_nodes)
{
    ASSERT_EQ(restore_rc(B("\x12\x01\x01\x00")), DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x12\x02\x01\x00\x01\x01x")), DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x12\x01\x01\x01x")), DUMP_OK);
    struct rdb_buf lp = listpack(NULL, 0);
    ASSERT_EQ(restore_blob(18, "\x01\x02", 2, &lp), DUMP_BAD);
    ASSERT_EQ(restore_blob(18, "\x02\x01\x01x\x02", 5, &lp), DUMP_OK);
    free(lp.p);
}

/* ---- Declared lengths and counts ----------------------------------------- */

/* 2^40 (and 2^64 - 1) as a string's length, an LZF plain length, a
 * count of elements, nodes, PEL entries, a listpack string, an intset
 * count, a zipmap length: each fails on the bytes, not on malloc. */
TEST(huge_declared_lengths)
{
    ASSERT_EQ(restore_rc(B("\x00\x81\x00\x00\x01\x00\x00\x00\x00\x00" "abc")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x00\x81\xff\xff\xff\xff\xff\xff\xff\xff")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x00\xc3\x05\x81\x00\x00\x01\x00\x00\x00\x00"
                           "\x00\x00" "abcde")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x01\x81\x00\x00\x01\x00\x00\x00\x00\x00"
                           "\x01" "a")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x04\x81\x00\x00\x01\x00\x00\x00\x00\x00"
                           "\x01" "a\x01" "b")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x12\x81\x00\x00\x01\x00\x00\x00\x00\x00"
                           "\x01\x01" "a")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x13\x81\x00\x00\x01\x00\x00\x00\x00\x00")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x18\x00\x00\x00\x00\x00\x00\x00\x00"
                           "\x81\x00\x00\x01\x00\x00\x00\x00\x00"
                           "\x00\x01" "a\x01" "b")),
              DUMP_BAD);
    /* A listpack string entry claiming 2^32 - 1 bytes. */
    ASSERT_EQ(restore_rc(B("\x12\x01\x02\x0f\x0f\x00\x00\x00\x01\x00"
                           "\xf0\xff\xff\xff\xff" "ab\xff")),
              DUMP_BAD);
    /* An intset of 2^31 - 1 members in 2 bytes. */
    ASSERT_EQ(restore_rc(B("\x0b\x0a\x02\x00\x00\x00\xff\xff\xff\x7f"
                           "\x01\x00")),
              DUMP_BAD);
    /* A zipmap key of 2^31 - 1 bytes. */
    ASSERT_EQ(restore_rc(B("\x09\x0c\x01\xfe\xff\xff\xff\x7f" "ab\x01\x00"
                           "v\xff")),
              DUMP_BAD);
}

/* A listpack of 100000 entries (count 65535: unknown) restores whole,
 * in linear time. */
TEST(huge_listpack)
{
    enum { N = 100000 };
    struct rdb_buf lp = { NULL, 0, 0, 0, 0 };
    size_t start = rdb_lp_begin(&lp);
    for (int i = 0; i < N; i++) {
        char num[16];
        int len = snprintf(num, sizeof num, "e%d", i);
        rdb_lp_append(&lp, num, (size_t)len);
    }
    rdb_lp_end(&lp, start, N);
    ASSERT_EQ(restore_blob(18, "\x01\x02", 2, &lp), DUMP_OK);
    ASSERT_EQ(restore_blob(16, NULL, 0, &lp), DUMP_OK);   /* as a hash */
    /* As a sorted set too: "e1" scores 0, as Redis's strtod reads it. */
    ASSERT_EQ(restore_blob(17, NULL, 0, &lp), DUMP_OK);
    free(lp.p);
}

/* ---- Values Respite refuses as Redis does (or where Redis would keep a
 * broken one) -------------------------------------------------------------- */

/* NaN scores, in every encoding. Redis 7.0 keeps one from a listpack or
 * ziplist (a sorted set then misordered): Respite refuses those too. */
TEST(zset_nan_scores)
{
    static const char *const nan_lp[] = { "a", "nan" };
    static const char *const ok_lp[] = { "a", "inf", "b", "-inf" };
    struct rdb_buf lp = listpack(nan_lp, 2);
    ASSERT_EQ(restore_blob(17, NULL, 0, &lp), DUMP_BAD);
    free(lp.p);
    lp = listpack(ok_lp, 4);
    ASSERT_EQ(restore_blob(17, NULL, 0, &lp), DUMP_OK);
    free(lp.p);
    ASSERT_EQ(restore_rc(B("\x03\x01\x01" "a\x03nan")), DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x03\x01\x01" "a\xfd")), DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x03\x01\x01" "a\xfe")), DUMP_OK);
    ASSERT_EQ(restore_rc(B("\x05\x01\x01" "a"
                           "\x00\x00\x00\x00\x00\x00\xf8\x7f")),
              DUMP_BAD);
}

/* Duplicate fields and members in every encoding, and intsets out of
 * order or repeated. */
TEST(duplicates_and_unsorted)
{
    static const char *const dup[] = { "a", "1", "a", "2" };
    struct rdb_buf lp = listpack(dup, 4);
    ASSERT_EQ(restore_blob(16, NULL, 0, &lp), DUMP_BAD);
    ASSERT_EQ(restore_blob(17, NULL, 0, &lp), DUMP_BAD);
    ASSERT_EQ(restore_blob(18, "\x01\x02", 2, &lp), DUMP_OK);  /* a list */
    free(lp.p);
    ASSERT_EQ(restore_rc(B("\x02\x02\x01" "a\x01" "a")), DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x04\x02\x01" "a\x01" "1\x01" "a\x01" "2")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x09\x0b\x02\x01" "a\x01\x00" "1\x01" "a\x01"
                           "\x00" "2\xff")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x0b\x0c\x02\x00\x00\x00\x02\x00\x00\x00"
                           "\x05\x00\x03\x00")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x0b\x0c\x02\x00\x00\x00\x02\x00\x00\x00"
                           "\x03\x00\x03\x00")),
              DUMP_BAD);
    ASSERT_EQ(restore_rc(B("\x0b\x0c\x02\x00\x00\x00\x02\x00\x00\x00"
                           "\x03\x00\x05\x00")),
              DUMP_OK);
}

/* A type 25 hash: min deadline, then field, value, deadline triplets. */
static int hfe_listpack(const char *const *v, size_t n)
{
    struct rdb_buf lp = listpack(v, n);
    int rc = restore_blob(25, "\x00\x00\x00\x00\x00\x00\x00\x00", 8, &lp);
    free(lp.p);
    return rc;
}

/* Field deadlines as Redis 7.4 loads them: at most 2^48 - 1; in a
 * listpack, growing, and none after a field without one. */
TEST(hfe_deadlines)
{
    static const char *const max[] = { "a", "1", "281474976710655" };
    static const char *const past[] = { "a", "1", "281474976710656" };
    static const char *const order[] = { "a", "1", "5", "b", "2", "5",
                                         "c", "3", "0", "d", "4", "0" };
    static const char *const down[] = { "a", "1", "5", "b", "2", "3" };
    static const char *const after0[] = { "a", "1", "0", "b", "2", "3" };
    ASSERT_EQ(hfe_listpack(max, 3), DUMP_OK);
    ASSERT_EQ(hfe_listpack(past, 3), DUMP_BAD);
    ASSERT_EQ(hfe_listpack(order, 12), DUMP_OK);
    ASSERT_EQ(hfe_listpack(down, 6), DUMP_BAD);
    ASSERT_EQ(hfe_listpack(after0, 6), DUMP_BAD);
    /* Type 24: min 2^48 - 2, relative TTL 1 + 1 (2^48 - 1), then 1 + 2
     * (2^48). */
    ASSERT_EQ(restore_rc(B("\x18\xfe\xff\xff\xff\xff\xff\x00\x00\x01"
                           "\x02\x01" "a\x01" "1")),
              DUMP_OK);
    ASSERT_EQ(restore_rc(B("\x18\xfe\xff\xff\xff\xff\xff\x00\x00\x01"
                           "\x03\x01" "a\x01" "1")),
              DUMP_BAD);
    /* Redis sums in 64 bits: min 2^64 - 1 and TTL 2 wrap to 0, no TTL. */
    ASSERT_EQ(restore_rc(B("\x18\xff\xff\xff\xff\xff\xff\xff\xff\x01"
                           "\x02\x01" "a\x01" "1")),
              DUMP_OK);
}

/* ---- Allocation failures ------------------------------------------------- */

/* dump_restore with the k-th store allocation failing, k = 1, 2, ...:
 * DUMP_NOMEM and nothing left behind (ASan's leak check) until it
 * succeeds. */
static int restore_with_faults(const unsigned char *body, size_t n)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put(&b, body, n);
    size_t len;
    unsigned char *p = (unsigned char *)rdb_finish_version(
        &b, body[0] == 25 ? RDB_VERSION_HFE : RDB_VERSION, &len);
    int rc = DUMP_NOMEM;
    for (unsigned long k = 1; rc == DUMP_NOMEM && k < 1000; k++) {
        struct store *s = store_new(1);
        struct dump_value v;
        store_set_fail_after(s, k);
        rc = dump_restore(s, p, len, &v);
        store_set_fail_after(s, 0);
        if (rc == DUMP_OK)
            dump_value_free(s, &v);
        store_free(s);
    }
    free(p);
    return rc;
}

TEST(allocation_failures)
{
    static const char *const pairs[] = { "a", "1", "b", "2", "c", "3" };
    static const char *const triples[] = { "a", "1", "5", "b", "2", "0" };
    struct rdb_buf lp = listpack(pairs, 6);
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put_byte(&b, 17);
    rdb_put_string(&b, (const char *)lp.p, lp.len);
    ASSERT_EQ(restore_with_faults(b.p, b.len), DUMP_OK);
    b.p[0] = 16;
    ASSERT_EQ(restore_with_faults(b.p, b.len), DUMP_OK);
    free(b.p);
    free(lp.p);
    lp = listpack(triples, 6);
    b = (struct rdb_buf){ NULL, 0, 0, 0, 0 };
    rdb_put(&b, "\x19\x00\x00\x00\x00\x00\x00\x00\x00", 9);
    rdb_put_string(&b, (const char *)lp.p, lp.len);
    ASSERT_EQ(restore_with_faults(b.p, b.len), DUMP_OK);
    free(b.p);
    free(lp.p);
    ASSERT_EQ(restore_with_faults(B("\x12\x01\x01\x01x")), DUMP_OK);
}

static const struct unit_test tests[] = {
    UNIT(values_in_a_row),
    UNIT(value_store_with_ttl),
    UNIT(restore_wrapper_keeps_70_rules),
    UNIT(fuzz_hfe_deadline_past_48_bits),
    UNIT(fuzz_stream_empty_node),
    UNIT(stream_pel_consumers),
    UNIT(quicklist_empty_nodes),
    UNIT(huge_declared_lengths),
    UNIT(huge_listpack),
    UNIT(zset_nan_scores),
    UNIT(duplicates_and_unsorted),
    UNIT(hfe_deadlines),
    UNIT(allocation_failures),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
