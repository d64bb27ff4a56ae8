/* fuzz_restore.c - libFuzzer target for RESTORE's value parser
 * (server/restore.c, restore_stream.c, rdb.c's reader, rdb_pack.c).
 *
 *   make fuzz && build/fuzz/fuzz_restore -max_total_time=300 \
 *       build/fuzz/corpus_restore tests/fuzz/corpus_restore
 *
 * Input: a DUMP payload without its trailer (type byte, then the value).
 * The target appends the trailer RESTORE checks first (RDB version 10,
 * or 12 for the hash types with field TTLs, and the CRC-64), so every
 * input reaches the value parser: the CRC keeps nothing out, since any
 * client can compute one. tests/fuzz/corpus_restore holds real payloads
 * of every type and encoding, from redis-server 7.0 and from Respite
 * (tests/fuzz/make_corpus.py).
 *
 * dump_restore must answer DUMP_OK or DUMP_BAD: DUMP_NOMEM traps, as no
 * input this small may need that much (a claimed length must be checked
 * before it is allocated; -malloc_limit_mb catches one that is not). An
 * accepted value is stored as RESTORE stores it, the store must pass
 * store__check, and its DUMP must restore again to the same type and
 * size. AddressSanitizer, UBSan and LeakSanitizer catch the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/dump.h"
#include "server/rdb.h"
#include "store/store.h"
#include "store/store_int.h"

#define NOW 1                       /* before every field deadline (>= 1) */
#define INPUT_MAX (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The payload: data, RDB version and CRC-64 (rdb_finish_version). */
static unsigned char *seal(const uint8_t *data, size_t size, size_t *len)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put(&b, data, size);
    unsigned version = size && (data[0] == RDB_TYPE_HASH_METADATA ||
                                data[0] == RDB_TYPE_HASH_LISTPACK_EX)
                           ? RDB_VERSION_HFE
                           : RDB_VERSION;
    unsigned char *p = (unsigned char *)rdb_finish_version(&b, version, len);
    if (!p || !rdb_payload_ok(p, *len))
        abort();
    return p;
}

/* Stores v at key as cmd_restore does; traps when that fails. */
static void store_value(struct store *s, const char *key, size_t klen,
                        struct dump_value *v)
{
    int rc;
    if (v->type == STORE_T_STRING) {
        rc = store_key_set(s, key, klen, v->str, v->slen, STORE_NO_TTL, NOW);
    } else {
        rc = store_key_set_obj(s, key, klen, v->type, v->obj, NOW);
        if (rc == STORE_OK) {
            v->obj = NULL;
            rc = dump_apply_ttls(s, key, klen, v, NOW);
        }
        if (rc == STORE_OK && v->type == STORE_T_STREAM)
            store_stream_placed(s, key, klen, NOW);
    }
    dump_value_free(s, v);
    if (rc != STORE_OK)
        __builtin_trap();
}

/* The element count of key's value (a string's length). */
static size_t value_size(struct store *s, const char *key, size_t klen)
{
    struct store_entry *e = store_key_find(s, key, klen, NOW);
    if (!e)
        __builtin_trap();
    enum store_type t = store_entry_type(e);
    if (t == STORE_T_STRING) {
        size_t n;
        store_entry_str(e, &n);
        return n;
    }
    return store_obj_len(t, store_entry_obj(e));
}

/* libFuzzer entry point: returns 0; traps on a broken invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_MAX)
        return 0;
    size_t n;
    unsigned char *p = seal(data, size, &n);
    struct store *s = store_new(1);
    if (!s)
        abort();
    struct dump_value v;
    int rc = dump_restore(s, p, n, &v);
    free(p);
    if (rc == DUMP_NOMEM)
        __builtin_trap();
    if (rc == DUMP_OK) {
        enum store_type type = v.type;
        store_value(s, "a", 1, &v);
        if (store__check(s) != 0)
            __builtin_trap();
        /* What RESTORE accepted, DUMP writes and RESTORE reads back. */
        struct store_entry *e = store_key_find(s, "a", 1, NOW);
        p = e ? (unsigned char *)dump_value(s, e, &n) : NULL;
        if (!p || !rdb_payload_ok(p, n) || dump_restore(s, p, n, &v) != 0 ||
            v.type != type)
            __builtin_trap();
        free(p);
        store_value(s, "b", 1, &v);
        if (value_size(s, "a", 1) != value_size(s, "b", 1) ||
            store__check(s) != 0)
            __builtin_trap();
    }
    store_free(s);
    return 0;
}
