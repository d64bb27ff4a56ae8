/* test_sha256.c - unit tests for server/sha256.c with the FIPS 180
 * vectors, the million 'a's fed in pieces, lengths on both sides of the
 * padding boundary (checked against Python's hashlib) fed whole and a
 * byte at a time, and the hash Redis shows for the password "p1". */
#include <string.h>

#include "server/sha256.h"
#include "tests/unit/unit.h"

static void hex_of(const unsigned char d[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

TEST(standard_vectors)
{
    char hex[65];
    sha256_hex("", 0, hex);
    ASSERT_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                       "27ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    ASSERT_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223"
                       "b00361a396177a9cb410ff61f20015ad");
    const char *two =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), hex);
    ASSERT_STR_EQ(hex, "248d6a61d20638b8e5c026930c3e6039"
                       "a33ce45964ff2167f6ecedd419db06c1");
}

TEST(million_a_in_pieces)
{
    struct sha256 s;
    unsigned char d[32];
    char chunk[1000], hex[65];
    memset(chunk, 'a', sizeof(chunk));
    sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        sha256_update(&s, chunk, 1000);
    sha256_final(&s, d);
    hex_of(d, hex);
    ASSERT_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
                       "f1809a48a497200e046d39ccc7112cd0");
}

/* Bytes (i * 7 + 1) & 0xff, whole and one at a time, against hashlib. */
TEST(padding_boundaries)
{
    static const struct {
        size_t n;
        const char *hex;
    } want[] = {
        { 55, "16fa57a0a3423a715d594516339f36189d6b5f93754a9714fef202616a9fabfe" },
        { 56, "c37b44e5f1b18554b36966f4f8e08bfbf3164c4b6c10374d12d89850892073c5" },
        { 63, "bbba992d2c85af960fb2987a1fd05e0aa82a3db3c740dd8982a9e273b75e36a3" },
        { 64, "66bd4633ed6f71c4ecfa4763bf7ba1c8ec7612de9aa6c0578a7b675207c71e0b" },
        { 119, "a3ed307b730fa77c07531300c6e4a282330011d4d4caf6bb7b63ae05950f4b66" },
        { 120, "8e3b15d9fea7472655aa069620b7f8c2e55ee1499f763200a7515fe826e99d20" },
    };
    unsigned char buf[128];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)((i * 7 + 1) & 0xff);
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        char hex[65];
        sha256_hex(buf, want[k].n, hex);
        ASSERT_STR_EQ(hex, want[k].hex);
        struct sha256 s;
        unsigned char d[32];
        sha256_init(&s);
        for (size_t i = 0; i < want[k].n; i++)
            sha256_update(&s, buf + i, 1);
        sha256_final(&s, d);
        hex_of(d, hex);
        ASSERT_STR_EQ(hex, want[k].hex);
    }
}

TEST(redis_password_hash)
{
    char hex[65];
    sha256_hex("p1", 2, hex);
    ASSERT_STR_EQ(hex, "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a");
}

static const struct unit_test tests[] = {
    UNIT(standard_vectors),
    UNIT(million_a_in_pieces),
    UNIT(padding_boundaries),
    UNIT(redis_password_hash),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
