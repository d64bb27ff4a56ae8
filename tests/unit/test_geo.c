/* test_geo.c - store/geo.c: scores, decoding, GEOHASH strings, distances
 * and the search boxes, checked against values redis-server 7.0 gives
 * for the same points (Palermo and Catania as in Redis's docs, and the
 * corners of the accepted range). */
#include "store/store.h"
#include "tests/unit/unit.h"

static int fmt_eq(const char *fmt, double d, const char *want)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, d);
    return strcmp(buf, want) == 0;
}

TEST(scores_match_redis)
{
    ASSERT(store_geo_score(13.361389, 38.115556) == 3479099956230698ULL);
    ASSERT(store_geo_score(15.087269, 37.502669) == 3479447370796909ULL);
    /* The top corner keeps its carry bits: 3 << 52. */
    ASSERT(store_geo_score(180, 85.05112878) == 13510798882111488ULL);
    ASSERT(store_geo_score(-180, -85.05112878) == 0);
}

TEST(validity_limits)
{
    ASSERT(store_geo_valid(180, 85.05112878));
    ASSERT(store_geo_valid(-180, -85.05112878));
    ASSERT(!store_geo_valid(181, 0));
    ASSERT(!store_geo_valid(0, 85.05112879));
    ASSERT(!store_geo_valid(-180.0000001, 0));
}

TEST(decode_is_box_centre)
{
    double xy[2];
    ASSERT(store_geo_score_decode(3479099956230698.0, xy));
    ASSERT(fmt_eq("%.17f", xy[0], "13.36138933897018433"));
    ASSERT(fmt_eq("%.17f", xy[1], "38.11555639549629859"));
    ASSERT(store_geo_score_decode(0, xy));
    ASSERT(fmt_eq("%.17f", xy[0], "-179.99999731779098511"));
    ASSERT(fmt_eq("%.17f", xy[1], "-85.05112751263942528"));
    /* Past the last box: clamped to the limits. */
    ASSERT(store_geo_score_decode(13510798882111488.0, xy));
    ASSERT(xy[0] == 180.0 && xy[1] == 85.05112878);
    /* Any score decodes as Redis's cast does on x86-64: -1 is all ones
     * (the top corner), 2^64 and more are 0, -2^63 and less are 2^63
     * (latitude bits 0, longitude past the end). */
    ASSERT(store_geo_score_decode(-1.5, xy));
    ASSERT(xy[0] == 180.0 && xy[1] == 85.05112878);
    ASSERT(store_geo_score_decode(1e300, xy));
    ASSERT(fmt_eq("%.17f", xy[0], "-179.99999731779098511"));
    ASSERT(store_geo_score_decode(1e20, xy));
    ASSERT(fmt_eq("%.17f", xy[0], "-179.99999731779098511"));
    ASSERT(store_geo_score_decode(-1e300, xy));
    ASSERT(xy[0] == 180.0);
    ASSERT(fmt_eq("%.17f", xy[1], "-85.05112751263942528"));
    ASSERT(store_geo_score_decode(1.8e19, xy));
    ASSERT(xy[0] == 180.0 && xy[1] == 85.05112878);
}

TEST(hash_strings)
{
    char s[11];
    store_geo_hash_string(13.36138933897018433, 38.11555639549629859, s);
    ASSERT_MEM_EQ(s, 11, "sqc8b49rny0");
    double xy[2];
    store_geo_score_decode(3479447370796909.0, xy);
    store_geo_hash_string(xy[0], xy[1], s);
    ASSERT_MEM_EQ(s, 11, "sqdtr74hyu0");
    store_geo_hash_string(180, 85.05112878, s);
    ASSERT_MEM_EQ(s, 11, "bp05b5048p0");
}

TEST(distances)
{
    double p[2], c[2];
    store_geo_score_decode(3479099956230698.0, p);
    store_geo_score_decode(3479447370796909.0, c);
    ASSERT(fmt_eq("%.4f", store_geo_distance(p[0], p[1], c[0], c[1]),
                  "166274.1516"));
    ASSERT(store_geo_distance(p[0], p[1], p[0], p[1]) == 0);
    /* Same longitude: the meridian shortcut. */
    ASSERT(store_geo_distance(10, 0, 10, 1) == store_geo_lat_distance(0, 1));
}

TEST(within_radius_and_box)
{
    struct store_geo_shape s = { .lon = 15, .lat = 37, .radius = 100,
                                 .conversion = 1000 };
    double d;
    ASSERT(store_geo_within(&s, 15.08726745843887329, 37.50266842333162032,
                            &d));
    ASSERT(fmt_eq("%.4f", d / 1000, "56.4413"));
    ASSERT(!store_geo_within(&s, 13.36138933897018433,
                             38.11555639549629859, &d));
    struct store_geo_shape b = { .box = 1, .lon = 15, .lat = 37,
                                 .width = 400, .height = 120,
                                 .conversion = 1000 };
    ASSERT(store_geo_within(&b, 13.36138933897018433, 37.5, &d));
    ASSERT(!store_geo_within(&b, 15, 37.6, &d));
}

TEST(steps)
{
    ASSERT_EQ(store_geo_steps(0, 0), 26);
    ASSERT_EQ(store_geo_steps(1, 0), 24);
    ASSERT_EQ(store_geo_steps(100000, 0), 7);
    ASSERT_EQ(store_geo_steps(100000, 70), 6);
    ASSERT_EQ(store_geo_steps(100000, -85), 5);
    ASSERT_EQ(store_geo_steps(5e7, 0), 1);
}

TEST(search_ranges_cover_centre)
{
    struct store_geo_shape s = { .lon = 15, .lat = 37, .radius = 200,
                                 .conversion = 1000 };
    uint64_t lo[9], hi[9];
    size_t n = store_geo_search_ranges(&s, lo, hi);
    ASSERT(n >= 1 && n <= 9);
    uint64_t want = store_geo_score(15, 37);
    ASSERT(lo[0] <= want && want < hi[0]);
    /* Both cities are within 200 km: some box holds each. */
    uint64_t cities[2] = { 3479099956230698ULL, 3479447370796909ULL };
    for (int k = 0; k < 2; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= lo[i] <= cities[k] && cities[k] < hi[i];
        ASSERT(found);
    }
    /* A huge radius: step 1, duplicate boxes dropped. */
    struct store_geo_shape w = { .lon = 0, .lat = 0, .radius = 40000,
                                 .conversion = 1000 };
    n = store_geo_search_ranges(&w, lo, hi);
    ASSERT(n >= 1 && n <= 9);
    for (size_t i = 1; i < n; i++)
        ASSERT(lo[i] != lo[i - 1] || hi[i] != hi[i - 1]);
}

static const struct unit_test tests[] = {
    UNIT(scores_match_redis),
    UNIT(validity_limits),
    UNIT(decode_is_box_centre),
    UNIT(hash_strings),
    UNIT(distances),
    UNIT(within_radius_and_box),
    UNIT(steps),
    UNIT(search_ranges_cover_centre),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
