/* monitor.c - MONITOR: clients that are sent every command the server
 * runs, as Redis 7.0 sends them.
 *
 * A monitor is on srv->monitors, a doubly linked list through the
 * client's mon_prev/mon_next, so that leaving (RESET, disconnection) is
 * O(1). client_call tests srv->monitors once per command: with nobody
 * monitoring, that one branch is all the feature costs.
 *
 * What is sent, checked against redis-server 7.0.15:
 *   - a command after it has run, so the database shown is the one after
 *     it (SELECT 3 shows as db 3) and EXEC comes after the commands it
 *     ran; a failing command is sent too, a refused one (unknown, wrong
 *     arity, NOAUTH, OOM, queued in MULTI) is not: queued commands are
 *     sent when EXEC runs them;
 *   - a blocking command when it first runs, not again when it is served;
 *   - not admin commands (CONFIG GET/SET, DEBUG, SLOWLOG GET, CLIENT KILL,
 *     MONITOR itself...), judged by the subcommand's own flags, so CONFIG
 *     HELP is sent;
 *   - one line a command, a status reply even in RESP3:
 *       +<sec>.<usec> [<db> <ip:port>] "arg0" "arg1" ...
 *     with "unix:<socket path>" for a unix socket client and each
 *     argument quoted and escaped as Redis's sdscatrepr does, AUTH's and
 *     HELLO's credentials as "(redacted)".
 * A monitor still runs commands that do not touch the keyspace (PING,
 * CLIENT ID...), and is sent its own; a keyspace one is refused (Redis
 * treats a monitor as a replica), in the dispatcher.
 *
 * Not done: output limits for monitors (Redis applies the normal class's,
 * 0 0 0 by default, so none either), script-issued commands ("lua"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "server/blocking.h"
#include "server/server.h"

/* The flags that decide whether c's command is shown: a container's
 * subcommand's own (CONFIG HELP is shown, CONFIG SET is not). */
static unsigned shown_flags(const struct client *c)
{
    const struct subcommand *sc = subcommand_of(c);
    return sc ? sc->flags : c->cmd->flags;
}

#define REDACTED "(redacted)"

void monitor_feed(struct client *c)
{
    struct server *srv = c->srv;
    /* A served blocked command was sent when it first ran. */
    if ((shown_flags(c) & CMD_ADMIN) || (c->blocked && client_block_rerun(c)))
        return;
    char head[160];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    int hn;
    if (c->flags & CLIENT_UNIX)
        hn = snprintf(head, sizeof(head), "+%ld.%06ld [%d unix:%s]",
                      (long)tv.tv_sec, (long)tv.tv_usec, c->db,
                      srv->conf.unixsocket ? srv->conf.unixsocket : "");
    else    /* a script's commands show as Redis shows them, "lua" */
        hn = snprintf(head, sizeof(head), "+%ld.%06ld [%d %s]",
                      (long)tv.tv_sec, (long)tv.tv_usec, c->db,
                      (c->flags & CLIENT_SCRIPT) ? "lua" : c->addr);
    if (hn < 0)
        return;
    size_t len = (size_t)hn < sizeof(head) ? (size_t)hn : sizeof(head) - 1;
    size_t cap = len + 2;
    for (size_t i = 0; i < c->argc; i++)
        cap += 3 + 4 * c->argvlen[i] + sizeof(REDACTED);
    char *line = malloc(cap);
    if (!line)
        return;     /* the monitors miss one line rather than the server */
    memcpy(line, head, len);
    for (size_t i = 0; i < c->argc; i++) {
        line[len++] = ' ';
        if ((c->redacted >> (i < 63 ? i : 63)) & 1)
            len += resp_repr(line + len, REDACTED, sizeof(REDACTED) - 1);
        else
            len += resp_repr(line + len, c->argv[i], c->argvlen[i]);
    }
    line[len++] = '\r';
    line[len++] = '\n';
    for (struct client *m = srv->monitors; m; m = m->mon_next) {
        if (m->flags & CLIENT_CLOSING)
            continue;
        /* Muted like any reply: CLIENT REPLY OFF silences a monitor too,
         * as in Redis. */
        resp_add_raw(&m->out, line, len);
        client_mark_write(m);
    }
    free(line);
}

void monitor_stop(struct client *c)
{
    if (!(c->flags & CLIENT_MONITOR))
        return;
    if (c->mon_prev)
        c->mon_prev->mon_next = c->mon_next;
    else
        c->srv->monitors = c->mon_next;
    if (c->mon_next)
        c->mon_next->mon_prev = c->mon_prev;
    c->mon_prev = c->mon_next = NULL;
    c->flags &= ~(unsigned)CLIENT_MONITOR;
}

/* MONITOR: c joins the monitors. Refused inside MULTI (Redis's "deny
 * blocking" clients); a second MONITOR is ignored without a reply, as in
 * Redis. */
void cmd_monitor(struct client *c)
{
    struct server *srv = c->srv;
    if (!client_can_block(c)) {
        reply_error(c, ERR_MONITOR_DENY_BLOCKING);
        return;
    }
    if (c->flags & CLIENT_MONITOR)
        return;
    c->flags |= CLIENT_MONITOR;
    c->mon_prev = NULL;
    c->mon_next = srv->monitors;
    if (srv->monitors)
        srv->monitors->mon_prev = c;
    srv->monitors = c;
    reply_ok(c);
}
