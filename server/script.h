/* script.h - the Lua engine behind EVAL, EVALSHA and SCRIPT (script.c):
 * one Lua 5.1 state per server, the script cache, the redis.* API, and
 * the conversions between RESP replies and Lua values. */
#ifndef RESPITE_SCRIPT_H
#define RESPITE_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct server;

/* Shebang flags (#!lua flags=...), as Redis 7.0 names them. A script
 * without a shebang has SCRIPT_LEGACY. */
enum script_flags {
    SCRIPT_NO_WRITES = 1 << 0,
    SCRIPT_ALLOW_OOM = 1 << 1,
    SCRIPT_ALLOW_STALE = 1 << 2,
    SCRIPT_NO_CLUSTER = 1 << 3,
    SCRIPT_CROSS_SLOT = 1 << 4,
    SCRIPT_LEGACY = 1 << 5,
};

/* Opens the Lua state into srv->scripting; returns 0, or -1 on OOM. */
int script_engine_init(struct server *srv);
/* Closes it (a no-op when it never opened). */
void script_engine_close(struct server *srv);

/* Compiles body[0..len) unless its SHA-1 is cached, and caches it. On
 * success returns 0 with sha (41 bytes) holding the name and *flags the
 * shebang's; otherwise replies the error to c and returns -1. from_eval:
 * EVAL's, which Redis 7.4 evicts past 500 (least recently run first);
 * else SCRIPT LOAD's, never evicted (an EVAL script it loads again
 * becomes one). */
int script_load_or_reply(struct client *c, const char *body, size_t len,
                         char sha[41], unsigned *flags, int from_eval);
/* Whether the script sha (any case) is cached; *flags receives its
 * shebang flags when it is. */
int script_cached(struct server *srv, const char *sha, size_t len,
                  unsigned *flags);
/* Forgets every cached script (SCRIPT FLUSH). */
void script_flush(struct server *srv);
/* Runs the cached script sha (lower-case, cached) for c with c->argv[3]
 * onwards as its numkeys KEYS and then ARGV, and writes its reply to
 * c->out. ro: EVAL_RO/EVALSHA_RO, no write command may run. */
void script_run(struct client *c, const char *sha, unsigned flags,
                size_t numkeys, int ro);

/* Runs eval(c, ro), EVAL's run (which replies errors or calls
 * script_run), as a debugging session for c, which sent SCRIPT DEBUG YES
 * or SYNC (script_debug.c): with SYNC the server waits while the client
 * steps through the script, with YES a forked child runs the session and
 * the server goes on; the connection closes after the EVAL's reply. */
void script_debug_run(struct client *c, int ro,
                      void (*eval)(struct client *c, int ro));

/* Whether a script (or function) of these flags may run for c now: a
 * *_RO command (ro) refuses one that may write, maxmemory one that may
 * add data; otherwise replies the error and returns 0 (cmd_script.c). */
int script_may_run_or_reply(struct client *c, unsigned flags, int ro);

/* For INFO: scripts cached, bytes of their bodies, the Lua heap. */
size_t script_count(const struct server *srv);
size_t script_bodies_bytes(const struct server *srv);
/* EVAL's scripts evicted (INFO evicted_scripts), and CONFIG RESETSTAT. */
uint64_t script_evicted(const struct server *srv);
void script_evicted_reset(struct server *srv);
size_t script_lua_memory(const struct server *srv);

/* A script or function past busy-reply-threshold (script_busy.c) has
 * srv->script_run.busy set while it runs. Its -BUSY error (an enum
 * reply_err), which the refused commands get. */
int script_busy_error(const struct server *srv);
/* SCRIPT KILL (function 0) and FUNCTION KILL (1): stops the busy script
 * and replies OK, or replies why not (NOTBUSY, UNKILLABLE once it wrote,
 * or -BUSY when the other kind runs). */
void script_busy_kill(struct client *c, int function);

#endif
