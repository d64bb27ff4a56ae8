/* script.c - Lua scripting as Redis 7.0's EVAL has it: one Lua 5.1 state
 * for the server, scripts cached by the SHA-1 of their body, and running
 * them; with script_api.c (the redis.* API and the globals) and
 * script_conv.c (RESP replies to Lua values and back).
 *
 * Running a command from a script (redis.call, redis.pcall) goes through
 * the real handler on a script-owned client that has no socket: its reply
 * bytes are read back into Lua values, by Redis's rules and in the
 * protocol redis.setresp chose (2 by default): script_conv.c converts
 * both ways (hiredis 0.14's reader knows no RESP3 types, hence a parser of
 * our own), script_api.c has what scripts see. The script client's
 * flag CLIENT_SCRIPT keeps blocking commands from blocking (they answer
 * as inside MULTI). Commands inside one script see one clock: the
 * keyspace clock only moves between top-level commands (server_now_ms),
 * and a script is one.
 *
 * Globals: Redis 7.0 forbids creating globals and reading undefined ones,
 * and its library tables are read-only (its Lua is patched for that). With
 * Debian's stock Lua the same errors come from proxies: the globals table
 * itself is kept empty, with a metatable that reads through to a hidden
 * table and refuses writes, and string, math, table, coroutine, redis,
 * cjson, bit, cmsgpack and struct are empty proxies over the real tables
 * (cmsgpack and struct are ours: script_msgpack.c, script_struct.c). rawget, rawset,
 * next, pairs and setmetatable are replaced by versions that see through
 * a proxy (or refuse to write it); ipairs and the # operator do not.
 *
 *   registry.scripts[sha] = compiled function     registry.flags[sha] = n
 *
 * Code is compiled as text only (EVAL, SCRIPT LOAD, loadstring, load):
 * stock Lua would run a precompiled chunk unchecked.
 *
 * Lua raises errors with longjmp: the functions Lua calls hold no C
 * allocation across a call that may raise (the argv of redis.call lives in
 * struct scripting and is reused). SCRIPT DEBUG sessions are in
 * script_debug.c. What this does not do: Redis's own math.random
 * generator. */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/acl.h"
#include "server/function.h"
#include "server/handlers.h"
#include "server/maxmemory.h"
#include "server/script.h"
#include "server/script_int.h"
#include "server/server.h"
#include "server/sha1.h"

#define GC_PERIOD 50

/* ---- Engine lifecycle ------------------------------------------------- */

/* See script_int.h. */
struct scripting *script__engine(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ENGINE);
    struct scripting *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return s;
}

/* lua_cpcall body: everything that may raise while the state is built. */
static int engine_setup(lua_State *L)
{
    struct scripting *s = lua_touserdata(L, 1);
    lua_pushlightuserdata(L, s);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_ENGINE);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_SCRIPTS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_FLAGS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_LRU);
    script__setup_globals(L);
    s->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* See script_int.h. */
struct scripting *script__engine_new(struct server *srv)
{
    struct scripting *s = calloc(1, sizeof(*s));
    struct client *fake = calloc(1, sizeof(*fake));
    if (!s || !fake) {
        free(s);
        free(fake);
        return NULL;
    }
    s->srv = srv;
    s->fake = fake;
    s->resp = 2;
    fake->srv = srv;
    fake->flags = CLIENT_SCRIPT;
    fake->proto = 2;
    fake->authed = 1;
    fake->user = srv->acl->dflt;
    /* What Redis's script client shows as its address (SLOWLOG). */
    snprintf(fake->addr, sizeof(fake->addr), "?:0");
    resp_out_init(&fake->out, 2);
    s->L = luaL_newstate();
    if (!s->L || lua_cpcall(s->L, engine_setup, s) != 0) {
        if (s->L)
            lua_close(s->L);
        resp_out_close(&fake->out);
        free(fake);
        free(s);
        return NULL;
    }
    return s;
}

static void lru_free_all(struct scripting *s);

/* See script_int.h. */
void script__engine_free(struct scripting *s)
{
    if (!s)
        return;
    lru_free_all(s);
    lua_close(s->L);
    resp_out_close(&s->fake->out);
    free(s->fake);
    free(s->argv);
    free(s->argvlen);
    free(s->numbuf);
    free(s);
}

int script_engine_init(struct server *srv)
{
    srv->scripting = script__engine_new(srv);
    return srv->scripting ? 0 : -1;
}

void script_engine_close(struct server *srv)
{
    script__engine_free(srv->scripting);
    srv->scripting = NULL;
}

/* ---- EVAL's LRU ------------------------------------------------------- */

/* Redis 7.4 keeps at most this many scripts that EVAL compiled (SCRIPT
 * LOAD's are never evicted): an application that builds a new body for
 * every call no longer grows the cache for ever. */
#define EVAL_LRU_MAX 500

struct eval_lru {
    struct eval_lru *prev, *next;
    size_t body_len;
    char sha[41];
};

static void lru_unlink(struct scripting *s, struct eval_lru *n)
{
    *(n->prev ? &n->prev->next : &s->lru_head) = n->next;
    *(n->next ? &n->next->prev : &s->lru_tail) = n->prev;
    n->prev = n->next = NULL;
    s->nlru--;
}

static void lru_append(struct scripting *s, struct eval_lru *n)
{
    n->prev = s->lru_tail;
    n->next = NULL;
    *(s->lru_tail ? &s->lru_tail->next : &s->lru_head) = n;
    s->lru_tail = n;
    s->nlru++;
}

static void lru_free_all(struct scripting *s)
{
    while (s->lru_head) {
        struct eval_lru *n = s->lru_head;
        lru_unlink(s, n);
        free(n);
    }
}

/* The LRU entry of cached script sha, or NULL when SCRIPT LOAD's. */
static struct eval_lru *lru_find(struct scripting *s, const char *sha)
{
    lua_getfield(s->L, LUA_REGISTRYINDEX, REG_LRU);
    lua_getfield(s->L, -1, sha);
    struct eval_lru *n = lua_touserdata(s->L, -1);
    lua_pop(s->L, 2);
    return n;
}

/* Sets registry[reg][sha] = nil: the key exists, so Lua allocates
 * nothing and cannot raise. */
static void registry_forget(lua_State *L, const char *reg, const char *sha)
{
    lua_getfield(L, LUA_REGISTRYINDEX, reg);
    lua_pushnil(L);
    lua_setfield(L, -2, sha);
    lua_pop(L, 1);
}

/* Takes script n out of the LRU: SCRIPT LOAD of a script EVAL cached
 * makes it one that is never evicted, as in Redis. */
static void lru_forget(struct scripting *s, struct eval_lru *n)
{
    registry_forget(s->L, REG_LRU, n->sha);
    lru_unlink(s, n);
    free(n);
}

/* Evicts EVAL's least recently run scripts until one more fits. */
static void lru_make_room(struct scripting *s)
{
    while (s->nlru >= EVAL_LRU_MAX) {
        struct eval_lru *n = s->lru_head;
        registry_forget(s->L, REG_SCRIPTS, n->sha);
        registry_forget(s->L, REG_FLAGS, n->sha);
        s->nscripts--;
        s->body_bytes -= n->body_len;
        s->evicted++;
        lru_forget(s, n);
    }
}

/* A run of script sha makes it EVAL's most recently run. */
static void lru_touch(struct scripting *s, const char *sha)
{
    struct eval_lru *n = lru_find(s, sha);
    if (n && n != s->lru_tail) {
        lru_unlink(s, n);
        lru_append(s, n);
    }
}

/* ---- The cache ---------------------------------------------------------- */

/* Parses a "#!lua [flags=a,b]" first line (body starts with "#!") into
 * *flags, or replies Redis 7.0's error (unless c is NULL) and returns -1. */
static int shebang_or_reply(struct client *c, const char *body, size_t len,
                            unsigned *flags)
{
    static const struct { const char *name; unsigned flag; } known[] = {
        { "no-writes", SCRIPT_NO_WRITES },
        { "allow-oom", SCRIPT_ALLOW_OOM },
        { "allow-stale", SCRIPT_ALLOW_STALE },
        { "no-cluster", SCRIPT_NO_CLUSTER },
        { "allow-cross-slot-keys", SCRIPT_CROSS_SLOT },
    };
    /* The line must end, before any NUL (Redis looks for it in a C
     * string). */
    const char *nl = memchr(body, '\n', len);
    if (!nl || memchr(body, '\0', (size_t)(nl - body))) {
        if (c)
            reply_error(c, ERR_SHEBANG_INVALID);
        return -1;
    }
    const char *end = nl;
    const char *p = body;
    *flags = 0;
    for (int word = 0;; word++) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end)
            return 0;
        const char *w = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        int n = (int)(p - w);
        if (word == 0) {
            if (n != 5 || memcmp(w, "#!lua", 5) != 0) {
                if (c)
                    reply_error(c, ERR_SHEBANG_ENGINE, n > 128 ? 128 : n, w);
                return -1;
            }
            continue;
        }
        if (n < 6 || memcmp(w, "flags=", 6) != 0) {
            if (c)
                reply_error(c, ERR_SHEBANG_OPTION, n > 128 ? 128 : n, w);
            return -1;
        }
        for (const char *f = w + 6; f < p;) {
            const char *comma = memchr(f, ',', (size_t)(p - f));
            const char *fe = comma ? comma : p;
            size_t fn = (size_t)(fe - f);
            size_t k = 0;
            while (k < sizeof(known) / sizeof(known[0]) &&
                   !(strlen(known[k].name) == fn &&
                     memcmp(known[k].name, f, fn) == 0))
                k++;
            if (k == sizeof(known) / sizeof(known[0])) {
                if (c)
                    reply_error(c, ERR_SHEBANG_FLAG,
                                (int)(fn > 128 ? 128 : fn), f);
                return -1;
            }
            *flags |= known[k].flag;
            f = comma ? comma + 1 : p;
        }
    }
}

/* Pushes registry[reg][sha]. */
static void cache_get(lua_State *L, const char *reg, const char *sha)
{
    lua_getfield(L, LUA_REGISTRYINDEX, reg);
    lua_getfield(L, -1, sha);
    lua_replace(L, -2);
}

int script_cached(struct server *srv, const char *sha, size_t len,
                  unsigned *flags)
{
    struct scripting *s = srv->scripting;
    char lower[41];
    if (len != 40)
        return 0;
    for (size_t i = 0; i < 40; i++)
        lower[i] = (char)(sha[i] >= 'A' && sha[i] <= 'Z' ? sha[i] + 32
                                                         : sha[i]);
    lower[40] = '\0';
    cache_get(s->L, REG_FLAGS, lower);
    int found = lua_isnumber(s->L, -1);
    if (found && flags)
        *flags = (unsigned)lua_tointeger(s->L, -1);
    lua_pop(s->L, 1);
    return found;
}

/* lua_cpcall body: registry.scripts[sha] = the function below it, and
 * for EVAL's, registry.lru[sha] = its LRU entry. */
struct cache_put {
    const char *sha;
    unsigned flags;
    struct eval_lru *lru;               /* NULL: SCRIPT LOAD's */
};

static int cache_put(lua_State *L)
{
    struct cache_put *p = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, REG_SCRIPTS);
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, p->sha);
    lua_getfield(L, LUA_REGISTRYINDEX, REG_FLAGS);
    lua_pushinteger(L, (lua_Integer)p->flags);
    lua_setfield(L, -2, p->sha);
    if (p->lru) {
        lua_getfield(L, LUA_REGISTRYINDEX, REG_LRU);
        lua_pushlightuserdata(L, p->lru);
        lua_setfield(L, -2, p->sha);
    }
    return 0;
}

int script_load_or_reply(struct client *c, const char *body, size_t len,
                         char sha[41], unsigned *flags, int from_eval)
{
    struct scripting *s = c->srv->scripting;
    lua_State *L = s->L;
    sha1_hex(body, len, sha);
    if (script_cached(c->srv, sha, 40, flags)) {
        struct eval_lru *n = from_eval ? NULL : lru_find(s, sha);
        if (n)
            lru_forget(s, n);
        return 0;
    }
    *flags = SCRIPT_LEGACY;
    const char *code = body;
    size_t codelen = len;
    if (len >= 2 && body[0] == '#' && body[1] == '!') {
        if (shebang_or_reply(c, body, len, flags) != 0)
            return -1;
        /* Lua gets the code from the shebang's newline on, so lines keep
         * their numbers; as in Redis, a CR in the shebang line does not
         * end it for Lua (a comment would end there). */
        code = memchr(body, '\n', len);    /* there is one: see above */
        codelen = len - (size_t)(code - body);
    }
    int rc = script__load_text(L, code, codelen, "@user_script");
    if (rc != 0) {
        size_t n;
        const char *e = lua_tolstring(L, -1, &n);
        const char *pre = "ERR Error compiling script (new function): ";
        size_t plen = strlen(pre);
        char *msg = malloc(plen + n + 1);
        if (msg) {
            memcpy(msg, pre, plen);
            memcpy(msg + plen, e ? e : "", e ? n : 0);
            reply_error_text(c, msg, plen + (e ? n : 0));
            free(msg);
        } else {
            reply_error(c, ERR_OOM);
        }
        lua_pop(L, 1);
        return -1;
    }
    struct cache_put put = { sha, *flags, NULL };
    if (from_eval) {
        put.lru = calloc(1, sizeof(*put.lru));
        if (!put.lru) {
            lua_pop(L, 1);
            reply_error(c, ERR_OOM);
            return -1;
        }
        memcpy(put.lru->sha, sha, 41);
        put.lru->body_len = len;
        lru_make_room(s);
    }
    lua_pushcfunction(L, cache_put);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, &put);
    lua_insert(L, -2);
    /* cache_put(&put, fn) */
    if (lua_pcall(L, 2, 0, 0) != 0) {
        lua_pop(L, 1);
        free(put.lru);
        reply_error(c, ERR_OOM);
        return -1;
    }
    if (put.lru)
        lru_append(s, put.lru);
    s->nscripts++;
    s->body_bytes += len;
    return 0;
}

void script_flush(struct server *srv)
{
    struct scripting *s = srv->scripting;
    lua_State *L = s->L;
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_SCRIPTS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_FLAGS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_LRU);
    lru_free_all(s);
    s->nscripts = 0;
    s->body_bytes = 0;
    lua_gc(L, LUA_GCCOLLECT, 0);
}

/* See server.h. Redis 7.0's rule: a script that declared flags takes its
 * write, denyoom and stale from them (and is known not to replicate if it
 * does not write); one without a shebang keeps the command's. EVAL's
 * body not cached yet is read for its shebang; FCALL's function always
 * declared its flags (function.c). */
unsigned script_cmd_flags(const struct client *c, unsigned flags)
{
    if (c->argc < 3)
        return flags;
    unsigned sf = SCRIPT_LEGACY;
    cmd_proc p = c->cmd->proc;
    if (p == cmd_fcall || p == cmd_fcall_ro) {
        if (!function_flags(c->srv, c->argv[1], c->argvlen[1], &sf))
            return flags;
    } else if (p == cmd_eval || p == cmd_eval_ro) {
        char sha[41];
        sha1_hex(c->argv[1], c->argvlen[1], sha);
        if (!script_cached(c->srv, sha, 40, &sf) && c->argvlen[1] >= 2 &&
            c->argv[1][0] == '#' && c->argv[1][1] == '!' &&
            shebang_or_reply(NULL, c->argv[1], c->argvlen[1], &sf) != 0)
            return flags;
    } else if (!script_cached(c->srv, c->argv[1], c->argvlen[1], &sf)) {
        return flags;
    }
    if (sf & SCRIPT_LEGACY)
        return flags;
    flags &= ~(unsigned)(CMD_STALE | CMD_DENYOOM | CMD_WRITE |
                         CMD_MAY_REPLICATE);
    if (!(sf & (SCRIPT_ALLOW_OOM | SCRIPT_NO_WRITES)))
        flags |= CMD_DENYOOM;
    if (!(sf & SCRIPT_NO_WRITES))
        flags |= CMD_WRITE;
    if (sf & SCRIPT_ALLOW_STALE)
        flags |= CMD_STALE;
    return flags;
}

/* ---- Running ------------------------------------------------------------ */

/* See script_int.h. The message handler of a script's run: makes the error a table {err}
 * ("ERR " and the text, for an error that is not one already) and adds
 * where it was raised, source and line, from the innermost Lua function
 * (skipping the C function that raised it, redis.call or error). */
int script__error_handler(lua_State *L)
{
    if (!lua_istable(L, 1)) {
        const char *m = lua_tostring(L, 1);
        lua_pushfstring(L, "ERR %s",
                        m ? m : lua_isnil(L, 1) ? "nil"
                              : lua_isboolean(L, 1) && lua_toboolean(L, 1)
                                  ? "true"
                                  : lua_isboolean(L, 1) ? "false" : "?");
        lua_newtable(L);
        lua_insert(L, -2);
        lua_setfield(L, -2, "err");
        lua_replace(L, 1);
    }
    lua_Debug ar;
    int level = 1;
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) &&
        strcmp(ar.what, "C") == 0)
        level = 2;
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar)) {
        lua_pushstring(L, ar.source);
        lua_setfield(L, 1, "source");
        lua_pushinteger(L, ar.currentline);
        lua_setfield(L, 1, "line");
    }
    lua_settop(L, 1);
    return 1;
}

/* lua_pcall body: a plain table with the fields of the error table at 1
 * that a reply reads, read as Redis reads them (an __index metamethod
 * runs), so that one raising is caught here. */
static int copy_error_fields(lua_State *L)
{
    static const char *const keys[] = { "err", "source", "line",
                                        ERR_COUNTED };
    lua_newtable(L);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        lua_getfield(L, 1, keys[i]);
        lua_setfield(L, 2, keys[i]);
    }
    return 1;
}

/* Replies the error table at the top of the stack, as Redis 7.0 words a
 * script's error: "<err> script: <name>, on <source>:<line>.", where the
 * name is the script's SHA-1 or the function's name. An error table whose
 * fields raise when read (Redis crashes on it) is an unknown error. */
static void reply_script_error(struct client *c, lua_State *L,
                               const char *name)
{
    const char *err = NULL, *source = NULL;
    size_t elen = 0;
    int line = -1, counted = 0;
    if (lua_istable(L, -1)) {
        lua_pushcfunction(L, copy_error_fields);
        lua_insert(L, -2);
        if (lua_pcall(L, 1, 1, 0) != 0) {
            lua_pop(L, 1);
            lua_newtable(L);
        }
        lua_getfield(L, -1, "err");
        err = lua_tolstring(L, -1, &elen);
        lua_getfield(L, -2, "source");
        source = lua_tostring(L, -1);
        lua_getfield(L, -3, "line");
        if (lua_isnumber(L, -1))
            line = (int)lua_tointeger(L, -1);
        lua_getfield(L, -4, ERR_COUNTED);
        counted = lua_toboolean(L, -1);
        lua_pop(L, 4);
    } else {
        err = lua_tolstring(L, -1, &elen);      /* out of memory */
    }
    if (!err) {
        err = "ERR unknown error";
        elen = strlen(err);
    }
    size_t cap = elen + (source ? strlen(source) : 0) + 96;
    char *msg = malloc(cap);
    if (!msg) {
        reply_error(c, ERR_OOM);
        return;
    }
    int n;
    if (source && line >= 0)
        n = snprintf(msg, cap, "%.*s script: %s, on %s:%d.", (int)elen, err,
                     name, source, line);
    else
        n = snprintf(msg, cap, "%.*s", (int)elen, err);
    if (counted) {
        resp_add_error(&c->out, msg, n > 0 ? (size_t)n : 0);
        c->nerrors++;
    } else {
        reply_error_text(c, msg, n > 0 ? (size_t)n : 0);
    }
    free(msg);
}

/* See script_int.h. */
void script__push_args(lua_State *L, const struct client *c, size_t from,
                       size_t n)
{
    lua_createtable(L, n > 1024 ? 1024 : (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushlstring(L, c->argv[from + i], c->argvlen[from + i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
}

void script_run(struct client *c, const char *sha, unsigned flags,
                size_t numkeys, int ro)
{
    struct scripting *s = c->srv->scripting;
    lua_State *L = s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->globals_ref);
    script__push_args(L, c, 3, numkeys);
    lua_setfield(L, -2, "KEYS");
    script__push_args(L, c, 3 + numkeys, c->argc - 3 - numkeys);
    lua_setfield(L, -2, "ARGV");
    lua_pop(L, 1);
    cache_get(L, REG_SCRIPTS, sha);
    script__call(s, c, 0, sha, flags, ro);
    lru_touch(s, sha);
}

/* See script_int.h. */
void script__call(struct scripting *s, struct client *c, int nargs,
                  const char *name, unsigned flags, int ro)
{
    struct server *srv = c->srv;
    lua_State *L = s->L;
    int base = lua_gettop(L) - nargs - 1;
    s->flags = flags;
    s->ro = ro;
    s->resp = 2;
    s->wrote = 0;
    s->oom = srv->conf.maxmemory && maxmemory_enforce(srv);
    s->fake->db = c->db;
    s->fake->flags = CLIENT_SCRIPT;
    s->fake->user = c->user;            /* its commands are c's user's */

    lua_pushcfunction(L, script__error_handler);
    lua_insert(L, base + 1);
    script__watch_start(s, c, name);
    script__debug_hook(s);
    int rc = lua_pcall(L, nargs, 1, base + 1);
    script__watch_stop(s);
    if (rc == 0)
        script__reply_value(s, c, 1);
    else
        reply_script_error(c, L, name);
    lua_settop(L, base);
    /* Garbage from scripts is collected in steps, one every GC_PERIOD
     * runs as large as the period, as Redis does, rather than a little
     * after every run. */
    if (++s->runs % GC_PERIOD == 0)
        lua_gc(L, LUA_GCSTEP, GC_PERIOD);
}

/* ---- INFO ------------------------------------------------------------- */

size_t script_count(const struct server *srv)
{
    return srv->scripting->nscripts;
}

size_t script_bodies_bytes(const struct server *srv)
{
    return srv->scripting->body_bytes;
}

uint64_t script_evicted(const struct server *srv)
{
    return srv->scripting->evicted;
}

void script_evicted_reset(struct server *srv)
{
    srv->scripting->evicted = 0;
}

size_t script_lua_memory(const struct server *srv)
{
    lua_State *L = srv->scripting->L;
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 +
           (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}

