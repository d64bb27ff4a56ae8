/* test_glob_pubsub.c - store_glob_match against the patterns PSUBSCRIBE
 * clients use: channel hierarchies, keyspace notification channels,
 * classes, escapes and binary channel names. Case-sensitive, as pub/sub
 * matching is. (The same table, run through a real server, is
 * GLOB_CASES in tests/integration/test_pubsub.py, checked against
 * redis-server.) */
#include "store/store.h"
#include "tests/unit/unit.h"

struct glob_case {
    const char *pat, *chan;
    size_t plen, clen;       /* 0: strlen */
    int want;
};

static const struct glob_case cases[] = {
    { "*", "", 0, 0, 0 },      /* as Redis: "" matches only "" */
    { "**", "", 0, 0, 0 },
    { "", "", 0, 0, 1 },
    { "", "a", 0, 0, 0 },
    { "a*", "a", 0, 0, 1 },
    { "*", "anything", 0, 0, 1 },
    { "news.*", "news.art", 0, 0, 1 },
    { "news.*", "news", 0, 0, 0 },
    { "news.*", "News.art", 0, 0, 0 },
    { "h?llo", "hello", 0, 0, 1 },
    { "h?llo", "hllo", 0, 0, 0 },
    { "h*llo", "hllo", 0, 0, 1 },
    { "h*llo", "heeeello", 0, 0, 1 },
    { "h[ae]llo", "hallo", 0, 0, 1 },
    { "h[ae]llo", "hillo", 0, 0, 0 },
    { "h[^e]llo", "hallo", 0, 0, 1 },
    { "h[^e]llo", "hello", 0, 0, 0 },
    { "h[a-b]llo", "hbllo", 0, 0, 1 },
    { "h[a-b]llo", "hcllo", 0, 0, 0 },
    { "h[b-a]llo", "hallo", 0, 0, 1 },
    { "h\\*llo", "h*llo", 0, 0, 1 },
    { "h\\*llo", "hello", 0, 0, 0 },
    { "h[\\]]llo", "h]llo", 0, 0, 1 },
    { "__keyspace@0__:*", "__keyspace@0__:user:1", 0, 0, 1 },
    { "__keyspace@0__:*", "__keyspace@1__:user:1", 0, 0, 0 },
    { "__key*__:*", "__keyevent@3__:expired", 0, 0, 1 },
    { "__keyevent@*__:del", "__keyevent@12__:del", 0, 0, 1 },
    { "__keyevent@*__:del", "__keyevent@12__:delx", 0, 0, 0 },
    { "a*b*c", "aXbYc", 0, 0, 1 },
    { "a*b*c", "aXbY", 0, 0, 0 },
    { "[abc", "a", 0, 0, 1 },
    { "socket.io#/#*", "socket.io#/#room1#", 0, 0, 1 },
    { "bin\0*", "bin\0\xff", 5, 5, 1 },
    { "bin\0*", "bin\1\xff", 5, 5, 0 },
    { "\xff?", "\xff\x00", 2, 2, 1 },
};

TEST(pubsub_patterns)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct glob_case *t = &cases[i];
        size_t pl = t->plen ? t->plen : strlen(t->pat);
        size_t cl = t->clen ? t->clen : strlen(t->chan);
        int got = store_glob_match(t->pat, pl, t->chan, cl, 0);
        if (got != t->want)
            UNIT_FAIL_("case %zu: \"%s\" vs \"%s\": got %d", i, t->pat,
                       t->chan, got);
    }
}

static const struct unit_test tests[] = {
    UNIT(pubsub_patterns),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
