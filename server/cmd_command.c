/* cmd_command.c - COMMAND [COUNT | INFO | DOCS | LIST | HELP], generated
 * from the one command table in commands.c, so redis-cli's hints and
 * client libraries see exactly what exists. */
#include <ctype.h>
#include <string.h>

#include "server/handlers.h"
#include "server/server.h"

static const struct {
    unsigned bit;
    const char *name;
} flag_names[] = {
    { CMD_WRITE, "write" },       { CMD_READONLY, "readonly" },
    { CMD_DENYOOM, "denyoom" },   { CMD_ADMIN, "admin" },
    { CMD_PUBSUB, "pubsub" },     { CMD_NOSCRIPT, "noscript" },
    { CMD_LOADING, "loading" },   { CMD_STALE, "stale" },
    { CMD_SKIP_SLOWLOG, "skip_slowlog" },
    { CMD_FAST, "fast" },         { CMD_NOAUTH, "no_auth" },
    { CMD_NOMULTI, "no_multi" }, { CMD_BLOCKING, "blocking" },
};

static void add_lower_bulk(struct resp_out *o, const char *s)
{
    char buf[64];
    size_t n = strlen(s);
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    resp_add_bulk(o, buf, n);
}

static void add_info(struct resp_out *o, const struct command *cmd)
{
    size_t nflags = 0;
    for (size_t i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++)
        nflags += (cmd->flags & flag_names[i].bit) != 0;
    resp_add_array(o, 10);
    add_lower_bulk(o, cmd->name);
    resp_add_int(o, cmd->arity);
    resp_add_set(o, nflags);
    for (size_t i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++)
        if (cmd->flags & flag_names[i].bit)
            resp_add_simple(o, flag_names[i].name);
    resp_add_int(o, cmd->first_key);
    resp_add_int(o, cmd->last_key);
    resp_add_int(o, cmd->key_step);
    /* ACL categories: the access flag and the command's group. */
    int access = (cmd->flags & (CMD_WRITE | CMD_READONLY)) != 0;
    resp_add_set(o, (size_t)access + 1);
    if (access)
        resp_add_simple(o, (cmd->flags & CMD_WRITE) ? "@write" : "@read");
    char group[40] = "@";
    strncat(group, cmd->group, sizeof(group) - 2);
    resp_add_simple(o, group);
    resp_add_set(o, 0);            /* tips */
    resp_add_array(o, 0);          /* key specs */
    resp_add_array(o, 0);          /* subcommands */
}

static void add_docs(struct resp_out *o, const struct command *cmd)
{
    add_lower_bulk(o, cmd->name);
    resp_add_map(o, 3);
    resp_add_bulk_cstr(o, "summary");
    resp_add_bulk_cstr(o, cmd->summary);
    resp_add_bulk_cstr(o, "since");
    resp_add_bulk_cstr(o, cmd->since);
    resp_add_bulk_cstr(o, "group");
    resp_add_bulk_cstr(o, cmd->group);
}

static void command_all(struct client *c)
{
    size_t n;
    const struct command *t = command_table(&n);
    resp_add_array(&c->out, n);
    for (size_t i = 0; i < n; i++)
        add_info(&c->out, &t[i]);
}

static void command_count(struct client *c)
{
    size_t n;
    command_table(&n);
    resp_add_int(&c->out, (int64_t)n);
}

static void command_info(struct client *c)
{
    if (c->argc == 2) {
        command_all(c);
        return;
    }
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++) {
        const struct command *cmd =
            command_lookup(c->srv, c->argv[i], c->argvlen[i]);
        if (cmd)
            add_info(&c->out, cmd);
        else
            resp_add_null(&c->out);
    }
}

static void command_docs(struct client *c)
{
    size_t n;
    const struct command *t = command_table(&n);
    if (c->argc == 2) {
        resp_add_map(&c->out, n);
        for (size_t i = 0; i < n; i++)
            add_docs(&c->out, &t[i]);
        return;
    }
    size_t found = 0;
    for (size_t i = 2; i < c->argc; i++)
        found += command_lookup(c->srv, c->argv[i], c->argvlen[i]) != NULL;
    resp_add_map(&c->out, found);
    for (size_t i = 2; i < c->argc; i++) {
        const struct command *cmd =
            command_lookup(c->srv, c->argv[i], c->argvlen[i]);
        if (cmd)
            add_docs(&c->out, cmd);
    }
}

/* COMMAND LIST [FILTERBY PATTERN glob | ACLCAT cat | MODULE name] */
static void command_list(struct client *c)
{
    size_t n;
    const struct command *t = command_table(&n);
    const char *pat = NULL, *cat = NULL;
    size_t plen = 0, clen = 0;
    int none = 0;
    if (c->argc == 5 && arg_is(c, 2, "FILTERBY")) {
        if (arg_is(c, 3, "PATTERN")) {
            pat = c->argv[4];
            plen = c->argvlen[4];
        } else if (arg_is(c, 3, "ACLCAT")) {
            cat = c->argv[4];
            clen = c->argvlen[4];
        } else if (arg_is(c, 3, "MODULE")) {
            none = 1;              /* there are no modules */
        } else {
            reply_error(c, ERR_SYNTAX);
            return;
        }
    } else if (c->argc != 2) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct resp_out names;
    resp_out_init(&names, c->out.proto);
    size_t count = 0;
    for (size_t i = 0; i < n && !none; i++) {
        char lower[64];
        size_t len = strlen(t[i].name);
        for (size_t k = 0; k <= len; k++)
            lower[k] = (char)tolower((unsigned char)t[i].name[k]);
        if (pat && !store_glob_match(pat, plen, lower, len, 1))
            continue;
        if (cat && !(strlen(t[i].group) == clen &&
                     strncasecmp(t[i].group, cat, clen) == 0))
            continue;
        resp_add_bulk(&names, lower, len);
        count++;
    }
    resp_add_array(&c->out, count);
    resp_add_raw(&c->out, names.data ? names.data : "", names.len);
    resp_out_close(&names);
}

static void command_help(struct client *c)
{
    static const char *const lines[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)", "    Return details about all commands.",
        "COUNT", "    Return the total number of commands.",
        "DOCS [<command-name> ...]", "    Return documentary information "
        "about commands.",
        "INFO [<command-name> ...]", "    Return details about the given "
        "commands.",
        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN "
        "<pattern>)]", "    Return a list of all commands.",
        "HELP", "    Print this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

static const struct subcommand command_subcommands[] = {
    { "COUNT", command_count, 2, 0 },
    { "INFO", command_info, -2, 0 },
    { "DOCS", command_docs, -2, 0 },
    { "LIST", command_list, -2, 0 },
    { "HELP", command_help, 2, 0 },
};

const struct subcommand_table command_subs = {
    command_subcommands, sizeof(command_subcommands) / sizeof(command_subcommands[0])
};

void cmd_command(struct client *c)
{
    if (c->argc == 1) {
        command_all(c);
        return;
    }
    subcommand_dispatch(c, &command_subs);
}
