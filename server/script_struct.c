/* script_struct.c - the struct table scripts see: binary packing by a
 * format string, as Redis 7.0's struct library (Roberto Ierusalimschy's
 * design) does it, with its error texts and its quirks.
 *
 *   pack(fmt, v...)        -> the bytes
 *   unpack(fmt, s [, pos]) -> the values, then the position after them
 *   size(fmt)              -> the bytes fmt takes (no 's', no 'c0')
 *
 * Format letters: '<' '>' set the byte order (little is the default, as
 * on the machines Redis runs on), '!n' sets the largest alignment (n a
 * power of 2, 8 without n; the default is 1, none), 'x' one pad byte,
 * 'b' 'h' 'l' 'T' and 'in' signed integers of 1, 2, 8, 8 and n bytes
 * (n up to 32, 4 without), capitals unsigned; 'f' 'd' float and double;
 * 'cn' n bytes of a string (pack: n = 0 is the whole string; unpack: the
 * number just read); 's' a zero-terminated string; ' ' is ignored.
 *
 * Quirks kept because scripts may see them: integers go through 64 bits,
 * so an integer wider than 8 bytes packs zeros above the low 8 and
 * unpacks only them, sign-extended from bit (8n-1) mod 64 (x86's
 * shift); numbers convert to 64-bit integers the way x86 converts
 * (truncation; out of range gives the value with only the top bit set);
 * alignment to a size that is not a power of 2 uses the same bit
 * arithmetic; size() skips letters and digits it does not know; and
 * pack's "string too short" names the argument after the short one. */
#include <ctype.h>
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <stdint.h>
#include <string.h>

#include "server/script_int.h"

#define MAX_INT_SIZE 32
#define MAX_ALIGN 8                     /* '!' alone: a double's */

struct format {
    const char *p;                      /* the next option */
    int big;                            /* byte order: 1 big-endian */
    size_t align;                       /* the largest alignment */
};

static void format_init(struct format *f, const char *fmt)
{
    f->p = fmt;
    f->big = 0;
    f->align = 1;
}

/* The decimal number at f->p, consumed, or def when there is none. */
static int read_count(lua_State *L, struct format *f, int def)
{
    if (!isdigit((unsigned char)*f->p))
        return def;
    int n = 0;
    do {
        int d = *f->p++ - '0';
        if (n > INT_MAX / 10 || n * 10 > INT_MAX - d)
            luaL_error(L, "integral size overflow");
        n = n * 10 + d;
    } while (isdigit((unsigned char)*f->p));
    return n;
}

/* The bytes option opt takes (reading its count), 0 for the options that
 * take none or have none fixed ('s', controls, unknown letters). */
static size_t option_size(lua_State *L, struct format *f, int opt)
{
    switch (opt) {
    case 'b': case 'B': case 'x':
        return 1;
    case 'h': case 'H':
        return sizeof(short);
    case 'l': case 'L':
        return sizeof(long);
    case 'T':
        return sizeof(size_t);
    case 'f':
        return sizeof(float);
    case 'd':
        return sizeof(double);
    case 'c':
        return (size_t)read_count(L, f, 1);
    case 'i': case 'I': {
        int n = read_count(L, f, sizeof(int));
        if (n > MAX_INT_SIZE)
            luaL_error(L, "integral size %d is larger than limit of %d", n,
                       MAX_INT_SIZE);
        return (size_t)n;
    }
    default:
        return 0;
    }
}

/* Pad bytes before an item of size bytes at offset at. The arithmetic
 * (and its int result) is the original's, for sizes that are not powers
 * of 2 too. */
static int padding(const struct format *f, int opt, size_t size, size_t at)
{
    if (size == 0 || opt == 'c')
        return 0;
    if (size > f->align)
        size = f->align;
    return (int)((size - (at & (size - 1))) & (size - 1));
}

/* Applies a control option (' ', '<', '>', '!'); anything else is an
 * error on the format argument. */
static void control(lua_State *L, struct format *f, int opt)
{
    switch (opt) {
    case ' ':
        return;
    case '<':
        f->big = 0;
        return;
    case '>':
        f->big = 1;
        return;
    case '!': {
        int a = read_count(L, f, MAX_ALIGN);
        if (a <= 0 || (a & (a - 1)) != 0)
            luaL_error(L, "alignment %d is not a power of 2", a);
        f->align = (size_t)a;
        return;
    }
    default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'",
                                            opt));
    }
}

/* d as x86-64 converts a double to uint64 (what the original's casts do
 * there): truncated; below -2^63, at or above 2^64 and NaN out of range. */
static uint64_t to_u64(double d)
{
    const double two63 = 9223372036854775808.0;
    if (d < 0)
        return d >= -two63 ? (uint64_t)(int64_t)d : (uint64_t)1 << 63;
    if (d < two63)
        return (uint64_t)d;
    if (d < 2 * two63)
        return (uint64_t)(d - two63) ^ (uint64_t)1 << 63;
    return d == d ? 0 : (uint64_t)1 << 63;     /* NaN: the top bit */
}

/* Whether opt is an integer letter. */
static int is_integer(int opt)
{
    return strchr("bBhHlLTiI", opt) != NULL;
}

static int is_little_host(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* Copies the n bytes of a native float or double, in the format's order. */
static void ordered_copy(unsigned char *dst, const void *src, size_t n,
                         int big)
{
    memcpy(dst, src, n);
    if (big == is_little_host()) {
        for (size_t i = 0; i < n / 2; i++) {
            unsigned char t = dst[i];
            dst[i] = dst[n - 1 - i];
            dst[n - 1 - i] = t;
        }
    }
}

/* Adds argument arg, a number, as a size-byte integer. */
static void pack_integer(lua_State *L, luaL_Buffer *b, int arg,
                         const struct format *f, size_t size)
{
    uint64_t v = to_u64(luaL_checknumber(L, arg));
    unsigned char out[MAX_INT_SIZE];
    for (size_t i = 0; i < size; i++) {
        unsigned char byte = i < 8 ? (unsigned char)(v >> (8 * i)) : 0;
        out[f->big ? size - 1 - i : i] = byte;
    }
    luaL_addlstring(b, (const char *)out, size);
}

/* Adds argument arg, a string, whole (size 0) or its first size bytes,
 * and a zero after it for 's'; returns the bytes added. */
static size_t pack_string(lua_State *L, luaL_Buffer *b, int arg, int opt,
                          size_t size)
{
    size_t n;
    const char *s = luaL_checklstring(L, arg, &n);
    if (size == 0)
        size = n;
    luaL_argcheck(L, n >= size, arg + 1, "string too short");
    luaL_addlstring(b, s, size);
    if (opt == 's') {
        luaL_addchar(b, '\0');
        size++;
    }
    return size;
}

/* struct.pack(fmt, v...): the values laid out as fmt says. */
static int st_pack(lua_State *L)
{
    struct format f;
    format_init(&f, luaL_checkstring(L, 1));
    int arg = 2;
    size_t total = 0;
    lua_pushnil(L);             /* the buffer's slots start above this */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    while (*f.p) {
        int opt = (unsigned char)*f.p++;
        size_t size = option_size(L, &f, opt);
        int pad = padding(&f, opt, size, total);
        total += (size_t)pad;
        for (int i = 0; i < pad; i++)
            luaL_addchar(&b, '\0');
        if (is_integer(opt)) {
            pack_integer(L, &b, arg++, &f, size);
        } else if (opt == 'x') {
            luaL_addchar(&b, '\0');
        } else if (opt == 'f' || opt == 'd') {
            unsigned char out[sizeof(double)];
            double d = luaL_checknumber(L, arg++);
            float fl = (float)d;
            ordered_copy(out, opt == 'f' ? (void *)&fl : (void *)&d, size,
                         f.big);
            luaL_addlstring(&b, (const char *)out, size);
        } else if (opt == 'c' || opt == 's') {
            size = pack_string(L, &b, arg, opt, size);
            arg++;
        } else {
            control(L, &f, opt);
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

/* The size-byte integer at p as a number; only the low 8 bytes count. */
static lua_Number unpack_integer(const unsigned char *p, size_t size,
                                 int big, int is_signed)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v = v << 8 | p[big ? i : size - 1 - i];
    if (!is_signed)
        return (lua_Number)v;
    uint64_t mask = ~(uint64_t)0 << ((size * 8 - 1) & 63);
    if (v & mask)
        v |= mask;
    return (lua_Number)(int64_t)v;
}

/* For 'c0': the length the value just unpacked gives (a number, or a
 * string that reads as one), which it replaces. */
static size_t previous_length(lua_State *L, int nres)
{
    if (nres == 0 || !lua_isnumber(L, -1))
        luaL_error(L, "format 'c0' needs a previous size");
    size_t size = (size_t)to_u64(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return size;
}

/* struct.unpack(fmt, s [, pos]): the values, then the position after. */
static int st_unpack(lua_State *L)
{
    struct format f;
    format_init(&f, luaL_checkstring(L, 1));
    size_t len;
    const unsigned char *data =
        (const unsigned char *)luaL_checklstring(L, 2, &len);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    int nres = 0;
    while (*f.p) {
        int opt = (unsigned char)*f.p++;
        size_t size = option_size(L, &f, opt);
        pos += (size_t)padding(&f, opt, size, pos);
        luaL_argcheck(L, size <= len && pos <= len - size, 2,
                      "data string too short");
        luaL_checkstack(L, 2, "too many results");
        if (is_integer(opt)) {
            lua_pushnumber(L, unpack_integer(data + pos, size, f.big,
                                             islower(opt)));
            nres++;
        } else if (opt == 'x') {
            /* a pad byte: skipped */
        } else if (opt == 'f') {
            float fl;
            ordered_copy((unsigned char *)&fl, data + pos, size, f.big);
            lua_pushnumber(L, fl);
            nres++;
        } else if (opt == 'd') {
            double d;
            ordered_copy((unsigned char *)&d, data + pos, size, f.big);
            lua_pushnumber(L, d);
            nres++;
        } else if (opt == 'c') {
            if (size == 0) {
                size = previous_length(L, nres);
                nres--;
                luaL_argcheck(L, size <= len && pos <= len - size, 2,
                              "data string too short");
            }
            lua_pushlstring(L, (const char *)data + pos, size);
            nres++;
        } else if (opt == 's') {
            const unsigned char *z = memchr(data + pos, '\0', len - pos);
            if (!z)
                luaL_error(L, "unfinished string in data");
            size = (size_t)(z - (data + pos)) + 1;
            lua_pushlstring(L, (const char *)data + pos, size - 1);
            nres++;
        } else {
            control(L, &f, opt);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)(pos + 1));
    return nres + 1;
}

/* struct.size(fmt): the bytes pack(fmt, ...) gives. */
static int st_size(lua_State *L)
{
    struct format f;
    format_init(&f, luaL_checkstring(L, 1));
    size_t pos = 0;
    while (*f.p) {
        int opt = (unsigned char)*f.p++;
        size_t size = option_size(L, &f, opt);
        pos += (size_t)padding(&f, opt, size, pos);
        if (opt == 's')
            luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum(opt))
            control(L, &f, opt);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

/* Pushes the struct table. */
int script__open_struct(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "pack", st_pack },
        { "unpack", st_unpack },
        { "size", st_size },
        { NULL, NULL },
    };
    lua_newtable(L);
    for (const luaL_Reg *r = fns; r->name; r++) {
        lua_pushcfunction(L, r->func);
        lua_setfield(L, -2, r->name);
    }
    return 1;
}
