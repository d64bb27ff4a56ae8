/* cmd_hll.c - the HyperLogLog commands: PFADD PFCOUNT PFMERGE, and
 * PFDEBUG and PFSELFTEST to look inside. The format and the arithmetic are
 * store/hll.c's; this file finds the string values, checks them, writes
 * them back and replies.
 *
 * A HyperLogLog is a plain string, so GET, SET, APPEND and friends see the
 * same bytes as on Redis. A string is accepted when its header is right
 * (store_hll_valid); anything else is "WRONGTYPE Key is not a valid
 * HyperLogLog string value.", while another type gets the usual WRONGTYPE.
 * Registers that do not decode are found only when walked, and give
 * "INVALIDOBJ Corrupted HLL object detected".
 *
 * Side effects follow Redis 7.0:
 *
 *   PFADD    creates the key (its "new" event); when the key was created
 *            or a register changed: WATCH, dirty + 1 per change, a
 *            "pfadd" event and a stale cached count.
 *   PFCOUNT  one key: the cached count, or a fresh one written back to the
 *            header, which touches WATCH and dirty but fires no event
 *            (Redis flags it readonly all the same). Several keys: the
 *            count of their union, nothing written.
 *   PFMERGE  destkey becomes the union of itself and the sources (dense
 *            when any input is dense), created if missing; always WATCH,
 *            dirty, a "pfadd" event (Redis's choice) and a stale count.
 *   PFDEBUG  GETREG and TODENSE make a sparse value dense: dirty only.
 *
 * PFSELFTEST runs store/hll.c's own checks.
 *
 * Sparse values are edited in a private copy and written back, since a
 * write may grow them a few bytes at a time; dense values, which never
 * change size, are edited in place. PFCOUNT and PFMERGE count a keyspace
 * hit or miss per key read, PFADD none, as in Redis. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/pubsub.h"
#include "server/server.h"

/* 1 if e holds a HyperLogLog, with its bytes in *p and *n (borrowed,
 * valid until the next store call); else replies WRONGTYPE (the generic
 * text for another type, the HyperLogLog one for a string) and returns
 * 0. */
static int hll_view_or_reply(struct client *c, const struct store_entry *e,
                             const unsigned char **p, size_t *n)
{
    if (!key_is_string_or_reply(c, e))
        return 0;
    *p = (const unsigned char *)store_entry_str(e, n);
    if (store_hll_valid(*p, *n))
        return 1;
    reply_error(c, ERR_HLL_WRONGTYPE);
    return 0;
}

/* Replies the error for a store_hll_* failure code. */
static void hll_reply_failure(struct client *c, int rc)
{
    reply_error(c, rc == STORE_HLL_INVALID ? ERR_HLL_INVALID : ERR_OOM);
}

/* Merges the HyperLogLogs at arguments from..argc-1 into max (2^14
 * registers), counting a hit or miss for each; missing keys are empty.
 * Sets *dense when one of them is dense. Returns 0 after replying an
 * error. */
static int hll_union_or_reply(struct client *c, size_t from, uint8_t *max,
                              int *dense)
{
    int64_t now = server_now_ms(c->srv);
    for (size_t i = from; i < c->argc; i++) {
        struct store_entry *e =
            key_lookup_read(c, c->argv[i], c->argvlen[i], now);
        if (!e)
            continue;
        const unsigned char *p;
        size_t n;
        if (!hll_view_or_reply(c, e, &p, &n))
            return 0;
        if (p[4] == STORE_HLL_DENSE)
            *dense = 1;
        if (store_hll_merge(max, p, n) != STORE_OK) {
            reply_error(c, ERR_HLL_INVALID);
            return 0;
        }
    }
    return 1;
}

/* The HyperLogLog at argument i for a write, created empty when missing
 * (its "new" event sent, *created set). Returns the entry, or NULL after
 * replying WRONGTYPE or OOM. */
static struct store_entry *hll_write_or_reply(struct client *c, size_t i,
                                              int *created)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = store_key_find(db, c->argv[i], c->argvlen[i], now);
    *created = 0;
    if (e) {
        const unsigned char *p;
        size_t n;
        return hll_view_or_reply(c, e, &p, &n) ? e : NULL;
    }
    unsigned char empty[STORE_HLL_EMPTY_SIZE];
    store_hll_init(empty);
    if (store_key_set(db, c->argv[i], c->argvlen[i], (const char *)empty,
                      sizeof(empty), STORE_NO_TTL, now) != STORE_OK ||
        !(e = store_key_find(db, c->argv[i], c->argvlen[i], now))) {
        reply_error(c, ERR_OOM);
        return NULL;
    }
    key_new(c, i);
    *created = 1;
    return e;
}

/* Opens e's value for editing: in place when dense, else a private copy.
 * Returns 0 on OOM. */
static int hll_open(struct client *c, struct store_entry **e,
                    struct store_hll_buf *b)
{
    size_t n;
    const char *v = store_entry_str(*e, &n);
    if (v[4] == STORE_HLL_DENSE) {
        b->p = (unsigned char *)store_str_resize(client_db(c), e, n);
        b->len = b->cap = n;
        return b->p != NULL;
    }
    /* A few bytes of room: the first sparse write grows it by up to 3. */
    b->cap = n + 16;
    b->p = malloc(b->cap);
    if (!b->p)
        return 0;
    memcpy(b->p, v, n);
    b->len = n;
    return 1;
}

/* Ends the edit of e opened by hll_open: the copy, if any, is written
 * back when keep is set, and freed. Returns e's writable value, or NULL
 * on OOM (value then unchanged). */
static unsigned char *hll_close(struct client *c, struct store_entry **e,
                                struct store_hll_buf *b, int keep)
{
    size_t n;
    const char *v = store_entry_str(*e, &n);
    if ((const char *)b->p == v)
        return b->p;
    char *p = NULL;
    if (keep && (p = store_str_resize(client_db(c), e, b->len)))
        memcpy(p, b->p, b->len);
    else if (!keep)
        p = store_str_resize(client_db(c), e, n);
    free(b->p);
    b->p = NULL;
    return (unsigned char *)p;
}

/* PFADD key [element ...]: 1 if the key was created or a register
 * changed, else 0. */
void cmd_pfadd(struct client *c)
{
    int created;
    struct store_entry *e = hll_write_or_reply(c, 1, &created);
    if (!e)
        return;
    struct store_hll_buf b;
    if (!hll_open(c, &e, &b)) {
        reply_error(c, ERR_OOM);
        return;
    }
    size_t max = (size_t)c->srv->conf.hll_sparse_max_bytes;
    uint64_t changes = 0;
    int rc = 0;
    for (size_t i = 2; i < c->argc && rc >= 0; i++) {
        rc = store_hll_add(&b, c->argv[i], c->argvlen[i], max);
        if (rc > 0)
            changes++;
    }
    /* Registers set before a broken part was met stay set, as in Redis,
     * and so does the stale count: Redis's sparse write marks it at each
     * change, before the error is known. */
    unsigned char *p = hll_close(c, &e, &b, changes > 0);
    if (!p) {
        reply_error(c, ERR_OOM);
        return;
    }
    if (changes)
        store_hll_invalidate(p);
    if (rc < 0) {
        hll_reply_failure(c, rc);
        return;
    }
    uint64_t updated = changes + (created ? 1 : 0);
    if (updated) {
        store_hll_invalidate(p);
        server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
        server_dirty_elements(c->srv, updated);
        server_notify(c->srv, NOTIFY_STRING, "pfadd", c->db, c->argv[1],
                      c->argvlen[1]);
    }
    resp_add_int(&c->out, updated ? 1 : 0);
}

/* PFCOUNT key [key ...]: the estimated number of distinct elements. */
void cmd_pfcount(struct client *c)
{
    if (c->argc > 2) {
        uint8_t *max = calloc(1, STORE_HLL_REGISTERS);
        int dense = 0;
        if (!max) {
            reply_error(c, ERR_OOM);
            return;
        }
        if (hll_union_or_reply(c, 1, max, &dense))
            resp_add_int(&c->out, (int64_t)store_hll_count_raw(max));
        free(max);
        return;
    }
    struct store_entry *e = key_lookup_read(c, c->argv[1], c->argvlen[1],
                                            server_now_ms(c->srv));
    if (!e) {
        resp_add_int(&c->out, 0);
        return;
    }
    const unsigned char *v;
    size_t n;
    if (!hll_view_or_reply(c, e, &v, &n))
        return;
    uint64_t card;
    if (!store_hll_cached(v, &card)) {
        int invalid;
        card = store_hll_count(v, n, &invalid);
        if (invalid) {
            reply_error(c, ERR_HLL_INVALID);
            return;
        }
        unsigned char *p =
            (unsigned char *)store_str_resize(client_db(c), &e, n);
        if (!p) {
            reply_error(c, ERR_OOM);
            return;
        }
        store_hll_cache_set(p, card);
        server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    }
    resp_add_int(&c->out, (int64_t)card);
}

/* PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself
 * and the sources. */
void cmd_pfmerge(struct client *c)
{
    uint8_t *max = calloc(1, STORE_HLL_REGISTERS);
    int dense = 0, created;
    if (!max) {
        reply_error(c, ERR_OOM);
        return;
    }
    struct store_entry *e;
    if (!hll_union_or_reply(c, 1, max, &dense) ||
        !(e = hll_write_or_reply(c, 1, &created)))
        goto done;
    struct store_hll_buf b;
    if (!hll_open(c, &e, &b)) {
        reply_error(c, ERR_OOM);
        goto done;
    }
    /* max holds destkey's own registers too, so a dense result is max. */
    int rc = dense ? store_hll_to_dense(&b) : STORE_OK;
    if (dense && rc >= 0)
        rc = store_hll_set_all(&b, max);
    size_t maxb = (size_t)c->srv->conf.hll_sparse_max_bytes;
    for (unsigned i = 0; !dense && i < STORE_HLL_REGISTERS && rc >= 0; i++)
        if (max[i])
            rc = store_hll_set(&b, i, max[i], maxb);
    unsigned char *p = hll_close(c, &e, &b, rc >= 0);
    if (!p || rc < 0) {
        hll_reply_failure(c, p ? rc : STORE_NOMEM);
        goto done;
    }
    store_hll_invalidate(p);
    server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
    server_notify(c->srv, NOTIFY_STRING, "pfadd", c->db, c->argv[1],
                  c->argvlen[1]);
    reply_ok(c);
done:
    free(max);
}

/* ---- PFDEBUG ------------------------------------------------------------ */

/* Converts the sparse value of e to dense in place of the old one: 1 if
 * it converted, 0 if already dense, or -1 after replying INVALIDOBJ or
 * OOM. Counted in dirty, though WATCH and events are left alone: Redis
 * does the same, since the registers do not change. */
static int hll_to_dense_or_reply(struct client *c, struct store_entry **e)
{
    size_t n;
    const char *v = store_entry_str(*e, &n);
    if (v[4] == STORE_HLL_DENSE)
        return 0;
    struct store_hll_buf b;
    if (!hll_open(c, e, &b)) {
        reply_error(c, ERR_OOM);
        return -1;
    }
    int rc = store_hll_to_dense(&b);
    if (!hll_close(c, e, &b, rc == STORE_OK) || rc != STORE_OK) {
        hll_reply_failure(c, rc == STORE_OK ? STORE_NOMEM : rc);
        return -1;
    }
    c->srv->dirty++;
    return 1;
}

/* A growing text for PFDEBUG DECODE (owned by the caller). */
struct hll_text {
    char *p;
    size_t len, cap;
    int oom;
};

static void decode_op(char kind, unsigned len, unsigned val, void *ctx)
{
    struct hll_text *t = ctx;
    char item[32];
    int n = kind == 'v' ? snprintf(item, sizeof(item), "v:%u,%u ", val, len)
                        : snprintf(item, sizeof(item), "%c:%u ", kind, len);
    if (t->len + (size_t)n > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char *p = t->oom ? NULL : realloc(t->p, cap);
        if (!p) {
            t->oom = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, item, (size_t)n);
    t->len += (size_t)n;
}

/* PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: GETREG replies the 2^14
 * registers (making the value dense), DECODE the sparse opcodes as text
 * ("z:len" ZERO, "Z:len" XZERO, "v:value,len" VAL), ENCODING "dense" or
 * "sparse", TODENSE 1 if it converted the value, else 0. The key is
 * checked before the subcommand's name. */
void cmd_pfdebug(struct client *c)
{
    struct store_entry *e = store_key_find(client_db(c), c->argv[2],
                                           c->argvlen[2],
                                           server_now_ms(c->srv));
    const unsigned char *v;
    size_t n;
    if (!e) {
        reply_error(c, ERR_PFDEBUG_NOKEY);
        return;
    }
    if (!hll_view_or_reply(c, e, &v, &n))
        return;
    const char *sub = c->argv[1];
    if (strcasecmp(sub, "GETREG") == 0) {
        if (hll_to_dense_or_reply(c, &e) < 0)
            return;
        v = (const unsigned char *)store_entry_str(e, &n);
        resp_add_array(&c->out, STORE_HLL_REGISTERS);
        for (unsigned i = 0; i < STORE_HLL_REGISTERS; i++)
            resp_add_int(&c->out, store_hll_register(v, i));
    } else if (strcasecmp(sub, "DECODE") == 0) {
        if (v[4] != STORE_HLL_SPARSE) {
            reply_error(c, ERR_PFDEBUG_NOT_SPARSE);
            return;
        }
        struct hll_text t = { NULL, 0, 0, 0 };
        store_hll_sparse_ops(v, n, decode_op, &t);
        if (t.oom)
            reply_error(c, ERR_OOM);
        else   /* without the last item's space */
            resp_add_bulk(&c->out, t.p ? t.p : "", t.len ? t.len - 1 : 0);
        free(t.p);
    } else if (strcasecmp(sub, "ENCODING") == 0) {
        resp_add_simple(&c->out, v[4] == STORE_HLL_DENSE ? "dense" : "sparse");
    } else if (strcasecmp(sub, "TODENSE") == 0) {
        int rc = hll_to_dense_or_reply(c, &e);
        if (rc >= 0)
            resp_add_int(&c->out, rc);
    } else {
        reply_error(c, ERR_PFDEBUG_SUBCMD, ARGV_CLIPPED(c, 1));
    }
}

/* PFSELFTEST: runs store/hll.c's self-test (about a second, blocking like
 * Redis's) and replies OK, or TESTFAILED with what went wrong. */
void cmd_pfselftest(struct client *c)
{
    char what[160] = "";
    int rc = store_hll_selftest((uint64_t)server_now_ms(c->srv), what,
                                sizeof(what));
    if (rc == 0)
        reply_ok(c);
    else if (rc == STORE_NOMEM)
        reply_error(c, ERR_OOM);
    else
        reply_error(c, ERR_PFSELFTEST, what);
}
