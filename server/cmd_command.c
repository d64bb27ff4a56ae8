/* cmd_command.c - COMMAND [COUNT | INFO | DOCS | LIST | HELP], generated
 * from the one command table in commands.c, so redis-cli's hints and
 * client libraries see exactly what exists. */
#include <ctype.h>
#include <stdio.h>
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

/* Redis's ACL categories, in the order it prints them, and the test that
 * puts a command in each: its group, or a flag. The few commands Redis
 * judged one by one are in acl_overrides below; together they give
 * Redis's categories for every command both have
 * (tests/integration/test_command_meta.py). */
#define ACL_CATS_MAX 8

static const struct {
    const char *name;
    const char *group;        /* the command's group, or NULL */
    unsigned flag;            /* a flag of the command, or 0 */
} acl_cats[] = {
    { "keyspace", "generic", 0 },    { "read", NULL, CMD_READONLY },
    { "write", NULL, CMD_WRITE },    { "set", "set", 0 },
    { "sortedset", "sorted-set", 0 }, { "list", "list", 0 },
    { "hash", "hash", 0 },           { "string", "string", 0 },
    { "bitmap", "bitmap", 0 },       { "hyperloglog", "hyperloglog", 0 },
    { "geo", "geo", 0 },             { "stream", "stream", 0 },
    { "pubsub", "pubsub", 0 },       { "admin", NULL, CMD_ADMIN },
    { "fast", NULL, CMD_FAST },      { "slow", NULL, 0 },
    { "blocking", NULL, CMD_BLOCKING }, { "dangerous", NULL, CMD_ADMIN },
    { "connection", "connection", 0 },
    { "transaction", "transactions", 0 },
    { "scripting", "scripting", 0 },
};

/* The commands whose categories in Redis follow neither their group nor
 * their flags (SORT is "generic" but a set/list/sorted set command; the
 * scripting _RO variants are not @read), Redis's lists verbatim. */
static const struct {
    const char *name;
    const char *cats[ACL_CATS_MAX];
} acl_overrides[] = {
    { "COMMAND", { "slow", "connection" } },
    { "DBSIZE", { "keyspace", "read", "fast" } },
    { "FLUSHALL", { "keyspace", "write", "slow", "dangerous" } },
    { "FLUSHDB", { "keyspace", "write", "slow", "dangerous" } },
    { "INFO", { "slow", "dangerous" } },
    { "KEYS", { "keyspace", "read", "slow", "dangerous" } },
    { "LASTSAVE", { "admin", "fast", "dangerous" } },
    { "READONLY", { "fast", "connection" } },
    { "READWRITE", { "fast", "connection" } },
    { "ROLE", { "admin", "fast", "dangerous" } },
    { "SORT", { "write", "set", "sortedset", "list", "slow", "dangerous" } },
    { "SORT_RO", { "read", "set", "sortedset", "list", "slow", "dangerous" } },
    { "SWAPDB", { "keyspace", "write", "fast", "dangerous" } },
    { "WAIT", { "slow", "connection" } },
    { "EVAL_RO", { "slow", "scripting" } },
    { "EVALSHA_RO", { "slow", "scripting" } },
    { "FCALL_RO", { "slow", "scripting" } },
};

/* Copies cmd's entry of acl_overrides into out; returns how many, or -1
 * when cmd has none. */
static int acl_override(const struct command *cmd, const char **out)
{
    for (size_t i = 0; i < sizeof(acl_overrides) / sizeof(*acl_overrides);
         i++) {
        if (strcmp(acl_overrides[i].name, cmd->name) != 0)
            continue;
        int n = 0;
        while (n < ACL_CATS_MAX && acl_overrides[i].cats[n]) {
            out[n] = acl_overrides[i].cats[n];
            n++;
        }
        return n;
    }
    return -1;
}

/* Fills out with cmd's categories; returns how many. @slow is every
 * command that is not @fast, as in Redis; a container (CLIENT, OBJECT)
 * takes no category from its group there either. */
static size_t acl_categories(const struct command *cmd, const char **out)
{
    int fixed = acl_override(cmd, out);
    if (fixed >= 0)
        return (size_t)fixed;
    size_t n = 0;
    for (size_t i = 0; i < sizeof(acl_cats) / sizeof(*acl_cats); i++) {
        int in;
        if (acl_cats[i].group)             /* a container has none */
            in = !cmd->subs && strcmp(cmd->group, acl_cats[i].group) == 0;
        else if (acl_cats[i].flag)
            in = (cmd->flags & acl_cats[i].flag) != 0;
        else
            in = !(cmd->flags & CMD_FAST);
        if (in && n < ACL_CATS_MAX)
            out[n++] = acl_cats[i].name;
    }
    return n;
}

/* 1 if cmd is in ACL category cat[0..len) (no '@'), case-insensitive. */
static int in_acl_category(const struct command *cmd, const char *cat,
                           size_t len)
{
    const char *cats[ACL_CATS_MAX];
    size_t n = acl_categories(cmd, cats);
    for (size_t i = 0; i < n; i++)
        if (strlen(cats[i]) == len && strncasecmp(cats[i], cat, len) == 0)
            return 1;
    return 0;
}

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
    const char *cats[ACL_CATS_MAX];
    size_t ncats = acl_categories(cmd, cats);
    resp_add_set(o, ncats);
    for (size_t i = 0; i < ncats; i++) {
        char name[40] = "@";
        strncat(name, cats[i], sizeof(name) - 2);
        resp_add_simple(o, name);
    }
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

/* Adds name (lower case) to names when it matches pat (if any, without
 * regard to case); returns 1 if it was added. */
static int list_name(struct resp_out *names, const char *pat, size_t plen,
                     const char *name)
{
    if (pat && !store_glob_match(pat, plen, name, strlen(name), 1))
        return 0;
    add_lower_bulk(names, name);
    return 1;
}

/* COMMAND LIST [FILTERBY PATTERN glob | ACLCAT cat | MODULE name]: every
 * command, and as in Redis each container's subcommands as
 * "container|sub"; ACLCAT lists commands only (subcommands carry no
 * categories here). */
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
        if (cat) {
            if (in_acl_category(&t[i], cat, clen))
                count += list_name(&names, NULL, 0, t[i].name);
            continue;
        }
        count += list_name(&names, pat, plen, t[i].name);
        for (size_t j = 0; t[i].subs && j < t[i].subs->n; j++) {
            char full[96];
            snprintf(full, sizeof(full), "%s|%s", t[i].name,
                     t[i].subs->subs[j].name);
            count += list_name(&names, pat, plen, full);
        }
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
