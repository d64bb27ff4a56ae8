/* cmd_dump.c - DUMP and RESTORE: a key's value as Redis 7.0's serialized
 * payload and back. dump.c writes the payload, restore.c reads it; this
 * file parses the arguments and does what Redis's RESTORE does around
 * the value, in its order:
 *
 *   1. options: REPLACE, ABSTTL, IDLETIME s or FREQ f (not both);
 *   2. BUSYKEY unless REPLACE, then the TTL (an integer, >= 0);
 *   3. the trailer (RDB version <= 10, or 12 for Redis 7.4's hashes with
 *      field TTLs), CRC-64, then the value;
 *   4. with REPLACE the old value goes; a TTL already past (ABSTTL)
 *      stores nothing ("del" when a value was replaced), else the key is
 *      added ("new"), its TTL, idle time or LFU counter set, "restore"
 *      published and WATCH / tracking told.
 *
 * A payload whose value does not decode is "Bad data format" (OOM when
 * memory ran out while building it); nothing changes then. */
#include <stdlib.h>

#include "server/dump.h"
#include "server/handlers.h"
#include "server/keys.h"
#include "server/rdb.h"
#include "server/server.h"

#define FREQ_MAX 255

/* DUMP key: the payload, or null when the key is missing. */
void cmd_dump(struct client *c)
{
    int64_t now = server_now_ms(c->srv);
    struct store_entry *e = key_lookup_read(c, c->argv[1], c->argvlen[1],
                                            now);
    if (!e) {
        resp_add_null(&c->out);
        return;
    }
    size_t len;
    char *p = dump_value(client_db(c), e, &len);
    if (!p) {
        reply_error(c, ERR_OOM);
        return;
    }
    resp_add_bulk(&c->out, p, len);
    free(p);
}

struct restore_opts {
    int replace, absttl;
    int64_t idle_ms, freq;         /* -1: not given */
};

/* Parses RESTORE's options from argument 4 on. 1, or 0 after replying. */
static int restore_opts_or_reply(struct client *c, struct restore_opts *o)
{
    *o = (struct restore_opts){ 0, 0, -1, -1 };
    for (size_t i = 4; i < c->argc; i++) {
        int more = i + 1 < c->argc;
        int64_t v;
        if (arg_is(c, i, "REPLACE")) {
            o->replace = 1;
        } else if (arg_is(c, i, "ABSTTL")) {
            o->absttl = 1;
        } else if (arg_is(c, i, "IDLETIME") && more && o->freq == -1) {
            if (!arg_i64_or_reply(c, ++i, &v))
                return 0;
            if (v < 0) {
                reply_error(c, ERR_RESTORE_IDLETIME);
                return 0;
            }
            o->idle_ms = v > INT64_MAX / 1000 ? INT64_MAX : v * 1000;
        } else if (arg_is(c, i, "FREQ") && more && o->idle_ms == -1) {
            if (!arg_i64_or_reply(c, ++i, &v))
                return 0;
            if (v < 0 || v > FREQ_MAX) {
                reply_error(c, ERR_RESTORE_FREQ);
                return 0;
            }
            o->freq = v;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* Reads the payload in argument 3 into *v. 1, or 0 after replying. */
static int restore_value_or_reply(struct client *c, struct dump_value *v)
{
    const unsigned char *p = (const unsigned char *)c->argv[3];
    size_t n = c->argvlen[3];
    if (!rdb_payload_ok(p, n)) {
        reply_error(c, ERR_FN_PAYLOAD);
        return 0;
    }
    int rc = dump_restore(client_db(c), p, n, v);
    if (rc == DUMP_OK)
        return 1;
    reply_error(c, rc == DUMP_NOMEM ? ERR_OOM : ERR_BAD_DATA);
    return 0;
}

/* RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds]
 * [FREQ frequency] */
void cmd_restore(struct client *c)
{
    struct restore_opts o;
    struct store *s = client_db(c);
    const char *key = c->argv[1];
    size_t klen = c->argvlen[1];
    int64_t now = server_now_ms(c->srv), ttl;
    if (!restore_opts_or_reply(c, &o))
        return;
    if (!o.replace && store_key_find(s, key, klen, now)) {
        reply_error(c, ERR_BUSYKEY);
        return;
    }
    if (!arg_i64_or_reply(c, 2, &ttl))
        return;
    if (ttl < 0) {
        reply_error(c, ERR_RESTORE_TTL);
        return;
    }
    struct dump_value v;
    if (!restore_value_or_reply(c, &v))
        return;
    int deleted = o.replace && store_key_delete(s, key, klen, now);
    if (ttl && !o.absttl)
        ttl = ttl > INT64_MAX - now ? INT64_MAX : ttl + now;
    if (ttl && ttl <= now) {
        dump_value_free(s, &v);
        if (deleted) {
            server_key_modified(c->srv, c->db, key, klen);
            server_notify(c->srv, NOTIFY_GENERIC, "del", c->db, key, klen);
            c->srv->dirty++;
        }
        resp_add_simple(&c->out, "OK");
        return;
    }
    if (dump_value_store(s, key, klen, &v, ttl ? ttl : STORE_NO_TTL, now) !=
        STORE_OK) {
        if (deleted)
            server_key_modified(c->srv, c->db, key, klen);
        reply_error(c, ERR_OOM);
        return;
    }
    struct store_entry *e = store_key_peek_any(s, key, klen);
    if (e)
        store_entry_set_access(s, e, o.idle_ms, o.freq, now);
    server_key_modified(c->srv, c->db, key, klen);
    key_new(c, 1);
    server_notify(c->srv, NOTIFY_GENERIC, "restore", c->db, key, klen);
    c->srv->dirty++;
    resp_add_simple(&c->out, "OK");
}
