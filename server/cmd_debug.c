/* cmd_debug.c - DEBUG, the test hooks. As in Redis 7, every call is
 * refused unless enable-debug-command allows it ("yes", or "local" for
 * loopback and unix-socket clients); dispatch checks that (CMD_PROTECTED).
 *
 * Respite's own: JUMP-CLOCK (move the keyspace clock, so TTL tests need
 * not sleep) and SET-ACTIVE-EXPIRE. Redis's, with Redis's replies, for the
 * test suites of apps and client libraries: SLEEP (a server that stalls,
 * for timeout handling), PROTOCOL (one reply of each RESP3 type), ERROR
 * (an error reply of the caller's text), LOG (a marker in the server log)
 * and POPULATE (many keys at once) and RELOAD (save, empty, load back),
 * and SEGFAULT, a real invalid write, which shows the crash log (crash.c).
 * The rest of Redis's DEBUG is about the AOF, replication, the allocator
 * and other ways of crashing on purpose, and is absent: such a subcommand
 * gets the same error as an unknown one. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "server/function.h"
#include "server/handlers.h"
#include "server/persist.h"
#include "server/pubsub.h"
#include "server/server.h"

static void debug_jump_clock(struct client *c)
{
    int64_t ms;
    if (!arg_i64_or_reply(c, 2, &ms))
        return;
    c->srv->clock_offset_ms += ms;
    reply_ok(c);
}

static void debug_set_active_expire(struct client *c)
{
    int64_t on;
    if (!arg_i64_or_reply(c, 2, &on))
        return;
    c->srv->active_expire_off = on == 0;
    reply_ok(c);
}

/* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves dir/dbfilename, empties
 * the databases and the function libraries, and loads the file back, as
 * Redis does; a suite's way to check that everything survives a restart.
 * NOSAVE loads the file already there, NOFLUSH keeps what is in memory
 * (a key or library in both then fails the load, unless MERGE lets the
 * file's win). A failed load leaves what it loaded so far. */
static void debug_reload(struct client *c)
{
    int merge = 0, flush = 1, save = 1;
    for (size_t i = 2; i < c->argc; i++) {
        if (arg_is(c, i, "MERGE")) {
            merge = 1;
        } else if (arg_is(c, i, "NOFLUSH")) {
            flush = 0;
        } else if (arg_is(c, i, "NOSAVE")) {
            save = 0;
        } else {
            reply_error(c, ERR_DEBUG_RELOAD_OPTION);
            return;
        }
    }
    if (save && persist_save(c->srv) != 0) {
        reply_error(c, ERR_BARE);
        return;
    }
    if (flush) {
        server_db_modified(c->srv, -1, -1);
        for (int i = 0; i < c->srv->conf.databases; i++)
            store_clear(c->srv->db[i]);
        function_flush(c->srv, NULL);
    }
    if (persist_load(c->srv, merge) != 0) {
        reply_error(c, ERR_DEBUG_RELOAD_LOAD);
        return;
    }
    server_log(c->srv, 'w', "DB reloaded by DEBUG RELOAD");
    reply_ok(c);
}

/* DEBUG SLEEP seconds: stalls the whole server, as Redis does. The text
 * is read as strtod reads it (garbage is 0); up to a day. */
static void debug_sleep(struct client *c)
{
    double s = strtod(c->argv[2], NULL);   /* argv is NUL-terminated */
    if (s > 0) {
        if (!(s < 86400))
            s = 86400;
        struct timespec ts;
        ts.tv_sec = (time_t)s;
        ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
    }
    reply_ok(c);
}

/* DEBUG PROTOCOL's test values: RESP3 types, each degraded in RESP2 the
 * way every reply of that type is. */
static void protocol_map(struct client *c)
{
    resp_add_map(&c->out, 3);
    for (int i = 0; i < 3; i++) {
        resp_add_int(&c->out, i);
        resp_add_bool(&c->out, i == 1);
    }
}

static void protocol_attrib(struct client *c)
{
    /* RESP2 has no attributes: the reply alone. */
    if (c->proto >= 3) {
        resp_add_raw(&c->out, "|1\r\n", 4);
        resp_add_bulk_cstr(&c->out, "key-popularity");
        resp_add_array(&c->out, 2);
        resp_add_bulk_cstr(&c->out, "key:123");
        resp_add_int(&c->out, 90);
    }
    resp_add_bulk_cstr(&c->out, "Some real reply following the attribute");
}

static void protocol_push(struct client *c)
{
    if (c->proto < 3) {
        reply_error(c, ERR_DEBUG_PUSH_RESP2);
        return;
    }
    resp_add_push(&c->out, 2);
    resp_add_bulk_cstr(&c->out, "server-cpu-usage");
    resp_add_int(&c->out, 42);
    resp_add_bulk_cstr(&c->out, "Some real reply following the push reply");
}

static void debug_protocol(struct client *c)
{
    static const char verbatim[] = "This is a verbatim\nstring";
    static const char bignum[] = "1234567999999999999999999999999999999";
    if (arg_is(c, 2, "string")) {
        resp_add_bulk_cstr(&c->out, "Hello World");
    } else if (arg_is(c, 2, "integer")) {
        resp_add_int(&c->out, 12345);
    } else if (arg_is(c, 2, "double")) {
        resp_add_double(&c->out, 3.141);
    } else if (arg_is(c, 2, "bignum")) {
        resp_add_big_number(&c->out, bignum, sizeof(bignum) - 1);
    } else if (arg_is(c, 2, "null")) {
        resp_add_null(&c->out);
    } else if (arg_is(c, 2, "array") || arg_is(c, 2, "set")) {
        if (arg_is(c, 2, "set"))
            resp_add_set(&c->out, 3);
        else
            resp_add_array(&c->out, 3);
        for (int i = 0; i < 3; i++)
            resp_add_int(&c->out, i);
    } else if (arg_is(c, 2, "map")) {
        protocol_map(c);
    } else if (arg_is(c, 2, "attrib")) {
        protocol_attrib(c);
    } else if (arg_is(c, 2, "push")) {
        protocol_push(c);
    } else if (arg_is(c, 2, "verbatim")) {
        resp_add_verbatim(&c->out, verbatim, sizeof(verbatim) - 1);
    } else if (arg_is(c, 2, "true") || arg_is(c, 2, "false")) {
        resp_add_bool(&c->out, arg_is(c, 2, "true"));
    } else {
        reply_error(c, ERR_DEBUG_PROTOCOL_TYPE);
    }
}

/* DEBUG ERROR text: "-text", the caller's code and all (CR/LF become
 * spaces). As in Redis, the server did not fail: INFO errorstats and the
 * command's failed calls do not count it. */
static void debug_error(struct client *c)
{
    resp_add_error(&c->out, c->argv[2], c->argvlen[2]);
}

static void debug_log(struct client *c)
{
    server_log(c->srv, 'w', "DEBUG LOG: %.*s", (int)c->argvlen[2],
               c->argv[2]);
    reply_ok(c);
}

/* Argument i as a count >= 0, or Redis's error for POPULATE. */
static int populate_arg_or_reply(struct client *c, size_t i, int64_t *out)
{
    if (!parse_i64(c->argv[i], c->argvlen[i], out) || *out < 0) {
        reply_error(c, ERR_NOT_POSITIVE);
        return 0;
    }
    return 1;
}

/* The text of number n after the prefix already at key[0..plen):
 * ":<n>"; returns the key's length. */
static size_t populate_key(char *key, size_t plen, int64_t n)
{
    return plen + (size_t)sprintf(key + plen, ":%lld", (long long)n);
}

/* DEBUG POPULATE count [prefix] [size]: string keys prefix:0 .. prefix:
 * count-1 ("key" by default) holding "value:<n>", or with size that text
 * cut or zero-padded to size bytes, each with its "new" event. Existing
 * keys are left alone (one past its time goes first). A size
 * past the string limit is refused; out of memory it stops with an
 * error. */
static void debug_populate(struct client *c)
{
    int64_t count, size = 0;
    if (!populate_arg_or_reply(c, 2, &count) ||
        (c->argc == 5 && !populate_arg_or_reply(c, 4, &size)))
        return;
    if ((uint64_t)size > STORE_MAX_STR) {
        reply_error(c, ERR_STRING_TOO_LONG);    /* before any key is made */
        return;
    }
    const char *prefix = c->argc >= 4 ? c->argv[3] : "key";
    size_t plen = c->argc >= 4 ? c->argvlen[3] : 3;
    char *key = malloc(plen + 24);           /* ":" and 20 digits, sign */
    char *val = malloc(size > 32 ? (size_t)size : 32);
    if (!key || !val) {
        free(key);
        free(val);
        reply_error(c, ERR_OOM);
        return;
    }
    memcpy(key, prefix, plen);
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    for (int64_t n = 0; n < count; n++) {
        size_t klen = populate_key(key, plen, n);
        size_t vlen = (size_t)sprintf(val, "value:%lld", (long long)n);
        if (size > 0) {
            if (vlen < (size_t)size)
                memset(val + vlen, 0, (size_t)size - vlen);
            vlen = (size_t)size;
        }
        if (store_key_peek(db, key, klen, now))
            continue;
        int rc = store_key_set(db, key, klen, val, vlen, STORE_NO_TTL, now);
        if (rc != STORE_OK) {
            /* The keys made so far stay, as after any partial write. */
            free(key);
            free(val);
            reply_error(c, rc == STORE_TOO_BIG ? ERR_STRING_TOO_LONG
                                               : ERR_OOM);
            return;
        }
        /* Redis adds each key with dbAdd, which publishes "new". */
        server_notify(c->srv, NOTIFY_NEW, "new", c->db, key, klen);
        /* Redis counts no change for them (they are not propagated). */
        server_key_signal(c->srv, c->db, key, klen);
    }
    free(key);
    free(val);
    reply_ok(c);
}

/* DEBUG SEGFAULT: writes into a read-only page, so the server dies of a
 * real SIGSEGV with a faulting address, as a bug would make it. */
static void debug_segfault(struct client *c)
{
    server_log(c->srv, 'w', "DEBUG SEGFAULT: crashing on purpose");
    volatile char *p = mmap(NULL, 4096, PROT_READ,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
        *p = 'x';
    raise(SIGSEGV);                 /* no page to fault on: die all the same */
}

static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ERROR <string>",
        "    Return an error reply with <string> as its message.",
        "JUMP-CLOCK <milliseconds>",
        "    Move the keyspace clock forward (or back) by <milliseconds>.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys <prefix>:<num> (prefix 'key') holding",
        "    'value:<num>', padded or cut to <size> bytes if given. Existing",
        "    keys are left alone.",
        "PROTOCOL <type>",
        "    Reply with a test value of <type>: string, integer, double,",
        "    bignum, null, array, set, map, attrib, push, verbatim, true,",
        "    false.",
        "RELOAD [option ...]",
        "    Save the RDB file, empty the databases and the functions, and load",
        "    the file back. Options: MERGE (keys and libraries of the file",
        "    replace those in memory), NOFLUSH (keep the data in memory; a key in",
        "    both fails the load without MERGE), NOSAVE (load the file there).",
        "SEGFAULT",
        "    Crash the server with a segmentation fault (see the crash log).",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Turn the active expiry sweeper off or on.",
        "SLEEP <seconds>",
        "    Stop serving for <seconds> (a decimal number).",
        "HELP",
        "    Print this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

/* Each subcommand and the argument counts it takes (DEBUG included). */
static const struct {
    const char *name;
    cmd_proc proc;
    size_t min, max;
} debug_subcommands[] = {
    { "ERROR", debug_error, 3, 3 },
    { "HELP", debug_help, 2, 2 },
    { "JUMP-CLOCK", debug_jump_clock, 3, 3 },
    { "LOG", debug_log, 3, 3 },
    { "POPULATE", debug_populate, 3, 5 },
    { "PROTOCOL", debug_protocol, 3, 3 },
    { "RELOAD", debug_reload, 2, SIZE_MAX },
    { "SEGFAULT", debug_segfault, 2, 2 },
    { "SET-ACTIVE-EXPIRE", debug_set_active_expire, 3, 3 },
    { "SLEEP", debug_sleep, 3, 3 },
};

/* Not a container in the command table: dispatch checked
 * enable-debug-command (CMD_PROTECTED), and, as Redis's DEBUG, this answers
 * an unknown subcommand and a wrong argument count with one error. */
void cmd_debug(struct client *c)
{
    size_t n = sizeof(debug_subcommands) / sizeof(debug_subcommands[0]);
    for (size_t i = 0; i < n; i++) {
        if (arg_is(c, 1, debug_subcommands[i].name)) {
            if (c->argc < debug_subcommands[i].min ||
                c->argc > debug_subcommands[i].max)
                break;
            debug_subcommands[i].proc(c);
            return;
        }
    }
    int len = c->argvlen[1] > 128 ? 128 : (int)c->argvlen[1];
    reply_error(c, ERR_DEBUG_SUBCOMMAND, len, c->argv[1]);
}
