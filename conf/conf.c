/* conf.c - the configuration's life: defaults (conf_init), redis.conf
 * files and their includes, command-line directives, and conf_close. The
 * module's other rooms are listed in conf_int.h; all of it is driven by
 * one table.
 *
 * Every directive is one row of the const table `conf__defs` (defs.c): its
 * name (and an optional second name, for Redis's old ziplist spellings),
 * the syntax of its value, where the value lives, its default written as
 * it would be in a config file, its bounds and whether CONFIG SET may
 * change it while running. Nothing else in the module knows which
 * directives exist: conf_init() applies each row's default through the
 * same code path as a config file line, so a default that does not parse
 * is caught by the first unit test, and conf_each() walks the rows in
 * order to produce what CONFIG GET prints.
 *
 *     config file line  --split_line()-->  name + argv
 *     --name argv...    ----------------/       |
 *     CONFIG SET n v    --split on ' '--/       v
 *                                  lookup(name) -> row -> apply()
 *                                                          |
 *                  parse + validate into temporaries  <----+
 *                  then commit (the old value survives any error)
 *
 * CONFIG SET with several pairs (conf_set_many) follows Redis 7.0: every
 * name is checked before any value (unknown, immutable, protected,
 * repeated), then the values go to a deep copy of the struct, which
 * replaces it only if all of them apply. A directive with several
 * arguments splits a CONFIG SET value at each single space (sdssplitlen),
 * and a lone file or command-line argument as a config line (`--save
 * "900 1"`), both as Redis 7.0 does.
 *
 * Where a value lives: see defs.c.
 *
 * Error texts follow Redis 7 (config.c) where a client could see them:
 * "argument must be between 0 and 65535 inclusive", "can't set immutable
 * config", and so on. File and command-line errors wrap the same reasons
 * as "path:line: bad value for 'port': ...".
 *
 * Deliberately not done: modules (rejected with a clear error); which
 * commands rename-command names (the server checks); resolving or binding
 * addresses (the server does that). The module never prints or exits.
 * Differences from Redis: `save` defaults to "" (no snapshots unless
 * configured); `dir` is not changed into, just recorded (checked as chdir
 * would, a relative one joined to the previous, and shown resolved as
 * getcwd() would show it; snapshots, and a relative logfile, unixsocket
 * or aclfile, are found in it by path, server_dir_path()); protected
 * directives (dir, dbfilename) are refused by CONFIG SET unless the caller
 * says enable-protected-configs admits the client.
 * notify-keyspace-events is stored with "n" next to "A", so the flag
 * survives, and printed as Redis 7 prints it, without (the flag stays set
 * there too). */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"

#define INCLUDE_DEPTH 16    /* a file including itself stops here */
/* load_file's failure at a line, whose message already says
 * "file:line: " (-1 is a file that cannot be read). apply_include passes
 * it on, so that an error is reported where it is, in whichever file. */
#define LINE_FAILED (-2)

/* Zeroes c, then applies every row's default through conf__apply(), so
 * defaults obey the same rules as config files. Returns 0, or -1 on OOM
 * with c left empty (conf_close is still safe). */
int conf_init(struct conf *c)
{
    memset(c, 0, sizeof(*c));
    c->noop = calloc(conf__ndefs, sizeof(*c->noop));
    if (!c->noop)
        return -1;
    for (size_t i = 0; i < conf__ndefs; i++) {
        const struct conf_def *d = &conf__defs[i];
        struct args a = {0};
        const char *one[1] = { d->def };
        const char *const *argv = one;
        int argc = 1, rc;
        char why[256];
        if (d->flags & F_MULTI) {
            if (conf__split_spaces(d->def, &a) != 0) {
                conf_close(c);
                return -1;
            }
            argv = (const char *const *)a.v;
            argc = a.n;
        }
        rc = conf__apply(c, i, argv, argc, NULL, why, sizeof(why));
        conf__args_free(&a);
        if (rc != APPLY_OK) {
            conf_close(c);
            return -1;
        }
    }
    return 0;
}

/* Frees every string c owns and zeroes it. Safe on a zeroed struct and
 * after a failed conf_init. */
void conf_close(struct conf *c)
{
    for (int i = 0; i < c->nbind; i++)
        free(c->bind[i]);
    if (c->noop) {
        for (size_t i = 0; i < conf__ndefs; i++)
            free(c->noop[i]);
    }
    free(c->noop);
    for (size_t i = 0; i < conf__ndefs; i++) {
        const struct conf_def *d = &conf__defs[i];
        if (d->size && conf__is_str_type(d->type))
            free(*(char **)conf__field(c, d));
    }
    for (int i = 0; i < c->nusers; i++) {
        for (int j = 0; j < c->users[i].argc; j++)
            free(c->users[i].argv[j]);
        free(c->users[i].argv);
    }
    free(c->users);
    for (int i = 0; i < c->nrenames; i++) {
        free(c->renames[i].from);
        free(c->renames[i].to);
        free(c->renames[i].where);
    }
    free(c->renames);
    memset(c, 0, sizeof(*c));
}

/* Applies the lines of the file at path. Returns 0, -1 when it cannot be
 * read ("path: reason" in err) or LINE_FAILED ("path:line: reason"). */
static int load_file(struct conf *c, const char *path, struct load_ctx *ctx,
                     char *err, size_t errlen);

/* "include pattern", as Redis 7.0 reads it: the files the pattern names
 * are applied where the line stands, in alphabetical order; a pattern
 * with wildcards may match nothing, a plain path must open. A relative
 * path is from the working directory, Redis's before it changes into
 * dir. Returns 0, -1 (reason not located: the include line's own), or
 * LINE_FAILED from a line of an included file. */
static int apply_include(struct conf *c, const char *const *argv, int argc,
                         struct load_ctx *ctx, char *reason, size_t rlen)
{
    if (argc != 1) {
        snprintf(reason, rlen, "wrong number of arguments for 'include'");
        return -1;
    }
    if (ctx->depth >= INCLUDE_DEPTH) {
        snprintf(reason, rlen, "include files nested more than %d deep "
                 "(does one include itself?)", INCLUDE_DEPTH);
        return -1;
    }
    const char *pattern = argv[0];
    glob_t g = {0};
    int rc = 0;
    ctx->depth++;
    if (!strpbrk(pattern, "*?[")) {
        rc = load_file(c, pattern, ctx, reason, rlen);
    } else {
        int grc = glob(pattern, 0, NULL, &g);
        if (grc == GLOB_NOSPACE) {
            snprintf(reason, rlen, "out of memory");
            rc = -1;
        } else if (grc == GLOB_ABORTED) {
            snprintf(reason, rlen, "%s: can't read a directory", pattern);
            rc = -1;
        }
        for (size_t i = 0; grc == 0 && rc == 0 && i < g.gl_pathc; i++)
            rc = load_file(c, g.gl_pathv[i], ctx, reason, rlen);
        globfree(&g);
    }
    ctx->depth--;
    return rc;
}

/* Applies one "name arg..." from a file or the command line; on failure
 * writes a reason without location into reason. */
static int apply_directive(struct conf *c, const char *name,
                           const char *const *argv, int argc,
                           struct load_ctx *ctx, char *reason, size_t rlen)
{
    char shown[64], why[256];
    if (!strcasecmp(name, "include"))
        return apply_include(c, argv, argc, ctx, reason, rlen);
    conf__clip(shown, sizeof(shown), name);
    int row = conf__lookup(name);
    if (row < 0) {
        if (conf__unsupported(name)) {
            snprintf(reason, rlen, "'%s' is not supported", shown);
            return -1;
        }
        snprintf(reason, rlen, "unknown directive '%s'", shown);
        return -1;
    }
    /* Like Redis 7.0, a directive taking several arguments given just one
     * non-empty one (`--save "900 1"`, `save "900 1"`) splits it as a
     * config line; unbalanced quotes there leave no argument at all. */
    struct args split = {0};
    if ((conf__defs[row].flags & F_MULTI) && argc == 1 && argv[0][0]) {
        int rc = conf__split_line(argv[0], &split);
        if (rc == SPLIT_NOMEM) {
            snprintf(reason, rlen, "out of memory");
            return -1;
        }
        if (rc == SPLIT_NUL) {
            snprintf(reason, rlen, "NUL byte (\\x00) in a value");
            return -1;
        }
        argv = (const char *const *)split.v;
        argc = split.n;
    }
    int rc = conf__apply(c, (size_t)row, argv, argc, ctx, why, sizeof(why));
    conf__args_free(&split);
    switch (rc) {
    case APPLY_OK:
        return 0;
    case APPLY_ARITY:
        snprintf(reason, rlen, "wrong number of arguments for '%s'", shown);
        return -1;
    case APPLY_NOMEM:
        snprintf(reason, rlen, "out of memory");
        return -1;
    default:
        snprintf(reason, rlen, "bad value for '%s': %s", shown, why);
        return -1;
    }
}

/* Records where the renames from index `from` on were read (path:lineno,
 * or the command line for a NULL path), but for those an included file
 * already placed: the server checks the names, and its error says where.
 * 0, or -1 on OOM. */
static int rename_origin(struct conf *c, int from, const char *path,
                         int lineno)
{
    char buf[PATH_MAX + 16];
    if (path)
        snprintf(buf, sizeof(buf), "%s:%d", path, lineno);
    else
        snprintf(buf, sizeof(buf), "command line");
    for (int i = from; i < c->nrenames; i++)
        if (!c->renames[i].where &&
            !(c->renames[i].where = conf__dup_str(buf)))
            return -1;
    return 0;
}

/* Applies the lines read from fp, named path in errors; load_file's
 * returns. */
static int load_lines(struct conf *c, FILE *fp, const char *path,
                      struct load_ctx *ctx, char *err, size_t errlen)
{
    char *line = NULL, reason[384];
    size_t cap = 0;
    int lineno = 0, rc = 0;
    while (getline(&line, &cap, fp) != -1) {
        lineno++;
        int renames = c->nrenames;
        char *s = line, *e = line + strlen(line);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
                         e[-1] == '\n'))
            *--e = '\0';
        if (*s == '#' || *s == '\0')
            continue;

        struct args a = {0};
        switch (conf__split_line(s, &a)) {
        case SPLIT_QUOTES:
            snprintf(reason, sizeof(reason), "unbalanced quotes");
            rc = -1;
            break;
        case SPLIT_NUL:
            snprintf(reason, sizeof(reason), "NUL byte (\\x00) in a value");
            rc = -1;
            break;
        case SPLIT_NOMEM:
            snprintf(reason, sizeof(reason), "out of memory");
            rc = -1;
            break;
        default:
            if (a.n > 0)
                rc = apply_directive(c, a.v[0],
                                     (const char *const *)a.v + 1, a.n - 1,
                                     ctx, reason, sizeof(reason));
            if (rc == 0 && rename_origin(c, renames, path, lineno) != 0) {
                snprintf(reason, sizeof(reason), "out of memory");
                rc = -1;
            }
            break;
        }
        conf__args_free(&a);
        if (rc == LINE_FAILED)
            snprintf(err, errlen, "%s", reason);
        else if (rc)
            snprintf(err, errlen, "%s:%d: %s", path, lineno, reason);
        if (rc) {
            rc = LINE_FAILED;
            break;
        }
    }
    if (rc == 0 && ferror(fp)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    return rc;
}

static int load_file(struct conf *c, const char *path, struct load_ctx *ctx,
                     char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: can't open: %s", path, strerror(errno));
        return -1;
    }
    int rc = load_lines(c, fp, path, ctx, err, errlen);
    fclose(fp);
    return rc;
}

/* Applies a redis.conf-style file, line by line. Returns 0, or -1 with
 * "path:line: reason" in err; lines before the bad one stay applied. */
int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen)
{
    struct load_ctx ctx = {0};
    return load_file(c, path, &ctx, err, errlen) ? -1 : 0;
}

/* See conf_int.h. */
int conf__apply_include(struct conf *c, const char *line)
{
    struct args a = {0};
    if (conf__split_line(line, &a) != SPLIT_OK)
        return 0;
    int rc = 0;
    if (a.n > 0 && !strcasecmp(a.v[0], "include")) {
        struct load_ctx ctx = {0};
        char reason[384];
        rc = apply_include(c, (const char *const *)a.v + 1, a.n - 1, &ctx,
                           reason, sizeof(reason)) == 0 ? 1 : -1;
    }
    conf__args_free(&a);
    return rc;
}

static int is_main_flag(const char *s)
{
    return !strcmp(s, "--version") || !strcmp(s, "--help") ||
           !strcmp(s, "-v") || !strcmp(s, "-h");
}

/* Applies "[config-file] [--directive value...]" like redis-server: the
 * file first, then config lines from standard input when "-" is the first
 * or the last argument, then each directive in order, so the command line
 * wins. The
 * first token after a directive name is always a value (so "--requirepass
 * --x" works); later tokens starting with "--" begin the next directive.
 * "--port 7000" as one token is split like a config line. A bare "--save"
 * means save "". --version/--help/-v/-h are skipped: main() handles them.
 * Returns 0, or -1 with the reason in err. */
int conf_load_args(struct conf *c, int argc, char **argv, char *err,
                   size_t errlen)
{
    struct load_ctx ctx = {0};
    char reason[384];
    int i = 1, end = argc, from_stdin = 0;
    if (argc > 1 && !strcmp(argv[1], "-")) {
        from_stdin = 1;
        i = 2;
    } else if (argc > 1 && strncmp(argv[1], "--", 2) != 0 &&
               !is_main_flag(argv[1])) {
        if (load_file(c, argv[1], &ctx, err, errlen) != 0)
            return -1;
        i = 2;
    }
    if (end > i && !strcmp(argv[end - 1], "-")) {
        from_stdin = 1;
        end--;
    }
    if (from_stdin && load_lines(c, stdin, "(stdin)", &ctx, err, errlen))
        return -1;
    while (i < end) {
        const char *tok = argv[i];
        if (is_main_flag(tok)) {
            i++;
            continue;
        }
        if (strncmp(tok, "--", 2) != 0) {
            char shown[64];
            conf__clip(shown, sizeof(shown), tok);
            snprintf(err, errlen, "command line: unexpected argument '%s' "
                     "(directives are written --name value)", shown);
            return -1;
        }
        struct args a = {0};
        int rc = conf__split_line(tok + 2, &a);
        if (rc == SPLIT_OK && a.n == 0) {
            snprintf(err, errlen, "command line: empty directive name '--'");
            return -1;
        }
        if (rc != SPLIT_OK) {
            snprintf(err, errlen, "command line: %s in '%.40s'",
                     rc == SPLIT_NOMEM ? "out of memory" : "bad quoting",
                     tok);
            return -1;
        }
        i++;
        /* The first value may start with "--", except after a bare
         * "--save" (Redis reads "--save --port 1" as save ""). */
        if (a.n == 1 && i < end &&
            (strcasecmp(a.v[0], "save") || strncmp(argv[i], "--", 2))) {
            rc = conf__args_push_copy(&a, argv[i], strlen(argv[i]));
            i++;
        }
        while (rc == 0 && i < end && strncmp(argv[i], "--", 2) != 0) {
            rc = conf__args_push_copy(&a, argv[i], strlen(argv[i]));
            i++;
        }
        if (rc == 0 && a.n == 1 && !strcasecmp(a.v[0], "save"))
            rc = conf__args_push_copy(&a, "", 0);
        if (rc != 0) {
            conf__args_free(&a);
            snprintf(err, errlen, "command line: out of memory");
            return -1;
        }
        int renames = c->nrenames;
        rc = apply_directive(c, a.v[0], (const char *const *)a.v + 1,
                             a.n - 1, &ctx, reason, sizeof(reason));
        conf__args_free(&a);
        if (rc == 0 && rename_origin(c, renames, NULL, 0) != 0) {
            snprintf(reason, sizeof(reason), "out of memory");
            rc = -1;
        }
        if (rc) {
            snprintf(err, errlen, "%s%s", rc == LINE_FAILED ? ""
                     : "command line: ", reason);
            return -1;
        }
    }
    return 0;
}
