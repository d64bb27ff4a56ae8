/* test_restore.c - one value at a time from a shared RDB reader
 * (server/restore.c's dump_read_value), as the RDB file loader reads
 * keys: each read must leave the reader just past its value, an empty
 * collection is DUMP_EMPTY (the reader past it, so loading goes on)
 * where Redis 7.0 skips an empty key, and RESTORE's wrapper
 * (dump_restore) still refuses what Redis 7.0's RESTORE refuses. Links
 * the server's restore and RDB objects with the store. */
#include "server/dump.h"
#include "server/rdb.h"
#include "store/store.h"
#include "tests/unit/unit.h"

#define T0 INT64_C(1700000000000)

/* A listpack of the short strings in items (each under 64 bytes). */
static size_t listpack(unsigned char *out, const char *const *items,
                       size_t n)
{
    size_t at = 6;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(items[i]);
        out[at++] = (unsigned char)(0x80 | len);
        memcpy(out + at, items[i], len);
        at += len;
        out[at++] = (unsigned char)(1 + len);
    }
    out[at++] = 0xFF;
    out[0] = (unsigned char)at;
    out[1] = out[2] = out[3] = 0;
    out[4] = (unsigned char)n;
    out[5] = 0;
    return at;
}

/* Appends an RDB string of n bytes (n < 64) to b at *at. */
static void put_str(unsigned char *b, size_t *at, const void *p, size_t n)
{
    b[(*at)++] = (unsigned char)n;
    memcpy(b + *at, p, n);
    *at += n;
}

TEST(values_in_a_row)
{
    struct store *s = store_new(1);
    unsigned char buf[512], lp[128];
    size_t n = 0;
    /* A string, a plain set, an empty plain list, an empty listpack hash,
     * a set of Redis 7.2 (type 20), then a byte that is not a value. */
    put_str(buf, &n, "abc", 3);
    buf[n++] = 2;
    put_str(buf, &n, "x", 1);
    put_str(buf, &n, "y", 1);
    buf[n++] = 0;
    const char *none[1] = { NULL };
    put_str(buf, &n, lp, listpack(lp, none, 0));
    const char *members[] = { "m1", "m2", "m3" };
    put_str(buf, &n, lp, listpack(lp, members, 3));
    buf[n++] = 0x7A;
    struct rdb_reader r = { buf, 0, n };
    struct dump_value v;

    ASSERT_EQ(dump_read_value(s, &r, 0, &v), DUMP_OK);
    ASSERT_EQ(v.type, STORE_T_STRING);
    ASSERT_MEM_EQ(v.str, v.slen, "abc");
    dump_value_free(s, &v);
    ASSERT_EQ(r.pos, 4);

    ASSERT_EQ(dump_read_value(s, &r, 2, &v), DUMP_OK);
    ASSERT_EQ(v.type, STORE_T_SET);
    ASSERT_EQ(store_obj_len(STORE_T_SET, v.obj), 2);
    dump_value_free(s, &v);
    ASSERT_EQ(r.pos, 9);

    ASSERT_EQ(dump_read_value(s, &r, 1, &v), DUMP_EMPTY);
    ASSERT_EQ(r.pos, 10);
    ASSERT_EQ(dump_read_value(s, &r, 16, &v), DUMP_EMPTY);
    ASSERT_EQ(r.pos, 18);

    ASSERT_EQ(dump_read_value(s, &r, 20, &v), DUMP_OK);
    ASSERT_EQ(v.type, STORE_T_SET);
    ASSERT_EQ(store_obj_len(STORE_T_SET, v.obj), 3);
    dump_value_free(s, &v);
    ASSERT_EQ(r.pos, n - 1);

    ASSERT_EQ(dump_read_value(s, &r, buf[r.pos], &v), DUMP_BAD);
    store_free(s);
}

/* Stored under a key with a TTL, as RESTORE and the loader store one. */
TEST(value_store_with_ttl)
{
    struct store *s = store_new(1);
    unsigned char buf[32];
    size_t n = 0;
    buf[n++] = 2;
    put_str(buf, &n, "a", 1);
    put_str(buf, &n, "b", 1);
    struct rdb_reader r = { buf, 0, n };
    struct dump_value v;
    ASSERT_EQ(dump_read_value(s, &r, 2, &v), DUMP_OK);
    ASSERT_EQ(dump_value_store(s, "k", 1, &v, T0 + 5000, T0), STORE_OK);
    ASSERT_EQ(store_size(s), 1);
    ASSERT(store_key_find(s, "k", 1, T0 + 4999) != NULL);
    ASSERT(store_key_find(s, "k", 1, T0 + 5001) == NULL);
    store_free(s);
}

/* RESTORE reads one value with a Redis 7.0 trailer: an empty collection
 * and Redis 7.2's types are bad data there, as in Redis 7.0. */
TEST(restore_wrapper_keeps_70_rules)
{
    struct store *s = store_new(1);
    unsigned char lp[64], buf[128];
    const char *members[] = { "a" };
    struct dump_value v;
    unsigned char empty_set[] = { 2, 0 };
    ASSERT_EQ(dump_restore(s, empty_set, sizeof empty_set, &v), DUMP_BAD);
    size_t n = 0;
    buf[n++] = 20;
    put_str(buf, &n, lp, listpack(lp, members, 1));
    ASSERT_EQ(dump_restore(s, buf, n, &v), DUMP_BAD);
    buf[0] = 2;
    n = 1;
    buf[n++] = 1;
    put_str(buf, &n, "a", 1);
    ASSERT_EQ(dump_restore(s, buf, n, &v), DUMP_OK);
    dump_value_free(s, &v);
    /* An empty intset is malformed, not empty, as Redis finds it. */
    unsigned char intset[] = { 2, 0, 0, 0, 0, 0, 0, 0 };
    n = 0;
    put_str(buf, &n, intset, sizeof intset);
    struct rdb_reader r = { buf, 0, n };
    ASSERT_EQ(dump_read_value(s, &r, 11, &v), DUMP_BAD);
    store_free(s);
}

static const struct unit_test tests[] = {
    UNIT(values_in_a_row),
    UNIT(value_store_with_ttl),
    UNIT(restore_wrapper_keeps_70_rules),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
