/* script_msgpack.c - the cmsgpack table scripts see: MessagePack as
 * Redis 7.0's lua-cmsgpack 0.4.0 writes and reads it, down to the byte,
 * the error texts and the points where deep input overflows the stack.
 *
 * Packing picks the smallest form: integral numbers (those a cast to
 * int64 keeps) as a positive or negative fixint or the narrowest int /
 * uint; other numbers as float32 when the cast keeps the value, else
 * float64; strings as fixstr, str8, str16 or str32; a table whose keys
 * are exactly the numbers 1..n as an array (so {} is an empty array),
 * any other table as a map in lua_next order; true, false, and nil for
 * anything else (functions, userdata) and for tables nested deeper than
 * MAX_NESTING. Unpacking accepts the types packing writes, plus nil,
 * booleans and every int width; bin, ext and the reserved byte 0xc1 are
 * "Bad data format", as in Redis. Every number unpacks as a Lua number.
 *
 * Redis's quirks, kept: a uint64 unpacks as signed (0xcf ff.. is -1);
 * unpack_limit(s, 0) is unpack(s) (no offset in front); the "Invalid
 * request" error names the input's length as the limit; a nil or NaN
 * map key is Lua's own "table index is nil/NaN" error; a read-only
 * library table packs as the table behind its proxy.
 *
 *   pack(v...)                     -> the encodings, concatenated
 *   unpack(s)                      -> every value in s
 *   unpack_one(s [, off])          -> next offset (-1 at the end), value
 *   unpack_limit(s, n [, off])     -> next offset (-1 at the end), values
 *
 * The packed bytes grow in a userdata held at a fixed stack slot, so a
 * Lua error (out of memory) in the middle leaks nothing. */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "server/script_int.h"

/* Tables this deep are packed as nil; the top value is level 0. */
#define MAX_NESTING 16

/* Redis's texts for a stack that cannot take one more value. */
#define TOO_MANY "too many return values at once; use unpack_one or " \
                 "unpack_limit instead."
#define ARRAY_DEEP "in function mp_decode_to_lua_array"

/* ---- Packing ------------------------------------------------------------ */

struct packer {
    lua_State *L;
    int slot;                           /* stack index of the userdata */
    unsigned char *p;
    size_t len, cap;
};

static void put(struct packer *b, const void *src, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap * 2;
        while (cap - b->len < n)
            cap *= 2;
        unsigned char *p = lua_newuserdata(b->L, cap);
        memcpy(p, b->p, b->len);
        lua_replace(b->L, b->slot);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

/* A type byte followed by the low n bytes of v, big-endian. */
static void put_head(struct packer *b, unsigned char type, uint64_t v,
                     int n)
{
    unsigned char h[9];
    h[0] = type;
    for (int i = 0; i < n; i++)
        h[1 + i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    put(b, h, 1 + (size_t)n);
}

static void pack_integer(struct packer *b, int64_t v)
{
    if (v >= 0) {
        uint64_t u = (uint64_t)v;
        if (u <= 0x7f)
            put_head(b, (unsigned char)u, 0, 0);
        else if (u <= 0xff)
            put_head(b, 0xcc, u, 1);
        else if (u <= 0xffff)
            put_head(b, 0xcd, u, 2);
        else if (u <= 0xffffffff)
            put_head(b, 0xce, u, 4);
        else
            put_head(b, 0xcf, u, 8);
    } else if (v >= -32) {
        put_head(b, (unsigned char)(int8_t)v, 0, 0);
    } else if (v >= INT8_MIN) {
        put_head(b, 0xd0, (uint64_t)v, 1);
    } else if (v >= INT16_MIN) {
        put_head(b, 0xd1, (uint64_t)v, 2);
    } else if (v >= INT32_MIN) {
        put_head(b, 0xd2, (uint64_t)v, 4);
    } else {
        put_head(b, 0xd3, (uint64_t)v, 8);
    }
}

/* Whether d survives a round trip through int64 (NaN, the infinities
 * and values out of range do not; -0.0 does, and packs as 0). */
static int is_int64(double d)
{
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
           (double)(int64_t)d == d;
}

static void pack_number(struct packer *b, double d)
{
    if (is_int64(d)) {
        pack_integer(b, (int64_t)d);
        return;
    }
    float f = (float)d;
    if ((double)f == d) {
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        put_head(b, 0xca, u, 4);
    } else {
        uint64_t u;
        memcpy(&u, &d, sizeof(u));
        put_head(b, 0xcb, u, 8);
    }
}

static void pack_string(struct packer *b, const char *s, size_t n)
{
    if (n < 32)
        put_head(b, (unsigned char)(0xa0 | n), 0, 0);
    else if (n <= 0xff)
        put_head(b, 0xd9, n, 1);
    else if (n <= 0xffff)
        put_head(b, 0xda, n, 2);
    else
        put_head(b, 0xdb, n, 4);
    put(b, s, n);
}

/* An array or map header: fix form up to 15 entries, then 16 or 32 bit. */
static void pack_count(struct packer *b, unsigned char fix,
                       unsigned char type16, size_t n)
{
    if (n <= 15)
        put_head(b, (unsigned char)(fix | n), 0, 0);
    else if (n <= 0xffff)
        put_head(b, type16, n, 2);
    else
        put_head(b, (unsigned char)(type16 + 1), n, 4);
}

/* Whether the table at the top has exactly the keys 1..n for some n. */
static int is_array(lua_State *L)
{
    double count = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        double k = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
        if (!(k > 0 && k == floor(k) && k < 9223372036854775808.0)) {
            lua_pop(L, 1);
            return 0;
        }
        if (k > max)
            max = k;
        count++;
    }
    return max == count;
}

static void pack_value(struct packer *b, int level);

/* Packs the table at the top of the stack, which stays there. */
static void pack_table(struct packer *b, int level)
{
    lua_State *L = b->L;
    /* A key, a value and the key's copy, then the metatable and a field
     * see_through_proxy reads for a nested table. */
    luaL_checkstack(L, 5, "in function mp_encode_lua_table");
    if (is_array(L)) {
        size_t n = lua_objlen(L, -1);
        pack_count(b, 0x90, 0xdc, n);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (int)i);
            pack_value(b, level + 1);
        }
        return;
    }
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        n++;
    }
    pack_count(b, 0x80, 0xde, n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        pack_value(b, level + 1);       /* the key */
        pack_value(b, level + 1);       /* the value */
    }
}

/* Replaces a read-only proxy at the top of the stack (a library table)
 * by the table behind it, which is what Redis packs. The metatable is
 * read raw: a script's own metatable may have an __index of its own. */
static void see_through_proxy(lua_State *L)
{
    if (!lua_getmetatable(L, -1))
        return;
    lua_pushliteral(L, RO_BACKING);
    lua_rawget(L, -2);
    if (lua_istable(L, -1))
        lua_replace(L, -3);
    else
        lua_pop(L, 1);
    lua_pop(L, 1);
}

/* Packs the value at the top of the stack and pops it. */
static void pack_value(struct packer *b, int level)
{
    lua_State *L = b->L;
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        pack_string(b, s, n);
        break;
    }
    case LUA_TBOOLEAN:
        put_head(b, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0);
        break;
    case LUA_TNUMBER:
        pack_number(b, lua_tonumber(L, -1));
        break;
    case LUA_TTABLE:
        if (level < MAX_NESTING) {
            see_through_proxy(L);
            pack_table(b, level);
        }
        else
            put_head(b, 0xc0, 0, 0);    /* too deep: nil */
        break;
    default:
        put_head(b, 0xc0, 0, 0);
        break;
    }
    lua_pop(L, 1);
}

/* cmsgpack.pack(v1, v2, ...): their encodings, one after the other. */
static int mp_pack(lua_State *L)
{
    int nargs = lua_gettop(L);
    if (nargs == 0)
        return luaL_argerror(L, 0, "MessagePack pack needs input.");
    /* Redis asks for a slot per argument, which refuses more than about
     * 4000 (half of Lua's C stack limit). */
    if (!lua_checkstack(L, nargs))
        return luaL_argerror(L, 0, "Too many arguments for MessagePack "
                                   "pack.");
    luaL_checkstack(L, 8, "in function mp_pack");
    struct packer b = { .L = L, .cap = 64 };
    b.p = lua_newuserdata(L, b.cap);
    b.slot = lua_gettop(L);
    for (int i = 1; i <= nargs; i++) {
        lua_pushvalue(L, i);
        pack_value(&b, 0);
    }
    lua_pushlstring(L, (const char *)b.p, b.len);
    return 1;
}

/* ---- Unpacking ---------------------------------------------------------- */

enum { CUR_OK, CUR_EOF, CUR_BADFMT };

struct cursor {
    const unsigned char *p;
    size_t left;
    int err;
};

/* Whether n more bytes are there; sets CUR_EOF when not. */
static int need(struct cursor *c, size_t n)
{
    if (c->left >= n)
        return 1;
    c->err = CUR_EOF;
    return 0;
}

static void skip(struct cursor *c, size_t n)
{
    c->p += n;
    c->left -= n;
}

/* The n bytes after the type byte, big-endian (needs 1 + n bytes). */
static uint64_t be(const struct cursor *c, int n)
{
    uint64_t v = 0;
    for (int i = 1; i <= n; i++)
        v = v << 8 | c->p[i];
    return v;
}

static void unpack_value(lua_State *L, struct cursor *c);

/* Pushes a table of n values; on error the stack is left as it is. */
static void unpack_array(lua_State *L, struct cursor *c, uint64_t n)
{
    lua_newtable(L);
    luaL_checkstack(L, 1, ARRAY_DEEP);
    for (uint64_t i = 1; i <= n; i++) {
        lua_pushnumber(L, (lua_Number)i);
        unpack_value(L, c);
        if (c->err)
            return;
        lua_settable(L, -3);
    }
}

static void unpack_map(lua_State *L, struct cursor *c, uint64_t n)
{
    lua_newtable(L);
    while (n-- > 0) {
        unpack_value(L, c);
        if (c->err)
            return;
        unpack_value(L, c);
        if (c->err)
            return;
        lua_settable(L, -3);
    }
}

/* A str of n bytes after a header of h bytes. */
static void unpack_string(lua_State *L, struct cursor *c, size_t h,
                          uint64_t n)
{
    skip(c, h);
    if (!need(c, n))
        return;
    lua_pushlstring(L, (const char *)c->p, n);
    skip(c, n);
}

/* For the types with a fixed-size body of n bytes: the body as an
 * unsigned number, consumed with its type byte; 0 and CUR_EOF if short. */
static uint64_t take(struct cursor *c, int n)
{
    if (!need(c, 1 + (size_t)n))
        return 0;
    uint64_t v = be(c, n);
    skip(c, 1 + (size_t)n);
    return v;
}

/* Pushes the value at c, or sets c->err (maybe having pushed part). */
static void unpack_value(lua_State *L, struct cursor *c)
{
    /* The end of the input first, as Redis: at the stack's limit, a
     * value that is not there is "Missing bytes", not a stack overflow. */
    if (!need(c, 1))
        return;
    luaL_checkstack(L, 1, TOO_MANY);
    unsigned char t = c->p[0];
    if (t <= 0x7f || t >= 0xe0) {               /* fixint */
        lua_pushnumber(L, t <= 0x7f ? t : (signed char)t);
        skip(c, 1);
        return;
    }
    if (t >= 0xa0 && t <= 0xbf) {
        unpack_string(L, c, 1, t & 0x1f);
        return;
    }
    if (t >= 0x80 && t <= 0x9f) {
        skip(c, 1);
        if (t < 0x90)
            unpack_map(L, c, t & 0x0f);
        else
            unpack_array(L, c, t & 0x0f);
        return;
    }
    uint64_t v;
    switch (t) {
    case 0xc0:
        lua_pushnil(L);
        skip(c, 1);
        return;
    case 0xc2:
    case 0xc3:
        lua_pushboolean(L, t == 0xc3);
        skip(c, 1);
        return;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        int n = 1 << (t - 0xcc);
        v = take(c, n);
        /* Sic: Redis reads a uint64 as signed (0xff... is -1). */
        if (!c->err)
            lua_pushnumber(L, n == 8 ? (lua_Number)(int64_t)v
                                     : (lua_Number)v);
        return;
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        int n = 1 << (t - 0xd0);
        v = take(c, n);
        int shift = 64 - 8 * n;         /* sign-extends from n bytes */
        if (!c->err)
            lua_pushnumber(L, (lua_Number)((int64_t)(v << shift) >> shift));
        return;
    }
    case 0xca: {
        uint32_t u = (uint32_t)take(c, 4);
        float f;
        memcpy(&f, &u, sizeof(f));
        if (!c->err)
            lua_pushnumber(L, f);
        return;
    }
    case 0xcb: {
        v = take(c, 8);
        double d;
        memcpy(&d, &v, sizeof(d));
        if (!c->err)
            lua_pushnumber(L, d);
        return;
    }
    case 0xd9: case 0xda: case 0xdb: {
        int n = 1 << (t - 0xd9);
        if (need(c, 1 + (size_t)n))
            unpack_string(L, c, 1 + (size_t)n, be(c, n));
        return;
    }
    case 0xdc: case 0xdd: case 0xde: case 0xdf: {
        int n = t & 1 ? 4 : 2;
        v = take(c, n);
        if (c->err)
            return;
        if (t <= 0xdd)
            unpack_array(L, c, v);
        else
            unpack_map(L, c, v);
        return;
    }
    default:                            /* bin, ext, 0xc1 */
        c->err = CUR_BADFMT;
        return;
    }
}

/* Unpacks up to limit values from s[offset..] (all when both are 0, and
 * then without the next offset in front), as Redis's unpack functions do;
 * the string is the only argument left on the stack. Offset and limit are
 * Lua integers, as in Redis: 2^32 + 1 is not 1, and a number out of range
 * (1e300, NaN) arrives as the most negative one. The messages print them
 * cut to an int, as Redis does. */
static int unpack_from(lua_State *L, lua_Integer limit, lua_Integer offset)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int all = limit == 0 && offset == 0;
    /* Sic: Redis reports the input's length as the limit. */
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d "
                             "and limit of %d.", (int)offset, (int)len);
    if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length "
                             "%d.", (int)offset, (int)len);
    if (all)
        limit = INT_MAX;
    struct cursor c = { (const unsigned char *)s + offset,
                        len - (size_t)offset, CUR_OK };
    int n = 0;
    for (; c.left > 0 && n < limit; n++) {
        unpack_value(L, &c);
        if (c.err == CUR_EOF)
            return luaL_error(L, "Missing bytes in input.");
        if (c.err == CUR_BADFMT)
            return luaL_error(L, "Bad data format in input.");
    }
    if (all)
        return n;
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)(len - c.left));
    lua_insert(L, 2);
    return n + 1;
}

/* cmsgpack.unpack(s): every value packed in s. */
static int mp_unpack(lua_State *L)
{
    return unpack_from(L, 0, 0);
}

/* cmsgpack.unpack_one(s [, offset]): the next offset, then one value. */
static int mp_unpack_one(lua_State *L)
{
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    lua_pop(L, lua_gettop(L) - 1);      /* none stays none */
    return unpack_from(L, 1, offset);
}

/* cmsgpack.unpack_limit(s, limit [, offset]): the next offset, then up to
 * limit values. */
static int mp_unpack_limit(lua_State *L)
{
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_from(L, limit, offset);
}

/* Pushes the cmsgpack table, with the same fields as Redis's. */
int script__open_cmsgpack(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "pack", mp_pack },
        { "unpack", mp_unpack },
        { "unpack_one", mp_unpack_one },
        { "unpack_limit", mp_unpack_limit },
        { NULL, NULL },
    };
    static const char *const info[][2] = {
        { "_NAME", "cmsgpack" },
        { "_VERSION", "lua-cmsgpack 0.4.0" },
        { "_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo" },
        { "_DESCRIPTION", "MessagePack C implementation for Lua" },
    };
    lua_newtable(L);
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    for (size_t i = 0; i < sizeof(info) / sizeof(info[0]); i++) {
        lua_pushstring(L, info[i][1]);
        lua_setfield(L, -2, info[i][0]);
    }
    return 1;
}
