/* script_busy.c - a script or function that runs longer than
 * busy-reply-threshold, as Redis treats one: from then on the server
 * answers the other clients while it runs, -BUSY to all but the commands
 * Redis allows meanwhile (AUTH, HELLO, MULTI, WATCH, QUIT, RESET...,
 * SCRIPT KILL or FUNCTION KILL, which stop a script that has not written,
 * and SHUTDOWN NOSAVE), and the script stops when one of those asks.
 *
 * A count hook looks at the clock every HOOK_EVERY Lua instructions. libuv
 * can not run its loop from inside a callback, so past the threshold the
 * hook polls the listeners and the clients' sockets itself (at most every
 * SERVE_EVERY_NS), without waiting, and feeds what it reads to the
 * clients' usual input path (client_read_now, client_accept_now), whose
 * dispatch refuses what may not run. The caller of the script is not
 * read meanwhile. */
#include <poll.h>
#include <stdlib.h>
#include <uv.h>

#include <lauxlib.h>
#include <lua.h>

#include "server/script.h"
#include "server/script_int.h"
#include "server/server.h"

#define HOOK_EVERY 100000       /* Lua instructions between two looks */
/* Time between two polls of the sockets: poll(2) costs in proportion to
 * the clients, which with thousands of them would halve the script's
 * speed if it ran at every look; -BUSY comes this much later at most. */
#define SERVE_EVERY_NS 5000000ull
#define KILLED "Script killed by user with SCRIPT KILL..."

/* One look at every socket, without waiting: new connections accepted,
 * what clients sent read and run (or refused), then a turn for those
 * with more buffered, and replies written. The state of the script's own
 * call is kept across the commands run here. */
static void serve(struct server *srv)
{
    size_t cap = (size_t)srv->nlisteners + srv->nclients, n = 0;
    struct pollfd *fds = malloc(cap * sizeof(*fds));
    struct client **owner = malloc(cap * sizeof(*owner));
    if (!fds || !owner)
        goto out;
    for (int i = 0; i < srv->nlisteners; i++) {
        uv_os_fd_t fd;
        if (uv_fileno((uv_handle_t *)srv->listeners[i], &fd) == 0) {
            fds[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
            owner[n++] = NULL;
        }
    }
    size_t first_client = n;
    for (struct client *c = srv->clients; c && n < cap; c = c->next) {
        uv_os_fd_t fd;
        if (c != srv->script_run.caller && client_readable_now(c) &&
            uv_fileno(&c->h.handle, &fd) == 0) {
            fds[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
            owner[n++] = c;
        }
    }
    int ready = n > 0 ? poll(fds, (nfds_t)n, 0) : 0;
    int in_call = srv->in_call;
    uint64_t end_ns = srv->call_end_ns, end_ms = srv->call_end_ms;
    for (size_t i = 0; i < n && ready > 0 && !srv->shutting_down; i++) {
        if (!fds[i].revents)
            continue;
        if (i < first_client)
            client_accept_now(srv, srv->listeners[i]);
        else
            client_read_now(owner[i]);
    }
    if (!srv->shutting_down)
        client_run_turn(srv);
    srv->in_call = in_call;
    srv->call_end_ns = end_ns;
    srv->call_end_ms = end_ms;
out:
    free(fds);
    free(owner);
}

/* The count hook: past the threshold, serve the others; stop the script
 * when asked to, raising again at every instruction so that a pcall in
 * the script can not swallow it. */
static void hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct server *srv = script__engine(L)->srv;
    struct script_run *r = &srv->script_run;
    uint64_t now = uv_hrtime();
    if (!r->busy) {
        uint64_t ms = (now - r->start_ns) / 1000000;
        if (ms < (uint64_t)srv->conf.busy_reply_threshold)
            return;
        r->busy = 1;
        server_log(srv, 'w', "Slow script detected: still running after "
                   "%llu ms; other clients get -BUSY until it ends or "
                   "%s KILL stops it. Script: %s.", (unsigned long long)ms,
                   r->function ? "FUNCTION" : "SCRIPT", r->name);
    }
    if (!r->kill && !srv->shutting_down && now >= r->next_serve_ns) {
        serve(srv);
        r->next_serve_ns = uv_hrtime() + SERVE_EVERY_NS;
    }
    if (r->kill || srv->shutting_down) {
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        lua_pushstring(L, KILLED);
        lua_error(L);
    }
}

/* See script_int.h. */
void script__watch_start(struct scripting *s, struct client *c,
                         const char *name)
{
    struct server *srv = s->srv;
    srv->script_run = (struct script_run){
        .caller = c,
        .eng = s,
        .name = name,
        /* The loop's clock (a load, not a clock read on every EVAL): a
         * few ms early at most, on a threshold of seconds. */
        .start_ns = uv_now(srv->loop) * 1000000,
        .function = s != srv->scripting,
    };
    /* 0 never serves the others: Redis sets no hook then either. */
    if (srv->conf.busy_reply_threshold > 0)
        lua_sethook(s->L, hook, LUA_MASKCOUNT, HOOK_EVERY);
}

/* See script_int.h. */
void script__watch_stop(struct scripting *s)
{
    lua_sethook(s->L, NULL, 0, 0);
    s->srv->script_run = (struct script_run){ 0 };
}

/* See script.h. */
int script_busy_error(const struct server *srv)
{
    return srv->script_run.function ? ERR_BUSY_FUNCTION : ERR_BUSY_SCRIPT;
}

/* See script.h. */
void script_busy_kill(struct client *c, int function)
{
    struct server *srv = c->srv;
    struct script_run *r = &srv->script_run;
    if (!r->busy) {
        reply_error(c, ERR_NOTBUSY);
    } else if (r->eng->wrote) {
        reply_error(c, ERR_UNKILLABLE);
    } else if (r->function != function) {
        reply_error(c, (enum reply_err)script_busy_error(srv));
    } else {
        r->kill = 1;
        server_log(srv, 'w', "%s killed by user with %s KILL.",
                   function ? "Function" : "Lua script",
                   function ? "FUNCTION" : "SCRIPT");
        reply_ok(c);
    }
}
