/* cmd_list.c - the list commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP
 * LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP,
 * and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
 *
 * Lists live in store/list.c; these handlers parse, look the key up with
 * obj_read / obj_write (coll.h) and reply as Redis 7.0 does, in the order
 * Redis checks things, which clients can see: LRANGE, LTRIM and LREM
 * parse their numbers before the lookup, LINDEX and LSET after it; LPOP
 * with a count answers a missing key with a null array and a count of 0
 * with an empty one; LPOS parses every option before the lookup.
 *
 * Keyspace events follow Redis: lpush/rpush, lpop/rpop (also for LMPOP
 * and the blocking pops), linsert, lset, lrem, ltrim, and for LMOVE the
 * push event on the destination before the pop event on the source; an
 * emptied list loses its key with a "del" event.
 *
 * Blocking commands are their non-blocking selves plus client_block()
 * when nothing can be served (blocking.h): a wake-up reruns the handler,
 * which then pops. A timeout answers a null array (Redis 7.0 does so for
 * BLMOVE and BRPOPLPUSH too); inside MULTI they answer at once, with the
 * null array, or a null bulk for BLMOVE and BRPOPLPUSH, as Redis does.
 *
 * Element views die at the next change to the list, so every handler
 * writes an element into the reply before it removes it. */
#include <stdlib.h>
#include <string.h>

#include "server/blocking.h"
#include "server/coll.h"
#include "server/handlers.h"

static struct store_list *list_read(struct client *c, size_t i, int *ok)
{
    return obj_read(c, i, STORE_T_LIST, ok);
}

static struct store_list *list_write(struct client *c, size_t i, int create,
                                     int *ok)
{
    return obj_write(c, i, STORE_T_LIST, create, ok);
}

static void add_view(struct client *c, const struct store_list_view *v)
{
    resp_add_bulk(&c->out, v->p, v->len);
}

/* Deletes argument i's key, created by this command, if it is still
 * empty after an allocation failure: no event, since nothing happened. */
static void drop_new(struct client *c, size_t i, struct store_list *l)
{
    if (store_list_len(l) == 0)
        store_key_delete(client_db(c), c->argv[i], c->argvlen[i],
                         server_now_ms(c->srv));
}

/* What Redis's listElementsRemoved does after a pop from argument i's
 * list l at end: the lpop/rpop event, the key deleted with "del" when
 * emptied, and the key marked modified; the caller counts the change. */
static void popped(struct client *c, size_t i, int end, struct store_list *l)
{
    server_notify(c->srv, NOTIFY_LIST,
                  end == STORE_LIST_HEAD ? "lpop" : "rpop", c->db,
                  c->argv[i], c->argvlen[i]);
    obj_drop_if_empty(c, i, STORE_T_LIST, l);
    server_key_signal(c->srv, c->db, c->argv[i], c->argvlen[i]);
}

/* Counts a single pop or move as one change, unless it serves a woken
 * BLPOP, BRPOP or BLMOVE: Redis 7.0 serves those outside the command and
 * counts nothing for them. */
static void popped_one_counted(struct client *c)
{
    if (!client_block_rerun(c))
        c->srv->dirty++;
}

/* Argument i as an integer in [min, max], or replies err (also for a
 * non-integer, as Redis's getRangeLongFromObjectOrReply with a message
 * does) and returns 0. */
static int arg_range_or_reply(struct client *c, size_t i, int64_t min,
                              int64_t max, enum reply_err err, int64_t *out)
{
    if (!parse_i64(c->argv[i], c->argvlen[i], out) || *out < min ||
        *out > max) {
        reply_error(c, err);
        return 0;
    }
    return 1;
}

/* LEFT or RIGHT at argument i into *end, or replies a syntax error. */
static int arg_end_or_reply(struct client *c, size_t i, int *end)
{
    if (arg_is(c, i, "LEFT"))
        *end = STORE_LIST_HEAD;
    else if (arg_is(c, i, "RIGHT"))
        *end = STORE_LIST_TAIL;
    else {
        reply_error(c, ERR_SYNTAX);
        return 0;
    }
    return 1;
}

/* Replies n elements of l from index start (toward the head with rev). */
static void add_range(struct client *c, const struct store_list *l,
                      size_t start, size_t n, int rev)
{
    resp_add_array(&c->out, n);
    struct store_list_it it;
    struct store_list_view v;
    store_list_it_init(l, start, rev, &it);
    while (n-- > 0 && store_list_next(&it, &v))
        add_view(c, &v);
}

/* Replies up to count elements popped from end of non-empty l (argument
 * i) as an array, and pops them (LPOP/RPOP with a count, LMPOP). */
static void pop_range(struct client *c, size_t i, struct store_list *l,
                      int end, int64_t count)
{
    size_t len = store_list_len(l);
    size_t n = (uint64_t)count > len ? len : (size_t)count;
    if (end == STORE_LIST_HEAD)
        add_range(c, l, 0, n, 0);
    else
        add_range(c, l, len - 1, n, 1);
    store_list_pop(client_db(c), l, end, n);
    popped(c, i, end, l);
    c->srv->dirty += n;
}

/* Replies the element at end of non-empty l (argument i) and pops it. */
static void pop_one(struct client *c, size_t i, struct store_list *l,
                    int end)
{
    struct store_list_view v;
    store_list_index(l, end == STORE_LIST_HEAD ? 0 : -1, &v);
    add_view(c, &v);
    store_list_pop(client_db(c), l, end, 1);
    popped(c, i, end, l);
    popped_one_counted(c);
}

/* ---- Push ------------------------------------------------------------------ */

static void push_generic(struct client *c, int end, int xx)
{
    int ok;
    struct store_list *l = list_write(c, 1, !xx, &ok);
    if (!ok)
        return;
    if (!l) {
        resp_add_int(&c->out, 0);
        return;
    }
    const char *event = end == STORE_LIST_HEAD ? "lpush" : "rpush";
    for (size_t i = 2; i < c->argc; i++) {
        if (store_list_push(client_db(c), l, end, c->argv[i],
                            c->argvlen[i]) != STORE_OK) {
            if (i > 2)
                coll_changed(c, 1, NOTIFY_LIST, event);
            else
                drop_new(c, 1, l);
            reply_error(c, ERR_OOM);
            return;
        }
    }
    resp_add_int(&c->out, (int64_t)store_list_len(l));
    coll_changed(c, 1, NOTIFY_LIST, event);
    server_dirty_elements(c->srv, c->argc - 2);
}

/* LPUSH key element [element ...]: the new length. */
void cmd_lpush(struct client *c)
{
    push_generic(c, STORE_LIST_HEAD, 0);
}

/* RPUSH key element [element ...]: the new length. */
void cmd_rpush(struct client *c)
{
    push_generic(c, STORE_LIST_TAIL, 0);
}

/* LPUSHX key element [element ...]: the new length, 0 if no key. */
void cmd_lpushx(struct client *c)
{
    push_generic(c, STORE_LIST_HEAD, 1);
}

/* RPUSHX key element [element ...]: the new length, 0 if no key. */
void cmd_rpushx(struct client *c)
{
    push_generic(c, STORE_LIST_TAIL, 1);
}

/* ---- Pop ------------------------------------------------------------------- */

static void pop_generic(struct client *c, int end)
{
    int64_t count = 0;
    int hascount = c->argc == 3;
    if (c->argc > 3) {
        reply_error(c, ERR_ARITY, end == STORE_LIST_HEAD ? "lpop" : "rpop");
        return;
    }
    if (hascount && !arg_range_or_reply(c, 2, 0, INT64_MAX,
                                        ERR_NOT_POSITIVE, &count))
        return;
    int ok;
    struct store_list *l = list_write(c, 1, 0, &ok);
    if (!ok)
        return;
    if (!l) {
        if (hascount)
            resp_add_null_array(&c->out);
        else
            resp_add_null(&c->out);
        return;
    }
    if (hascount && count == 0) {
        resp_add_array(&c->out, 0);
        return;
    }
    if (!hascount)
        pop_one(c, 1, l, end);
    else
        pop_range(c, 1, l, end, count);
}

/* LPOP key [count]: the first element, or an array of up to count. */
void cmd_lpop(struct client *c)
{
    pop_generic(c, STORE_LIST_HEAD);
}

/* RPOP key [count]: the last element, or an array of up to count. */
void cmd_rpop(struct client *c)
{
    pop_generic(c, STORE_LIST_TAIL);
}

/* ---- Reads ------------------------------------------------------------------ */

/* LLEN key */
void cmd_llen(struct client *c)
{
    int ok;
    struct store_list *l = list_read(c, 1, &ok);
    if (ok)
        resp_add_int(&c->out, l ? (int64_t)store_list_len(l) : 0);
}

/* LRANGE key start stop */
void cmd_lrange(struct client *c)
{
    int64_t start, end;
    if (!arg_i64_or_reply(c, 2, &start) || !arg_i64_or_reply(c, 3, &end))
        return;
    int ok;
    struct store_list *l = list_read(c, 1, &ok);
    if (!ok)
        return;
    size_t from, n;
    if (!l || !rank_range(start, end, store_list_len(l), &from, &n)) {
        resp_add_array(&c->out, 0);
        return;
    }
    add_range(c, l, from, n, 0);
}

/* LINDEX key index: the element or null. */
void cmd_lindex(struct client *c)
{
    int ok;
    struct store_list *l = list_read(c, 1, &ok);
    if (!ok)
        return;
    if (!l) {
        resp_add_null(&c->out);
        return;
    }
    int64_t idx;
    if (!arg_i64_or_reply(c, 2, &idx))
        return;
    struct store_list_view v;
    if (store_list_index(l, idx, &v))
        add_view(c, &v);
    else
        resp_add_null(&c->out);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the
 * index of a match (or null), or with COUNT an array of indexes. */
void cmd_lpos(struct client *c)
{
    int64_t rank = 1, count = -1, maxlen = 0;
    for (size_t j = 3; j < c->argc; j++) {
        int more = j + 1 < c->argc;
        if (arg_is(c, j, "RANK") && more) {
            if (!arg_i64_or_reply(c, ++j, &rank))
                return;
            if (rank == 0) {
                reply_error(c, ERR_LPOS_RANK);
                return;
            }
        } else if (arg_is(c, j, "COUNT") && more) {
            if (!arg_range_or_reply(c, ++j, 0, INT64_MAX, ERR_LPOS_COUNT,
                                    &count))
                return;
        } else if (arg_is(c, j, "MAXLEN") && more) {
            if (!arg_range_or_reply(c, ++j, 0, INT64_MAX, ERR_LPOS_MAXLEN,
                                    &maxlen))
                return;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    /* A negative rank walks from the tail. Redis 7.0 negates it as a C
     * long, so LONG_MIN stays negative and acts as rank 1. */
    int rev = rank < 0;
    uint64_t urank = rank == INT64_MIN ? 1
                   : (uint64_t)(rank < 0 ? -rank : rank);
    int ok;
    struct store_list *l = list_read(c, 1, &ok);
    if (!ok)
        return;
    if (!l) {
        if (count != -1)
            resp_add_array(&c->out, 0);
        else
            resp_add_null(&c->out);
        return;
    }
    size_t len = store_list_len(l);
    int64_t *found = NULL;
    size_t nfound = 0, cap = 0;
    uint64_t matches = 0;
    struct store_list_it it;
    struct store_list_view v;
    store_list_it_init(l, rev ? len - 1 : 0, rev, &it);
    for (size_t index = 0; (maxlen == 0 || index < (uint64_t)maxlen) &&
                           store_list_next(&it, &v); index++) {
        if (v.len != c->argvlen[2] ||
            (v.len && memcmp(v.p, c->argv[2], v.len) != 0))
            continue;
        if (++matches < urank)
            continue;
        int64_t pos = (int64_t)(rev ? len - index - 1 : index);
        if (count == -1) {
            resp_add_int(&c->out, pos);
            return;
        }
        if (nfound == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *nf = realloc(found, cap * sizeof *nf);
            if (!nf) {
                free(found);
                reply_error(c, ERR_OOM);
                return;
            }
            found = nf;
        }
        found[nfound++] = pos;
        if (count && nfound >= (uint64_t)count)
            break;
    }
    if (count == -1) {
        resp_add_null(&c->out);
        return;
    }
    resp_add_array(&c->out, nfound);
    for (size_t k = 0; k < nfound; k++)
        resp_add_int(&c->out, found[k]);
    free(found);
}

/* ---- Updates ---------------------------------------------------------------- */

/* LSET key index element */
void cmd_lset(struct client *c)
{
    int ok;
    struct store_list *l = list_write(c, 1, 0, &ok);
    if (!ok)
        return;
    if (!l) {
        reply_error(c, ERR_NO_SUCH_KEY);
        return;
    }
    int64_t idx;
    if (!arg_i64_or_reply(c, 2, &idx))
        return;
    int rc = store_list_set(client_db(c), l, idx, c->argv[3], c->argvlen[3]);
    if (rc == STORE_NOT_FOUND) {
        reply_error(c, ERR_LIST_INDEX);
        return;
    }
    if (rc != STORE_OK) {
        reply_error(c, ERR_OOM);
        return;
    }
    reply_ok(c);
    coll_changed(c, 1, NOTIFY_LIST, "lset");
}

/* LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the
 * pivot, 0 without the key. */
void cmd_linsert(struct client *c)
{
    int after;
    if (arg_is(c, 2, "AFTER"))
        after = 1;
    else if (arg_is(c, 2, "BEFORE"))
        after = 0;
    else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    int ok;
    struct store_list *l = list_write(c, 1, 0, &ok);
    if (!ok)
        return;
    if (!l) {
        resp_add_int(&c->out, 0);
        return;
    }
    int rc = store_list_insert(client_db(c), l, after, c->argv[3],
                               c->argvlen[3], c->argv[4], c->argvlen[4]);
    if (rc < 0) {
        reply_error(c, ERR_OOM);
        return;
    }
    if (rc == 0) {
        resp_add_int(&c->out, -1);
        return;
    }
    coll_changed(c, 1, NOTIFY_LIST, "linsert");
    resp_add_int(&c->out, (int64_t)store_list_len(l));
}

/* LREM key count element: elements removed. */
void cmd_lrem(struct client *c)
{
    int64_t count;
    if (!arg_i64_or_reply(c, 2, &count))
        return;
    int ok;
    struct store_list *l = list_write(c, 1, 0, &ok);
    if (!ok)
        return;
    size_t removed = 0;
    if (l) {
        removed = store_list_rem(client_db(c), l, count, c->argv[3],
                                 c->argvlen[3]);
        if (removed) {
            server_notify(c->srv, NOTIFY_LIST, "lrem", c->db, c->argv[1],
                          c->argvlen[1]);
            obj_drop_if_empty(c, 1, STORE_T_LIST, l);
            server_key_modified(c->srv, c->db, c->argv[1], c->argvlen[1]);
            server_dirty_elements(c->srv, removed);
        }
    }
    resp_add_int(&c->out, (int64_t)removed);
}

/* LTRIM key start stop */
void cmd_ltrim(struct client *c)
{
    int64_t start, end;
    if (!arg_i64_or_reply(c, 2, &start) || !arg_i64_or_reply(c, 3, &end))
        return;
    int ok;
    struct store_list *l = list_write(c, 1, 0, &ok);
    if (!ok)
        return;
    if (l) {
        size_t from = 0, n = 0, len = store_list_len(l);
        if (!rank_range(start, end, len, &from, &n))
            n = 0;
        store_list_trim(client_db(c), l, from, n);
        server_notify(c->srv, NOTIFY_LIST, "ltrim", c->db, c->argv[1],
                      c->argvlen[1]);
        obj_drop_if_empty(c, 1, STORE_T_LIST, l);
        /* Modified even when nothing went, but counted per element. */
        server_key_signal(c->srv, c->db, c->argv[1], c->argvlen[1]);
        c->srv->dirty += len - n;
    }
    reply_ok(c);
}

/* ---- Moves ------------------------------------------------------------------ */

/* LMOVE body: argv[1] is the source, argv[2] the destination. With block
 * set, a missing source blocks the client (BLMOVE, BRPOPLPUSH). */
static void move_generic(struct client *c, int from, int to, int block,
                         int64_t deadline)
{
    int ok;
    struct store_list *src = list_write(c, 1, 0, &ok);
    if (!ok)
        return;
    if (!src) {
        if (block && client_can_block(c)) {
            /* Redis 7.0 times a blocked BLMOVE out with a null array,
             * though it answers a null bulk inside MULTI. */
            size_t key = 1;
            client_block(c, &key, 1, STORE_T_LIST, 0, deadline);
        } else {
            resp_add_null(&c->out);
        }
        return;
    }
    struct store_list *dst = list_write(c, 2, 0, &ok);
    if (!ok)
        return;
    int created = dst == NULL;
    if (created && !(dst = list_write(c, 2, 1, &ok)))
        return;
    /* The element goes into the reply first: its view dies in the move. */
    size_t mark = c->out.len;
    struct store_list_view v;
    store_list_index(src, from == STORE_LIST_HEAD ? 0 : -1, &v);
    add_view(c, &v);
    if (store_list_move(client_db(c), src, from, dst, to) != STORE_OK) {
        c->out.len = mark;
        if (created)
            drop_new(c, 2, dst);
        reply_error(c, ERR_OOM);
        return;
    }
    server_key_signal(c->srv, c->db, c->argv[2], c->argvlen[2]);
    const char *push = to == STORE_LIST_HEAD ? "lpush" : "rpush";
    server_notify(c->srv, NOTIFY_LIST, push, c->db, c->argv[2],
                  c->argvlen[2]);
    popped(c, 1, from, src);
    popped_one_counted(c);
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT: the element moved. */
void cmd_lmove(struct client *c)
{
    int from, to;
    if (arg_end_or_reply(c, 3, &from) && arg_end_or_reply(c, 4, &to))
        move_generic(c, from, to, 0, 0);
}

/* RPOPLPUSH source destination */
void cmd_rpoplpush(struct client *c)
{
    move_generic(c, STORE_LIST_TAIL, STORE_LIST_HEAD, 0, 0);
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
void cmd_blmove(struct client *c)
{
    int from, to;
    int64_t deadline;
    if (arg_end_or_reply(c, 3, &from) && arg_end_or_reply(c, 4, &to) &&
        block_timeout_or_reply(c, 5, BLOCK_SECONDS, &deadline))
        move_generic(c, from, to, 1, deadline);
}

/* BRPOPLPUSH source destination timeout */
void cmd_brpoplpush(struct client *c)
{
    int64_t deadline;
    if (block_timeout_or_reply(c, 3, BLOCK_SECONDS, &deadline))
        move_generic(c, STORE_LIST_TAIL, STORE_LIST_HEAD, 1, deadline);
}

/* ---- Pops from several keys ------------------------------------------------- */

/* Blocks c on its n keys from argument first on, for objects of type t,
 * or replies the timeout's null array at once where it must not block
 * (inside MULTI). */
static void block_or_null(struct client *c, size_t first, size_t n,
                          enum store_type t, int64_t deadline)
{
    if (!client_can_block(c)) {
        resp_add_null_array(&c->out);
        return;
    }
    size_t *keys = malloc(n * sizeof *keys);
    if (!keys) {
        reply_error(c, ERR_OOM);
        return;
    }
    for (size_t k = 0; k < n; k++)
        keys[k] = first + k;
    client_block(c, keys, n, t, 0, deadline);
    free(keys);
}

/* The object of type t of the first of the n keys from argument first on
 * that holds a non-empty one, its index in *at; NULL when there is none,
 * and *ok 0 after a WRONGTYPE reply. A blocked client's rerun skips keys
 * of another type (obj_woken). */
static void *first_nonempty(struct client *c, size_t first, size_t n,
                            enum store_type t, size_t *at, int *ok)
{
    int rerun = client_block_rerun(c);
    *ok = 1;
    for (size_t j = first; j < first + n; j++) {
        void *o = rerun ? obj_woken(c, j, t) : obj_write(c, j, t, 0, ok);
        if (!*ok)
            return NULL;
        if (o && store_obj_len(t, o) > 0) {
            *at = j;
            return o;
        }
    }
    return NULL;
}

/* The pop from several keys that lists and sorted sets share (coll.h):
 * the object of type t to pop from, the first non-empty one of the n keys
 * from argument first on, its index in *at. NULL when c was answered
 * instead: an error, or with none, the null array or (block set) c
 * blocked until deadline. */
void *obj_pop_source(struct client *c, size_t first, size_t n,
                     enum store_type t, int block, int64_t deadline,
                     size_t *at)
{
    int ok;
    void *o = first_nonempty(c, first, n, t, at, &ok);
    if (!ok || o)
        return o;
    if (block)
        block_or_null(c, first, n, t, deadline);
    else
        resp_add_null_array(&c->out);
    return NULL;
}

/* BLPOP / BRPOP key [key ...] timeout: [key, element] from the first
 * non-empty list, or block. */
static void bpop_generic(struct client *c, int end)
{
    int64_t deadline;
    if (!block_timeout_or_reply(c, c->argc - 1, BLOCK_SECONDS, &deadline))
        return;
    size_t j;
    struct store_list *l = obj_pop_source(c, 1, c->argc - 2, STORE_T_LIST,
                                          1, deadline, &j);
    if (!l)
        return;
    resp_add_array(&c->out, 2);
    resp_add_bulk(&c->out, c->argv[j], c->argvlen[j]);
    pop_one(c, j, l, end);
}

/* BLPOP key [key ...] timeout */
void cmd_blpop(struct client *c)
{
    bpop_generic(c, STORE_LIST_HEAD);
}

/* BRPOP key [key ...] timeout */
void cmd_brpop(struct client *c)
{
    bpop_generic(c, STORE_LIST_TAIL);
}

int mpop_args(struct client *c, size_t numkeys_at, const char *w0,
              const char *w1, size_t *numkeys, int *which, int64_t *count)
{
    int64_t n;
    if (!arg_range_or_reply(c, numkeys_at, 1, INT64_MAX, ERR_NUMKEYS_ZERO,
                            &n))
        return 0;
    if ((uint64_t)n >= c->argc - numkeys_at - 1) {
        reply_error(c, ERR_SYNTAX);
        return 0;
    }
    size_t where_at = numkeys_at + 1 + (size_t)n;
    if (arg_is(c, where_at, w0)) {
        *which = 0;
    } else if (arg_is(c, where_at, w1)) {
        *which = 1;
    } else {
        reply_error(c, ERR_SYNTAX);
        return 0;
    }
    *count = -1;
    for (size_t j = where_at + 1; j < c->argc; j++) {
        if (*count == -1 && arg_is(c, j, "COUNT") && j + 1 < c->argc) {
            if (!arg_range_or_reply(c, ++j, 1, INT64_MAX, ERR_COUNT_POSITIVE,
                                    count))
                return 0;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    if (*count == -1)
        *count = 1;
    *numkeys = (size_t)n;
    return 1;
}

/* Replies [key, [elements]] from the first non-empty list of the numkeys
 * keys after numkeys_at; else the null array, or blocks when block is set. */
static void mpop_run(struct client *c, size_t numkeys_at, size_t numkeys,
                     int end, int64_t count, int block, int64_t deadline)
{
    size_t j;
    struct store_list *l = obj_pop_source(c, numkeys_at + 1, numkeys,
                                          STORE_T_LIST, block, deadline, &j);
    if (!l)
        return;
    resp_add_array(&c->out, 2);
    resp_add_bulk(&c->out, c->argv[j], c->argvlen[j]);
    pop_range(c, j, l, end, count);
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
void cmd_lmpop(struct client *c)
{
    size_t numkeys;
    int right;
    int64_t count;
    if (mpop_args(c, 1, "LEFT", "RIGHT", &numkeys, &right, &count))
        mpop_run(c, 1, numkeys, right ? STORE_LIST_TAIL : STORE_LIST_HEAD,
                 count, 0, 0);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: Redis
 * parses the timeout last. */
void cmd_blmpop(struct client *c)
{
    size_t numkeys;
    int right;
    int64_t count, deadline;
    if (mpop_args(c, 2, "LEFT", "RIGHT", &numkeys, &right, &count) &&
        block_timeout_or_reply(c, 1, BLOCK_SECONDS, &deadline))
        mpop_run(c, 2, numkeys, right ? STORE_LIST_TAIL : STORE_LIST_HEAD,
                 count, 1, deadline);
}
