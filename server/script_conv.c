/* script_conv.c - the conversions between RESP replies and Lua values,
 * by Redis 7.0's rules (script.c's essay says where they are used).
 *
 *   reply -> Lua   integer: number; bulk: string; null bulk or array (RESP2):
 *                  false; array: table; status: {ok=}; error: {err=};
 *                  RESP3: map {map=}, set {set=} (members true), double
 *                  {double=}, null nil, boolean, big number {big_number=},
 *                  verbatim {verbatim_string={format=, string=}}
 *   Lua -> reply   string: bulk; number: integer (truncated); boolean per
 *                  redis.setresp; a table: err, ok, double, big_number,
 *                  verbatim_string, map, set, else an array up to the
 *                  first nil
 *
 * The replies parsed are those Respite's own handlers just wrote, so the
 * parser trusts their shape (a short or unknown reply ends it with NULL);
 * hiredis 0.14's reader, which knows no RESP3 types, could not do it. */
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "server/script_int.h"
#include "server/server.h"

/* ---- Errors as Lua values ------------------------------------------------
 * A Redis error in Lua is a table {err = "CODE message"}. Text from a
 * reply ("-WRONGTYPE ...") or from here ("Unknown ...") is brought to that
 * shape as Redis 7.0 does: a leading '-' is dropped and the first word is
 * the code (ERR when there is one word only), text without the '-' gets
 * the code ERR, and CR/LF are trimmed from the ends. */
void script__push_error(lua_State *L, const char *p, size_t n)
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

/* ---- RESP reply -> Lua ------------------------------------------------ */

/* The line after the type byte at p: [p+1, *eol); NULL when incomplete. */
const char *script__line_end(const char *p, const char *end)
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
            p = script__parse_reply(L, p, end);
            lua_rawseti(L, -2, (int)i);
        } else {
            p = script__parse_reply(L, p, end);
            if (!p)
                break;
            if (type == '%')
                p = script__parse_reply(L, p, end);
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
const char *script__parse_reply(lua_State *L, const char *p, const char *end)
{
    if (p >= end) {
        lua_pushnil(L);
        return NULL;
    }
    const char *eol = script__line_end(p, end);
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
        script__push_error(L, p, (size_t)(eol - p));
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

/* The helpers below each look at the table on top of the stack for one
 * of Redis's reply shapes: they write it and return 1, or return 0; the
 * stack is as it was either way. */

/* {err = "..."}: an error reply, counted unless the command that raised
 * it already was (top: the script's own reply). */
static int table_error(struct client *c, lua_State *L, int top)
{
    size_t n;
    int found = raw_field(L, -1, "err") == LUA_TSTRING;
    if (found) {
        const char *e = lua_tolstring(L, -1, &n);
        int counted = raw_field(L, -2, ERR_COUNTED) != LUA_TNIL;
        lua_pop(L, 1);
        if (top && !counted) {
            reply_error_text(c, e, n);
        } else {
            resp_add_error(&c->out, e, n);
            c->nerrors += (uint64_t)top;
        }
    }
    lua_pop(L, 1);
    return found;
}

/* {ok = "..."}, {double = n} and {big_number = "..."}. */
static int table_scalar(struct resp_out *o, lua_State *L)
{
    size_t n;
    if (raw_field(L, -1, "ok") == LUA_TSTRING) {
        const char *ok = lua_tolstring(L, -1, &n);
        resp_add_status(o, ok, n);
        lua_pop(L, 1);
        return 1;
    }
    lua_pop(L, 1);
    if (raw_field(L, -1, "double") == LUA_TNUMBER) {
        resp_add_double(o, lua_tonumber(L, -1));
        lua_pop(L, 1);
        return 1;
    }
    lua_pop(L, 1);
    int found = raw_field(L, -1, "big_number") == LUA_TSTRING;
    if (found) {
        const char *big = lua_tolstring(L, -1, &n);
        resp_add_big_number(o, big, n);
    }
    lua_pop(L, 1);
    return found;
}

/* {verbatim_string = {format = "txt", string = "..."}}. */
static int table_verbatim(struct resp_out *o, lua_State *L)
{
    int found = 0;
    if (raw_field(L, -1, "verbatim_string") == LUA_TTABLE) {
        size_t flen = 0, n = 0;
        const char *fmt = NULL, *str = NULL;
        if (raw_field(L, -1, "format") == LUA_TSTRING)
            fmt = lua_tolstring(L, -1, &flen);
        if (raw_field(L, -2, "string") == LUA_TSTRING)
            str = lua_tolstring(L, -1, &n);
        if (fmt && str) {
            /* The format is three bytes on the wire: padded or cut. */
            char fbuf[3] = {' ', ' ', ' '};
            memcpy(fbuf, fmt, flen < 3 ? flen : 3);
            resp_add_verbatim_as(o, fbuf, str, n);
            found = 1;
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return found;
}

/* {map = {k = v, ...}} and {set = {k = true, ...}}: every pair, in the
 * table's order. */
static int table_map_or_set(struct scripting *s, struct client *c)
{
    lua_State *L = s->L;
    int kind = 0;
    if (raw_field(L, -1, "map") == LUA_TTABLE) {
        kind = 'm';
    } else {
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
            resp_add_map(&c->out, count);
        else
            resp_add_set(&c->out, count);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);       /* the key, copied for lua_next */
            script__reply_value(s, c, 0);
            if (kind == 'm')
                script__reply_value(s, c, 0);
            else
                lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return kind != 0;
}

/* Any other table: an array of t[1], t[2], ... up to the first nil. */
static void table_array(struct scripting *s, struct client *c)
{
    lua_State *L = s->L;
    size_t len = 0;
    for (;;) {
        lua_rawgeti(L, -1, (int)len + 1);
        int nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil)
            break;
        len++;
    }
    resp_add_array(&c->out, len);
    for (size_t i = 1; i <= len; i++) {
        lua_rawgeti(L, -1, (int)i);
        script__reply_value(s, c, 0);
    }
}

/* Writes the table on top of the stack (left there) as Redis 7.0 does:
 * err, ok, double, big_number, verbatim_string, map, set, else an array
 * up to its first nil. */
static void reply_table(struct scripting *s, struct client *c, int top)
{
    lua_State *L = s->L;
    if (!table_error(c, L, top) && !table_scalar(&c->out, L) &&
        !table_verbatim(&c->out, L) && !table_map_or_set(s, c))
        table_array(s, c);
}

/* Writes the value on top of the stack to c->out and pops it. top: it is
 * the script's result, whose error counts as the command's. */
void script__reply_value(struct scripting *s, struct client *c, int top)
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
