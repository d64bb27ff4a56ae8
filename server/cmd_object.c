/* cmd_object.c - OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP:
 * what a key's value looks like inside, as Redis 7.0 answers it.
 *
 * ENCODING names Respite's representation with the name Redis gives its
 * equivalent, by the rules Redis uses where Respite follows them:
 *
 *   string  int (a strict decimal in long range, at most 20 bytes),
 *           embstr (at most 44 bytes), raw; Respite keeps every string
 *           as bytes, so this is the encoding Redis's SET would give the
 *           same value (after APPEND, SETRANGE or INCRBYFLOAT Redis can
 *           say raw or embstr where this says int or embstr)
 *   hash    listpack while compact, then hashtable (same thresholds);
 *           listpackex for a compact one that has had a field TTL
 *   set     intset while every member is an integer and there are at most
 *           set-max-intset-entries; else listpack while compact (Redis
 *           7.2's name and rules, where 7.0 has hashtable), then hashtable
 *   zset    listpack while compact, then skiplist
 *   list    quicklist: a chain of blocks, as Redis 7.0's lists always are
 *   stream  stream
 *
 * REFCOUNT is 2147483647 for what Redis keeps as a shared integer (0 to
 * 9999, unless maxmemory is set with an lru or lfu policy), else 1: values
 * are never shared in Respite, and that is all a client can tell apart.
 *
 * The lookups here neither mark the key as used nor count toward LFU
 * (Redis's LOOKUP_NOTOUCH); they count keyspace hits and misses without
 * a keymiss event, and expire the key as any lookup does. */
#include <limits.h>
#include <string.h>

#include "server/handlers.h"
#include "server/server.h"

#define SHARED_INTEGERS 10000      /* Redis's OBJ_SHARED_INTEGERS */
#define EMBSTR_MAX 44              /* Redis's embedded string limit */

/* The live entry for argument 2's key, not marked as used, or NULL after
 * replying nil. */
static struct store_entry *lookup_or_reply(struct client *c)
{
    struct server *srv = c->srv;
    struct store_entry *e = store_key_peek(client_db(c), c->argv[2],
                                           c->argvlen[2], server_now_ms(srv));
    if (e) {
        srv->stat_hits++;
        return e;
    }
    srv->stat_misses++;
    resp_add_null(&c->out);
    return NULL;
}

/* 1 if e is a string Redis would encode as an integer; *v gets it. */
static int string_int(const struct store_entry *e, int64_t *v)
{
    size_t n;
    const char *p = store_entry_str(e, &n);
    return n <= 20 && parse_i64(p, n, v);
}

/* Redis's name for e's encoding (the file's essay has the table). */
static const char *encoding(const struct store_entry *e)
{
    void *o = store_entry_type(e) == STORE_T_STRING ? NULL
                                                    : store_entry_obj(e);
    int64_t v;
    size_t n;
    switch (store_entry_type(e)) {
    case STORE_T_STRING:
        if (string_int(e, &v))
            return "int";
        store_entry_str(e, &n);
        return n <= EMBSTR_MAX ? "embstr" : "raw";
    case STORE_T_HASH:
    case STORE_T_SET:
        if (store_coll_intset_width(o))
            return "intset";
        if (!store_coll_is_compact(o))
            return "hashtable";
        /* A compact hash that has had a field TTL (Redis 7.4). */
        return store_coll_is_hfe(o) ? "listpackex" : "listpack";
    case STORE_T_ZSET:
        return store_zset_is_compact(o) ? "listpack" : "skiplist";
    case STORE_T_LIST:
        return "quicklist";
    case STORE_T_STREAM:
    default:
        return "stream";
    }
}

/* Redis 7.0 shares no integers when maxmemory is set with a policy
 * that needs per-key access data (its MAXMEMORY_FLAG_NO_SHARED_INTEGERS). */
static int shares_integers(const struct server *srv)
{
    int by = srv->maxmem.by;
    return srv->conf.maxmemory == 0 || srv->maxmem.none ||
           (by != STORE_EVICT_LRU && by != STORE_EVICT_LFU);
}

static void object_encoding(struct client *c)
{
    struct store_entry *e = lookup_or_reply(c);
    if (e)
        resp_add_bulk_cstr(&c->out, encoding(e));
}

static void object_refcount(struct client *c)
{
    struct store_entry *e = lookup_or_reply(c);
    if (!e)
        return;
    int64_t v;
    int shared = store_entry_type(e) == STORE_T_STRING && string_int(e, &v) &&
                 v >= 0 && v < SHARED_INTEGERS && shares_integers(c->srv);
    resp_add_int(&c->out, shared ? INT_MAX : 1);
}

/* 1 under allkeys-lfu or volatile-lfu, with or without a limit. */
static int lfu_policy(const struct server *srv)
{
    return !srv->maxmem.none && srv->maxmem.by == STORE_EVICT_LFU;
}

static void object_idletime(struct client *c)
{
    struct store_entry *e = lookup_or_reply(c);
    if (!e)
        return;
    if (lfu_policy(c->srv)) {
        reply_error(c, ERR_OBJECT_IDLETIME_LFU);
        return;
    }
    resp_add_int(&c->out,
                 store_entry_idle_ms(e, server_now_ms(c->srv)) / 1000);
}

static void object_freq(struct client *c)
{
    struct store_entry *e = lookup_or_reply(c);
    if (!e)
        return;
    if (!lfu_policy(c->srv)) {
        reply_error(c, ERR_OBJECT_FREQ_NOT_LFU);
        return;
    }
    resp_add_int(&c->out, store_entry_freq(client_db(c), e,
                                           server_now_ms(c->srv)));
}

static void object_help(struct client *c)
{
    static const char *const lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to "
        "store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned "
        "integer is",
        "    proportional to the logarithm of the recent access frequency "
        "of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated "
        "number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with "
        "the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand object_subcommands[] = {
    { "ENCODING", object_encoding, 3, CMD_READONLY },
    { "FREQ", object_freq, 3, CMD_READONLY },
    { "IDLETIME", object_idletime, 3, CMD_READONLY },
    { "REFCOUNT", object_refcount, 3, CMD_READONLY },
    { "HELP", object_help, 2, 0 },
};

const struct subcommand_table object_subs = {
    object_subcommands,
    sizeof(object_subcommands) / sizeof(object_subcommands[0])
};

void cmd_object(struct client *c)
{
    subcommand_dispatch(c, &object_subs);
}
