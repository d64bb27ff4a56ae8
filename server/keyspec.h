/* keyspec.h - what COMMAND INFO says about each command beyond the
 * dispatch table (Redis 7's key specifications, request/response tips,
 * the flags Redis prints that dispatch does not need), and the one
 * function that finds a call's keys from those specs. Private to server/.
 *
 * The key-finding function is the place ACL key checks will use: it has
 * no side effects and allocates nothing. */
#ifndef RESPITE_KEYSPEC_H
#define RESPITE_KEYSPEC_H

#include <stddef.h>

/* A key spec's flags, in the order COMMAND INFO prints them. */
enum keyspec_flags {
    KS_RO = 1 << 0,            /* read only */
    KS_RW = 1 << 1,            /* read and written */
    KS_OW = 1 << 2,            /* overwritten, not read */
    KS_RM = 1 << 3,            /* removed */
    KS_ACCESS = 1 << 4,        /* the value is returned or used */
    KS_UPDATE = 1 << 5,        /* the value is modified in place */
    KS_INSERT = 1 << 6,        /* data is added to the value */
    KS_DELETE = 1 << 7,        /* data is removed from the value */
    KS_NOT_KEY = 1 << 8,       /* a shard channel, not a key */
    KS_INCOMPLETE = 1 << 9,    /* the spec may miss keys */
    KS_VARIABLE_FLAGS = 1 << 10, /* the flags depend on the arguments */
};

enum keyspec_begin {
    KS_BEGIN_NONE = 0,         /* no spec: ends a list */
    KS_BEGIN_INDEX,            /* at argv[pos] */
    KS_BEGIN_KEYWORD,          /* after keyword, searched from pos (from
                                  the end backwards when pos < 0) */
    KS_BEGIN_UNKNOWN,
};

enum keyspec_find {
    KS_FIND_RANGE = 1,         /* a: last key (from the end if < 0),
                                  b: step, c: limit (keys / c of what is
                                  left, when a is -1 and c > 1) */
    KS_FIND_KEYNUM,            /* a: count's index from the start, b: first
                                  key's from the start, c: step */
    KS_FIND_UNKNOWN,
};

struct keyspec {
    unsigned short flags;      /* enum keyspec_flags */
    unsigned char begin, find; /* enum keyspec_begin, keyspec_find */
    int pos;                   /* begin: index, or startfrom */
    const char *keyword;       /* KS_BEGIN_KEYWORD's */
    int a, b, c;               /* find's parameters, see keyspec_find */
};

/* Commands whose keys Redis finds with code of its own rather than (or
 * besides) their specs, because a spec is unknown or its flags vary.
 * (Commands with a key count fall back on their own; keyspec.c.) */
enum keyspec_proc {
    KS_PROC_SPECS = 0,         /* the specs say it all */
    KS_PROC_SET,               /* RW with a GET option, else OW */
    KS_PROC_BITFIELD,          /* RO with GET operations only */
    KS_PROC_SORT,              /* the key, and STORE's destination */
    KS_PROC_SORT_RO,           /* the key */
    KS_PROC_XREAD,             /* the spec, else the first STREAMS's */
};

/* Flags Redis's COMMAND INFO prints that the dispatch table does not
 * carry: Respite acts as each says without a bit of its own (it never
 * loads data, asynchronously or not, is never a stale replica, a script
 * never leaves it busy, and the MONITOR feed shows a script's commands,
 * not the script). */
enum keyspec_info_flags {
    KS_INFO_PUBSUB = 1 << 0,
    KS_INFO_LOADING = 1 << 1,
    KS_INFO_STALE = 1 << 2,
    KS_INFO_SKIP_MONITOR = 1 << 3,
    KS_INFO_NO_MANDATORY_KEYS = 1 << 4,
    KS_INFO_ALLOW_BUSY = 1 << 5,
    KS_INFO_NO_ASYNC_LOADING = 1 << 6,
};

#define KEYSPEC_MAX 3

/* One command's or subcommand's ("CLIENT|KILL") row. */
struct keyspec_cmd {
    const char *name;          /* upper case, as in the command table */
    const char *tips;          /* space-separated, or NULL */
    unsigned info;             /* enum keyspec_info_flags */
    unsigned char proc;        /* enum keyspec_proc */
    struct keyspec specs[KEYSPEC_MAX]; /* ended by KS_BEGIN_NONE */
};

/* A key one call names: its argv index and its spec's flags. */
struct keyspec_key {
    int pos;
    unsigned flags;
};

/* The whole table, sorted by name; *n receives its length. */
const struct keyspec_cmd *keyspec_rows(size_t *n);
/* The row of name[0..len) (any case; "OBJECT|ENCODING" for a
 * subcommand), or NULL when it has none: no keys, tips or extra flags. */
const struct keyspec_cmd *keyspec_lookup(const char *name, size_t len);
/* The row of command cmd, or of its subcommand sub ("CMD|SUB") when sub
 * is not NULL; NULL if none. */
const struct keyspec_cmd *keyspec_lookup_call(const char *cmd,
                                              const char *sub);
/* The row named name (any case) in table, n rows of size bytes sorted
 * by their upper-case names, each row's first member: this table's lookup,
 * and docs_table.c's. NULL if none. */
const void *keyspec_find_row(const void *table, size_t n, size_t size,
                             const char *name, size_t len);
/* The number of specs in row (NULL: 0). */
int keyspec_count(const struct keyspec_cmd *row);
/* 1 if finding row's keys takes more than fixed positions (Redis's
 * movablekeys flag). */
int keyspec_movable(const struct keyspec_cmd *row);
/* Redis's first key, last key and step, derived from row's specs. */
void keyspec_legacy_range(const struct keyspec_cmd *row, int *first,
                          int *last, int *step);

/* Finds the keys of the call argv[0..argc) (argv[0] the command, or for a
 * subcommand argv[0..1] the container and subcommand), whose arity has
 * been checked, per row. Stores the first cap keys in out (in the order
 * Redis's COMMAND GETKEYS lists them) and returns how many there are, so
 * a caller whose buffer was short can call again with a larger one; -1
 * when the arguments do not say (a bad key count, a missing keyword). No
 * side effects, no allocation; argv is borrowed. */
int keyspec_keys(const struct keyspec_cmd *row, int argc,
                 const char *const *argv, const size_t *argvlen,
                 struct keyspec_key *out, int cap);

#endif
