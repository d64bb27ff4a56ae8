/* cmd_acl.c - the ACL container: SETUSER, GETUSER, DELUSER, LIST, USERS,
 * WHOAMI, CAT, GENPASS, DRYRUN, LOG, LOAD, SAVE, HELP, with Redis 7.0's
 * replies and errors. The users and rules are acl.c's and
 * acl_rules.c's; this file parses and answers.
 *
 * SETUSER is atomic as in Redis: the rules are applied to a copy of the
 * user, which replaces it only when every rule was accepted; a user
 * created by a SETUSER that fails is removed again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "server/acl.h"
#include "server/handlers.h"
#include "server/server.h"

/* Replies the error text msg (a C string). */
static void reply_error_cstr(struct client *c, const char *msg)
{
    reply_error_text(c, msg, strlen(msg));
}

/* Replies the error of rule op[0..len), refused with err. */
static void reply_rule_error(struct client *c, const char *op, size_t len,
                             enum acl_rule_err err)
{
    char msg[512];
    int n = snprintf(msg, sizeof(msg),
                     "ERR Error in ACL SETUSER modifier '%.*s': %s",
                     (int)(len > 128 ? 128 : len), op,
                     acl_rule_err_text(err));
    if (n < 0)
        n = 0;
    reply_error_text(c, msg, (size_t)n < sizeof(msg) ? (size_t)n
                                                      : sizeof(msg) - 1);
}

/* Applies rules argv[first..argc) to user u (atomically), a selector's
 * arguments joined first; replies the error of the first rule refused and
 * returns 0, else returns 1. */
static int apply_rules_or_reply(struct client *c, struct acl_user *u,
                                size_t first)
{
    struct server *srv = c->srv;
    size_t n = c->argc - first, bad = 0;
    char **ops = calloc(n + 1, sizeof(*ops));
    size_t *lens = calloc(n + 1, sizeof(*lens));
    struct acl_user *tmp = ops && lens ? acl_user_dup(srv->acl, u) : NULL;
    size_t nops = tmp ? acl_merge_selectors(c->argv + first,
                                            c->argvlen + first, n, ops, lens,
                                            &bad)
                      : (size_t)-1;
    int ok = nops != (size_t)-1;
    if (!ok) {
        if (!tmp || bad == (size_t)-1) {
            reply_error(c, ERR_OOM);
        } else {
            char msg[256];
            int m = snprintf(msg, sizeof(msg), "ERR Unmatched parenthesis "
                             "in acl selector starting at '%.*s'.",
                             ARGV_CLIPPED(c, first + bad));
            reply_error_text(c, msg, m > 0 && (size_t)m < sizeof(msg)
                                         ? (size_t)m : sizeof(msg) - 1);
        }
        nops = 0;
    }
    for (size_t i = 0; ok && i < nops; i++) {
        enum acl_rule_err err = acl_rule_apply(srv, tmp, ops[i], lens[i]);
        if (err != ACL_RULE_OK) {
            reply_rule_error(c, ops[i], lens[i], err);
            ok = 0;
        }
    }
    for (size_t i = 0; i < nops; i++)
        free(ops[i]);
    free(ops);
    free(lens);
    if (!ok) {
        acl_user_free(tmp);
        return 0;
    }
    acl_user_replace(srv, u, tmp);
    acl_kill_pubsub_clients(srv, u);
    return 1;
}

static void acl_setuser(struct client *c)
{
    struct server *srv = c->srv;
    /* Passwords among them: the slow log shows "(redacted)" for every
     * argument after SETUSER, as Redis's does, even when refused. */
    for (size_t i = 2; i < c->argc; i++)
        client_redact_arg(c, i);
    const char *name = c->argv[2];
    size_t len = c->argvlen[2];
    if (memchr(name, ' ', len) || memchr(name, '\0', len)) {
        reply_error_cstr(c, "ERR Usernames can't contain spaces or null "
                            "characters");
        return;
    }
    struct acl_user *u = acl_user_find(srv->acl, name, len);
    int created = 0;
    if (!u) {
        u = acl_user_create(srv, name, len);
        if (!u) {
            reply_error(c, ERR_OOM);
            return;
        }
        acl_user_changed(srv, u);
        created = 1;
    }
    if (apply_rules_or_reply(c, u, 3))
        reply_ok(c);
    else if (created)
        acl_user_delete(srv, u);
}

/* GETUSER's commands, keys and channels of the selector u. */
static void add_selector_fields(struct client *c, const struct acl *acl,
                                const struct acl_user *u)
{
    struct resp_out text;
    resp_out_init(&text, 2);
    resp_add_bulk_cstr(&c->out, "commands");
    acl_describe_commands(acl, u, &text);
    resp_add_bulk(&c->out, text.data ? text.data : "", text.len);
    resp_out_reset(&text, 0);
    resp_add_bulk_cstr(&c->out, "keys");
    acl_describe_keys(u, &text);
    resp_add_bulk(&c->out, text.data ? text.data : "", text.len);
    resp_out_reset(&text, 0);
    resp_add_bulk_cstr(&c->out, "channels");
    acl_describe_channels(u, &text);
    resp_add_bulk(&c->out, text.data ? text.data : "", text.len);
    resp_out_close(&text);
}

/* ACL GETUSER name: a null when there is no such user. */
static void acl_getuser(struct client *c)
{
    const struct acl *acl = c->srv->acl;
    const struct acl_user *u = acl_user_find(acl, c->argv[2], c->argvlen[2]);
    if (!u) {
        resp_add_null(&c->out);
        return;
    }
    resp_add_map(&c->out, 6);
    resp_add_bulk_cstr(&c->out, "flags");
    const char *flags[3];
    size_t nf = 0;
    flags[nf++] = (u->flags & ACL_USER_ON) ? "on" : "off";
    if (u->flags & ACL_USER_NOPASS)
        flags[nf++] = "nopass";
    if (u->flags & ACL_USER_SKIP_SANITIZE)
        flags[nf++] = "skip-sanitize-payload";
    if (u->flags & ACL_USER_SANITIZE)
        flags[nf++] = "sanitize-payload";
    resp_add_set(&c->out, nf);
    for (size_t i = 0; i < nf; i++)
        resp_add_bulk_cstr(&c->out, flags[i]);
    resp_add_bulk_cstr(&c->out, "passwords");
    resp_add_array(&c->out, u->npass);
    for (size_t i = 0; i < u->npass; i++)
        resp_add_bulk(&c->out, u->pass[i], ACL_HASH_LEN);
    add_selector_fields(c, acl, u);
    resp_add_bulk_cstr(&c->out, "selectors");
    resp_add_array(&c->out, u->nsels);
    for (size_t i = 0; i < u->nsels; i++) {
        resp_add_map(&c->out, 3);
        add_selector_fields(c, acl, u->sels[i]);
    }
}

static void acl_deluser(struct client *c)
{
    struct server *srv = c->srv;
    for (size_t i = 2; i < c->argc; i++) {
        if (c->argvlen[i] == 7 && memcmp(c->argv[i], "default", 7) == 0) {
            reply_error_cstr(c,
                             "ERR The 'default' user cannot be removed");
            return;
        }
    }
    int64_t deleted = 0;
    for (size_t i = 2; i < c->argc; i++) {
        struct acl_user *u =
            acl_user_find(srv->acl, c->argv[i], c->argvlen[i]);
        if (u) {
            acl_user_delete(srv, u);
            deleted++;
        }
    }
    resp_add_int(&c->out, deleted);
}

static void acl_list(struct client *c)
{
    const struct acl *acl = c->srv->acl;
    resp_add_array(&c->out, acl->nusers);
    struct resp_out text;
    resp_out_init(&text, 2);
    for (size_t i = 0; i < acl->nusers; i++) {
        resp_out_reset(&text, 0);
        acl_describe_user(acl, acl->users[i], &text);
        resp_add_bulk(&c->out, text.data ? text.data : "", text.len);
    }
    resp_out_close(&text);
}

static void acl_users(struct client *c)
{
    const struct acl *acl = c->srv->acl;
    resp_add_array(&c->out, acl->nusers);
    for (size_t i = 0; i < acl->nusers; i++)
        resp_add_bulk(&c->out, acl->users[i]->name, acl->users[i]->namelen);
}

static void acl_whoami(struct client *c)
{
    resp_add_bulk(&c->out, c->user->name, c->user->namelen);
}

/* ACL CAT [category]: the categories, or the commands of one. */
static void acl_cat(struct client *c)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "ACL");
        return;
    }
    if (c->argc == 2) {
        size_t n = 0;
        while (command_acl_category_name(n))
            n++;
        resp_add_array(&c->out, n);
        for (size_t i = 0; i < n; i++)
            resp_add_bulk_cstr(&c->out, command_acl_category_name(i));
        return;
    }
    uint32_t cat = 0;
    for (size_t i = 0; command_acl_category_name(i); i++) {
        const char *name = command_acl_category_name(i);
        if (strlen(name) == c->argvlen[2] &&
            strncasecmp(name, c->argv[2], c->argvlen[2]) == 0)
            cat = (uint32_t)1 << i;
    }
    if (!cat) {
        char msg[200];
        int n = snprintf(msg, sizeof(msg), "ERR Unknown category '%.*s'",
                         ARGV_CLIPPED(c, 2));
        reply_error_text(c, msg, (size_t)n);
        return;
    }
    const struct acl *acl = c->srv->acl;
    size_t count = 0;
    for (size_t id = 0; id < acl->ncmds; id++)
        count += (acl->cmds[id].cats & cat) != 0;
    resp_add_array(&c->out, count);
    for (size_t id = 0; id < acl->ncmds; id++)
        if (acl->cmds[id].cats & cat)
            resp_add_bulk_cstr(&c->out, acl->cmds[id].name);
}

/* ACL GENPASS [bits]: random hex, 4 bits a digit, 256 bits by default. */
static void acl_genpass(struct client *c)
{
    if (c->argc > 3) {
        reply_error(c, ERR_SUBCMD_ARGS, ARGV_CLIPPED(c, 1), "ACL");
        return;
    }
    int64_t bits = 256;
    if (c->argc == 3 && !arg_i64_or_reply(c, 2, &bits))
        return;
    if (bits <= 0 || bits > 4096) {
        reply_error_cstr(c, "ERR ACL GENPASS argument must be the number of "
                            "bits for the output password, a positive "
                            "number up to 4096");
        return;
    }
    size_t chars = (size_t)(bits + 3) / 4;
    unsigned char raw[512];
    size_t need = (chars + 1) / 2, got = 0;
    while (got < need) {
        ssize_t r = getrandom(raw + got, need - got, 0);
        if (r <= 0) {
            reply_error_cstr(c, "ERR failed to read random bytes");
            return;
        }
        got += (size_t)r;
    }
    static const char digits[] = "0123456789abcdef";
    char hex[1025];
    for (size_t i = 0; i < chars; i++)
        hex[i] = digits[(raw[i / 2] >> ((i % 2) ? 0 : 4)) & 15];
    resp_add_bulk(&c->out, hex, chars);
}

/* ACL DRYRUN user command [arg ...]: whether user may run it, as a bulk
 * string saying why not, or +OK. Nothing is run or logged. */
static void acl_dryrun(struct client *c)
{
    struct server *srv = c->srv;
    const struct acl_user *u =
        acl_user_find(srv->acl, c->argv[2], c->argvlen[2]);
    char msg[512];
    int n;
    if (!u) {
        n = snprintf(msg, sizeof(msg), "ERR User '%.*s' not found",
                     ARGV_CLIPPED(c, 2));
        reply_error_text(c, msg, (size_t)n);
        return;
    }
    const struct subcommand *sub;
    const struct command *cmd = command_of_call(
        srv, c->argc - 3, c->argv + 3, c->argvlen + 3, &sub);
    if (!cmd) {
        n = snprintf(msg, sizeof(msg), "ERR Command '%.*s' not found",
                     ARGV_CLIPPED(c, 3));
        reply_error_text(c, msg, (size_t)n);
        return;
    }
    const char *name = srv->acl->cmds[acl_cmd_id(srv, cmd, sub)].name;
    int arity = sub ? sub->arity : cmd->arity;
    size_t argc = c->argc - 3;
    if ((arity > 0 && (size_t)arity != argc) ||
        (arity < 0 && argc < (size_t)-arity)) {
        reply_error(c, ERR_ARITY, name);
        return;
    }
    int pos;
    const char *const *argv = c->argv + 3;
    const size_t *argvlen = c->argvlen + 3;
    enum acl_denial why = acl_check(srv, u, cmd, sub, argc, argv, argvlen,
                                    &pos);
    if (why == ACL_OK) {
        reply_ok(c);
        return;
    }
    if (why == ACL_DENIED_CMD) {
        n = snprintf(msg, sizeof(msg), "This user has no permissions to run "
                     "the '%s' command", name);
        resp_add_bulk(&c->out, msg, n > 0 ? (size_t)n : 0);
        return;
    }
    /* The key or channel whole, however long. */
    struct resp_out text;
    resp_out_init(&text, 2);
    static const char head[] = "This user has no permissions to access the '";
    resp_add_raw(&text, head, sizeof(head) - 1);
    resp_add_raw(&text, argv[pos], argvlen[pos]);
    const char *tail = why == ACL_DENIED_KEY ? "' key" : "' channel";
    resp_add_raw(&text, tail, strlen(tail));
    if (text.nomem)
        reply_error(c, ERR_OOM);
    else
        resp_add_bulk(&c->out, text.data, text.len);
    resp_out_close(&text);
}

static void acl_log(struct client *c)
{
    acl_log_command(c);
}

/* ACL LOAD and SAVE without an aclfile: Redis's error. */
static void acl_no_file(struct client *c)
{
    static const char msg[] =
        "ERR This Redis instance is not configured to use an ACL file. You "
        "may want to specify users via the ACL SETUSER command and then "
        "issue a CONFIG REWRITE (assuming you have a Redis configuration "
        "file set) in order to store users in the Redis configuration.";
    reply_error_text(c, msg, sizeof(msg) - 1);
}

static void acl_load(struct client *c)
{
    if (!c->srv->conf.aclfile) {
        acl_no_file(c);
        return;
    }
    acl_file_load_command(c);
}

static void acl_save(struct client *c)
{
    if (!c->srv->conf.aclfile) {
        acl_no_file(c);
        return;
    }
    acl_file_save_command(c);
}

static void acl_help(struct client *c)
{
    static const char *const lines[] = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command "
        "categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without "
        "executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` "
        "argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    };
    reply_help(c, lines, sizeof(lines) / sizeof(lines[0]));
}

#define ACL_ADMIN (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define ACL_PLAIN (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static const struct subcommand acl_subcommands[] = {
    { "CAT", acl_cat, -2, ACL_PLAIN },
    { "DELUSER", acl_deluser, -3, ACL_ADMIN },
    { "DRYRUN", acl_dryrun, -4, ACL_ADMIN },
    { "GENPASS", acl_genpass, -2, ACL_PLAIN },
    { "GETUSER", acl_getuser, 3, ACL_ADMIN },
    { "LIST", acl_list, 2, ACL_ADMIN },
    { "LOAD", acl_load, 2, ACL_ADMIN },
    { "LOG", acl_log, -2, ACL_ADMIN },
    { "SAVE", acl_save, 2, ACL_ADMIN },
    { "SETUSER", acl_setuser, -3, ACL_ADMIN },
    { "USERS", acl_users, 2, ACL_ADMIN },
    { "WHOAMI", acl_whoami, 2, ACL_PLAIN },
    { "HELP", acl_help, 2, CMD_LOADING | CMD_STALE },
};

const struct subcommand_table acl_subs = {
    acl_subcommands, sizeof(acl_subcommands) / sizeof(acl_subcommands[0])
};

void cmd_acl(struct client *c)
{
    subcommand_dispatch(c, &acl_subs);
}
