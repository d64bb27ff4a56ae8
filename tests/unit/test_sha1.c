/* test_sha1.c - unit tests for server/sha1.c with the FIPS 180 / RFC 3174
 * test vectors, the million 'a's, lengths around the padding boundary
 * (55, 56, 63, 64 bytes: one or two final blocks) fed whole and a byte
 * at a time, and the digest Redis gives the script "return 1". */
#include <string.h>

#include "server/sha1.h"
#include "tests/unit/unit.h"

TEST(standard_vectors)
{
    char hex[41];
    sha1_hex("", 0, hex);
    ASSERT_STR_EQ(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    sha1_hex("abc", 3, hex);
    ASSERT_STR_EQ(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *two =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_hex(two, strlen(two), hex);
    ASSERT_STR_EQ(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const char *fox = "The quick brown fox jumps over the lazy dog";
    sha1_hex(fox, strlen(fox), hex);
    ASSERT_STR_EQ(hex, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

TEST(million_a_in_pieces)
{
    struct sha1 s;
    unsigned char d[20];
    char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    sha1_init(&s);
    for (int i = 0; i < 1000; i++)
        sha1_update(&s, chunk, 1000);
    sha1_final(&s, d);
    static const unsigned char want[20] = {
        0x34, 0xaa, 0x97, 0x3c, 0xd4, 0xc4, 0xda, 0xa4, 0xf6, 0x1e,
        0xeb, 0x2b, 0xdb, 0xad, 0x27, 0x31, 0x65, 0x34, 0x01, 0x6f };
    ASSERT(memcmp(d, want, 20) == 0);
}

/* Whole and byte by byte give the same digest at every length that puts
 * the padding on either side of a block boundary. */
TEST(padding_boundaries)
{
    static const char *want[] = {
        [55] = "c1c8bbdc22796e28c0e15163d20899b65621d65a",
        [56] = "c2db330f6083854c99d4b5bfb6e8f29f201be699",
        [63] = "03f09f5b158a7a8cdad920bddc29b81c18a551f5",
        [64] = "0098ba824b5c16427bd7a1122a5a442a25ec644d",
    };
    char buf[64];
    memset(buf, 'a', sizeof(buf));
    for (size_t n = 55; n <= 64; n++) {
        if (n != 55 && n != 56 && n != 63 && n != 64)
            continue;
        char hex[41];
        sha1_hex(buf, n, hex);
        ASSERT_STR_EQ(hex, want[n]);
        struct sha1 s;
        unsigned char d1[20], d2[20];
        sha1_init(&s);
        for (size_t i = 0; i < n; i++)
            sha1_update(&s, buf + i, 1);
        sha1_final(&s, d1);
        sha1_init(&s);
        sha1_update(&s, buf, n);
        sha1_final(&s, d2);
        ASSERT(memcmp(d1, d2, 20) == 0);
    }
}

TEST(redis_script_name)
{
    char hex[41];
    sha1_hex("return 1", 8, hex);
    ASSERT_STR_EQ(hex, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

static const struct unit_test tests[] = {
    UNIT(standard_vectors),
    UNIT(million_a_in_pieces),
    UNIT(padding_boundaries),
    UNIT(redis_script_name),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
