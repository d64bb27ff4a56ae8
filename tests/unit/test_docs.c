/* test_docs.c - unit tests for server/docs_syntax.c and its table: the
 * table is sorted and every row parses; a parsed syntax, written back as
 * redis-cli writes COMMAND DOCS's arguments, is the row's text without
 * the parentheses and ":type"s that only the notation has; the tree has
 * the types, tokens and flags the notation says; malformed syntax is
 * refused; the arity bounds. Agreement with redis-server's COMMAND DOCS
 * is tests/integration/test_command_docs.py's job. */
#include <stdio.h>
#include <string.h>

#include "server/docs.h"
#include "tests/unit/unit.h"

static struct docs_tree tree;

/* redis-cli 7.0's rendering of one argument into buf at *at. */
static void render_arg(const struct docs_tree *t, int i, char *buf,
                       size_t *at, size_t cap);

static void put(char *buf, size_t *at, size_t cap, const char *p, size_t n)
{
    if (*at + n < cap) {
        memcpy(buf + *at, p, n);
        *at += n;
        buf[*at] = '\0';
    }
}

static void render_list(const struct docs_tree *t, int first,
                        const char *sep, char *buf, size_t *at, size_t cap)
{
    for (int i = first; i >= 0; i = t->args[i].next) {
        if (i != first)
            put(buf, at, cap, sep, strlen(sep));
        render_arg(t, i, buf, at, cap);
    }
}

/* The part a repetition repeats: the argument without token or flags. */
static void render_core(const struct docs_tree *t, int i, char *buf,
                        size_t *at, size_t cap)
{
    const struct docs_arg *a = &t->args[i];
    if (a->type == DOCS_ONEOF)
        render_list(t, a->child, "|", buf, at, cap);
    else if (a->type == DOCS_BLOCK)
        render_list(t, a->child, " ", buf, at, cap);
    else if (a->type != DOCS_PURE_TOKEN)
        put(buf, at, cap, a->name, a->name_len);
}

static void render_token(const struct docs_arg *a, char *buf, size_t *at,
                         size_t cap)
{
    if (!a->token)
        return;
    put(buf, at, cap, a->token, a->token_len);
    if (a->type != DOCS_PURE_TOKEN)
        put(buf, at, cap, " ", 1);
}

static void render_arg(const struct docs_tree *t, int i, char *buf,
                       size_t *at, size_t cap)
{
    const struct docs_arg *a = &t->args[i];
    if (a->flags & DOCS_OPTIONAL)
        put(buf, at, cap, "[", 1);
    render_token(a, buf, at, cap);
    render_core(t, i, buf, at, cap);
    if (a->flags & DOCS_MULTIPLE) {
        put(buf, at, cap, " [", 2);
        if (a->flags & DOCS_MULTIPLE_TOKEN)
            render_token(a, buf, at, cap);
        render_core(t, i, buf, at, cap);
        put(buf, at, cap, " ...]", 5);
    }
    if (a->flags & DOCS_OPTIONAL)
        put(buf, at, cap, "]", 1);
}

static const char *render(const char *syntax)
{
    static char buf[4096];
    size_t at = 0;
    buf[0] = '\0';
    if (docs_parse(syntax, &tree) != 0)
        return "(malformed)";
    render_list(&tree, tree.first, " ", buf, &at, sizeof(buf));
    return buf;
}

/* syntax without parentheses and ":type"s: what redis-cli shows. */
static const char *shown(const char *syntax)
{
    static char buf[4096];
    size_t n = 0;
    for (const char *p = syntax; *p && n + 1 < sizeof(buf); p++) {
        if (*p == '(' || *p == ')')
            continue;
        if (*p == ':') {
            static const char *const types[] = {
                "integer", "double", "key", "pattern", "unix-time",
                "string",
            };
            size_t skip = 0;
            for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
                size_t tn = strlen(types[k]);
                if (strncmp(p + 1, types[k], tn) == 0 &&
                    strchr(" |[]()", p[1 + tn] ? p[1 + tn] : ' '))
                    skip = tn;
            }
            if (skip) {
                p += skip;
                continue;
            }
        }
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return buf;
}

TEST(table_is_sorted_and_every_row_parses)
{
    size_t n;
    const struct docs_row *rows = docs_rows(&n);
    ASSERT(n > 300);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ASSERT(strcmp(rows[i - 1].name, rows[i].name) < 0);
        ASSERT(docs_lookup(rows[i].name, strlen(rows[i].name)) == &rows[i]);
        int sub = strchr(rows[i].name, '|') != NULL;
        ASSERT(sub == (rows[i].since != NULL));
        ASSERT(sub == (rows[i].summary != NULL));
        ASSERT(sub || rows[i].syntax[0]);   /* a command row has a syntax */
        if (docs_parse(rows[i].syntax, &tree) != 0)
            UNIT_FAIL_("%s: malformed syntax", rows[i].name);
    }
    ASSERT(docs_lookup("config|get", 10) != NULL);
    ASSERT(docs_lookup("Set", 3) != NULL);
    ASSERT(docs_lookup("SE", 2) == NULL);
    ASSERT(docs_lookup("DBSIZE", 6) == NULL);
}

TEST(every_row_renders_back_to_its_text)
{
    size_t n;
    const struct docs_row *rows = docs_rows(&n);
    for (size_t i = 0; i < n; i++) {
        char want[4096];
        snprintf(want, sizeof(want), "%s", shown(rows[i].syntax));
        const char *got = render(rows[i].syntax);
        if (strcmp(got, want) != 0)
            UNIT_FAIL_("%s: renders as '%s', want '%s'", rows[i].name, got,
                       want);
    }
}

TEST(types_tokens_and_flags)
{
    ASSERT_OK(docs_parse("key value [NX|XX] [EX seconds:integer|KEEPTTL] "
                         "ip:port pattern dst:key", &tree));
    const struct docs_arg *a = tree.args;
    int i = tree.first;
    ASSERT_EQ(a[i].type, DOCS_KEY);
    i = a[i].next;
    ASSERT_EQ(a[i].type, DOCS_STRING);
    i = a[i].next;
    ASSERT_EQ(a[i].type, DOCS_ONEOF);
    ASSERT_EQ(a[i].flags, DOCS_OPTIONAL);
    ASSERT_EQ(a[a[i].child].type, DOCS_PURE_TOKEN);
    ASSERT_MEM_EQ(a[a[i].child].token, a[a[i].child].token_len, "NX");
    i = a[i].next;
    int ex = a[i].child;
    ASSERT_EQ(a[ex].type, DOCS_INTEGER);
    ASSERT_MEM_EQ(a[ex].token, a[ex].token_len, "EX");
    ASSERT_MEM_EQ(a[ex].name, a[ex].name_len, "seconds");
    i = a[i].next;
    ASSERT_EQ(a[i].type, DOCS_STRING);          /* ip:port is a name */
    ASSERT_MEM_EQ(a[i].name, a[i].name_len, "ip:port");
    i = a[i].next;
    ASSERT_EQ(a[i].type, DOCS_PATTERN);
    i = a[i].next;
    ASSERT_EQ(a[i].type, DOCS_KEY);
    ASSERT_MEM_EQ(a[i].name, a[i].name_len, "dst");
    ASSERT_EQ(a[i].next, -1);
}

TEST(repetition)
{
    /* With the token repeated, without it, of several arguments. */
    ASSERT_OK(docs_parse("[GET pattern [GET pattern ...]]", &tree));
    ASSERT_EQ(tree.args[tree.first].flags,
              DOCS_OPTIONAL | DOCS_MULTIPLE | DOCS_MULTIPLE_TOKEN);
    ASSERT_OK(docs_parse("WEIGHTS weight:integer [weight:integer ...]",
                         &tree));
    ASSERT_EQ(tree.args[tree.first].flags, DOCS_MULTIPLE);
    ASSERT_OK(docs_parse("key field value [field value ...]", &tree));
    int b = tree.args[tree.first].next;
    ASSERT_EQ(tree.args[b].type, DOCS_BLOCK);
    ASSERT_EQ(tree.args[b].flags, DOCS_MULTIPLE);
    ASSERT_EQ(tree.args[b].next, -1);
    int f = tree.args[b].child;
    ASSERT_MEM_EQ(tree.args[f].name, tree.args[f].name_len, "field");
    ASSERT_EQ(tree.args[tree.args[f].next].next, -1);
    /* A token of a group. */
    ASSERT_OK(docs_parse("LIMIT (offset:integer count:integer)", &tree));
    ASSERT_EQ(tree.args[tree.first].type, DOCS_BLOCK);
    ASSERT_MEM_EQ(tree.args[tree.first].token,
                  tree.args[tree.first].token_len, "LIMIT");
}

TEST(malformed_syntax_is_refused)
{
    static const char *const bad[] = {
        "[key", "key]", "(key", "key [other ...]", "a||b", "|a", "a|",
        "a  b", " a", "[]", "()", "[ ...]", "[a)", "(a]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (docs_parse(bad[i], &tree) == 0)
            UNIT_FAIL_("'%s' parsed", bad[i]);
    ASSERT_OK(docs_parse("", &tree));
    ASSERT_EQ(tree.first, -1);
}

TEST(arity_bounds)
{
    static const struct {
        const char *syntax;
        int min, max;
    } cases[] = {
        { "", 0, 0 },
        { "key", 1, 1 },
        { "key [key ...]", 1, -1 },
        { "key value [NX|XX] [EX seconds:integer|KEEPTTL]", 2, 5 },
        { "(*|id) field value [field value ...]", 3, -1 },
        { "[LIMIT (offset:integer count:integer)]", 0, 3 },
        { "FIELDS (numfields:integer field [field ...])", 3, -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int lo, hi;
        ASSERT_OK(docs_parse(cases[i].syntax, &tree));
        docs_arity(&tree, &lo, &hi);
        if (lo != cases[i].min || hi != cases[i].max)
            UNIT_FAIL_("'%s': %d..%d", cases[i].syntax, lo, hi);
    }
}

static const struct unit_test tests[] = {
    UNIT(table_is_sorted_and_every_row_parses),
    UNIT(every_row_renders_back_to_its_text),
    UNIT(types_tokens_and_flags),
    UNIT(repetition),
    UNIT(malformed_syntax_is_refused),
    UNIT(arity_bounds),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
