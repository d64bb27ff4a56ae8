/* script_int.h - what script.c, script_conv.c, script_api.c and
 * script_busy.c share: the engine's state and the helpers one file lends
 * another. Private to them (and function.c, which runs functions on an
 * engine of its own). */
#ifndef RESPITE_SCRIPT_INT_H
#define RESPITE_SCRIPT_INT_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct resp_out;
struct server;
struct eval_lru;                        /* script.c */
struct ldb;                             /* script_debug.c */

struct scripting {
    struct server *srv;
    lua_State *L;
    struct client *fake;                /* runs redis.call's commands */
    int globals_ref;                    /* the hidden globals table */
    size_t nscripts, body_bytes;
    const char **argv;                  /* redis.call's, reused */
    size_t *argvlen;
    char *numbuf;                       /* numbers as text, NUM_SLOT each */
    size_t argv_cap;
    /* The run in progress. */
    unsigned flags;                     /* SCRIPT_* of the script */
    int ro;                             /* EVAL_RO, EVALSHA_RO */
    int resp;                           /* redis.setresp: 2 or 3 */
    int wrote;                          /* a write command ran */
    int oom;                            /* over maxmemory at the start */
    uint64_t runs;                      /* scripts run, for the GC steps */
    /* EVAL's scripts (not SCRIPT LOAD's), least recently run first:
     * Redis 7.4 evicts the oldest past EVAL_LRU_MAX. */
    struct eval_lru *lru_head, *lru_tail;
    size_t nlru;
    uint64_t evicted;                   /* INFO evicted_scripts */
    struct ldb *ldb;                    /* a SCRIPT DEBUG session runs */
};

#define NUM_SLOT 32                     /* "%.17g" of a double fits */
#define REG_SCRIPTS "respite.scripts"
#define REG_FLAGS "respite.flags"
#define REG_LRU "respite.lru"           /* sha -> its struct eval_lru */
#define REG_ENGINE "respite.engine"
/* The engine whose Lua state L is (script.c), from the registry. */
struct scripting *script__engine(lua_State *L);
/* A read-only proxy's metatable names the table it stands for under this
 * key, so the raw functions (and cmsgpack.pack) can see through it. */
#define RO_BACKING "__respite_ro"
/* Marks an error table whose error a command already counted. */
#define ERR_COUNTED "ignore_error_stats_update"

/* script_conv.c: RESP replies and Lua values. */
/* Pushes the error text p[0..n) as a table {err = "CODE message"}. */
void script__push_error(lua_State *L, const char *p, size_t n);
/* The end ('\r') of the line that starts at p, or NULL. */
const char *script__line_end(const char *p, const char *end);
/* Pushes the reply at p as a Lua value and returns where it ends, or
 * NULL (something pushed all the same) when it is malformed. */
const char *script__parse_reply(lua_State *L, const char *p, const char *end);
/* Writes the value on top of s->L to c->out and pops it; top: it is the
 * script's result, whose error counts as the command's. */
void script__reply_value(struct scripting *s, struct client *c, int top);

/* script.c: the engine, shared with function.c (a state of its own). */
/* A new engine: a Lua state with the globals of script_api.c and its
 * script client; NULL when out of memory. */
struct scripting *script__engine_new(struct server *srv);
/* Closes it; NULL is a no-op. */
void script__engine_free(struct scripting *s);
/* lua_pcall's message handler for a run: the error as a table {err,
 * source, line}, "ERR " put before a text error. */
int script__error_handler(lua_State *L);
/* KEYS or ARGV: c->argv[from .. from+n) as a new table. */
void script__push_args(lua_State *L, const struct client *c, size_t from,
                       size_t n);
/* Calls the function under the nargs arguments on top of s->L for c with
 * the script's flags (SCRIPT_*) and ro (a *_RO command), writes its
 * result or its error ("... script: <name>, on ...") to c and pops them. */
void script__call(struct scripting *s, struct client *c, int nargs,
                  const char *name, unsigned flags, int ro);

/* script_api.c: what scripts see. */
/* Opens the libraries, the redis table and the protected globals; leaves
 * the hidden globals table on the stack. May raise (lua_cpcall it). */
int script__setup_globals(lua_State *L);
/* Replaces the table at the top of the stack by a read-only proxy whose
 * missing names raise "Script attempted to access nonexistent global
 * variable", like the globals. */
void script__strict_proxy(lua_State *L);
/* If the value at idx is a read-only proxy, pushes the table behind it
 * and returns 1; otherwise pushes nothing and returns 0. */
int script__unproxy(lua_State *L, int idx);
/* luaL_loadbuffer of text only, never of a precompiled chunk. */
int script__load_text(lua_State *L, const char *p, size_t n,
                      const char *name);

/* script_msgpack.c and script_struct.c: push the cmsgpack and struct
 * tables. May raise (out of memory). */
int script__open_cmsgpack(lua_State *L);
int script__open_struct(lua_State *L);

/* script_busy.c: watches the run of s about to start for c (name: the
 * SHA-1 or function name) for busy-reply-threshold, and stops watching
 * when it ends. */
void script__watch_start(struct scripting *s, struct client *c,
                         const char *name);
void script__watch_stop(struct scripting *s);

/* script_debug.c: the debugger's side of a run (SCRIPT DEBUG SYNC). */
/* Sets the line hook when a session runs (after script__watch_start). */
void script__debug_hook(struct scripting *s);
/* Whether s runs a session. */
int script__debug_active(const struct scripting *s);
/* redis.breakpoint() in a session: stop at the next line. */
void script__debug_breakpoint(struct scripting *s);
/* redis.debug(...) in a session: logs the values on L's stack. */
void script__debug_log_values(struct scripting *s, lua_State *L);
/* Whether redis.call should log its command and reply now. */
int script__debug_stepping(const struct scripting *s);
/* Logs a command a script runs, why it was refused, its reply p[0..n). */
void script__debug_log_call(struct scripting *s, size_t argc,
                            const char *const *argv, const size_t *argvlen);
void script__debug_log_error(struct scripting *s, const char *msg);
void script__debug_log_reply(struct scripting *s, const char *p, size_t n);

/* script_debug_print.c: values as the debugger shows them. */
/* Appends the Lua value at idx of L to b. */
void script__debug_add_value(struct resp_out *b, lua_State *L, int idx);
/* Appends the RESP reply at p to b; returns where it ends in [p, end), or
 * NULL when it is malformed. */
const char *script__debug_add_reply(struct resp_out *b, const char *p,
                                    const char *end);

#endif
