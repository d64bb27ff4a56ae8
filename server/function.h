/* function.h - Redis 7 functions (function.c): libraries of Lua functions
 * loaded with FUNCTION LOAD and called with FCALL, in a Lua state of their
 * own built by script.c's engine; function_dump.c has the DUMP/RESTORE
 * payload. */
#ifndef RESPITE_FUNCTION_H
#define RESPITE_FUNCTION_H

#include <stddef.h>
#include <stdint.h>

struct client;
struct server;

/* A function of a library: its name, its description (NULL when it gave
 * none), its flags (SCRIPT_* of script.h) and its callback (a reference
 * in the functions' Lua registry). */
struct fn_func {
    char *name;
    size_t namelen;
    char *desc;
    size_t desclen;
    unsigned flags;
    int ref;
};

/* A library: the name from its shebang, its code as loaded, and the
 * functions it registered, in the order it registered them. */
struct fn_lib {
    char *name;
    size_t namelen;
    char *code;
    size_t codelen;
    struct fn_func *funcs;
    size_t nfuncs, cap;
};

/* A set of libraries, in the order they were added: the server's, or one
 * that FUNCTION RESTORE builds before it joins it to the server's. */
struct fn_libset {
    struct fn_lib **libs;
    size_t n, cap;
};

/* Opens the functions' Lua state into srv->functions; 0, or -1 on OOM. */
int function_engine_init(struct server *srv);
/* Frees every library and the state (a no-op when it never opened). */
void function_engine_close(struct server *srv);

/* The server's libraries (borrowed, valid until the next change). */
const struct fn_libset *function_libraries(const struct server *srv);
/* The function named name (any case), or NULL. */
const struct fn_func *function_find(const struct server *srv,
                                    const char *name, size_t len);
/* Whether a function is named name; *flags receives its flags if so. */
int function_flags(const struct server *srv, const char *name, size_t len,
                   unsigned *flags);

/* Compiles and runs code[0..len) as a library and adds it to set (the
 * server's when set is NULL), replacing a library of the same name when
 * replace is set. Returns the library (owned by the set), or NULL after
 * replying the error to c. */
const struct fn_lib *function_load_or_reply(struct client *c,
                                            struct fn_libset *set,
                                            const char *code, size_t len,
                                            int replace);
/* Moves every library of from into the server's set; with replace, one
 * of the same name replaces the old one, else it is an error. All or
 * nothing: returns 0, or -1 after replying the error (nothing moved). */
int function_join_or_reply(struct client *c, struct fn_libset *from,
                           int replace);
/* Makes from the server's set (emptying from) and frees the old one. */
void function_swap_in(struct server *srv, struct fn_libset *from);
/* Deletes the library name; 0, or -1 when there is none. */
int function_delete(struct server *srv, const char *name, size_t len);
/* Frees the libraries of set (the server's when NULL), leaving it empty. */
void function_flush(struct server *srv, struct fn_libset *set);

/* Runs fn for c with c->argv[3] onwards as its numkeys keys and then its
 * arguments, and writes its reply. ro: FCALL_RO. */
void function_run(struct client *c, const struct fn_func *fn,
                  size_t numkeys, int ro);

/* For INFO: functions and libraries loaded, the bytes of their names,
 * descriptions and code, and the functions' Lua heap. */
size_t function_count(const struct server *srv);
size_t function_lib_count(const struct server *srv);
size_t function_bytes(const struct server *srv);
size_t function_lua_memory(const struct server *srv);

/* function_dump.c: the payload of FUNCTION DUMP, as Redis 7.0 writes it
 * (RDB opcodes and strings, RDB version, CRC-64). Returns a malloc'ed
 * buffer of *len bytes, or NULL when out of memory. */
char *function_dump(const struct server *srv, size_t *len);
struct rdb_reader;
/* Reads the library that opcode op (RDB_OPCODE_FUNCTION2 or _PRE_GA,
 * just read) introduces from r and loads it into set (the server's when
 * NULL), as FUNCTION RESTORE does; with replace, one of the same name
 * gives way (DEBUG RELOAD MERGE). 0, or -1 after replying the error to c
 * (another op is "given type is not a function"). */
int function_read_lib_or_reply(struct client *c, struct rdb_reader *r,
                               unsigned char op, struct fn_libset *set,
                               int replace);
struct rdb_buf;
/* The same libraries, each an RDB_OPCODE_FUNCTION2 and its code, as an
 * RDB file holds them, appended to b (no trailer). */
void function_dump_put(struct rdb_buf *b, const struct server *srv);
/* Reads the payload p[0..n) into set (empty), or replies the error to c
 * and returns -1 (set keeps what was read: the caller flushes it). */
int function_undump_or_reply(struct client *c, const char *p, size_t n,
                             struct fn_libset *set);

#endif
