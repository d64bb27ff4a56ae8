/* cmd_config.c - CONFIG GET / SET / RESETSTAT / HELP over conf/.
 *
 * CONFIG SET takes each value as one string, as Redis does, and splits it
 * on spaces for directives with several arguments (bind, save,
 * client-output-buffer-limit). Several name/value pairs are applied in
 * order; the first failure stops and is reported. Changes that need the
 * running server to act (hz re-arms the sweeper) go through
 * server_conf_applied(). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
        if (store_glob_match(c->argv[i], c->argvlen[i], name, nlen, 1)) {
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

/* Splits value on spaces into at most cap pieces, NUL-terminated in buf.
 * An empty value yields one empty piece, as `--save ""` does. */
static int split_value(char *buf, const char **pieces, int cap)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok && n < cap;
         tok = strtok_r(NULL, " ", &save))
        pieces[n++] = tok;
    if (n == 0)
        pieces[n++] = buf;
    return n;
}

static void config_set(struct client *c)
{
    if ((c->argc - 2) % 2 != 0) {
        reply_error(c, ERR_ARITY, "config|set");
        return;
    }
    for (size_t i = 2; i < c->argc; i += 2) {
        char name[128];
        size_t nlen = c->argvlen[i] < sizeof(name) - 1 ? c->argvlen[i]
                                                       : sizeof(name) - 1;
        memcpy(name, c->argv[i], nlen);
        name[nlen] = '\0';
        char *value = strndup(c->argv[i + 1], c->argvlen[i + 1]);
        if (!value) {
            reply_error(c, ERR_OOM);
            return;
        }
        const char *pieces[64];
        int n = split_value(value, pieces, 64);
        char err[256];
        int rc = conf_set(&c->srv->conf, name, pieces, n, 1, err, sizeof(err));
        free(value);
        if (rc != 0) {
            reply_error(c, ERR_CONFIG, err);
            return;
        }
    }
    server_conf_applied(c->srv);
    reply_ok(c);
}

static void config_resetstat(struct client *c)
{
    server_reset_stats(c->srv);
    reply_ok(c);
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
        "HELP",
        "    Print this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand config_subcommands[] = {
    { "GET", config_get, -3 },
    { "SET", config_set, -4 },
    { "RESETSTAT", config_resetstat, 2 },
    { "HELP", config_help, 2 },
};

const struct subcommand_table config_subs = {
    config_subcommands, sizeof(config_subcommands) / sizeof(config_subcommands[0])
};

void cmd_config(struct client *c)
{
    subcommand_dispatch(c, &config_subs);
}
