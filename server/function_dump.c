/* function_dump.c - the payload of FUNCTION DUMP and FUNCTION RESTORE, in
 * the format of Redis 7.0 so that either server restores the other's:
 *
 *   ( 0xF5 <RDB string: the library's code> )*  <RDB version, 2 bytes LE>
 *   <CRC-64 of everything before it, 8 bytes LE>
 *
 * The RDB primitives (lengths, strings, LZF, CRC-64, the trailer) are
 * rdb.c's. Reading checks the version (at most 10) and the CRC first;
 * then, as in Redis, strings are read up to the end of the whole
 * payload, trailer included, while opcodes start before the trailer. A
 * library may also come as 0xF6 and the pre-GA fields (Redis 7.0's
 * release candidates wrote them), which Redis still reads. An RDB file
 * holds the same opcodes among its others: its loader (rdb_load.c) reads
 * each library through function_read_lib_or_reply too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/function.h"
#include "server/rdb.h"
#include "server/server.h"

#define OP_FUNCTION_PRE_GA RDB_OPCODE_FUNCTION_PRE_GA
#define OP_FUNCTION2 RDB_OPCODE_FUNCTION2

/* See function.h. */
void function_dump_put(struct rdb_buf *b, const struct server *srv)
{
    const struct fn_libset *set = function_libraries(srv);
    for (size_t i = 0; i < set->n; i++) {
        rdb_put_byte(b, OP_FUNCTION2);
        rdb_put_string(b, set->libs[i]->code, set->libs[i]->codelen);
    }
}

/* See function.h. */
char *function_dump(const struct server *srv, size_t *len)
{
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    function_dump_put(&b, srv);
    return rdb_finish(&b, len);
}

/* ---- Reading -------------------------------------------------------------- */

/* The code of a library in the pre-GA form (Redis 7.0's release
 * candidates): its name, engine, an optional description (a length that
 * says whether one follows) and the code without its shebang. The code
 * is then "#!<engine> name=<name>\n<code>", each part cut at its first
 * NUL as Redis formats it. Returns a malloc'ed copy (*len bytes), or NULL
 * after replying. */
static char *pre_ga_code_or_reply(struct client *c, struct rdb_reader *r,
                                  size_t *len)
{
    char *part[3] = { NULL, NULL, NULL };  /* name, engine, blob */
    char *desc = NULL, *code = NULL;
    size_t n[3], dlen;
    uint64_t has_desc;
    int enc;
    if (rdb_get_string(r, &part[0], &n[0]) != 0)
        reply_error(c, ERR_FN_LOAD_NAME);
    else if (rdb_get_string(r, &part[1], &n[1]) != 0)
        reply_error(c, ERR_FN_LOAD_ENGINE);
    else if (rdb_get_len(r, &has_desc, &enc) != 0)
        reply_error(c, ERR_FN_LOAD_DESC_FLAG);
    else if (has_desc && rdb_get_string(r, &desc, &dlen) != 0)
        reply_error(c, ERR_FN_LOAD_DESC);
    else if (rdb_get_string(r, &part[2], &n[2]) != 0)
        reply_error(c, ERR_FN_LOAD_BLOB);
    else if (!(code = malloc(n[0] + n[1] + n[2] + 16)))
        reply_error(c, ERR_OOM);
    else {
        size_t k = (size_t)snprintf(code, n[0] + n[1] + 16,
                                    "#!%s name=%s\n", part[1], part[0]);
        size_t blen = strlen(part[2]);
        memcpy(code + k, part[2], blen);
        *len = k + blen;
    }
    free(desc);
    for (int i = 0; i < 3; i++)
        free(part[i]);
    return code;
}

/* See function.h. */
int function_read_lib_or_reply(struct client *c, struct rdb_reader *r,
                               unsigned char op, struct fn_libset *set,
                               int replace)
{
    char *code;
    size_t len;
    if (op == OP_FUNCTION_PRE_GA) {
        if (!(code = pre_ga_code_or_reply(c, r, &len)))
            return -1;
    } else if (op != OP_FUNCTION2) {
        reply_error(c, ERR_FN_NOT_FUNCTION);
        return -1;
    } else if (rdb_get_string(r, &code, &len) != 0) {
        reply_error(c, ERR_FN_LOAD_PAYLOAD);
        return -1;
    }
    const struct fn_lib *lib = function_load_or_reply(c, set, code, len,
                                                     replace);
    free(code);
    return lib ? 0 : -1;
}

/* See function.h. */
int function_undump_or_reply(struct client *c, const char *p, size_t n,
                             struct fn_libset *set)
{
    const unsigned char *u = (const unsigned char *)p;
    if (!rdb_payload_ok(u, n)) {
        reply_error(c, ERR_FN_PAYLOAD);
        return -1;
    }
    struct rdb_reader r = { u, 0, n };
    while (r.pos < n - RDB_TRAILER) {
        unsigned char op = u[r.pos++];
        if (function_read_lib_or_reply(c, &r, op, set, 0) != 0)
            return -1;
    }
    return 0;
}
