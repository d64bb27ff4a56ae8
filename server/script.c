/* script.c - Lua scripting as Redis 7.0's EVAL has it: one Lua 5.1 state
 * for the server, scripts cached by the SHA-1 of their body, the redis.*
 * API, and the conversions between RESP replies and Lua values.
 *
 * Running a command from a script (redis.call, redis.pcall) goes through
 * the real handler on a script-owned client that has no socket: its reply
 * bytes are read back here into Lua values, by Redis's rules and in the
 * protocol redis.setresp chose (2 by default). hiredis 0.14's reader knows
 * no RESP3 types, hence the small reply parser below. The script client's
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
 * cjson and bit are empty proxies over the real tables. rawget, rawset,
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
 * struct scripting and is reused). What this does not do: SCRIPT DEBUG,
 * killing a running script (a script runs to its end on the one loop
 * thread, so none is ever running when another command is read), Redis's
 * own math.random generator, and the struct and cmsgpack libraries. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/handlers.h"
#include "server/maxmemory.h"
#include "server/script.h"
#include "server/server.h"
#include "server/sha1.h"

/* Debian's lua-cjson-dev and lua-bitop-dev, linked in (see Makefile). */
int luaopen_cjson(lua_State *L);
int luaopen_bit(lua_State *L);

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
};

#define GC_PERIOD 50
#define NUM_SLOT 32                     /* "%.17g" of a double fits */
#define REG_SCRIPTS "respite.scripts"
#define REG_FLAGS "respite.flags"
#define REG_ENGINE "respite.engine"
/* Marks an error table whose error a command already counted. */
#define ERR_COUNTED "ignore_error_stats_update"

static struct scripting *engine_of(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_ENGINE);
    struct scripting *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return s;
}

/* ---- Errors as Lua values ------------------------------------------------
 * A Redis error in Lua is a table {err = "CODE message"}. Text from a
 * reply ("-WRONGTYPE ...") or from here ("Unknown ...") is brought to that
 * shape as Redis 7.0 does: a leading '-' is dropped and the first word is
 * the code (ERR when there is one word only), text without the '-' gets
 * the code ERR, and CR/LF are trimmed from the ends. */
static void push_error_table(lua_State *L, const char *p, size_t n)
{
    const char *code = "ERR";
    size_t codelen = 3;
    if (n > 0 && p[0] == '-') {
        const char *sp = memchr(p + 1, ' ', n - 1);
        if (sp) {
            code = p + 1;
            codelen = (size_t)(sp - code);
            n -= (size_t)(sp + 1 - p);
            p = sp + 1;
        } else {
            p++;
            n--;
        }
    }
    while (n > 0 && (p[0] == '\r' || p[0] == '\n')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    lua_newtable(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, code, codelen);
    luaL_addchar(&b, ' ');
    luaL_addlstring(&b, p, n);
    luaL_pushresult(&b);
    lua_setfield(L, -2, "err");
}

/* Pushes the error msg and raises it, or returns it as the one result. */
static int error_out(lua_State *L, int raise, const char *msg)
{
    push_error_table(L, msg, strlen(msg));
    if (raise)
        return lua_error(L);
    return 1;
}

/* ---- RESP reply -> Lua ------------------------------------------------ */

static const char *parse_reply(lua_State *L, const char *p, const char *end);

/* The line after the type byte at p: [p+1, *eol); NULL when incomplete. */
static const char *line_end(const char *p, const char *end)
{
    const char *cr = memchr(p, '\r', (size_t)(end - p));
    return cr && cr + 1 < end ? cr : NULL;
}

static long long line_ll(const char *p, const char *eol)
{
    char buf[32];
    size_t n = (size_t)(eol - p);
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return strtoll(buf, NULL, 10);
}

/* n elements into a new table under key (map, set) or as its array. */
static const char *parse_aggregate(lua_State *L, char type, long long n,
                                   const char *p, const char *end)
{
    if (!lua_checkstack(L, 8))
        return NULL;
    lua_newtable(L);
    for (long long i = 1; i <= n && p; i++) {
        if (type == '*') {
            p = parse_reply(L, p, end);
            lua_rawseti(L, -2, (int)i);
        } else {
            p = parse_reply(L, p, end);
            if (!p)
                break;
            if (type == '%')
                p = parse_reply(L, p, end);
            else
                lua_pushboolean(L, 1);
            if (lua_isnil(L, -2))
                lua_pop(L, 2);          /* a null key has no place */
            else
                lua_rawset(L, -3);
        }
    }
    if (p && type != '*') {
        lua_newtable(L);
        lua_insert(L, -2);
        lua_setfield(L, -2, type == '%' ? "map" : "set");
    }
    return p;
}

/* Pushes the reply at p as Redis converts it for a script and returns
 * where it ends, or NULL (with something pushed) when it is malformed. */
static const char *parse_reply(lua_State *L, const char *p, const char *end)
{
    if (p >= end) {
        lua_pushnil(L);
        return NULL;
    }
    const char *eol = line_end(p, end);
    if (!eol) {
        lua_pushnil(L);
        return NULL;
    }
    const char *text = p + 1, *next = eol + 2;
    size_t tlen = (size_t)(eol - text);
    switch (*p) {
    case '+':
        lua_newtable(L);
        lua_pushlstring(L, text, tlen);
        lua_setfield(L, -2, "ok");
        return next;
    case '-':
        push_error_table(L, p, (size_t)(eol - p));
        return next;
    case ':':
        lua_pushnumber(L, (lua_Number)line_ll(text, eol));
        return next;
    case '$':
    case '=': {
        long long n = line_ll(text, eol);
        if (n < 0) {
            lua_pushboolean(L, 0);
            return next;
        }
        if (end - next < n + 2) {
            lua_pushnil(L);
            return NULL;
        }
        if (*p == '$' || n < 4) {
            lua_pushlstring(L, next, (size_t)n);
        } else {
            /* Verbatim: {verbatim_string = {format = "txt", string = ...}} */
            lua_newtable(L);
            lua_newtable(L);
            lua_pushlstring(L, next, 3);
            lua_setfield(L, -2, "format");
            lua_pushlstring(L, next + 4, (size_t)n - 4);
            lua_setfield(L, -2, "string");
            lua_setfield(L, -2, "verbatim_string");
        }
        return next + n + 2;
    }
    case '*':
    case '%':
    case '~': {
        long long n = line_ll(text, eol);
        if (n < 0) {
            lua_pushboolean(L, 0);
            return next;
        }
        return parse_aggregate(L, *p, n, next, end);
    }
    case '_':
        lua_pushnil(L);
        return next;
    case ',': {
        char buf[64];
        size_t n = tlen < sizeof(buf) - 1 ? tlen : sizeof(buf) - 1;
        memcpy(buf, text, n);
        buf[n] = '\0';
        lua_newtable(L);
        lua_pushnumber(L, strtod(buf, NULL));
        lua_setfield(L, -2, "double");
        return next;
    }
    case '#':
        lua_pushboolean(L, tlen > 0 && text[0] == 't');
        return next;
    case '(':
        lua_newtable(L);
        lua_pushlstring(L, text, tlen);
        lua_setfield(L, -2, "big_number");
        return next;
    default:
        lua_pushnil(L);
        return NULL;
    }
}

/* ---- Lua -> RESP reply -------------------------------------------------- */

/* +text with CR and LF turned into spaces, as Redis writes a status. */
static void add_status(struct resp_out *o, const char *p, size_t n)
{
    resp_add_raw(o, "+", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r' || p[i] == '\n') {
            resp_add_raw(o, p + start, i - start);
            resp_add_raw(o, " ", 1);
            start = i + 1;
        }
    }
    resp_add_raw(o, p + start, n - start);
    resp_add_raw(o, "\r\n", 2);
}

/* A double as Redis 7.0 writes one ("%.17g", so -nan for 0/0 as glibc
 * prints it): ',' in RESP3, a bulk string in RESP2. */
static void add_double(struct resp_out *o, double d)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof(buf))
        n = 0;
    if (o->proto >= 3) {
        resp_add_raw(o, ",", 1);
        resp_add_raw(o, buf, (size_t)n);
        resp_add_raw(o, "\r\n", 2);
    } else {
        resp_add_bulk(o, buf, (size_t)n);
    }
}

/* A Lua number as a reply integer, truncated; one out of range (or NaN)
 * gives what x86's conversion gives Redis: the smallest int64. */
static int64_t number_to_i64(lua_Number d)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)d;
}

/* t[name] of the table at idx without metamethods, pushed. */
static int raw_field(lua_State *L, int idx, const char *name)
{
    lua_pushstring(L, name);
    lua_rawget(L, idx < 0 ? idx - 1 : idx);
    return lua_type(L, -1);
}

static void reply_value(struct scripting *s, struct client *c, int top);

/* Writes the table on top of the stack (left there) as Redis 7.0 does:
 * err, ok, double, big_number, verbatim_string, map, set, else an array
 * up to its first nil. */
static void reply_table(struct scripting *s, struct client *c, int top)
{
    lua_State *L = s->L;
    struct resp_out *o = &c->out;
    size_t n;
    if (raw_field(L, -1, "err") == LUA_TSTRING) {
        const char *e = lua_tolstring(L, -1, &n);
        int counted = raw_field(L, -2, ERR_COUNTED) != LUA_TNIL;
        lua_pop(L, 1);
        if (top && !counted) {
            reply_error_text(c, e, n);
        } else {
            resp_add_error(o, e, n);
            c->nerrors += (uint64_t)top;
        }
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (raw_field(L, -1, "ok") == LUA_TSTRING) {
        const char *ok = lua_tolstring(L, -1, &n);
        add_status(o, ok, n);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (raw_field(L, -1, "double") == LUA_TNUMBER) {
        add_double(o, lua_tonumber(L, -1));
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (raw_field(L, -1, "big_number") == LUA_TSTRING) {
        const char *big = lua_tolstring(L, -1, &n);
        if (o->proto >= 3) {
            resp_add_raw(o, "(", 1);
            resp_add_raw(o, big, n);
            resp_add_raw(o, "\r\n", 2);
        } else {
            resp_add_bulk(o, big, n);
        }
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (raw_field(L, -1, "verbatim_string") == LUA_TTABLE) {
        size_t flen = 0;
        const char *fmt = NULL, *str = NULL;
        if (raw_field(L, -1, "format") == LUA_TSTRING)
            fmt = lua_tolstring(L, -1, &flen);
        if (raw_field(L, -2, "string") == LUA_TSTRING)
            str = lua_tolstring(L, -1, &n);
        if (fmt && str) {
            if (o->proto >= 3) {
                /* =<len>\r\nfmt:text\r\n, the format three bytes. */
                char fbuf[4] = "   ";
                memcpy(fbuf, fmt, flen < 3 ? flen : 3);
                char head[32];
                int hn = snprintf(head, sizeof(head), "=%zu\r\n", n + 4);
                resp_add_raw(o, head, (size_t)hn);
                resp_add_raw(o, fbuf, 3);
                resp_add_raw(o, ":", 1);
                resp_add_raw(o, str, n);
                resp_add_raw(o, "\r\n", 2);
            } else {
                resp_add_bulk(o, str, n);
            }
            lua_pop(L, 3);
            return;
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    int kind = 0;
    if (raw_field(L, -1, "map") == LUA_TTABLE)
        kind = 'm';
    else {
        lua_pop(L, 1);
        if (raw_field(L, -1, "set") == LUA_TTABLE)
            kind = 's';
    }
    if (kind) {
        size_t count = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            count++;
            lua_pop(L, 1);
        }
        if (kind == 'm')
            resp_add_map(o, count);
        else
            resp_add_set(o, count);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);       /* the key, copied for lua_next */
            reply_value(s, c, 0);
            if (kind == 'm')
                reply_value(s, c, 0);
            else
                lua_pop(L, 1);
        }
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    size_t len = 0;
    for (;;) {
        lua_rawgeti(L, -1, (int)len + 1);
        int nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil)
            break;
        len++;
    }
    resp_add_array(o, len);
    for (size_t i = 1; i <= len; i++) {
        lua_rawgeti(L, -1, (int)i);
        reply_value(s, c, 0);
    }
}

/* Writes the value on top of the stack to c->out and pops it. top: it is
 * the script's result, whose error counts as the command's. */
static void reply_value(struct scripting *s, struct client *c, int top)
{
    lua_State *L = s->L;
    struct resp_out *o = &c->out;
    if (!lua_checkstack(L, 4)) {
        resp_add_error(o, "ERR reached lua stack limit", 27);
        lua_pop(L, 1);
        return;
    }
    size_t n;
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        const char *p = lua_tolstring(L, -1, &n);
        resp_add_bulk(o, p, n);
        break;
    }
    case LUA_TBOOLEAN:
        if (s->resp == 2) {
            if (lua_toboolean(L, -1))
                resp_add_int(o, 1);
            else
                resp_add_null(o);
        } else {
            resp_add_bool(o, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER:
        resp_add_int(o, number_to_i64(lua_tonumber(L, -1)));
        break;
    case LUA_TTABLE:
        reply_table(s, c, top);
        break;
    default:
        resp_add_null(o);
        break;
    }
    lua_pop(L, 1);
}

/* ---- The redis.* API ---------------------------------------------------- */

/* redis.call and redis.pcall: runs a command as the script client. raise:
 * an error reply is raised (call) instead of returned (pcall). */
static int redis_command(lua_State *L, int raise)
{
    struct scripting *s = engine_of(L);
    struct client *fake = s->fake;
    int argc = lua_gettop(L);
    if (argc == 0)
        return error_out(L, raise, "Please specify at least one argument "
                                   "for this redis lib call");
    if ((size_t)argc > s->argv_cap) {
        size_t cap = (size_t)argc * 2;
        const char **argv = realloc(s->argv, cap * sizeof(*argv));
        if (argv)
            s->argv = argv;
        size_t *lens = realloc(s->argvlen, cap * sizeof(*lens));
        if (lens)
            s->argvlen = lens;
        char *nums = realloc(s->numbuf, cap * NUM_SLOT);
        if (nums)
            s->numbuf = nums;
        if (!argv || !lens || !nums)
            return luaL_error(L, "not enough memory");
        s->argv_cap = cap;
    }
    for (int i = 0; i < argc; i++) {
        int t = lua_type(L, i + 1);
        if (t == LUA_TNUMBER) {
            /* As Redis: "%.17g", not Lua's own "%.14g" (0.1 is
             * "0.10000000000000001"), kept in s->numbuf for the call. */
            char *slot = s->numbuf + (size_t)i * NUM_SLOT;
            int n = snprintf(slot, NUM_SLOT, "%.17g", lua_tonumber(L, i + 1));
            s->argv[i] = slot;
            s->argvlen[i] = n > 0 ? (size_t)n : 0;
        } else if (t == LUA_TSTRING) {
            s->argv[i] = lua_tolstring(L, i + 1, &s->argvlen[i]);
        } else {
            return error_out(L, raise, "Lua redis lib command arguments "
                                       "must be strings or integers");
        }
    }
    fake->argc = (size_t)argc;
    fake->argv = s->argv;
    fake->argvlen = s->argvlen;
    const struct command *cmd =
        command_lookup(s->srv, s->argv[0], s->argvlen[0]);
    const struct subcommand *sub = NULL;
    if (cmd && cmd->subs && argc > 1) {
        for (size_t i = 0; i < cmd->subs->n && !sub; i++)
            if (arg_is(fake, 1, cmd->subs->subs[i].name))
                sub = &cmd->subs->subs[i];
        if (!sub)
            cmd = NULL;                 /* Redis finds no such command */
    }
    if (!cmd)
        return error_out(L, raise,
                         "Unknown Redis command called from script");
    /* A command refused here counts as a rejected call of it, as in
     * Redis. */
    fake->cmd = cmd;
    struct command_stats *st = command_stats_of(fake);
    int arity = sub ? sub->arity : cmd->arity;
    const char *refused = NULL;
    unsigned flags = cmd->flags | (sub ? sub->flags : 0);
    if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity))
        refused = "Wrong number of args calling Redis command from script";
    else if (flags & CMD_NOSCRIPT)
        refused = "This Redis command is not allowed from script";
    else if ((flags & CMD_WRITE) && (s->ro || (s->flags & SCRIPT_NO_WRITES)))
        refused = "Write commands are not allowed from read-only scripts.";
    /* Over the limit when the script started, its first write may not
     * add data, as in Redis (a later one may: half a script's writes are
     * worse than a little more memory). */
    else if ((flags & CMD_DENYOOM) && s->oom && !s->wrote &&
             !(s->flags & SCRIPT_ALLOW_OOM))
        refused = "-OOM command not allowed when used memory > "
                  "'maxmemory'.";
    if (refused) {
        if (st)
            st->rejected++;
        return error_out(L, raise, refused);
    }
    fake->last_sub = sub;
    fake->proto = s->resp;
    resp_out_reset(&fake->out, 64 * 1024);
    fake->out.proto = s->resp;
    client_call(fake);
    if (flags & CMD_WRITE)
        s->wrote = 1;
    if (fake->out.nomem)
        return luaL_error(L, "not enough memory");
    const char *p = fake->out.data, *end = p + fake->out.len;
    if (fake->out.len > 0 && p[0] == '-') {
        const char *eol = line_end(p, end);
        push_error_table(L, p, (size_t)((eol ? eol : end) - p));
        /* Counted in the error stats already, when the command replied:
         * the script's reply that passes it on is not counted again. */
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, ERR_COUNTED);
        if (raise)
            return lua_error(L);
        return 1;
    }
    if (!parse_reply(L, p, end))
        return luaL_error(L, "unreadable reply from the command");
    return 1;
}

static int redis_call(lua_State *L)
{
    return redis_command(L, 1);
}

static int redis_pcall(lua_State *L)
{
    return redis_command(L, 0);
}

/* redis.sha1hex(s): the SHA-1 of s in hex. */
static int redis_sha1hex(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return error_out(L, 1, "wrong number of arguments");
    size_t n = 0;
    const char *p = lua_tolstring(L, 1, &n);    /* not a string: "" */
    char hex[41];
    sha1_hex(p ? p : "", p ? n : 0, hex);
    lua_pushstring(L, hex);
    return 1;
}

/* redis.error_reply(s) and redis.status_reply(s): the tables a script
 * returns for an error or status reply; a wrong call returns an error. */
static int redis_error_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING)
        return error_out(L, 0, "wrong number or type of arguments");
    size_t n;
    const char *p = lua_tolstring(L, 1, &n);
    if (n > 0 && p[0] == '-') {
        push_error_table(L, p, n);
    } else {
        lua_pushliteral(L, "-");
        lua_pushvalue(L, 1);
        lua_concat(L, 2);
        p = lua_tolstring(L, -1, &n);
        push_error_table(L, p, n);
    }
    return 1;
}

static int redis_status_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING)
        return error_out(L, 0, "wrong number or type of arguments");
    lua_newtable(L);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "ok");
    return 1;
}

/* redis.log(level, ...): the arguments joined by spaces, to the log. */
static int redis_log(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc < 2)
        return error_out(L, 1, "redis.log() requires two arguments or "
                               "more.");
    if (!lua_isnumber(L, 1))
        return error_out(L, 1, "First argument must be a number (log "
                               "level).");
    /* Truncated, as Redis reads it: 1.5 is LOG_VERBOSE. */
    lua_Number level = lua_tonumber(L, 1);
    if (!(level > -1 && level < 4))
        return error_out(L, 1, "Invalid debug level.");
    char msg[1024];
    size_t used = 0;
    for (int i = 2; i <= argc; i++) {
        size_t n;
        const char *p = lua_tolstring(L, i, &n);
        if (!p)
            continue;
        if (used && used < sizeof(msg) - 1)
            msg[used++] = ' ';
        size_t room = sizeof(msg) - 1 - used;
        n = n < room ? n : room;
        memcpy(msg + used, p, n);
        used += n;
    }
    msg[used] = '\0';
    struct scripting *s = engine_of(L);
    server_log(s->srv, "dvnw"[(int)level], "%s", msg);
    return 0;
}

/* redis.setresp(2 or 3): the protocol the script's commands reply in. */
static int redis_setresp(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return error_out(L, 1, "redis.setresp() requires one argument.");
    lua_Number v = lua_tonumber(L, 1);          /* truncated, as Redis */
    if (!(v >= 2 && v < 4))
        return error_out(L, 1, "RESP version must be 2 or 3.");
    engine_of(L)->resp = (int)v;
    return 0;
}

#define REPL_ALL 3

/* redis.set_repl(flags): checked, and without effect (no replication;
 * Redis 7.0 always replicates a script's effects). */
static int redis_set_repl(lua_State *L)
{
    if (lua_gettop(L) != 1)
        /* Sic: Redis 7.0's wording, for one argument. */
        return error_out(L, 1, "redis.set_repl() requires two arguments.");
    lua_Number v = lua_tonumber(L, 1);
    if (v != floor(v) || v < 0 || v > REPL_ALL)
        return error_out(L, 1, "Invalid replication flags. Use REPL_AOF, "
                               "REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return 0;
}

/* redis.replicate_commands(): true, as in Redis 7.0 where effects
 * replication is the only mode. */
static int redis_replicate_commands(lua_State *L)
{
    lua_pushboolean(L, 1);
    return 1;
}

/* redis.breakpoint() outside the debugger, which Respite lacks: false. */
static int redis_breakpoint(lua_State *L)
{
    lua_pushboolean(L, 0);
    return 1;
}

/* redis.debug(...) outside the debugger: nothing. */
static int redis_debug(lua_State *L)
{
    (void)L;
    return 0;
}

/* redis.acl_check_cmd(cmd, ...): whether the user may run it. Respite
 * has one user, the default one, allowed every command. */
static int redis_acl_check_cmd(lua_State *L)
{
    if (lua_gettop(L) == 0)
        return error_out(L, 1, "Please specify at least one argument for "
                               "this redis lib call");
    struct scripting *s = engine_of(L);
    size_t n;
    const char *name = lua_tolstring(L, 1, &n);
    if (!name || !command_lookup(s->srv, name, n))
        return error_out(L, 1, "Invalid command passed to "
                               "redis.acl_check_cmd()");
    lua_pushboolean(L, 1);
    return 1;
}

/* pcall as Redis 7.0 has it: an error table caught is returned as its
 * err text, so pcall(redis.call, ...) gives the message. */
static int script_pcall(lua_State *L)
{
    luaL_checkany(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    if (status != 0) {
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            if (lua_isstring(L, -1))
                lua_replace(L, -2);
            else
                lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    return lua_gettop(L);
}

/* ---- Loading code as text only ------------------------------------------ */

/* luaL_loadbuffer that never takes a precompiled chunk: Lua 5.1 runs
 * bytecode unchecked, so a crafted one could corrupt the server's memory.
 * Redis's Lua reads such a chunk as text (and fails on the ESC byte);
 * a space in front makes stock Lua do the same, with the same message
 * (line numbers and the chunk name are unchanged). */
static int load_text(lua_State *L, const char *p, size_t n, const char *name)
{
    if (n == 0 || p[0] != LUA_SIGNATURE[0])
        return luaL_loadbuffer(L, p, n, name);
    lua_pushliteral(L, " ");
    lua_pushlstring(L, p, n);
    lua_concat(L, 2);
    size_t m;
    const char *t = lua_tolstring(L, -1, &m);
    int rc = luaL_loadbuffer(L, t, m, name);
    lua_remove(L, -2);
    return rc;
}

/* loadstring(s [, name]) through load_text: the function, or nil and the
 * message. */
static int safe_loadstring(lua_State *L)
{
    size_t n;
    const char *p = luaL_checklstring(L, 1, &n);
    const char *name = luaL_optstring(L, 2, p);
    if (load_text(L, p, n, name) == 0)
        return 1;
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
}

/* load(reader [, name]): the pieces joined, then as loadstring. */
static int safe_load(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    const char *name = luaL_optstring(L, 2, "=(load)");
    lua_settop(L, 2);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (;;) {
        lua_pushvalue(L, 1);
        lua_call(L, 0, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (!lua_isstring(L, -1))
            return luaL_error(L, "reader function must return a string");
        if (lua_objlen(L, -1) == 0) {
            lua_pop(L, 1);
            break;
        }
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t n;
    const char *p = lua_tolstring(L, -1, &n);
    if (load_text(L, p, n, name) == 0)
        return 1;
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
}

/* ---- Protected globals ------------------------------------------------ */

/* __newindex of the globals and the library tables. */
static int readonly_error(lua_State *L)
{
    return luaL_error(L, "Attempt to modify a readonly table");
}

/* __index of the globals: reads the hidden table (upvalue 1); a name it
 * does not hold is an error, as in Redis. */
static int global_get(lua_State *L)
{
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1))
        return 1;
    const char *name = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global "
                         "variable '%s'", name ? name : "?");
}

/* A proxy's metatable names the table it stands for under this key, so
 * the raw functions below can see through it. */
#define RO_BACKING "__respite_ro"

/* Fills the metatable at the top of the stack for a proxy of the table at
 * backing: writes refused, getmetatable() answers an empty table and
 * setmetatable() is refused (below). */
static void readonly_meta(lua_State *L, int backing)
{
    lua_pushvalue(L, backing);
    lua_setfield(L, -2, RO_BACKING);
    lua_pushcfunction(L, readonly_error);
    lua_setfield(L, -2, "__newindex");
    lua_newtable(L);
    lua_setfield(L, -2, "__metatable");
}

/* Replaces the table at the top of the stack by a read-only proxy of it. */
static void push_readonly_proxy(lua_State *L)
{
    int backing = lua_gettop(L);
    lua_newtable(L);                    /* proxy */
    lua_newtable(L);                    /* its metatable */
    lua_pushvalue(L, backing);
    lua_setfield(L, -2, "__index");
    readonly_meta(L, backing);
    lua_setmetatable(L, -2);
    lua_replace(L, -2);
}

/* If the value at idx is a proxy, pushes the table behind it and returns
 * 1; otherwise pushes nothing and returns 0. */
static int proxied(lua_State *L, int idx)
{
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return 0;
    lua_getfield(L, -1, RO_BACKING);
    if (lua_istable(L, -1)) {
        lua_remove(L, -2);
        return 1;
    }
    lua_pop(L, 2);
    return 0;
}

/* Redis's read-only tables refuse rawset and setmetatable too, with the
 * bare message (no position: a C function raised it). */
static int readonly_plain_error(lua_State *L)
{
    lua_pushliteral(L, "Attempt to modify a readonly table");
    return lua_error(L);
}

static int ro_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (proxied(L, 1))
        return readonly_plain_error(L);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int ro_setmetatable(lua_State *L)
{
    if (proxied(L, 1))
        return readonly_plain_error(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* rawget, next and pairs read what a proxy stands for, as they read a
 * read-only table in Redis. */
static int ro_rawget(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    if (proxied(L, 1))
        lua_replace(L, 1);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

static int ro_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (proxied(L, 1))
        lua_replace(L, 1);
    lua_settop(L, 2);
    if (lua_next(L, 1))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int ro_pairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushcfunction(L, ro_next);
    if (!proxied(L, 1))
        lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static void register_redis(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "call", redis_call },
        { "pcall", redis_pcall },
        { "sha1hex", redis_sha1hex },
        { "error_reply", redis_error_reply },
        { "status_reply", redis_status_reply },
        { "log", redis_log },
        { "setresp", redis_setresp },
        { "set_repl", redis_set_repl },
        { "replicate_commands", redis_replicate_commands },
        { "breakpoint", redis_breakpoint },
        { "debug", redis_debug },
        { "acl_check_cmd", redis_acl_check_cmd },
        { NULL, NULL },
    };
    static const struct { const char *name; int v; } ints[] = {
        { "LOG_DEBUG", 0 },  { "LOG_VERBOSE", 1 }, { "LOG_NOTICE", 2 },
        { "LOG_WARNING", 3 }, { "REPL_NONE", 0 },  { "REPL_AOF", 1 },
        { "REPL_SLAVE", 2 }, { "REPL_REPLICA", 2 }, { "REPL_ALL", REPL_ALL },
    };
    lua_newtable(L);
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        lua_pushinteger(L, ints[i].v);
        lua_setfield(L, -2, ints[i].name);
    }
    /* The version INFO reports, and its number as 0x00MMmmpp. */
    int major = 0, minor = 0, patch = 0;
    sscanf(REDIS_COMPAT_VERSION, "%d.%d.%d", &major, &minor, &patch);
    lua_pushstring(L, REDIS_COMPAT_VERSION);
    lua_setfield(L, -2, "REDIS_VERSION");
    lua_pushinteger(L, major << 16 | minor << 8 | patch);
    lua_setfield(L, -2, "REDIS_VERSION_NUM");
    lua_setglobal(L, "redis");
}

/* Opens the libraries Redis gives scripts, then moves every global into
 * the hidden table and protects the globals and the library tables. */
static int setup_globals(lua_State *L)
{
    static const lua_CFunction libs[] = {
        luaopen_base, luaopen_table, luaopen_string, luaopen_math,
        luaopen_bit,
    };
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        lua_pushcfunction(L, libs[i]);
        lua_call(L, 0, 0);
    }
    /* cjson returns its table rather than setting a global. */
    lua_pushcfunction(L, luaopen_cjson);
    lua_call(L, 0, 1);
    lua_setglobal(L, "cjson");
    static const char *const removed[] = {
        "print", "getfenv", "setfenv", "dofile", "loadfile", "require",
        "module", "newproxy",
    };
    for (size_t i = 0; i < sizeof(removed) / sizeof(removed[0]); i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_pushcfunction(L, script_pcall);
    lua_setglobal(L, "pcall");
    static const luaL_Reg raw[] = {
        { "rawset", ro_rawset }, { "rawget", ro_rawget },
        { "next", ro_next }, { "pairs", ro_pairs },
        { "loadstring", safe_loadstring }, { "load", safe_load },
    };
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
        lua_pushcfunction(L, raw[i].func);
        lua_setglobal(L, raw[i].name);
    }
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, ro_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    register_redis(L);

    lua_newtable(L);                    /* the hidden table */
    int hidden = lua_gettop(L);
    for (;;) {
        lua_pushnil(L);
        if (!lua_next(L, LUA_GLOBALSINDEX))
            break;
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, hidden);          /* hidden[k] = v */
        lua_pushnil(L);
        lua_rawset(L, LUA_GLOBALSINDEX);     /* _G[k] = nil */
    }
    static const char *const ro[] = { "string", "math", "table", "coroutine",
                                      "redis", "cjson", "bit" };
    for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
        lua_getfield(L, hidden, ro[i]);
        push_readonly_proxy(L);
        lua_setfield(L, hidden, ro[i]);
    }
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, hidden, "_G");
    lua_newtable(L);                    /* the globals' metatable */
    lua_pushvalue(L, hidden);
    lua_pushcclosure(L, global_get, 1);
    lua_setfield(L, -2, "__index");
    readonly_meta(L, hidden);
    lua_setmetatable(L, LUA_GLOBALSINDEX);
    lua_pushvalue(L, hidden);
    return 1;
}

/* ---- Engine lifecycle ------------------------------------------------- */

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
    setup_globals(L);
    s->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int script_engine_init(struct server *srv)
{
    struct scripting *s = calloc(1, sizeof(*s));
    struct client *fake = calloc(1, sizeof(*fake));
    if (!s || !fake) {
        free(s);
        free(fake);
        return -1;
    }
    s->srv = srv;
    s->fake = fake;
    s->resp = 2;
    fake->srv = srv;
    fake->flags = CLIENT_SCRIPT;
    fake->proto = 2;
    fake->authed = 1;
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
        return -1;
    }
    srv->scripting = s;
    return 0;
}

void script_engine_close(struct server *srv)
{
    struct scripting *s = srv->scripting;
    if (!s)
        return;
    lua_close(s->L);
    resp_out_close(&s->fake->out);
    free(s->fake);
    free(s->argv);
    free(s->argvlen);
    free(s->numbuf);
    free(s);
    srv->scripting = NULL;
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
    const char *nl = memchr(body, '\n', len);
    const char *end = nl ? nl : body + len;
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

/* lua_cpcall body: registry.scripts[sha] = the function below it. */
struct cache_put {
    const char *sha;
    unsigned flags;
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
    return 0;
}

int script_load_or_reply(struct client *c, const char *body, size_t len,
                         char sha[41], unsigned *flags)
{
    struct scripting *s = c->srv->scripting;
    lua_State *L = s->L;
    sha1_hex(body, len, sha);
    if (script_cached(c->srv, sha, 40, flags))
        return 0;
    *flags = SCRIPT_LEGACY;
    char *copy = NULL;
    const char *code = body;
    if (len >= 2 && body[0] == '#' && body[1] == '!') {
        if (shebang_or_reply(c, body, len, flags) != 0)
            return -1;
        /* Lua reads the shebang line as a comment; lines keep their
         * numbers for the error messages. */
        copy = malloc(len);
        if (!copy) {
            reply_error(c, ERR_OOM);
            return -1;
        }
        memcpy(copy, body, len);
        copy[0] = copy[1] = '-';
        code = copy;
    }
    int rc = load_text(L, code, len, "@user_script");
    free(copy);
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
    struct cache_put put = { sha, *flags };
    lua_pushcfunction(L, cache_put);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, &put);
    lua_insert(L, -2);
    /* cache_put(&put, fn) */
    if (lua_pcall(L, 2, 0, 0) != 0) {
        lua_pop(L, 1);
        reply_error(c, ERR_OOM);
        return -1;
    }
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
    s->nscripts = 0;
    s->body_bytes = 0;
    lua_gc(L, LUA_GCCOLLECT, 0);
}

/* See server.h. Redis 7.0's rule: a script that declared flags takes its
 * write, denyoom and stale from them (and is known not to replicate if it
 * does not write); one without a shebang keeps the command's. EVAL's
 * body not cached yet is read for its shebang. */
unsigned script_cmd_flags(const struct client *c, unsigned flags)
{
    if (c->argc < 3)
        return flags;
    unsigned sf = SCRIPT_LEGACY;
    cmd_proc p = c->cmd->proc;
    if (p == cmd_eval || p == cmd_eval_ro) {
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

/* The message handler of a script's run: makes the error a table {err}
 * ("ERR " and the text, for an error that is not one already) and adds
 * where it was raised, source and line, from the innermost Lua function
 * (skipping the C function that raised it, redis.call or error). */
static int error_handler(lua_State *L)
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

/* Replies the error table at the top of the stack, as Redis 7.0 words a
 * script's error: "<err> script: <sha>, on <source>:<line>." */
static void reply_script_error(struct client *c, lua_State *L,
                               const char *sha)
{
    const char *err = NULL, *source = NULL;
    size_t elen = 0;
    int line = -1, counted = 0;
    if (lua_istable(L, -1)) {
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
                     sha, source, line);
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

/* KEYS or ARGV: c->argv[from .. from+n) as a new table. */
static void push_args(lua_State *L, const struct client *c, size_t from,
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
    struct server *srv = c->srv;
    struct scripting *s = srv->scripting;
    lua_State *L = s->L;
    int base = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->globals_ref);
    push_args(L, c, 3, numkeys);
    lua_setfield(L, -2, "KEYS");
    push_args(L, c, 3 + numkeys, c->argc - 3 - numkeys);
    lua_setfield(L, -2, "ARGV");
    lua_pop(L, 1);

    s->flags = flags;
    s->ro = ro;
    s->resp = 2;
    s->wrote = 0;
    s->oom = srv->conf.maxmemory && maxmemory_enforce(srv);
    s->fake->db = c->db;
    s->fake->flags = CLIENT_SCRIPT;

    lua_pushcfunction(L, error_handler);
    cache_get(L, REG_SCRIPTS, sha);
    if (lua_pcall(L, 0, 1, base + 1) == 0)
        reply_value(s, c, 1);
    else
        reply_script_error(c, L, sha);
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

size_t script_lua_memory(const struct server *srv)
{
    lua_State *L = srv->scripting->L;
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 +
           (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}
