/* acl_log.c - ACL LOG: the recent denials (commands, keys, channels) and
 * failed authentications, newest first, at most acllog-max-len of them.
 *
 * As in Redis 7.0, a denial like one of the 10 newest entries (same
 * reason, context, object and username) less than 60 s after it is not a
 * new entry: that entry counts one more, takes the new time and client
 * description, and moves to the front. The client description is the
 * CLIENT LIST line of the client at fault (of the caller, for a script's
 * command) at the time. Redis 7.2's fields: entry-id numbers the new
 * entries since the start (RESET does not restart it), timestamp-created
 * and timestamp-last-updated are Unix ms. */
#include <stdlib.h>
#include <string.h>

#include "server/acl.h"
#include "server/server.h"

#define GROUP_MS 60000
#define GROUP_SCAN 10

struct acl_log_entry {
    struct acl_log_entry *next;
    uint64_t count;
    enum acl_denial reason;
    enum acl_ctx ctx;
    char *object, *user, *cinfo;        /* owned */
    size_t olen, ulen, cilen;
    int64_t ctime_ms;                   /* last updated */
    int64_t created_ms;                 /* Redis 7.2's timestamp-created */
    uint64_t id;                        /* Redis 7.2's entry-id */
};

static void entry_free(struct acl_log_entry *e)
{
    free(e->object);
    free(e->user);
    free(e->cinfo);
    free(e);
}

/* See acl.h. */
void acl_log_reset(struct server *srv)
{
    struct acl *acl = srv->acl;
    while (acl->log) {
        struct acl_log_entry *e = acl->log;
        acl->log = e->next;
        entry_free(e);
    }
    acl->nlog = 0;
}

/* The CLIENT LIST line of c, owned, without its newline; NULL on OOM. */
static char *client_line(const struct client *c, size_t *len)
{
    struct resp_out text;
    resp_out_init(&text, 2);
    client_info_text(&text, c);
    size_t n = text.len;
    if (n && text.data[n - 1] == '\n')
        n--;
    char *s = text.nomem ? NULL : bytes_dup(text.data ? text.data : "", n);
    resp_out_close(&text);
    *len = n;
    return s;
}

/* Drops the entries past acllog-max-len. */
static void trim(struct acl *acl, size_t max)
{
    struct acl_log_entry **pp = &acl->log;
    for (size_t i = 0; *pp && i < max; i++)
        pp = &(*pp)->next;
    while (*pp) {
        struct acl_log_entry *e = *pp;
        *pp = e->next;
        entry_free(e);
        acl->nlog--;
    }
}

/* Unlinks and returns the entry like (why, ctx, object, user) among the
 * newest, or NULL. */
static struct acl_log_entry *take_similar(struct acl *acl,
                                          enum acl_denial why,
                                          enum acl_ctx ctx, const char *obj,
                                          size_t olen, const char *user,
                                          size_t ulen, int64_t now)
{
    struct acl_log_entry **pp = &acl->log;
    for (int i = 0; *pp && i < GROUP_SCAN; i++, pp = &(*pp)->next) {
        struct acl_log_entry *e = *pp;
        if (e->reason == why && e->ctx == ctx &&
            now - e->ctime_ms <= GROUP_MS && e->olen == olen &&
            memcmp(e->object, obj, olen) == 0 && e->ulen == ulen &&
            memcmp(e->user, user, ulen) == 0) {
            *pp = e->next;
            acl->nlog--;
            return e;
        }
    }
    return NULL;
}

/* See acl.h. */
void acl_log_add(struct client *c, enum acl_denial why, enum acl_ctx ctx,
                 int pos, const char *user, size_t ulen)
{
    struct server *srv = c->srv;
    struct acl *acl = srv->acl;
    const char *obj;
    size_t olen;
    if (why == ACL_DENIED_AUTH) {
        /* The command's name as the client spelled it ("auth", "HELLO"),
         * as Redis logs it: differently spelled failures stay apart. */
        obj = c->argv[0];
        olen = c->argvlen[0];
    } else if (why == ACL_DENIED_CMD) {
        obj = acl_cmd_name(c);
        olen = strlen(obj);
    } else {
        obj = c->argv[pos];
        olen = c->argvlen[pos];
    }
    if (!user) {
        user = c->user->name;
        ulen = c->user->namelen;
    }
    /* A script's command is the caller's doing. */
    const struct client *real =
        (c->flags & CLIENT_SCRIPT) && srv->current_client
            ? srv->current_client : c;
    int64_t now = server_now_ms(srv);
    size_t cilen;
    char *cinfo = client_line(real, &cilen);
    if (!cinfo)
        return;
    struct acl_log_entry *e =
        take_similar(acl, why, ctx, obj, olen, user, ulen, now);
    if (e) {
        free(e->cinfo);
        e->count++;
    } else {
        e = calloc(1, sizeof(*e));
        if (e) {
            e->object = bytes_dup(obj, olen);
            e->user = bytes_dup(user, ulen);
        }
        if (!e || !e->object || !e->user) {
            if (e)
                entry_free(e);
            free(cinfo);
            return;
        }
        e->count = 1;
        e->id = acl->log_next_id++;
        e->created_ms = now;
        e->reason = why;
        e->ctx = ctx;
        e->olen = olen;
        e->ulen = ulen;
    }
    e->cinfo = cinfo;
    e->cilen = cilen;
    e->ctime_ms = now;
    e->next = acl->log;
    acl->log = e;
    acl->nlog++;
    trim(acl, (size_t)srv->conf.acllog_max_len);
}

static const char *reason_name(enum acl_denial why)
{
    switch (why) {
    case ACL_DENIED_CMD:
        return "command";
    case ACL_DENIED_KEY:
        return "key";
    case ACL_DENIED_CHANNEL:
        return "channel";
    case ACL_DENIED_AUTH:
        return "auth";
    default:
        return "unknown";
    }
}

static const char *context_name(enum acl_ctx ctx)
{
    return ctx == ACL_CTX_MULTI ? "multi"
           : ctx == ACL_CTX_LUA ? "lua"
                                : "toplevel";
}

/* See acl.h. */
void acl_log_command(struct client *c)
{
    struct acl *acl = c->srv->acl;
    int64_t count = 10;
    if (c->argc == 3) {
        if (arg_is(c, 2, "RESET")) {
            acl_log_reset(c->srv);
            reply_ok(c);
            return;
        }
        if (!arg_i64_or_reply(c, 2, &count))
            return;
        if (count < 0)
            count = 0;
    } else if (c->argc > 3) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "ACL");
        return;
    }
    size_t n = acl->nlog < (uint64_t)count ? acl->nlog : (size_t)count;
    int64_t now = server_now_ms(c->srv);
    resp_add_array(&c->out, n);
    const struct acl_log_entry *e = acl->log;
    for (size_t i = 0; i < n; i++, e = e->next) {
        resp_add_map(&c->out, 10);
        resp_add_bulk_cstr(&c->out, "count");
        resp_add_int(&c->out, (int64_t)e->count);
        resp_add_bulk_cstr(&c->out, "reason");
        resp_add_bulk_cstr(&c->out, reason_name(e->reason));
        resp_add_bulk_cstr(&c->out, "context");
        resp_add_bulk_cstr(&c->out, context_name(e->ctx));
        resp_add_bulk_cstr(&c->out, "object");
        resp_add_bulk(&c->out, e->object, e->olen);
        resp_add_bulk_cstr(&c->out, "username");
        resp_add_bulk(&c->out, e->user, e->ulen);
        resp_add_bulk_cstr(&c->out, "age-seconds");
        resp_add_double(&c->out, (double)(now - e->ctime_ms) / 1000);
        resp_add_bulk_cstr(&c->out, "client-info");
        resp_add_bulk(&c->out, e->cinfo, e->cilen);
        resp_add_bulk_cstr(&c->out, "entry-id");
        resp_add_int(&c->out, (int64_t)e->id);
        resp_add_bulk_cstr(&c->out, "timestamp-created");
        resp_add_int(&c->out, e->created_ms);
        resp_add_bulk_cstr(&c->out, "timestamp-last-updated");
        resp_add_int(&c->out, e->ctime_ms);
    }
}
