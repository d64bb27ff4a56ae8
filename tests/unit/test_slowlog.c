/* test_slowlog.c - unit tests for server/slowlog.c: the slow log's list.
 *
 * Entries come out newest first with ids that keep rising across resets
 * and trims; arguments are clipped as Redis 7.0 clips them (32 kept, the
 * last saying how many more; 128 bytes of each, then how many more);
 * redacted ones read "(redacted)"; the length limit drops the oldest;
 * the address and name are copied. */
#include <string.h>

#include "server/slowlog.h"
#include "tests/unit/unit.h"

/* Pushes argv (NULL-terminated) with duration us and max_len. */
static int push(struct slowlog *sl, const char *const *argv, uint64_t us,
                uint64_t max_len)
{
    size_t argc = 0, lens[64];
    while (argv[argc]) {
        lens[argc] = strlen(argv[argc]);
        argc++;
    }
    struct slowlog_record r = {
        .argc = argc, .argv = argv, .argvlen = lens, .time = 1700000000,
        .duration_us = us, .addr = "127.0.0.1:5000", .name = NULL,
    };
    return slowlog_push(sl, &r, max_len);
}

TEST(newest_first_and_ids_rise)
{
    struct slowlog sl;
    slowlog_init(&sl);
    const char *a[] = { "SET", "k", "v", NULL }, *b[] = { "GET", "k", NULL };
    ASSERT_OK(push(&sl, a, 5, 128));
    ASSERT_OK(push(&sl, b, 7, 128));
    ASSERT_EQ(sl.len, 2);
    const struct slowlog_entry *e = sl.newest;
    ASSERT_EQ(e->id, 1);
    ASSERT_EQ(e->duration_us, 7);
    ASSERT_EQ(e->argc, 2);
    ASSERT_MEM_EQ(e->argv[0], e->argvlen[0], "GET");
    ASSERT_STR_EQ(e->addr, "127.0.0.1:5000");
    ASSERT_STR_EQ(e->name, "");
    e = e->older;
    ASSERT_EQ(e->id, 0);
    ASSERT_MEM_EQ(e->argv[2], e->argvlen[2], "v");
    ASSERT(e->older == NULL);
    ASSERT(sl.oldest == e);
    slowlog_reset(&sl);
    ASSERT_EQ(sl.len, 0);
    ASSERT(sl.newest == NULL && sl.oldest == NULL);
    ASSERT_OK(push(&sl, a, 1, 128));
    ASSERT_EQ(sl.newest->id, 2);            /* ids survive a reset */
    slowlog_close(&sl);
}

TEST(max_len_drops_the_oldest)
{
    struct slowlog sl;
    slowlog_init(&sl);
    const char *a[] = { "PING", NULL };
    for (int i = 0; i < 5; i++)
        ASSERT_OK(push(&sl, a, 1, 3));
    ASSERT_EQ(sl.len, 3);
    ASSERT_EQ(sl.newest->id, 4);
    ASSERT_EQ(sl.oldest->id, 2);
    ASSERT(sl.oldest->older == NULL);
    ASSERT_OK(push(&sl, a, 1, 1));          /* a lower limit, on push */
    ASSERT_EQ(sl.len, 1);
    ASSERT(sl.newest == sl.oldest);
    ASSERT_OK(push(&sl, a, 1, 0));          /* 0 keeps none, uses an id */
    ASSERT_EQ(sl.len, 0);
    ASSERT_OK(push(&sl, a, 1, 128));
    ASSERT_EQ(sl.newest->id, 7);
    slowlog_close(&sl);
}

TEST(arguments_clipped_at_32)
{
    struct slowlog sl;
    slowlog_init(&sl);
    static char bufs[40][16];
    const char *argv[41];
    for (int i = 0; i < 40; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "a%d", i);
        argv[i] = bufs[i];
    }
    argv[40] = NULL;
    ASSERT_OK(push(&sl, argv, 1, 128));
    const struct slowlog_entry *e = sl.newest;
    ASSERT_EQ(e->argc, SLOWLOG_MAX_ARGC);
    ASSERT_MEM_EQ(e->argv[30], e->argvlen[30], "a30");
    ASSERT_MEM_EQ(e->argv[31], e->argvlen[31], "... (9 more arguments)");
    argv[32] = NULL;                        /* exactly 32: all kept */
    ASSERT_OK(push(&sl, argv, 1, 128));
    e = sl.newest;
    ASSERT_EQ(e->argc, 32);
    ASSERT_MEM_EQ(e->argv[31], e->argvlen[31], "a31");
    argv[33] = NULL;
    argv[32] = "x";                         /* 33: the 32nd says 2 more */
    ASSERT_OK(push(&sl, argv, 1, 128));
    e = sl.newest;
    ASSERT_MEM_EQ(e->argv[31], e->argvlen[31], "... (2 more arguments)");
    slowlog_close(&sl);
}

TEST(long_arguments_clipped_at_128_bytes)
{
    struct slowlog sl;
    slowlog_init(&sl);
    char big[300], edge[129];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memset(edge, 'y', 128);
    edge[128] = '\0';
    const char *argv[] = { "SET", big, edge, NULL };
    ASSERT_OK(push(&sl, argv, 1, 128));
    const struct slowlog_entry *e = sl.newest;
    ASSERT_EQ(e->argvlen[1], 128 + strlen("... (171 more bytes)"));
    ASSERT(memcmp(e->argv[1], big, 128) == 0);
    ASSERT(memcmp(e->argv[1] + 128, "... (171 more bytes)", 20) == 0);
    ASSERT_EQ(e->argvlen[2], 128);           /* 128 exactly: as is */
    ASSERT(memcmp(e->argv[2], edge, 128) == 0);
    slowlog_close(&sl);
}

TEST(redacted_arguments_and_binary_bytes)
{
    struct slowlog sl;
    slowlog_init(&sl);
    const char *argv[] = { "HELLO", "3", "AUTH", "user", "secret", "x" };
    size_t lens[] = { 5, 1, 4, 4, 6, 1 };
    struct slowlog_record r = {
        .argc = 6, .argv = argv, .argvlen = lens,
        .redacted = (1u << 3) | (1u << 4), .time = 42, .duration_us = 9,
        .addr = "/tmp/s.sock:0", .name = "app",
    };
    ASSERT_OK(slowlog_push(&sl, &r, 128));
    const struct slowlog_entry *e = sl.newest;
    ASSERT_MEM_EQ(e->argv[2], e->argvlen[2], "AUTH");
    ASSERT_MEM_EQ(e->argv[3], e->argvlen[3], "(redacted)");
    ASSERT_MEM_EQ(e->argv[4], e->argvlen[4], "(redacted)");
    ASSERT_MEM_EQ(e->argv[5], e->argvlen[5], "x");
    ASSERT_EQ(e->time, 42);
    ASSERT_STR_EQ(e->name, "app");
    ASSERT_STR_EQ(e->addr, "/tmp/s.sock:0");
    /* Bytes are kept as they are, NUL included. */
    const char *bin[] = { "SET", "k\0v" };
    size_t binlen[] = { 3, 3 };
    r = (struct slowlog_record){ .argc = 2, .argv = bin, .argvlen = binlen,
                                 .addr = "a", .name = "" };
    ASSERT_OK(slowlog_push(&sl, &r, 128));
    ASSERT_EQ(sl.newest->argvlen[1], 3);
    ASSERT(memcmp(sl.newest->argv[1], "k\0v", 3) == 0);
    slowlog_close(&sl);
}

static const struct unit_test tests[] = {
    UNIT(newest_first_and_ids_rise),
    UNIT(max_len_drops_the_oldest),
    UNIT(arguments_clipped_at_32),
    UNIT(long_arguments_clipped_at_128_bytes),
    UNIT(redacted_arguments_and_binary_bytes),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
