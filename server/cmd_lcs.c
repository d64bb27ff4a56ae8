/* cmd_lcs.c - LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN],
 * the longest common subsequence of two strings, as Redis 7.0 replies it:
 * the subsequence itself, its length (LEN), or a map of its match runs
 * and its length (IDX; an array of four in RESP2), runs shorter than
 * MINMATCHLEN left out, each with its length after WITHMATCHLEN.
 *
 * Redis's order is visible: both keys are read (a missing key is the
 * empty string, each lookup a keyspace hit or miss), then their types
 * are checked (with LCS's own error, not WRONGTYPE), then the options.
 * The table and its walk are store/lcs.c's; its (len1 + 1) x (len2 + 1)
 * counts are allocated per call, as in Redis, refused with Redis's error
 * when larger than proto-max-bulk-len, and a failed allocation is
 * Redis's error, not a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "server/handlers.h"
#include "server/keys.h"
#include "server/server.h"

/* What LCS IDX gathers while the table is walked. */
struct lcs_runs {
    struct resp_out out;        /* the runs' replies */
    size_t n;
    int64_t minlen;
    int withlen;
};

static void add_run(void *ctx, size_t a0, size_t a1, size_t b0, size_t b1)
{
    struct lcs_runs *r = ctx;
    int64_t len = (int64_t)(a1 - a0) + 1;
    if (r->minlen > 0 && len < r->minlen)
        return;
    resp_add_array(&r->out, 2 + (size_t)r->withlen);
    resp_add_array(&r->out, 2);
    resp_add_int(&r->out, (int64_t)a0);
    resp_add_int(&r->out, (int64_t)a1);
    resp_add_array(&r->out, 2);
    resp_add_int(&r->out, (int64_t)b0);
    resp_add_int(&r->out, (int64_t)b1);
    if (r->withlen)
        resp_add_int(&r->out, len);
    r->n++;
}

/* Argument i's string value (borrowed) in *p / *n: "" when missing.
 * Returns 0 when the key holds another type. */
static int lcs_arg(struct client *c, size_t i, int64_t now, int count,
                   const char **p, size_t *n)
{
    struct store_entry *e =
        count ? key_lookup_read(c, c->argv[i], c->argvlen[i], now)
              : store_key_peek(client_db(c), c->argv[i], c->argvlen[i], now);
    *p = "";
    *n = 0;
    if (!e)
        return 1;
    if (store_entry_type(e) != STORE_T_STRING)
        return 0;
    *p = store_entry_str(e, n);
    return 1;
}

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] */
void cmd_lcs(struct client *c)
{
    const char *a, *b;
    size_t alen, blen;
    int64_t now = server_now_ms(c->srv);
    /* Both looked up, each a hit or miss, before either type is checked,
     * as Redis does. The second lookup may expire its key, which may
     * move the first one's value: peek at the first again (live at now,
     * so nothing moves this time, and nothing is counted twice). */
    int aok = lcs_arg(c, 1, now, 1, &a, &alen);
    int bok = lcs_arg(c, 2, now, 1, &b, &blen);
    if (!aok || !bok) {
        reply_error(c, ERR_LCS_TYPE);
        return;
    }
    lcs_arg(c, 1, now, 0, &a, &alen);

    int getlen = 0, getidx = 0, withlen = 0;
    int64_t minlen = 0;
    for (size_t j = 3; j < c->argc; j++) {
        if (arg_is(c, j, "IDX")) {
            getidx = 1;
        } else if (arg_is(c, j, "LEN")) {
            getlen = 1;
        } else if (arg_is(c, j, "WITHMATCHLEN")) {
            withlen = 1;
        } else if (arg_is(c, j, "MINMATCHLEN") && j + 1 < c->argc) {
            if (!arg_i64_or_reply(c, ++j, &minlen))
                return;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if (getidx && getlen) {
        reply_error(c, ERR_LCS_LEN_IDX);
        return;
    }

    /* Redis refuses a table of counts larger than proto-max-bulk-len
     * before it tries to allocate one (strings of at most 512 MB: the
     * product fits in 64 bits). */
    uint64_t cells = (uint64_t)(alen + 1) * (uint64_t)(blen + 1);
    if (cells > c->srv->conf.proto_max_bulk_len / sizeof(uint32_t)) {
        reply_error(c, ERR_LCS_TABLE_LIMIT);
        return;
    }
    struct store_lcs l;
    int rc = store_lcs_init(&l, a, alen, b, blen);
    if (rc != STORE_OK) {
        reply_error(c, rc == STORE_TOO_BIG ? ERR_LCS_TOO_LONG : ERR_LCS_NOMEM);
        return;
    }
    size_t len = store_lcs_len(&l);
    if (getidx) {
        struct lcs_runs r = { .minlen = minlen, .withlen = withlen };
        resp_out_init(&r.out, c->out.proto);
        store_lcs_walk(&l, NULL, add_run, &r);
        resp_add_map(&c->out, 2);
        resp_add_bulk_cstr(&c->out, "matches");
        resp_add_array(&c->out, r.n);
        resp_add_raw(&c->out, r.out.data, r.out.len);
        resp_add_bulk_cstr(&c->out, "len");
        resp_add_int(&c->out, (int64_t)len);
        resp_out_close(&r.out);
    } else if (getlen) {
        resp_add_int(&c->out, (int64_t)len);
    } else {
        char *out = malloc(len ? len : 1);
        if (!out) {
            store_lcs_free(&l);
            reply_error(c, ERR_LCS_NOMEM);
            return;
        }
        store_lcs_walk(&l, out, NULL, NULL);
        resp_add_bulk(&c->out, out, len);
        free(out);
    }
    store_lcs_free(&l);
}
