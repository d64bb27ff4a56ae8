/* cmd_server.c - whole-server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB,
 * TIME and SHUTDOWN; and what clients ask a server about replication:
 * ROLE, WAIT and WAITAOF, answered truthfully for a server that has no
 * replicas and no AOF. SAVE, BGSAVE and LASTSAVE are persist.c's; INFO,
 * COMMAND, CONFIG, DEBUG and the cluster commands (cmd_cluster.c) have
 * files of their own. */
#include "server/blocking.h"
#include "server/handlers.h"
#include "server/script.h"
#include "server/server.h"

void cmd_dbsize(struct client *c)
{
    resp_add_int(&c->out, (int64_t)store_size(client_db(c)));
}

/* FLUSHDB/FLUSHALL take an optional SYNC or ASYNC; both free at once here
 * (freeing is fast and nothing else runs meanwhile). Returns 1 if valid. */
static int flush_args_ok(struct client *c)
{
    if (c->argc > 2 || (c->argc == 2 && !arg_is(c, 1, "SYNC") &&
                        !arg_is(c, 1, "ASYNC"))) {
        reply_error(c, ERR_SYNTAX);
        return 0;
    }
    return 1;
}

void cmd_flushdb(struct client *c)
{
    if (!flush_args_ok(c))
        return;
    server_db_modified(c->srv, c->db, -1);
    c->srv->dirty += store_size(client_db(c));  /* as Redis counts it */
    store_clear(client_db(c));
    reply_ok(c);
}

void cmd_flushall(struct client *c)
{
    if (!flush_args_ok(c))
        return;
    server_db_modified(c->srv, -1, -1);
    for (int i = 0; i < c->srv->conf.databases; i++) {
        c->srv->dirty += store_size(c->srv->db[i]);
        store_clear(c->srv->db[i]);
    }
    persist_flushall(c->srv);
    reply_ok(c);
}

/* Parses a SWAPDB index, replying Redis's wording on failure. */
static int db_index_or_reply(struct client *c, size_t i, const char *which,
                             int *out)
{
    int64_t v;
    if (!parse_i64(c->argv[i], c->argvlen[i], &v) || v < INT32_MIN ||
        v > INT32_MAX) {
        reply_error(c, ERR_SWAPDB_INDEX, which);
        return 0;
    }
    *out = (int)v;
    return 1;
}

void cmd_swapdb(struct client *c)
{
    int a, b;
    if (!db_index_or_reply(c, 1, "first", &a) ||
        !db_index_or_reply(c, 2, "second", &b))
        return;
    struct server *srv = c->srv;
    if (a < 0 || a >= srv->conf.databases || b < 0 ||
        b >= srv->conf.databases) {
        reply_error(c, ERR_DB_INDEX);
        return;
    }
    srv->dirty++;
    if (a != b) {
        server_db_modified(srv, a, b);
        server_db_modified(srv, b, a);
        server_db_swap(srv, a, b);
    }
    reply_ok(c);
}

void cmd_time(struct client *c)
{
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    int64_t us = tv.tv_sec * 1000000 + tv.tv_usec +
                 c->srv->clock_offset_ms * 1000;
    resp_add_array(&c->out, 2);
    resp_add_bulk_i64(&c->out, us / 1000000);
    resp_add_bulk_i64(&c->out, us % 1000000);
}

/* ROLE: a master at replication offset 0 with no replicas. */
void cmd_role(struct client *c)
{
    resp_add_array(&c->out, 3);
    resp_add_bulk_cstr(&c->out, "master");
    resp_add_int(&c->out, 0);
    resp_add_array(&c->out, 0);
}

/* WAIT numreplicas timeout: how many replicas acknowledged this client's
 * writes, which is 0 here. Asked for more, it waits as Redis does for
 * replicas that never come: until the timeout (0: for ever), CLIENT
 * UNBLOCK or the client goes; at once inside MULTI. */
void cmd_wait(struct client *c)
{
    int64_t n, deadline;
    if (!arg_i64_or_reply(c, 1, &n) ||
        !block_timeout_or_reply(c, 2, BLOCK_MILLISECONDS, &deadline))
        return;
    if (n <= 0 || !client_can_block(c)) {
        resp_add_int(&c->out, 0);
        return;
    }
    client_block_wait(c, deadline);
}

/* WAITAOF numlocal numreplicas timeout (Redis 7.2): [local, replicas] AOF
 * fsyncs of this client's writes. Respite has no AOF, so it answers as
 * Redis with appendonly no: numlocal 1 is refused, and no file ever holds
 * the writes, so the reply is [0, 0], at once for numreplicas 0 (or
 * inside MULTI), else after waiting like WAIT. */
void cmd_waitaof(struct client *c)
{
    int64_t local, replicas, deadline;
    if (!arg_i64_or_reply(c, 1, &local))
        return;
    if (local < 0 || local > 1) {
        reply_error(c, ERR_ZERO_OR_ONE);
        return;
    }
    if (!arg_i64_or_reply(c, 2, &replicas))
        return;
    if (replicas < 0) {
        reply_error(c, ERR_NOT_POSITIVE);
        return;
    }
    if (!block_timeout_or_reply(c, 3, BLOCK_MILLISECONDS, &deadline))
        return;
    if (local) {
        reply_error(c, ERR_WAITAOF_NO_AOF);
        return;
    }
    if (replicas == 0 || !client_can_block(c)) {
        resp_add_array(&c->out, 2);
        resp_add_int(&c->out, 0);
        resp_add_int(&c->out, 0);
        return;
    }
    client_block_waitaof(c, deadline);
}

/* SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: saves first when save
 * points are configured (not with NOSAVE) or SAVE is given; a failed save
 * keeps the server up (unless FORCE) and says so. NOW has nothing to
 * skip here (no replicas to wait for); ABORT has no shutdown to cancel. */
void cmd_shutdown(struct client *c)
{
    int flags = 0, abort = 0, now = 0;
    for (size_t i = 1; i < c->argc; i++) {
        if (arg_is(c, i, "NOSAVE")) {
            flags |= PERSIST_SHUTDOWN_NOSAVE;
        } else if (arg_is(c, i, "SAVE")) {
            flags |= PERSIST_SHUTDOWN_SAVE;
        } else if (arg_is(c, i, "FORCE")) {
            flags |= PERSIST_SHUTDOWN_FORCE;
        } else if (arg_is(c, i, "ABORT")) {
            abort = 1;
        } else if (arg_is(c, i, "NOW")) {
            now = 1;
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    }
    if ((abort && (flags || now)) ||
        ((flags & PERSIST_SHUTDOWN_SAVE) && (flags & PERSIST_SHUTDOWN_NOSAVE))) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (abort) {
        reply_error(c, ERR_NO_SHUTDOWN);
        return;
    }
    /* A busy script (script_busy.c) leaves only NOSAVE: it stops the
     * script and the server, without saving a half-run script's writes. */
    if (c->srv->script_run.busy && !(flags & PERSIST_SHUTDOWN_NOSAVE)) {
        reply_error(c, (enum reply_err)script_busy_error(c->srv));
        return;
    }
    server_log(c->srv, 'w', "User requested shutdown...");
    if (persist_shutdown(c->srv, flags) != 0) {
        reply_error(c, ERR_SHUTDOWN_FAILED);
        return;
    }
    server_shutdown(c->srv);
}
