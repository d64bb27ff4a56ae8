/* script_debug_print.c - how the Lua debugger (script_debug.c) shows
 * values: Lua values as print and redis.debug() show them ("x", 1,
 * {1; 2}, {["k"]="v"}), and the Redis replies a script's commands get
 * ("+OK", 3, NULL, [1,"a"]), both as Redis 7.0's debugger writes them. */
#include <stdio.h>
#include <stdlib.h>

#include <lua.h>

#include "server/script_int.h"
#include "server/server.h"

#define MAX_DEPTH 16             /* nested tables printed */

static void add_value(struct resp_out *b, lua_State *L, int idx, int depth);

/* A table: {v1; v2} when its keys are 1..n in order, else {[k]=v; ...}. */
static void add_table(struct resp_out *b, lua_State *L, int idx, int depth)
{
    if (depth >= MAX_DEPTH || !lua_checkstack(L, 4)) {
        resp_add_rawf(b, "\"table@%p\"", lua_topointer(L, idx));
        return;
    }
    struct resp_out arr, map;
    resp_out_init(&arr, 2);
    resp_out_init(&map, 2);
    int is_array = 1;
    lua_Number expected = 1;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int k = lua_gettop(L) - 1, v = lua_gettop(L);
        if (is_array && lua_type(L, k) == LUA_TNUMBER &&
            lua_tonumber(L, k) == expected) {
            expected++;
        } else {
            is_array = 0;
        }
        if (is_array) {
            if (arr.len)
                resp_add_raw(&arr, "; ", 2);
            add_value(&arr, L, v, depth + 1);
        }
        if (map.len)
            resp_add_raw(&map, "; ", 2);
        resp_add_raw(&map, "[", 1);
        add_value(&map, L, k, depth + 1);
        resp_add_raw(&map, "]=", 2);
        add_value(&map, L, v, depth + 1);
        lua_pop(L, 1);
    }
    struct resp_out *use = is_array ? &arr : &map;
    resp_add_raw(b, "{", 1);
    resp_add_raw(b, use->data ? use->data : "", use->len);
    resp_add_raw(b, "}", 1);
    resp_out_close(&arr);
    resp_out_close(&map);
}

/* The value at idx as the debugger shows it, depth tables down. */
static void add_value(struct resp_out *b, lua_State *L, int idx, int depth)
{
    if (idx < 0)
        idx = lua_gettop(L) + idx + 1;
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t n;
        const char *p = lua_tolstring(L, idx, &n);
        resp_add_repr(b, p, n);
        break;
    }
    case LUA_TNUMBER: {
        lua_pushvalue(L, idx);          /* tostring of a copy */
        size_t n;
        const char *p = lua_tolstring(L, -1, &n);
        resp_add_raw(b, p, n);
        lua_pop(L, 1);
        break;
    }
    case LUA_TBOOLEAN:
        resp_add_rawf(b, "%s", lua_toboolean(L, idx) ? "true" : "false");
        break;
    case LUA_TNIL:
        resp_add_raw(b, "nil", 3);
        break;
    case LUA_TTABLE:
        add_table(b, L, idx, depth);
        break;
    default:
        resp_add_rawf(b, "\"%s@%p\"", lua_typename(L, lua_type(L, idx)),
                      lua_topointer(L, idx));
    }
}

/* Appends n elements (pairs: "k => v") from p joined by commas; returns
 * where they end, or NULL. */
static const char *add_elements(struct resp_out *b, const char *p,
                                const char *end, long n, int pairs)
{
    for (long i = 0; i < n && p; i++) {
        if (i)
            resp_add_raw(b, ",", 1);
        p = script__debug_add_reply(b, p, end);
        if (pairs && p) {
            resp_add_raw(b, " => ", 4);
            p = script__debug_add_reply(b, p, end);
        }
    }
    return p;
}

/* See script_int.h. RESP3 types (redis.setresp(3)) as Redis 7.0 shows
 * them; a verbatim string or big number shows as nothing there, and
 * here. */
const char *script__debug_add_reply(struct resp_out *b, const char *p,
                                    const char *end)
{
    const char *eol = script__line_end(p, end);
    if (!eol || eol + 1 >= end)
        return NULL;
    const char *next = eol + 2;
    long n = p + 1 < eol ? strtol(p + 1, NULL, 10) : 0;
    switch (*p) {
    case '+':
    case '-':
        resp_add_repr(b, p, (size_t)(eol - p));
        return next;
    case ':':
        resp_add_raw(b, p + 1, (size_t)(eol - p - 1));
        return next;
    case '$':
        if (n < 0) {
            resp_add_raw(b, "NULL", 4);
            return next;
        }
        if (end - next < n + 2)
            return NULL;
        resp_add_repr(b, next, (size_t)n);
        return next + n + 2;
    case '*':
        if (n < 0) {
            resp_add_raw(b, "NULL", 4);
            return next;
        }
        resp_add_raw(b, "[", 1);
        next = add_elements(b, next, end, n, 0);
        resp_add_raw(b, "]", 1);
        return next;
    case '%':
        resp_add_raw(b, "{", 1);
        next = add_elements(b, next, end, n, 1);
        resp_add_raw(b, "}", 1);
        return next;
    case '~':
        resp_add_raw(b, "~(", 2);
        next = add_elements(b, next, end, n, 0);
        resp_add_raw(b, ")", 1);
        return next;
    case '_':
        resp_add_raw(b, "(null)", 6);
        return next;
    case ',':
        resp_add_raw(b, "(double) ", 9);
        resp_add_raw(b, p + 1, (size_t)(eol - p - 1));
        return next;
    case '#':
        resp_add_rawf(b, "%s", p[1] == 't' ? "#true" : "#false");
        return next;
    case '(':
        return next;
    case '=':
        return n >= 0 && end - next >= n + 2 ? next + n + 2 : NULL;
    default:
        return NULL;
    }
}

/* See script_int.h. */
void script__debug_add_value(struct resp_out *b, lua_State *L, int idx)
{
    add_value(b, L, idx, 0);
}
