/* cmd_script.c - EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (LOAD,
 * EXISTS, FLUSH, KILL, HELP), Redis 7.0's scripting commands. The Lua
 * engine, the cache and the conversions are in script.c; this file reads
 * the arguments and applies the checks Redis makes before a script runs.
 *
 * SCRIPT KILL stops a script that has run past busy-reply-threshold
 * (script_busy.c, which reads and answers the other clients meanwhile).
 * SCRIPT DEBUG YES or SYNC makes the client's next EVAL a session of
 * the Lua debugger (script_debug.c), in a forked child or on the server
 * itself. */
#include <string.h>

#include "server/handlers.h"
#include "server/maxmemory.h"
#include "server/script.h"
#include "server/server.h"

/* argv[2] as numkeys, between 0 and the arguments left, or replies. */
static int numkeys_or_reply(struct client *c, size_t *out)
{
    int64_t n;
    if (!arg_i64_or_reply(c, 2, &n))
        return 0;
    if (n > (int64_t)(c->argc - 3)) {
        reply_error(c, ERR_NUMKEYS_ARGS);
        return 0;
    }
    if (n < 0) {
        reply_error(c, ERR_NUMKEYS_NEG);
        return 0;
    }
    *out = (size_t)n;
    return 1;
}

/* See script.h. The checks Redis 7.0 makes on a script that declared its
 * flags: one that may write is refused while over maxmemory unless
 * allow-oom. A script without a shebang is checked at each command
 * instead. EVAL_RO and EVALSHA_RO refuse a declared script that did not
 * say no-writes. */
int script_may_run_or_reply(struct client *c, unsigned flags, int ro)
{
    if ((flags & SCRIPT_LEGACY) || (flags & SCRIPT_NO_WRITES))
        return 1;
    if (ro) {
        reply_error(c, ERR_SCRIPT_RO_WRITE_FLAG);
        return 0;
    }
    if (flags & SCRIPT_ALLOW_OOM)
        return 1;
    if (c->srv->conf.maxmemory && maxmemory_enforce(c->srv)) {
        reply_error(c, ERR_OOM);
        return 0;
    }
    return 1;
}

/* MONITOR shows a script call before the commands the script runs (as
 * Redis does; client_call leaves these commands to this). */
static void show_to_monitors(struct client *c)
{
    if (c->srv->monitors)
        monitor_feed(c);
}

/* EVAL and EVAL_RO's run: the body in argv[1], compiled and cached
 * first, and the checks, each of which may reply an error instead. */
static void eval_run(struct client *c, int ro)
{
    size_t numkeys;
    char sha[41];
    unsigned flags;
    if (!numkeys_or_reply(c, &numkeys) ||
        script_load_or_reply(c, c->argv[1], c->argvlen[1], sha, &flags, 1) !=
            0 ||
        !script_may_run_or_reply(c, flags, ro))
        return;
    script_run(c, sha, flags, numkeys, ro);
}

/* EVAL and EVAL_RO. In debug mode the whole run is the session's, its
 * errors too (a bad numkeys, a script that does not compile), which
 * then come after the session's end, as in Redis. */
static void eval_body(struct client *c, int ro)
{
    show_to_monitors(c);
    if (c->script_debug != SCRIPT_DEBUG_OFF)
        script_debug_run(c, ro, eval_run);
    else
        eval_run(c, ro);
}

/* EVALSHA and EVALSHA_RO: a cached script by its SHA-1, in any case. */
static void eval_sha(struct client *c, int ro)
{
    size_t numkeys;
    unsigned flags;
    show_to_monitors(c);
    /* Redis answers a name that is no SHA-1 before it reads numkeys, or
     * refuses to debug. */
    if (c->argvlen[1] != 40) {
        reply_error(c, ERR_NOSCRIPT);
        return;
    }
    if (c->script_debug != SCRIPT_DEBUG_OFF) {
        reply_error(c, ERR_SCRIPT_DEBUG_EVALSHA);
        return;
    }
    if (!numkeys_or_reply(c, &numkeys))
        return;
    if (!script_cached(c->srv, c->argv[1], c->argvlen[1], &flags)) {
        reply_error(c, ERR_NOSCRIPT);
        return;
    }
    if (!script_may_run_or_reply(c, flags, ro))
        return;
    char sha[41];
    for (size_t i = 0; i < 40; i++) {
        char ch = c->argv[1][i];
        sha[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    sha[40] = '\0';
    script_run(c, sha, flags, numkeys, ro);
}

void cmd_eval(struct client *c)
{
    eval_body(c, 0);
}

void cmd_eval_ro(struct client *c)
{
    eval_body(c, 1);
}

void cmd_evalsha(struct client *c)
{
    eval_sha(c, 0);
}

void cmd_evalsha_ro(struct client *c)
{
    eval_sha(c, 1);
}

/* SCRIPT LOAD body: its SHA-1, once compiled and cached. */
static void script_load_cmd(struct client *c)
{
    char sha[41];
    unsigned flags;
    if (script_load_or_reply(c, c->argv[2], c->argvlen[2], sha, &flags, 0) ==
        0)
        resp_add_bulk(&c->out, sha, 40);
}

/* SCRIPT EXISTS sha...: 1 or 0 for each. */
static void script_exists_cmd(struct client *c)
{
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++)
        resp_add_int(&c->out,
                     script_cached(c->srv, c->argv[i], c->argvlen[i], NULL));
}

/* SCRIPT FLUSH [ASYNC|SYNC]: both empty the cache at once. */
static void script_flush_cmd(struct client *c)
{
    if (c->argc > 3 ||
        (c->argc == 3 && !arg_is(c, 2, "SYNC") && !arg_is(c, 2, "ASYNC"))) {
        reply_error(c, ERR_SCRIPT_FLUSH_MODE);
        return;
    }
    script_flush(c->srv);
    reply_ok(c);
}

/* SCRIPT KILL: stops a script past busy-reply-threshold that has not
 * written (script_busy.c). */
static void script_kill_cmd(struct client *c)
{
    script_busy_kill(c, 0);
}

/* SCRIPT DEBUG YES|SYNC|NO: YES and SYNC make the next EVAL a debugging
 * session (script_debug.c); NO cancels that. As in Redis, it is
 * refused first of all (NO too) behind replies still waiting to be sent
 * (inside MULTI, the EXEC's own). */
static void script_debug_cmd(struct client *c)
{
    if (c->out.len > 0 || (c->flags & CLIENT_MULTI)) {
        reply_error(c, ERR_SCRIPT_DEBUG_PIPELINE);
        return;
    }
    if (arg_is(c, 2, "NO")) {
        c->script_debug = SCRIPT_DEBUG_OFF;
        reply_ok(c);
        return;
    }
    int mode = arg_is(c, 2, "YES")    ? SCRIPT_DEBUG_FORK
               : arg_is(c, 2, "SYNC") ? SCRIPT_DEBUG_SYNC
                                      : SCRIPT_DEBUG_OFF;
    if (mode == SCRIPT_DEBUG_OFF) {
        reply_error(c, ERR_SCRIPT_DEBUG_MODE);
        return;
    }
    c->script_debug = mode;
    reply_ok(c);
}

static void script_help_cmd(struct client *c)
{
    static const char *const lines[] = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the "
        "script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior "
        "is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes "
        "are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand script_subcommands[] = {
    { "DEBUG", script_debug_cmd, 3, CMD_NOSCRIPT },
    { "LOAD", script_load_cmd, 3, CMD_NOSCRIPT | CMD_STALE },
    { "EXISTS", script_exists_cmd, -3, CMD_NOSCRIPT },
    { "FLUSH", script_flush_cmd, -2, CMD_NOSCRIPT },
    { "KILL", script_kill_cmd, 2, CMD_NOSCRIPT },
    { "HELP", script_help_cmd, 2, CMD_LOADING | CMD_STALE },
};

const struct subcommand_table script_subs = {
    script_subcommands,
    sizeof(script_subcommands) / sizeof(script_subcommands[0])
};

void cmd_script(struct client *c)
{
    subcommand_dispatch(c, &script_subs);
}
