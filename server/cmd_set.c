/* cmd_set.c - the set commands: SADD SREM SISMEMBER SMISMEMBER SMEMBERS
 * SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION
 * SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
 *
 * Sets are store/coll.c collections without values. Replies follow Redis
 * 7.0: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count are sets in
 * RESP3 (~), SRANDMEMBER with a count is an array. A missing key is an
 * empty set everywhere; a key of another type is WRONGTYPE, checked for
 * every key before any work is done.
 *
 * The algebra (set_op) builds its result in a fresh collection first, so
 * a destination that is also a source (SUNIONSTORE a a b) reads the old
 * value; the *STORE variants then give that collection to the key, or
 * delete the key when the result is empty ("del" event only if a key was
 * there), as Redis does. SINTER walks the smallest set and probes the
 * others. SMEMBERS is SINTER of one key, as in Redis 7.0. */
#include <stdlib.h>
#include <string.h>

#include "server/coll.h"
#include "server/handlers.h"

/* SADD key member [member ...]: members added. */
void cmd_sadd(struct client *c)
{
    int ok;
    struct store_coll *s = coll_write(c, 1, STORE_T_SET, 1, &ok);
    if (!ok)
        return;
    int64_t added = 0;
    /* Sizes an intset once for many members that look like integers
     * (ignored by the other encodings, and past set-max-intset-entries). */
    int64_t first;
    if (c->argc > 3 &&
        store_i64_parse(c->argv[2], c->argvlen[2], &first) &&
        store_coll_intset_reserve(client_db(c), s,
                                  store_coll_len(s) + c->argc - 2, 2)) {
        coll_drop_if_empty(c, 1, s);
        reply_error(c, ERR_OOM);
        return;
    }
    for (size_t i = 2; i < c->argc; i++) {
        int rc = store_coll_put(client_db(c), s, c->argv[i], c->argvlen[i],
                                NULL, 0, 0);
        if (rc < 0) {
            if (added)
                coll_changed(c, 1, NOTIFY_SET, "sadd");
            else
                coll_drop_if_empty(c, 1, s);
            reply_error(c, ERR_OOM);
            return;
        }
        added += rc;
    }
    if (added) {
        coll_changed(c, 1, NOTIFY_SET, "sadd");
        server_dirty_elements(c->srv, (uint64_t)added);
    }
    resp_add_int(&c->out, added);
}

/* SREM key member [member ...]: members removed. */
void cmd_srem(struct client *c)
{
    int ok;
    struct store_coll *s = coll_write(c, 1, STORE_T_SET, 0, &ok);
    if (!ok)
        return;
    int64_t n = 0;
    for (size_t i = 2; s && i < c->argc; i++) {
        n += store_coll_del(client_db(c), s, c->argv[i], c->argvlen[i]);
        if (store_coll_len(s) == 0)
            break;
    }
    if (n > 0) {
        coll_changed(c, 1, NOTIFY_SET, "srem");
        server_dirty_elements(c->srv, (uint64_t)n);
        coll_drop_if_empty(c, 1, s);
    }
    resp_add_int(&c->out, n);
}

/* SISMEMBER key member */
void cmd_sismember(struct client *c)
{
    int ok;
    struct store_coll *s = coll_read(c, 1, STORE_T_SET, &ok);
    if (ok)
        resp_add_int(&c->out,
                     s && store_coll_get(s, c->argv[2], c->argvlen[2], NULL));
}

/* SMISMEMBER key member [member ...]: 1 or 0 for each. */
void cmd_smismember(struct client *c)
{
    int ok;
    struct store_coll *s = coll_read(c, 1, STORE_T_SET, &ok);
    if (!ok)
        return;
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++)
        resp_add_int(&c->out,
                     s && store_coll_get(s, c->argv[i], c->argvlen[i], NULL));
}

/* SCARD key */
void cmd_scard(struct client *c)
{
    int ok;
    struct store_coll *s = coll_read(c, 1, STORE_T_SET, &ok);
    if (ok)
        resp_add_int(&c->out, s ? (int64_t)store_coll_len(s) : 0);
}

/* Writes the members of s (NULL: none) as a set reply. */
static void reply_members(struct client *c, const struct store_coll *s)
{
    resp_add_set(&c->out, s ? store_coll_len(s) : 0);
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    while (s && store_coll_next(s, &it, &v))
        resp_add_bulk(&c->out, v.f, v.flen);
}

/* Removes one random member of non-empty s (argument 1's set) and writes
 * it as a bulk string. Returns 0 after replying OOM. */
static int pop_one(struct client *c, struct store_coll *s)
{
    struct store_coll_view v;
    store_coll_random(client_db(c), s, &v);
    /* The view dies with the removal: copy the member out first. */
    char *m = malloc(v.flen ? v.flen : 1);
    if (!m) {
        reply_error(c, ERR_OOM);
        return 0;
    }
    size_t n = v.flen;
    memcpy(m, v.f, n);
    resp_add_bulk(&c->out, m, n);
    store_coll_del(client_db(c), s, m, n);
    free(m);
    return 1;
}

/* SPOP key [count] */
void cmd_spop(struct client *c)
{
    int64_t count = -1;
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (c->argc == 3 &&
        (!parse_i64(c->argv[2], c->argvlen[2], &count) || count < 0)) {
        reply_error(c, ERR_NOT_POSITIVE);
        return;
    }
    int ok;
    struct store_coll *s = coll_write(c, 1, STORE_T_SET, 0, &ok);
    if (!ok)
        return;
    if (!s) {
        if (count < 0)
            resp_add_null(&c->out);
        else
            resp_add_set(&c->out, 0);
        return;
    }
    if (count < 0) {
        if (!pop_one(c, s))
            return;
    } else if (count == 0) {
        resp_add_set(&c->out, 0);
        return;
    } else if ((uint64_t)count >= store_coll_len(s)) {
        /* Redis answers this case with SMEMBERS's code, whose read lookup
         * counts a keyspace hit. */
        key_count_read(c, c->argv[1], c->argvlen[1], 1);
        reply_members(c, s);
        uint64_t popped = store_coll_len(s);
        store_key_delete(client_db(c), c->argv[1], c->argvlen[1],
                         server_now_ms(c->srv));
        coll_changed(c, 1, NOTIFY_SET, "spop");
        server_dirty_elements(c->srv, popped);
        server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, c->argv[1],
                      c->argvlen[1]);
        return;
    } else {
        resp_add_set(&c->out, (size_t)count);
        for (int64_t i = 0; i < count; i++)
            if (!pop_one(c, s))
                return;        /* cannot happen before the set is empty */
        server_dirty_elements(c->srv, (uint64_t)count);
    }
    coll_changed(c, 1, NOTIFY_SET, "spop");
    coll_drop_if_empty(c, 1, s);
}

/* SRANDMEMBER key [count] */
void cmd_srandmember(struct client *c)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    int64_t count = 0;
    if (c->argc == 3) {
        if (!arg_i64_or_reply(c, 2, &count))
            return;
        if (count == INT64_MIN) {
            reply_error(c, ERR_LONG_RANGE);
            return;
        }
    }
    int ok;
    struct store_coll *s = coll_read(c, 1, STORE_T_SET, &ok);
    if (!ok)
        return;
    if (c->argc == 2) {
        struct store_coll_view v;
        if (!s) {
            resp_add_null(&c->out);
            return;
        }
        store_coll_random(client_db(c), s, &v);
        resp_add_bulk(&c->out, v.f, v.flen);
        return;
    }
    if (!s || count == 0) {
        resp_add_array(&c->out, 0);
        return;
    }
    cmd_coll_rand_count(c, s, count, 0);
}

/* SMOVE source destination member: 1 if moved. */
void cmd_smove(struct client *c)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    struct store_coll *src, *dst;
    int rs = store_coll_open(db, c->argv[1], c->argvlen[1], STORE_T_SET, 0,
                             now, &src);
    int rd = store_coll_open(db, c->argv[2], c->argvlen[2], STORE_T_SET, 0,
                             now, &dst);
    if (rs == STORE_OK && !src) {
        resp_add_int(&c->out, 0);
        return;
    }
    if (rs == STORE_WRONGTYPE || rd == STORE_WRONGTYPE) {
        reply_error(c, ERR_WRONGTYPE);
        return;
    }
    if (src == dst) {
        resp_add_int(&c->out,
                     store_coll_get(src, c->argv[3], c->argvlen[3], NULL));
        return;
    }
    if (!store_coll_get(src, c->argv[3], c->argvlen[3], NULL)) {
        resp_add_int(&c->out, 0);
        return;
    }
    /* Make sure the destination can take the member before removing it.
     * Its "new" event waits for the source's events, as in Redis, which
     * creates it only then. */
    int created = 0;
    if (!dst) {
        if (store_coll_open(db, c->argv[2], c->argvlen[2], STORE_T_SET, 1,
                            now, &dst) != STORE_OK) {
            reply_error(c, ERR_OOM);
            return;
        }
        created = 1;
    }
    int rc = store_coll_put(db, dst, c->argv[3], c->argvlen[3], NULL, 0, 0);
    if (rc < 0) {
        if (created)
            store_key_delete(db, c->argv[2], c->argvlen[2], now);
        reply_error(c, ERR_OOM);
        return;
    }
    store_coll_del(db, src, c->argv[3], c->argvlen[3]);
    coll_changed(c, 1, NOTIFY_SET, "srem");
    coll_drop_if_empty(c, 1, src);
    if (created)
        key_new(c, 2);
    if (rc == 1)
        coll_changed(c, 2, NOTIFY_SET, "sadd");
    resp_add_int(&c->out, 1);
}

/* ---- SINTER SUNION SDIFF and their STORE / CARD forms ------------------- */

enum set_op { OP_INTER, OP_UNION, OP_DIFF };

/* The sets named by argv[first..first+n), NULL for missing keys, in
 * sets[]. Returns 1, or 0 after replying WRONGTYPE. Every lookup counts a
 * hit or miss, the STORE forms' too, as in Redis. */
static int sets_or_reply(struct client *c, size_t first, size_t n,
                         struct store_coll **sets)
{
    int64_t now = server_now_ms(c->srv);
    for (size_t j = 0; j < n; j++) {
        size_t i = first + j;
        struct store_entry *e =
            key_lookup_read(c, c->argv[i], c->argvlen[i], now);
        sets[j] = NULL;
        if (!e)
            continue;
        if (store_entry_type(e) != STORE_T_SET) {
            reply_error(c, ERR_WRONGTYPE);
            return 0;
        }
        sets[j] = store_entry_obj(e);
    }
    return 1;
}

static int by_len(const void *a, const void *b)
{
    size_t x = store_coll_len(*(struct store_coll *const *)a);
    size_t y = store_coll_len(*(struct store_coll *const *)b);
    return x < y ? -1 : x > y;
}

/* 1 if v is in every set of sets[0..n). */
static int in_all(struct store_coll **sets, size_t n,
                  const struct store_coll_view *v)
{
    for (size_t k = 0; k < n; k++)
        if (!store_coll_get(sets[k], v->f, v->flen, NULL))
            return 0;
    return 1;
}

/* Computes op over sets[0..n) (NULL = empty) into a new collection, or
 * stops at limit members (0: no limit) counting them in *card without
 * building anything when out is NULL. Returns STORE_OK or STORE_NOMEM. */
static int set_op(struct client *c, enum set_op op, struct store_coll **sets,
                  size_t n, size_t limit, size_t *card,
                  struct store_coll *out)
{
    struct store *db = client_db(c);
    struct store_coll_it it = { 0, NULL };
    struct store_coll_view v;
    *card = 0;
    if (op == OP_INTER) {
        for (size_t k = 0; k < n; k++)
            if (!sets[k])
                return STORE_OK;
        qsort(sets, n, sizeof *sets, by_len);
        while (store_coll_next(sets[0], &it, &v)) {
            if (!in_all(sets + 1, n - 1, &v))
                continue;
            if (out && store_coll_put(db, out, v.f, v.flen, NULL, 0, 0) < 0)
                return STORE_NOMEM;
            if (++*card == limit)
                break;
        }
        return STORE_OK;
    }
    if (op == OP_DIFF) {
        if (!sets[0])
            return STORE_OK;
        while (store_coll_next(sets[0], &it, &v)) {
            size_t k = 1;
            while (k < n && !(sets[k] &&
                              store_coll_get(sets[k], v.f, v.flen, NULL)))
                k++;
            if (k < n)
                continue;
            if (store_coll_put(db, out, v.f, v.flen, NULL, 0, 0) < 0)
                return STORE_NOMEM;
        }
        *card = store_coll_len(out);
        return STORE_OK;
    }
    for (size_t k = 0; k < n; k++) {
        struct store_coll_it jt = { 0, NULL };
        while (sets[k] && store_coll_next(sets[k], &jt, &v))
            if (store_coll_put(db, out, v.f, v.flen, NULL, 0, 0) < 0)
                return STORE_NOMEM;
    }
    *card = store_coll_len(out);
    return STORE_OK;
}

/* SINTER / SUNION / SDIFF (dst 0) and their STORE forms (argv[1] is the
 * destination, event the event name). */
static void set_op_cmd(struct client *c, enum set_op op, int store,
                       const char *event)
{
    size_t first = store ? 2 : 1, n = c->argc - first;
    struct store_coll **sets = malloc(n * sizeof *sets);
    struct store_coll *out = store_coll_new(client_db(c), STORE_T_SET);
    size_t card;
    if (!sets || !out) {
        free(sets);
        store_coll_free(client_db(c), out);
        reply_error(c, ERR_OOM);
        return;
    }
    if (!sets_or_reply(c, first, n, sets)) {
        free(sets);
        store_coll_free(client_db(c), out);
        return;
    }
    int rc = set_op(c, op, sets, n, 0, &card, out);
    free(sets);
    if (rc) {
        store_coll_free(client_db(c), out);
        reply_error(c, ERR_OOM);
        return;
    }
    if (!store) {
        reply_members(c, out);
        store_coll_free(client_db(c), out);
        return;
    }
    struct store *db = client_db(c);
    if (card == 0) {
        store_coll_free(db, out);
        key_store_empty(c, 1);
        resp_add_int(&c->out, 0);
        return;
    }
    if (obj_store(c, STORE_T_SET, out)) {
        store_coll_free(db, out);
        reply_error(c, ERR_OOM);
        return;
    }
    coll_changed(c, 1, NOTIFY_SET, event);
    resp_add_int(&c->out, (int64_t)card);
}

/* SMEMBERS key: the members as a set (SINTER of one key). */
void cmd_smembers(struct client *c)
{
    set_op_cmd(c, OP_INTER, 0, NULL);
}

/* SINTER key [key ...] */
void cmd_sinter(struct client *c)
{
    set_op_cmd(c, OP_INTER, 0, NULL);
}

/* SINTERSTORE destination key [key ...] */
void cmd_sinterstore(struct client *c)
{
    set_op_cmd(c, OP_INTER, 1, "sinterstore");
}

/* SUNION key [key ...] */
void cmd_sunion(struct client *c)
{
    set_op_cmd(c, OP_UNION, 0, NULL);
}

/* SUNIONSTORE destination key [key ...] */
void cmd_sunionstore(struct client *c)
{
    set_op_cmd(c, OP_UNION, 1, "sunionstore");
}

/* SDIFF key [key ...] */
void cmd_sdiff(struct client *c)
{
    set_op_cmd(c, OP_DIFF, 0, NULL);
}

/* SDIFFSTORE destination key [key ...] */
void cmd_sdiffstore(struct client *c)
{
    set_op_cmd(c, OP_DIFF, 1, "sdiffstore");
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit]: the intersection's size,
 * counting stopped at limit (0: no limit). */
void cmd_sintercard(struct client *c)
{
    int64_t numkeys, limit = 0;
    if (!parse_i64(c->argv[1], c->argvlen[1], &numkeys) || numkeys < 1) {
        reply_error(c, ERR_NUMKEYS_ZERO);
        return;
    }
    if ((uint64_t)numkeys > c->argc - 2) {
        reply_error(c, ERR_NUMKEYS_ARGS);
        return;
    }
    for (size_t j = 2 + (size_t)numkeys; j < c->argc; j++) {
        if (arg_is(c, j, "LIMIT") && j + 1 < c->argc) {
            j++;
            if (!parse_i64(c->argv[j], c->argvlen[j], &limit) || limit < 0) {
                reply_error(c, ERR_LIMIT_NEG);
                return;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    size_t n = (size_t)numkeys, card;
    struct store_coll **sets = malloc(n * sizeof *sets);
    if (!sets) {
        reply_error(c, ERR_OOM);
        return;
    }
    if (sets_or_reply(c, 2, n, sets)) {
        set_op(c, OP_INTER, sets, n, (size_t)limit, &card, NULL);
        resp_add_int(&c->out, (int64_t)card);
    }
    free(sets);
}

/* SSCAN key cursor [MATCH pattern] [COUNT count] */
void cmd_sscan(struct client *c)
{
    cmd_coll_scan(c, STORE_T_SET);
}
