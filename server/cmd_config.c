/* cmd_config.c - CONFIG GET / SET / RESETSTAT / HELP over conf/.
 *
 * CONFIG SET takes each value as one string, as Redis does; conf/ splits it
 * at spaces for directives with several arguments (bind, save,
 * client-output-buffer-limit). Several name/value pairs are checked and
 * applied all or nothing (conf_set_many), as in Redis 7.0. Changes that
 * need the running server to act (hz re-arms the sweeper) go through
 * server_conf_applied().
 *
 * CONFIG REWRITE hands the merge to conf/rewrite.c; the users go into the
 * file as "user" lines unless an aclfile keeps them, as in Redis. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/acl.h"
#include "server/handlers.h"
#include "server/server.h"

struct get_ctx {
    struct client *c;
    struct resp_out pairs;
    size_t count;
};

static int is_glob(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '*' || p[i] == '?' || p[i] == '[')
            return 1;
    return 0;
}

/* A pattern without glob characters is an exact, case-insensitive name,
 * and Redis then replies the name as the client spelled it. */
static void get_visit(void *ctx, const char *name, const char *value)
{
    struct get_ctx *g = ctx;
    struct client *c = g->c;
    size_t nlen = strlen(name);
    for (size_t i = 2; i < c->argc; i++) {
        if (!is_glob(c->argv[i], c->argvlen[i])) {
            if (c->argvlen[i] != nlen ||
                strncasecmp(c->argv[i], name, nlen) != 0)
                continue;
            resp_add_bulk(&g->pairs, c->argv[i], c->argvlen[i]);
            resp_add_bulk_cstr(&g->pairs, value);
            g->count++;
            return;
        }
        if (!conf_unlisted(name) &&
            store_glob_match(c->argv[i], c->argvlen[i], name, nlen, 1)) {
            resp_add_bulk(&g->pairs, name, nlen);
            resp_add_bulk_cstr(&g->pairs, value);
            g->count++;
            return;
        }
    }
}

static void config_get(struct client *c)
{
    struct get_ctx g = { .c = c };
    resp_out_init(&g.pairs, c->out.proto);
    conf_each(&c->srv->conf, get_visit, &g);
    if (g.pairs.nomem) {
        reply_error(c, ERR_OOM);
    } else {
        resp_add_map(&c->out, g.count);
        resp_add_raw(&c->out, g.pairs.data ? g.pairs.data : "", g.pairs.len);
    }
    resp_out_close(&g.pairs);
}

/* More clients than the open-files limit can be raised for, refused as
 * Redis's updateMaxclients refuses them. */
static int check_maxclients(const struct server *srv,
                            const struct conf *next, char *err,
                            size_t errlen)
{
    if (next->maxclients == srv->conf.maxclients)
        return 0;
    int why;
    int64_t fit = server_fdlimit_fit(next->maxclients, &why);
    if (fit >= next->maxclients)
        return 0;
    snprintf(err, errlen, "CONFIG SET failed (possibly related to argument "
             "'maxclients') - The operating system is not able to handle "
             "the specified number of clients, try with %lld",
             (long long)fit);
    return -1;
}

/* What the running server cannot have, refused before anything changes,
 * as Redis's apply functions refuse it: too many clients, or bind
 * addresses or a port it cannot listen on. The listeners move here, last:
 * conf/ commits next when this returns 0. */
static int check_next(void *ctx, const struct conf *next, char *err,
                      size_t errlen)
{
    struct server *srv = ctx;
    if (check_maxclients(srv, next, err, errlen) != 0)
        return -1;
    return server_listen_move(srv, next, err, errlen);
}

/* A name or value with a NUL byte, refused with *err: directives are C
 * strings, and cutting one there would change what was asked, a
 * requirepass "abc\0def" becoming "abc" (Redis keeps that password
 * whole). A name is refused as Redis refuses an unknown one, which it
 * prints up to the NUL too. 0 when there is none. */
static int nul_in_args(const struct client *c, char *err, size_t errlen)
{
    for (size_t i = 2; i + 1 < c->argc; i += 2) {
        if (memchr(c->argv[i], '\0', c->argvlen[i])) {
            snprintf(err, errlen, "Unknown option or number of arguments "
                     "for CONFIG SET - '%s'", c->argv[i]);
            return -1;
        }
    }
    for (size_t i = 2; i + 1 < c->argc; i += 2) {
        if (memchr(c->argv[i + 1], '\0', c->argvlen[i + 1])) {
            snprintf(err, errlen, "CONFIG SET failed (possibly related to "
                     "argument '%s') - a NUL byte is not supported in a "
                     "value", c->argv[i]);
            return -1;
        }
    }
    return 0;
}

/* CONFIG SET name value [name value ...]: conf_set_many does Redis 7.0's
 * checks and applies the pairs all or nothing. Names and values become C
 * strings (nul_in_args refuses a NUL byte in one). */
static void config_set(struct client *c)
{
    char err[512];
    if (c->argc % 2 != 0) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    if (nul_in_args(c, err, sizeof(err)) != 0) {
        reply_error(c, ERR_CONFIG, err);
        return;
    }
    size_t nstr = c->argc - 2;
    int n = (int)(nstr / 2);
    char **strs = calloc(nstr, sizeof(*strs));
    const char **names = malloc((size_t)n * sizeof(*names));
    const char **values = malloc((size_t)n * sizeof(*values));
    int oom = !strs || !names || !values;
    for (size_t i = 0; i < nstr && !oom; i++) {
        strs[i] = strndup(c->argv[2 + i], c->argvlen[2 + i]);
        oom = strs[i] == NULL;
    }
    if (oom) {
        reply_error(c, ERR_OOM);
    } else {
        for (int i = 0; i < n; i++) {
            names[i] = strs[2 * i];
            values[i] = strs[2 * i + 1];
        }
        int protected_ok =
            client_enabled_by(c, c->srv->conf.enable_protected_configs);
        if (conf_set_many_checked(&c->srv->conf, names, values, n,
                                  protected_ok, check_next, c->srv, err,
                                  sizeof(err)) != 0) {
            reply_error(c, ERR_CONFIG, err);
        } else {
            server_conf_applied(c->srv);
            reply_ok(c);
        }
    }
    for (size_t i = 0; strs && i < nstr; i++)
        free(strs[i]);
    free(strs);
    free(names);
    free(values);
}

static void config_resetstat(struct client *c)
{
    server_reset_stats(c->srv);
    reply_ok(c);
}

/* Every user as its "user name rules..." line, in *lines (owned, n of
 * them). Returns 0, or -1 on OOM. */
static int user_lines(const struct acl *acl, char ***lines, int *n)
{
    *lines = calloc(acl->nusers, sizeof(**lines));
    *n = 0;
    if (!*lines)
        return -1;
    struct resp_out text;
    resp_out_init(&text, 2);
    int rc = 0;
    for (size_t i = 0; i < acl->nusers && rc == 0; i++) {
        resp_out_reset(&text, 0);
        acl_describe_user(acl, acl->users[i], &text);
        char *line = text.nomem ? NULL : strndup(text.data, text.len);
        if (!line)
            rc = -1;
        else
            (*lines)[(*n)++] = line;
    }
    resp_out_close(&text);
    return rc;
}

static void config_rewrite(struct client *c)
{
    struct server *srv = c->srv;
    if (!srv->config_file[0]) {
        reply_error(c, ERR_CONFIG,
                    "The server is running without a config file");
        return;
    }
    char **users = NULL, err[256];
    int n = 0, rc = 0;
    if (!srv->conf.aclfile)
        rc = user_lines(srv->acl, &users, &n);
    if (rc != 0) {
        reply_error(c, ERR_OOM);
    } else if (conf_rewrite(&srv->conf, srv->config_file,
                            (const char *const *)users, n, err,
                            sizeof(err)) != 0) {
        server_log(srv, 'w', "CONFIG REWRITE failed: %s", err);
        char msg[300];
        snprintf(msg, sizeof(msg), "Rewriting config file: %s", err);
        reply_error(c, ERR_CONFIG, msg);
    } else {
        server_log(srv, 'n', "CONFIG REWRITE executed with success.");
        reply_ok(c);
    }
    for (int i = 0; i < n; i++)
        free(users[i]);
    free(users);
}

static void config_help(struct client *c)
{
    static const char *const lines[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their "
        "values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand config_subcommands[] = {
    { "GET", config_get, -3, CMD_ADMIN | CMD_NOSCRIPT },
    { "SET", config_set, -4, CMD_ADMIN | CMD_NOSCRIPT },
    { "RESETSTAT", config_resetstat, 2, CMD_ADMIN | CMD_NOSCRIPT },
    { "REWRITE", config_rewrite, 2, CMD_ADMIN | CMD_NOSCRIPT },
    { "HELP", config_help, 2, 0 },
};

const struct subcommand_table config_subs = {
    config_subcommands, sizeof(config_subcommands) / sizeof(config_subcommands[0])
};

void cmd_config(struct client *c)
{
    subcommand_dispatch(c, &config_subs);
}
