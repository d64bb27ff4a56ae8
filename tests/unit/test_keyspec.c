/* test_keyspec.c - unit tests for server/keyspec.c and its table: the
 * table is sorted and well formed, lookup folds case and nothing else,
 * keyspec_keys() fills a short buffer and still counts every key (the
 * caller's second pass), and the rules Redis applies with code of its
 * own (SET's and BITFIELD's flags, SORT's STORE, the XREAD and key count
 * fallbacks) hold. Byte-for-byte agreement with redis-server is
 * tests/integration/test_command_meta.py's job. */
#include <string.h>

#include "server/keyspec.h"
#include "tests/unit/unit.h"

#define MAX_ARGS 64

/* Splits the words of line (space-separated) into argv/len; returns
 * argc. The words point into buf, which must outlive them. */
static int split(char *buf, const char *line, const char **argv,
                 size_t *len)
{
    strcpy(buf, line);
    int argc = 0;
    for (char *w = strtok(buf, " "); w && argc < MAX_ARGS;
         w = strtok(NULL, " ")) {
        argv[argc] = w;
        len[argc++] = strlen(w);
    }
    return argc;
}

/* keyspec_keys() of line by its first word's row (or "CMD|SUB" for a
 * container's, its first two), with a buffer of cap keys. */
static int keys_of(const char *line, int sub, struct keyspec_key *out,
                   int cap, const char **argv)
{
    static char buf[1024];
    size_t len[MAX_ARGS];
    int argc = split(buf, line, argv, len);
    char name[64];
    if (sub)
        snprintf(name, sizeof(name), "%s|%s", argv[0], argv[1]);
    else
        snprintf(name, sizeof(name), "%s", argv[0]);
    return keyspec_keys(keyspec_lookup(name, strlen(name)), argc, argv, len,
                        out, cap);
}

TEST(table_is_sorted_and_well_formed)
{
    size_t n;
    const struct keyspec_cmd *rows = keyspec_rows(&n);
    ASSERT(n > 200);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ASSERT(strcmp(rows[i - 1].name, rows[i].name) < 0);
        ASSERT(keyspec_lookup(rows[i].name, strlen(rows[i].name)) ==
               &rows[i]);
        for (int j = 0; j < keyspec_count(&rows[i]); j++) {
            const struct keyspec *s = &rows[i].specs[j];
            ASSERT((s->begin == KS_BEGIN_KEYWORD) == (s->keyword != NULL));
            ASSERT(s->find >= KS_FIND_RANGE && s->find <= KS_FIND_UNKNOWN);
            /* One of RO RW OW RM, or a shard channel. */
            unsigned kind = s->flags & (KS_RO | KS_RW | KS_OW | KS_RM);
            ASSERT((kind && !(kind & (kind - 1))) ||
                   s->flags == KS_NOT_KEY);
        }
    }
}

TEST(lookup_folds_case_only)
{
    ASSERT(keyspec_lookup("get", 3) != NULL);
    ASSERT(keyspec_lookup("GeT", 3) == keyspec_lookup("GET", 3));
    ASSERT(keyspec_lookup("object|Encoding", 15) != NULL);
    ASSERT(keyspec_lookup("GE", 2) == NULL);
    ASSERT(keyspec_lookup("GETX", 4) == NULL);
    ASSERT(keyspec_lookup("GET\0", 4) == NULL);
    ASSERT(keyspec_lookup("", 0) == NULL);
    ASSERT(keyspec_lookup("SWAPDB", 6) == NULL);   /* no keys, tips... */
    /* A call's row: the command's, or "CMD|SUB" for a subcommand. */
    ASSERT(keyspec_lookup_call("GET", NULL) == keyspec_lookup("GET", 3));
    ASSERT(keyspec_lookup_call("OBJECT", "ENCODING") ==
           keyspec_lookup("OBJECT|ENCODING", 15));
    ASSERT(keyspec_lookup_call("OBJECT", "ENCODING") != NULL);
    ASSERT(keyspec_lookup_call("OBJECT", "NOSUCH") == NULL);
}

TEST(short_buffer_still_counts)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[4];
    int n = keys_of("MSET a 1 b 2 c 3 d 4 e 5 f 6", 0, k, 4, argv);
    ASSERT_EQ(n, 6);
    ASSERT_EQ(k[0].pos, 1);
    ASSERT_EQ(k[3].pos, 7);
    ASSERT_EQ(k[3].flags, KS_OW | KS_UPDATE);
    ASSERT_EQ(keys_of("GET k", 0, NULL, 0, argv), 1);
    ASSERT_EQ(keyspec_keys(NULL, 2, argv, NULL, k, 4), 0);
}

TEST(specs_with_index_keyword_and_count)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[8];
    ASSERT_EQ(keys_of("BLPOP a b c 0", 0, k, 8, argv), 3);
    ASSERT_EQ(k[2].pos, 3);
    ASSERT_EQ(keys_of("ZUNIONSTORE d 2 a b WEIGHTS 1 2", 0, k, 8, argv), 3);
    ASSERT_EQ(k[0].flags, KS_OW | KS_UPDATE);
    ASSERT_EQ(k[1].pos, 3);
    ASSERT_EQ(k[2].flags, KS_RO | KS_ACCESS);
    ASSERT_EQ(keys_of("GEORADIUS k 1 2 3 m STOREDIST d STORE e", 0, k, 8,
                      argv), 3);
    ASSERT_EQ(k[1].pos, 9);                  /* the STORE spec comes first */
    ASSERT_EQ(k[2].pos, 7);
    ASSERT_EQ(keys_of("XREAD COUNT 1 STREAMS a b 0 0", 0, k, 8, argv), 2);
    ASSERT_EQ(k[1].pos, 5);
    ASSERT_EQ(keys_of("OBJECT ENCODING k", 1, k, 8, argv), 1);
    ASSERT_EQ(k[0].flags, KS_RO);
    ASSERT_EQ(keys_of("SPUBLISH ch m", 0, k, 8, argv), 0);  /* not keys */
}

TEST(unreadable_calls)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[8];
    ASSERT_EQ(keys_of("ZUNIONSTORE d 0 a", 0, k, 8, argv), -1);
    ASSERT_EQ(keys_of("ZUNIONSTORE d 3 a b", 0, k, 8, argv), -1);
    ASSERT_EQ(keys_of("LMPOP x a LEFT", 0, k, 8, argv), -1);
    ASSERT_EQ(keys_of("PFMERGE d", 0, k, 8, argv), -1);
    ASSERT_EQ(keys_of("XREAD COUNT 1 STREAMS a", 0, k, 8, argv), -1);
    ASSERT_EQ(keys_of("XREAD COUNT 1 a", 0, k, 8, argv), 0);
}

TEST(key_counts_the_specs_cannot_read)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[8];
    /* A canonical count is cut to an int, as Redis does. */
    ASSERT_EQ(keys_of("ZUNIONSTORE d 4294967297 a", 0, k, 8, argv), 2);
    ASSERT_EQ(k[0].pos, 1);
    /* Others are read as atoi() reads them: the counted keys, then the
     * destination, without flags. */
    ASSERT_EQ(keys_of("ZUNIONSTORE d 02 a b", 0, k, 8, argv), 3);
    ASSERT_EQ(k[0].pos, 3);
    ASSERT_EQ(k[2].pos, 1);
    ASSERT_EQ(k[2].flags, 0);
    ASSERT_EQ(keys_of("EVAL s 1x a b", 0, k, 8, argv), 1);
    ASSERT_EQ(keys_of("ZUNION 9223372036854775808 a", 0, k, 8, argv), -1);
    ASSERT_EQ(keys_of("ZUNION -0 a", 0, k, 8, argv), -1);
}

TEST(set_and_bitfield_flags)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[2];
    ASSERT_EQ(keys_of("SET k v", 0, k, 2, argv), 1);
    ASSERT_EQ(k[0].flags, KS_OW | KS_UPDATE);
    keys_of("SET k v NX get", 0, k, 2, argv);
    ASSERT_EQ(k[0].flags, KS_RW | KS_ACCESS | KS_UPDATE);
    keys_of("SET k GET", 0, k, 2, argv);           /* GET is the value */
    ASSERT_EQ(k[0].flags, KS_OW | KS_UPDATE);
    keys_of("BITFIELD k GET u8 0 OVERFLOW SAT GET i4 2", 0, k, 2, argv);
    ASSERT_EQ(k[0].flags, KS_RO | KS_ACCESS);
    keys_of("BITFIELD k GET u8", 0, k, 2, argv);
    ASSERT_EQ(k[0].flags, KS_RW | KS_ACCESS | KS_UPDATE);
    keys_of("BITFIELD k INCRBY u8 0 1", 0, k, 2, argv);
    ASSERT_EQ(k[0].flags, KS_RW | KS_ACCESS | KS_UPDATE);
}

TEST(sort_store)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[4];
    ASSERT_EQ(keys_of("SORT k BY w_* LIMIT 0 1 GET o_* STORE d", 0, k, 4,
                      argv), 2);
    ASSERT_EQ(k[1].pos, 10);
    ASSERT_EQ(k[1].flags, KS_OW | KS_UPDATE);
    ASSERT_EQ(keys_of("SORT k LIMIT STORE a", 0, k, 4, argv), 1);
    ASSERT_EQ(keys_of("SORT k STORE STORE get", 0, k, 4, argv), 2);
    ASSERT_EQ(k[1].pos, 4);                    /* the last STORE's */
    ASSERT_EQ(keys_of("SORT_RO k STORE d", 0, k, 4, argv), 1);
}

TEST(xread_fallback)
{
    const char *argv[MAX_ARGS];
    struct keyspec_key k[8];
    /* The STREAMS the spec finds leaves one argument: Redis takes the
     * first STREAMS instead. */
    ASSERT_EQ(keys_of("XREADGROUP STREAMS k COUNT SET b 0 1 STREAMS x", 0,
                      k, 8, argv), 4);
    ASSERT_EQ(k[0].pos, 2);
    ASSERT_EQ(k[3].pos, 5);
    ASSERT_EQ(k[0].flags, 0);
    ASSERT_EQ(keys_of("XREADGROUP b c STREAMS a b c d STREAMS x", 0, k, 8,
                      argv), -1);
}

TEST(movable_and_legacy_range)
{
    int f, l, s;
    ASSERT(!keyspec_movable(keyspec_lookup("MSET", 4)));
    ASSERT(keyspec_movable(keyspec_lookup("XREAD", 5)));
    ASSERT(keyspec_movable(keyspec_lookup("SORT", 4)));
    ASSERT(!keyspec_movable(NULL));
    keyspec_legacy_range(keyspec_lookup("MSET", 4), &f, &l, &s);
    ASSERT(f == 1 && l == -1 && s == 2);
    keyspec_legacy_range(keyspec_lookup("RENAME", 6), &f, &l, &s);
    ASSERT(f == 1 && l == 2 && s == 1);
    keyspec_legacy_range(keyspec_lookup("BITOP", 5), &f, &l, &s);
    ASSERT(f == 2 && l == -1 && s == 1);
    keyspec_legacy_range(keyspec_lookup("ZUNIONSTORE", 11), &f, &l, &s);
    ASSERT(f == 1 && l == 1 && s == 1);
    keyspec_legacy_range(keyspec_lookup("XREAD", 5), &f, &l, &s);
    ASSERT(f == 0 && l == 0 && s == 0);
}

static const struct unit_test tests[] = {
    UNIT(table_is_sorted_and_well_formed),
    UNIT(lookup_folds_case_only),
    UNIT(short_buffer_still_counts),
    UNIT(specs_with_index_keyword_and_count),
    UNIT(unreadable_calls),
    UNIT(key_counts_the_specs_cannot_read),
    UNIT(set_and_bitfield_flags),
    UNIT(sort_store),
    UNIT(xread_fallback),
    UNIT(movable_and_legacy_range),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
