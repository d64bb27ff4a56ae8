/* script_api.c - what a script sees: redis.call/pcall and the rest of
 * the redis table, pcall as Redis 7.0 has it, loadstring/load of text only,
 * Redis 7.4's os table (os.clock alone), and the protected globals
 * (script.c's essay says how they work). */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/acl.h"
#include "server/script.h"
#include "server/script_int.h"
#include "server/server.h"
#include "server/sha1.h"

/* Debian's lua-cjson-dev and lua-bitop-dev, linked in (see Makefile). */
int luaopen_cjson(lua_State *L);
int luaopen_bit(lua_State *L);

/* Pushes the error msg and raises it, or returns it as the one result. */
static int error_out(lua_State *L, int raise, const char *msg)
{
    script__push_error(L, msg, strlen(msg));
    if (raise)
        return lua_error(L);
    return 1;
}

/* ---- The redis.* API ---------------------------------------------------- */

/* Why the script's user may not run fake's command (it is then in ACL
 * LOG, context "lua"), in Redis's words, or NULL when it may. */
static const char *acl_refusal(struct client *fake)
{
    int pos;
    switch (acl_check_client(fake, ACL_CTX_LUA, &pos)) {
    case ACL_OK:
        return NULL;
    case ACL_DENIED_CMD:
        return "The user executing the script can't run this command or "
               "subcommand";
    case ACL_DENIED_KEY:
        return "The user executing the script can't access at least one of "
               "the keys mentioned in the command arguments";
    case ACL_DENIED_CHANNEL:
        return "The user executing the script can't publish to the channel "
               "mentioned in the command";
    default:
        return "The user executing the script is lacking the permissions "
               "for the command";
    }
}

/* Makes room in s for argc arguments; 0, or -1 when out of memory. */
static int args_reserve(struct scripting *s, size_t argc)
{
    if (argc <= s->argv_cap)
        return 0;
    size_t cap = argc * 2;
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
        return -1;
    s->argv_cap = cap;
    return 0;
}

/* The Lua call's arguments as the command's argv in s: strings as they
 * are, numbers as Redis formats them. 0, or -1 when one is neither. */
static int args_from_lua(lua_State *L, struct scripting *s, int argc)
{
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
            return -1;
        }
    }
    return 0;
}

/* Why the script may not run cmd (sub) with argc arguments as fake, in
 * Redis's words, or NULL when it may. */
static const char *call_refusal(struct scripting *s, struct client *fake,
                                const struct command *cmd,
                                const struct subcommand *sub, int argc)
{
    int arity = sub ? sub->arity : cmd->arity;
    unsigned flags = cmd->flags | (sub ? sub->flags : 0);
    const char *refused;
    if ((arity > 0 && argc != arity) || (arity < 0 && argc < -arity))
        return "Wrong number of args calling Redis command from script";
    if (flags & CMD_NOSCRIPT)
        return "This Redis command is not allowed from script";
    if (fake->user->restricted && (refused = acl_refusal(fake)))
        return refused;
    /* As Redis: what may replicate (PUBLISH, PFCOUNT) counts as a write. */
    if ((flags & (CMD_WRITE | CMD_MAY_REPLICATE)) &&
        (s->ro || (s->flags & SCRIPT_NO_WRITES)))
        return "Write commands are not allowed from read-only scripts.";
    /* The last BGSAVE failed: no write (persist.c). */
    if ((flags & CMD_WRITE) &&
        persist_refuses_writes(&fake->srv->persist,
                               fake->srv->conf.stop_writes_on_bgsave_error))
        return "-" PERSIST_MISCONF;
    /* Over the limit when the script started, its first write may not
     * add data, as in Redis (a later one may: half a script's writes are
     * worse than a little more memory). */
    if ((flags & CMD_DENYOOM) && s->oom && !s->wrote &&
        !(s->flags & SCRIPT_ALLOW_OOM))
        return "-OOM command not allowed when used memory > 'maxmemory'.";
    return NULL;
}

/* Pushes the command's reply in fake->out as a Lua value, or as an error
 * (raised when raise). Returns lua's count of results. */
static int reply_to_lua(lua_State *L, struct client *fake, int raise)
{
    if (fake->out.nomem)
        return luaL_error(L, "not enough memory");
    const char *p = fake->out.data, *end = p + fake->out.len;
    if (fake->out.len > 0 && p[0] == '-') {
        const char *eol = script__line_end(p, end);
        script__push_error(L, p, (size_t)((eol ? eol : end) - p));
        /* Counted in the error stats already, when the command replied:
         * the script's reply that passes it on is not counted again. */
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, ERR_COUNTED);
        if (raise)
            return lua_error(L);
        return 1;
    }
    if (!script__parse_reply(L, p, end))
        return luaL_error(L, "unreadable reply from the command");
    return 1;
}

/* redis.call and redis.pcall: runs a command as the script client. raise:
 * an error reply is raised (call) instead of returned (pcall). */
static int redis_command(lua_State *L, int raise)
{
    struct scripting *s = script__engine(L);
    struct client *fake = s->fake;
    int argc = lua_gettop(L);
    if (argc == 0)
        return error_out(L, raise, "Please specify at least one argument "
                                   "for this redis lib call");
    if (args_reserve(s, (size_t)argc) != 0)
        return luaL_error(L, "not enough memory");
    if (args_from_lua(L, s, argc) != 0)
        return error_out(L, raise, "Lua redis lib command arguments "
                                   "must be strings or integers");
    int logged = script__debug_stepping(s);
    if (logged)
        script__debug_log_call(s, (size_t)argc, s->argv, s->argvlen);
    fake->argc = (size_t)argc;
    fake->argv = s->argv;
    fake->argvlen = s->argvlen;
    const struct subcommand *sub;
    const struct command *cmd = command_of_call(
        s->srv, (size_t)argc, s->argv, s->argvlen, &sub);
    if (!cmd) {
        if (logged)
            script__debug_log_error(s, "Unknown Redis command called from "
                                       "script");
        return error_out(L, raise,
                         "Unknown Redis command called from script");
    }
    fake->cmd = cmd;
    const char *refused = call_refusal(s, fake, cmd, sub, argc);
    if (refused) {
        /* A command refused here counts as a rejected call of it, as in
         * Redis. */
        struct command_stats *st = command_stats_of(fake);
        if (st)
            st->rejected++;
        if (logged)
            script__debug_log_error(s, refused);
        return error_out(L, raise, refused);
    }
    fake->last_sub = sub;
    fake->proto = s->resp;
    resp_out_reset(&fake->out, 64 * 1024);
    fake->out.proto = s->resp;
    client_call(fake);
    if ((cmd->flags | (sub ? sub->flags : 0)) & CMD_WRITE)
        s->wrote = 1;
    if (logged)
        script__debug_log_reply(s, fake->out.data, fake->out.len);
    return reply_to_lua(L, fake, raise);
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
        script__push_error(L, p, n);
    } else {
        lua_pushliteral(L, "-");
        lua_pushvalue(L, 1);
        lua_concat(L, 2);
        p = lua_tolstring(L, -1, &n);
        script__push_error(L, p, n);
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
    struct scripting *s = script__engine(L);
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
    script__engine(L)->resp = (int)v;
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

/* redis.breakpoint(): in a debugging session, stops at the next line and
 * returns true; outside one, false. */
static int redis_breakpoint(lua_State *L)
{
    struct scripting *s = script__engine(L);
    int active = script__debug_active(s);
    if (active)
        script__debug_breakpoint(s);
    lua_pushboolean(L, active);
    return 1;
}

/* redis.debug(...): in a debugging session, logs the values; outside
 * one, nothing. */
static int redis_debug(lua_State *L)
{
    struct scripting *s = script__engine(L);
    if (script__debug_active(s))
        script__debug_log_values(s, L);
    return 0;
}

/* redis.acl_check_cmd(cmd, ...): whether the script's user may run the
 * command with these arguments (arity unchecked, nothing logged), as
 * ACL DRYRUN says. */
static int redis_acl_check_cmd(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc == 0)
        return error_out(L, 1, "Please specify at least one argument for "
                               "this redis lib call");
    struct scripting *s = script__engine(L);
    const char *small[8], **argv = small;
    size_t smalllen[8], *argvlen = smalllen;
    if (argc > 8) {
        argv = malloc((size_t)argc * sizeof(*argv));
        argvlen = malloc((size_t)argc * sizeof(*argvlen));
    }
    int ok = argv && argvlen;
    for (int i = 0; ok && i < argc; i++)
        ok = (argv[i] = lua_tolstring(L, i + 1, &argvlen[i])) != NULL;
    const struct command *cmd =
        ok ? command_lookup(s->srv, argv[0], argvlen[0]) : NULL;
    const struct subcommand *sub = NULL;
    if (cmd && cmd->subs && argc > 1) {
        sub = subcommand_in(cmd, argv[1], argvlen[1]);
        if (!sub)
            cmd = NULL;
    }
    int allowed = 0, pos;
    if (cmd)
        allowed = acl_check(s->srv, s->fake->user, cmd, sub, (size_t)argc,
                            argv, argvlen, &pos) == ACL_OK;
    if (argv != small) {
        free(argv);
        free(argvlen);
    }
    if (!cmd)
        return error_out(L, 1, "Invalid command passed to "
                               "redis.acl_check_cmd()");
    lua_pushboolean(L, allowed);
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
int script__load_text(lua_State *L, const char *p, size_t n, const char *name)
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

/* loadstring(s [, name]) through script__load_text: the function, or nil and the
 * message. */
static int safe_loadstring(lua_State *L)
{
    size_t n;
    const char *p = luaL_checklstring(L, 1, &n);
    const char *name = luaL_optstring(L, 2, p);
    if (script__load_text(L, p, n, name) == 0)
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
    if (script__load_text(L, p, n, name) == 0)
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
    /* Raw: a script's own metatable may have an __index of its own. */
    lua_pushliteral(L, RO_BACKING);
    lua_rawget(L, -2);
    if (lua_istable(L, -1)) {
        lua_remove(L, -2);
        return 1;
    }
    lua_pop(L, 2);
    return 0;
}

/* See script_int.h. */
void script__strict_proxy(lua_State *L)
{
    int backing = lua_gettop(L);
    lua_newtable(L);                    /* proxy */
    lua_newtable(L);                    /* its metatable */
    lua_pushvalue(L, backing);
    lua_pushcclosure(L, global_get, 1);
    lua_setfield(L, -2, "__index");
    readonly_meta(L, backing);
    lua_setmetatable(L, -2);
    lua_replace(L, -2);
}

/* See script_int.h. */
int script__unproxy(lua_State *L, int idx)
{
    return proxied(L, idx);
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

/* getmetatable as Redis's read-only tables answer it: nil for a library
 * table, a read-only view of the globals' metatable for the globals
 * (upvalue 3), and for a string a read-only view of the strings'
 * metatable (upvalue 2): the real one leads to the string library's own
 * table, through which a script could change string functions for every
 * later script. Anything else goes to Lua's getmetatable (upvalue 1). */
static int ro_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (lua_type(L, 1) == LUA_TSTRING) {
        lua_pushvalue(L, lua_upvalueindex(2));
        return 1;
    }
    if (proxied(L, 1)) {
        lua_getmetatable(L, 1);
        lua_getfield(L, -1, "__index");
        if (lua_iscfunction(L, -1))     /* global_get: globals */
            lua_pushvalue(L, lua_upvalueindex(3));
        else
            lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

/* Puts ro_getmetatable in the hidden table (at index hidden), after the
 * library proxies. */
static void register_getmetatable(lua_State *L, int hidden)
{
    lua_getfield(L, hidden, "getmetatable");
    lua_newtable(L);                    /* the strings' metatable, seen */
    lua_getfield(L, hidden, "string");
    lua_setfield(L, -2, "__index");
    push_readonly_proxy(L);
    lua_newtable(L);                    /* the globals' metatable, seen */
    lua_newtable(L);                    /* its __index knows no name */
    lua_pushcclosure(L, global_get, 1);
    lua_setfield(L, -2, "__index");
    push_readonly_proxy(L);
    lua_pushcclosure(L, ro_getmetatable, 3);
    lua_setfield(L, hidden, "getmetatable");
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

/* os.clock(): the CPU time the server has used, in seconds, as Lua's
 * own; Redis 7.4 gives scripts this one function of the os library, to
 * time their own work. */
static int os_clock(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)clock() / (lua_Number)CLOCKS_PER_SEC);
    return 1;
}

/* The os table of Redis 7.4's scripts: clock only. */
static void register_os(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, os_clock);
    lua_setfield(L, -2, "clock");
    lua_setglobal(L, "os");
}

/* Opens the libraries Redis gives scripts, then moves every global into
 * the hidden table and protects the globals and the library tables. */
int script__setup_globals(lua_State *L)
{
    static const lua_CFunction libs[] = {
        luaopen_base, luaopen_table, luaopen_string, luaopen_math,
        luaopen_bit,
    };
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        lua_pushcfunction(L, libs[i]);
        lua_call(L, 0, 0);
    }
    /* cjson, cmsgpack and struct return their tables rather than
     * setting globals. */
    static const struct { const char *name; lua_CFunction open; } tabs[] = {
        { "cjson", luaopen_cjson },
        { "cmsgpack", script__open_cmsgpack },
        { "struct", script__open_struct },
    };
    for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
        lua_pushcfunction(L, tabs[i].open);
        lua_call(L, 0, 1);
        lua_setglobal(L, tabs[i].name);
    }
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
    register_os(L);

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
                                      "redis", "cjson", "bit", "cmsgpack",
                                      "struct", "os" };
    for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
        lua_getfield(L, hidden, ro[i]);
        push_readonly_proxy(L);
        lua_setfield(L, hidden, ro[i]);
    }
    register_getmetatable(L, hidden);
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
