/* cmd_bits.c - the bitmap commands on string values: SETBIT GETBIT
 * BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. The bit arithmetic is
 * store/bits.c's; this file parses arguments, finds and grows the string,
 * and replies.
 *
 * Every reply and error follows Redis 7.0, including the order in which
 * it checks things, because that order is visible:
 *
 *   SETBIT GETBIT   offset, then the bit, then the key (type).
 *   BITCOUNT        the key first: a missing key replies 0 whatever the
 *                   range says, and WRONGTYPE beats a bad range; then
 *                   start, end, the crossed negative range, BYTE|BIT.
 *   BITPOS          the bit, then the key (missing: -1 for 1, 0 for 0),
 *                   then start, BYTE|BIT, end.
 *   BITFIELD        every subcommand parsed before the key is touched;
 *                   BITFIELD_RO refuses a write only after that.
 *
 * Offsets are bit numbers below 8 * proto-max-bulk-len (Redis's bound,
 * with its error "bit offset is not an integer or out of range"); in
 * BITFIELD "#n" means n times the field width, multiplied with Redis's
 * 64-bit wrap-around. A write past the end grows the string with zero
 * bytes through store_str_resize, the path SETRANGE and APPEND use.
 *
 * Side effects are Redis's too: a write that changes nothing (SETBIT of a
 * bit to the value it has unless that grew the key, a BITFIELD whose
 * writes all failed under OVERFLOW FAIL or, on a key it neither created
 * nor grew, left their fields as they were) fires no event, leaves WATCH
 * alone and is not counted in dirty, though creating or growing the key
 * still happens (a created key gets its "new" event). BITOP stores with
 * "set" and no TTL, or deletes the destination ("del") when every source
 * is empty or missing. Its result goes straight into the destination when
 * that is already a string of the result's length without a TTL, else
 * through a buffer that store_key_set copies. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/pubsub.h"
#include "server/server.h"

/* ---- Arguments ---------------------------------------------------------- */

/* 1 if argument i is the keyword word, ignoring ASCII case. Arguments are
 * NUL-terminated and Redis compares these keywords as C strings, so a
 * NUL byte ends one here too ("BIT\0x" is BIT). */
static int kw_is(const struct client *c, size_t i, const char *word)
{
    return strcasecmp(c->argv[i], word) == 0;
}

/* Parses argument i as a bit offset into *off. With hash, "#n" is n
 * fields of bits bits (BITFIELD). Replies ERR_BIT_OFFSET and returns 0
 * when it is not an integer, negative, or at or past 8 *
 * proto-max-bulk-len. */
static int bit_offset_or_reply(struct client *c, size_t i, int hash,
                               unsigned bits, uint64_t *off)
{
    const char *p = c->argv[i];
    size_t n = c->argvlen[i];
    size_t skip = hash && n > 1 && p[0] == '#';
    int64_t v;
    if (!parse_i64(p + skip, n - skip, &v))
        goto bad;
    if (skip)
        v = (int64_t)((uint64_t)v * bits);   /* wraps as Redis's does */
    if (v < 0 || (uint64_t)(v >> 3) >= c->srv->conf.proto_max_bulk_len)
        goto bad;
    *off = (uint64_t)v;
    return 1;
bad:
    reply_error(c, ERR_BIT_OFFSET);
    return 0;
}

/* Parses argument i, "BYTE" or "BIT", into *in_bits; else replies a
 * syntax error and returns 0. */
static int bit_unit_or_reply(struct client *c, size_t i, int *in_bits)
{
    if (kw_is(c, i, "BIT") || kw_is(c, i, "BYTE")) {
        *in_bits = kw_is(c, i, "BIT");
        return 1;
    }
    reply_error(c, ERR_SYNTAX);
    return 0;
}

/* Parses a BITFIELD type, i1..i64 or u1..u63 (lower case only, as in
 * Redis), in argument i. The width is read up to a NUL byte, as Redis
 * reads it. */
static int bf_type_or_reply(struct client *c, size_t i, int *sign,
                            unsigned *bits)
{
    const char *p = c->argv[i];
    size_t n = c->argvlen[i];
    int64_t w;
    if (n > 0 && (p[0] == 'i' || p[0] == 'u')) {
        *sign = p[0] == 'i';
        if (parse_i64(p + 1, strnlen(p + 1, n - 1), &w) && w >= 1 &&
            w <= (*sign ? 64 : 63)) {
            *bits = (unsigned)w;
            return 1;
        }
    }
    reply_error(c, ERR_BITFIELD_TYPE);
    return 0;
}

/* ---- The string -------------------------------------------------------- */

/* The live string at argv[1] for a read: 1 with *p and *n (NULL and 0
 * when the key is missing), counting a hit or miss; or 0 after
 * WRONGTYPE. */
static int bits_read_or_reply(struct client *c, const unsigned char **p,
                              size_t *n)
{
    struct store_entry *e = key_lookup_read(c, c->argv[1], c->argvlen[1],
                                            server_now_ms(c->srv));
    *p = NULL;
    *n = 0;
    if (!e)
        return 1;
    if (!key_is_string_or_reply(c, e))
        return 0;
    *p = (const unsigned char *)store_entry_str(e, n);
    return 1;
}

/* What bits_write_or_reply did to the key before the command's writes. */
enum { BITS_CREATED = 1, BITS_GREW = 2 };

/* The string at argv[1] for a write, at least minlen bytes long: created
 * as zero bytes when missing, grown with zeros when shorter. Returns a
 * writable pointer (valid until the next store call) with its length in
 * *n and BITS_* flags in *how, or NULL after replying WRONGTYPE, too
 * long or OOM. A created key gets its "new" event here. */
static unsigned char *bits_write_or_reply(struct client *c, uint64_t minlen,
                                          size_t *n, int *how)
{
    struct store *db = client_db(c);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = store_key_find(db, key, klen, now);
    size_t len = 0;
    *how = 0;
    if (e) {
        if (!key_is_string_or_reply(c, e))
            return NULL;
        store_entry_str(e, &len);
    }
    if (minlen > STORE_MAX_STR) {
        reply_error(c, ERR_STRING_TOO_LONG);
        return NULL;
    }
    if (!e) {
        if (store_key_set(db, key, klen, "", 0, STORE_NO_TTL, now) !=
                STORE_OK ||
            !(e = store_key_find(db, key, klen, now))) {
            reply_error(c, ERR_OOM);
            return NULL;
        }
        *how = BITS_CREATED;
    } else if (minlen > len) {
        *how = BITS_GREW;
    }
    size_t want = minlen > len ? (size_t)minlen : len;
    char *p = store_str_resize(db, &e, want);
    if (!p) {
        if (*how == BITS_CREATED)
            store_key_delete(db, key, klen, now);
        reply_error(c, ERR_OOM);
        return NULL;
    }
    if (*how == BITS_CREATED)
        key_new(c, 1);
    *n = want;
    return (unsigned char *)p;
}

/* Records a write to argv[1] that changed it: WATCH, dirty, the event. */
static void bits_changed(struct client *c, const char *event)
{
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    server_notify(c->srv, NOTIFY_STRING, event, c->db, c->argv[1],
                  c->argvlen[1]);
}

/* ---- SETBIT GETBIT ------------------------------------------------------- */

/* SETBIT key offset 0|1: replies the bit's old value. */
void cmd_setbit(struct client *c)
{
    uint64_t off;
    int64_t bit;
    if (!bit_offset_or_reply(c, 2, 0, 0, &off))
        return;
    if (!parse_i64(c->argv[3], c->argvlen[3], &bit) || (bit & ~INT64_C(1))) {
        reply_error(c, ERR_BIT_VALUE);
        return;
    }
    size_t n;
    int how;
    unsigned char *p = bits_write_or_reply(c, (off >> 3) + 1, &n, &how);
    if (!p)
        return;
    int old = store_bit_set(p, off, (int)bit);
    if (how || old != bit)
        bits_changed(c, "setbit");
    resp_add_int(&c->out, old);
}

/* GETBIT key offset: 0 past the end and for a missing key. */
void cmd_getbit(struct client *c)
{
    uint64_t off;
    if (!bit_offset_or_reply(c, 2, 0, 0, &off))
        return;
    const unsigned char *p;
    size_t n;
    if (bits_read_or_reply(c, &p, &n))
        resp_add_int(&c->out, p ? store_bit_get(p, n, off) : 0);
}

/* ---- BITCOUNT BITPOS ----------------------------------------------------- */

/* BITCOUNT key [start end [BYTE|BIT]] */
void cmd_bitcount(struct client *c)
{
    const unsigned char *p;
    size_t n;
    if (!bits_read_or_reply(c, &p, &n))
        return;
    if (!p) {
        resp_add_int(&c->out, 0);
        return;
    }
    int64_t start = 0, end = -1;
    int in_bits = 0;
    if (c->argc == 4 || c->argc == 5) {
        if (!arg_i64_or_reply(c, 2, &start) || !arg_i64_or_reply(c, 3, &end))
            return;
        /* Both from the end and crossed: empty, even where clipping both
         * to the start would give a byte; Redis 7.0 answers this before it
         * looks at BYTE|BIT. */
        if (start < 0 && end < 0 && start > end) {
            resp_add_int(&c->out, 0);
            return;
        }
        if (c->argc == 5 && !bit_unit_or_reply(c, 4, &in_bits))
            return;
    } else if (c->argc != 2) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    uint64_t from, to;
    if (!store_bits_range(start, end, in_bits, n, &from, &to))
        resp_add_int(&c->out, 0);
    else
        resp_add_int(&c->out, (int64_t)store_bits_count(p, n, from, to));
}

/* BITPOS key bit [start [end [BYTE|BIT]]]: the first bit of that value in
 * the range, or -1. Without an end the string counts as followed by
 * zeros, so looking for 0 in all ones gives the bit just past it. */
void cmd_bitpos(struct client *c)
{
    int64_t bit;
    if (!arg_i64_or_reply(c, 2, &bit))
        return;
    if (bit != 0 && bit != 1) {
        reply_error(c, ERR_BITPOS_BIT);
        return;
    }
    const unsigned char *p;
    size_t n;
    if (!bits_read_or_reply(c, &p, &n))
        return;
    if (!p) {
        resp_add_int(&c->out, bit ? -1 : 0);
        return;
    }
    int64_t start = 0, end = -1;
    int in_bits = 0, end_given = 0;
    if (c->argc > 6) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc >= 4 && !arg_i64_or_reply(c, 3, &start))
        return;
    if (c->argc == 6 && !bit_unit_or_reply(c, 5, &in_bits))
        return;
    if (c->argc >= 5) {
        if (!arg_i64_or_reply(c, 4, &end))
            return;
        end_given = 1;
    }
    uint64_t from, to;
    if (!store_bits_range(start, end, in_bits, n, &from, &to)) {
        resp_add_int(&c->out, -1);
        return;
    }
    int64_t pos = store_bits_pos(p, n, (int)bit, from, to);
    if (pos < 0 && bit == 0 && !end_given)
        pos = (int64_t)n * 8;
    resp_add_int(&c->out, pos);
}

/* ---- BITOP --------------------------------------------------------------- */

/* destkey's entry de as the place for BITOP's n-byte result, or NULL. A
 * string of exactly n bytes without a TTL is what store_key_set would
 * overwrite in place anyway, so the result goes straight into it: no
 * buffer of n bytes to allocate, fill and copy. store_bits_op reads every
 * source's bytes at a position before writing there, so destkey may also
 * be a source. */
static unsigned char *bitop_target(struct store *db, struct store_entry *de,
                                   size_t n)
{
    size_t vlen;
    if (!de || store_entry_type(de) != STORE_T_STRING ||
        store_entry_expire(de) != STORE_NO_TTL)
        return NULL;
    store_entry_str(de, &vlen);
    if (vlen != n)
        return NULL;
    /* The same length: the bytes where they are, writable. */
    return (unsigned char *)store_str_resize(db, &de, n);
}

/* BITOP AND|OR|XOR|NOT destkey key [key ...]: stores the result in
 * destkey and replies its length, the longest source's. */
void cmd_bitop(struct client *c)
{
    enum store_bitop op;
    if (kw_is(c, 1, "AND"))
        op = STORE_BITOP_AND;
    else if (kw_is(c, 1, "OR"))
        op = STORE_BITOP_OR;
    else if (kw_is(c, 1, "XOR"))
        op = STORE_BITOP_XOR;
    else if (kw_is(c, 1, "NOT"))
        op = STORE_BITOP_NOT;
    else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (op == STORE_BITOP_NOT && c->argc != 4) {
        reply_error(c, ERR_BITOP_NOT);
        return;
    }
    size_t nsrc = c->argc - 3;
    const unsigned char **src = malloc(nsrc * sizeof(*src));
    size_t *len = malloc(nsrc * sizeof(*len));
    unsigned char *res = NULL;
    if (!src || !len)
        goto oom;
    /* Entries stay put while other keys are looked up, so the views of
     * the earlier sources survive the later lookups. */
    int64_t now = server_now_ms(c->srv);
    size_t maxlen = 0;
    for (size_t k = 0; k < nsrc; k++) {
        struct store_entry *e =
            key_lookup_read(c, c->argv[3 + k], c->argvlen[3 + k], now);
        src[k] = NULL;
        len[k] = 0;
        if (!e)
            continue;
        if (!key_is_string_or_reply(c, e))
            goto done;
        src[k] = (const unsigned char *)store_entry_str(e, &len[k]);
        if (len[k] > maxlen)
            maxlen = len[k];
    }

    struct store *db = client_db(c);
    const char *dst = c->argv[2];
    size_t dlen = c->argvlen[2];
    if (maxlen == 0) {
        key_store_empty(c, 2);
        resp_add_int(&c->out, 0);
        goto done;
    }
    struct store_entry *de = store_key_find(db, dst, dlen, now);
    int existed = de != NULL;
    unsigned char *out = bitop_target(db, de, maxlen);
    if (out) {
        store_bits_op(op, out, maxlen, src, len, nsrc);
    } else {
        if (!(res = malloc(maxlen)))
            goto oom;
        store_bits_op(op, res, maxlen, src, len, nsrc);
        if (store_key_set(db, dst, dlen, (const char *)res, maxlen,
                          STORE_NO_TTL, now) != STORE_OK)
            goto oom;
    }
    if (!existed)
        key_new(c, 2);
    server_key_modified(c->srv, c->db, dst, dlen);
    server_notify(c->srv, NOTIFY_STRING, "set", c->db, dst, dlen);
    resp_add_int(&c->out, (int64_t)maxlen);
    goto done;
oom:
    reply_error(c, ERR_OOM);
done:
    free(res);
    free(len);
    free(src);
}

/* ---- BITFIELD ------------------------------------------------------------ */

enum bf_kind { BF_GET, BF_SET, BF_INCRBY };

/* One parsed subcommand, with the OVERFLOW mode in force where it
 * stood. */
struct bf_op {
    uint64_t off;
    int64_t arg;                 /* SET's value, INCRBY's increment */
    unsigned char kind;          /* enum bf_kind */
    unsigned char sign;
    unsigned char bits;
    unsigned char overflow;      /* enum store_bits_overflow */
};

/* Parses BITFIELD's subcommands into ops (room for (argc - 2) / 3 + 1)
 * and *nops, the highest bit a write reaches into *top and whether any
 * op writes into *writes. Returns 1, or 0 after replying the first
 * error. */
static int bf_parse_or_reply(struct client *c, struct bf_op *ops,
                             size_t *nops, uint64_t *top, int *writes)
{
    enum store_bits_overflow mode = STORE_BITS_WRAP;
    *nops = 0;
    *top = 0;
    *writes = 0;
    for (size_t j = 2; j < c->argc; j++) {
        size_t rest = c->argc - j - 1;
        struct bf_op op = { 0 };
        int sign;
        unsigned bits;
        if (kw_is(c, j, "GET") && rest >= 2) {
            op.kind = BF_GET;
        } else if (kw_is(c, j, "SET") && rest >= 3) {
            op.kind = BF_SET;
        } else if (kw_is(c, j, "INCRBY") && rest >= 3) {
            op.kind = BF_INCRBY;
        } else if (kw_is(c, j, "OVERFLOW") && rest >= 1) {
            j++;
            if (kw_is(c, j, "WRAP"))
                mode = STORE_BITS_WRAP;
            else if (kw_is(c, j, "SAT"))
                mode = STORE_BITS_SAT;
            else if (kw_is(c, j, "FAIL"))
                mode = STORE_BITS_FAIL;
            else {
                reply_error(c, ERR_BITFIELD_OVERFLOW);
                return 0;
            }
            continue;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
        if (!bf_type_or_reply(c, j + 1, &sign, &bits) ||
            !bit_offset_or_reply(c, j + 2, 1, bits, &op.off))
            return 0;
        if (op.kind != BF_GET) {
            *writes = 1;
            if (op.off + bits - 1 > *top)
                *top = op.off + bits - 1;
            if (!arg_i64_or_reply(c, j + 3, &op.arg))
                return 0;
        }
        op.sign = (unsigned char)sign;
        op.bits = (unsigned char)bits;
        op.overflow = (unsigned char)mode;
        ops[(*nops)++] = op;
        j += op.kind == BF_GET ? 2 : 3;
    }
    return 1;
}

/* Runs write op on p (long enough for it): replies the old value (SET)
 * or the new one (INCRBY), or nil when OVERFLOW FAIL stops it. Returns 1
 * if the field's bits changed, 0 if they stayed, -1 if not written. */
static int bf_write(struct client *c, unsigned char *p, size_t n,
                    const struct bf_op *op)
{
    uint64_t raw = store_bits_field_get(p, n, op->off, op->bits);
    uint64_t old = op->sign ? (uint64_t)store_bits_sign_extend(raw, op->bits)
                            : raw;
    uint64_t val;
    int over = op->kind == BF_INCRBY
                   ? store_bits_field_add(op->sign, op->bits, old, op->arg,
                                          op->overflow, &val)
                   : store_bits_field_add(op->sign, op->bits,
                                          (uint64_t)op->arg, 0, op->overflow,
                                          &val);
    if (over && op->overflow == STORE_BITS_FAIL) {
        resp_add_null(&c->out);
        return -1;
    }
    store_bits_field_set(p, op->off, op->bits, val);
    resp_add_int(&c->out, (int64_t)(op->kind == BF_INCRBY ? val : old));
    return store_bits_field_get(p, n, op->off, op->bits) != raw;
}

/* BITFIELD and BITFIELD_RO (ro: only GET allowed). */
static void bitfield_generic(struct client *c, int ro)
{
    struct bf_op *ops = malloc(((c->argc - 2) / 3 + 1) * sizeof(*ops));
    if (!ops) {
        reply_error(c, ERR_OOM);
        return;
    }
    size_t nops, n;
    uint64_t top;
    int writes, how = 0;
    unsigned char *w = NULL;
    const unsigned char *p;
    if (!bf_parse_or_reply(c, ops, &nops, &top, &writes))
        goto done;
    if (!writes) {
        if (!bits_read_or_reply(c, &p, &n))
            goto done;
    } else if (ro) {
        reply_error(c, ERR_BITFIELD_RO);
        goto done;
    } else {
        if (!(w = bits_write_or_reply(c, (top >> 3) + 1, &n, &how)))
            goto done;
        p = w;
    }

    resp_add_array(&c->out, nops);
    uint64_t changes = 0;
    for (size_t i = 0; i < nops; i++) {
        const struct bf_op *op = &ops[i];
        if (op->kind != BF_GET) {
            /* Redis counts a write that changed the field, and any
             * write into a key this call created or grew. */
            int r = bf_write(c, w, n, op);
            changes += r > 0 || (r == 0 && how);
            continue;
        }
        uint64_t v = store_bits_field_get(p, n, op->off, op->bits);
        resp_add_int(&c->out, op->sign ? store_bits_sign_extend(v, op->bits)
                                       : (int64_t)v);
    }
    if (changes) {
        bits_changed(c, "setbit");
        server_dirty_elements(c->srv, changes);
    }
done:
    free(ops);
}

/* BITFIELD key [GET type offset] [SET type offset value]
 *     [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ... */
void cmd_bitfield(struct client *c)
{
    bitfield_generic(c, 0);
}

/* BITFIELD_RO key [GET type offset ...] */
void cmd_bitfield_ro(struct client *c)
{
    bitfield_generic(c, 1);
}
