/* cmd_conn.c - connection commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT,
 * RESET and the CLIENT container.
 *
 * Authentication is Redis 7's ACL (acl.c): AUTH [user] pass and HELLO's
 * AUTH pick the user the connection runs as; AUTH <pass> alone is the
 * default user's and an error while that user has no password (nopass).
 * c->authed is Redis's "authenticated" flag, set when the connection
 * opens while the default user needs no password or when it gives the
 * right one; whether a command needs it is asked each time
 * (client_auth_required), so giving the default user nopass lets every
 * connection in and a password again shuts out those that never
 * authenticated, as in Redis.
 *
 * CLIENT REPLY OFF and SKIP mute c->out (resp_out.muted), which drops
 * whatever is written while they hold: a command's reply, its refusal or
 * +QUEUED, a blocked command's eventual reply. Pub/sub confirmations and
 * messages unmute it for their frame (cmd_pubsub.c, pubsub.c), as Redis's
 * CLIENT_PUSHING does. client_dispatch applies the mode before each
 * command and ends a SKIP after it (after it is served, if it blocked).
 * A client told to close after its reply (QUIT, killing itself) is muted
 * for good, pushes too: Redis adds nothing to such a client's output, so
 * an EXEC that kills its own connection sends its array's header and the
 * replies before the kill's, then closes.
 *
 * CLIENT LIST and CLIENT INFO print Redis 7.0's fields in its order, then
 * 7.2's lib-name and lib-ver (CLIENT SETINFO). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/handlers.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/tracking.h"

void cmd_ping(struct client *c)
{
    if (c->argc > 2) {
        reply_error(c, ERR_ARITY, "ping");
        return;
    }
    if (c->proto == 2 && pubsub_client_subscribed(c)) {
        /* RESP2 subscribed mode: Redis answers with a frame a subscriber
         * can parse like a message. */
        resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, "pong", 4);
        resp_add_bulk(&c->out, c->argc == 2 ? c->argv[1] : "",
                      c->argc == 2 ? c->argvlen[1] : 0);
    } else if (c->argc == 2) {
        resp_add_bulk(&c->out, c->argv[1], c->argvlen[1]);
    } else {
        resp_add_simple(&c->out, "PONG");
    }
}

void cmd_echo(struct client *c)
{
    resp_add_bulk(&c->out, c->argv[1], c->argvlen[1]);
}

void cmd_quit(struct client *c)
{
    reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    client_reply_mode_apply(c);
}

void cmd_auth(struct client *c)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    /* Even a failed AUTH's arguments stay out of MONITOR and the slow
     * log; a syntax error's do not, as in Redis. */
    client_redact_arg(c, 1);
    if (c->argc == 3)
        client_redact_arg(c, 2);
    const char *user = "default", *pass = c->argv[1];
    size_t ulen = 7, plen = c->argvlen[1];
    if (c->argc == 2 && (c->srv->acl->dflt->flags & ACL_USER_NOPASS)) {
        reply_error(c, ERR_AUTH_NOPASS);
        return;
    }
    if (c->argc == 3) {
        user = c->argv[1];
        ulen = c->argvlen[1];
        pass = c->argv[2];
        plen = c->argvlen[2];
    }
    if (!acl_auth(c, user, ulen, pass, plen)) {
        reply_error(c, ERR_WRONGPASS);
        return;
    }
    reply_ok(c);
}

/* Validates and sets the client name ("" clears it). Replies the error
 * and returns 0 on a bad name. */
static int set_name_or_reply(struct client *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '!' || p[i] > '~') {
            reply_error(c, ERR_CLIENT_NAME);
            return 0;
        }
    }
    free(c->name);
    c->name = NULL;
    if (n > 0) {
        c->name = strndup(p, n);
        if (!c->name) {
            reply_error(c, ERR_OOM);
            return 0;
        }
    }
    return 1;
}

/* HELLO [protover [AUTH user pass] [SETNAME name]]. As in Redis 7.0,
 * each option takes effect as it is read, before the check that the
 * client is authenticated: an AUTH that succeeds holds even when a later
 * option is refused, and a SETNAME names the connection even when HELLO
 * then answers NOAUTH or a syntax error. */
void cmd_hello(struct client *c)
{
    int64_t ver = 0;
    size_t j = 1;
    if (c->argc >= 2) {
        if (!parse_i64(c->argv[1], c->argvlen[1], &ver)) {
            reply_error(c, ERR_PROTO_VERSION);
            return;
        }
        if (ver < 2 || ver > 3) {
            reply_error(c, ERR_NOPROTO);
            return;
        }
        j = 2;
    }
    for (; j < c->argc; j++) {
        size_t more = c->argc - 1 - j;
        if (arg_is(c, j, "AUTH") && more >= 2) {
            /* Only credentials reached: options after an error are shown
             * as sent, as in Redis. */
            client_redact_arg(c, j + 1);
            client_redact_arg(c, j + 2);
            if (!acl_auth(c, c->argv[j + 1], c->argvlen[j + 1],
                          c->argv[j + 2], c->argvlen[j + 2])) {
                reply_error(c, ERR_WRONGPASS);
                return;
            }
            j += 2;
        } else if (arg_is(c, j, "SETNAME") && more >= 1) {
            if (!set_name_or_reply(c, c->argv[j + 1], c->argvlen[j + 1]))
                return;
            j++;
        } else {
            reply_error(c, ERR_HELLO_OPTION, ARGV_CLIPPED(c, j));
            return;
        }
    }
    /* Redis 7.0 asks for authentication itself here, not whether one is
     * required: a connection opened while requirepass was set still gets
     * NOAUTH from HELLO once it is cleared, though other commands run. */
    if (!c->authed) {
        reply_error(c, ERR_HELLO_NOAUTH);
        return;
    }
    if (ver) {
        c->proto = (int)ver;
        c->out.proto = (int)ver;
    }
    resp_add_map(&c->out, 7);
    resp_add_bulk_cstr(&c->out, "server");
    resp_add_bulk_cstr(&c->out, "redis");
    resp_add_bulk_cstr(&c->out, "version");
    resp_add_bulk_cstr(&c->out, REDIS_COMPAT_VERSION);
    resp_add_bulk_cstr(&c->out, "proto");
    resp_add_int(&c->out, c->proto);
    resp_add_bulk_cstr(&c->out, "id");
    resp_add_int(&c->out, (int64_t)c->id);
    resp_add_bulk_cstr(&c->out, "mode");
    resp_add_bulk_cstr(&c->out, "standalone");
    resp_add_bulk_cstr(&c->out, "role");
    resp_add_bulk_cstr(&c->out, "master");
    resp_add_bulk_cstr(&c->out, "modules");
    resp_add_array(&c->out, 0);
}

void cmd_select(struct client *c)
{
    int64_t id;
    if (!parse_i64(c->argv[1], c->argvlen[1], &id) || id < INT32_MIN ||
        id > INT32_MAX) {
        reply_error(c, ERR_NOT_INT);
        return;
    }
    if (id < 0 || id >= c->srv->conf.databases) {
        reply_error(c, ERR_DB_INDEX);
        return;
    }
    c->db = (int)id;
    reply_ok(c);
}

void cmd_reset(struct client *c)
{
    client_multi_reset(c);
    client_unwatch_all(c);
    pubsub_client_close(c);
    c->db = 0;
    c->proto = 2;
    c->out.proto = 2;
    free(c->name);
    c->name = NULL;
    /* Not CLIENT_REPLY_SKIP: right after CLIENT REPLY SKIP, RESET is the
     * command skipped, as in Redis. NO-TOUCH and NO-EVICT go, as in
     * Redis 7.2 (7.0 kept NO-EVICT). */
    c->flags &= ~(unsigned)(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT |
                            CLIENT_NO_TOUCH | CLIENT_NO_EVICT);
    client_reply_mode_apply(c);
    acl_client_default(c);
    monitor_stop(c);
    tracking_disable(c);
    resp_add_simple(&c->out, "RESET");
}

/* ---- CLIENT ------------------------------------------------------------ */

static void client_flags_str(const struct client *c, char *buf)
{
    char *p = buf;
    if (c->flags & CLIENT_MONITOR)
        *p++ = 'O';
    if (pubsub_client_subscribed(c))
        *p++ = 'P';
    if (c->flags & CLIENT_MULTI)
        *p++ = 'x';
    if (c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED))
        *p++ = 'b';
    p = tracking_flags_str(c, p);
    if (c->flags & CLIENT_DIRTY_CAS)
        *p++ = 'd';
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        *p++ = 'c';
    /* Unblocked in this turn of the loop: Redis's CLIENT_UNBLOCKED, which
     * lasts until its beforeSleep, our flush pass. */
    if (c->unblocked_turn == c->srv->loop_turns + 1)
        *p++ = 'u';
    if (c->flags & CLIENT_UNIX)
        *p++ = 'U';
    if (c->flags & CLIENT_NO_EVICT)
        *p++ = 'e';
    if (c->flags & CLIENT_NO_TOUCH)
        *p++ = 'T';
    if (p == buf)
        *p++ = 'N';
    *p = '\0';
}

/* Appends the CLIENT LIST line of c (with its newline) to out. */
static void client_info_line(struct resp_out *out, const struct client *c,
                             int64_t now)
{
    char flags[16], cmd[96] = "NULL", line[1024], events[3], *e = events;
    client_flags_str(c, flags);
    /* As Redis's: r while the socket is read, w while a write waits. */
    if (c->flags & CLIENT_READING)
        *e++ = 'r';
    if (c->writing)
        *e++ = 'w';
    *e = '\0';
    if (c->last_cmd) {
        /* "get", or "client|list" for a subcommand, as Redis names them */
        snprintf(cmd, sizeof(cmd), "%s%s%s", c->last_cmd->name,
                 c->last_sub ? "|" : "", c->last_sub ? c->last_sub->name : "");
        for (char *p = cmd; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    uv_os_fd_t fd = -1;
    uv_fileno(&c->h.handle, &fd);
    int n = snprintf(line, sizeof(line),
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld "
        "flags=%s db=%d sub=%zu psub=%zu ssub=%zu multi=%d watch=%zu "
        "qbuf=%zu qbuf-free=0 "
        "argv-mem=0 multi-mem=%zu rbs=%zu rbp=0 obl=0 oll=0 omem=%zu "
        "tot-mem=%zu events=%s cmd=%s user=%s redir=%lld resp=%d "
        "lib-name=%s lib-ver=%s\n",
        (unsigned long long)c->id, c->addr, c->laddr, (int)fd,
        c->name ? c->name : "", (long long)((now - c->ctime_ms) / 1000),
        (long long)((now - c->last_ms) / 1000), flags, c->db,
        pubsub_client_count(c, PUBSUB_CHANNEL),
        pubsub_client_count(c, PUBSUB_PATTERN),
        pubsub_client_count(c, PUBSUB_SHARD),
        (c->flags & CLIENT_MULTI) ? (int)c->mcount : -1,
        c->nwatched,                    /* Redis 7.4's watch= */
        resp_reader_pending(&c->reader), client_multi_memory(c),
        c->reader.arena_cap,
        client_output_pending(c),
        client_memory(c), events, cmd,
        c->user->name, tracking_redir_of(c), c->proto, c->lib_name ? c->lib_name : "",
        c->lib_ver ? c->lib_ver : "");
    if (n > 0)
        resp_add_raw(out, line, (size_t)n < sizeof(line) ? (size_t)n
                                                         : sizeof(line) - 1);
}

/* See server.h. */
void client_info_text(struct resp_out *out, const struct client *c)
{
    client_info_line(out, c, server_now_ms(c->srv));
}

static void client_id(struct client *c)
{
    resp_add_int(&c->out, (int64_t)c->id);
}

static void client_setname(struct client *c)
{
    if (set_name_or_reply(c, c->argv[2], c->argvlen[2]))
        reply_ok(c);
}

static void client_getname(struct client *c)
{
    if (c->name)
        resp_add_bulk_cstr(&c->out, c->name);
    else
        resp_add_null(&c->out);
}

static void client_setinfo(struct client *c)
{
    char **slot;
    const char *what;
    if (arg_is(c, 2, "LIB-NAME")) {
        slot = &c->lib_name;
        what = "lib-name";
    } else if (arg_is(c, 2, "LIB-VER")) {
        slot = &c->lib_ver;
        what = "lib-ver";
    } else {
        reply_error(c, ERR_SETINFO_OPTION, ARGV_CLIPPED(c, 2));
        return;
    }
    for (size_t i = 0; i < c->argvlen[3]; i++) {
        if (c->argv[3][i] < '!' || c->argv[3][i] > '~') {
            reply_error(c, ERR_SETINFO_CHARS, what);
            return;
        }
    }
    char *v = strndup(c->argv[3], c->argvlen[3]);
    if (!v) {
        reply_error(c, ERR_OOM);
        return;
    }
    free(*slot);
    *slot = v;
    reply_ok(c);
}

static void client_info(struct client *c)
{
    struct resp_out text;
    resp_out_init(&text, 2);
    client_info_line(&text, c, server_now_ms(c->srv));
    reply_text(c, &text);
}

/* The client with this id, or NULL. */
static struct client *client_by_id(struct server *srv, int64_t id)
{
    for (struct client *o = srv->clients; o; o = o->next)
        if (id > 0 && o->id == (uint64_t)id)
            return o;
    return NULL;
}

/* CLIENT LIST [TYPE normal|pubsub|master|replica] | [ID id ...], as Redis
 * 7.0 parses it: TYPE and ID do not mix; ID lists the clients in the order
 * given (twice if given twice), and an id no client has (0, -1 too) adds
 * nothing. Without ID, oldest first. */
static void client_list(struct client *c)
{
    int type = -1;              /* -1: all, 1: normal, 0: none, 2: pubsub */
    int by_id = 0;
    if (c->argc == 4 && arg_is(c, 2, "TYPE")) {
        if (arg_is(c, 3, "normal"))
            type = 1;
        else if (arg_is(c, 3, "pubsub"))
            type = 2;
        else if (arg_is(c, 3, "master") || arg_is(c, 3, "replica") ||
                 arg_is(c, 3, "slave"))
            type = 0;
        else {
            reply_error(c, ERR_CLIENT_TYPE, ARGV_CLIPPED(c, 3));
            return;
        }
    } else if (c->argc > 3 && arg_is(c, 2, "ID")) {
        by_id = 1;
        for (size_t k = 3; k < c->argc; k++) {
            int64_t id;
            if (!parse_i64(c->argv[k], c->argvlen[k], &id)) {
                reply_error(c, ERR_INVALID_CLIENT_ID);
                return;
            }
        }
    } else if (c->argc != 2) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct resp_out text;
    resp_out_init(&text, 2);
    int64_t now = server_now_ms(c->srv);
    if (by_id) {
        for (size_t k = 3; k < c->argc; k++) {
            int64_t id;
            parse_i64(c->argv[k], c->argvlen[k], &id);
            struct client *o = client_by_id(c->srv, id);
            if (o)
                client_info_line(&text, o, now);
        }
    } else if (type != 0) {
        /* srv->clients is newest first: walk it from its end. */
        struct client *o = c->srv->clients;
        while (o && o->next)
            o = o->next;
        for (; o; o = o->prev)
            if (type < 0 || (type == 2) == pubsub_client_subscribed(o))
                client_info_line(&text, o, now);
    }
    reply_text(c, &text);
}

/* Kills o; the caller's own connection closes once its reply is out. */
static void kill_client(struct client *c, struct client *o)
{
    if (o == c) {
        c->flags |= CLIENT_CLOSE_AFTER_REPLY;
        client_reply_mode_apply(c);     /* EXEC's next replies are lost */
    } else
        client_close(o);
}

struct kill_filter {
    int64_t id;                 /* 0: any */
    const char *addr, *laddr;   /* NULL: any */
    size_t addrlen, laddrlen;
    int skipme;
    int type_normal;            /* -1 any, 1 normal, 0 none, 2 pubsub */
    const struct acl_user *user; /* NULL: any */
    int64_t maxage;             /* 0: any; else older than this, seconds */
    int64_t now;                /* ms, for maxage */
};

static int kill_matches(const struct kill_filter *f, const struct client *c,
                        const struct client *o)
{
    if (f->skipme && o == c)
        return 0;
    if (f->type_normal == 0)
        return 0;
    if (f->type_normal > 0 &&
        (f->type_normal == 2) != pubsub_client_subscribed(o))
        return 0;
    if (f->id && (uint64_t)f->id != o->id)
        return 0;
    /* Redis 7.4's MAXAGE: the age CLIENT LIST shows, above the limit. */
    if (f->maxage && (f->now - o->ctime_ms) / 1000 <= f->maxage)
        return 0;
    if (f->user && o->user != f->user)
        return 0;
    if (f->addr && (strlen(o->addr) != f->addrlen ||
                    memcmp(o->addr, f->addr, f->addrlen) != 0))
        return 0;
    if (f->laddr && (strlen(o->laddr) != f->laddrlen ||
                     memcmp(o->laddr, f->laddr, f->laddrlen) != 0))
        return 0;
    return 1;
}

/* Parses CLIENT KILL's filter form. Returns 1, or replies and returns 0. */
static int kill_filter_parse(struct client *c, struct kill_filter *f)
{
    *f = (struct kill_filter){ .skipme = 1, .type_normal = -1,
                               .now = server_now_ms(c->srv) };
    for (size_t j = 2; j < c->argc; j += 2) {
        if (j + 1 >= c->argc) {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
        size_t v = j + 1;
        if (arg_is(c, j, "ID")) {
            if (!parse_i64(c->argv[v], c->argvlen[v], &f->id) || f->id <= 0) {
                reply_error(c, ERR_CLIENT_ID_POSITIVE);
                return 0;
            }
        } else if (arg_is(c, j, "MAXAGE")) {
            if (!parse_i64(c->argv[v], c->argvlen[v], &f->maxage)) {
                reply_error(c, ERR_CLIENT_MAXAGE_INT);
                return 0;
            }
            if (f->maxage <= 0) {
                reply_error(c, ERR_CLIENT_MAXAGE_POSITIVE);
                return 0;
            }
        } else if (arg_is(c, j, "ADDR")) {
            f->addr = c->argv[v];
            f->addrlen = c->argvlen[v];
        } else if (arg_is(c, j, "LADDR")) {
            f->laddr = c->argv[v];
            f->laddrlen = c->argvlen[v];
        } else if (arg_is(c, j, "TYPE")) {
            if (arg_is(c, v, "normal"))
                f->type_normal = 1;
            else if (arg_is(c, v, "pubsub"))
                f->type_normal = 2;
            else if (arg_is(c, v, "master") ||
                     arg_is(c, v, "replica") || arg_is(c, v, "slave"))
                f->type_normal = 0;
            else {
                reply_error(c, ERR_CLIENT_TYPE, ARGV_CLIPPED(c, v));
                return 0;
            }
        } else if (arg_is(c, j, "SKIPME")) {
            if (arg_is(c, v, "yes"))
                f->skipme = 1;
            else if (arg_is(c, v, "no"))
                f->skipme = 0;
            else {
                reply_error(c, ERR_SYNTAX);
                return 0;
            }
        } else if (arg_is(c, j, "USER")) {
            f->user = acl_user_find(c->srv->acl, c->argv[v], c->argvlen[v]);
            if (!f->user) {
                reply_error(c, ERR_NO_SUCH_USER, ARGV_CLIPPED(c, v));
                return 0;
            }
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* CLIENT KILL addr:port | CLIENT KILL <filter> <value> ... */
static void client_kill(struct client *c)
{
    if (c->argc == 3) {
        for (struct client *o = c->srv->clients; o; o = o->next) {
            if (strlen(o->addr) == c->argvlen[2] &&
                memcmp(o->addr, c->argv[2], c->argvlen[2]) == 0) {
                reply_ok(c);
                kill_client(c, o);
                return;
            }
        }
        reply_error(c, ERR_NO_SUCH_CLIENT);
        return;
    }
    struct kill_filter f;
    if (!kill_filter_parse(c, &f))
        return;
    int64_t killed = 0;
    struct client *self = NULL;
    for (struct client *o = c->srv->clients, *next; o; o = next) {
        next = o->next;
        if (!kill_matches(&f, c, o))
            continue;
        killed++;
        if (o == c)
            self = c;
        else
            client_close(o);
    }
    resp_add_int(&c->out, killed);
    if (self)
        kill_client(c, self);
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if client id was blocked and now
 * is not. Redis checks the reason before the id. */
static void client_unblock(struct client *c)
{
    if (c->argc > 4) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "CLIENT");
        return;
    }
    int error = 0;
    if (c->argc == 4) {
        if (arg_is(c, 3, "ERROR")) {
            error = 1;
        } else if (!arg_is(c, 3, "TIMEOUT")) {
            reply_error(c, ERR_UNBLOCK_REASON);
            return;
        }
    }
    int64_t id;
    if (!arg_i64_or_reply(c, 2, &id))
        return;
    struct client *o = client_by_id(c->srv, id);
    resp_add_int(&c->out, o ? blocking_unblock(o, error) : 0);
}

/* See server.h. */
int client_push_unmute(struct client *c)
{
    int muted = c->out.muted;
    c->out.muted = (c->flags & CLIENT_CLOSE_AFTER_REPLY) != 0;
    return muted;
}

/* CLIENT REPLY ON|OFF|SKIP: OFF mutes the replies from this one on, SKIP
 * the next command's (see client_dispatch). */
static void client_reply(struct client *c)
{
    if (arg_is(c, 2, "ON")) {
        /* Right after CLIENT REPLY SKIP, this is the command skipped:
         * Redis answers it all the same. */
        c->flags &= ~(unsigned)(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT |
                                CLIENT_REPLY_SKIP);
        client_reply_mode_apply(c);
        reply_ok(c);
    } else if (arg_is(c, 2, "OFF")) {
        c->flags |= CLIENT_REPLY_OFF;
        client_reply_mode_apply(c);
    } else if (arg_is(c, 2, "SKIP")) {
        if (!(c->flags & CLIENT_REPLY_OFF))
            c->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        reply_error(c, ERR_SYNTAX);
    }
}

/* CLIENT NO-EVICT ON|OFF: CLIENT LIST flag e, cleared by RESET as in
 * Redis 7.2; client eviction (maxmemory-clients) passes such a client
 * over. */
static void client_no_evict(struct client *c)
{
    if (arg_is(c, 2, "ON"))
        c->flags |= CLIENT_NO_EVICT;
    else if (arg_is(c, 2, "OFF"))
        c->flags &= ~(unsigned)CLIENT_NO_EVICT;
    else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    reply_ok(c);
}

/* CLIENT NO-TOUCH ON|OFF (Redis 7.2): while on, the client's commands
 * other than TOUCH leave the LRU/LFU of the keys they read as it was
 * (client_call in commands.c); CLIENT LIST flag T; RESET turns it off. */
static void client_no_touch(struct client *c)
{
    if (arg_is(c, 2, "ON"))
        c->flags |= CLIENT_NO_TOUCH;
    else if (arg_is(c, 2, "OFF"))
        c->flags &= ~(unsigned)CLIENT_NO_TOUCH;
    else {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    reply_ok(c);
}

static void client_help(struct client *c)
{
    static const char *const lines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in "
        "OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is "
        "enabled.",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, "
        "SKIPME, MAXAGE (seconds; connections older than it).",
        "LIST [TYPE normal|master|replica|pubsub] [ID <id> ...]",
        "    Return information about client connections.",
        "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current "
        "connection.",
        "SETNAME <name>", "    Assign the name <name> to the current "
        "connection.",
        "SETINFO <LIB-NAME|LIB-VER> <value>", "    Set client library "
        "name or version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "UNPAUSE", "    Stop the current client pause, resuming traffic.",
        "HELP", "    Print this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand client_subcommands[] = {
    { "ID", client_id, 2, CMD_NOSCRIPT },
    { "SETNAME", client_setname, 3, CMD_NOSCRIPT },
    { "GETNAME", client_getname, 2, CMD_NOSCRIPT },
    { "SETINFO", client_setinfo, 4, CMD_NOSCRIPT },
    { "INFO", client_info, 2, CMD_NOSCRIPT },
    { "LIST", client_list, -2, CMD_ADMIN | CMD_NOSCRIPT },
    { "KILL", client_kill, -3, CMD_ADMIN | CMD_NOSCRIPT },
    { "REPLY", client_reply, 3, CMD_NOSCRIPT },
    { "UNBLOCK", client_unblock, -3, CMD_ADMIN | CMD_NOSCRIPT },
    { "NO-EVICT", client_no_evict, 3, CMD_ADMIN | CMD_NOSCRIPT },
    { "NO-TOUCH", client_no_touch, 3, CMD_NOSCRIPT },
    { "PAUSE", client_pause, -3, CMD_ADMIN | CMD_NOSCRIPT },
    { "UNPAUSE", client_unpause, 2, CMD_ADMIN | CMD_NOSCRIPT },
    { "TRACKING", client_tracking, -3, CMD_NOSCRIPT },
    { "CACHING", client_caching, 3, CMD_NOSCRIPT },
    { "GETREDIR", client_getredir, 2, CMD_NOSCRIPT },
    { "TRACKINGINFO", client_trackinginfo, 2, CMD_NOSCRIPT },
    { "HELP", client_help, 2, 0 },
};

const struct subcommand_table client_subs = {
    client_subcommands, sizeof(client_subcommands) / sizeof(client_subcommands[0])
};

void cmd_client(struct client *c)
{
    subcommand_dispatch(c, &client_subs);
}
