/* cmd_command.c - COMMAND [COUNT | INFO | DOCS | LIST | HELP], generated
 * from the one command table in commands.c, so redis-cli's hints and
 * client libraries see exactly what exists. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/docs.h"
#include "server/handlers.h"
#include "server/keyspec.h"
#include "server/server.h"

/* The flags COMMAND INFO prints, in Redis's order: a dispatch bit
 * (server.h), or a flag the key spec table adds (keyspec.h), or
 * movablekeys, which follows from the key specs. CMD_PUBSUB means
 * another thing than Redis's pubsub, so that name comes from the table;
 * Redis's no_multi is CMD_REFUSED_IN_MULTI, not CMD_NOMULTI (runs at
 * once inside MULTI). */
#define MOVABLEKEYS (~0u)

static const struct {
    unsigned bit;              /* a CMD_ flag, or 0 */
    unsigned info;             /* a KS_INFO_ flag, or 0 */
    const char *name;
} flag_names[] = {
    { CMD_WRITE, 0, "write" },
    { CMD_READONLY, 0, "readonly" },
    { CMD_DENYOOM, 0, "denyoom" },
    { CMD_ADMIN, 0, "admin" },
    { 0, KS_INFO_PUBSUB, "pubsub" },
    { CMD_NOSCRIPT, 0, "noscript" },
    { CMD_BLOCKING, 0, "blocking" },
    { CMD_LOADING, KS_INFO_LOADING, "loading" },
    { CMD_STALE, KS_INFO_STALE, "stale" },
    { 0, KS_INFO_SKIP_MONITOR, "skip_monitor" },
    { CMD_SKIP_SLOWLOG, 0, "skip_slowlog" },
    { CMD_FAST, 0, "fast" },
    { CMD_NOAUTH, 0, "no_auth" },
    { 0, KS_INFO_NO_MANDATORY_KEYS, "no_mandatory_keys" },
    { 0, KS_INFO_NO_ASYNC_LOADING, "no_async_loading" },
    { CMD_REFUSED_IN_MULTI, 0, "no_multi" },
    { 0, MOVABLEKEYS, "movablekeys" },
    { 0, KS_INFO_ALLOW_BUSY, "allow_busy" },
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
    { "ASKING", { "fast", "connection" } },
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
    { "WAITAOF", { "slow", "connection" } },
    { "EVAL_RO", { "slow", "scripting" } },
    { "EVALSHA_RO", { "slow", "scripting" } },
    { "FCALL_RO", { "slow", "scripting" } },
    { "PUBSUB|HELP", { "slow" } },
    { "RESTORE", { "keyspace", "write", "slow", "dangerous" } },
};

/* The index in acl_overrides of the entry named name[0..len), or -1. */
static int acl_override_index(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(acl_overrides) / sizeof(*acl_overrides);
         i++)
        if (strlen(acl_overrides[i].name) == len &&
            memcmp(acl_overrides[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* Copies cmd's entry of acl_overrides into out; returns how many, or -1
 * when cmd has none. A subcommand ("COMMAND|INFO") without an entry of
 * its own takes its container's. */
static int acl_override(const struct command *cmd, const char **out)
{
    int i = acl_override_index(cmd->name, strlen(cmd->name));
    if (i < 0 && strchr(cmd->name, '|'))
        i = acl_override_index(cmd->name, strcspn(cmd->name, "|"));
    if (i < 0)
        return -1;
    int n = 0;
    while (n < ACL_CATS_MAX && acl_overrides[i].cats[n]) {
        out[n] = acl_overrides[i].cats[n];
        n++;
    }
    return n;
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

/* 1 if COMMAND INFO prints flag_names[i] for a command with dispatch
 * flags and key spec row ks. */
static int has_flag(size_t i, unsigned flags, const struct keyspec_cmd *ks)
{
    if (flag_names[i].info == MOVABLEKEYS)
        return keyspec_movable(ks);
    return (flags & flag_names[i].bit) ||
           (ks && (ks->info & flag_names[i].info));
}

static void add_flags(struct resp_out *o, unsigned flags,
                      const struct keyspec_cmd *ks)
{
    const size_t n = sizeof(flag_names) / sizeof(*flag_names);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += has_flag(i, flags, ks);
    resp_add_set(o, count);
    for (size_t i = 0; i < n; i++)
        if (has_flag(i, flags, ks))
            resp_add_simple(o, flag_names[i].name);
}

static void add_categories(struct resp_out *o, const struct command *cmd)
{
    const char *cats[ACL_CATS_MAX];
    size_t ncats = acl_categories(cmd, cats);
    resp_add_set(o, ncats);
    for (size_t i = 0; i < ncats; i++) {
        char name[40] = "@";
        strncat(name, cats[i], sizeof(name) - 2);
        resp_add_simple(o, name);
    }
}

/* The tips, space-separated in the table, as a set of strings. */
static void add_tips(struct resp_out *o, const struct keyspec_cmd *ks)
{
    const char *t = ks && ks->tips ? ks->tips : "";
    size_t n = 0;
    for (const char *p = t; *p; p++)
        n += (p == t || p[-1] == ' ') && *p != ' ';
    resp_add_set(o, n);
    while (*t) {
        size_t len = strcspn(t, " ");
        if (len)
            resp_add_bulk(o, t, len);
        t += len + (t[len] == ' ');
    }
}

static const char *const spec_flag_names[] = {
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
    "not_key", "incomplete", "variable_flags",
};

/* A key's or a spec's flags, as a set in Redis's order. */
static void add_spec_flags(struct resp_out *o, unsigned flags)
{
    const size_t n = sizeof(spec_flag_names) / sizeof(*spec_flag_names);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += (flags >> i) & 1;
    resp_add_set(o, count);
    for (size_t i = 0; i < n; i++)
        if ((flags >> i) & 1)
            resp_add_simple(o, spec_flag_names[i]);
}

/* One "type"/"spec" map of a key spec; names and values pair up. */
static void add_search(struct resp_out *o, const char *type, size_t n,
                       const char *const *names, const int *values,
                       const char *keyword)
{
    resp_add_map(o, 2);
    resp_add_bulk_cstr(o, "type");
    resp_add_bulk_cstr(o, type);
    resp_add_bulk_cstr(o, "spec");
    resp_add_map(o, n);
    for (size_t i = 0; i < n; i++) {
        resp_add_bulk_cstr(o, names[i]);
        if (keyword && i == 0)
            resp_add_bulk_cstr(o, keyword);
        else
            resp_add_int(o, values[i]);
    }
}

/* A key spec, as Redis prints it (its notes, Redis's prose, left out). */
static void add_spec(struct resp_out *o, const struct keyspec *s)
{
    static const char *const index[] = { "index" };
    static const char *const keyword[] = { "keyword", "startfrom" };
    static const char *const range[] = { "lastkey", "keystep", "limit" };
    static const char *const keynum[] = { "keynumidx", "firstkey",
                                          "keystep" };
    const int pos[] = { s->pos, s->pos };
    const int abc[] = { s->a, s->b, s->c };
    resp_add_map(o, 3);
    resp_add_bulk_cstr(o, "flags");
    add_spec_flags(o, s->flags);
    resp_add_bulk_cstr(o, "begin_search");
    if (s->begin == KS_BEGIN_INDEX)
        add_search(o, "index", 1, index, pos, NULL);
    else if (s->begin == KS_BEGIN_KEYWORD)
        add_search(o, "keyword", 2, keyword, pos, s->keyword);
    else
        add_search(o, "unknown", 0, NULL, NULL, NULL);
    resp_add_bulk_cstr(o, "find_keys");
    if (s->find == KS_FIND_RANGE)
        add_search(o, "range", 3, range, abc, NULL);
    else if (s->find == KS_FIND_KEYNUM)
        add_search(o, "keynum", 3, keynum, abc, NULL);
    else
        add_search(o, "unknown", 0, NULL, NULL, NULL);
}

static void add_specs(struct resp_out *o, const struct keyspec_cmd *ks)
{
    int n = keyspec_count(ks);
    resp_add_set(o, (size_t)n);
    for (int i = 0; i < n; i++)
        add_spec(o, &ks->specs[i]);
}

/* The "CONTAINER|SUB" name of cmd's subcommand sc into buf. */
static const char *sub_name(char *buf, size_t cap, const struct command *cmd,
                            const struct subcommand *sc)
{
    snprintf(buf, cap, "%s|%s", cmd->name, sc->name);
    return buf;
}

/* cmd's subcommand sc as a command of its own, named "CMD|SUB" in name
 * (which it borrows): the container's group and both's flags give its
 * ACL categories, its key specs its first/last/step. */
static struct command sub_command(char *name, size_t cap,
                                  const struct command *cmd,
                                  const struct subcommand *sc)
{
    struct command sub = *cmd;
    sub.name = sub_name(name, cap, cmd, sc);
    sub.arity = sc->arity;
    sub.flags = cmd->flags | sc->flags;
    sub.subs = NULL;
    keyspec_legacy_range(keyspec_lookup(name, strlen(name)), &sub.first_key,
                         &sub.last_key, &sub.key_step);
    return sub;
}

static void add_sub_info(struct resp_out *o, const struct command *cmd,
                         const struct subcommand *sc)
{
    char name[96];
    struct command sub = sub_command(name, sizeof(name), cmd, sc);
    const struct keyspec_cmd *ks = keyspec_lookup(name, strlen(name));
    resp_add_array(o, 10);
    add_lower_bulk(o, name);
    resp_add_int(o, sub.arity);
    add_flags(o, sub.flags, ks);
    resp_add_int(o, sub.first_key);
    resp_add_int(o, sub.last_key);
    resp_add_int(o, sub.key_step);
    add_categories(o, &sub);
    add_tips(o, ks);
    add_specs(o, ks);
    resp_add_set(o, 0);
}

/* cmd's COMMAND INFO entry: name, arity, flags, first key, last key,
 * step (the table's, which a test checks against the specs), ACL
 * categories, tips, key specs, and each subcommand's entry. */
static void add_info(struct resp_out *o, const struct command *cmd)
{
    const struct keyspec_cmd *ks =
        keyspec_lookup(cmd->name, strlen(cmd->name));
    resp_add_array(o, 10);
    add_lower_bulk(o, cmd->name);
    resp_add_int(o, cmd->arity);
    add_flags(o, cmd->flags, ks);
    resp_add_int(o, cmd->first_key);
    resp_add_int(o, cmd->last_key);
    resp_add_int(o, cmd->key_step);
    add_categories(o, cmd);
    add_tips(o, ks);
    add_specs(o, ks);
    size_t nsubs = cmd->subs ? cmd->subs->n : 0;
    if (nsubs == 0) {
        resp_add_set(o, 0);
        return;
    }
    resp_add_array(o, nsubs);
    for (size_t i = 0; i < nsubs; i++)
        add_sub_info(o, cmd, &cmd->subs->subs[i]);
}

/* A COMMAND DOCS entry's map: summary, since and group, then from the
 * docs table (docs.h) the arguments, and for a container each
 * subcommand's entry. name is the table's ("CONFIG|GET" for a
 * subcommand, whose summary and since are the table's too). */
static void add_docs_map(struct resp_out *o, const char *name,
                         const struct command *cmd)
{
    static struct docs_tree tree;
    const struct docs_row *row = docs_lookup(name, strlen(name));
    int sub = strchr(name, '|') != NULL;
    int args = row && row->syntax[0] && docs_parse(row->syntax, &tree) == 0;
    size_t nsubs = !sub && cmd->subs ? cmd->subs->n : 0;
    resp_add_map(o, 3 + (size_t)args + (nsubs > 0));
    resp_add_bulk_cstr(o, "summary");
    resp_add_bulk_cstr(o, sub ? (row ? row->summary : "") : cmd->summary);
    resp_add_bulk_cstr(o, "since");
    resp_add_bulk_cstr(o, sub ? (row ? row->since : "") : cmd->since);
    resp_add_bulk_cstr(o, "group");
    resp_add_bulk_cstr(o, cmd->group);
    if (args) {
        resp_add_bulk_cstr(o, "arguments");
        docs_add_arguments(o, &tree);
    }
    if (nsubs == 0)
        return;
    resp_add_bulk_cstr(o, "subcommands");
    resp_add_map(o, nsubs);
    for (size_t i = 0; i < nsubs; i++) {
        char sname[96];
        sub_name(sname, sizeof(sname), cmd, &cmd->subs->subs[i]);
        add_lower_bulk(o, sname);
        add_docs_map(o, sname, cmd);
    }
}

/* cmd's (or its subcommand sc's) name and COMMAND DOCS entry. */
static void add_docs(struct resp_out *o, const struct command *cmd,
                     const struct subcommand *sc)
{
    char name[96];
    if (sc)
        sub_name(name, sizeof(name), cmd, sc);
    else
        snprintf(name, sizeof(name), "%s", cmd->name);
    add_lower_bulk(o, name);
    add_docs_map(o, name, cmd);
}

/* The commands a name answers to: all but those rename-command took away
 * (renamed ones are listed under their own names, as in Redis). */
static size_t answering(const struct server *srv)
{
    size_t n, k = 0;
    const struct command *t = command_table(&n);
    for (size_t i = 0; i < n; i++)
        k += command_answers(srv, &t[i]);
    return k;
}

static void command_all(struct client *c)
{
    size_t n;
    const struct command *t = command_table(&n);
    resp_add_array(&c->out, answering(c->srv));
    for (size_t i = 0; i < n; i++)
        if (command_answers(c->srv, &t[i]))
            add_info(&c->out, &t[i]);
}

static void command_count(struct client *c)
{
    resp_add_int(&c->out, (int64_t)answering(c->srv));
}

static void command_info(struct client *c)
{
    if (c->argc == 2) {
        command_all(c);
        return;
    }
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++) {
        const struct subcommand *sc;
        const struct command *cmd =
            command_lookup_full(c->srv, c->argv[i], c->argvlen[i], &sc);
        if (sc)
            add_sub_info(&c->out, cmd, sc);
        else if (cmd)
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
        resp_add_map(&c->out, answering(c->srv));
        for (size_t i = 0; i < n; i++)
            if (command_answers(c->srv, &t[i]))
                add_docs(&c->out, &t[i], NULL);
        return;
    }
    const struct subcommand *sc;
    size_t found = 0;
    for (size_t i = 2; i < c->argc; i++)
        found += command_lookup_full(c->srv, c->argv[i], c->argvlen[i],
                                     &sc) != NULL;
    resp_add_map(&c->out, found);
    for (size_t i = 2; i < c->argc; i++) {
        const struct command *cmd =
            command_lookup_full(c->srv, c->argv[i], c->argvlen[i], &sc);
        if (cmd)
            add_docs(&c->out, cmd, sc);
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
 * "container|sub". */
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
        if (!command_answers(c->srv, &t[i]))
            continue;
        if (cat) {
            if (in_acl_category(&t[i], cat, clen))
                count += list_name(&names, NULL, 0, t[i].name);
            for (size_t j = 0; t[i].subs && j < t[i].subs->n; j++) {
                char name[96];
                struct command sub = sub_command(name, sizeof(name), &t[i],
                                                 &t[i].subs->subs[j]);
                if (in_acl_category(&sub, cat, clen))
                    count += list_name(&names, NULL, 0, name);
            }
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

/* The command (or subcommand: its row's name into name) COMMAND GETKEYS
 * asks about, argv[2] on; its arity into *arity. NULL after replying
 * when there is none. */
static const struct command *getkeys_target(struct client *c, char *name,
                                            size_t cap, int *arity)
{
    const struct command *cmd =
        command_lookup(c->srv, c->argv[2], c->argvlen[2]);
    if (cmd && !cmd->subs) {
        snprintf(name, cap, "%s", cmd->name);
        *arity = cmd->arity;
        return cmd;
    }
    const struct subcommand *sc =
        cmd ? subcommand_in(cmd, c->argv[3], c->argvlen[3]) : NULL;
    if (sc) {
        sub_name(name, cap, cmd, sc);
        *arity = sc->arity;
        return cmd;
    }
    reply_error(c, ERR_GETKEYS_COMMAND);
    return NULL;
}

/* 1 if row's specs name any key (shard channels are not keys). */
static int has_keys(const struct keyspec_cmd *row)
{
    for (int i = 0; i < keyspec_count(row); i++)
        if (!(row->specs[i].flags & KS_NOT_KEY))
            return 1;
    return 0;
}

/* COMMAND GETKEYS / GETKEYSANDFLAGS cmd arg...: the keys the call would
 * touch, found as ACL checks will find them (keyspec_keys), with their
 * flags when with_flags. */
static void command_getkeys_reply(struct client *c, int with_flags)
{
    char name[96];
    int arity;
    if (!getkeys_target(c, name, sizeof(name), &arity))
        return;
    const struct keyspec_cmd *row = keyspec_lookup(name, strlen(name));
    int argc = (int)c->argc - 2;
    if (!has_keys(row)) {
        reply_error(c, ERR_GETKEYS_NO_KEYS);
        return;
    }
    if ((arity > 0 && arity != argc) || argc < -arity) {
        reply_error(c, ERR_GETKEYS_ARITY);
        return;
    }
    struct keyspec_key few[16], *keys = few;
    int n = keyspec_keys(row, argc, c->argv + 2, c->argvlen + 2, few, 16);
    if (n > 16) {                  /* MSET k v k v...: a second pass */
        if (!(keys = malloc(sizeof(*keys) * (size_t)n))) {
            reply_error(c, ERR_OOM);
            return;
        }
        keyspec_keys(row, argc, c->argv + 2, c->argvlen + 2, keys, n);
    }
    if (n <= 0 && !(row->info & KS_INFO_NO_MANDATORY_KEYS)) {
        reply_error(c, ERR_GETKEYS_ARGS);
        return;
    }
    resp_add_array(&c->out, n > 0 ? (size_t)n : 0);
    for (int i = 0; i < n; i++) {
        if (with_flags)
            resp_add_array(&c->out, 2);
        resp_add_bulk(&c->out, c->argv[2 + keys[i].pos],
                      c->argvlen[2 + keys[i].pos]);
        if (with_flags)
            add_spec_flags(&c->out, keys[i].flags);
    }
    if (keys != few)
        free(keys);
}

static void command_getkeys(struct client *c)
{
    command_getkeys_reply(c, 0);
}

static void command_getkeysandflags(struct client *c)
{
    command_getkeys_reply(c, 1);
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
        "GETKEYS <full-command>", "    Return the keys a call of the "
        "command would touch.",
        "GETKEYSANDFLAGS <full-command>", "    Return those keys with their "
        "access flags.",
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
    { "GETKEYS", command_getkeys, -4, 0 },
    { "GETKEYSANDFLAGS", command_getkeysandflags, -4, 0 },
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

/* ---- For ACL (acl.c) ------------------------------------------------------ */

/* See server.h. */
const char *command_acl_category_name(size_t i)
{
    return i < sizeof(acl_cats) / sizeof(*acl_cats) ? acl_cats[i].name : NULL;
}

/* See server.h. Bit i stands for command_acl_category_name(i). */
uint32_t command_acl_category_mask(const struct command *cmd,
                                   const struct subcommand *sc)
{
    char name[96];
    struct command sub;
    if (sc) {
        sub = sub_command(name, sizeof(name), cmd, sc);
        cmd = &sub;
    }
    const char *cats[ACL_CATS_MAX];
    size_t n = acl_categories(cmd, cats);
    uint32_t mask = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < sizeof(acl_cats) / sizeof(*acl_cats); j++)
            if (strcmp(cats[i], acl_cats[j].name) == 0)
                mask |= (uint32_t)1 << j;
    return mask;
}
