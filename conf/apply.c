/* apply.c - one directive's value in and out: its arguments parsed and
 * checked by the rules of its row's type into temporaries, then committed
 * to struct conf (so the old value survives any error), and the value
 * formatted back as CONFIG GET prints it. Error reasons are Redis 7's
 * (config.c) word for word where a client could see them. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"

/* T_FNAME: Redis's isValidDBfilename, isValidAOFfilename and
 * isValidAOFdirname (pathIsBaseName: no '/', no '\'). */
static int check_fname(const struct conf_def *d, const char *s, char *why,
                       size_t wlen)
{
    if ((d->flags & F_NONEMPTY) && *s == '\0') {
        snprintf(why, wlen, "%s can't be empty", d->name);
        return -1;
    }
    if (strchr(s, '/') || strchr(s, '\\')) {
        snprintf(why, wlen, "%s can't be a path, just a %s", d->name,
                 strcmp(d->name, "appenddirname") ? "filename" : "dirname");
        return -1;
    }
    return 0;
}

/* Whether a {variable} of a process title template names one Redis
 * knows, and whether it can expand to something (title and server-mode
 * are empty when Redis checks a template; unixsocket when there is none). */
static int ptitle_var(const struct conf *c, const char *name, size_t len,
                      int *nonempty)
{
    static const char *const filled[] = { "listen-addr", "port", "tls-port",
                                          "config-file", NULL };
    static const char *const blank[] = { "title", "server-mode", NULL };
    for (int i = 0; filled[i]; i++)
        if (strlen(filled[i]) == len && !memcmp(name, filled[i], len))
            return *nonempty = 1;
    for (int i = 0; blank[i]; i++)
        if (strlen(blank[i]) == len && !memcmp(name, blank[i], len))
            return 1;
    if (len == 10 && !memcmp(name, "unixsocket", 10)) {
        *nonempty |= c->unixsocket && *c->unixsocket;
        return 1;
    }
    return 0;
}

/* proc-title-template, checked as Redis checks it: "{name}" must be a
 * known variable ("{{" is a literal brace, a lone "}" is text), and the
 * title must not come out empty or only spaces. */
static int check_ptitle(const struct conf *c, const char *s, char *why,
                        size_t wlen)
{
    int nonempty = 0, ok = 1;
    while (*s && ok) {
        if (*s != '{') {
            nonempty |= *s != ' ';
            s++;
        } else if (s[1] == '{') {
            nonempty = 1;
            s += 2;
        } else {
            const char *end = strchr(s + 1, '}');
            ok = end && ptitle_var(c, s + 1, (size_t)(end - s - 1),
                                   &nonempty);
            s = end ? end + 1 : s;
        }
    }
    if (ok && nonempty)
        return 0;
    snprintf(why, wlen, "template format is invalid or contains unknown "
             "variables");
    return -1;
}

static int range_error(const struct conf_def *d, char *why, size_t wlen)
{
    if (d->type == T_OCTAL)
        snprintf(why, wlen, "argument must be between %llo and %llo "
                 "inclusive", (unsigned long long)d->lo, d->hi);
    else
        snprintf(why, wlen, "argument must be between %lld and %llu "
                 "inclusive", d->lo, d->hi);
    return APPLY_BAD;
}

/* ------------------------------------------------------------------------
 * Keyspace event classes (Redis's notify.c order)
 * --------------------------------------------------------------------- */

enum {
    N_K = 1 << 0, N_E = 1 << 1, N_G = 1 << 2, N_STR = 1 << 3,
    N_L = 1 << 4, N_S = 1 << 5, N_H = 1 << 6, N_Z = 1 << 7,
    N_X = 1 << 8, N_EV = 1 << 9, N_T = 1 << 10, N_M = 1 << 11,
    N_D = 1 << 12, N_N = 1 << 13,
    N_ALL = N_G | N_STR | N_L | N_S | N_H | N_Z | N_X | N_EV | N_T | N_D,
};

/* The letters in the order Redis prints them, after "A" if all of
 * N_ALL is set; K, E and m are always printed last. */
static const struct { char letter; int flag; } notify_letters[] = {
    { 'g', N_G }, { '$', N_STR }, { 'l', N_L }, { 's', N_S },
    { 'h', N_H }, { 'z', N_Z }, { 'x', N_X }, { 'e', N_EV },
    { 't', N_T }, { 'd', N_D }, { 'n', N_N },
};

static int notify_parse(const char *s)
{
    int flags = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'A': flags |= N_ALL; break;
        case 'K': flags |= N_K; break;
        case 'E': flags |= N_E; break;
        case 'm': flags |= N_M; break;
        default: {
            size_t i, n = sizeof(notify_letters) / sizeof(notify_letters[0]);
            for (i = 0; i < n; i++)
                if (notify_letters[i].letter == *s)
                    break;
            if (i == n)
                return -1;
            flags |= notify_letters[i].flag;
        }
        }
    }
    return flags;
}

/* Writes the canonical form into buf (at least 20 bytes): the stored
 * one, or with shown set the one CONFIG GET prints, where "n" after "A"
 * is left out as Redis 7 leaves it out. */
static void notify_format(int flags, int shown, char *buf)
{
    char *p = buf;
    int all = (flags & N_ALL) == N_ALL;
    if (all)
        *p++ = 'A';
    for (size_t i = 0; i < sizeof(notify_letters) / sizeof(notify_letters[0]);
         i++) {
        int f = notify_letters[i].flag;
        if ((flags & f) && (!all || (f == N_N && !shown)))
            *p++ = notify_letters[i].letter;
    }
    if (flags & N_K) *p++ = 'K';
    if (flags & N_E) *p++ = 'E';
    if (flags & N_M) *p++ = 'm';
    *p = '\0';
}

/* ------------------------------------------------------------------------
 * Storing parsed values
 * --------------------------------------------------------------------- */

/* Whether a row with a field keeps it as a char * (owned). */
int conf__is_str_type(enum def_type t)
{
    return t == T_STR || t == T_FNAME || t == T_DIR || t == T_ENUM ||
           t == T_NOTIFY || t == T_PCTL || t == T_OOMADJ || t == T_SAVE;
}

/* Replaces a string slot; s is owned by the slot afterwards. */
static void replace_str(char **slot, char *s)
{
    free(*slot);
    *slot = s;
}

static void format_num(const struct conf_def *d, long long v,
                       unsigned long long u, char *buf, size_t len)
{
    switch (d->type) {
    case T_BOOL:  snprintf(buf, len, "%s", v ? "yes" : "no"); break;
    case T_OCTAL: snprintf(buf, len, "%llo", (unsigned long long)v); break;
    case T_MEM:   snprintf(buf, len, "%llu", u); break;
    case T_MEMPCT:
        snprintf(buf, len, v < 0 ? "%lld%%" : "%lld", v < 0 ? -v : v);
        break;
    default:      snprintf(buf, len, "%lld", v); break;
    }
}

static int commit_num(struct conf *c, size_t row, long long v,
                      unsigned long long u)
{
    const struct conf_def *d = &conf__defs[row];
    if (d->size == 0) {
        char buf[32];
        format_num(d, v, u, buf, sizeof(buf));
        char *s = conf__dup_str(buf);
        if (!s)
            return APPLY_NOMEM;
        replace_str(&c->noop[row], s);
        return APPLY_OK;
    }
    void *p = conf__field(c, d);
    if (d->type == T_MEM)
        *(uint64_t *)p = u;
    else if (d->size == sizeof(int))
        *(int *)p = (int)v;
    else
        *(int64_t *)p = v;
    return APPLY_OK;
}

/* Stores a copy of s (or NULL for "" when F_EMPTYNULL). */
static int commit_str(struct conf *c, size_t row, const char *s)
{
    const struct conf_def *d = &conf__defs[row];
    char *copy = NULL;
    if (d->size == 0 || !(d->flags & F_EMPTYNULL) || *s) {
        copy = conf__dup_str(s);
        if (!copy)
            return APPLY_NOMEM;
    }
    replace_str(d->size ? (char **)conf__field(c, d) : &c->noop[row], copy);
    return APPLY_OK;
}

static int apply_bind(struct conf *c, const char *const *argv, int argc,
                      char *why, size_t wlen)
{
    if (argc > CONF_MAX_BIND) {
        snprintf(why, wlen, "Too many bind addresses specified.");
        return APPLY_BAD;
    }
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    char *fresh[CONF_MAX_BIND];
    for (int i = 0; i < argc; i++) {
        fresh[i] = conf__dup_str(argv[i]);
        if (!fresh[i]) {
            while (i--)
                free(fresh[i]);
            return APPLY_NOMEM;
        }
    }
    for (int i = 0; i < c->nbind; i++)
        free(c->bind[i]);
    for (int i = 0; i < CONF_MAX_BIND; i++)
        c->bind[i] = i < argc ? fresh[i] : NULL;
    c->nbind = argc;
    return APPLY_OK;
}

/* Formats a percentile as Redis does: %f, then its trailing zeros (and
 * point) trimmed, so 99.90 is "99.9" and 99.9999999 "100". */
static void format_pctl(double v, char *out, size_t len)
{
    int n = snprintf(out, len, "%f", v);
    if (n <= 0 || (size_t)n >= len || !strchr(out, '.'))
        return;
    while (n > 0 && out[n - 1] == '0')
        out[--n] = '\0';
    if (n > 0 && out[n - 1] == '.')
        out[n - 1] = '\0';
}

/* latency-tracking-info-percentiles: numbers strtod reads whole (Redis
 * takes "1e1" and "0x10" too), each in 0..100; "" is none. Kept as the
 * list CONFIG GET prints. */
static int apply_pctl(struct conf *c, size_t row, const char *const *argv,
                      int argc, char *why, size_t wlen)
{
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    struct sbuf b = {0};
    for (int i = 0; i < argc; i++) {
        char *end;
        double v = strtod(argv[i], &end);
        if (argv[i][0] == '\0' || *end != '\0' || v != v) {
            snprintf(why, wlen, "Invalid latency-tracking-info-percentiles "
                     "parameters");
            free(b.p);
            return APPLY_BAD;
        }
        if (v < 0.0 || v > 100.0) {
            snprintf(why, wlen, "latency-tracking-info-percentiles "
                     "parameters should sit between [0.0,100.0]");
            free(b.p);
            return APPLY_BAD;
        }
        char num[32];
        format_pctl(v, num, sizeof(num));
        conf__sbuf_str(&b, i ? " " : "");
        conf__sbuf_str(&b, num);
    }
    int rc = b.oom ? APPLY_NOMEM : commit_str(c, row, b.p ? b.p : "");
    free(b.p);
    return rc;
}

/* oom-score-adj-values: exactly three integers, each -2000..2000, read
 * as Redis reads them (strtoll, so "+5" is 5 and "" is 0). Kept as
 * CONFIG GET prints them. */
static int apply_oomadj(struct conf *c, size_t row, const char *const *argv,
                        int argc, char *why, size_t wlen)
{
    if (argc != 3) {
        snprintf(why, wlen, "wrong number of arguments");
        return APPLY_BAD;
    }
    long long v[3];
    for (int i = 0; i < 3; i++) {
        char *end;
        v[i] = strtoll(argv[i], &end, 10);
        if (*end != '\0' || v[i] < -2000 || v[i] > 2000) {
            snprintf(why, wlen, "Invalid oom-score-adj-values, elements "
                     "must be between -2000 and 2000.");
            return APPLY_BAD;
        }
    }
    char buf[40];
    snprintf(buf, sizeof(buf), "%lld %lld %lld", v[0], v[1], v[2]);
    return commit_str(c, row, buf);
}

static struct conf_obuf_limit *obuf_class(struct conf *c, const char *name)
{
    if (!strcasecmp(name, "normal"))
        return &c->obuf_normal;
    if (!strcasecmp(name, "replica") || !strcasecmp(name, "slave"))
        return &c->obuf_replica;
    if (!strcasecmp(name, "pubsub"))
        return &c->obuf_pubsub;
    return NULL;
}

/* "<class> <hard> <soft> <soft-seconds>" repeated; all or nothing. */
static int apply_obuf(struct conf *c, const char *const *argv, int argc,
                      char *why, size_t wlen)
{
    struct conf_obuf_limit *dst[3];
    struct conf_obuf_limit val[3];
    int n = 0;
    if (argc % 4) {
        snprintf(why, wlen, "Wrong number of arguments in buffer limit "
                 "configuration.");
        return APPLY_BAD;
    }
    for (int j = 0; j < argc; j += 4) {
        struct conf_obuf_limit *cls = obuf_class(c, argv[j]);
        if (!cls) {
            snprintf(why, wlen, "Invalid client class specified in buffer "
                     "limit configuration.");
            return APPLY_BAD;
        }
        /* Redis reads soft_seconds with strtoll into an int, so a value
         * past 32 bits wraps before the sign check, as there. */
        unsigned long long hard, soft;
        char *end;
        int secs = (int)strtoll(argv[j + 3], &end, 10);
        if (conf__parse_mem(argv[j + 1], &hard) ||
            conf__parse_mem(argv[j + 2], &soft) || *end != '\0' || secs < 0) {
            snprintf(why, wlen, "Error in hard, soft or soft_seconds setting "
                     "in buffer limit configuration.");
            return APPLY_BAD;
        }
        int k;
        for (k = 0; k < n && dst[k] != cls; k++)
            ;
        dst[k] = cls;
        val[k] = (struct conf_obuf_limit){ hard, soft, secs };
        if (k == n)
            n++;
    }
    for (int k = 0; k < n; k++)
        *dst[k] = val[k];
    return APPLY_OK;
}

static int apply_save(struct conf *c, size_t row, const char *const *argv,
                      int argc, struct load_ctx *ctx, char *why, size_t wlen)
{
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    if (argc & 1) {
        snprintf(why, wlen, "Invalid save parameters");
        return APPLY_BAD;
    }
    const struct conf_def *d = &conf__defs[row];
    char **slot = d->size ? (char **)conf__field(c, d) : &c->noop[row];
    struct sbuf b = {0};
    int append = ctx && ctx->save_seen && argc > 0;
    if (append && *slot)
        conf__sbuf_str(&b, *slot);
    conf__sbuf_add(&b, "", 0);
    for (int j = 0; j < argc; j++) {
        char *end, num[24];
        long long v = strtoll(argv[j], &end, 10);
        if (*end != '\0' || v < ((j & 1) ? 0 : 1)) {
            free(b.p);
            snprintf(why, wlen, "Invalid save parameters");
            return APPLY_BAD;
        }
        /* Redis keeps the changes count in an int: checked before it is
         * truncated, shown truncated. */
        snprintf(num, sizeof(num), "%lld", (j & 1) ? (long long)(int)v : v);
        if (b.len)
            conf__sbuf_add(&b, " ", 1);
        conf__sbuf_str(&b, num);
    }
    if (b.oom) {
        free(b.p);
        return APPLY_NOMEM;
    }
    replace_str(slot, b.p);
    if (ctx)
        ctx->save_seen = 1;
    return APPLY_OK;
}

/* dir: Redis chdir()s into it, so the value must name a directory that
 * can be entered, the error is strerror's text, and a relative path starts
 * from the previous dir. Respite never changes directory: it keeps the
 * joined path, writes its snapshots under it, and format_value shows it
 * resolved as Redis's getcwd() would. */
static int apply_dir(struct conf *c, size_t row, const char *path,
                     char *why, size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    const char *prev = *(char **)conf__field(c, d);
    struct sbuf b = {0};
    if (path[0] != '/' && prev) {
        conf__sbuf_str(&b, prev);
        conf__sbuf_add(&b, "/", 1);
    }
    conf__sbuf_str(&b, path);
    if (b.oom) {
        free(b.p);
        return APPLY_NOMEM;
    }
    struct stat st;
    int err = 0;
    if (path[0] == '\0')
        err = ENOENT;
    else if (stat(b.p, &st) != 0)
        err = errno;
    else if (!S_ISDIR(st.st_mode))
        err = ENOTDIR;
    else if (access(b.p, X_OK) != 0)
        err = errno;
    if (err) {
        free(b.p);
        snprintf(why, wlen, "%s", strerror(err));
        return APPLY_BAD;
    }
    replace_str((char **)conf__field(c, d), b.p);
    return APPLY_OK;
}

/* Appends a "user" directive (its name and rules, copied) to c->users;
 * ACL checks the rules when the server starts. */
static int apply_user(struct conf *c, const char *const *argv, int argc)
{
    struct conf_user *v = realloc(c->users, (size_t)(c->nusers + 1) *
                                                sizeof(*v));
    if (!v)
        return APPLY_NOMEM;
    c->users = v;
    char **copy = calloc((size_t)argc, sizeof(*copy));
    if (!copy)
        return APPLY_NOMEM;
    for (int i = 0; i < argc; i++) {
        copy[i] = conf__dup_str(argv[i]);
        if (!copy[i]) {
            while (i-- > 0)
                free(copy[i]);
            free(copy);
            return APPLY_NOMEM;
        }
    }
    v[c->nusers++] = (struct conf_user){ copy, argc };
    return APPLY_OK;
}

/* Appends a "rename-command from to" (copied) to c->renames; which
 * commands exist is the server's to check. */
static int apply_rename(struct conf *c, const char *const *argv)
{
    struct conf_rename *v = realloc(c->renames, (size_t)(c->nrenames + 1) *
                                                    sizeof(*v));
    if (!v)
        return APPLY_NOMEM;
    c->renames = v;
    char *from = conf__dup_str(argv[0]), *to = conf__dup_str(argv[1]);
    if (!from || !to) {
        free(from);
        free(to);
        return APPLY_NOMEM;
    }
    v[c->nrenames++] = (struct conf_rename){ from, to, NULL };
    return APPLY_OK;
}

/* A yes/no directive. */
static int apply_bool(struct conf *c, size_t row, const char *arg,
                      char *why, size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    long long v;
    if (!strcasecmp(arg, "yes")) {
        v = 1;
    } else if (!strcasecmp(arg, "no")) {
        v = 0;
    } else {
        snprintf(why, wlen, "argument must be 'yes' or 'no'");
        return APPLY_BAD;
    }
    if (d->check && d->check(&v, why, wlen))
        return APPLY_BAD;
    return commit_num(c, row, v, 0);
}

/* A decimal integer directive within its row's range. */
static int apply_int(struct conf *c, size_t row, const char *arg, char *why,
                     size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    long long v;
    if (conf__parse_ll(arg, &v)) {
        snprintf(why, wlen, "argument couldn't be parsed into an integer");
        return APPLY_BAD;
    }
    if (v < d->lo || (v > 0 && (unsigned long long)v > d->hi))
        return range_error(d, why, wlen);
    if (d->check && d->check(&v, why, wlen))
        return APPLY_BAD;
    return commit_num(c, row, v, 0);
}

/* An octal directive (unixsocketperm) within its row's range. */
static int apply_octal(struct conf *c, size_t row, const char *arg,
                       char *why, size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 8);
    if (errno || *end != '\0') {
        snprintf(why, wlen, "argument couldn't be parsed as an octal "
                 "number");
        return APPLY_BAD;
    }
    if (v < d->lo || (v > 0 && (unsigned long long)v > d->hi))
        return range_error(d, why, wlen);
    return commit_num(c, row, v, 0);
}

/* A memory size ("100mb") within its row's range. */
static int apply_mem(struct conf *c, size_t row, const char *arg, char *why,
                     size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    unsigned long long u;
    if (conf__parse_mem(arg, &u)) {
        snprintf(why, wlen, "argument must be a memory value");
        return APPLY_BAD;
    }
    if (u < (unsigned long long)d->lo || u > d->hi)
        return range_error(d, why, wlen);
    return commit_num(c, row, 0, u);
}

/* The index of arg among d's choices, any case, or -1. */
static int choice_of(const struct conf_def *d, const char *arg)
{
    for (int i = 0; d->choices[i]; i++)
        if (!strcasecmp(arg, d->choices[i]))
            return i;
    return -1;
}

/* Redis's error for a word that is none of d's choices. */
static int choices_error(const struct conf_def *d, char *why, size_t wlen)
{
    struct sbuf b = {0};
    conf__sbuf_str(&b, "argument(s) must be one of the following: ");
    for (size_t i = 0; d->choices[i]; i++) {
        conf__sbuf_str(&b, i ? ", " : "");
        conf__sbuf_str(&b, d->choices[i]);
    }
    snprintf(why, wlen, "%s", b.oom ? "bad value" : b.p);
    free(b.p);
    return APPLY_BAD;
}

/* maxmemory-clients: a memory value, or a percentage of maxmemory ("10%",
 * 0 to 100) kept negative, as Redis keeps it. */
static int apply_mempct(struct conf *c, size_t row, const char *arg,
                        char *why, size_t wlen)
{
    size_t n = strlen(arg);
    long long v;
    unsigned long long u;
    if (n > 1 && n < 32 && arg[n - 1] == '%') {
        char num[32];
        memcpy(num, arg, n - 1);
        num[n - 1] = '\0';
        if (conf__parse_ll(num, &v) == 0 && v >= 0) {
            if (v <= 100)
                return commit_num(c, row, -v, 0);
            snprintf(why, wlen, "percentage argument must be less or equal "
                     "to 100");
            return APPLY_BAD;
        }
    } else if (conf__parse_mem(arg, &u) == 0 && u <= LLONG_MAX) {
        return commit_num(c, row, (long long)u, 0);
    }
    snprintf(why, wlen, "argument must be a memory or percent value");
    return APPLY_BAD;
}

/* One of the row's choices, any case; stored as the choice is spelt. */
static int apply_enum(struct conf *c, size_t row, const char *arg,
                      char *why, size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    int i = choice_of(d, arg);
    return i < 0 ? choices_error(d, why, wlen)
                 : commit_str(c, row, d->choices[i]);
}

/* One or more of the row's choices, any case, in any order, repeats
 * allowed (Redis's multi-argument enum): choices[0] is the empty set and
 * choices[i] sets bit i - 1 of the mask stored. */
static int apply_flags(struct conf *c, size_t row, const char *const *argv,
                       int argc, char *why, size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    long long mask = 0;
    if (argc == 0)
        return choices_error(d, why, wlen);
    for (int a = 0; a < argc; a++) {
        int i = choice_of(d, argv[a]);
        if (i < 0)
            return choices_error(d, why, wlen);
        if (i > 0)
            mask |= 1LL << (i - 1);
    }
    if (d->check && d->check(&mask, why, wlen))
        return APPLY_BAD;
    return commit_num(c, row, mask, 0);
}

/* notify-keyspace-events: class letters, stored in canonical form. */
static int apply_notify(struct conf *c, size_t row, const char *arg,
                        char *why, size_t wlen)
{
    char buf[32];
    int flags = notify_parse(arg);
    if (flags < 0) {
        snprintf(why, wlen, "Invalid event class character. Use "
                 "'Ag$lshzxeKEtmdn'.");
        return APPLY_BAD;
    }
    notify_format(flags, 0, buf);
    return commit_str(c, row, buf);
}

/* Parses, validates and stores one directive. On APPLY_BAD the reason, in
 * Redis's words, is in why; on any failure the old value is untouched. */
int conf__apply(struct conf *c, size_t row, const char *const *argv,
                 int argc, struct load_ctx *ctx, char *why, size_t wlen)
{
    const struct conf_def *d = &conf__defs[row];
    if (!(d->flags & F_MULTI) && argc != 1)
        return APPLY_ARITY;

    switch (d->type) {
    case T_BOOL:
        return apply_bool(c, row, argv[0], why, wlen);
    case T_INT:
        return apply_int(c, row, argv[0], why, wlen);
    case T_OCTAL:
        return apply_octal(c, row, argv[0], why, wlen);
    case T_MEM:
        return apply_mem(c, row, argv[0], why, wlen);
    case T_MEMPCT:
        return apply_mempct(c, row, argv[0], why, wlen);
    case T_STR:
        return commit_str(c, row, argv[0]);
    case T_FNAME:
        if (check_fname(d, argv[0], why, wlen))
            return APPLY_BAD;
        return commit_str(c, row, argv[0]);
    case T_PTITLE:
        if (check_ptitle(c, argv[0], why, wlen))
            return APPLY_BAD;
        return commit_str(c, row, argv[0]);
    case T_DIR:
        return apply_dir(c, row, argv[0], why, wlen);
    case T_ENUM:
        return apply_enum(c, row, argv[0], why, wlen);
    case T_FLAGS:
        return apply_flags(c, row, argv, argc, why, wlen);
    case T_BIND:
        return apply_bind(c, argv, argc, why, wlen);
    case T_PCTL:
        return apply_pctl(c, row, argv, argc, why, wlen);
    case T_OOMADJ:
        return apply_oomadj(c, row, argv, argc, why, wlen);
    case T_OBUF:
        return apply_obuf(c, argv, argc, why, wlen);
    case T_NOTIFY:
        return apply_notify(c, row, argv[0], why, wlen);
    case T_SAVE:
        return apply_save(c, row, argv, argc, ctx, why, wlen);
    case T_IGNORE:
        return APPLY_OK;
    case T_USER:
        return argc == 0 ? APPLY_OK : apply_user(c, argv, argc);
    case T_RENAME:
        if (argc == 0)
            return APPLY_OK;    /* the default: none */
        return argc == 2 ? apply_rename(c, argv) : APPLY_ARITY;
    }
    return APPLY_BAD;
}

/* Formats one row's value as CONFIG GET prints it; the result points into
 * c or into b and is valid until either changes. */
const char *conf__format_value(const struct conf *c, size_t row,
                                struct sbuf *b)
{
    const struct conf_def *d = &conf__defs[row];
    char num[32];
    if (d->size == 0)
        return c->noop && c->noop[row] ? c->noop[row] : "";
    const void *p = conf__cfield(c, d);
    switch (d->type) {
    case T_STR:
    case T_FNAME:
    case T_ENUM:
    case T_PCTL:
    case T_OOMADJ:
    case T_SAVE: {
        const char *s = *(char *const *)p;
        return s ? s : "";
    }
    case T_DIR: {
        /* As Redis's getcwd(): absolute, symbolic links resolved, "" if
         * the directory is gone. */
        const char *s = *(char *const *)p;
        char *abs = s ? realpath(s, NULL) : NULL;
        conf__sbuf_str(b, abs ? abs : "");
        free(abs);
        break;
    }
    case T_NOTIFY: {
        const char *s = *(char *const *)p;
        int flags = s ? notify_parse(s) : 0;
        notify_format(flags < 0 ? 0 : flags, 1, num);
        conf__sbuf_str(b, num);
        break;
    }
    case T_BIND:
        for (int i = 0; i < c->nbind; i++) {
            if (i)
                conf__sbuf_add(b, " ", 1);
            conf__sbuf_str(b, c->bind[i]);
        }
        break;
    case T_OBUF: {
        const struct { const char *name; const struct conf_obuf_limit *l; }
        cls[] = {
            { "normal", &c->obuf_normal },
            { "slave", &c->obuf_replica },
            { "pubsub", &c->obuf_pubsub },
        };
        for (size_t i = 0; i < 3; i++) {
            char one[96];
            snprintf(one, sizeof(one), "%s%s %llu %llu %lld", i ? " " : "",
                     cls[i].name, (unsigned long long)cls[i].l->hard,
                     (unsigned long long)cls[i].l->soft,
                     (long long)cls[i].l->soft_seconds);
            conf__sbuf_str(b, one);
        }
        break;
    }
    case T_MEM:
        format_num(d, 0, *(const uint64_t *)p, num, sizeof(num));
        conf__sbuf_str(b, num);
        break;
    case T_FLAGS: {
        int mask = *(const int *)p;
        if (!mask)
            conf__sbuf_str(b, d->choices[0]);
        for (int i = 1; d->choices[i]; i++) {
            if (mask & (1 << (i - 1))) {
                conf__sbuf_str(b, b->len ? " " : "");
                conf__sbuf_str(b, d->choices[i]);
            }
        }
        break;
    }
    default: {
        long long v = d->size == sizeof(int) ? *(const int *)p
                                             : (long long)*(const int64_t *)p;
        format_num(d, v, 0, num, sizeof(num));
        conf__sbuf_str(b, num);
        break;
    }
    }
    return b->oom || !b->p ? "" : b->p;
}
