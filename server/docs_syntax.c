/* docs_syntax.c - reads the usage-line notation of docs.h into an
 * argument tree and writes that tree as COMMAND DOCS's "arguments", in
 * the shape Redis 7.0 gives (name, type, token, flags, arguments), which
 * redis-cli turns back into the usage line. */
#include <string.h>

#include "protocol/resp.h"
#include "server/docs.h"

struct parser {
    struct docs_tree *t;
    const char *p;
    int err;
};

/* A run of sibling arguments being built. */
struct list {
    int first, last, n;
};

static const char *const type_names[] = {
    [DOCS_STRING] = "string", [DOCS_INTEGER] = "integer",
    [DOCS_DOUBLE] = "double", [DOCS_KEY] = "key",
    [DOCS_PATTERN] = "pattern", [DOCS_UNIX_TIME] = "unix-time",
    [DOCS_PURE_TOKEN] = "pure-token", [DOCS_ONEOF] = "oneof",
    [DOCS_BLOCK] = "block",
};

static int new_arg(struct parser *ps, enum docs_type type)
{
    struct docs_tree *t = ps->t;
    if (t->n == DOCS_MAX_ARGS) {
        ps->err = 1;
        return 0;
    }
    struct docs_arg *a = &t->args[t->n];
    memset(a, 0, sizeof(*a));
    a->type = type;
    a->child = a->next = -1;
    return t->n++;
}

static void list_push(struct docs_tree *t, struct list *l, int i)
{
    t->args[i].next = -1;
    if (l->n)
        t->args[l->last].next = i;
    else
        l->first = i;
    l->last = i;
    l->n++;
}

/* A group of l's arguments as one: l's only one, else a block. */
static int as_one(struct parser *ps, struct list l)
{
    struct docs_tree *t = ps->t;
    if (l.n == 1)
        return l.first;
    int b = new_arg(ps, DOCS_BLOCK);
    t->args[b].child = l.first;
    t->args[b].text = t->args[b].core = t->args[l.first].text;
    t->args[b].end = t->args[l.last].end;
    return b;
}

static int is_delim(char c)
{
    return c == '\0' || c == ' ' || c == '|' || c == '[' || c == ']' ||
           c == '(' || c == ')';
}

static size_t word_len(const char *p)
{
    size_t n = 0;
    while (!is_delim(p[n]))
        n++;
    return n;
}

static int has_lower(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 'a' && p[i] <= 'z')
            return 1;
    return 0;
}

/* The type a name implies when it carries no ":type". */
static enum docs_type implied_type(const char *p, size_t n)
{
    if ((n >= 3 && memcmp(p + n - 3, "key", 3) == 0) ||
        (n == 6 && memcmp(p, "source", 6) == 0) ||
        (n == 11 && memcmp(p, "destination", 11) == 0))
        return DOCS_KEY;
    if (n == 7 && memcmp(p, "pattern", 7) == 0)
        return DOCS_PATTERN;
    return DOCS_STRING;
}

/* An argument word: its name, and its type after a ':' when what
 * follows the last ':' names one (so "ip:port" stays a name). */
static int parse_argument(struct parser *ps, const char *w, size_t n)
{
    int i = new_arg(ps, DOCS_STRING);
    struct docs_arg *a = &ps->t->args[i];
    a->name = w;
    a->name_len = n;
    a->type = implied_type(w, n);
    const char *colon = memrchr(w, ':', n);
    if (colon) {
        size_t tn = n - (size_t)(colon + 1 - w);
        for (int ty = DOCS_STRING; ty <= DOCS_UNIX_TIME; ty++)
            if (strlen(type_names[ty]) == tn &&
                memcmp(colon + 1, type_names[ty], tn) == 0) {
                a->name_len = (size_t)(colon - w);
                a->type = (enum docs_type)ty;
            }
    }
    a->text = a->core = w;
    a->end = w + n;
    return i;
}

static struct list parse_alternatives(struct parser *ps, char close);
static int parse_item(struct parser *ps, struct list *seq);

/* The text [from, end) equals the n bytes at x. */
static int span_is(const char *from, const char *end, const char *x,
                   size_t n)
{
    return (size_t)(end - from) == n && memcmp(from, x, n) == 0;
}

/* "[X ...]" after seq: marks the arguments at seq's end whose text is X
 * as repeating (wrapping several in a block); 0, or -1 if none match. */
static int mark_repeat(struct parser *ps, struct list *seq, const char *x,
                       size_t n)
{
    struct docs_tree *t = ps->t;
    struct docs_arg *last = seq->n ? &t->args[seq->last] : NULL;
    if (last && last->token && span_is(last->core, last->end, x, n)) {
        last->flags |= DOCS_MULTIPLE;
        return 0;
    }
    int at = seq->first, before = -1;
    for (int k = seq->n; k >= 1; k--) {
        if (span_is(t->args[at].text, last->end, x, n)) {
            struct list tail = { at, seq->last, k };
            int one = as_one(ps, tail);
            t->args[one].flags |= DOCS_MULTIPLE;
            if (k == 1 && t->args[one].token)
                t->args[one].flags |= DOCS_MULTIPLE_TOKEN;
            if (before < 0) {
                seq->n = 0;
            } else {
                seq->last = before;
                seq->n -= k;
            }
            list_push(t, seq, one);
            return 0;
        }
        before = at;
        at = t->args[at].next;
    }
    return -1;
}

/* Where the bracket or parenthesis opened at p closes, or NULL. */
static const char *closing(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        if (*p == '[' || *p == '(')
            depth++;
        else if ((*p == ']' || *p == ')') && --depth == 0)
            return p;
    }
    return NULL;
}

/* "[...]" or "(...)" at ps->p: the group as one argument, or -2 when it
 * was a repetition mark applied to seq. */
static int parse_group(struct parser *ps, struct list *seq)
{
    const char *open = ps->p, *shut = closing(open);
    if (!shut || (*open == '[') != (*shut == ']')) {
        ps->err = 1;
        return -1;
    }
    if (*open == '[' && shut - open > 4 && memcmp(shut - 4, " ...", 4) == 0) {
        if (mark_repeat(ps, seq, open + 1, (size_t)(shut - 4 - open - 1)))
            ps->err = 1;
        ps->p = shut + 1;
        return -2;
    }
    ps->p++;
    struct list inner = parse_alternatives(ps, *shut);
    if (ps->err || ps->p != shut || inner.n == 0) {
        ps->err = 1;
        return -1;
    }
    ps->p++;
    int i = as_one(ps, inner);
    if (ps->err)
        return -1;
    struct docs_arg *a = &ps->t->args[i];
    if (*open == '[')
        a->flags |= DOCS_OPTIONAL;
    a->text = a->core = open;
    a->end = ps->p;
    return i;
}

/* A token: of the argument or group after it, else a pure token. */
static int parse_token(struct parser *ps, struct list *seq, const char *w,
                       size_t n)
{
    const char *next = ps->p + 1;
    int takes = *ps->p == ' ' &&
                (*next == '(' || has_lower(next, word_len(next)));
    int i;
    if (takes) {
        ps->p = next;
        i = parse_item(ps, seq);
        if (i < 0) {
            ps->err = 1;
            return -1;
        }
        if (ps->t->args[i].token) {
            /* "A (B x)": one argument can not carry both tokens. */
            int b = new_arg(ps, DOCS_BLOCK);
            ps->t->args[b].child = i;
            ps->t->args[b].core = ps->t->args[i].text;
            ps->t->args[b].end = ps->t->args[i].end;
            i = b;
        }
    } else {
        i = new_arg(ps, DOCS_PURE_TOKEN);
        ps->t->args[i].core = w;
        ps->t->args[i].end = w + n;
    }
    struct docs_arg *a = &ps->t->args[i];
    a->token = w;
    a->token_len = n;
    a->text = w;
    return i;
}

static int parse_item(struct parser *ps, struct list *seq)
{
    if (*ps->p == '[' || *ps->p == '(')
        return parse_group(ps, seq);
    const char *w = ps->p;
    size_t n = word_len(w);
    if (n == 0) {
        ps->err = 1;
        return -1;
    }
    ps->p += n;
    if (has_lower(w, n))
        return parse_argument(ps, w, n);
    return parse_token(ps, seq, w, n);
}

/* Arguments separated by single spaces, up to '|', close or the end. */
static struct list parse_sequence(struct parser *ps, char close)
{
    struct list seq = { -1, -1, 0 };
    while (!ps->err && *ps->p && *ps->p != '|' && *ps->p != close) {
        int i = parse_item(ps, &seq);
        if (i >= 0)
            list_push(ps->t, &seq, i);
        if (*ps->p == ' ')
            ps->p++;
        else if (*ps->p && *ps->p != '|' && *ps->p != close)
            ps->err = 1;
    }
    return seq;
}

static struct list parse_alternatives(struct parser *ps, char close)
{
    struct list seq = parse_sequence(ps, close);
    if (*ps->p != '|' || ps->err)
        return seq;
    int o = new_arg(ps, DOCS_ONEOF);
    struct list choices = { -1, -1, 0 };
    for (;;) {
        if (seq.n == 0 || ps->err) {
            ps->err = 1;
            return seq;
        }
        list_push(ps->t, &choices, as_one(ps, seq));
        if (*ps->p != '|')
            break;
        ps->p++;
        seq = parse_sequence(ps, close);
    }
    struct docs_arg *a = &ps->t->args[o];
    a->child = choices.first;
    a->text = a->core = ps->t->args[choices.first].text;
    a->end = ps->t->args[choices.last].end;
    struct list one = { -1, -1, 0 };
    list_push(ps->t, &one, o);
    return one;
}

/* See docs.h. */
int docs_parse(const char *syntax, struct docs_tree *t)
{
    struct parser ps = { t, syntax, 0 };
    t->n = 0;
    struct list top = parse_alternatives(&ps, '\0');
    if (ps.err || *ps.p)
        return -1;
    t->first = top.n ? top.first : -1;
    return 0;
}

static void arity_of(const struct docs_tree *t, int i, int *min, int *max)
{
    const struct docs_arg *a = &t->args[i];
    int lo = 1, hi = 1;
    if (a->type == DOCS_ONEOF || a->type == DOCS_BLOCK) {
        int first = 1;
        lo = hi = 0;
        for (int c = a->child; c >= 0; c = t->args[c].next, first = 0) {
            int clo, chi;
            arity_of(t, c, &clo, &chi);
            if (a->type == DOCS_BLOCK) {
                lo += clo;
                hi = hi < 0 || chi < 0 ? -1 : hi + chi;
            } else {
                lo = first || clo < lo ? clo : lo;
                hi = hi < 0 || chi < 0 ? -1 : (chi > hi ? chi : hi);
            }
        }
    }
    if (a->token && a->type != DOCS_PURE_TOKEN) {
        lo++;
        hi = hi < 0 ? -1 : hi + 1;
    }
    if (a->flags & DOCS_MULTIPLE)
        hi = -1;
    if (a->flags & DOCS_OPTIONAL)
        lo = 0;
    *min = lo;
    *max = hi;
}

/* See docs.h. */
void docs_arity(const struct docs_tree *t, int *min, int *max)
{
    *min = *max = 0;
    for (int i = t->first; i >= 0; i = t->args[i].next) {
        int lo, hi;
        arity_of(t, i, &lo, &hi);
        *min += lo;
        *max = *max < 0 || hi < 0 ? -1 : *max + hi;
    }
}

static size_t add_lower(char *buf, size_t at, size_t cap, const char *p,
                        size_t n)
{
    for (size_t i = 0; i < n && at < cap; i++)
        buf[at++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    return at;
}

/* An argument's name: its own, a token's in lower case, or for a group
 * without a token its arguments' names joined by '-'. */
static size_t name_of(const struct docs_tree *t, int i, char *buf,
                      size_t at, size_t cap)
{
    const struct docs_arg *a = &t->args[i];
    if (a->name)
        return add_lower(buf, at, cap, a->name, a->name_len);
    if (a->token)
        return add_lower(buf, at, cap, a->token, a->token_len);
    for (int c = a->child; c >= 0; c = t->args[c].next) {
        if (c != a->child && at < cap)
            buf[at++] = '-';
        at = name_of(t, c, buf, at, cap);
    }
    return at;
}

static void add_list(struct resp_out *o, const struct docs_tree *t,
                     int first);

static void add_arg(struct resp_out *o, const struct docs_tree *t, int i)
{
    static const char *const flag_names[] = {
        "optional", "multiple", "multiple_token",
    };
    const struct docs_arg *a = &t->args[i];
    int nflags = __builtin_popcount(a->flags);
    int group = a->type == DOCS_ONEOF || a->type == DOCS_BLOCK;
    resp_add_map(o, 2 + (a->token != NULL) + (nflags > 0) + group);
    char name[64];
    resp_add_bulk_cstr(o, "name");
    resp_add_bulk(o, name, name_of(t, i, name, 0, sizeof(name)));
    resp_add_bulk_cstr(o, "type");
    resp_add_bulk_cstr(o, type_names[a->type]);
    if (a->token) {
        resp_add_bulk_cstr(o, "token");
        resp_add_bulk(o, a->token, a->token_len);
    }
    if (nflags) {
        resp_add_bulk_cstr(o, "flags");
        resp_add_set(o, (size_t)nflags);
        for (int f = 0; f < 3; f++)
            if (a->flags & (1u << f))
                resp_add_simple(o, flag_names[f]);
    }
    if (group) {
        resp_add_bulk_cstr(o, "arguments");
        add_list(o, t, a->child);
    }
}

static void add_list(struct resp_out *o, const struct docs_tree *t,
                     int first)
{
    size_t n = 0;
    for (int i = first; i >= 0; i = t->args[i].next)
        n++;
    resp_add_array(o, n);
    for (int i = first; i >= 0; i = t->args[i].next)
        add_arg(o, t, i);
}

/* See docs.h. */
void docs_add_arguments(struct resp_out *o, const struct docs_tree *t)
{
    add_list(o, t, t->first);
}
