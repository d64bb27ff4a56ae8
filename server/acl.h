/* acl.h - users and their permissions, as Redis 7.0's ACL: the registry
 * of users (acl.c), their rules (acl_rules.c), how they are described
 * (acl_describe.c), the checks on every call (acl_check.c), the log of
 * denials (acl_log.c) and the ACL file (acl_file.c). Private to server/.
 *
 * Ownership: the registry owns its users; a client points at its user
 * (c->user), which stays valid while the client lives: deleting a user
 * disconnects its clients and points them at the default user first.
 * Changing a user changes it in place, so its clients see the change. */
#ifndef RESPITE_ACL_H
#define RESPITE_ACL_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct client;
struct command;
struct subcommand;

/* A key pattern's permissions (%R~, %W~, ~ is both). */
enum acl_perm { ACL_READ = 1, ACL_WRITE = 2 };

struct acl_pattern {
    unsigned flags;            /* keys: enum acl_perm; channels: 0 */
    size_t len;
    char *pat;                 /* owned, NUL-terminated */
};

/* "+select|0": a command allowed with this first argument only. */
struct acl_firstarg {
    size_t id;
    char *arg;                 /* owned, as given */
};

enum acl_user_flags {
    ACL_USER_ON = 1 << 0,
    ACL_USER_NOPASS = 1 << 1,
    ACL_USER_ALLKEYS = 1 << 2,
    ACL_USER_ALLCHANNELS = 1 << 3,
    ACL_USER_ALLCOMMANDS = 1 << 4,   /* +@all and nothing taken away */
    ACL_USER_FUTURE = 1 << 5,        /* +@all: commands added later too */
    ACL_USER_SANITIZE = 1 << 6,      /* sanitize-payload */
    ACL_USER_SKIP_SANITIZE = 1 << 7, /* skip-sanitize-payload */
};

#define ACL_HASH_LEN 64

struct acl_user {
    char *name;                /* owned */
    size_t namelen;
    unsigned flags;            /* enum acl_user_flags */
    /* Not every command, key and channel allowed: calls must be checked.
     * The one test dispatch makes for a user such as the default one. */
    int restricted;
    char (*pass)[ACL_HASH_LEN]; /* SHA-256 of each password, hex */
    size_t npass;
    uint64_t *bits;            /* allowed command ids (struct acl_cmd) */
    struct acl_firstarg *fa;
    size_t nfa;
    struct acl_pattern *keys, *chans;
    size_t nkeys, nchans;
    /* Selectors: users without name or passwords whose keys, channels and
     * commands are an alternative to these (acl_rules.c). */
    struct acl_user **sels;
    size_t nsels;
};

/* A command or subcommand as ACL knows it: ids are INFO commandstats'
 * slots (commands first, then each container's subcommands). */
struct acl_cmd {
    const struct command *cmd;
    const struct subcommand *sub;  /* NULL for a command */
    size_t first_sub, nsubs;       /* a container's subcommands' ids */
    uint32_t cats;                 /* command_acl_category_mask */
    char name[64];                 /* lower case, "client|id" */
};

/* Why a call was refused, and where ACL LOG says it was. */
enum acl_denial {
    ACL_OK = 0,
    ACL_DENIED_CMD,
    ACL_DENIED_KEY,
    ACL_DENIED_CHANNEL,
    ACL_DENIED_AUTH,
};
enum acl_ctx { ACL_CTX_TOPLEVEL, ACL_CTX_MULTI, ACL_CTX_LUA };

struct acl_log_entry;

struct acl {
    struct acl_user **users;   /* sorted by name, bytewise */
    size_t nusers, cap;
    struct acl_user *dflt;     /* "default", always there */
    struct acl_cmd *cmds;
    size_t ncmds, nwords;      /* ids, and uint64_t words of a bitmap */
    char *requirepass;         /* the one last given the default user */
    struct acl_log_entry *log; /* newest first */
    size_t nlog;
    uint64_t log_next_id;      /* ACL LOG entry-id of the next new entry */
};

/* ---- Registry (acl.c) ---------------------------------------------------- */

/* Builds srv->acl with the default user (on, nopass, everything allowed,
 * requirepass applied). Returns 0, or -1 on OOM. */
int acl_init(struct server *srv);
/* Applies the "user" directives, or loads the aclfile (start-up); on an
 * error prints it and returns -1. */
int acl_load_at_startup(struct server *srv);
/* Frees srv->acl. */
void acl_close(struct server *srv);
/* The user named name[0..len), or NULL. */
struct acl_user *acl_user_find(const struct acl *acl, const char *name,
                               size_t len);
/* A new user, off and allowed nothing, added to the registry (which owns
 * it). NULL on OOM. */
struct acl_user *acl_user_create(struct server *srv, const char *name,
                                 size_t len);
/* A new user as acl_user_create makes it, outside the registry (owned
 * by the caller). */
struct acl_user *acl_user_new(const struct server *srv, const char *name,
                              size_t len);
/* Adds u (from acl_user_new) to the registry, which owns it from then
 * on. Returns 0, or -1 on OOM. */
int acl_user_add(struct server *srv, struct acl_user *u);
/* Points u's clients at the default user, unauthenticated, and closes
 * them (the running client after its reply). */
void acl_user_kill_clients(struct server *srv, const struct acl_user *u);
/* Removes u (not the default user) from the registry, disconnects its
 * clients and frees it. */
void acl_user_delete(struct server *srv, struct acl_user *u);
/* A copy of u's permissions and passwords (not in the registry), NULL on
 * OOM; acl_user_free releases one. */
struct acl_user *acl_user_dup(const struct acl *acl, const struct acl_user *u);
void acl_user_free(struct acl_user *u);
/* Moves src's permissions into dst (whose old ones are freed), keeping
 * dst's identity so its clients follow; frees the husk of src. */
void acl_user_replace(struct server *srv, struct acl_user *dst,
                      struct acl_user *src);
/* Re-derives u->restricted and, for the default user, whether new
 * connections must authenticate (srv->auth_required). */
void acl_user_changed(struct server *srv, struct acl_user *u);
/* Gives the default user requirepass when it changed (start-up, CONFIG
 * SET): resetpass, then >pass or nopass, as Redis does. */
void acl_conf_applied(struct server *srv);
/* The id of cmd, or of its subcommand sub when not NULL. */
size_t acl_cmd_id(const struct server *srv, const struct command *cmd,
                  const struct subcommand *sub);

/* ---- Authentication (acl.c) ---------------------------------------------- */

/* Checks user/pass. On success c runs as that user from now on and 1 is
 * returned; otherwise 0 and the failure is in ACL LOG. */
int acl_auth(struct client *c, const char *user, size_t ulen,
             const char *pass, size_t plen);
/* Points c at the default user, authenticated when it needs no password
 * (a new connection, RESET). */
void acl_client_default(struct client *c);

/* ---- Rules (acl_rules.c) ------------------------------------------------- */

enum acl_rule_err {
    ACL_RULE_OK = 0,
    ACL_RULE_UNKNOWN,          /* Unknown command or category name */
    ACL_RULE_SYNTAX,
    ACL_RULE_KEYS_AFTER_ALL,
    ACL_RULE_CHANNELS_AFTER_ALL,
    ACL_RULE_NO_SUCH_PASS,
    ACL_RULE_BAD_HASH,
    ACL_RULE_SUB_FIRSTARG,
    ACL_RULE_NOMEM,
};

/* Applies one rule (op[0..len), borrowed) to u. */
enum acl_rule_err acl_rule_apply(struct server *srv, struct acl_user *u,
                                 const char *op, size_t len);
/* Applies one of a selector's rules (keys, channels, commands) to u. */
enum acl_rule_err acl_selector_rule(struct server *srv, struct acl_user *u,
                                    const char *op, size_t len);
/* Frees u's selectors (clearselectors). */
void acl_selectors_clear(struct acl_user *u);
/* Copies argv[0..argc) into out (malloc'ed strings, lengths in outlens),
 * joining each run of arguments from one starting with '(' to one ending
 * with ')' with spaces. Returns how many, or (size_t)-1 with *bad the
 * index of a '(' never closed ((size_t)-1 on OOM). out and outlens hold
 * argc entries. */
size_t acl_merge_selectors(const char *const *argv, const size_t *lens,
                           size_t argc, char **out, size_t *outlens,
                           size_t *bad);
/* The text Redis gives for err, after "Error in ACL SETUSER modifier". */
const char *acl_rule_err_text(enum acl_rule_err err);
/* The id of the command or subcommand "name" or "container|sub" (any
 * case), or -1. */
long acl_cmd_lookup(const struct server *srv, const char *name, size_t len);
/* +cmd / -cmd (its subcommands too) and +@cat / -@cat (cat: a category
 * bit) on a bare bitmap, for descriptions. */
void acl__perm_bits(const struct acl *acl, uint64_t *bits, size_t id,
                    int allow);
void acl__category_bits(const struct acl *acl, uint64_t *bits, uint32_t cat,
                        int allow);
/* 1 if command id is allowed to u (its bit; first-args aside). */
static inline int acl_bit(const struct acl_user *u, size_t id)
{
    return (int)((u->bits[id / 64] >> (id % 64)) & 1);
}

/* ---- Descriptions (acl_describe.c) --------------------------------------- */

struct resp_out;
/* Appends u's command rules ("-@all +get") to out (a text buffer). */
void acl_describe_commands(const struct acl *acl, const struct acl_user *u,
                           struct resp_out *out);
/* Appends u's key patterns ("~a %R~b"), "~*" when all. */
void acl_describe_keys(const struct acl_user *u, struct resp_out *out);
/* Appends u's channel patterns ("&a &b"), "&*" when all. */
void acl_describe_channels(const struct acl_user *u, struct resp_out *out);
/* Appends the ACL LIST line of u (no newline). */
void acl_describe_user(const struct acl *acl, const struct acl_user *u,
                       struct resp_out *out);

/* ---- Checks (acl_check.c) ------------------------------------------------ */

/* Whether u may run argv[0..argc) as cmd (and its subcommand sub), whose
 * arity was checked; on a key or channel denial *pos is its argv index. */
enum acl_denial acl_check(const struct server *srv, const struct acl_user *u,
                          const struct command *cmd,
                          const struct subcommand *sub, size_t argc,
                          const char *const *argv, const size_t *argvlen,
                          int *pos);
/* acl_check of c's command as c's user; a denial is added to ACL LOG in
 * context ctx. */
enum acl_denial acl_check_client(struct client *c, enum acl_ctx ctx, int *pos);
/* The lower-case full name of c's command ("client|id"), borrowed. */
const char *acl_cmd_name(const struct client *c);
/* The NOPERM error (no leading '-') dispatch gives for why. */
void acl_denial_message(const struct client *c, enum acl_denial why,
                        char *buf, size_t cap);
/* 1 if c's user may run its command reading any key (a selector that
 * allows the call and has allkeys or a "*" pattern that reads): what
 * SORT's BY and GET patterns need, as in Redis. */
int acl_client_reads_all_keys(struct client *c);
/* Disconnects u's subscribed clients that hold a subscription u may no
 * longer have (Redis 7.0 after SETUSER). */
void acl_kill_pubsub_clients(struct server *srv, struct acl_user *u);

/* ---- The ACL file (acl_file.c) ------------------------------------------ */

/* Replaces every user with those of the aclfile, all or nothing: on an
 * error returns -1 with *err (owned) saying why, Redis's wording. */
int acl_file_load(struct server *srv, char **err);
/* ACL LOAD and ACL SAVE, aclfile set. */
void acl_file_load_command(struct client *c);
void acl_file_save_command(struct client *c);

/* ---- ACL LOG (acl_log.c) ------------------------------------------------- */

/* Records a denial of c (its user; object: argv[pos] for keys and
 * channels, the command's name otherwise, or for ACL_DENIED_AUTH the
 * username tried, with object "AUTH"). */
void acl_log_add(struct client *c, enum acl_denial why, enum acl_ctx ctx,
                 int pos, const char *user, size_t ulen);
/* ACL LOG [count|RESET]. */
void acl_log_command(struct client *c);
/* Frees every entry. */
void acl_log_reset(struct server *srv);

#endif
