/* docs.h - what COMMAND DOCS says about each command beyond the dispatch
 * table: the argument syntax (so redis-cli's `help` and its hints show
 * it) and, for a subcommand, the summary and version the dispatch rows
 * of subcommands do not carry. Private to server/.
 *
 * A syntax is written as Redis's documentation writes a usage line, with
 * two additions that usage lines leave implicit, so that one string
 * gives the whole argument tree:
 *
 *   key value [NX|XX] [EX seconds:integer|KEEPTTL] (*|id) [LIMIT count:integer]
 *
 *   - a lowercase word is an argument; `name:type` gives its type where
 *     the name does not (`key`, a name ending in "key", `source` and
 *     `destination` are keys, `pattern` a pattern, the rest strings);
 *   - an uppercase word is a token: of the argument or parenthesised
 *     group right after it, else a pure token;
 *   - `[...]` is optional, `(...)` only groups, `|` separates
 *     alternatives and binds loosest, as in a regular expression;
 *   - items followed by `[<their text> ...]` repeat (`key [key ...]`,
 *     `field value [field value ...]`, `[GET pattern [GET pattern ...]]`
 *     repeats the token too). */
#ifndef RESPITE_DOCS_H
#define RESPITE_DOCS_H

#include <stddef.h>

struct resp_out;

/* A row of server/docs_table.c. */
struct docs_row {
    const char *name;      /* upper case; "CONFIG|GET" for a subcommand */
    const char *since;     /* a subcommand's; a command's is in its table row */
    const char *summary;   /* likewise */
    const char *syntax;    /* the arguments after the name; "" for none */
};

/* The row of name (any case), or NULL. */
const struct docs_row *docs_lookup(const char *name, size_t len);
/* The table, sorted by name, for the unit test. */
const struct docs_row *docs_rows(size_t *n);

/* COMMAND DOCS's argument types; those a ":type" may name come first,
 * DOCS_STRING to DOCS_UNIX_TIME. */
enum docs_type {
    DOCS_STRING, DOCS_INTEGER, DOCS_DOUBLE, DOCS_KEY, DOCS_PATTERN,
    DOCS_UNIX_TIME, DOCS_PURE_TOKEN, DOCS_ONEOF, DOCS_BLOCK,
};

enum docs_flags {
    DOCS_OPTIONAL = 1 << 0,
    DOCS_MULTIPLE = 1 << 1,
    DOCS_MULTIPLE_TOKEN = 1 << 2,
};

#define DOCS_MAX_ARGS 96

/* One argument of a parsed syntax; names and tokens point into it. */
struct docs_arg {
    enum docs_type type;
    unsigned flags;
    const char *name;      /* NULL for a group, which is named after its
                              token or its arguments */
    size_t name_len;
    const char *token;     /* NULL if none */
    size_t token_len;
    int child, next;       /* indexes into the tree, -1 for none */
    const char *text, *core; /* where it starts in the syntax, with and
                                without its token */
    const char *end;
};

struct docs_tree {
    struct docs_arg args[DOCS_MAX_ARGS];
    int n;
    int first;             /* the top-level arguments, -1 for none */
};

/* Parses syntax into t; 0, or -1 when it is malformed or too long. */
int docs_parse(const char *syntax, struct docs_tree *t);
/* The fewest and most words a call's arguments can take (max -1 when
 * unbounded), to check a syntax against the command's arity. */
void docs_arity(const struct docs_tree *t, int *min, int *max);
/* Adds t's arguments to o as COMMAND DOCS's "arguments" array. */
void docs_add_arguments(struct resp_out *o, const struct docs_tree *t);

#endif
