/* cmd_function.c - FCALL, FCALL_RO and FUNCTION (LOAD, LIST, DELETE, FLUSH,
 * DUMP, RESTORE, STATS, KILL, HELP), Redis 7.0's function commands. The
 * libraries and running them are in function.c, the DUMP payload in
 * function_dump.c; this file reads the arguments and writes the replies.
 *
 * FUNCTION KILL stops, and FUNCTION STATS's running_script shows, a
 * function that has run past busy-reply-threshold (script_busy.c, which
 * reads and answers the other clients meanwhile). FLUSH ASYNC frees at
 * once, like SYNC. */
#include <stdlib.h>
#include <string.h>

#include "server/function.h"
#include "server/handlers.h"
#include "server/script.h"
#include "server/server.h"

/* ---- FCALL, FCALL_RO ---------------------------------------------------- */

/* The checks Redis 7.0 makes before a function runs, in its order: the
 * function, numkeys, then its flags (script_may_run_or_reply). */
static void fcall(struct client *c, int ro)
{
    if (c->srv->monitors)
        monitor_feed(c);            /* before the function's commands */
    const struct fn_func *fn =
        function_find(c->srv, c->argv[1], c->argvlen[1]);
    if (!fn) {
        reply_error(c, ERR_FN_NOT_FOUND);
        return;
    }
    int64_t n;
    if (!parse_i64(c->argv[2], c->argvlen[2], &n)) {
        reply_error(c, ERR_FN_NUMKEYS);
        return;
    }
    if (n > (int64_t)(c->argc - 3)) {
        reply_error(c, ERR_NUMKEYS_ARGS);
        return;
    }
    if (n < 0) {
        reply_error(c, ERR_NUMKEYS_NEG);
        return;
    }
    if (!script_may_run_or_reply(c, fn->flags, ro))
        return;
    function_run(c, fn, (size_t)n, ro);
}

void cmd_fcall(struct client *c)
{
    fcall(c, 0);
}

void cmd_fcall_ro(struct client *c)
{
    fcall(c, 1);
}

/* ---- FUNCTION ----------------------------------------------------------- */

/* FUNCTION LOAD [REPLACE] code: the library's name. */
static void function_load_cmd(struct client *c)
{
    int replace = 0;
    for (size_t i = 2; i + 1 < c->argc; i++) {
        if (!arg_is(c, i, "REPLACE")) {
            reply_error(c, ERR_FN_LOAD_OPTION, ARGV_CLIPPED(c, i));
            return;
        }
        replace = 1;
    }
    size_t last = c->argc - 1;
    const struct fn_lib *lib = function_load_or_reply(
        c, NULL, c->argv[last], c->argvlen[last], replace);
    if (lib) {
        resp_add_bulk(&c->out, lib->name, lib->namelen);
        c->srv->dirty++;
    }
}

/* FUNCTION DELETE name. */
static void function_delete_cmd(struct client *c)
{
    if (function_delete(c->srv, c->argv[2], c->argvlen[2]) != 0) {
        reply_error(c, ERR_FN_LIB_NOT_FOUND);
        return;
    }
    c->srv->dirty++;
    reply_ok(c);
}

/* FUNCTION FLUSH [ASYNC|SYNC]. */
static void function_flush_cmd(struct client *c)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "FUNCTION");
        return;
    }
    if (c->argc == 3 && !arg_is(c, 2, "SYNC") && !arg_is(c, 2, "ASYNC")) {
        reply_error(c, ERR_FN_FLUSH_MODE);
        return;
    }
    function_flush(c->srv, NULL);
    c->srv->dirty++;
    reply_ok(c);
}

/* One function of FUNCTION LIST: name, description, flags. */
static void list_function(struct client *c, const struct fn_func *fn)
{
    static const struct {
        const char *name;
        unsigned flag;
    } names[] = {
        { "no-writes", SCRIPT_NO_WRITES },
        { "allow-oom", SCRIPT_ALLOW_OOM },
        { "allow-stale", SCRIPT_ALLOW_STALE },
        { "no-cluster", SCRIPT_NO_CLUSTER },
        { "allow-cross-slot-keys", SCRIPT_CROSS_SLOT },
    };
    struct resp_out *o = &c->out;
    resp_add_map(o, 3);
    resp_add_bulk(o, "name", 4);
    resp_add_bulk(o, fn->name, fn->namelen);
    resp_add_bulk(o, "description", 11);
    if (fn->desc)
        resp_add_bulk(o, fn->desc, fn->desclen);
    else
        resp_add_null(o);
    resp_add_bulk(o, "flags", 5);
    size_t n = 0, count = sizeof(names) / sizeof(names[0]);
    for (size_t i = 0; i < count; i++)
        n += (fn->flags & names[i].flag) != 0;
    resp_add_set(o, n);
    for (size_t i = 0; i < count; i++)
        if (fn->flags & names[i].flag)
            resp_add_simple(o, names[i].name);
}

/* FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: the libraries whose
 * name matches (any case), each a map. */
static void function_list_cmd(struct client *c)
{
    int withcode = 0;
    size_t pat = 0;
    for (size_t i = 2; i < c->argc; i++) {
        if (arg_is(c, i, "WITHCODE") && !withcode) {
            withcode = 1;
        } else if (arg_is(c, i, "LIBRARYNAME") && !pat) {
            if (i + 1 >= c->argc) {
                reply_error(c, ERR_FN_LIST_NO_LIB);
                return;
            }
            pat = ++i;
        } else {
            reply_error(c, ERR_FN_LIST_ARG, ARGV_CLIPPED(c, i));
            return;
        }
    }
    const struct fn_libset *set = function_libraries(c->srv);
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        n += !pat || store_glob_match(c->argv[pat], c->argvlen[pat],
                                      set->libs[i]->name,
                                      set->libs[i]->namelen, 1);
    struct resp_out *o = &c->out;
    resp_add_array(o, n);
    for (size_t i = 0; i < set->n; i++) {
        const struct fn_lib *lib = set->libs[i];
        if (pat && !store_glob_match(c->argv[pat], c->argvlen[pat],
                                     lib->name, lib->namelen, 1))
            continue;
        resp_add_map(o, withcode ? 4 : 3);
        resp_add_bulk(o, "library_name", 12);
        resp_add_bulk(o, lib->name, lib->namelen);
        resp_add_bulk(o, "engine", 6);
        resp_add_bulk(o, "LUA", 3);
        resp_add_bulk(o, "functions", 9);
        resp_add_array(o, lib->nfuncs);
        for (size_t j = 0; j < lib->nfuncs; j++)
            list_function(c, &lib->funcs[j]);
        if (withcode) {
            resp_add_bulk(o, "library_code", 12);
            resp_add_bulk(o, lib->code, lib->codelen);
        }
    }
}

/* FUNCTION DUMP: the payload of every library. */
static void function_dump_cmd(struct client *c)
{
    size_t len;
    char *p = function_dump(c->srv, &len);
    if (!p) {
        reply_error(c, ERR_OOM);
        return;
    }
    resp_add_bulk(&c->out, p, len);
    free(p);
}

/* FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: the payload's libraries
 * are loaded apart first, then replace or join the server's, or nothing
 * changes. */
static void function_restore_cmd(struct client *c)
{
    if (c->argc > 4) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "FUNCTION");
        return;
    }
    int flush = 0, replace = 0;
    if (c->argc == 4) {
        if (arg_is(c, 3, "FLUSH"))
            flush = 1;
        else if (arg_is(c, 3, "REPLACE"))
            replace = 1;
        else if (!arg_is(c, 3, "APPEND")) {
            reply_error(c, ERR_FN_RESTORE_POLICY);
            return;
        }
    }
    struct fn_libset set = { NULL, 0, 0 };
    int rc = function_undump_or_reply(c, c->argv[2], c->argvlen[2], &set);
    if (rc == 0) {
        if (flush)
            function_swap_in(c->srv, &set);
        else
            rc = function_join_or_reply(c, &set, replace);
    }
    function_flush(c->srv, &set);
    free(set.libs);
    if (rc == 0) {
        c->srv->dirty++;
        reply_ok(c);
    }
}

/* FUNCTION STATS' running_script: the busy function's name, the command
 * that called it, and how long it has run. */
static void add_running(struct resp_out *o, const struct script_run *r)
{
    const struct client *caller = r->caller;
    resp_add_map(o, 3);
    resp_add_bulk_cstr(o, "name");
    resp_add_bulk_cstr(o, r->name);
    resp_add_bulk_cstr(o, "command");
    resp_add_array(o, caller->argc);
    for (size_t i = 0; i < caller->argc; i++)
        resp_add_bulk(o, caller->argv[i], caller->argvlen[i]);
    resp_add_bulk_cstr(o, "duration_ms");
    resp_add_int(o, (int64_t)((uv_hrtime() - r->start_ns) / 1000000));
}

/* FUNCTION STATS: the function running past busy-reply-threshold, if
 * any, and the one engine's counts; -BUSY while a script is (Redis's). */
static void function_stats_cmd(struct client *c)
{
    const struct fn_libset *set = function_libraries(c->srv);
    size_t nfuncs = 0;
    for (size_t i = 0; i < set->n; i++)
        nfuncs += set->libs[i]->nfuncs;
    const struct script_run *r = &c->srv->script_run;
    if (r->busy && !r->function) {
        reply_error(c, ERR_BUSY_SCRIPT);
        return;
    }
    struct resp_out *o = &c->out;
    resp_add_map(o, 2);
    resp_add_bulk(o, "running_script", 14);
    if (r->busy)
        add_running(o, r);
    else
        resp_add_null(o);
    resp_add_bulk(o, "engines", 7);
    resp_add_map(o, 1);
    resp_add_bulk(o, "LUA", 3);
    resp_add_map(o, 2);
    resp_add_bulk(o, "libraries_count", 15);
    resp_add_int(o, (int64_t)set->n);
    resp_add_bulk(o, "functions_count", 15);
    resp_add_int(o, (int64_t)nfuncs);
}

/* FUNCTION KILL: stops a function past busy-reply-threshold that has
 * not written (script_busy.c). */
static void function_kill_cmd(struct client *c)
{
    script_busy_kill(c, 1);
}

static void function_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern "
        "using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior "
        "is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes "
        "are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, "
        "can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is "
        "possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing "
        "libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing "
        "libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this "
        "option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand function_subcommands[] = {
    { "LOAD", function_load_cmd, -3, CMD_NOSCRIPT | CMD_WRITE | CMD_DENYOOM },
    { "DELETE", function_delete_cmd, 3, CMD_NOSCRIPT | CMD_WRITE },
    { "FLUSH", function_flush_cmd, -2, CMD_NOSCRIPT | CMD_WRITE },
    { "LIST", function_list_cmd, -2, CMD_NOSCRIPT },
    { "DUMP", function_dump_cmd, 2, CMD_NOSCRIPT },
    { "RESTORE", function_restore_cmd, -3,
      CMD_NOSCRIPT | CMD_WRITE | CMD_DENYOOM },
    { "STATS", function_stats_cmd, 2, CMD_NOSCRIPT },
    { "KILL", function_kill_cmd, 2, CMD_NOSCRIPT },
    { "HELP", function_help_cmd, 2, CMD_LOADING | CMD_STALE },
};

const struct subcommand_table function_subs = {
    function_subcommands,
    sizeof(function_subcommands) / sizeof(function_subcommands[0])
};

void cmd_function(struct client *c)
{
    subcommand_dispatch(c, &function_subs);
}
