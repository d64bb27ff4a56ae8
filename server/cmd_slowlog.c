/* cmd_slowlog.c - SLOWLOG GET [count] | LEN | RESET | HELP, and what goes
 * into the slow log (the list itself is slowlog.c).
 *
 * client_call already times every command for INFO commandstats; it
 * hands that time here when it reaches slowlog-log-slower-than (kept in
 * ns in srv->slowlog_threshold_ns, UINT64_MAX when the setting is
 * negative, so the test there is one comparison). As in Redis 7.0:
 *   - every command that ran is logged, admin ones included, except EXEC
 *     (CMD_SKIP_SLOWLOG): the commands it ran are logged one by one;
 *     refused ones (unknown, arity, NOAUTH...) never ran;
 *   - AUTH's and HELLO's credentials show as "(redacted)";
 *   - a blocking command is logged when it is unblocked (served, timed
 *     out or CLIENT UNBLOCKed, not when its client goes away), with the
 *     time it spent running, not waiting (blocking.c sums that in
 *     c->block_ns);
 *   - the client's address and name are those at the time of logging,
 *     the time is the wall clock in seconds. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/handlers.h"
#include "server/server.h"

void slowlog_configure(struct server *srv)
{
    int64_t us = srv->conf.slowlog_log_slower_than;
    srv->slowlog_threshold_ns = us < 0 ? UINT64_MAX
                              : (uint64_t)us > UINT64_MAX / 1000
                                  ? UINT64_MAX - 1
                                  : (uint64_t)us * 1000;
}

void slowlog_command(struct client *c, size_t argc, const char *const *argv,
                     const size_t *argvlen, uint64_t ns)
{
    struct server *srv = c->srv;
    if (ns < srv->slowlog_threshold_ns || (c->cmd->flags & CMD_SKIP_SLOWLOG))
        return;
    struct slowlog_record r = {
        .argc = argc,
        .argv = argv,
        .argvlen = argvlen,
        .redacted = c->redacted,
        .time = (int64_t)time(NULL),
        .duration_us = ns / 1000,
        .addr = c->addr,            /* "path:0" for a unix socket */
        .name = c->name,
    };
    /* On OOM the entry is lost, as a sample of a diagnostic may be. */
    slowlog_push(&srv->slowlog, &r, (uint64_t)srv->conf.slowlog_max_len);
}

/* SLOWLOG GET [count]: the newest count entries (10 by default, -1 for
 * all), each [id, time, us, [args], addr, name]. */
static void slowlog_get(struct client *c)
{
    struct slowlog *sl = &c->srv->slowlog;
    if (c->argc > 3) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "SLOWLOG");
        return;
    }
    int64_t count = 10;
    if (c->argc == 3 &&
        (!parse_i64(c->argv[2], c->argvlen[2], &count) || count < -1)) {
        reply_error(c, ERR_SLOWLOG_COUNT);
        return;
    }
    size_t n = count < 0 || (uint64_t)count > sl->len ? sl->len
                                                       : (size_t)count;
    resp_add_array(&c->out, n);
    const struct slowlog_entry *e = sl->newest;
    for (size_t i = 0; i < n; i++, e = e->older) {
        resp_add_array(&c->out, 6);
        resp_add_int(&c->out, (int64_t)e->id);
        resp_add_int(&c->out, e->time);
        resp_add_int(&c->out, (int64_t)e->duration_us);
        resp_add_array(&c->out, e->argc);
        for (size_t j = 0; j < e->argc; j++)
            resp_add_bulk(&c->out, e->argv[j], e->argvlen[j]);
        resp_add_bulk_cstr(&c->out, e->addr);
        resp_add_bulk_cstr(&c->out, e->name);
    }
}

static void slowlog_len(struct client *c)
{
    resp_add_int(&c->out, (int64_t)c->srv->slowlog.len);
}

static void slowlog_reset_cmd(struct client *c)
{
    slowlog_reset(&c->srv->slowlog);
    reply_ok(c);
}

static void slowlog_help(struct client *c)
{
    static const char *const lines[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

/* Redis 7.0's flags: reading or clearing the log is an admin command (not
 * shown to MONITOR), HELP is not. */
static const struct subcommand slowlog_sub_list[] = {
    { "GET", slowlog_get, -2, CMD_ADMIN },
    { "LEN", slowlog_len, 2, CMD_ADMIN },
    { "RESET", slowlog_reset_cmd, 2, CMD_ADMIN },
    { "HELP", slowlog_help, 2, 0 },
};

const struct subcommand_table slowlog_subs = {
    slowlog_sub_list, sizeof(slowlog_sub_list) / sizeof(slowlog_sub_list[0])
};

/* SLOWLOG subcommand ...: dispatches on argv[1]. */
void cmd_slowlog(struct client *c)
{
    subcommand_dispatch(c, &slowlog_subs);
}
