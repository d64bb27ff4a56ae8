/* geo.c - the geospatial arithmetic behind GEOADD and friends: geohash
 * encoding and decoding, great-circle distances, and the choice of the
 * geohash boxes a radius or box search has to scan. Pure functions, no
 * store state: a GEO key is an ordinary sorted set whose scores are
 * these 52-bit hashes, so the handlers (server/cmd_geo.c) read and write
 * it through zset.c.
 *
 * A hash of step s holds s bits of longitude and s of latitude, each the
 * coordinate's fixed-point offset within its range, interleaved:
 *
 *     bit  2i+1  2i
 *          lon   lat      (latitude in the even bits)
 *
 * Scores use step 26 (52 bits) over longitude -180..180 and latitude
 * -85.05112878..85.05112878 (the Web Mercator limits), shifted left so
 * every step compares as a prefix of the 52-bit score: a box of step s
 * is the score range [bits << (52 - 2s), (bits + 1) << (52 - 2s)).
 *
 * The arithmetic follows Redis 7.0 operation for operation (the order of
 * float operations, the clamping, the step estimate and its correction
 * near a box's edge), because the members a search finds and their
 * distances must match Redis's to the last digit. GEOHASH strings are
 * computed over the standard -90..90 latitude range, as Redis does. */
#include <math.h>
#include <string.h>

#include "store/store.h"

#define EARTH_RADIUS_M 6372797.560856
#define MERCATOR_MAX 20037726.37
#define D_R (M_PI / 180.0)

static const struct store_geo_range lon_wgs84 = { STORE_GEO_LON_MIN,
                                                  STORE_GEO_LON_MAX };
static const struct store_geo_range lat_wgs84 = { STORE_GEO_LAT_MIN,
                                                  STORE_GEO_LAT_MAX };

static double deg_rad(double a)
{
    return a * D_R;
}

static double rad_deg(double a)
{
    return a / D_R;
}

/* Spreads the 32 bits of v over the even bits of a 64-bit word. */
static uint64_t spread(uint32_t v)
{
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* The even bits of x packed into 32. */
static uint32_t squash(uint64_t x)
{
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

/* Returns 1 when lon, lat are inside the limits GEOADD accepts. */
int store_geo_valid(double lon, double lat)
{
    return !(lon < STORE_GEO_LON_MIN || lon > STORE_GEO_LON_MAX ||
             lat < STORE_GEO_LAT_MIN || lat > STORE_GEO_LAT_MAX);
}

/* Encodes lon, lat at step (1..32) over the given ranges into *h.
 * Returns 0 (h->bits 0) for a point outside the Mercator limits or the
 * ranges. */
int store_geo_encode(const struct store_geo_range *lonr,
                     const struct store_geo_range *latr, double lon,
                     double lat, unsigned step, struct store_geo_hash *h)
{
    h->bits = 0;
    h->step = step;
    if (step == 0 || step > 32 || !store_geo_valid(lon, lat) ||
        lat < latr->min || lat > latr->max || lon < lonr->min ||
        lon > lonr->max)
        return 0;
    double lat_off = (lat - latr->min) / (latr->max - latr->min);
    double lon_off = (lon - lonr->min) / (lonr->max - lonr->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    /* An offset of exactly 2^step (the range's top) keeps its carry bit,
     * as in Redis: 180 encodes one box past the last. */
    uint32_t ilat = (uint32_t)(uint64_t)lat_off;
    uint32_t ilon = (uint32_t)(uint64_t)lon_off;
    h->bits = spread(ilat) | (spread(ilon) << 1);
    return 1;
}

/* Decodes h over the given ranges into the box *a. Returns 0 for a zero
 * hash (bits and step 0). */
int store_geo_decode(const struct store_geo_range *lonr,
                     const struct store_geo_range *latr,
                     struct store_geo_hash h, struct store_geo_area *a)
{
    if (h.bits == 0 && h.step == 0)
        return 0;
    a->hash = h;
    double lat_scale = latr->max - latr->min;
    double lon_scale = lonr->max - lonr->min;
    uint32_t ilat = squash(h.bits), ilon = squash(h.bits >> 1);
    uint32_t ilat1 = ilat + 1, ilon1 = ilon + 1;   /* wraps as in Redis */
    double div = (double)(1ULL << h.step);
    a->lat.min = latr->min + (ilat * 1.0 / div) * lat_scale;
    a->lat.max = latr->min + (ilat1 * 1.0 / div) * lat_scale;
    a->lon.min = lonr->min + (ilon * 1.0 / div) * lon_scale;
    a->lon.max = lonr->min + (ilon1 * 1.0 / div) * lon_scale;
    return 1;
}

/* The 52-bit score of a valid point (store_geo_valid). */
uint64_t store_geo_score(double lon, double lat)
{
    struct store_geo_hash h;
    store_geo_encode(&lon_wgs84, &lat_wgs84, lon, lat, STORE_GEO_STEP_MAX,
                     &h);
    return h.bits << (52 - 2 * h.step);
}

/* Score to bits the way gcc's double to uint64 cast behaves on x86-64
 * (what Redis's decoding compiles to), without C's undefined behaviour,
 * so any sorted set score decodes to the point Redis shows: below 2^63
 * a signed conversion (out of range: 2^63), above it one of score - 2^63
 * with the top bit flipped (2^64 and more: 0). */
static uint64_t score_bits(double score)
{
    const double two63 = 9223372036854775808.0;
    if (isnan(score))
        return 0x8000000000000000ULL;
    if (score < two63) {
        if (score <= -two63)
            return 0x8000000000000000ULL;
        return (uint64_t)(int64_t)score;
    }
    if (score - two63 >= two63)
        return 0;
    return (uint64_t)(int64_t)(score - two63) ^ 0x8000000000000000ULL;
}

/* Decodes a sorted set score into xy[0] (longitude) and xy[1] (latitude):
 * the centre of its step-26 box, clamped to the limits. Returns 1. */
int store_geo_score_decode(double score, double xy[2])
{
    struct store_geo_hash h = { score_bits(score), STORE_GEO_STEP_MAX };
    struct store_geo_area a;
    if (!store_geo_decode(&lon_wgs84, &lat_wgs84, h, &a))
        return 0;
    double lon = (a.lon.min + a.lon.max) / 2;
    if (lon > STORE_GEO_LON_MAX)
        lon = STORE_GEO_LON_MAX;
    if (lon < STORE_GEO_LON_MIN)
        lon = STORE_GEO_LON_MIN;
    double lat = (a.lat.min + a.lat.max) / 2;
    if (lat > STORE_GEO_LAT_MAX)
        lat = STORE_GEO_LAT_MAX;
    if (lat < STORE_GEO_LAT_MIN)
        lat = STORE_GEO_LAT_MIN;
    xy[0] = lon;
    xy[1] = lat;
    return 1;
}

/* Writes the 11-character base32 geohash of lon, lat (standard -90..90
 * latitude range, 52 bits; the 11th character has no bits left and is
 * '0') into out; no NUL. */
void store_geo_hash_string(double lon, double lat, char out[11])
{
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    static const struct store_geo_range lon_std = { -180, 180 };
    static const struct store_geo_range lat_std = { -90, 90 };
    struct store_geo_hash h;
    store_geo_encode(&lon_std, &lat_std, lon, lat, STORE_GEO_STEP_MAX, &h);
    for (int i = 0; i < 11; i++) {
        unsigned idx = i == 10 ? 0
                               : (unsigned)(h.bits >> (52 - (i + 1) * 5)) &
                                     0x1f;
        out[i] = alphabet[idx];
    }
}

/* Metres between two latitudes on one meridian. */
double store_geo_lat_distance(double lat1, double lat2)
{
    return EARTH_RADIUS_M * fabs(deg_rad(lat2) - deg_rad(lat1));
}

/* Great-circle distance in metres (haversine), as Redis computes it. */
double store_geo_distance(double lon1, double lat1, double lon2,
                          double lat2)
{
    double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    if (v == 0.0)
        return store_geo_lat_distance(lat1, lat2);
    double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * EARTH_RADIUS_M * asin(sqrt(a));
}

/* Returns 1 and *dist (metres from the centre) when lon, lat is inside
 * shape s; 0 otherwise. */
int store_geo_within(const struct store_geo_shape *s, double lon,
                     double lat, double *dist)
{
    if (!s->box) {
        double d = store_geo_distance(s->lon, s->lat, lon, lat);
        if (d > s->radius * s->conversion)
            return 0;
        *dist = d;
        return 1;
    }
    double w = s->width * s->conversion, h = s->height * s->conversion;
    if (store_geo_lat_distance(lat, s->lat) > h / 2)
        return 0;
    if (store_geo_distance(lon, lat, s->lon, lat) > w / 2)
        return 0;
    *dist = store_geo_distance(s->lon, s->lat, lon, lat);
    return 1;
}

/* The step (1..26) whose boxes are about the size of range_m metres at
 * latitude lat: coarser towards the poles. */
unsigned store_geo_steps(double range_m, double lat)
{
    if (range_m == 0)
        return 26;
    int step = 1;
    while (range_m < MERCATOR_MAX) {
        range_m *= 2;
        step++;
    }
    step -= 2;   /* so the range fits in most cases */
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80)
            step--;
    }
    if (step < 1)
        step = 1;
    if (step > 26)
        step = 26;
    return (unsigned)step;
}

#define GEO_LON_BITS 0xaaaaaaaaaaaaaaaaULL   /* odd bits: longitude */
#define GEO_LAT_BITS 0x5555555555555555ULL   /* even bits: latitude */

/* Moves h one box along the coordinate whose bits are lane (GEO_LON_BITS:
 * east for d > 0, else west; GEO_LAT_BITS: north, else south). The other
 * coordinate's bits are filled with ones (or zeros) so that the carry (or
 * borrow) runs through them to the lane's next bit, then dropped. */
static void move_lane(struct store_geo_hash *h, uint64_t lane, int d)
{
    unsigned shift = 64 - h->step * 2;
    uint64_t self = h->bits & lane;
    uint64_t other = h->bits & ~lane;
    uint64_t fill = ~lane >> shift;
    if (d > 0) {
        self = self + (fill + 1);
    } else {
        self = self | fill;
        self = self - (fill + 1);
    }
    self &= lane >> shift;
    h->bits = self | other;
}

static void move_x(struct store_geo_hash *h, int d)
{
    move_lane(h, GEO_LON_BITS, d);
}

static void move_y(struct store_geo_hash *h, int d)
{
    move_lane(h, GEO_LAT_BITS, d);
}

/* The box of step for the shape's centre and its 8 neighbours, in Redis's
 * order: centre, N, S, E, W, NE, NW, SE, SW. */
enum { NB_C, NB_N, NB_S, NB_E, NB_W, NB_NE, NB_NW, NB_SE, NB_SW };

static void neighbours(const struct store_geo_shape *s, unsigned step,
                       struct store_geo_hash nb[9],
                       struct store_geo_area *centre)
{
    static const int dx[9] = { 0, 0, 0, 1, -1, 1, -1, 1, -1 };
    static const int dy[9] = { 0, 1, -1, 0, 0, 1, 1, -1, -1 };
    store_geo_encode(&lon_wgs84, &lat_wgs84, s->lon, s->lat, step, &nb[0]);
    for (int i = 1; i < 9; i++) {
        nb[i] = nb[0];
        if (dx[i])
            move_x(&nb[i], dx[i]);
        if (dy[i])
            move_y(&nb[i], dy[i]);
    }
    store_geo_decode(&lon_wgs84, &lat_wgs84, nb[0], centre);
}

/* Fills min[i], max[i] with the score ranges [min, max) a search of
 * shape s scans, in the order Redis scans them, leaving out the boxes
 * the search area cannot reach and a box equal to the previous one (huge
 * radii). Returns how many (at most 9). */
size_t store_geo_search_ranges(const struct store_geo_shape *s,
                               uint64_t min[9], uint64_t max[9])
{
    /* The bounding box of the search area. */
    double hm = s->conversion * (s->box ? s->height / 2 : s->radius);
    double wm = s->conversion * (s->box ? s->width / 2 : s->radius);
    double lat_delta = rad_deg(hm / EARTH_RADIUS_M);
    double lon_top = rad_deg(wm / EARTH_RADIUS_M /
                             cos(deg_rad(s->lat + lat_delta)));
    double lon_bottom = rad_deg(wm / EARTH_RADIUS_M /
                                cos(deg_rad(s->lat - lat_delta)));
    int south = s->lat < 0;
    double min_lon = south ? s->lon - lon_bottom : s->lon - lon_top;
    double max_lon = south ? s->lon + lon_bottom : s->lon + lon_top;
    double min_lat = s->lat - lat_delta, max_lat = s->lat + lat_delta;

    double radius = s->box ? sqrt((s->width / 2) * (s->width / 2) +
                                  (s->height / 2) * (s->height / 2))
                           : s->radius;
    radius *= s->conversion;
    unsigned step = store_geo_steps(radius, s->lat);
    struct store_geo_hash nb[9];
    struct store_geo_area area, a;
    neighbours(s, step, nb, &area);

    /* Near a box's edge the estimated step can leave a neighbour too
     * narrow to cover the area: one step coarser then. */
    int coarser = 0;
    store_geo_decode(&lon_wgs84, &lat_wgs84, nb[NB_N], &a);
    coarser |= a.lat.max < max_lat;
    store_geo_decode(&lon_wgs84, &lat_wgs84, nb[NB_S], &a);
    coarser |= a.lat.min > min_lat;
    store_geo_decode(&lon_wgs84, &lat_wgs84, nb[NB_E], &a);
    coarser |= a.lon.max < max_lon;
    store_geo_decode(&lon_wgs84, &lat_wgs84, nb[NB_W], &a);
    coarser |= a.lon.min > min_lon;
    if (step > 1 && coarser) {
        step--;
        neighbours(s, step, nb, &area);
    }

    /* Neighbours on a side the area does not reach are dropped. */
    int skip[9] = { 0 };
    if (step >= 2) {
        if (area.lat.min < min_lat)
            skip[NB_S] = skip[NB_SW] = skip[NB_SE] = 1;
        if (area.lat.max > max_lat)
            skip[NB_N] = skip[NB_NE] = skip[NB_NW] = 1;
        if (area.lon.min < min_lon)
            skip[NB_W] = skip[NB_SW] = skip[NB_NW] = 1;
        if (area.lon.max > max_lon)
            skip[NB_E] = skip[NB_SE] = skip[NB_NE] = 1;
    }
    size_t n = 0;
    int last = -1;
    for (int i = 0; i < 9; i++) {
        if (skip[i])
            continue;
        if (last != -1 && nb[i].bits == nb[last].bits &&
            nb[i].step == nb[last].step)
            continue;
        unsigned shift = 52 - nb[i].step * 2;
        min[n] = nb[i].bits << shift;
        max[n] = (nb[i].bits + 1) << shift;
        n++;
        last = i;
    }
    return n;
}
