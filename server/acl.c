/* acl.c - the registry of ACL users and authentication.
 *
 * Users live in one array sorted by name (bytewise), the order ACL USERS
 * and ACL LIST give, as Redis's rax does. "default" is always there: a new
 * connection runs as it, authenticated when it needs no password (on and
 * nopass), which is also whether any connection must authenticate before
 * its first command (srv->auth_required, Redis's authRequired).
 *
 * Commands are known by id, INFO commandstats' slot (commands.c): the
 * table's commands first, then each container's subcommands. A user's
 * permissions are a bitmap over those ids (acl_rules.c). The table of ids
 * (srv->acl->cmds) is built once here with each id's ACL categories, so
 * rules and descriptions need no string work per command.
 *
 * requirepass stays the default user's password, as in Redis: when it is
 * set or changes (start-up, CONFIG SET) the default user gets resetpass
 * then >pass, or nopass when it is cleared. ACL SETUSER default may then
 * change it again; CONFIG GET requirepass still shows the directive.
 *
 * At start-up, after requirepass, the "user" directives are applied in
 * order ("user default" resets the default user first) or the aclfile is
 * loaded (acl_file.c); having both is an error, as in Redis. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/acl.h"
#include "server/server.h"
#include "server/sha256.h"

/* Fills srv->acl->cmds from the command table. Returns 0 or -1 on OOM. */
static int cmds_init(struct server *srv, struct acl *acl)
{
    size_t n;
    const struct command *t = command_table(&n);
    acl->ncmds = srv->ncmdstats;
    acl->nwords = (acl->ncmds + 63) / 64;
    acl->cmds = calloc(acl->ncmds, sizeof(*acl->cmds));
    if (!acl->cmds)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct acl_cmd *ac = &acl->cmds[i];
        ac->cmd = &t[i];
        ac->cats = command_acl_category_mask(&t[i], NULL);
        size_t k = 0;
        for (const char *p = t[i].name; *p && k + 1 < sizeof(ac->name); p++)
            ac->name[k++] = (char)tolower((unsigned char)*p);
        if (!t[i].subs)
            continue;
        ac->first_sub = srv->sub_stats[i];
        ac->nsubs = t[i].subs->n;
        for (size_t j = 0; j < t[i].subs->n; j++) {
            struct acl_cmd *sc = &acl->cmds[ac->first_sub + j];
            sc->cmd = &t[i];
            sc->sub = &t[i].subs->subs[j];
            sc->cats = command_acl_category_mask(&t[i], sc->sub);
            size_t m = 0;
            const char *parts[2] = { t[i].name, sc->sub->name };
            for (int q = 0; q < 2; q++) {
                if (q == 1 && m + 1 < sizeof(sc->name))
                    sc->name[m++] = '|';
                for (const char *p = parts[q]; *p && m + 1 < sizeof(sc->name);
                     p++)
                    sc->name[m++] = (char)tolower((unsigned char)*p);
            }
        }
    }
    return 0;
}

/* See acl.h. */
size_t acl_cmd_id(const struct server *srv, const struct command *cmd,
                  const struct subcommand *sub)
{
    size_t n;
    const struct command *t = command_table(&n);
    size_t i = (size_t)(cmd - t);
    if (!sub)
        return i;
    return srv->sub_stats[i] + (size_t)(sub - cmd->subs->subs);
}

/* Index of the first user whose name is not below name[0..len). */
static size_t user_slot(const struct acl *acl, const char *name, size_t len)
{
    size_t lo = 0, hi = acl->nusers;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct acl_user *u = acl->users[mid];
        size_t m = u->namelen < len ? u->namelen : len;
        int cmp = memcmp(u->name, name, m);
        if (cmp < 0 || (cmp == 0 && u->namelen < len))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* See acl.h. */
struct acl_user *acl_user_find(const struct acl *acl, const char *name,
                               size_t len)
{
    size_t i = user_slot(acl, name, len);
    if (i < acl->nusers && acl->users[i]->namelen == len &&
        memcmp(acl->users[i]->name, name, len) == 0)
        return acl->users[i];
    return NULL;
}

/* A user with nothing allowed and no name. NULL on OOM. */
static struct acl_user *user_alloc(const struct acl *acl)
{
    struct acl_user *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->bits = calloc(acl->nwords ? acl->nwords : 1, sizeof(uint64_t));
    if (!u->bits) {
        free(u);
        return NULL;
    }
    u->restricted = 1;
    return u;
}

/* Frees u's permissions and passwords, not its name. */
static void user_clear(struct acl_user *u)
{
    free(u->pass);
    free(u->bits);
    for (size_t i = 0; i < u->nfa; i++)
        free(u->fa[i].arg);
    free(u->fa);
    for (size_t i = 0; i < u->nkeys; i++)
        free(u->keys[i].pat);
    free(u->keys);
    for (size_t i = 0; i < u->nchans; i++)
        free(u->chans[i].pat);
    free(u->chans);
    acl_selectors_clear(u);
}

/* See acl.h. */
void acl_user_free(struct acl_user *u)
{
    if (!u)
        return;
    user_clear(u);
    free(u->name);
    free(u);
}

/* See acl.h. */
struct acl_user *acl_user_new(const struct server *srv, const char *name,
                              size_t len)
{
    struct acl_user *u = user_alloc(srv->acl);
    if (!u)
        return NULL;
    u->name = bytes_dup(name, len);
    if (!u->name) {
        acl_user_free(u);
        return NULL;
    }
    u->namelen = len;
    /* acl-pubsub-default decides a new user's channels, as in Redis 7.0. */
    if (srv->conf.acl_pubsub_default &&
        strcmp(srv->conf.acl_pubsub_default, "allchannels") == 0)
        u->flags |= ACL_USER_ALLCHANNELS;
    acl_user_changed((struct server *)srv, u);
    return u;
}

/* See acl.h. */
int acl_user_add(struct server *srv, struct acl_user *u)
{
    struct acl *acl = srv->acl;
    if (acl->nusers == acl->cap) {
        size_t cap = acl->cap ? acl->cap * 2 : 8;
        struct acl_user **v = realloc(acl->users, cap * sizeof(*v));
        if (!v)
            return -1;
        acl->users = v;
        acl->cap = cap;
    }
    size_t i = user_slot(acl, u->name, u->namelen);
    memmove(&acl->users[i + 1], &acl->users[i],
            (acl->nusers - i) * sizeof(*acl->users));
    acl->users[i] = u;
    acl->nusers++;
    return 0;
}

/* See acl.h. */
struct acl_user *acl_user_create(struct server *srv, const char *name,
                                 size_t len)
{
    struct acl_user *u = acl_user_new(srv, name, len);
    if (u && acl_user_add(srv, u) != 0) {
        acl_user_free(u);
        return NULL;
    }
    return u;
}

/* Copies n patterns of src into *dst. Returns 0 or -1 on OOM. */
static int patterns_dup(struct acl_pattern **dst,
                        const struct acl_pattern *src, size_t n)
{
    *dst = NULL;
    if (n == 0)
        return 0;
    *dst = calloc(n, sizeof(**dst));
    if (!*dst)
        return -1;
    for (size_t i = 0; i < n; i++) {
        (*dst)[i] = src[i];
        (*dst)[i].pat = strdup(src[i].pat);
        if (!(*dst)[i].pat)
            return -1;
    }
    return 0;
}

/* See acl.h. */
struct acl_user *acl_user_dup(const struct acl *acl, const struct acl_user *u)
{
    struct acl_user *d = user_alloc(acl);
    if (!d)
        return NULL;
    d->flags = u->flags;
    d->restricted = u->restricted;
    memcpy(d->bits, u->bits, acl->nwords * sizeof(uint64_t));
    int bad = 0;
    if (u->npass) {
        d->pass = malloc(u->npass * sizeof(*d->pass));
        if (d->pass) {
            memcpy(d->pass, u->pass, u->npass * sizeof(*d->pass));
            d->npass = u->npass;
        } else
            bad = 1;
    }
    if (u->nfa) {
        d->fa = calloc(u->nfa, sizeof(*d->fa));
        if (d->fa) {
            d->nfa = u->nfa;
            for (size_t i = 0; i < u->nfa; i++) {
                d->fa[i].id = u->fa[i].id;
                d->fa[i].arg = strdup(u->fa[i].arg);
                bad |= !d->fa[i].arg;
            }
        } else
            bad = 1;
    }
    bad |= patterns_dup(&d->keys, u->keys, u->nkeys) != 0;
    d->nkeys = d->keys ? u->nkeys : 0;
    bad |= patterns_dup(&d->chans, u->chans, u->nchans) != 0;
    d->nchans = d->chans ? u->nchans : 0;
    if (u->nsels && !bad) {
        d->sels = calloc(u->nsels, sizeof(*d->sels));
        bad = !d->sels;
        for (size_t i = 0; !bad && i < u->nsels; i++) {
            d->sels[i] = acl_user_dup(acl, u->sels[i]);
            bad = !d->sels[i];
            d->nsels += !bad;
        }
    }
    if (bad) {
        acl_user_free(d);
        return NULL;
    }
    return d;
}

/* See acl.h. */
void acl_user_replace(struct server *srv, struct acl_user *dst,
                      struct acl_user *src)
{
    user_clear(dst);
    char *name = dst->name;
    size_t namelen = dst->namelen;
    *dst = *src;
    dst->name = name;
    dst->namelen = namelen;
    free(src->name);
    free(src);
    acl_user_changed(srv, dst);
}

/* See acl.h. */
void acl_user_changed(struct server *srv, struct acl_user *u)
{
    unsigned all = ACL_USER_ALLCOMMANDS | ACL_USER_ALLKEYS |
                   ACL_USER_ALLCHANNELS;
    u->restricted = (u->flags & all) != all;
    if (u == srv->acl->dflt)
        srv->auth_required = (u->flags & (ACL_USER_ON | ACL_USER_NOPASS)) !=
                             (ACL_USER_ON | ACL_USER_NOPASS);
}

/* See acl.h. As Redis, a client of a deleted user, the caller too, is
 * first pointed at the default user, unauthenticated, then closed (the
 * caller after its reply). */
void acl_user_kill_clients(struct server *srv, const struct acl_user *u)
{
    for (struct client *o = srv->clients, *next; o; o = next) {
        next = o->next;
        if (o->user != u)
            continue;
        o->user = srv->acl->dflt;
        o->authed = 0;
        /* The running client closes once its reply is out; its output
         * stays unmuted for that reply (and EXEC's next ones, as Redis's
         * CLIENT_CLOSE_AFTER_COMMAND). */
        if (o == srv->current_client)
            o->flags |= CLIENT_CLOSE_AFTER_REPLY;
        else
            client_close(o);
    }
}

/* See acl.h. */
void acl_user_delete(struct server *srv, struct acl_user *u)
{
    struct acl *acl = srv->acl;
    acl_user_kill_clients(srv, u);
    size_t i = user_slot(acl, u->name, u->namelen);
    memmove(&acl->users[i], &acl->users[i + 1],
            (acl->nusers - i - 1) * sizeof(*acl->users));
    acl->nusers--;
    acl_user_free(u);
}

/* Sets the default user's password from requirepass (NULL: nopass). */
static void default_password(struct server *srv, const char *pass)
{
    struct acl_user *u = srv->acl->dflt;
    acl_rule_apply(srv, u, "resetpass", 9);
    if (!pass) {
        acl_rule_apply(srv, u, "nopass", 6);
        return;
    }
    size_t n = strlen(pass);
    char *op = malloc(n + 2);
    if (!op)
        return;
    op[0] = '>';
    memcpy(op + 1, pass, n + 1);
    acl_rule_apply(srv, u, op, n + 1);
    free(op);
}

/* See acl.h. */
void acl_conf_applied(struct server *srv)
{
    struct acl *acl = srv->acl;
    const char *want = srv->conf.requirepass;
    if (want == acl->requirepass ||
        (want && acl->requirepass && strcmp(want, acl->requirepass) == 0))
        return;
    free(acl->requirepass);
    acl->requirepass = want ? strdup(want) : NULL;
    default_password(srv, want);
    acl_user_changed(srv, acl->dflt);
}

/* See acl.h. */
int acl_init(struct server *srv)
{
    struct acl *acl = calloc(1, sizeof(*acl));
    if (!acl)
        return -1;
    srv->acl = acl;
    if (cmds_init(srv, acl) != 0)
        return -1;
    struct acl_user *u = acl_user_create(srv, "default", 7);
    if (!u)
        return -1;
    acl->dflt = u;
    static const char *const rules[] = {
        "+@all", "~*", "&*", "on", "nopass",
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (acl_rule_apply(srv, u, rules[i], strlen(rules[i])) != ACL_RULE_OK)
            return -1;
    acl_user_changed(srv, u);
    if (srv->conf.requirepass) {
        acl->requirepass = strdup(srv->conf.requirepass);
        if (!acl->requirepass)
            return -1;
        default_password(srv, acl->requirepass);
        acl_user_changed(srv, u);
    }
    return 0;
}

/* Applies one "user" directive; on an error prints it and returns -1. */
static int configured_user(struct server *srv, const struct conf_user *cu)
{
    const char *name = cu->argv[0];
    size_t len = strlen(name);
    struct acl_user *u = NULL;
    const char *why = NULL;
    if (strchr(name, ' ')) {
        why = "Usernames can't contain spaces or null characters";
    } else if (len == 7 && memcmp(name, "default", 7) == 0) {
        u = srv->acl->dflt;
        acl_rule_apply(srv, u, "reset", 5);
    } else if (acl_user_find(srv->acl, name, len)) {
        why = "Duplicate user found. A user can only be defined once in "
              "config files";
    } else if (!(u = acl_user_create(srv, name, len))) {
        why = "Out of memory";
    }
    size_t n = cu->argc > 1 ? (size_t)cu->argc - 1 : 0, bad = 0;
    size_t *lens = calloc(n + 1, sizeof(*lens));
    size_t *olens = calloc(n + 1, sizeof(*olens));
    char **ops = calloc(n + 1, sizeof(*ops));
    size_t nops = 0;
    if (!why && (!lens || !olens || !ops)) {
        why = "Out of memory";
    } else if (!why) {
        for (size_t i = 0; i < n; i++)
            lens[i] = strlen(cu->argv[i + 1]);
        nops = acl_merge_selectors((const char *const *)cu->argv + 1, lens,
                                   n, ops, olens, &bad);
        if (nops == (size_t)-1) {
            why = "Unmatched parenthesis in acl selector";
            nops = 0;
        }
    }
    for (size_t i = 0; !why && i < nops; i++) {
        enum acl_rule_err err = acl_rule_apply(srv, u, ops[i], olens[i]);
        if (err != ACL_RULE_OK)
            why = acl_rule_err_text(err);
    }
    for (size_t i = 0; i < nops; i++)
        free(ops[i]);
    free(ops);
    free(lens);
    free(olens);
    if (why) {
        fprintf(stderr, "respite: Error in user declaration '%s': %s\n",
                name, why);
        return -1;
    }
    acl_user_changed(srv, u);
    return 0;
}

/* See acl.h. The "user" directives, or else the aclfile. */
int acl_load_at_startup(struct server *srv)
{
    if (srv->conf.nusers && srv->conf.aclfile) {
        fprintf(stderr, "respite: Configuring Redis with users defined in "
                        "redis.conf and at the same setting an ACL file "
                        "path is invalid. This setup is very likely to lead "
                        "to configuration errors and security holes, please "
                        "define either an ACL file or declare users directly "
                        "in your redis.conf, but not both.\n");
        return -1;
    }
    for (int i = 0; i < srv->conf.nusers; i++)
        if (configured_user(srv, &srv->conf.users[i]) != 0)
            return -1;
    if (!srv->conf.aclfile)
        return 0;
    char *err = NULL;
    if (acl_file_load(srv, &err) == 0)
        return 0;
    fprintf(stderr, "respite: %s\n", err ? err : "out of memory");
    free(err);
    return -1;
}

/* See acl.h. */
void acl_close(struct server *srv)
{
    struct acl *acl = srv->acl;
    if (!acl)
        return;
    acl_log_reset(srv);
    for (size_t i = 0; i < acl->nusers; i++)
        acl_user_free(acl->users[i]);
    free(acl->users);
    free(acl->cmds);
    free(acl->requirepass);
    free(acl);
    srv->acl = NULL;
}

/* ---- Authentication ------------------------------------------------------ */

/* 1 if a and b (n bytes) are equal, in time that does not depend on
 * where they differ. */
static int same_bytes(const char *a, const char *b, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* 1 if u is on and pass opens it. */
static int credentials_ok(const struct acl_user *u, const char *pass,
                          size_t plen)
{
    if (!(u->flags & ACL_USER_ON))
        return 0;
    if (u->flags & ACL_USER_NOPASS)
        return 1;
    char hex[ACL_HASH_LEN + 1];
    sha256_hex(pass, plen, hex);
    int ok = 0;
    for (size_t i = 0; i < u->npass; i++)
        ok |= same_bytes(u->pass[i], hex, ACL_HASH_LEN);
    return ok;
}

/* See acl.h. */
int acl_auth(struct client *c, const char *user, size_t ulen,
             const char *pass, size_t plen)
{
    struct acl_user *u = acl_user_find(c->srv->acl, user, ulen);
    if (!u || !credentials_ok(u, pass, plen)) {
        acl_log_add(c, ACL_DENIED_AUTH,
                    (c->flags & CLIENT_MULTI) ? ACL_CTX_MULTI
                                              : ACL_CTX_TOPLEVEL,
                    0, user, ulen);
        return 0;
    }
    c->user = u;
    c->authed = 1;
    return 1;
}

/* See acl.h. */
void acl_client_default(struct client *c)
{
    c->user = c->srv->acl->dflt;
    c->authed = !c->srv->auth_required;
}
