/* pause.c - CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE, as Redis
 * 7.0.15 has them (checked against it):
 *
 *   - ALL holds back every command that passes dispatch's checks (an
 *     unknown command, a wrong arity, NOAUTH... are still answered at
 *     once); WRITE only writes and PUBLISH/SPUBLISH (CMD_MAY_REPLICATE),
 *     a write queued in MULTI, and EXEC of a transaction holding one.
 *     The pausing client is held back like any other; MONITOR clients
 *     (replicas, to Redis) never are.
 *   - A held command is copied and its client waits in line
 *     (srv->postponed, oldest first), reading but not running what it
 *     sent after; CLIENT LIST flags it b and INFO counts it in
 *     blocked_clients, as Redis does. When the pause ends (its time, or
 *     CLIENT UNPAUSE) every waiting client runs its command again from
 *     dispatch's first check, in the order they were held, on the next
 *     turn of the loop (client.c's pending-read list).
 *   - A second PAUSE while one holds keeps the stricter type and the later
 *     end of the two; a timeout of 0, or one so large that Redis's end time
 *     overflows, pauses nothing new.
 *   - While paused no key expires or is evicted: the sweeper and eviction
 *     stand still and lookups treat a key past its TTL as absent without
 *     removing it (store_set_expire_paused), so the dataset does not
 *     change, which is what the pause is for (failover).
 *
 *   srv->postponed --> client --pp_next--> client --> ... (postponed_tail)
 *
 * The pause's end is kept on libuv's loop clock (uv_now), which its timer
 * runs on too. Not done: CLIENT UNBLOCK of a postponed client answers 0
 * (redis-server 7.0.15 crashes on it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "server/handlers.h"
#include "server/server.h"

static void on_pause_timer(uv_timer_t *t);

void pause_init(struct server *srv)
{
    uv_timer_init(srv->loop, &srv->pause_timer);
    srv->pause_timer.data = srv;
}

static void set_stores_paused(struct server *srv, int on)
{
    for (int i = 0; i < srv->conf.databases; i++)
        store_set_expire_paused(srv->db[i], on);
}

/* Ends the pause: expiry and eviction resume, and every postponed client
 * gets a turn to run its command, in the order they were held. */
static void pause_end(struct server *srv)
{
    if (srv->pause_type == PAUSE_NONE)
        return;
    srv->pause_type = PAUSE_NONE;
    uv_timer_stop(&srv->pause_timer);
    set_stores_paused(srv, 0);
    for (struct client *c = srv->postponed; c; c = c->pp_next)
        client_wake(c);
}

static void on_pause_timer(uv_timer_t *t)
{
    pause_end(t->data);
}

/* 1 while a pause holds (ending it first if its time has come). */
static int pause_active(struct server *srv)
{
    if (srv->pause_type == PAUSE_NONE)
        return 0;
    if (uv_now(srv->loop) >= srv->pause_end_ms) {
        pause_end(srv);
        return 0;
    }
    return 1;
}

/* 1 if c's command writes as a WRITE pause sees it. */
static int writes(const struct client *c)
{
    unsigned mask = CMD_WRITE | CMD_MAY_REPLICATE;
    if (client_cmd_flags(c) & mask)
        return 1;
    if (c->cmd->proc == cmd_exec && (c->flags & CLIENT_MULTI))
        for (size_t i = 0; i < c->mcount; i++)
            if (c->mqueue[i].flags & mask)
                return 1;
    return 0;
}

int pause_postpones(struct client *c)
{
    struct server *srv = c->srv;
    if ((c->flags & CLIENT_MONITOR) || !pause_active(srv))
        return 0;
    if (srv->pause_type == PAUSE_WRITE && !writes(c))
        return 0;
    if (client_cmd_save(c, &c->postponed) != 0) {
        reply_error(c, ERR_OOM);
        return 1;
    }
    c->flags |= CLIENT_POSTPONED;
    c->pp_next = NULL;
    if (srv->postponed_tail)
        srv->postponed_tail->pp_next = c;
    else
        srv->postponed = c;
    srv->postponed_tail = c;
    srv->npostponed++;
    return 1;
}

static void unlink_postponed(struct client *c)
{
    struct server *srv = c->srv;
    struct client *prev = NULL;
    for (struct client *p = srv->postponed; p; prev = p, p = p->pp_next) {
        if (p != c)
            continue;
        if (prev)
            prev->pp_next = c->pp_next;
        else
            srv->postponed = c->pp_next;
        if (srv->postponed_tail == c)
            srv->postponed_tail = prev;
        break;
    }
    c->pp_next = NULL;
    c->flags &= ~(unsigned)CLIENT_POSTPONED;
    srv->npostponed--;
}

int pause_take_postponed(struct client *c, struct queued_cmd *out)
{
    if (pause_active(c->srv))
        return 0;
    unlink_postponed(c);
    *out = c->postponed;
    memset(&c->postponed, 0, sizeof(c->postponed));
    return 1;
}

void pause_client_gone(struct client *c)
{
    if (!(c->flags & CLIENT_POSTPONED))
        return;
    unlink_postponed(c);
    free(c->postponed.argv);
    memset(&c->postponed, 0, sizeof(c->postponed));
}

/* Wall-clock Unix ms, for Redis's end time and its overflow. */
static int64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the
 * timeout, as in Redis. */
void client_pause(struct client *c)
{
    struct server *srv = c->srv;
    if (c->argc > 4) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "CLIENT");
        return;
    }
    int type = PAUSE_ALL;
    if (c->argc == 4) {
        if (arg_is(c, 3, "WRITE")) {
            type = PAUSE_WRITE;
        } else if (!arg_is(c, 3, "ALL")) {
            reply_error(c, ERR_PAUSE_MODE);
            return;
        }
    }
    int64_t ms;
    if (!parse_i64(c->argv[2], c->argvlen[2], &ms)) {
        reply_error(c, ERR_TIMEOUT_NOT_INT);
        return;
    }
    if (ms < 0) {
        reply_error(c, ERR_TIMEOUT_NEG);
        return;
    }
    reply_ok(c);
    /* Redis's end is now + ms in wall ms: 0, or an overflow past
     * INT64_MAX, is an end already past, which starts no pause but still
     * makes one that holds stricter, as in Redis. */
    uint64_t now = uv_now(srv->loop);
    uint64_t end = ms == 0 || ms > INT64_MAX - wall_ms() ? now
                                                         : now + (uint64_t)ms;
    if (pause_active(srv)) {
        if (type < srv->pause_type)
            type = srv->pause_type;
        if (end < srv->pause_end_ms)
            end = srv->pause_end_ms;
    } else if (end == now) {
        return;
    } else {
        set_stores_paused(srv, 1);
    }
    srv->pause_type = type;
    srv->pause_end_ms = end;
    uv_timer_start(&srv->pause_timer, on_pause_timer,
                   end - uv_now(srv->loop), 0);
}

/* CLIENT UNPAUSE: ends any pause at once. */
void client_unpause(struct client *c)
{
    pause_end(c->srv);
    reply_ok(c);
}
