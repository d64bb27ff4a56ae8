/* cmd_sort.c - SORT and SORT_RO:
 *
 *   SORT key [BY pattern] [LIMIT offset count] [GET pattern ...]
 *        [ASC|DESC] [ALPHA] [STORE destination]
 *
 * as Redis 7.0 runs it, in its order: the options are parsed first (so a
 * syntax error beats WRONGTYPE), then the key is read (a missing key is
 * an empty list), LIMIT is clipped to its length, the elements are
 * copied out, each gets its score or BY value, store/sort.c orders them,
 * and the LIMIT window is replied or stored as a list.
 *
 * A pattern names a key by putting the element in place of its first
 * '*'; "key->field" after that '*' reads a hash field instead of a
 * string; "#" (GET only) is the element itself. Like Redis, which reads
 * patterns as C strings, a pattern is searched only up to its first NUL.
 * A BY pattern without '*' means "do not sort" for good, even if another
 * BY follows: a list or sorted set then keeps its order (LIMIT and DESC
 * applied to it), a set its iteration order, except with STORE or from a
 * script, where Redis sorts a set's members ALPHA to stay deterministic.
 *
 * Elements are copied before any BY or GET lookup, since a lookup may
 * expire keys and so move the store under a borrowed view. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/acl.h"
#include "server/coll.h"
#include "server/handlers.h"
#include "server/keys.h"
#include "server/server.h"

/* A growable byte buffer; items point into it once it stops growing. */
struct arena {
    char *p;
    size_t len, cap;
};

/* Appends s[0..n) and a NUL; returns its offset, or SIZE_MAX on OOM. */
static size_t arena_add(struct arena *a, const char *s, size_t n)
{
    if (a->cap - a->len < n + 1) {
        size_t cap = a->cap ? a->cap : 256;
        while (cap - a->len < n + 1)
            cap *= 2;
        char *p = realloc(a->p, cap);
        if (!p)
            return SIZE_MAX;
        a->p = p;
        a->cap = cap;
    }
    size_t at = a->len;
    memcpy(a->p + at, s, n);
    a->p[at + n] = '\0';
    a->len += n + 1;
    return at;
}

/* The options of one SORT call. */
struct sort_opts {
    int desc, alpha, dontsort;
    const char *by;             /* BY pattern (borrowed), or NULL */
    size_t bylen;
    int64_t lstart, lcount;     /* LIMIT, or 0 and -1 */
    size_t store_at;            /* STORE's argument index, or 0 */
    size_t *gets;               /* GET patterns' argument indexes */
    size_t ngets;
};

/* Parses argv[2..] into o. Returns 1, or 0 after replying the error. */
static int sort_parse_or_reply(struct client *c, int ro, struct sort_opts *o)
{
    for (size_t j = 2; j < c->argc; j++) {
        size_t left = c->argc - j - 1;
        if (arg_is(c, j, "ASC")) {
            o->desc = 0;
        } else if (arg_is(c, j, "DESC")) {
            o->desc = 1;
        } else if (arg_is(c, j, "ALPHA")) {
            o->alpha = 1;
        } else if (arg_is(c, j, "LIMIT") && left >= 2) {
            if (!arg_i64_or_reply(c, j + 1, &o->lstart) ||
                !arg_i64_or_reply(c, j + 2, &o->lcount))
                return 0;
            j += 2;
        } else if (arg_is(c, j, "STORE") && left >= 1 && !ro) {
            o->store_at = ++j;
        } else if (arg_is(c, j, "BY") && left >= 1) {
            o->by = c->argv[++j];
            o->bylen = c->argvlen[j];
            if (!memchr(o->by, '*', strnlen(o->by, o->bylen))) {
                o->dontsort = 1;
            } else if (!acl_client_reads_all_keys(c)) {
                /* A pattern reads keys no ACL check saw. */
                reply_error(c, ERR_SORT_BY_ACL);
                return 0;
            }
        } else if (arg_is(c, j, "GET") && left >= 1) {
            if (!acl_client_reads_all_keys(c)) {
                reply_error(c, ERR_SORT_GET_ACL);
                return 0;
            }
            o->gets[o->ngets++] = ++j;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* Looks up what pattern pat[0..plen) names for element e[0..elen): the
 * element itself for "#", a string key's value, or a hash field. 1 and
 * the value in *v / *vlen (borrowed until the next store call), or 0
 * when there is none. key is scratch space the caller frees. */
static int sort_lookup(struct client *c, const char *pat, size_t plen,
                       const char *e, size_t elen, struct arena *key,
                       const char **v, size_t *vlen)
{
    size_t clen = strnlen(pat, plen);
    if (clen == 1 && pat[0] == '#') {
        *v = e;
        *vlen = elen;
        return 1;
    }
    const char *star = memchr(pat, '*', clen);
    if (!star)
        return 0;
    /* "->field" after the '*', with at least one byte of field. */
    const char *field = NULL;
    size_t flen = 0;
    for (const char *f = star + 1; f + 2 < pat + clen; f++) {
        if (f[0] == '-' && f[1] == '>') {
            field = f + 2;
            flen = plen - (size_t)(field - pat);
            break;
        }
    }
    size_t pre = (size_t)(star - pat);
    size_t post = plen - pre - 1 - (field ? flen + 2 : 0);
    key->len = 0;
    if (arena_add(key, pat, pre) == SIZE_MAX)
        return 0;
    key->len--;
    if (arena_add(key, e, elen) == SIZE_MAX)
        return 0;
    key->len--;
    if (arena_add(key, star + 1, post) == SIZE_MAX)
        return 0;
    struct store_entry *ent = key_lookup_read(c, key->p, key->len - 1,
                                              server_now_ms(c->srv));
    if (!ent)
        return 0;
    if (field) {
        struct store_coll_view fv;
        if (store_entry_type(ent) != STORE_T_HASH)
            return 0;
        /* A field past its TTL is missing; deleting it here would move
         * the values earlier lookups point into. */
        const struct store_coll *hc = store_entry_obj(ent);
        int r = store_coll_lookup(hc, field, flen, &fv);
        if (r == 0 || (r == 2 && store_coll_field_expired(
                                     hc, field, flen, server_now_ms(c->srv))))
            return 0;
        *v = fv.v;
        *vlen = fv.vlen;
        return 1;
    }
    if (store_entry_type(ent) != STORE_T_STRING)
        return 0;
    *v = store_entry_str(ent, vlen);
    return 1;
}

/* Copies the elements of o (type t; NULL: none) into items and arena:
 * n of them from rank start (from the end with rev) when window, else
 * all. Returns the count, or SIZE_MAX on OOM; items' p are offsets into
 * the arena until the caller fixes them. */
static size_t sort_gather(void *o, enum store_type t, int window,
                          size_t start, size_t n, int rev,
                          struct store_sort_item *items, struct arena *a)
{
    size_t k = 0, at;
    if (!o)
        return 0;
    if (t == STORE_T_LIST) {
        struct store_list_it it;
        struct store_list_view v;
        size_t len = store_list_len(o);
        if (!window)
            start = 0, n = len, rev = 0;
        store_list_it_init(o, rev ? len - start - 1 : start, rev, &it);
        while (k < n && store_list_next(&it, &v)) {
            if ((at = arena_add(a, v.p, v.len)) == SIZE_MAX)
                return SIZE_MAX;
            items[k].p = (const char *)(uintptr_t)at;
            items[k++].len = v.len;
        }
    } else if (t == STORE_T_SET) {
        struct store_coll_it it = { 0, NULL };
        struct store_coll_view v;
        while (store_coll_next(o, &it, &v)) {
            if ((at = arena_add(a, v.f, v.flen)) == SIZE_MAX)
                return SIZE_MAX;
            items[k].p = (const char *)(uintptr_t)at;
            items[k++].len = v.flen;
        }
    } else {
        struct store_zset_it it;
        struct store_zset_view v;
        if (!window)
            start = 0, n = store_zset_len(o), rev = 0;
        store_zset_seek(o, start, rev, &it);
        while (k < n && store_zset_next(o, &it, &v)) {
            if ((at = arena_add(a, v.m, v.mlen)) == SIZE_MAX)
                return SIZE_MAX;
            items[k].p = (const char *)(uintptr_t)at;
            items[k++].len = v.mlen;
        }
    }
    return k;
}

/* Gives every item its score, or its BY value (copied into byarena, as
 * an offset to fix). Returns 0, 1 when a score is not a number, or -1 on
 * OOM. */
static int sort_scores(struct client *c, const struct sort_opts *o,
                       struct store_sort_item *items, size_t n,
                       struct arena *byarena, struct arena *key)
{
    int bad = 0;
    for (size_t j = 0; j < n; j++) {
        items[j].score = 0;
        items[j].by = NULL;
        if (!o->by) {
            if (!o->alpha &&
                !store_sort_score(items[j].p, items[j].len, &items[j].score))
                bad = 1;
            continue;
        }
        const char *v;
        size_t vlen;
        if (!sort_lookup(c, o->by, o->bylen, items[j].p, items[j].len, key,
                         &v, &vlen))
            continue;
        size_t at = arena_add(byarena, v, vlen);
        if (at == SIZE_MAX)
            return -1;
        if (o->alpha) {
            /* An offset, plus one so that NULL still means missing. */
            items[j].by = (const char *)(uintptr_t)(at + 1);
            items[j].bylen = vlen;
        } else if (!store_sort_score(byarena->p + at, vlen,
                                     &items[j].score)) {
            bad = 1;
        }
    }
    for (size_t j = 0; j < n; j++)
        if (items[j].by)
            items[j].by = byarena->p + ((uintptr_t)items[j].by - 1);
    return bad;
}

/* Stores the output window as a list at argument o->store_at (deleting
 * it when the window is empty) and replies its length. */
static void sort_store(struct client *c, const struct sort_opts *o,
                       const struct store_sort_item *items, int64_t start,
                       int64_t end, struct arena *key)
{
    struct store *db = client_db(c);
    size_t d = o->store_at;
    int64_t outlen = (end - start + 1) * (int64_t)(o->ngets ? o->ngets : 1);
    struct store_list *l = store_list_new(db);
    if (!l) {
        reply_error(c, ERR_OOM);
        return;
    }
    for (int64_t j = start; j <= end; j++) {
        int rc = STORE_OK;
        if (!o->ngets)
            rc = store_list_push(db, l, STORE_LIST_TAIL, items[j].p,
                                 items[j].len);
        for (size_t g = 0; g < o->ngets && rc == STORE_OK; g++) {
            const char *v = "";
            size_t vlen = 0;
            size_t i = o->gets[g];
            sort_lookup(c, c->argv[i], c->argvlen[i], items[j].p,
                        items[j].len, key, &v, &vlen);
            rc = store_list_push(db, l, STORE_LIST_TAIL, v, vlen);
        }
        if (rc != STORE_OK) {
            store_list_free(db, l);
            reply_error(c, ERR_OOM);
            return;
        }
    }
    int64_t now = server_now_ms(c->srv);
    if (outlen == 0) {
        store_list_free(db, l);
        key_store_empty(c, d);
        resp_add_int(&c->out, 0);
        return;
    }
    int existed = store_key_find(db, c->argv[d], c->argvlen[d], now) != NULL;
    if (store_key_set_obj(db, c->argv[d], c->argvlen[d], STORE_T_LIST, l,
                          now) != STORE_OK) {
        store_list_free(db, l);
        reply_error(c, ERR_OOM);
        return;
    }
    if (!existed)
        key_new(c, d);
    coll_changed(c, d, NOTIFY_LIST, "sortstore");
    server_dirty_elements(c->srv, (uint64_t)outlen);
    resp_add_int(&c->out, outlen);
}

/* Replies the output window: each element, or what its GET patterns
 * name (a null for none). */
static void sort_reply(struct client *c, const struct sort_opts *o,
                       const struct store_sort_item *items, int64_t start,
                       int64_t end, struct arena *key)
{
    int64_t outlen = (end - start + 1) * (int64_t)(o->ngets ? o->ngets : 1);
    resp_add_array(&c->out, (size_t)outlen);
    for (int64_t j = start; j <= end; j++) {
        if (!o->ngets)
            resp_add_bulk(&c->out, items[j].p, items[j].len);
        for (size_t g = 0; g < o->ngets; g++) {
            const char *v;
            size_t vlen, i = o->gets[g];
            if (sort_lookup(c, c->argv[i], c->argvlen[i], items[j].p,
                            items[j].len, key, &v, &vlen))
                resp_add_bulk(&c->out, v, vlen);
            else
                resp_add_null(&c->out);
        }
    }
}

/* SORT and SORT_RO (ro: STORE is a syntax error). */
static void sort_generic(struct client *c, int ro)
{
    struct sort_opts o = { .lcount = -1 };
    struct arena elems = { 0 }, byvals = { 0 }, key = { 0 };
    struct store_sort_item *items = NULL;
    o.gets = malloc(c->argc * sizeof(*o.gets));
    if (!o.gets) {
        reply_error(c, ERR_OOM);
        return;
    }
    if (!sort_parse_or_reply(c, ro, &o))
        goto done;

    struct store_entry *e = key_lookup_read(c, c->argv[1], c->argvlen[1],
                                            server_now_ms(c->srv));
    enum store_type t = e ? store_entry_type(e) : STORE_T_LIST;
    if (t != STORE_T_LIST && t != STORE_T_SET && t != STORE_T_ZSET) {
        reply_error(c, ERR_WRONGTYPE);
        goto done;
    }
    void *obj = e ? store_entry_obj(e) : NULL;
    /* Redis reads a sorted set to sort as a skip list, converting a
     * compact one for good (OBJECT ENCODING, DUMP and ZSCAN show it). */
    if (obj && t == STORE_T_ZSET &&
        store_zset_expand(client_db(c), obj) != STORE_OK) {
        reply_error(c, ERR_OOM);
        goto done;
    }
    if (o.dontsort && t == STORE_T_SET &&
        (o.store_at || (c->flags & CLIENT_SCRIPT))) {
        o.dontsort = 0;
        o.alpha = 1;
        o.by = NULL;
    }

    /* LIMIT clipped to the length, as Redis does. */
    int64_t len = obj ? (int64_t)store_obj_len(t, obj) : 0;
    int64_t start = o.lstart < 0 ? 0 : o.lstart > len ? len : o.lstart;
    int64_t count = o.lcount < -1 ? -1 : o.lcount > len ? len : o.lcount;
    int64_t end = count < 0 ? len - 1 : start + count - 1;
    if (start >= len) {
        start = len - 1;
        end = len - 2;
    }
    if (end >= len)
        end = len - 1;

    /* A list or sorted set left unsorted gives just the window. */
    int window = o.dontsort && t != STORE_T_SET;
    size_t want = (size_t)len;
    if (window)
        want = end >= start ? (size_t)(end - start + 1) : 0;
    items = malloc((want ? want : 1) * sizeof(*items));
    if (!items) {
        reply_error(c, ERR_OOM);
        goto done;
    }
    size_t n = want ? sort_gather(obj, t, window, (size_t)start, want,
                                  o.desc, items, &elems)
                    : 0;
    if (n == SIZE_MAX) {
        reply_error(c, ERR_OOM);
        goto done;
    }
    for (size_t j = 0; j < n; j++)
        items[j].p = elems.p + (uintptr_t)items[j].p;
    if (window) {
        end -= start;
        start = 0;
    }

    int bad = 0;
    if (!o.dontsort) {
        bad = sort_scores(c, &o, items, n, &byvals, &key);
        unsigned flags = (o.desc ? STORE_SORT_DESC : 0) |
                         (o.alpha ? STORE_SORT_ALPHA : 0) |
                         (o.by ? STORE_SORT_BY : 0) |
                         (o.store_at ? STORE_SORT_BINARY : 0);
        if (bad < 0 || store_sort_items(items, n, flags) != STORE_OK) {
            reply_error(c, ERR_OOM);
            goto done;
        }
    }
    if (bad)
        reply_error(c, ERR_SORT_SCORE);
    else if (o.store_at)
        sort_store(c, &o, items, start, end, &key);
    else
        sort_reply(c, &o, items, start, end, &key);
done:
    free(items);
    free(elems.p);
    free(byvals.p);
    free(key.p);
    free(o.gets);
}

/* SORT key [BY pattern] [LIMIT offset count] [GET pattern ...]
 *      [ASC|DESC] [ALPHA] [STORE destination] */
void cmd_sort(struct client *c)
{
    sort_generic(c, 0);
}

/* SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...]
 *         [ASC|DESC] [ALPHA] */
void cmd_sort_ro(struct client *c)
{
    sort_generic(c, 1);
}
