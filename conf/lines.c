/* lines.c - the config file lines that set each directive's current
 * value, as Redis's CONFIG REWRITE writes them, and which directive a
 * line of an existing file sets; conf/rewrite.c merges them into the
 * file. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"

/* Appends s as one config file token: bare when split_line reads it back
 * unchanged, else double-quoted with escapes; strings are always quoted,
 * as Redis writes them. */
static void add_token(struct sbuf *b, const char *s, int quote)
{
    int bare = !quote && *s;
    for (const char *p = s; bare && *p; p++)
        bare = isgraph((unsigned char)*p) && *p != '"' && *p != '\'';
    if (bare) {
        conf__sbuf_str(b, s);
        return;
    }
    conf__sbuf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '\\': conf__sbuf_str(b, "\\\\"); break;
        case '"':  conf__sbuf_str(b, "\\\""); break;
        case '\n': conf__sbuf_str(b, "\\n"); break;
        case '\r': conf__sbuf_str(b, "\\r"); break;
        case '\t': conf__sbuf_str(b, "\\t"); break;
        case '\a': conf__sbuf_str(b, "\\a"); break;
        case '\b': conf__sbuf_str(b, "\\b"); break;
        default:
            if (isprint(*p)) {
                conf__sbuf_add(b, (const char *)p, 1);
            } else {
                snprintf(esc, sizeof(esc), "\\x%02x", *p);
                conf__sbuf_str(b, esc);
            }
        }
    }
    conf__sbuf_add(b, "\"", 1);
}

/* A byte count as Redis's rewrite writes it: in the largest unit that
 * divides it exactly. */
static void add_bytes(struct sbuf *b, unsigned long long v)
{
    static const struct { const char *unit; unsigned long long n; } u[] = {
        { "gb", 1ULL << 30 }, { "mb", 1ULL << 20 }, { "kb", 1ULL << 10 },
    };
    char buf[32];
    snprintf(buf, sizeof(buf), "%llu", v);
    for (size_t i = 0; v && i < sizeof(u) / sizeof(u[0]); i++) {
        if (v % u[i].n == 0) {
            snprintf(buf, sizeof(buf), "%llu%s", v / u[i].n, u[i].unit);
            break;
        }
    }
    conf__sbuf_str(b, buf);
}

/* Each space-separated word of s as a token; "" when there is none. */
static void add_words(struct sbuf *b, const char *s)
{
    if (!*s) {
        conf__sbuf_str(b, "\"\"");
        return;
    }
    while (*s) {
        size_t n = strcspn(s, " ");
        char *word = strndup(s, n);
        if (!word) {
            b->oom = 1;
            return;
        }
        add_token(b, word, 0);
        free(word);
        s += n;
        while (*s == ' ')
            s++;
        if (*s)
            conf__sbuf_add(b, " ", 1);
    }
}

/* "save S C" a pair, or save "" for none. */
static void add_save_lines(struct sbuf *b, const char *name, const char *s)
{
    unsigned long long secs, changes;
    int used, first = 1;
    while (sscanf(s, "%llu %llu%n", &secs, &changes, &used) == 2) {
        char line[96];
        snprintf(line, sizeof(line), "%s%s %llu %llu", first ? "" : "\n",
                 name, secs, changes);
        conf__sbuf_str(b, line);
        s += used;
        first = 0;
    }
    if (first) {
        conf__sbuf_str(b, name);
        conf__sbuf_str(b, " \"\"");
    }
}

/* One line a class, named as Redis's rewrite names them. */
static void add_obuf_lines(struct sbuf *b, const char *name,
                           const struct conf *c)
{
    const struct { const char *cls; const struct conf_obuf_limit *l; }
    cls[] = {
        { "normal", &c->obuf_normal },
        { "replica", &c->obuf_replica },
        { "pubsub", &c->obuf_pubsub },
    };
    for (size_t i = 0; i < 3; i++) {
        char secs[32];
        snprintf(secs, sizeof(secs), " %lld\n",
                 (long long)cls[i].l->soft_seconds);
        conf__sbuf_str(b, name);
        conf__sbuf_add(b, " ", 1);
        conf__sbuf_str(b, cls[i].cls);
        conf__sbuf_add(b, " ", 1);
        add_bytes(b, cls[i].l->hard);
        conf__sbuf_add(b, " ", 1);
        add_bytes(b, cls[i].l->soft);
        conf__sbuf_str(b, secs);
    }
    if (!b->oom)
        b->p[--b->len] = '\0';    /* the last line's '\n' */
}

/* The lines that set row's current value in c, '\n'-separated, into b
 * (which must be empty); b->oom on OOM. */
static void file_lines(const struct conf *c, size_t row, struct sbuf *b)
{
    const struct conf_def *d = &conf__defs[row];
    struct sbuf got = {0};
    const char *v = conf__format_value(c, row, &got);
    if (d->type == T_SAVE) {
        add_save_lines(b, d->name, v);
    } else if (d->type == T_OBUF) {
        add_obuf_lines(b, d->name, c);
    } else {
        conf__sbuf_str(b, d->name);
        conf__sbuf_add(b, " ", 1);
        switch (d->type) {
        case T_MEMPCT:
            if (strchr(v, '%')) {
                conf__sbuf_str(b, v);
                break;
            }
            /* fall through */
        case T_MEM:
            add_bytes(b, strtoull(v, NULL, 10));
            break;
        case T_STR:
        case T_FNAME:
        case T_DIR:
        case T_PTITLE:
        case T_NOTIFY:
            add_token(b, v, 1);
            break;
        default:
            add_words(b, v);
            break;
        }
    }
    b->oom |= got.oom;
    free(got.p);
}

static int has_line(const char *lines, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = lines;;) {
        if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
            return 1;
        p = strchr(p, '\n');
        if (!p)
            return 0;
        p++;
    }
}

/* client-output-buffer-limit's classes are separate slots, so that a
 * rewrite puts each class's line where the file set that class ("slave"
 * is replica's old name); NULL for a word that names no class. */
static const char *obuf_slot(const char *cls, size_t len)
{
    static const char *const slots[][2] = {
        { "normal", "client-output-buffer-limit normal" },
        { "replica", "client-output-buffer-limit replica" },
        { "slave", "client-output-buffer-limit replica" },
        { "pubsub", "client-output-buffer-limit pubsub" },
    };
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
        if (strlen(slots[i][0]) == len &&
            !strncasecmp(cls, slots[i][0], len))
            return slots[i][1];
    return NULL;
}

/* Calls cb for each line of now; a line is changed when the default (was)
 * or base, if there is one, would not write it: for
 * client-output-buffer-limit, whose lines are separate classes, line by
 * line, otherwise the lines as a whole. */
static int visit_lines(const struct conf_def *d, char *now, const char *was,
                       const char *base, conf_line_cb cb, void *ctx)
{
    int same = !strcmp(now, was) && (!base || !strcmp(now, base));
    for (char *line = now; line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int changed = d->type == T_OBUF
                          ? !has_line(was, line) ||
                                (base && !has_line(base, line))
                          : !same;
        const char *slot = d->name;
        if (d->type == T_OBUF) {
            const char *cls = line + strlen(d->name) + 1;
            slot = obuf_slot(cls, strcspn(cls, " "));
            slot = slot ? slot : d->name;
        }
        /* dir always: a relative default means another directory when
         * the server starts elsewhere (Redis writes it always too). */
        if (d->type == T_DIR)
            changed = 1;
        if (cb(ctx, slot, line, changed) != 0)
            return -1;
        line = next;
    }
    return 0;
}

/* See conf.h. */
int conf_each_line(const struct conf *c, const struct conf *base,
                   conf_line_cb cb, void *ctx)
{
    struct conf dflt;
    if (conf_init(&dflt) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < conf__ndefs && rc == 0; i++) {
        if (conf__defs[i].flags & F_HIDDEN)
            continue;
        struct sbuf now = {0}, was = {0}, from = {0};
        file_lines(c, i, &now);
        file_lines(&dflt, i, &was);
        if (base)
            file_lines(base, i, &from);
        /* A dir that is gone has no line to give: leave it out. */
        if (now.oom || was.oom || from.oom)
            rc = -1;
        else if (!(conf__defs[i].type == T_DIR && !strcmp(now.p, "dir \"\"")))
            rc = visit_lines(&conf__defs[i], now.p, was.p, from.p, cb, ctx);
        free(now.p);
        free(was.p);
        free(from.p);
    }
    conf_close(&dflt);
    return rc;
}

/* See conf.h. */
const char *conf_line_directive(const char *line)
{
    struct args a = {0};
    if (conf__split_line(line, &a) != SPLIT_OK || a.n == 0)
        return NULL;
    int row = conf__lookup(a.v[0]);
    /* Of the directives never rewritten, only users' lines are replaced
     * (by the caller's); the others stay as they are. */
    const char *slot = row >= 0 && (!(conf__defs[row].flags & F_HIDDEN) ||
                                    conf__defs[row].type == T_USER)
                           ? conf__defs[row].name : NULL;
    if (slot && conf__defs[row].type == T_OBUF && a.n > 1) {
        const char *cls = obuf_slot(a.v[1], strlen(a.v[1]));
        slot = cls ? cls : slot;
    }
    conf__args_free(&a);
    return slot;
}
