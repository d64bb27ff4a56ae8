/* script_debug.c - the Lua debugger of SCRIPT DEBUG YES and SYNC,
 * speaking the protocol redis-cli --ldb and --ldb-sync-mode expect from
 * Redis 7.0.
 *
 * A client that sent SCRIPT DEBUG YES or SYNC has its next EVAL run as a
 * session: a line hook (set only while a session runs, so plain EVAL pays
 * nothing) stops the script at its first line, at breakpoints and where
 * redis.breakpoint() asked, and each stop is a little REPL. The REPL
 * talks to the client's socket itself, outside libuv (the loop can not
 * run from inside a hook): it writes what was logged since the last
 * prompt as one array of status replies, then waits for one command, a
 * RESP array of bulk strings, with poll(2) in short slices. The whole
 * server waits meanwhile, as Redis's synchronous mode does.
 *
 *   log: "* Stopped at 2, ..."  "-> 2   <line>"  "<redis> set k v" ...
 *        -> "*3\r\n+...\r\n+...\r\n+...\r\n" at the next prompt
 *
 * When the script ends, the rest of the log and "<endsession>" go out
 * the same way, then EVAL's own reply through the usual output path, and
 * the connection is closed after it (the end of a session is how
 * redis-cli knows). A client that goes away mid-session lets the script
 * run to its end without stopping again, as Redis does.
 *
 * YES runs the session in a forked child (server_fork), so the server
 * goes on serving the others and the script's changes die with the
 * child, as in Redis:
 *
 *   EVAL --fork--> child: the session as above on its copy of the data,
 *      |           EVAL's reply written to the socket, _exit(0)
 *      +-- parent: hands the client off (its socket stays open in the
 *          child only); server_fork_client watches the child.
 *
 * How values and replies are shown is script_debug_print.c's. Functions
 * (FCALL) have no sessions, in Redis either. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "server/script.h"
#include "server/script_int.h"
#include "server/server.h"

#define MAX_BREAKPOINTS 64
#define MAX_ARGS 1024            /* per debugger command, as Redis */
#define MAX_ARG_LEN 1024
#define DEFAULT_MAXLEN 256
#define MIN_MAXLEN 60
#define WAIT_SLICE_MS 100        /* one poll(2) of the REPL's read */
#define SEND_TIMEOUT_MS 5000     /* a client reading nothing this long is
                                    gone */

struct ldb {
    struct client *c;
    int fd;
    int gone;                    /* the client went away: no more stops */
    /* The script's source, split into lines (1-based in the API). */
    char *src;
    const char **line;
    size_t *linelen;
    int nlines;
    int bp[MAX_BREAKPOINTS];
    int nbp;
    int step;                    /* stop at the next line */
    int luabp;                   /* redis.breakpoint() asked to stop */
    int current;                 /* the line stopped at */
    size_t maxlen;               /* 0: replies are not cut */
    /* What was logged since the last prompt. */
    char **log;
    size_t *loglen;
    size_t nlog, logcap;
    /* The REPL's input. */
    char *in;
    size_t inlen, incap;
};

/* ---- The log -------------------------------------------------------- */

/* Appends p[0..n) as one log line; on OOM, or once the client is gone
 * (nobody would read it), the line is dropped. */
static void log_add(struct ldb *d, const char *p, size_t n)
{
    if (d->gone)
        return;
    if (d->nlog == d->logcap) {
        size_t cap = d->logcap ? d->logcap * 2 : 16;
        char **l = realloc(d->log, cap * sizeof(*l));
        if (!l)
            return;
        d->log = l;
        size_t *ll = realloc(d->loglen, cap * sizeof(*ll));
        if (!ll)
            return;
        d->loglen = ll;
        d->logcap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return;
    if (n)                      /* p may be an empty buffer's NULL */
        memcpy(copy, p, n);
    copy[n] = '\0';
    d->log[d->nlog] = copy;
    d->loglen[d->nlog++] = n;
}

static void log_fmt(struct ldb *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void log_fmt(struct ldb *d, const char *fmt, ...)
{
    struct resp_out b;
    resp_out_init(&b, 2);
    va_list ap;
    va_start(ap, fmt);
    resp_add_vrawf(&b, fmt, ap);
    va_end(ap);
    if (!b.nomem)
        log_add(d, b.data, b.len);
    resp_out_close(&b);
}

/* Logs the text in b, cut at maxlen with " ..." after it when longer,
 * and empties b. */
static void log_cut(struct ldb *d, struct resp_out *b)
{
    if (d->maxlen && b->len > d->maxlen) {
        b->len = d->maxlen;
        resp_add_raw(b, " ...", 4);
    }
    if (!b->nomem)
        log_add(d, b->data, b->len);
    resp_out_reset(b, 4096);
}

static void log_clear(struct ldb *d)
{
    for (size_t i = 0; i < d->nlog; i++)
        free(d->log[i]);
    d->nlog = 0;
}

/* ---- The socket ------------------------------------------------------- */

/* Writes p[0..n) to the client, waiting for room at most SEND_TIMEOUT_MS
 * at a time; a failure marks the client gone. */
static void send_all(struct ldb *d, const char *p, size_t n)
{
    if (!d->gone && server_write_all(d->fd, p, n, SEND_TIMEOUT_MS) != 0)
        d->gone = 1;
}

/* Sends the log as one array of status replies (CR and LF become
 * spaces, as a status reply can not hold them) and empties it. */
static void log_send(struct ldb *d)
{
    struct resp_out b;
    resp_out_init(&b, 2);
    resp_add_rawf(&b, "*%zu\r\n", d->nlog);
    for (size_t i = 0; i < d->nlog; i++) {
        for (size_t k = 0; k < d->loglen[i]; k++)
            if (d->log[i][k] == '\r' || d->log[i][k] == '\n')
                d->log[i][k] = ' ';
        resp_add_raw(&b, "+", 1);
        resp_add_raw(&b, d->log[i], d->loglen[i]);
        resp_add_raw(&b, "\r\n", 2);
    }
    if (b.nomem)
        d->gone = 1;
    else
        send_all(d, b.data, b.len);
    resp_out_close(&b);
    log_clear(d);
}

/* Reads more input into d->in, waiting in WAIT_SLICE_MS slices; returns
 * 0, or -1 (and marks the client gone) at the end of its stream. */
static int read_more(struct ldb *d)
{
    for (;;) {
        struct pollfd pf = { .fd = d->fd, .events = POLLIN };
        int r = poll(&pf, 1, WAIT_SLICE_MS);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (d->incap - d->inlen < 4096) {
            size_t cap = d->incap ? d->incap * 2 : 16384;
            char *p = realloc(d->in, cap);
            if (!p)
                break;
            d->in = p;
            d->incap = cap;
        }
        ssize_t n = read(d->fd, d->in + d->inlen, d->incap - d->inlen);
        if (n > 0) {
            d->inlen += (size_t)n;
            return 0;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN ||
                      errno == EWOULDBLOCK))
            continue;
        break;
    }
    d->gone = 1;
    return -1;
}

/* Reads a decimal number that ends in CRLF at *p (within end), moving *p
 * past it. Returns 1, 0 when incomplete, -1 when malformed. */
static int parse_count(const char **p, const char *end, long *out)
{
    const char *q = *p;
    long v = 0;
    int digits = 0, neg = 0;
    if (q < end && *q == '-') {
        neg = 1;
        q++;
    }
    while (q < end && *q >= '0' && *q <= '9') {
        if (v > 100000000)
            return -1;
        v = v * 10 + (*q++ - '0');
        digits++;
    }
    if (q + 1 >= end)
        return 0;
    if (!digits || q[0] != '\r' || q[1] != '\n')
        return -1;
    *out = neg ? -v : v;
    *p = q + 2;
    return 1;
}

/* One command parsed from d->in: 1 with argv pointing into d->in (valid
 * until the next read), 0 when more input is needed, -1 malformed. */
static int parse_command(struct ldb *d, char **argv, size_t *argvlen,
                         int *argc, size_t *used)
{
    const char *p = d->in, *end = d->in + d->inlen;
    long n;
    if (p == end)
        return 0;
    if (*p++ != '*')
        return -1;
    int r = parse_count(&p, end, &n);
    if (r <= 0)
        return r;
    if (n <= 0 || n > MAX_ARGS)
        return -1;
    for (long i = 0; i < n; i++) {
        long len;
        if (p == end)
            return 0;
        if (*p++ != '$')
            return -1;
        if ((r = parse_count(&p, end, &len)) <= 0)
            return r;
        if (len <= 0 || len > MAX_ARG_LEN)
            return -1;
        if (end - p < len + 2)
            return 0;
        if (p[len] != '\r' || p[len + 1] != '\n')
            return -1;
        argv[i] = (char *)p;
        argvlen[i] = (size_t)len;
        p += len + 2;
    }
    *argc = (int)n;
    *used = (size_t)(p - d->in);
    return 1;
}

/* ---- Logging values (shown by script_debug_print.c) ------------------ */

/* Logs prefix and the value at idx, cut at maxlen. */
static void log_value(struct ldb *d, lua_State *L, const char *prefix,
                      int idx)
{
    struct resp_out b;
    resp_out_init(&b, 2);
    resp_add_rawf(&b, "%s", prefix);
    script__debug_add_value(&b, L, idx);
    log_cut(d, &b);
    resp_out_close(&b);
}

/* ---- The source ------------------------------------------------------- */

/* Splits body into lines; returns 0, or -1 when out of memory. */
static int source_split(struct ldb *d, const char *body, size_t len)
{
    d->src = malloc(len + 1);
    if (!d->src)
        return -1;
    memcpy(d->src, body, len);
    d->src[len] = '\0';
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += body[i] == '\n';
    d->line = malloc(n * sizeof(*d->line));
    d->linelen = malloc(n * sizeof(*d->linelen));
    if (!d->line || !d->linelen)
        return -1;
    const char *p = d->src, *end = d->src + len;
    for (d->nlines = 0; d->nlines < (int)n; d->nlines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        d->line[d->nlines] = p;
        d->linelen[d->nlines] = (size_t)((nl ? nl : end) - p);
        p = nl ? nl + 1 : end;
    }
    /* A final newline ends the last line; it starts none. */
    if (d->nlines > 1 && d->linelen[d->nlines - 1] == 0)
        d->nlines--;
    return 0;
}

static int is_breakpoint(const struct ldb *d, int line)
{
    for (int i = 0; i < d->nbp; i++)
        if (d->bp[i] == line)
            return 1;
    return 0;
}

/* Logs line n: "->" when current, "#" when a breakpoint. */
static void log_source_line(struct ldb *d, int n)
{
    const char *text = "<out of range source code line>";
    size_t len = strlen(text);
    if (n >= 1 && n <= d->nlines) {
        text = d->line[n - 1];
        len = d->linelen[n - 1];
    }
    struct resp_out b;
    resp_out_init(&b, 2);
    resp_add_rawf(&b, "%s%s%-3d ", n == d->current ? "->" : "  ",
                  is_breakpoint(d, n) ? "#" : " ", n);
    resp_add_raw(&b, text, len);
    if (!b.nomem)
        log_add(d, b.data, b.len);
    resp_out_close(&b);
}

/* Logs the lines within ctx of around (0: the current line). */
static void log_lines(struct ldb *d, int around, int ctx)
{
    if (around == 0)
        around = d->current;
    for (int j = 1; j <= d->nlines; j++) {
        long dist = (long)around - j;
        if (dist < 0)
            dist = -dist;
        if (dist <= ctx)
            log_source_line(d, j);
    }
}

/* ---- The commands ----------------------------------------------------- */

static int arg_is_any(const char *a, const char *x, const char *y)
{
    return strcasecmp(a, x) == 0 || strcasecmp(a, y) == 0;
}

static void cmd_help(struct ldb *d)
{
    static const char *const lines[] = {
        "Respite Lua debugger commands:",
        "[h]elp               This list.",
        "[s]tep, [n]ext       Run the current line, stop at the next one.",
        "[c]ontinue           Run until a breakpoint or redis.breakpoint().",
        "[l]ist [line] [ctx]  Show the source around a line (0 or none:",
        "                     the current one), ctx lines each side (5).",
        "[w]hole              Show all of the source.",
        "[p]rint [var]        Show the local variables, or one variable.",
        "[b]reak              Show the breakpoints.",
        "[b]reak <line>       Stop at this line; -<line> removes it,",
        "                     0 removes all of them.",
        "[t]race              Show the call stack.",
        "[e]val <code>        Run Lua code in a new scope and show what",
        "                     it returns.",
        "[r]edis <cmd> ...    Run a command as the script would.",
        "[m]axlen [len]       Cut replies and values past len bytes",
        "                     (0: never); alone, show the setting.",
        "[a]bort              Stop the script with an error.",
        "",
        "In the script: redis.debug(...) logs values here, and",
        "redis.breakpoint() stops at the next line as a breakpoint would.",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        log_fmt(d, "%s", lines[i]);
}

static void cmd_maxlen(struct ldb *d, char **argv, int argc)
{
    if (argc == 2) {
        long long v = strtoll(argv[1], NULL, 10);
        if (v != 0 && v <= MIN_MAXLEN)
            v = MIN_MAXLEN;
        d->maxlen = v < 0 ? 0 : (size_t)v;
    }
    if (d->maxlen)
        log_fmt(d, "<value> replies are truncated at %zu bytes.", d->maxlen);
    else
        log_fmt(d, "<value> replies are unlimited.");
}

/* A whole decimal integer, or 0 returned when a is not one. */
static int parse_line(const char *a, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(a, &end, 10);
    return *a && !*end && errno == 0 && !(a[0] == '0' && a[1]) &&
           !(a[0] == '-' && a[1] == '0') && a[0] != '+' && a[0] != ' ';
}

static void cmd_break(struct ldb *d, char **argv, int argc)
{
    if (argc == 1) {
        if (d->nbp == 0) {
            log_fmt(d, "No breakpoints set. Use 'b <line>' to add one.");
            return;
        }
        log_fmt(d, "%d breakpoints set:", d->nbp);
        for (int i = 0; i < d->nbp; i++)
            log_source_line(d, d->bp[i]);
        return;
    }
    for (int j = 1; j < argc; j++) {
        long line;
        if (!parse_line(argv[j], &line)) {
            log_fmt(d, "Invalid argument:'%.200s'", argv[j]);
        } else if (line == 0) {
            d->nbp = 0;
            log_fmt(d, "All breakpoints removed.");
        } else if (line > 0) {
            if (line > d->nlines || is_breakpoint(d, (int)line) ||
                d->nbp == MAX_BREAKPOINTS) {
                log_fmt(d, "Wrong line number.");
            } else {
                d->bp[d->nbp++] = (int)line;
                log_lines(d, (int)line, 1);
            }
        } else {
            int i = 0;
            while (i < d->nbp && d->bp[i] != -line)
                i++;
            if (i == d->nbp) {
                log_fmt(d, "No breakpoint in the specified line.");
            } else {
                memmove(d->bp + i, d->bp + i + 1,
                        (size_t)(d->nbp - i - 1) * sizeof(d->bp[0]));
                d->nbp--;
                log_fmt(d, "Breakpoint removed.");
            }
        }
    }
}

/* print: the locals of the function stopped in, or with one argument the
 * variable it names (a local first, then a global). */
static void cmd_print(struct ldb *d, lua_State *L, char **argv, int argc)
{
    lua_Debug ar;
    int found = 0;
    if (lua_getstack(L, 0, &ar)) {
        const char *name;
        for (int i = 1; (name = lua_getlocal(L, &ar, i)) != NULL; i++) {
            if (name[0] == '(' || (argc == 2 && strcmp(name, argv[1]) != 0)) {
                lua_pop(L, 1);
                continue;
            }
            if (argc == 2) {
                log_value(d, L, "<value> ", -1);
                lua_pop(L, 1);
                return;
            }
            struct resp_out b;
            resp_out_init(&b, 2);
            resp_add_rawf(&b, "<value> %s = ", name);
            script__debug_add_value(&b, L, -1);
            log_cut(d, &b);
            resp_out_close(&b);
            lua_pop(L, 1);
            found = 1;
        }
    }
    if (argc != 2) {
        if (!found)
            log_fmt(d, "No local variables in the current context.");
        return;
    }
    /* A global: read from the hidden table without its guard. */
    struct scripting *eng = script__engine(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, eng->globals_ref);
    lua_pushstring(L, argv[1]);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1))
        log_value(d, L, "<value> ", -1);
    else
        log_fmt(d, "No such variable.");
    lua_pop(L, 2);
}

static void cmd_trace(struct ldb *d, lua_State *L)
{
    lua_Debug ar;
    int level = 0;
    while (lua_getstack(L, level, &ar)) {
        lua_getinfo(L, "Snl", &ar);
        if (strstr(ar.short_src, "user_script")) {
            log_fmt(d, "%s %s:", level == 0 ? "In" : "From",
                    ar.name ? ar.name : "top level");
            log_source_line(d, ar.currentline);
        }
        level++;
    }
    if (level == 0)
        log_fmt(d, "<error> Can't retrieve Lua stack.");
}

/* Joins argv[from..argc) with spaces onto b. */
static void add_joined(struct resp_out *b, char **argv, int from, int argc)
{
    for (int i = from; i < argc; i++) {
        if (i > from)
            resp_add_raw(b, " ", 1);
        resp_add_raw(b, argv[i], strlen(argv[i]));
    }
}

/* eval: the code as "return <code>" if that compiles, else as given, in
 * the script's globals; logs what it returns or its error. */
static void cmd_eval(struct ldb *d, lua_State *L, char **argv, int argc)
{
    struct resp_out code;
    resp_out_init(&code, 2);
    resp_add_raw(&code, "return ", 7);
    add_joined(&code, argv, 1, argc);
    if (code.nomem) {
        resp_out_close(&code);
        return;
    }
    int top = lua_gettop(L);
    if (script__load_text(L, code.data, code.len, "@ldb_eval") != 0) {
        lua_pop(L, 1);
        if (script__load_text(L, code.data + 7, code.len - 7, "@ldb_eval") !=
            0) {
            log_fmt(d, "<error> %.400s", lua_tostring(L, -1));
            lua_settop(L, top);
            resp_out_close(&code);
            return;
        }
    }
    resp_out_close(&code);
    if (lua_pcall(L, 0, 1, 0) != 0) {
        const char *m = lua_tostring(L, -1);
        log_fmt(d, "<error> %.400s", m ? m : "(null)");
    } else {
        log_value(d, L, "<retval> ", -1);
    }
    lua_settop(L, top);
}

/* redis: the command through redis.call, which logs it and its reply. */
static void cmd_redis(struct ldb *d, lua_State *L, char **argv, int argc)
{
    if (!lua_checkstack(L, argc + 8)) {
        log_fmt(d, "<error> Too many arguments.");
        return;
    }
    int top = lua_gettop(L);
    struct scripting *eng = script__engine(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, eng->globals_ref);
    lua_getfield(L, -1, "redis");
    lua_getfield(L, -1, "call");
    for (int i = 1; i < argc; i++)
        lua_pushstring(L, argv[i]);
    d->step = 1;                        /* makes redis.call log */
    lua_pcall(L, argc - 1, 1, 0);
    d->step = 0;
    lua_settop(L, top);
}

enum repl_next { REPL_AGAIN, REPL_RESUME, REPL_ABORT, REPL_PROTO };

/* Runs one debugger command. */
static enum repl_next run_command(struct ldb *d, lua_State *L, char **argv,
                                  int argc)
{
    const char *a = argv[0];
    if (arg_is_any(a, "s", "step") || arg_is_any(a, "n", "next")) {
        d->step = 1;
        return REPL_RESUME;
    }
    if (arg_is_any(a, "c", "continue"))
        return REPL_RESUME;
    if (arg_is_any(a, "a", "abort"))
        return REPL_ABORT;
    if (arg_is_any(a, "h", "help"))
        cmd_help(d);
    else if (arg_is_any(a, "t", "trace"))
        cmd_trace(d, L);
    else if (arg_is_any(a, "m", "maxlen"))
        cmd_maxlen(d, argv, argc);
    else if (arg_is_any(a, "b", "break"))
        cmd_break(d, argv, argc);
    else if (arg_is_any(a, "e", "eval"))
        cmd_eval(d, L, argv, argc);
    else if (arg_is_any(a, "r", "redis") && argc > 1)
        cmd_redis(d, L, argv, argc);
    else if (arg_is_any(a, "p", "print"))
        cmd_print(d, L, argv, argc);
    else if (arg_is_any(a, "l", "list"))
        log_lines(d, argc > 1 ? atoi(argv[1]) : 0,
                  argc > 2 ? atoi(argv[2]) : 5);
    else if (arg_is_any(a, "w", "whole"))
        log_lines(d, 1, 1000000);
    else
        log_fmt(d, "<error> Unknown Redis Lua debugger command or wrong "
                   "number of arguments.");
    return REPL_AGAIN;
}

/* Prompts and runs commands until one resumes the script; REPL_ABORT
 * when the user asked to stop it, REPL_PROTO when what came is no
 * command (the script stops with an error, as in Redis). A client that
 * goes away resumes it for good. */
static enum repl_next repl(struct ldb *d, lua_State *L)
{
    char *argv[MAX_ARGS];
    size_t argvlen[MAX_ARGS];
    for (;;) {
        log_send(d);
        int argc = 0, r = 0;
        size_t used = 0;
        while (!d->gone &&
               (r = parse_command(d, argv, argvlen, &argc, &used)) == 0)
            read_more(d);
        if (r < 0)
            return REPL_PROTO;
        if (d->gone) {
            d->step = 0;
            d->nbp = 0;
            d->luabp = 0;
            return REPL_RESUME;
        }
        /* NUL-terminate the arguments in place (their CR goes). */
        for (int i = 0; i < argc; i++)
            argv[i][argvlen[i]] = '\0';
        enum repl_next next = run_command(d, L, argv, argc);
        memmove(d->in, d->in + used, d->inlen - used);
        d->inlen -= used;
        if (next != REPL_AGAIN)
            return next;
    }
}

/* The line hook of a session: stops where asked. */
static void line_hook(lua_State *L, lua_Debug *ar)
{
    struct ldb *d = script__engine(L)->ldb;
    if (!d || d->gone || !lua_getinfo(L, "Sl", ar) ||
        !strstr(ar->short_src, "user_script"))
        return;
    d->current = ar->currentline;
    int bp = is_breakpoint(d, d->current);
    if (!d->step && !bp && !d->luabp)
        return;
    const char *reason = "step over";
    if (bp)
        reason = "break point";
    else if (d->luabp)
        reason = "redis.breakpoint() called";
    log_fmt(d, "* Stopped at %d, stop reason = %s", d->current, reason);
    d->step = 0;
    d->luabp = 0;
    log_source_line(d, d->current);
    enum repl_next next = repl(d, L);
    if (next == REPL_ABORT || next == REPL_PROTO) {
        const char *m = next == REPL_ABORT
                            ? "-ERR script aborted for user request"
                            : "-ERR protocol error";
        script__push_error(L, m, strlen(m));
        lua_error(L);
    }
}

/* ---- Sessions --------------------------------------------------------- */

static void ldb_free(struct ldb *d)
{
    if (!d)
        return;
    log_clear(d);
    free(d->log);
    free(d->loglen);
    free(d->in);
    free(d->src);
    free(d->line);
    free(d->linelen);
    free(d);
}

/* SCRIPT DEBUG YES's fork: 0 in the child, which runs the session; 1 in
 * the parent, which has handed the client off, or when the fork failed
 * (then with Redis's error). */
static int fork_session(struct client *c)
{
    pid_t pid = server_fork_client(c->srv, c, "Lua debugging session");
    if (pid == 0)
        return 0;
    c->script_debug = SCRIPT_DEBUG_OFF;
    if (pid < 0)
        reply_error(c, ERR_SCRIPT_DEBUG_FORK, strerror(errno));
    return 1;
}

/* A forked session's end: what c->out holds, EVAL's reply (after an
 * EXEC's header when EXEC ran it, as in Redis), goes out directly (the
 * child never runs the loop), then the child leaves. */
static void end_in_child(struct ldb *d, struct client *c)
{
    send_all(d, c->out.data, c->out.len);
    server_log(c->srv, 'n', "Lua debugging session ended (forked child "
               "exiting, its changes discarded)");
    _exit(0);
}

/* See script.h. */
void script_debug_run(struct client *c, int ro,
                      void (*eval)(struct client *c, int ro))
{
    struct scripting *s = c->srv->scripting;
    int forked = c->script_debug == SCRIPT_DEBUG_FORK;
    if (forked && fork_session(c))
        return;
    struct ldb *d = calloc(1, sizeof(*d));
    uv_os_fd_t fd;
    if (!d || uv_fileno(&c->h.handle, &fd) != 0 ||
        source_split(d, c->argv[1], c->argvlen[1]) != 0) {
        ldb_free(d);
        if (forked)
            _exit(1);   /* the client sees its connection end */
        reply_error(c, ERR_OOM);
        return;
    }
    d->c = c;
    d->fd = fd;
    d->step = 1;
    d->maxlen = DEFAULT_MAXLEN;
    server_log(c->srv, 'n', "Lua debugging session started (%s)",
               forked ? "forked child" : "synchronous");
    s->ldb = d;
    eval(c, ro);
    s->ldb = NULL;
    log_fmt(d, "<endsession>");
    log_send(d);
    if (forked)
        end_in_child(d, c);
    server_log(c->srv, 'n', "Lua debugging session ended (synchronous)");
    ldb_free(d);
    /* The end of the session closes the connection after EVAL's reply. */
    c->script_debug = SCRIPT_DEBUG_OFF;
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* See script_int.h. */
void script__debug_hook(struct scripting *s)
{
    if (s->ldb)
        lua_sethook(s->L, line_hook, LUA_MASKLINE, 0);
}

/* See script_int.h. */
int script__debug_active(const struct scripting *s)
{
    return s->ldb != NULL;
}

/* See script_int.h. */
void script__debug_breakpoint(struct scripting *s)
{
    if (s->ldb)
        s->ldb->luabp = 1;
}

/* See script_int.h. */
void script__debug_log_values(struct scripting *s, lua_State *L)
{
    struct ldb *d = s->ldb;
    lua_Debug ar;
    int line = -1;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
        line = ar.currentline;
    struct resp_out b;
    resp_out_init(&b, 2);
    resp_add_rawf(&b, "<debug> line %d: ", line);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            resp_add_raw(&b, ", ", 2);
        script__debug_add_value(&b, L, i);
    }
    log_cut(d, &b);
    resp_out_close(&b);
}

/* See script_int.h. */
int script__debug_stepping(const struct scripting *s)
{
    return s->ldb && s->ldb->step && !s->ldb->gone;
}

/* See script_int.h. */
void script__debug_log_call(struct scripting *s, size_t argc,
                            const char *const *argv, const size_t *argvlen)
{
    struct resp_out b;
    resp_out_init(&b, 2);
    resp_add_raw(&b, "<redis>", 7);
    for (size_t i = 0; i < argc; i++) {
        resp_add_raw(&b, " ", 1);
        resp_add_raw(&b, argv[i], argvlen[i]);
    }
    if (!b.nomem)
        log_add(s->ldb, b.data, b.len);
    resp_out_close(&b);
}

/* See script_int.h. */
void script__debug_log_error(struct scripting *s, const char *msg)
{
    log_fmt(s->ldb, "<error> %.400s", msg);
}

/* See script_int.h. */
void script__debug_log_reply(struct scripting *s, const char *p, size_t n)
{
    struct ldb *d = s->ldb;
    if (n > 0 && p[0] == '-') {
        const char *eol = script__line_end(p, p + n);
        size_t len = (size_t)((eol ? eol : p + n) - p);
        struct resp_out e;
        resp_out_init(&e, 2);
        resp_add_raw(&e, "<error> ", 8);
        resp_add_raw(&e, p, len);
        if (!e.nomem)
            log_add(d, e.data, e.len);
        resp_out_close(&e);
    }
    struct resp_out b;
    resp_out_init(&b, 2);
    resp_add_raw(&b, "<reply> ", 8);
    script__debug_add_reply(&b, p, p + n);
    log_cut(d, &b);
    resp_out_close(&b);
}
