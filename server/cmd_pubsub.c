/* cmd_pubsub.c - SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
 * SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and the PUBSUB container.
 *
 * Replies follow Redis 7.0: each (un)subscription is confirmed by its own
 * [kind, name, count] frame (a push frame in RESP3), where count is the
 * client's channels plus patterns after the change (shard channels only
 * for the S forms). An unsubscribe with no names and nothing to drop
 * confirms once with a null name. Sharded channels behave as a separate
 * namespace on this single node.
 *
 * The registry itself is in pubsub.c; the subscribed-mode command filter
 * is in the dispatcher (commands.c). */
#include "server/handlers.h"
#include "server/pubsub.h"
#include "server/server.h"

/* The count a confirmation carries for namespace k. */
static size_t confirm_count(const struct client *c, enum pubsub_kind k)
{
    if (k == PUBSUB_SHARD)
        return pubsub_client_count(c, PUBSUB_SHARD);
    return pubsub_client_count(c, PUBSUB_CHANNEL) +
           pubsub_client_count(c, PUBSUB_PATTERN);
}

/* Confirmations get through CLIENT REPLY OFF and SKIP, as in Redis 7.0
 * (which marks them as pushes, in RESP2 too). */
static void confirm(struct client *c, const char *kind, const char *name,
                    size_t len, size_t count)
{
    int muted = client_push_unmute(c);
    resp_add_push(&c->out, 3);
    resp_add_bulk_cstr(&c->out, kind);
    if (name)
        resp_add_bulk(&c->out, name, len);
    else
        resp_add_null(&c->out);
    resp_add_int(&c->out, (int64_t)count);
    c->out.muted = muted;
}

static void subscribe_generic(struct client *c, enum pubsub_kind k,
                              const char *kind)
{
    for (size_t i = 1; i < c->argc; i++) {
        if (pubsub__subscribe(c, k, c->argv[i], c->argvlen[i]) < 0) {
            reply_error(c, ERR_OOM);
            return;
        }
        confirm(c, kind, c->argv[i], c->argvlen[i], confirm_count(c, k));
    }
}

void cmd_subscribe(struct client *c)
{
    subscribe_generic(c, PUBSUB_CHANNEL, "subscribe");
}

void cmd_psubscribe(struct client *c)
{
    subscribe_generic(c, PUBSUB_PATTERN, "psubscribe");
}

void cmd_ssubscribe(struct client *c)
{
    /* Run by EXEC (the only way CLIENT_MULTI reaches a command that is
     * not queued): Redis 7.0 refuses it there, unlike SUBSCRIBE. */
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, ERR_SSUBSCRIBE_IN_EXEC);
        return;
    }
    subscribe_generic(c, PUBSUB_SHARD, "ssubscribe");
}

static void confirm_unsub(struct client *c, const char *n, size_t len,
                          size_t left)
{
    confirm(c, "unsubscribe", n, len,
            left + pubsub_client_count(c, PUBSUB_PATTERN));
}

static void confirm_punsub(struct client *c, const char *n, size_t len,
                           size_t left)
{
    confirm(c, "punsubscribe", n, len,
            left + pubsub_client_count(c, PUBSUB_CHANNEL));
}

static void confirm_sunsub(struct client *c, const char *n, size_t len,
                           size_t left)
{
    confirm(c, "sunsubscribe", n, len, left);
}

static void unsubscribe_generic(struct client *c, enum pubsub_kind k,
                                const char *kind,
                                void (*each)(struct client *, const char *,
                                             size_t, size_t))
{
    if (c->argc == 1) {
        if (pubsub_client_count(c, k) == 0)
            confirm(c, kind, NULL, 0, confirm_count(c, k));
        else
            pubsub__unsubscribe_all(c, k, each);
        return;
    }
    for (size_t i = 1; i < c->argc; i++) {
        pubsub__unsubscribe(c, k, c->argv[i], c->argvlen[i]);
        confirm(c, kind, c->argv[i], c->argvlen[i], confirm_count(c, k));
    }
}

void cmd_unsubscribe(struct client *c)
{
    unsubscribe_generic(c, PUBSUB_CHANNEL, "unsubscribe", confirm_unsub);
}

void cmd_punsubscribe(struct client *c)
{
    unsubscribe_generic(c, PUBSUB_PATTERN, "punsubscribe", confirm_punsub);
}

void cmd_sunsubscribe(struct client *c)
{
    unsubscribe_generic(c, PUBSUB_SHARD, "sunsubscribe", confirm_sunsub);
}

void cmd_publish(struct client *c)
{
    resp_add_int(&c->out, pubsub_publish(c->srv, PUBSUB_CHANNEL, c->argv[1],
                                         c->argvlen[1], c->argv[2],
                                         c->argvlen[2]));
}

void cmd_spublish(struct client *c)
{
    resp_add_int(&c->out, pubsub_publish(c->srv, PUBSUB_SHARD, c->argv[1],
                                         c->argvlen[1], c->argv[2],
                                         c->argvlen[2]));
}

/* ---- PUBSUB -------------------------------------------------------------- */

struct list_ctx {
    const char *pat;
    size_t plen;
    struct resp_out names;      /* matching names as bulk strings */
    size_t n;
};

static void list_one(void *ctx, const char *name, size_t len, size_t nsubs)
{
    struct list_ctx *l = ctx;
    (void)nsubs;
    if (l->pat && !store_glob_match(l->pat, l->plen, name, len, 0))
        return;
    resp_add_bulk(&l->names, name, len);
    l->n++;
}

static void channels_generic(struct client *c, enum pubsub_kind k)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "PUBSUB");
        return;
    }
    struct list_ctx l = { 0 };
    if (c->argc == 3) {
        l.pat = c->argv[2];
        l.plen = c->argvlen[2];
    }
    resp_out_init(&l.names, 2);
    pubsub__each(c->srv, k, list_one, &l);
    if (l.names.nomem) {
        reply_error(c, ERR_OOM);
    } else {
        resp_add_array(&c->out, l.n);
        resp_add_raw(&c->out, l.names.data, l.names.len);
    }
    resp_out_close(&l.names);
}

static void numsub_generic(struct client *c, enum pubsub_kind k)
{
    resp_add_array(&c->out, (c->argc - 2) * 2);
    for (size_t i = 2; i < c->argc; i++) {
        resp_add_bulk(&c->out, c->argv[i], c->argvlen[i]);
        resp_add_int(&c->out, (int64_t)pubsub__numsub(c->srv, k, c->argv[i],
                                                      c->argvlen[i]));
    }
}

static void pubsub_channels(struct client *c)
{
    channels_generic(c, PUBSUB_CHANNEL);
}

static void pubsub_shardchannels(struct client *c)
{
    channels_generic(c, PUBSUB_SHARD);
}

static void pubsub_numsub(struct client *c)
{
    numsub_generic(c, PUBSUB_CHANNEL);
}

static void pubsub_shardnumsub(struct client *c)
{
    numsub_generic(c, PUBSUB_SHARD);
}

static void pubsub_numpat(struct client *c)
{
    resp_add_int(&c->out, (int64_t)pubsub_size(c->srv, PUBSUB_PATTERN));
}

static void pubsub_help(struct client *c)
{
    static const char *const lines[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> "
        "(default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, "
        "excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a "
        "<pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level "
        "channel(s)",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand pubsub_subcommands[] = {
    { "CHANNELS", pubsub_channels, -2, 0 },
    { "NUMSUB", pubsub_numsub, -2, 0 },
    { "NUMPAT", pubsub_numpat, 2, 0 },
    { "SHARDCHANNELS", pubsub_shardchannels, -2, 0 },
    { "SHARDNUMSUB", pubsub_shardnumsub, -2, 0 },
    { "HELP", pubsub_help, 2, 0 },
};

const struct subcommand_table pubsub_subs = {
    pubsub_subcommands, sizeof(pubsub_subcommands) / sizeof(pubsub_subcommands[0])
};

void cmd_pubsub(struct client *c)
{
    subcommand_dispatch(c, &pubsub_subs);
}
