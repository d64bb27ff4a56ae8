/* acl_check.c - whether a user may run a call, as Redis 7.0 decides it.
 *
 * Only a restricted user's calls come here (dispatch tests
 * c->user->restricted, one load and a branch for the default user). The
 * checks, in Redis's order, each skipped when the user has it all:
 *
 *   command   its bit (a subcommand's own), else a first-arg rule
 *             matching argv[1] (any case); AUTH, HELLO, QUIT and RESET
 *             are always allowed, as their no-auth flag says in Redis
 *   keys      every key keyspec_keys() finds must match a pattern whose
 *             permissions cover what the call does to it: read for a key
 *             whose value is returned or used (ACCESS), write for one
 *             added to, updated or removed from (INSERT, UPDATE, DELETE);
 *             a key flagged neither (EXISTS, TYPE) matches any pattern
 *   channels  PUBLISH and SPUBLISH's channel, each of SUBSCRIBE and
 *             SSUBSCRIBE's, must match a channel pattern; PSUBSCRIBE's
 *             patterns must each equal one (a pattern is compared as
 *             text, not matched). Unsubscribing is always allowed.
 *
 * A user's selectors (acl_rules.c) are alternatives: the call is allowed
 * when the user's own permissions or any selector's allow all of it. A
 * denial names the argument at fault (*pos) for ACL LOG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/acl.h"
#include "server/keyspec.h"
#include "server/pubsub.h"
#include "server/server.h"

/* 1 if a first-arg rule of u lets argv[1] through for command id. */
static int firstarg_allows(const struct acl_user *u, size_t id, size_t argc,
                           const char *const *argv, const size_t *argvlen)
{
    if (argc < 2)
        return 0;
    for (size_t i = 0; i < u->nfa; i++)
        if (u->fa[i].id == id && strlen(u->fa[i].arg) == argvlen[1] &&
            strncasecmp(u->fa[i].arg, argv[1], argvlen[1]) == 0)
            return 1;
    return 0;
}

/* 1 if key k[0..n) with keyspec flags may be touched by u. */
static int key_allowed(const struct acl_user *u, const char *k, size_t n,
                       unsigned ksflags)
{
    unsigned need = 0;
    if (ksflags & KS_ACCESS)
        need |= ACL_READ;
    if (ksflags & (KS_INSERT | KS_DELETE | KS_UPDATE))
        need |= ACL_WRITE;
    for (size_t i = 0; i < u->nkeys; i++) {
        const struct acl_pattern *p = &u->keys[i];
        if ((p->flags & need) == need &&
            store_glob_match(p->pat, p->len, k, n, 0))
            return 1;
    }
    return 0;
}

/* 1 if channel ch[0..n) (a pattern when is_pattern) is allowed to the
 * selector u. */
static int channel_allowed(const struct acl_user *u, const char *ch, size_t n,
                           int is_pattern)
{
    if (u->flags & ACL_USER_ALLCHANNELS)
        return 1;
    for (size_t i = 0; i < u->nchans; i++) {
        const struct acl_pattern *p = &u->chans[i];
        if (is_pattern ? (p->len == n && memcmp(p->pat, ch, n) == 0)
                       : store_glob_match(p->pat, p->len, ch, n, 0))
            return 1;
    }
    return 0;
}

/* Checks the keys of the call; ACL_OK or ACL_DENIED_KEY with *pos. */
static enum acl_denial check_keys(const struct acl_user *u,
                                  const struct command *cmd,
                                  const struct subcommand *sub, size_t argc,
                                  const char *const *argv,
                                  const size_t *argvlen, int *pos)
{
    /* Keys are found only in a call of the right arity
     * (redis.acl_check_cmd does not check it): none otherwise. */
    int arity = sub ? sub->arity : cmd->arity;
    if ((arity > 0 && argc != (size_t)arity) ||
        (arity < 0 && argc < (size_t)-arity))
        return ACL_OK;
    const struct keyspec_cmd *row =
        keyspec_lookup_call(cmd->name, sub ? sub->name : NULL);
    if (!row)
        return ACL_OK;
    struct keyspec_key small[16], *keys = small;
    int n = keyspec_keys(row, (int)argc, argv, argvlen, small, 16);
    if (n > 16) {
        keys = malloc((size_t)n * sizeof(*keys));
        if (!keys)
            return ACL_DENIED_KEY;
        keyspec_keys(row, (int)argc, argv, argvlen, keys, n);
    }
    enum acl_denial r = ACL_OK;
    for (int i = 0; i < n && r == ACL_OK; i++) {
        int at = keys[i].pos;
        if (!key_allowed(u, argv[at], argvlen[at], keys[i].flags)) {
            *pos = at;
            r = ACL_DENIED_KEY;
        }
    }
    if (keys != small)
        free(keys);
    return r;
}

/* Checks the channels PUBLISH and the SUBSCRIBE commands name. */
static enum acl_denial check_channels(const struct acl_user *u,
                                      const struct command *cmd, size_t argc,
                                      const char *const *argv,
                                      const size_t *argvlen, int *pos)
{
    const char *n = cmd->name;
    size_t last;
    int is_pattern = 0;
    if (!strcmp(n, "PUBLISH") || !strcmp(n, "SPUBLISH"))
        last = 1;
    else if (!strcmp(n, "SUBSCRIBE") || !strcmp(n, "SSUBSCRIBE"))
        last = argc - 1;
    else if (!strcmp(n, "PSUBSCRIBE")) {
        last = argc - 1;
        is_pattern = 1;
    } else
        return ACL_OK;
    for (size_t i = 1; i <= last && i < argc; i++) {
        if (!channel_allowed(u, argv[i], argvlen[i], is_pattern)) {
            *pos = (int)i;
            return ACL_DENIED_CHANNEL;
        }
    }
    return ACL_OK;
}

/* acl_check for one selector (the user's own permissions are its
 * first). */
static enum acl_denial check_one(const struct server *srv,
                                 const struct acl_user *u,
                                 const struct command *cmd,
                                 const struct subcommand *sub, size_t argc,
                                 const char *const *argv,
                                 const size_t *argvlen, int *pos)
{
    *pos = 0;
    if (!(u->flags & ACL_USER_ALLCOMMANDS) && !(cmd->flags & CMD_NOAUTH)) {
        size_t id = acl_cmd_id(srv, cmd, sub);
        if (!acl_bit(u, id) && (sub || !firstarg_allows(u, id, argc, argv,
                                                        argvlen)))
            return ACL_DENIED_CMD;
    }
    if (!(u->flags & ACL_USER_ALLKEYS)) {
        enum acl_denial r = check_keys(u, cmd, sub, argc, argv, argvlen, pos);
        if (r != ACL_OK)
            return r;
    }
    if (!(u->flags & ACL_USER_ALLCHANNELS))
        return check_channels(u, cmd, argc, argv, argvlen, pos);
    return ACL_OK;
}

/* See acl.h. Any selector allowing the call is enough; when none does,
 * the denial told is Redis's pick: the gravest reason (a channel over a
 * key over the command), then the last argument at fault. */
enum acl_denial acl_check(const struct server *srv, const struct acl_user *u,
                          const struct command *cmd,
                          const struct subcommand *sub, size_t argc,
                          const char *const *argv, const size_t *argvlen,
                          int *pos)
{
    enum acl_denial worst =
        check_one(srv, u, cmd, sub, argc, argv, argvlen, pos);
    for (size_t i = 0; worst != ACL_OK && i < u->nsels; i++) {
        int at;
        enum acl_denial r = check_one(srv, u->sels[i], cmd, sub, argc, argv,
                                      argvlen, &at);
        if (r == ACL_OK || r > worst || (r == worst && at > *pos)) {
            worst = r;
            *pos = at;
        }
    }
    return worst;
}

/* 1 if selector u may read any key: allkeys, or a "*" pattern that
 * reads. */
static int reads_all_keys(const struct acl_user *u)
{
    if (u->flags & ACL_USER_ALLKEYS)
        return 1;
    for (size_t i = 0; i < u->nkeys; i++)
        if ((u->keys[i].flags & ACL_READ) && u->keys[i].len == 1 &&
            u->keys[i].pat[0] == '*')
            return 1;
    return 0;
}

/* See acl.h. */
int acl_client_reads_all_keys(struct client *c)
{
    const struct acl_user *u = c->user;
    if (!u->restricted)
        return 1;
    const struct subcommand *sub = subcommand_of(c);
    int pos;
    if (check_one(c->srv, u, c->cmd, sub, c->argc, c->argv, c->argvlen,
                  &pos) == ACL_OK && reads_all_keys(u))
        return 1;
    for (size_t i = 0; i < u->nsels; i++)
        if (check_one(c->srv, u->sels[i], c->cmd, sub, c->argc, c->argv,
                      c->argvlen, &pos) == ACL_OK &&
            reads_all_keys(u->sels[i]))
            return 1;
    return 0;
}

/* See acl.h. */
enum acl_denial acl_check_client(struct client *c, enum acl_ctx ctx, int *pos)
{
    enum acl_denial r = acl_check(c->srv, c->user, c->cmd, subcommand_of(c),
                                  c->argc, c->argv, c->argvlen, pos);
    if (r != ACL_OK)
        acl_log_add(c, r, ctx, *pos, NULL, 0);
    return r;
}

/* See acl.h. */
const char *acl_cmd_name(const struct client *c)
{
    const struct acl *acl = c->srv->acl;
    return acl->cmds[acl_cmd_id(c->srv, c->cmd, subcommand_of(c))].name;
}

/* See acl.h. */
void acl_denial_message(const struct client *c, enum acl_denial why,
                        char *buf, size_t cap)
{
    switch (why) {
    case ACL_DENIED_CMD:
        snprintf(buf, cap, "NOPERM this user has no permissions to run the "
                           "'%s' command", acl_cmd_name(c));
        break;
    case ACL_DENIED_KEY:
        snprintf(buf, cap, "NOPERM this user has no permissions to access "
                           "one of the keys used as arguments");
        break;
    case ACL_DENIED_CHANNEL:
        snprintf(buf, cap, "NOPERM this user has no permissions to access "
                           "one of the channels used as arguments");
        break;
    default:
        snprintf(buf, cap, "NOPERM no permission");
        break;
    }
}

/* 1 if no selector of u allows the channel (or pattern). */
static int channel_lost_to(const struct acl_user *u, const char *name,
                           size_t len, int is_pattern)
{
    if (channel_allowed(u, name, len, is_pattern))
        return 0;
    for (size_t i = 0; i < u->nsels; i++)
        if (channel_allowed(u->sels[i], name, len, is_pattern))
            return 0;
    return 1;
}

/* For pubsub_client_any: 1 if the channel is no longer allowed. */
static int channel_lost(void *ctx, const char *name, size_t len)
{
    return channel_lost_to(ctx, name, len, 0);
}

static int pattern_lost(void *ctx, const char *name, size_t len)
{
    return channel_lost_to(ctx, name, len, 1);
}

/* See acl.h. */
void acl_kill_pubsub_clients(struct server *srv, struct acl_user *u)
{
    if (u->flags & ACL_USER_ALLCHANNELS)
        return;
    for (struct client *o = srv->clients, *next; o; o = next) {
        next = o->next;
        if (o->user != u || !pubsub_client_subscribed(o))
            continue;
        if (!pubsub_client_any(o, PUBSUB_CHANNEL, channel_lost, u) &&
            !pubsub_client_any(o, PUBSUB_SHARD, channel_lost, u) &&
            !pubsub_client_any(o, PUBSUB_PATTERN, pattern_lost, u))
            continue;
        if (o == srv->current_client)
            o->flags |= CLIENT_CLOSE_AFTER_REPLY;   /* after its reply */
        else
            client_close(o);
    }
}
