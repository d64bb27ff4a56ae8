/* conf_int.h - what conf/'s files share and nothing outside conf/ may
 * use: the directive table's row type, the growable string and argument
 * vector the parsers build, and the functions each file lends the others.
 *
 *   defs.c     the table: every directive, its syntax, default and bounds
 *   text.c     growable strings, splitting config lines, number parsers
 *   apply.c    a row's value in (parse, check, store) and out (CONFIG GET)
 *   conf.c     conf_init/close and loading files and command lines
 *   runtime.c  CONFIG SET and the CONFIG GET walk
 *   lines.c    the config file lines of each value (CONFIG REWRITE)
 *   rewrite.c  CONFIG REWRITE's merge into the old file */
#ifndef RESPITE_CONF_INT_H
#define RESPITE_CONF_INT_H

#include <stddef.h>

#include "conf/conf.h"

enum def_type {
    T_BOOL,     /* yes / no */
    T_INT,      /* strict decimal integer, int or int64_t field */
    T_OCTAL,    /* octal integer, int field */
    T_MEM,      /* byte count with k/kb/m/mb/g/gb units, uint64_t field */
    T_MEMPCT,   /* T_MEM's, or "N%" kept as -N, int64_t field */
    T_STR,      /* any string, char * field */
    T_DIR,      /* an existing directory, char * field (see apply_dir) */
    T_FNAME,    /* a file name, not a path (Redis's pathIsBaseName) */
    T_PTITLE,   /* a process title template (see check_ptitle) */
    T_ENUM,     /* one of `choices`, kept in its canonical spelling */
    T_FLAGS,    /* words of `choices` as an int mask (see apply_flags) */
    T_BIND,     /* 0..CONF_MAX_BIND addresses */
    T_OBUF,     /* client-output-buffer-limit triples */
    T_NOTIFY,   /* notify-keyspace-events class letters */
    T_SAVE,     /* "seconds changes" pairs, char * field */
    T_IGNORE,   /* deprecated in Redis: accepted from files, not shown */
    T_PCTL,     /* percentiles 0..100, kept as CONFIG GET prints them */
    T_OOMADJ,   /* oom-score-adj-values: three integers -2000..2000 */
    T_USER,     /* "user name rules...": appended to c->users */
    T_RENAME,   /* "rename-command from to": appended to c->renames */
};

#define F_MUTABLE   (1u << 0)   /* CONFIG SET may change it at run time */
#define F_MULTI     (1u << 1)   /* takes any number of arguments */
#define F_EMPTYNULL (1u << 2)   /* T_STR: "" is stored as NULL */
#define F_HIDDEN    (1u << 3)   /* not shown by conf_each, not CONFIG SET */
#define F_PROTECTED (1u << 4)   /* CONFIG SET refuses it, as Redis does
                                   while enable-protected-configs is no */
#define F_NONEMPTY  (1u << 5)   /* T_FNAME: "" is refused */
#define F_UNLISTED  (1u << 6)   /* CONFIG GET shows it to its exact name
                                   only, as Redis's hidden configs */

typedef int (*def_check_fn)(long long *v, char *why, size_t wlen);

struct conf_def {
    const char *name;
    const char *alias;          /* a second name for the same value */
    enum def_type type;
    unsigned flags;
    size_t off, size;           /* field in struct conf; size 0 = no-op */
    const char *def;            /* default, as a config file would say it */
    long long lo;               /* bounds for T_INT, T_OCTAL, T_MEM */
    unsigned long long hi;
    const char *const *choices; /* T_ENUM, T_FLAGS: NULL terminated */
    def_check_fn check;         /* T_BOOL, T_INT, T_FLAGS: extra check */
};

/* Results of conf__apply(). */
enum {
    APPLY_OK = 0,
    APPLY_BAD = -1,     /* reason written to `why` */
    APPLY_ARITY = -2,   /* wrong number of arguments */
    APPLY_NOMEM = -3,
};

/* State kept across the lines of one start-up load (file then args). */
struct load_ctx {
    int save_seen;      /* later "save" lines add to earlier ones */
    int depth;          /* include files open around this one */
};

/* A growable string, NUL-terminated once anything was added; after a
 * failed allocation oom is set and later adds do nothing. The owner frees
 * p. */
struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

/* An argument vector owning its strings (conf__args_free). */
struct args {
    char **v;
    int n, cap;
};

/* Results of conf__split_line(). */
enum { SPLIT_OK, SPLIT_QUOTES, SPLIT_NUL, SPLIT_NOMEM };

/* defs.c */
extern const struct conf_def conf__defs[];
extern const size_t conf__ndefs;
int conf__lookup(const char *name);
int conf__unsupported(const char *name);

/* text.c */
int conf__sbuf_add(struct sbuf *b, const char *s, size_t n);
int conf__sbuf_str(struct sbuf *b, const char *s);
void conf__args_free(struct args *a);
int conf__args_push_copy(struct args *a, const char *s, size_t n);
void conf__clip(char *dst, size_t dstlen, const char *src);
char *conf__dup_str(const char *s);
int conf__split_line(const char *line, struct args *out);
int conf__split_spaces(const char *s, struct args *out);
int conf__parse_ll(const char *s, long long *out);
int conf__parse_mem(const char *s, unsigned long long *out);

/* conf.c: if line is "include pattern", applies the files it names to c
 * and returns 1 (-1 if one failed, what it set before that kept); else
 * returns 0. */
int conf__apply_include(struct conf *c, const char *line);

/* apply.c */
int conf__apply(struct conf *c, size_t row, const char *const *argv,
                int argc, struct load_ctx *ctx, char *why, size_t wlen);
int conf__is_str_type(enum def_type t);
const char *conf__format_value(const struct conf *c, size_t row,
                               struct sbuf *b);

/* The field of struct conf that row d keeps its value in. */
static inline void *conf__field(struct conf *c, const struct conf_def *d)
{
    return (char *)c + d->off;
}

static inline const void *conf__cfield(const struct conf *c,
                                       const struct conf_def *d)
{
    return (const char *)c + d->off;
}

#endif
