/* fuzz_function_restore.c - libFuzzer target for FUNCTION RESTORE's
 * payload reader (server/function_dump.c's function_undump_or_reply, on
 * rdb.c's reader).
 *
 *   make fuzz && build/fuzz/fuzz_function_restore -max_total_time=300 \
 *       build/fuzz/corpus_function tests/fuzz/corpus_function
 *
 * Input: a FUNCTION DUMP payload without its trailer; the target appends
 * RDB version 10 and the CRC-64, so every input reaches the opcodes and
 * strings. The corpus holds real payloads from redis-server 7.0 and from
 * Respite and a pre-GA one (tests/fuzz/make_corpus.py).
 *
 * What a library's code then does is function.c's (Lua), which the
 * integration tests cover: here function_load_or_reply is a stand-in that
 * reads every byte of the code it is handed (so AddressSanitizer sees an
 * overread) and refuses code that does not start with "#!". The reader
 * must answer 0 with no error, or -1 with exactly one. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/function.h"
#include "server/rdb.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int errors;                  /* reply_error calls of this input */
static struct fn_lib *dummy_lib;    /* what the stand-in "loads" */
static volatile unsigned char sink;

/* The stand-ins for what function_dump.c calls in the server. */
void reply_error(struct client *c, enum reply_err e, ...)
{
    (void)c;
    (void)e;
    errors++;
}

const struct fn_libset *function_libraries(const struct server *srv)
{
    static const struct fn_libset none = { NULL, 0, 0 };
    (void)srv;
    return &none;
}

const struct fn_lib *function_load_or_reply(struct client *c,
                                            struct fn_libset *set,
                                            const char *code, size_t len,
                                            int replace)
{
    (void)set;
    (void)replace;
    unsigned char x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= (unsigned char)code[i];
    sink = x;
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        reply_error(c, ERR_FN_NO_METADATA);
        return NULL;
    }
    return dummy_lib;
}

/* libFuzzer entry point: returns 0; traps on a broken contract. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dummy_lib && !(dummy_lib = malloc(1)))
        abort();
    struct rdb_buf b = { NULL, 0, 0, 0, 0 };
    rdb_put(&b, data, size);
    size_t n;
    char *p = rdb_finish(&b, &n);
    if (!p)
        abort();
    struct fn_libset set = { NULL, 0, 0 };
    errors = 0;
    int rc = function_undump_or_reply(NULL, p, n, &set);
    free(p);
    if (!(rc == 0 && errors == 0) && !(rc == -1 && errors == 1))
        __builtin_trap();
    return 0;
}
