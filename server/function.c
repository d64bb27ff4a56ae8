/* function.c - Redis 7.0's functions: libraries of Lua code that register
 * named functions when loaded, and running them (FCALL). The commands are
 * in cmd_function.c, the DUMP payload in function_dump.c.
 *
 * Functions get a Lua state of their own, as in Redis, built by script.c
 * (script__engine_new): the same protected globals, redis.call and
 * conversions as EVAL, less KEYS and ARGV (never set in this state) and
 * less redis.breakpoint, redis.debug and redis.replicate_commands, which
 * Redis 7.0 leaves out of functions.
 *
 * Loading runs the library's code once, in another environment: the
 * globals then read through a table that holds only a small redis table
 * (register_function, log, the version and the LOG_ levels); any other
 * name, redis.call included, is a "nonexistent global". The environment
 * is swapped by giving the globals table another metatable for the run
 * (the functions the code defines keep the globals table itself, so they
 * see the full globals once it is swapped back). A load runs at most
 * LOAD_TIMEOUT_NS, checked by a count hook, as Redis does.
 *
 *   struct functions -> live: fn_libset -> fn_lib[] -> fn_func[]
 *                                               (callback: registry ref)
 *
 * Library names are case-sensitive, function names are not (FCALL f and
 * FCALL F call the same function, and two libraries may not hold f and
 * F), except inside one library, as in Redis. Lookups are linear: a
 * server holds few libraries. What this does not do: FUNCTION KILL of a
 * running function (none ever runs while a command is read, as for
 * SCRIPT KILL), and the load timeout is the only limit on a load. */
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "server/function.h"
#include "server/script.h"
#include "server/script_int.h"
#include "server/server.h"

#define REG_FUNCTIONS "respite.functions"
#define LOAD_TIMEOUT_NS 500000000ull
#define HOOK_EVERY 100000               /* VM instructions between checks */

struct functions {
    struct scripting *eng;
    struct fn_libset live;
    struct fn_lib *loading;             /* what register_function adds to */
    uint64_t load_start_ns;
    int load_meta_ref, run_meta_ref;    /* metatables of the globals */
};

static const struct {
    const char *name;
    unsigned flag;
} fn_flag_names[] = {
    { "no-writes", SCRIPT_NO_WRITES },
    { "allow-oom", SCRIPT_ALLOW_OOM },
    { "allow-stale", SCRIPT_ALLOW_STALE },
    { "no-cluster", SCRIPT_NO_CLUSTER },
    { "allow-cross-slot-keys", SCRIPT_CROSS_SLOT },
};

static struct functions *functions_of(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, REG_FUNCTIONS);
    struct functions *f = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return f;
}

/* Pushes the error msg as a Lua error table and raises it. */
static int raise_error(lua_State *L, const char *msg)
{
    script__push_error(L, msg, strlen(msg));
    return lua_error(L);
}

/* Letters, digits and underscores, at least one: Redis's rule for both
 * library and function names. */
static int name_valid(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_'))
            return 0;
    }
    return 1;
}

static int same_name_nocase(const char *a, size_t alen, const char *b,
                            size_t blen)
{
    return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* ---- Libraries and sets ------------------------------------------------- */

static void lib_free(lua_State *L, struct fn_lib *lib)
{
    if (!lib)
        return;
    for (size_t i = 0; i < lib->nfuncs; i++) {
        luaL_unref(L, LUA_REGISTRYINDEX, lib->funcs[i].ref);
        free(lib->funcs[i].name);
        free(lib->funcs[i].desc);
    }
    free(lib->funcs);
    free(lib->name);
    free(lib->code);
    free(lib);
}

static struct fn_lib *set_find(const struct fn_libset *set, const char *name,
                               size_t len)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->libs[i]->namelen == len &&
            memcmp(set->libs[i]->name, name, len) == 0)
            return set->libs[i];
    return NULL;
}

/* The function named name in set outside library skip, or NULL. */
static const struct fn_func *set_find_func(const struct fn_libset *set,
                                           const char *name, size_t len,
                                           const struct fn_lib *skip)
{
    for (size_t i = 0; i < set->n; i++) {
        const struct fn_lib *lib = set->libs[i];
        if (lib == skip)
            continue;
        for (size_t j = 0; j < lib->nfuncs; j++)
            if (same_name_nocase(lib->funcs[j].name, lib->funcs[j].namelen,
                                 name, len))
                return &lib->funcs[j];
    }
    return NULL;
}

static int set_reserve(struct fn_libset *set, size_t extra)
{
    if (set->n + extra <= set->cap)
        return 0;
    size_t cap = (set->n + extra) * 2;
    struct fn_lib **libs = realloc(set->libs, cap * sizeof(*libs));
    if (!libs)
        return -1;
    set->libs = libs;
    set->cap = cap;
    return 0;
}

/* Takes lib out of set, keeping the order of the others. */
static void set_remove(struct fn_libset *set, const struct fn_lib *lib)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->libs[i] == lib) {
            memmove(&set->libs[i], &set->libs[i + 1],
                    (set->n - i - 1) * sizeof(set->libs[0]));
            set->n--;
            return;
        }
    }
}

/* ---- The shebang: "#!<engine> name=<library>" ----------------------------
 * Split as Redis splits it (sdssplitargs: quotes and escapes), so
 * name="x" is the name x. */

struct shebang {
    char *buf;                          /* the tokens' bytes, unquoted */
    const char **tok;
    size_t *len;
    size_t n;
};

static void shebang_free(struct shebang *sb)
{
    free(sb->buf);
    free(sb->tok);
    free(sb->len);
}

/* Splits the line p[0..n) into sb, which shebang_free frees whatever
 * the result. Returns 0, -1 for unbalanced quotes, -2 when out of
 * memory. */
static int shebang_split(const char *p, size_t n, struct shebang *sb)
{
    /* Tokens are separated, so there are at most (n + 1) / 2 of them,
     * and unquoting never lengthens one. */
    sb->buf = malloc(n + 1);
    sb->tok = malloc((n / 2 + 1) * sizeof(*sb->tok));
    sb->len = malloc((n / 2 + 1) * sizeof(*sb->len));
    sb->n = 0;
    if (!sb->buf || !sb->tok || !sb->len)
        return -2;
    size_t used = 0, pos = 0, len;
    int rc;
    while ((rc = resp_split_next(p, n, &pos, sb->buf + used, &len)) == 1) {
        sb->tok[sb->n] = sb->buf + used;
        sb->len[sb->n++] = len;
        used += len;
    }
    return rc;
}

/* Reads the library's name from its shebang into *name (pointing into
 * sb, which the caller frees in any case), or replies Redis's error and
 * returns -1. */
static int metadata_or_reply(struct client *c, const char *code, size_t len,
                             struct shebang *sb, const char **name,
                             size_t *namelen)
{
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        reply_error(c, ERR_FN_NO_METADATA);
        return -1;
    }
    /* The first line as a C string: a NUL before its end leaves it
     * without one, as in Redis. */
    const char *nl = memchr(code, '\n', len);
    if (nl && memchr(code, '\0', (size_t)(nl - code)))
        nl = NULL;
    int rc = nl ? shebang_split(code, (size_t)(nl - code), sb) : -1;
    if (rc == -2) {
        reply_error(c, ERR_OOM);
        return -1;
    }
    if (rc != 0 || sb->n == 0) {
        reply_error(c, ERR_FN_BAD_METADATA);
        return -1;
    }
    *name = NULL;
    for (size_t i = 1; i < sb->n; i++) {
        if (sb->len[i] >= 5 && strncasecmp(sb->tok[i], "name=", 5) == 0) {
            if (*name) {
                reply_error(c, ERR_FN_NAME_TWICE);
                return -1;
            }
            *name = sb->tok[i] + 5;
            *namelen = sb->len[i] - 5;
            continue;
        }
        int n = (int)(sb->len[i] > 128 ? 128 : sb->len[i]);
        reply_error(c, ERR_FN_METADATA_VALUE, n, sb->tok[i]);
        return -1;
    }
    if (!*name) {
        reply_error(c, ERR_FN_NO_NAME);
        return -1;
    }
    if (!name_valid(*name, *namelen)) {
        reply_error(c, ERR_FN_BAD_NAME);
        return -1;
    }
    const char *engine = sb->tok[0] + 2;
    size_t elen = sb->len[0] - 2;
    if (!(elen == 3 && strncasecmp(engine, "lua", 3) == 0)) {
        reply_error(c, ERR_FN_ENGINE, (int)(elen > 128 ? 128 : elen), engine);
        return -1;
    }
    return 0;
}

/* ---- redis.register_function (load time) -------------------------------- */

/* Reads the flags table at idx into *flags; raises on an unknown flag.
 * Flag names match in any case, as in Redis ('No-Writes'). */
static void read_flags(lua_State *L, int idx, unsigned *flags)
{
    *flags = 0;
    for (int i = 1;; i++) {
        /* Not raw, as in Redis: flags=redis raises the load-time redis
         * table's "nonexistent global variable '1'". */
        lua_pushinteger(L, i);
        lua_gettable(L, idx);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            return;
        }
        size_t n = 0;
        const char *p = lua_isstring(L, -1) ? lua_tolstring(L, -1, &n) : NULL;
        size_t k = 0, nk = sizeof(fn_flag_names) / sizeof(fn_flag_names[0]);
        while (p && k < nk && !same_name_nocase(fn_flag_names[k].name,
                                                strlen(fn_flag_names[k].name),
                                                p, n))
            k++;
        if (!p || k == nk)
            raise_error(L, "unknown flag given");
        *flags |= fn_flag_names[k].flag;
        lua_pop(L, 1);
    }
}

/* What one register_function call gave: stack indexes of the name, the
 * description (0: none) and the callback, and the flags. */
struct reg_args {
    int name, desc, callback;
    unsigned flags;
};

/* redis.register_function{function_name=, callback=, flags=,
 * description=}: the named arguments of the table at 1, whose names match
 * in any case, as in Redis. */
static void read_named_args(lua_State *L, struct reg_args *a)
{
    /* A read-only proxy (redis itself) has its fields behind it, where
     * Redis, whose read-only tables are real tables, finds them. */
    int t = script__unproxy(L, 1) ? lua_gettop(L) : 1;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        /* key at -2, value at -1; both stay on the stack while needed */
        if (!lua_checkstack(L, 4))
            luaL_error(L, "not enough memory");
        if (!lua_isstring(L, -2))
            raise_error(L, "named argument key given to "
                           "redis.register_function is not a string");
        const char *k = lua_tostring(L, -2);
        int v = lua_gettop(L);
        if (strcasecmp(k, "function_name") == 0) {
            if (!lua_isstring(L, v))
                raise_error(L, "function_name argument given to "
                               "redis.register_function must be a string");
            a->name = v;
        } else if (strcasecmp(k, "description") == 0) {
            if (!lua_isstring(L, v))
                raise_error(L, "description argument given to "
                               "redis.register_function must be a string");
            a->desc = v;
        } else if (strcasecmp(k, "callback") == 0) {
            if (!lua_isfunction(L, v))
                raise_error(L, "callback argument given to "
                               "redis.register_function must be a "
                               "function");
            a->callback = v;
        } else if (strcasecmp(k, "flags") == 0) {
            if (!lua_istable(L, v))
                raise_error(L, "flags argument to redis.register_function "
                               "must be a table representing function "
                               "flags");
            read_flags(L, v, &a->flags);
        } else {
            raise_error(L, "unknown argument given to "
                           "redis.register_function");
        }
        /* Keep the value (it may be referenced) and a copy of the key
         * for lua_next. */
        lua_pushvalue(L, -2);
    }
    if (!a->name)
        raise_error(L, "redis.register_function must get a function name "
                       "argument");
    if (!a->callback)
        raise_error(L, "redis.register_function must get a callback "
                       "argument");
}

/* Adds the function a describes to the library being loaded. */
static void add_function(lua_State *L, struct fn_lib *lib,
                         const struct reg_args *a)
{
    size_t nlen, dlen = 0;
    const char *name = lua_tolstring(L, a->name, &nlen);
    const char *desc = a->desc ? lua_tolstring(L, a->desc, &dlen) : NULL;
    if (!name_valid(name, nlen))
        raise_error(L, "Library names can only contain letters, numbers, "
                       "or underscores(_) and must be at least one "
                       "character long");
    /* Case matters here (not across libraries), as in Redis 7.0. */
    for (size_t i = 0; i < lib->nfuncs; i++)
        if (lib->funcs[i].namelen == nlen &&
            memcmp(lib->funcs[i].name, name, nlen) == 0)
            raise_error(L, "Function already exists in the library");
    if (lib->nfuncs == lib->cap) {
        size_t cap = lib->cap ? lib->cap * 2 : 4;
        struct fn_func *funcs = realloc(lib->funcs, cap * sizeof(*funcs));
        if (!funcs)
            luaL_error(L, "not enough memory");
        lib->funcs = funcs;
        lib->cap = cap;
    }
    struct fn_func *fn = &lib->funcs[lib->nfuncs];
    /* The reference first: luaL_ref may raise (out of memory), which
     * would leak the copies below, not yet owned by lib. */
    lua_pushvalue(L, a->callback);
    fn->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    fn->name = bytes_dup(name, nlen);
    fn->desc = desc ? bytes_dup(desc, dlen) : NULL;
    if (!fn->name || (desc && !fn->desc)) {
        free(fn->name);
        free(fn->desc);
        luaL_unref(L, LUA_REGISTRYINDEX, fn->ref);
        luaL_error(L, "not enough memory");
    }
    fn->namelen = nlen;
    fn->desclen = dlen;
    fn->flags = a->flags;
    lib->nfuncs++;
}

/* redis.register_function(name, callback) or (table of named
 * arguments), only while a library loads. */
static int register_function(lua_State *L)
{
    struct functions *f = functions_of(L);
    struct reg_args a = { 0, 0, 0, 0 };
    int argc = lua_gettop(L);
    /* A library may keep the function and call it later. */
    if (!f->loading)
        return raise_error(L, "redis.register_function can only be called "
                              "on FUNCTION LOAD command");
    if (argc == 1) {
        if (!lua_istable(L, 1))
            return raise_error(L, "calling redis.register_function with a "
                                  "single argument is only applicable to "
                                  "Lua table (representing named "
                                  "arguments).");
        read_named_args(L, &a);
    } else if (argc == 2) {
        if (!lua_isstring(L, 1))
            return raise_error(L, "first argument to "
                                  "redis.register_function must be a "
                                  "string");
        if (!lua_isfunction(L, 2))
            return raise_error(L, "second argument to "
                                  "redis.register_function must be a "
                                  "function");
        a.name = 1;
        a.callback = 2;
    } else {
        return raise_error(L, "wrong number of arguments to "
                              "redis.register_function");
    }
    add_function(L, f->loading, &a);
    return 0;
}

/* ---- The engine ----------------------------------------------------------- */

/* lua_cpcall body: trims the run-time redis table and builds the load-time
 * globals, keeping both metatables of the globals in the registry. */
static int engine_setup(lua_State *L)
{
    struct functions *f = lua_touserdata(L, 1);
    lua_pushlightuserdata(L, f);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_FUNCTIONS);
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->eng->globals_ref);
    lua_getfield(L, -1, "redis");
    if (!script__unproxy(L, -1))
        return luaL_error(L, "no redis table");
    int redis = lua_gettop(L);
    static const char *const not_in_functions[] = {
        "breakpoint", "debug", "replicate_commands",
    };
    for (size_t i = 0; i < 3; i++) {
        lua_pushnil(L);
        lua_setfield(L, redis, not_in_functions[i]);
    }
    /* The load-time redis table. */
    static const char *const at_load[] = {
        "log", "REDIS_VERSION", "REDIS_VERSION_NUM", "LOG_DEBUG",
        "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
    };
    lua_newtable(L);                    /* load globals */
    lua_newtable(L);                    /* load redis */
    for (size_t i = 0; i < sizeof(at_load) / sizeof(at_load[0]); i++) {
        lua_getfield(L, redis, at_load[i]);
        lua_setfield(L, -2, at_load[i]);
    }
    lua_pushcfunction(L, register_function);
    lua_setfield(L, -2, "register_function");
    script__strict_proxy(L);
    lua_setfield(L, -2, "redis");
    script__strict_proxy(L);
    lua_getmetatable(L, -1);
    f->load_meta_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getmetatable(L, LUA_GLOBALSINDEX);
    f->run_meta_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int function_engine_init(struct server *srv)
{
    struct functions *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->eng = script__engine_new(srv);
    if (!f->eng || lua_cpcall(f->eng->L, engine_setup, f) != 0) {
        script__engine_free(f->eng);
        free(f);
        return -1;
    }
    srv->functions = f;
    return 0;
}

void function_engine_close(struct server *srv)
{
    struct functions *f = srv->functions;
    if (!f)
        return;
    function_flush(srv, NULL);
    free(f->live.libs);
    script__engine_free(f->eng);
    free(f);
    srv->functions = NULL;
}

/* ---- Loading ---------------------------------------------------------------- */

/* The count hook of a load: past LOAD_TIMEOUT_NS the load fails. */
static void load_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct functions *f = functions_of(L);
    if (uv_hrtime() - f->load_start_ns > LOAD_TIMEOUT_NS)
        raise_error(L, "FUNCTION LOAD timeout");
}

static void set_globals_meta(lua_State *L, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_setmetatable(L, LUA_GLOBALSINDEX);
}

/* Replies "<prefix><Lua message on top of the stack>" and pops it; for a
 * table, its err field. */
static void reply_lua_error(struct client *c, lua_State *L,
                            const char *prefix)
{
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "err");
        lua_replace(L, -2);
    }
    size_t n = 0;
    const char *e = lua_tolstring(L, -1, &n);
    size_t plen = strlen(prefix);
    char *msg = malloc(plen + n + 1);
    if (msg) {
        memcpy(msg, prefix, plen);
        if (e)
            memcpy(msg + plen, e, n);
        reply_error_text(c, msg, plen + (e ? n : 0));
        free(msg);
    } else {
        reply_error(c, ERR_OOM);
    }
    lua_pop(L, 1);
}

/* Compiles the code and runs it in the load-time environment, its
 * register_function calls filling lib. Returns 0, or -1 after replying. */
static int run_library_code(struct client *c, struct functions *f,
                            struct fn_lib *lib)
{
    lua_State *L = f->eng->L;
    /* The code after the shebang line, from its newline, so that lines
     * keep their numbers; as in Redis, a CR in the shebang line does not
     * end it for Lua (a comment would end there). */
    const char *nl = memchr(lib->code, '\n', lib->codelen);
    size_t skip = (size_t)(nl - lib->code);
    int rc = script__load_text(L, nl, lib->codelen - skip, "@user_function");
    if (rc != 0) {
        reply_lua_error(c, L, "ERR Error compiling function: ");
        return -1;
    }
    lua_pushcfunction(L, script__error_handler);
    lua_insert(L, -2);
    set_globals_meta(L, f->load_meta_ref);
    f->loading = lib;
    f->load_start_ns = uv_hrtime();
    lua_sethook(L, load_hook, LUA_MASKCOUNT, HOOK_EVERY);
    rc = lua_pcall(L, 0, 0, -2);
    lua_sethook(L, NULL, 0, 0);
    f->loading = NULL;
    set_globals_meta(L, f->run_meta_ref);
    if (rc != 0) {
        reply_lua_error(c, L, "ERR Error registering functions: ");
        lua_pop(L, 1);                  /* the message handler */
        return -1;
    }
    lua_pop(L, 1);
    if (lib->nfuncs == 0) {
        reply_error(c, ERR_FN_NONE_REGISTERED);
        return -1;
    }
    return 0;
}

const struct fn_lib *function_load_or_reply(struct client *c,
                                            struct fn_libset *set,
                                            const char *code, size_t len,
                                            int replace)
{
    struct functions *f = c->srv->functions;
    if (!set)
        set = &f->live;
    struct shebang sb = { NULL, NULL, NULL, 0 };
    const char *name;
    size_t namelen;
    if (metadata_or_reply(c, code, len, &sb, &name, &namelen) != 0) {
        shebang_free(&sb);
        return NULL;
    }
    struct fn_lib *old = set_find(set, name, namelen);
    if (old && !replace) {
        reply_error(c, ERR_FN_LIB_EXISTS,
                    (int)(namelen > 128 ? 128 : namelen), name);
        shebang_free(&sb);
        return NULL;
    }
    struct fn_lib *lib = calloc(1, sizeof(*lib));
    if (lib)
        lib->name = bytes_dup(name, namelen);
    shebang_free(&sb);
    if (!lib || !lib->name || !(lib->code = bytes_dup(code, len)) ||
        set_reserve(set, 1) != 0) {
        lib_free(f->eng->L, lib);
        reply_error(c, ERR_OOM);
        return NULL;
    }
    lib->namelen = namelen;
    lib->codelen = len;
    if (run_library_code(c, f, lib) != 0) {
        lib_free(f->eng->L, lib);
        return NULL;
    }
    for (size_t i = 0; i < lib->nfuncs; i++) {
        const struct fn_func *fn = &lib->funcs[i];
        if (set_find_func(set, fn->name, fn->namelen, old)) {
            reply_error(c, ERR_FN_EXISTS,
                        (int)(fn->namelen > 128 ? 128 : fn->namelen),
                        fn->name);
            lib_free(f->eng->L, lib);
            return NULL;
        }
    }
    if (old) {
        set_remove(set, old);
        lib_free(f->eng->L, old);
    }
    set->libs[set->n++] = lib;
    return lib;
}

int function_join_or_reply(struct client *c, struct fn_libset *from,
                           int replace)
{
    struct functions *f = c->srv->functions;
    struct fn_libset *live = &f->live;
    /* First every check, then the change. */
    for (size_t i = 0; i < from->n; i++) {
        const struct fn_lib *lib = from->libs[i];
        if (!replace && set_find(live, lib->name, lib->namelen)) {
            reply_error(c, ERR_FN_LIB_EXISTS_RESTORE,
                        (int)(lib->namelen > 128 ? 128 : lib->namelen),
                        lib->name);
            return -1;
        }
    }
    for (size_t i = 0; i < from->n; i++) {
        const struct fn_lib *lib = from->libs[i];
        for (size_t j = 0; j < lib->nfuncs; j++) {
            const struct fn_func *fn = &lib->funcs[j];
            const struct fn_func *other =
                set_find_func(live, fn->name, fn->namelen, NULL);
            if (!other)
                continue;
            /* A function of a library being replaced goes with it. */
            const struct fn_lib *owner = NULL;
            for (size_t k = 0; k < live->n && !owner; k++)
                if (other >= live->libs[k]->funcs &&
                    other < live->libs[k]->funcs + live->libs[k]->nfuncs)
                    owner = live->libs[k];
            if (owner && set_find(from, owner->name, owner->namelen))
                continue;
            reply_error(c, ERR_FN_EXISTS,
                        (int)(fn->namelen > 128 ? 128 : fn->namelen),
                        fn->name);
            return -1;
        }
    }
    if (set_reserve(live, from->n) != 0) {
        reply_error(c, ERR_OOM);
        return -1;
    }
    for (size_t i = 0; i < from->n; i++) {
        struct fn_lib *old =
            set_find(live, from->libs[i]->name, from->libs[i]->namelen);
        if (old) {
            set_remove(live, old);
            lib_free(f->eng->L, old);
        }
        live->libs[live->n++] = from->libs[i];
    }
    from->n = 0;
    return 0;
}

void function_swap_in(struct server *srv, struct fn_libset *from)
{
    struct functions *f = srv->functions;
    function_flush(srv, NULL);
    struct fn_libset old = f->live;
    f->live = *from;
    *from = old;
}

int function_delete(struct server *srv, const char *name, size_t len)
{
    struct functions *f = srv->functions;
    struct fn_lib *lib = set_find(&f->live, name, len);
    if (!lib)
        return -1;
    set_remove(&f->live, lib);
    lib_free(f->eng->L, lib);
    return 0;
}

void function_flush(struct server *srv, struct fn_libset *set)
{
    struct functions *f = srv->functions;
    if (!set)
        set = &f->live;
    for (size_t i = 0; i < set->n; i++)
        lib_free(f->eng->L, set->libs[i]);
    set->n = 0;
    lua_gc(f->eng->L, LUA_GCCOLLECT, 0);
}

/* ---- Looking up and running ------------------------------------------------- */

const struct fn_libset *function_libraries(const struct server *srv)
{
    return &srv->functions->live;
}

const struct fn_func *function_find(const struct server *srv,
                                    const char *name, size_t len)
{
    return set_find_func(&srv->functions->live, name, len, NULL);
}

int function_flags(const struct server *srv, const char *name, size_t len,
                   unsigned *flags)
{
    const struct fn_func *fn = function_find(srv, name, len);
    if (fn && flags)
        *flags = fn->flags;
    return fn != NULL;
}

void function_run(struct client *c, const struct fn_func *fn,
                  size_t numkeys, int ro)
{
    struct scripting *s = c->srv->functions->eng;
    lua_State *L = s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, fn->ref);
    script__push_args(L, c, 3, numkeys);
    script__push_args(L, c, 3 + numkeys, c->argc - 3 - numkeys);
    script__call(s, c, 2, fn->name, fn->flags, ro);
}

/* ---- INFO ---------------------------------------------------------------- */

size_t function_count(const struct server *srv)
{
    const struct fn_libset *set = &srv->functions->live;
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        n += set->libs[i]->nfuncs;
    return n;
}

size_t function_lib_count(const struct server *srv)
{
    return srv->functions->live.n;
}

size_t function_bytes(const struct server *srv)
{
    const struct fn_libset *set = &srv->functions->live;
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++) {
        const struct fn_lib *lib = set->libs[i];
        n += sizeof(*lib) + lib->namelen + lib->codelen +
             lib->cap * sizeof(lib->funcs[0]);
        for (size_t j = 0; j < lib->nfuncs; j++)
            n += lib->funcs[j].namelen + lib->funcs[j].desclen;
    }
    return n;
}

size_t function_lua_memory(const struct server *srv)
{
    lua_State *L = srv->functions->eng->L;
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 +
           (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}
