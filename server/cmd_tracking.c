/* cmd_tracking.c - the CLIENT subcommands of client-side caching:
 * TRACKING, CACHING, GETREDIR and TRACKINGINFO (tracking.c keeps the
 * table and sends the messages).
 *
 * CLIENT TRACKING reads all its options first (a bad one, a second
 * REDIRECT or a REDIRECT to a client that is not connected is an error
 * even with OFF), then checks them against each other and against the
 * mode in force, in Redis's order, so the first error is Redis's. */
#include <stdlib.h>
#include <string.h>

#include "server/server.h"
#include "server/tracking.h"

/* Errors echo prefixes clipped like any client bytes. */
#define CLIP(len) ((int)((len) > 128 ? 128 : (len)))

static struct client *client_with_id(struct server *srv, int64_t id)
{
    for (struct client *o = srv->clients; o; o = o->next)
        if (id > 0 && o->id == (uint64_t)id)
            return o;
    return NULL;
}

/* Reads the options after ON|OFF into o (its prefix arrays malloc'ed,
 * argc long). Returns 1, or 0 after replying the error. */
static int parse_options(struct client *c, struct tracking_opts *o,
                         const char **prefix, size_t *plen)
{
    for (size_t j = 3; j < c->argc; j++) {
        int more = j + 1 < c->argc;
        if (arg_is(c, j, "REDIRECT") && more) {
            j++;
            if (o->redir_id) {
                reply_error(c, ERR_TRACKING_REDIR_ONE);
                return 0;
            }
            int64_t id;
            if (!arg_i64_or_reply(c, j, &id))
                return 0;
            if (!(o->redir = client_with_id(c->srv, id))) {
                reply_error(c, ERR_TRACKING_REDIR_NONE);
                return 0;
            }
            o->redir_id = (uint64_t)id;
        } else if (arg_is(c, j, "BCAST")) {
            o->flags |= TRK_BCAST;
        } else if (arg_is(c, j, "OPTIN")) {
            o->flags |= TRK_OPTIN;
        } else if (arg_is(c, j, "OPTOUT")) {
            o->flags |= TRK_OPTOUT;
        } else if (arg_is(c, j, "NOLOOP")) {
            o->flags |= TRK_NOLOOP;
        } else if (arg_is(c, j, "PREFIX") && more) {
            j++;
            prefix[o->nprefix] = c->argv[j];
            plen[o->nprefix] = c->argvlen[j];
            o->nprefix++;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* 1 if a starts b or b starts a. */
static int overlap(const char *a, size_t alen, const char *b, size_t blen)
{
    return memcmp(a, b, alen < blen ? alen : blen) == 0;
}

/* Checks that no new prefix overlaps one c has, or another new one.
 * Returns 1, or 0 after replying the error. */
static int prefixes_ok(struct client *c, const struct tracking_opts *o)
{
    for (size_t i = 0; i < o->nprefix; i++) {
        const char *p = o->prefix[i], *hit;
        size_t len = o->prefix_len[i], hit_len;
        if (tracking_prefix_overlap(c, p, len, &hit, &hit_len)) {
            reply_error(c, ERR_TRACKING_OVERLAP_OLD, CLIP(len), p,
                        CLIP(hit_len), hit);
            return 0;
        }
        for (size_t j = 0; j < o->nprefix; j++) {
            if (j != i && overlap(p, len, o->prefix[j], o->prefix_len[j])) {
                reply_error(c, ERR_TRACKING_OVERLAP_NEW, CLIP(len), p,
                            CLIP(o->prefix_len[j]), o->prefix[j]);
                return 0;
            }
        }
    }
    return 1;
}

/* Checks ON's options against each other and the mode in force. Returns
 * 1, or 0 after replying the error. */
static int options_ok(struct client *c, const struct tracking_opts *o)
{
    unsigned now = c->trk ? c->trk->flags : 0;
    unsigned f = o->flags;
    enum reply_err e;
    if (!(f & TRK_BCAST) && o->nprefix)
        e = ERR_TRACKING_PREFIX;
    else if ((now & TRK_ON) && (now & TRK_BCAST) != (f & TRK_BCAST))
        e = ERR_TRACKING_BCAST_SWITCH;
    else if ((f & TRK_BCAST) && (f & (TRK_OPTIN | TRK_OPTOUT)))
        e = ERR_TRACKING_BCAST_OPT;
    else if ((f & TRK_OPTIN) && (f & TRK_OPTOUT))
        e = ERR_TRACKING_OPT_BOTH;
    else if (((f & TRK_OPTIN) && (now & TRK_OPTOUT)) ||
             ((f & TRK_OPTOUT) && (now & TRK_OPTIN)))
        e = ERR_TRACKING_OPT_SWITCH;
    else
        return !(f & TRK_BCAST) || prefixes_ok(c, o);
    reply_error(c, e);
    return 0;
}

/* CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
 * [OPTOUT] [NOLOOP] */
void client_tracking(struct client *c)
{
    struct tracking_opts o = { 0 };
    const char **prefix = malloc(c->argc * sizeof(*prefix));
    size_t *plen = malloc(c->argc * sizeof(*plen));
    if (!prefix || !plen) {
        reply_error(c, ERR_OOM);
        goto done;
    }
    o.prefix = prefix;
    o.prefix_len = plen;
    if (!parse_options(c, &o, prefix, plen))
        goto done;
    if (arg_is(c, 2, "ON")) {
        if (!options_ok(c, &o))
            goto done;
        if (tracking_enable(c, &o) != 0) {
            reply_error(c, ERR_OOM);
            goto done;
        }
    } else if (arg_is(c, 2, "OFF")) {
        tracking_disable(c);
    } else {
        reply_error(c, ERR_SYNTAX);
        goto done;
    }
    reply_ok(c);
done:
    free(prefix);
    free(plen);
}

/* CLIENT CACHING YES|NO: marks the next command (or MULTI) as cached in
 * OPTIN mode, not cached in OPTOUT mode. */
void client_caching(struct client *c)
{
    struct tracking_client *tc = c->trk;
    if (!tc || !(tc->flags & TRK_ON)) {
        reply_error(c, ERR_CACHING_MODE);
        return;
    }
    if (arg_is(c, 2, "YES")) {
        if (!(tc->flags & TRK_OPTIN)) {
            reply_error(c, ERR_CACHING_YES);
            return;
        }
    } else if (arg_is(c, 2, "NO")) {
        if (!(tc->flags & TRK_OPTOUT)) {
            reply_error(c, ERR_CACHING_NO);
            return;
        }
    } else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    tc->flags |= TRK_CACHING;
    reply_ok(c);
}

/* CLIENT GETREDIR: -1 when not tracking, 0 without REDIRECT. */
void client_getredir(struct client *c)
{
    resp_add_int(&c->out, tracking_redir_of(c));
}

/* CLIENT TRACKINGINFO: flags, redirect and prefixes, as Redis orders
 * them. */
void client_trackinginfo(struct client *c)
{
    unsigned f = c->trk ? c->trk->flags : 0;
    const char *flags[8];
    size_t n = 0;
    flags[n++] = (f & TRK_ON) ? "on" : "off";
    if (f & TRK_BCAST)
        flags[n++] = "bcast";
    if (f & TRK_OPTIN) {
        flags[n++] = "optin";
        if (f & TRK_CACHING)
            flags[n++] = "caching-yes";
    }
    if (f & TRK_OPTOUT) {
        flags[n++] = "optout";
        if (f & TRK_CACHING)
            flags[n++] = "caching-no";
    }
    if (f & TRK_NOLOOP)
        flags[n++] = "noloop";
    if (f & TRK_BROKEN_REDIR)
        flags[n++] = "broken_redirect";
    resp_add_map(&c->out, 3);
    resp_add_bulk_cstr(&c->out, "flags");
    resp_add_set(&c->out, n);
    for (size_t i = 0; i < n; i++)
        resp_add_bulk_cstr(&c->out, flags[i]);
    resp_add_bulk_cstr(&c->out, "redirect");
    resp_add_int(&c->out, tracking_redir_of(c));
    resp_add_bulk_cstr(&c->out, "prefixes");
    size_t np = c->trk ? c->trk->nprefixes : 0;
    resp_add_array(&c->out, np);
    for (size_t i = 0; i < np; i++) {
        const char *p;
        size_t len;
        tracking_prefix_at(c, i, &p, &len);
        resp_add_bulk(&c->out, p, len);
    }
}
