/* acl_rules.c - ACL SETUSER's rules, applied one at a time to a user.
 *
 * Commands: a bitmap over command ids (acl.c). +cmd and -cmd set or clear
 * a command's bit and, for a container (CLIENT), every subcommand's;
 * +cmd|sub the subcommand's alone. +@cat applies +cmd to each command in
 * the category, then to each subcommand in it, so +@slow allows a
 * container and all of its subcommands, fast ones included, as in Redis.
 * +@all also sets ACL_USER_FUTURE (what ACL LIST starts from) and
 * ACL_USER_ALLCOMMANDS, which any rule taking something away clears:
 * while it holds, no call needs checking. +cmd|arg on a command without
 * subcommands allows it with that first argument only (Redis's first-arg
 * rules); any later rule about the command forgets those.
 *
 * Keys and channels are lists of glob patterns, in the order given; a
 * pattern given again merges its permissions (%R~k then %W~k is ~k).
 * allkeys (~*) and allchannels (&*) empty their list, and a pattern after
 * them is an error, as in Redis.
 *
 * Passwords are kept as SHA-256 hex (>pass, #hash), each once.
 *
 * A selector "(rule rule ...)" is a second set of keys, channels and
 * commands (an acl_user without name or passwords, in u->sels): a call
 * any one of them allows is allowed (acl_check.c). Its rules are split at
 * single spaces; ACL SETUSER's and the aclfile's arguments are first
 * joined from one starting with '(' to one ending with ')'
 * (acl_merge_selectors), as Redis does. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/acl.h"
#include "server/server.h"
#include "server/sha256.h"

static void bit_put(struct acl_user *u, size_t id, int allow)
{
    uint64_t m = (uint64_t)1 << (id % 64);
    if (allow)
        u->bits[id / 64] |= m;
    else
        u->bits[id / 64] &= ~m;
}

/* Forgets u's first-arg rules for command id. */
static void firstargs_forget(struct acl_user *u, size_t id)
{
    size_t k = 0;
    for (size_t i = 0; i < u->nfa; i++) {
        if (u->fa[i].id == id)
            free(u->fa[i].arg);
        else
            u->fa[k++] = u->fa[i];
    }
    u->nfa = k;
}

/* +cmd / -cmd on id: its bit, its subcommands' bits, no first-args. */
static void perm_change(const struct acl *acl, struct acl_user *u, size_t id,
                        int allow)
{
    acl__perm_bits(acl, u->bits, id, allow);
    firstargs_forget(u, id);
    const struct acl_cmd *ac = &acl->cmds[id];
    for (size_t j = 0; j < ac->nsubs; j++)
        firstargs_forget(u, ac->first_sub + j);
}

/* See acl.h. */
void acl__perm_bits(const struct acl *acl, uint64_t *bits, size_t id,
                    int allow)
{
    struct acl_user u = { .bits = bits };
    bit_put(&u, id, allow);
    const struct acl_cmd *ac = &acl->cmds[id];
    for (size_t j = 0; j < ac->nsubs; j++)
        bit_put(&u, ac->first_sub + j, allow);
}

/* See acl.h. */
void acl__category_bits(const struct acl *acl, uint64_t *bits, uint32_t cat,
                        int allow)
{
    size_t n;
    command_table(&n);
    for (size_t i = 0; i < n; i++) {
        const struct acl_cmd *ac = &acl->cmds[i];
        if (ac->cats & cat)
            acl__perm_bits(acl, bits, i, allow);
        for (size_t j = 0; j < ac->nsubs; j++)
            if (acl->cmds[ac->first_sub + j].cats & cat)
                acl__perm_bits(acl, bits, ac->first_sub + j, allow);
    }
}

/* +@cat / -@cat: cat is a category bit. */
static void category_change(const struct acl *acl, struct acl_user *u,
                            uint32_t cat, int allow)
{
    acl__category_bits(acl, u->bits, cat, allow);
    size_t k = 0;
    for (size_t i = 0; i < u->nfa; i++) {
        if (acl->cmds[u->fa[i].id].cats & cat)
            free(u->fa[i].arg);
        else
            u->fa[k++] = u->fa[i];
    }
    u->nfa = k;
}

/* The category bit named name[0..len) (any case), or 0. */
static uint32_t category_named(const char *name, size_t len)
{
    for (size_t i = 0; command_acl_category_name(i); i++) {
        const char *c = command_acl_category_name(i);
        if (strlen(c) == len && strncasecmp(c, name, len) == 0)
            return (uint32_t)1 << i;
    }
    return 0;
}

/* See acl.h. By the command's own name ("client|id"), not the one
 * rename-command gave it, as Redis 7.0's ACL rules name commands. */
long acl_cmd_lookup(const struct server *srv, const char *name, size_t len)
{
    const struct acl *acl = srv->acl;
    for (size_t i = 0; i < acl->ncmds; i++)
        if (strlen(acl->cmds[i].name) == len &&
            strncasecmp(acl->cmds[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

/* +cmd|arg on a command without subcommands. */
static enum acl_rule_err firstarg_add(struct acl_user *u, size_t id,
                                      const char *arg, size_t len)
{
    for (size_t i = 0; i < u->nfa; i++)
        if (u->fa[i].id == id && strlen(u->fa[i].arg) == len &&
            strncasecmp(u->fa[i].arg, arg, len) == 0)
            return ACL_RULE_OK;
    struct acl_firstarg *v = realloc(u->fa, (u->nfa + 1) * sizeof(*v));
    if (!v)
        return ACL_RULE_NOMEM;
    u->fa = v;
    char *copy = bytes_dup(arg, len);
    if (!copy)
        return ACL_RULE_NOMEM;
    u->fa[u->nfa++] = (struct acl_firstarg){ id, copy };
    return ACL_RULE_OK;
}

/* "+name": a command, a subcommand or a first-arg rule, in the order
 * Redis tells its errors apart. */
static enum acl_rule_err command_allow(const struct server *srv,
                                       struct acl_user *u, const char *name,
                                       size_t len)
{
    const struct acl *acl = srv->acl;
    long id = acl_cmd_lookup(srv, name, len);
    if (id >= 0) {
        perm_change(acl, u, (size_t)id, 1);
        return ACL_RULE_OK;
    }
    const char *bar = NULL;
    for (size_t i = len; i > 0 && !bar; i--)
        if (name[i - 1] == '|')
            bar = name + i - 1;
    if (!bar)
        return ACL_RULE_UNKNOWN;
    size_t plen = (size_t)(bar - name);
    long pid = acl_cmd_lookup(srv, name, plen);
    if (pid < 0)
        return ACL_RULE_UNKNOWN;
    if (plen + 1 == len)
        return ACL_RULE_SYNTAX;
    if (acl->cmds[pid].sub)
        return ACL_RULE_SUB_FIRSTARG;
    if (acl->cmds[pid].nsubs)
        return ACL_RULE_UNKNOWN;
    /* A first-arg alone leaves the command's bit as it was. */
    return firstarg_add(u, (size_t)pid, bar + 1, len - plen - 1);
}

/* Index of pattern p[0..len) in v[0..n), or -1. */
static long pattern_index(const struct acl_pattern *v, size_t n,
                          const char *p, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].len == len && memcmp(v[i].pat, p, len) == 0)
            return (long)i;
    return -1;
}

/* Adds p[0..len) with flags to *v, or merges flags into its entry. */
static enum acl_rule_err pattern_add(struct acl_pattern **v, size_t *n,
                                     const char *p, size_t len,
                                     unsigned flags)
{
    long i = pattern_index(*v, *n, p, len);
    if (i >= 0) {
        (*v)[i].flags |= flags;
        return ACL_RULE_OK;
    }
    struct acl_pattern *nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return ACL_RULE_NOMEM;
    *v = nv;
    char *copy = bytes_dup(p, len);
    if (!copy)
        return ACL_RULE_NOMEM;
    nv[(*n)++] = (struct acl_pattern){ flags, len, copy };
    return ACL_RULE_OK;
}

static void patterns_clear(struct acl_pattern **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*v)[i].pat);
    free(*v);
    *v = NULL;
    *n = 0;
}

/* "~pat" or "%RW~pat". */
static enum acl_rule_err key_pattern(struct acl_user *u, const char *op,
                                     size_t len)
{
    unsigned flags = ACL_READ | ACL_WRITE;
    size_t off = 1;
    if (op[0] == '%') {
        flags = 0;
        for (; off < len && op[off] != '~'; off++) {
            unsigned f = toupper((unsigned char)op[off]) == 'R'   ? ACL_READ
                         : toupper((unsigned char)op[off]) == 'W' ? ACL_WRITE
                                                                   : 0;
            if (!f || (flags & f))
                return ACL_RULE_SYNTAX;
            flags |= f;
        }
        /* As in Redis, "%RW" without '~' is the empty pattern. */
        if (flags == 0)
            return ACL_RULE_SYNTAX;
        if (off < len)
            off++;
    }
    if (u->flags & ACL_USER_ALLKEYS)
        return ACL_RULE_KEYS_AFTER_ALL;
    return pattern_add(&u->keys, &u->nkeys, op + off, len - off, flags);
}

/* The 64 lower-case hex digits of a #hash or !hash, or NULL. */
static const char *hash_of(const char *op, size_t len)
{
    if (len != ACL_HASH_LEN + 1)
        return NULL;
    for (size_t i = 1; i < len; i++)
        if (!isdigit((unsigned char)op[i]) && (op[i] < 'a' || op[i] > 'f'))
            return NULL;
    return op + 1;
}

/* Index of hash h in u's passwords, or -1. */
static long pass_index(const struct acl_user *u, const char *h)
{
    for (size_t i = 0; i < u->npass; i++)
        if (memcmp(u->pass[i], h, ACL_HASH_LEN) == 0)
            return (long)i;
    return -1;
}

/* >pass, #hash, <pass, !hash. */
static enum acl_rule_err password_rule(struct acl_user *u, const char *op,
                                       size_t len)
{
    char hex[ACL_HASH_LEN + 1];
    const char *h = hex;
    if (op[0] == '>' || op[0] == '<') {
        sha256_hex(op + 1, len - 1, hex);
    } else if (!(h = hash_of(op, len))) {
        return ACL_RULE_BAD_HASH;
    }
    long i = pass_index(u, h);
    if (op[0] == '<' || op[0] == '!') {
        if (i < 0)
            return ACL_RULE_NO_SUCH_PASS;
        memmove(&u->pass[i], &u->pass[i + 1],
                (u->npass - (size_t)i - 1) * sizeof(*u->pass));
        u->npass--;
        return ACL_RULE_OK;
    }
    u->flags &= ~(unsigned)ACL_USER_NOPASS;
    if (i >= 0)
        return ACL_RULE_OK;
    char (*v)[ACL_HASH_LEN] = realloc(u->pass, (u->npass + 1) * sizeof(*v));
    if (!v)
        return ACL_RULE_NOMEM;
    u->pass = v;
    memcpy(v[u->npass++], h, ACL_HASH_LEN);
    return ACL_RULE_OK;
}

static void all_commands(const struct acl *acl, struct acl_user *u, int allow)
{
    memset(u->bits, allow ? 0xff : 0, acl->nwords * sizeof(uint64_t));
    for (size_t i = 0; i < u->nfa; i++)
        free(u->fa[i].arg);
    free(u->fa);
    u->fa = NULL;
    u->nfa = 0;
    if (allow)
        u->flags |= ACL_USER_ALLCOMMANDS | ACL_USER_FUTURE;
    else
        u->flags &= ~(unsigned)(ACL_USER_ALLCOMMANDS | ACL_USER_FUTURE);
}

static int word_is(const char *op, size_t len, const char *w)
{
    return strlen(w) == len && strncasecmp(op, w, len) == 0;
}

/* The one-word rules of a selector (allkeys, resetchannels...). Returns
 * ACL_RULE_SYNTAX when op is none of them. */
static enum acl_rule_err selector_word(struct server *srv, struct acl_user *u,
                                       const char *op, size_t len)
{
    const struct acl *acl = srv->acl;
    if (word_is(op, len, "allkeys") || (len == 2 && !memcmp(op, "~*", 2))) {
        u->flags |= ACL_USER_ALLKEYS;
        patterns_clear(&u->keys, &u->nkeys);
    } else if (word_is(op, len, "resetkeys")) {
        u->flags &= ~(unsigned)ACL_USER_ALLKEYS;
        patterns_clear(&u->keys, &u->nkeys);
    } else if (word_is(op, len, "allchannels") ||
               (len == 2 && !memcmp(op, "&*", 2))) {
        u->flags |= ACL_USER_ALLCHANNELS;
        patterns_clear(&u->chans, &u->nchans);
    } else if (word_is(op, len, "resetchannels")) {
        u->flags &= ~(unsigned)ACL_USER_ALLCHANNELS;
        patterns_clear(&u->chans, &u->nchans);
    } else if (word_is(op, len, "allcommands") || word_is(op, len, "+@all")) {
        all_commands(acl, u, 1);
    } else if (word_is(op, len, "nocommands") || word_is(op, len, "-@all")) {
        all_commands(acl, u, 0);
    } else {
        return ACL_RULE_SYNTAX;
    }
    return ACL_RULE_OK;
}

/* See acl.h. */
void acl_selectors_clear(struct acl_user *u)
{
    for (size_t i = 0; i < u->nsels; i++)
        acl_user_free(u->sels[i]);
    free(u->sels);
    u->sels = NULL;
    u->nsels = 0;
}

/* The one-word rules of a user (on, nopass, reset...), a selector's
 * included. Returns ACL_RULE_SYNTAX when op is none of them. */
static enum acl_rule_err user_word(struct server *srv, struct acl_user *u,
                                   const char *op, size_t len)
{
    if (word_is(op, len, "on")) {
        u->flags |= ACL_USER_ON;
    } else if (word_is(op, len, "off")) {
        u->flags &= ~(unsigned)ACL_USER_ON;
    } else if (word_is(op, len, "skip-sanitize-payload")) {
        u->flags = (u->flags & ~(unsigned)ACL_USER_SANITIZE) |
                   ACL_USER_SKIP_SANITIZE;
    } else if (word_is(op, len, "sanitize-payload")) {
        u->flags = (u->flags & ~(unsigned)ACL_USER_SKIP_SANITIZE) |
                   ACL_USER_SANITIZE;
    } else if (word_is(op, len, "nopass")) {
        u->flags |= ACL_USER_NOPASS;
        free(u->pass);
        u->pass = NULL;
        u->npass = 0;
    } else if (word_is(op, len, "resetpass")) {
        u->flags &= ~(unsigned)ACL_USER_NOPASS;
        free(u->pass);
        u->pass = NULL;
        u->npass = 0;
    } else if (word_is(op, len, "clearselectors")) {
        acl_selectors_clear(u);
    } else if (word_is(op, len, "reset")) {
        static const char *const steps[] = {
            "resetpass", "resetkeys", "resetchannels", "off",
            "sanitize-payload", "clearselectors", "-@all",
        };
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
            user_word(srv, u, steps[i], strlen(steps[i]));
        if (srv->conf.acl_pubsub_default &&
            strcmp(srv->conf.acl_pubsub_default, "allchannels") == 0)
            u->flags |= ACL_USER_ALLCHANNELS;
    } else {
        return selector_word(srv, u, op, len);
    }
    return ACL_RULE_OK;
}

/* See acl.h. A selector's rules: keys, channels and commands only. */
enum acl_rule_err acl_selector_rule(struct server *srv, struct acl_user *u,
                                    const char *op, size_t len)
{
    if (len == 0)
        return ACL_RULE_OK;             /* Redis accepts it, doing nothing */
    enum acl_rule_err err = selector_word(srv, u, op, len);
    if (err != ACL_RULE_SYNTAX)
        return err;
    switch (op[0]) {
    case '~': case '%':
        return key_pattern(u, op, len);
    case '&':
        if (u->flags & ACL_USER_ALLCHANNELS)
            return ACL_RULE_CHANNELS_AFTER_ALL;
        return pattern_add(&u->chans, &u->nchans, op + 1, len - 1, 0);
    case '+':
    case '-':
        break;
    default:
        return ACL_RULE_SYNTAX;
    }
    int allow = op[0] == '+';
    if (len > 1 && op[1] == '@') {
        uint32_t cat = category_named(op + 2, len - 2);
        if (!cat)
            return ACL_RULE_UNKNOWN;
        category_change(srv->acl, u, cat, allow);
    } else if (allow) {
        err = command_allow(srv, u, op + 1, len - 1);
        if (err != ACL_RULE_OK)
            return err;
    } else {
        long id = acl_cmd_lookup(srv, op + 1, len - 1);
        if (id < 0)
            return ACL_RULE_UNKNOWN;
        perm_change(srv->acl, u, (size_t)id, 0);
    }
    if (!allow)
        u->flags &= ~(unsigned)ACL_USER_ALLCOMMANDS;
    return ACL_RULE_OK;
}

/* "(rule rule ...)": a new selector of u, its rules split at single
 * spaces as Redis splits them. */
static enum acl_rule_err selector_add(struct server *srv, struct acl_user *u,
                                      const char *op, size_t len)
{
    struct acl_user *sel = acl_user_new(srv, "", 0);
    if (!sel)
        return ACL_RULE_NOMEM;
    sel->flags = 0;                     /* no channels, whatever the default */
    const char *p = op + 1, *end = op + len - 1;
    while (p <= end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *stop = sp ? sp : end;
        enum acl_rule_err err =
            acl_selector_rule(srv, sel, p, (size_t)(stop - p));
        if (err != ACL_RULE_OK) {
            acl_user_free(sel);
            return err;
        }
        p = stop + 1;
    }
    struct acl_user **v = realloc(u->sels, (u->nsels + 1) * sizeof(*v));
    if (!v) {
        acl_user_free(sel);
        return ACL_RULE_NOMEM;
    }
    u->sels = v;
    v[u->nsels++] = sel;
    return ACL_RULE_OK;
}

/* See acl.h. */
enum acl_rule_err acl_rule_apply(struct server *srv, struct acl_user *u,
                                 const char *op, size_t len)
{
    if (len == 0)
        return ACL_RULE_OK;
    enum acl_rule_err err = user_word(srv, u, op, len);
    if (err != ACL_RULE_SYNTAX)
        return err;
    switch (op[0]) {
    case '>': case '<': case '#': case '!':
        return password_rule(u, op, len);
    case '(':
        if (op[len - 1] != ')')
            return ACL_RULE_SYNTAX;
        return selector_add(srv, u, op, len);
    default:
        return acl_selector_rule(srv, u, op, len);
    }
}

/* See acl.h. */
size_t acl_merge_selectors(const char *const *argv, const size_t *lens,
                           size_t argc, char **out, size_t *outlens,
                           size_t *bad)
{
    size_t n = 0;
    for (size_t i = 0; i < argc; i++) {
        if (lens[i] == 0 || argv[i][0] != '(' ||
            argv[i][lens[i] - 1] == ')') {
            out[n] = malloc(lens[i] + 1);
            if (!out[n])
                goto nomem;
            memcpy(out[n], argv[i], lens[i]);
            out[n][lens[i]] = '\0';
            outlens[n++] = lens[i];
            continue;
        }
        size_t j = i, total = 0;
        while (j < argc && (lens[j] == 0 || argv[j][lens[j] - 1] != ')'))
            total += lens[j++] + 1;
        if (j == argc) {
            *bad = i;
            goto fail;
        }
        total += lens[j];
        out[n] = malloc(total + 1);
        if (!out[n])
            goto nomem;
        size_t at = 0;
        for (size_t k = i; k <= j; k++) {
            memcpy(out[n] + at, argv[k], lens[k]);
            at += lens[k];
            if (k < j)
                out[n][at++] = ' ';
        }
        out[n][at] = '\0';
        outlens[n++] = at;
        i = j;
    }
    return n;
nomem:
    *bad = (size_t)-1;
fail:
    while (n > 0)
        free(out[--n]);
    return (size_t)-1;
}

/* See acl.h. */
const char *acl_rule_err_text(enum acl_rule_err err)
{
    switch (err) {
    case ACL_RULE_OK:
        return "OK";
    case ACL_RULE_UNKNOWN:
        return "Unknown command or category name in ACL";
    case ACL_RULE_SYNTAX:
        return "Syntax error";
    case ACL_RULE_KEYS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allkeys' "
               "flag) is not valid and does not have any effect. Try "
               "'resetkeys' to start with an empty list of patterns";
    case ACL_RULE_CHANNELS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the "
               "'allchannels' flag) is not valid and does not have any "
               "effect. Try 'resetchannels' to start with an empty list of "
               "channels";
    case ACL_RULE_NO_SUCH_PASS:
        return "The password you are trying to remove from the user does "
               "not exist";
    case ACL_RULE_BAD_HASH:
        return "The password hash must be exactly 64 characters and "
               "contain only lowercase hexadecimal characters";
    case ACL_RULE_SUB_FIRSTARG:
        return "Allowing first-arg of a subcommand is not supported";
    case ACL_RULE_NOMEM:
        return "Out of memory";
    }
    return "Unknown error";
}
