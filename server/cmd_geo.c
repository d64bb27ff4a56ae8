/* cmd_geo.c - the geospatial commands: GEOADD GEOPOS GEODIST GEOHASH,
 * GEOSEARCH GEOSEARCHSTORE and the legacy GEORADIUS GEORADIUS_RO
 * GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO.
 *
 * A GEO key is a sorted set whose scores are 52-bit geohashes
 * (store/geo.c), so ZRANGE, ZSCORE and ZREM work on it. GEOADD turns its
 * triples into ZADD's arguments and runs ZADD itself, as Redis does:
 * same options, events ("zadd"), WATCH and OOM behaviour.
 *
 * A search (Redis's georadiusGeneric) looks the key up first (WRONGTYPE
 * before any option error), then parses the options in Redis's order,
 * then scans the score ranges of the up to 9 geohash boxes around the
 * centre (store_geo_search_ranges), keeping the members inside the
 * shape in the order met: box by box, by score within a box, which is
 * Redis's order too, so even unsorted replies match. ASC/DESC sort by
 * distance with qsort (glibc's is a stable merge sort, as under Redis),
 * or, when COUNT keeps fewer than all matches, with the partial
 * quicksort Redis uses there, whose order of equal distances is its own;
 * COUNT without ANY implies ASC; ANY stops the scan at COUNT matches.
 *
 * Reply formats as Redis 7.0: coordinates as "%.17f" with trailing zeros
 * cut (a bulk string, a RESP3 double), distances "%.4f" bulk strings in
 * both protocols, hashes integers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/coll.h"
#include "server/handlers.h"

/* ---- Arguments ---------------------------------------------------------- */

/* Arguments i, i+1 as a longitude, latitude pair in xy: 1, or 0 after
 * replying (a bad float, or a point outside the limits). */
static int lonlat_or_reply(struct client *c, size_t i, double xy[2])
{
    for (int k = 0; k < 2; k++) {
        if (!parse_double(c->argv[i + k], c->argvlen[i + k], &xy[k])) {
            reply_error(c, ERR_NOT_FLOAT);
            return 0;
        }
    }
    if (!store_geo_valid(xy[0], xy[1])) {
        reply_error(c, ERR_GEO_LONLAT, xy[0], xy[1]);
        return 0;
    }
    return 1;
}

/* Argument i as a unit: metres per unit, or -1 after replying. */
static double unit_or_reply(struct client *c, size_t i)
{
    if (arg_is(c, i, "m"))
        return 1;
    if (arg_is(c, i, "km"))
        return 1000;
    if (arg_is(c, i, "ft"))
        return 0.3048;
    if (arg_is(c, i, "mi"))
        return 1609.34;
    reply_error(c, ERR_GEO_UNIT);
    return -1;
}

/* Arguments i (radius) and i+1 (unit) into s: 1, or 0 after replying. */
static int radius_or_reply(struct client *c, size_t i,
                           struct store_geo_shape *s)
{
    double r;
    if (!parse_double(c->argv[i], c->argvlen[i], &r)) {
        reply_error(c, ERR_GEO_RADIUS);
        return 0;
    }
    if (r < 0) {
        reply_error(c, ERR_GEO_RADIUS_NEG);
        return 0;
    }
    double conv = unit_or_reply(c, i + 1);
    if (conv < 0)
        return 0;
    s->box = 0;
    s->radius = r;
    s->conversion = conv;
    return 1;
}

/* Arguments i (width), i+1 (height), i+2 (unit) into s. */
static int box_or_reply(struct client *c, size_t i,
                        struct store_geo_shape *s)
{
    double w, h;
    if (!parse_double(c->argv[i], c->argvlen[i], &w)) {
        reply_error(c, ERR_GEO_WIDTH);
        return 0;
    }
    if (!parse_double(c->argv[i + 1], c->argvlen[i + 1], &h)) {
        reply_error(c, ERR_GEO_HEIGHT);
        return 0;
    }
    if (h < 0 || w < 0) {
        reply_error(c, ERR_GEO_BOX_NEG);
        return 0;
    }
    double conv = unit_or_reply(c, i + 2);
    if (conv < 0)
        return 0;
    s->box = 1;
    s->width = w;
    s->height = h;
    s->conversion = conv;
    return 1;
}

/* ---- Replies ------------------------------------------------------------ */

/* A coordinate as Redis's addReplyHumanLongDouble: "%.17f" without
 * trailing zeros (nor a bare '.'); a bulk string, or a RESP3 double. */
static void add_coord(struct resp_out *o, double d)
{
    char buf[400];
    int n = snprintf(buf + 1, sizeof buf - 3, "%.17f", d);
    if (n < 0 || (size_t)n >= sizeof buf - 3)
        n = 0;
    char *p = buf + 1;
    if (memchr(p, '.', (size_t)n)) {
        while (n > 0 && p[n - 1] == '0')
            n--;
        if (n > 0 && p[n - 1] == '.')
            n--;
    }
    if (n == 2 && p[0] == '-' && p[1] == '0') {
        p[0] = '0';
        n = 1;
    }
    if (o->proto >= 3) {
        buf[0] = ',';
        memcpy(p + n, "\r\n", 2);
        resp_add_raw(o, buf, (size_t)n + 3);
    } else {
        resp_add_bulk(o, p, (size_t)n);
    }
}

/* A distance: four decimals, a bulk string in both protocols. */
static void add_dist(struct resp_out *o, double d)
{
    char buf[400];
    int n = snprintf(buf, sizeof buf, "%.4f", d);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = 0;
    resp_add_bulk(o, buf, (size_t)n);
}

/* ---- GEOADD GEOPOS GEODIST GEOHASH -------------------------------------- */

/* GEOADD key [NX|XX] [CH] longitude latitude member [...]: ZADD with the
 * points' scores, run with c's arguments swapped for ZADD's. */
void cmd_geoadd(struct client *c)
{
    size_t first = 2;
    int nx = 0, xx = 0;
    for (; first < c->argc; first++) {
        if (arg_is(c, first, "NX"))
            nx = 1;
        else if (arg_is(c, first, "XX"))
            xx = 1;
        else if (!arg_is(c, first, "CH"))
            break;
    }
    if ((c->argc - first) % 3 || (nx && xx)) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    size_t elements = (c->argc - first) / 3;
    size_t argc = first + elements * 2;
    const char **argv = malloc(argc * sizeof *argv);
    size_t *argvlen = malloc(argc * sizeof *argvlen);
    char (*scores)[24] = malloc((elements ? elements : 1) * sizeof *scores);
    if (!argv || !argvlen || !scores) {
        free(argv);
        free(argvlen);
        free(scores);
        reply_error(c, ERR_OOM);
        return;
    }
    static const char zadd[] = "zadd";
    argv[0] = zadd;
    argvlen[0] = 4;
    for (size_t i = 1; i < first; i++) {
        argv[i] = c->argv[i];
        argvlen[i] = c->argvlen[i];
    }
    int ok = 1;
    for (size_t i = 0; ok && i < elements; i++) {
        double xy[2];
        size_t a = first + i * 3;
        ok = lonlat_or_reply(c, a, xy);
        if (!ok)
            break;
        int n = snprintf(scores[i], sizeof scores[i], "%llu",
                         (unsigned long long)store_geo_score(xy[0], xy[1]));
        argv[first + i * 2] = scores[i];
        argvlen[first + i * 2] = (size_t)n;
        argv[first + i * 2 + 1] = c->argv[a + 2];
        argvlen[first + i * 2 + 1] = c->argvlen[a + 2];
    }
    if (ok) {
        size_t oargc = c->argc;
        const char **oargv = c->argv;
        const size_t *oargvlen = c->argvlen;
        c->argc = argc;
        c->argv = argv;
        c->argvlen = argvlen;
        cmd_zadd(c);
        c->argc = oargc;
        c->argv = oargv;
        c->argvlen = oargvlen;
    }
    free(argv);
    free(argvlen);
    free(scores);
}

/* GEOPOS key member [member ...]: [lon, lat] or a null array each. */
void cmd_geopos(struct client *c)
{
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++) {
        double score, xy[2];
        if (!z || !store_zset_score(z, c->argv[i], c->argvlen[i], &score) ||
            !store_geo_score_decode(score, xy)) {
            resp_add_null_array(&c->out);
            continue;
        }
        resp_add_array(&c->out, 2);
        add_coord(&c->out, xy[0]);
        add_coord(&c->out, xy[1]);
    }
}

/* GEODIST key member1 member2 [M|KM|FT|MI]: the distance, or null. */
void cmd_geodist(struct client *c)
{
    double to_m = 1;
    if (c->argc == 5) {
        to_m = unit_or_reply(c, 4);
        if (to_m < 0)
            return;
    } else if (c->argc > 5) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    double s1, s2, a[2], b[2];
    if (!z || !store_zset_score(z, c->argv[2], c->argvlen[2], &s1) ||
        !store_zset_score(z, c->argv[3], c->argvlen[3], &s2) ||
        !store_geo_score_decode(s1, a) || !store_geo_score_decode(s2, b)) {
        resp_add_null(&c->out);
        return;
    }
    add_dist(&c->out, store_geo_distance(a[0], a[1], b[0], b[1]) / to_m);
}

/* GEOHASH key member [member ...]: 11-character geohashes or nulls. */
void cmd_geohash(struct client *c)
{
    int ok;
    struct store_zset *z = obj_read(c, 1, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    resp_add_array(&c->out, c->argc - 2);
    for (size_t i = 2; i < c->argc; i++) {
        double score, xy[2];
        if (!z || !store_zset_score(z, c->argv[i], c->argvlen[i], &score) ||
            !store_geo_score_decode(score, xy)) {
            resp_add_null(&c->out);
            continue;
        }
        char h[11];
        store_geo_hash_string(xy[0], xy[1], h);
        resp_add_bulk(&c->out, h, sizeof h);
    }
}

/* ---- Searches ----------------------------------------------------------- */

/* What kind of search: the legacy forms fix the centre's argument
 * positions; GEOSEARCH takes FROM... and BY... options. */
enum geo_kind {
    GEO_RADIUS,          /* GEORADIUS key lon lat radius unit */
    GEO_BYMEMBER,        /* GEORADIUSBYMEMBER key member radius unit */
    GEO_SEARCH,          /* GEOSEARCH key ... */
    GEO_SEARCHSTORE,     /* GEOSEARCHSTORE dst src ... */
};

/* One member found; m is a view into the source set, valid until the
 * store changes. */
struct geo_point {
    const char *m;
    size_t mlen;
    double dist, score, lon, lat;
};

struct geo_found {
    struct geo_point *p;
    size_t n, cap;
};

static int found_add(struct geo_found *f, const struct store_zset_view *v,
                     double dist, const double xy[2])
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        struct geo_point *p = realloc(f->p, cap * sizeof *p);
        if (!p)
            return -1;
        f->p = p;
        f->cap = cap;
    }
    f->p[f->n++] = (struct geo_point){ v->m, v->mlen, dist, v->score,
                                       xy[0], xy[1] };
    return 0;
}

/* Collects the members of z inside s, stopping at limit (0: none).
 * Returns 0, or -1 when out of memory. */
static int geo_collect(const struct store_zset *z,
                       const struct store_geo_shape *s, size_t limit,
                       struct geo_found *f)
{
    uint64_t lo[9], hi[9];
    size_t nbox = store_geo_search_ranges(s, lo, hi);
    for (size_t b = 0; b < nbox; b++) {
        if (limit && f->n >= limit)
            break;
        struct store_zset_srange r = { .min = (double)lo[b],
                                       .max = (double)hi[b], .maxex = 1 };
        size_t from;
        if (!store_zset_first_score(z, &r, 0, &from))
            continue;
        struct store_zset_it it;
        struct store_zset_view v;
        store_zset_seek(z, from, 0, &it);
        while (store_zset_next(z, &it, &v) &&
               store_zset_srange_has(&r, v.score)) {
            double xy[2], dist;
            if (store_geo_score_decode(v.score, xy) &&
                store_geo_within(s, xy[0], xy[1], &dist) &&
                found_add(f, &v, dist, xy) < 0)
                return -1;
            if (limit && f->n >= limit)
                break;
        }
    }
    return 0;
}

static int by_dist_asc(const void *a, const void *b)
{
    double x = ((const struct geo_point *)a)->dist;
    double y = ((const struct geo_point *)b)->dist;
    return x > y ? 1 : x == y ? 0 : -1;
}

static int by_dist_desc(const void *a, const void *b)
{
    return -by_dist_asc(a, b);
}

typedef int geo_cmp(const void *a, const void *b);

static void pt_swap(struct geo_point *x, struct geo_point *y)
{
    struct geo_point t = *x;
    *x = *y;
    *y = t;
}

static struct geo_point *med3(struct geo_point *a, struct geo_point *b,
                              struct geo_point *c, geo_cmp *cmp)
{
    if (cmp(a, b) < 0)
        return cmp(b, c) < 0 ? b : cmp(a, c) < 0 ? c : a;
    return cmp(b, c) > 0 ? b : cmp(a, c) < 0 ? a : c;
}

/* Sorts a[0..n) enough that the elements lo..hi (inclusive) are in their
 * final places: Bentley and McIlroy's three-way quicksort ("Engineering a
 * Sort Function", 1993) that skips the partitions outside lo..hi. Redis
 * sorts a search with COUNT below the number of matches this way (its
 * pqsort), and the algorithm is not stable, so equal distances come out
 * in its order only if the same steps are taken: keep them in step. */
static void partial_sort(struct geo_point *a, size_t n, geo_cmp *cmp,
                         const struct geo_point *lo,
                         const struct geo_point *hi)
{
    for (;;) {
        if (n < 7) {
            for (struct geo_point *pm = a + 1; pm < a + n; pm++)
                for (struct geo_point *pl = pm; pl > a && cmp(pl - 1, pl) > 0;
                     pl--)
                    pt_swap(pl, pl - 1);
            return;
        }
        struct geo_point *pm = a + n / 2;
        if (n > 7) {
            struct geo_point *pl = a, *pn = a + n - 1;
            if (n > 40) {
                size_t d = n / 8;
                pl = med3(pl, pl + d, pl + 2 * d, cmp);
                pm = med3(pm - d, pm, pm + d, cmp);
                pn = med3(pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(pl, pm, pn, cmp);
        }
        pt_swap(a, pm);
        /* [a, pa) equal to the pivot, [pa, pb) less, (pc, pd] greater,
         * (pd, a + n) equal. */
        struct geo_point *pa = a + 1, *pb = a + 1;
        struct geo_point *pc = a + n - 1, *pd = a + n - 1;
        for (;;) {
            int r;
            while (pb <= pc && (r = cmp(pb, a)) <= 0) {
                if (r == 0)
                    pt_swap(pa++, pb);
                pb++;
            }
            while (pb <= pc && (r = cmp(pc, a)) >= 0) {
                if (r == 0)
                    pt_swap(pc, pd--);
                pc--;
            }
            if (pb > pc)
                break;
            pt_swap(pb++, pc--);
        }
        /* Move the equal runs to the middle. */
        struct geo_point *pn = a + n;
        size_t k = (size_t)(pa - a) < (size_t)(pb - pa) ? (size_t)(pa - a)
                                                         : (size_t)(pb - pa);
        for (size_t i = 0; i < k; i++)
            pt_swap(a + i, pb - k + i);
        k = (size_t)(pd - pc) < (size_t)(pn - pd - 1) ? (size_t)(pd - pc)
                                                      : (size_t)(pn - pd - 1);
        for (size_t i = 0; i < k; i++)
            pt_swap(pb + i, pn - k + i);
        /* Recurse into the lesser part, loop on the greater one, each
         * only when it overlaps lo..hi. */
        size_t nl = (size_t)(pb - pa), ng = (size_t)(pd - pc);
        if (nl > 1 && !(hi < a || lo > a + nl - 1))
            partial_sort(a, nl, cmp, lo, hi);
        if (ng <= 1)
            return;
        a = pn - ng;
        n = ng;
        if (hi < a || lo > a + n - 1)
            return;
    }
}

/* Stores n points of f into argument di's key (scores: their hashes, or
 * with storedist their distances in the unit), or deletes the key when
 * n is 0; replies n. */
static void geo_store(struct client *c, size_t di, const struct geo_found *f,
                      size_t n, int storedist, double conversion,
                      const char *event)
{
    struct store *db = client_db(c);
    int64_t now = server_now_ms(c->srv);
    if (n == 0) {
        key_store_empty(c, di);
        resp_add_int(&c->out, 0);
        return;
    }
    struct store_zset *z = store_zset_new(db);
    int nomem = !z;
    for (size_t i = 0; !nomem && i < n; i++) {
        const struct geo_point *p = &f->p[i];
        double out;
        double score = storedist ? p->dist / conversion : p->score;
        nomem = store_zset_add(db, z, p->m, p->mlen, score, 0, &out) < 0;
    }
    int existed = store_key_find(db, c->argv[di], c->argvlen[di], now) !=
                  NULL;
    if (nomem || store_key_set_obj(db, c->argv[di], c->argvlen[di],
                                   STORE_T_ZSET, z, now) != STORE_OK) {
        if (z)
            store_zset_free(db, z);
        reply_error(c, ERR_OOM);
        return;
    }
    if (!existed)
        key_new(c, di);
    coll_changed(c, di, NOTIFY_ZSET, event);
    server_dirty_elements(c->srv, n);
    resp_add_int(&c->out, (int64_t)n);
}

/* A search as its arguments give it. */
struct geo_req {
    enum geo_kind kind;
    int nostore;                 /* a _RO form: no STORE options */
    int search;                  /* GEOSEARCH or GEOSEARCHSTORE */
    struct store_geo_shape s;    /* centre, radius or box, unit */
    size_t store_at;             /* the destination's argument, or 0 */
    int withdist, withhash, withcoord, storedist, any;
    int frommember, fromloc, byradius, bybox;
    int sort;                    /* 1 ASC, -1 DESC, 0 none */
    int64_t count;
};

/* Sets q's centre to member's position in z (a missing z leaves it);
 * 1, or 0 after the error reply. */
static int centre_of_member_or_reply(struct client *c,
                                     const struct store_zset *z, size_t arg,
                                     struct geo_req *q)
{
    double xy[2], score;
    if (!z)
        return 1;
    if (!store_zset_score(z, c->argv[arg], c->argvlen[arg], &score) ||
        !store_geo_score_decode(score, xy)) {
        reply_error(c, ERR_GEO_MEMBER);
        return 0;
    }
    q->s.lon = xy[0];
    q->s.lat = xy[1];
    return 1;
}

/* GEORADIUS's and GEORADIUSBYMEMBER's positional centre and radius; sets
 * *base to the first option's argument. 1, or 0 after the error reply. */
static int geo_positional_or_reply(struct client *c,
                                   const struct store_zset *z,
                                   struct geo_req *q, size_t *base)
{
    double xy[2];
    if (q->kind == GEO_RADIUS) {
        *base = 6;
        if (!lonlat_or_reply(c, 2, xy) || !radius_or_reply(c, 4, &q->s))
            return 0;
        q->s.lon = xy[0];
        q->s.lat = xy[1];
    } else if (q->kind == GEO_BYMEMBER) {
        *base = 5;
        if (z && (!centre_of_member_or_reply(c, z, 2, q) ||
                  !radius_or_reply(c, 3, &q->s)))
            return 0;
    } else {
        *base = q->kind == GEO_SEARCHSTORE ? 3 : 2;
    }
    return 1;
}

/* Reads the options from argument i on, in Redis's order; 1, or 0 after
 * the error reply. */
static int geo_opts_or_reply(struct client *c, const struct store_zset *z,
                             struct geo_req *q, size_t i)
{
    double xy[2];
    for (; i < c->argc; i++) {
        size_t left = c->argc - i - 1;
        if (arg_is(c, i, "WITHDIST")) {
            q->withdist = 1;
        } else if (arg_is(c, i, "WITHHASH")) {
            q->withhash = 1;
        } else if (arg_is(c, i, "WITHCOORD")) {
            q->withcoord = 1;
        } else if (arg_is(c, i, "ANY")) {
            q->any = 1;
        } else if (arg_is(c, i, "ASC")) {
            q->sort = 1;
        } else if (arg_is(c, i, "DESC")) {
            q->sort = -1;
        } else if (arg_is(c, i, "COUNT") && left >= 1) {
            if (!arg_i64_or_reply(c, i + 1, &q->count))
                return 0;
            if (q->count <= 0) {
                reply_error(c, ERR_GEO_COUNT);
                return 0;
            }
            i++;
        } else if ((arg_is(c, i, "STORE") || arg_is(c, i, "STOREDIST")) &&
                   left >= 1 && !q->nostore && !q->search) {
            q->storedist = arg_is(c, i, "STOREDIST");
            q->store_at = i + 1;
            i++;
        } else if (arg_is(c, i, "STOREDIST") &&
                   q->kind == GEO_SEARCHSTORE) {
            q->storedist = 1;
        } else if (arg_is(c, i, "FROMMEMBER") && left >= 1 && q->search &&
                   !q->fromloc) {
            if (!centre_of_member_or_reply(c, z, i + 1, q))
                return 0;
            q->frommember = 1;
            i++;
        } else if (arg_is(c, i, "FROMLONLAT") && left >= 2 && q->search &&
                   !q->frommember) {
            if (!lonlat_or_reply(c, i + 1, xy))
                return 0;
            q->s.lon = xy[0];
            q->s.lat = xy[1];
            q->fromloc = 1;
            i += 2;
        } else if (arg_is(c, i, "BYRADIUS") && left >= 2 && q->search &&
                   !q->bybox) {
            if (!radius_or_reply(c, i + 1, &q->s))
                return 0;
            q->byradius = 1;
            i += 2;
        } else if (arg_is(c, i, "BYBOX") && left >= 3 && q->search &&
                   !q->byradius) {
            if (!box_or_reply(c, i + 1, &q->s))
                return 0;
            q->bybox = 1;
            i += 3;
        } else {
            reply_error(c, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* The checks of the options together, in Redis's order; 1, or 0 after
 * the error reply. */
static int geo_combination_or_reply(struct client *c,
                                    const struct geo_req *q)
{
    if (q->store_at && (q->withdist || q->withhash || q->withcoord)) {
        reply_error(c, ERR_GEO_STORE_WITH,
                    q->kind == GEO_SEARCHSTORE ? "GEOSEARCHSTORE"
                                               : "STORE option in GEORADIUS");
        return 0;
    }
    if (q->search && !q->frommember && !q->fromloc) {
        reply_error(c, ERR_GEO_FROM, c->argv[0]);
        return 0;
    }
    if (q->search && !q->byradius && !q->bybox) {
        reply_error(c, ERR_GEO_BY, c->argv[0]);
        return 0;
    }
    if (q->any && !q->count) {
        reply_error(c, ERR_GEO_ANY);
        return 0;
    }
    return 1;
}

/* Replies the first n points of f, each with the WITH* extras asked. */
static void geo_reply_points(struct client *c, const struct geo_req *q,
                             const struct geo_found *f, size_t n)
{
    size_t extra = (size_t)(q->withdist + q->withhash + q->withcoord);
    resp_add_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        const struct geo_point *p = &f->p[i];
        if (extra)
            resp_add_array(&c->out, extra + 1);
        resp_add_bulk(&c->out, p->m, p->mlen);
        if (q->withdist)
            add_dist(&c->out, p->dist / q->s.conversion);
        if (q->withhash)
            resp_add_int(&c->out, (int64_t)p->score);
        if (q->withcoord) {
            resp_add_array(&c->out, 2);
            add_coord(&c->out, p->lon);
            add_coord(&c->out, p->lat);
        }
    }
}

/* Redis's georadiusGeneric for every search command. */
static void geo_search(struct client *c, enum geo_kind kind, int nostore)
{
    size_t src = kind == GEO_SEARCHSTORE ? 2 : 1;
    int ok;
    struct store_zset *z = obj_read(c, src, STORE_T_ZSET, &ok);
    if (!ok)
        return;
    struct geo_req q = {
        .kind = kind, .nostore = nostore,
        .search = kind == GEO_SEARCH || kind == GEO_SEARCHSTORE,
        .store_at = kind == GEO_SEARCHSTORE ? 1 : 0,
    };
    size_t base;
    if (!geo_positional_or_reply(c, z, &q, &base) ||
        !geo_opts_or_reply(c, z, &q, base) ||
        !geo_combination_or_reply(c, &q))
        return;
    const char *event = q.search ? "geosearchstore" : "georadiusstore";
    if (!z) {
        struct geo_found none = { 0 };
        if (q.store_at)
            geo_store(c, q.store_at, &none, 0, 0, 1, event);
        else
            resp_add_array(&c->out, 0);
        return;
    }
    if (q.count && !q.sort && !q.any)
        q.sort = 1;

    struct geo_found f = { 0 };
    if (geo_collect(z, &q.s, q.any ? (size_t)q.count : 0, &f) < 0) {
        free(f.p);
        reply_error(c, ERR_OOM);
        return;
    }
    size_t n = q.count && (uint64_t)q.count < f.n ? (size_t)q.count : f.n;
    /* All matches: glibc's qsort (a stable merge sort), as Redis; fewer:
     * the partial quicksort, as Redis. */
    geo_cmp *cmp = q.sort > 0 ? by_dist_asc : by_dist_desc;
    if (q.sort && n == f.n && f.n > 1)
        qsort(f.p, f.n, sizeof *f.p, cmp);
    else if (q.sort && n > 0)
        partial_sort(f.p, f.n, cmp, f.p, f.p + n - 1);
    if (q.store_at)
        geo_store(c, q.store_at, &f, n, q.storedist, q.s.conversion, event);
    else
        geo_reply_points(c, &q, &f, n);
    free(f.p);
}

/* GEORADIUS key lon lat radius unit [options] [STORE k] [STOREDIST k] */
void cmd_georadius(struct client *c)
{
    geo_search(c, GEO_RADIUS, 0);
}

/* GEORADIUS_RO key lon lat radius unit [options] */
void cmd_georadius_ro(struct client *c)
{
    geo_search(c, GEO_RADIUS, 1);
}

/* GEORADIUSBYMEMBER key member radius unit [options] [STORE k] ... */
void cmd_georadiusbymember(struct client *c)
{
    geo_search(c, GEO_BYMEMBER, 0);
}

/* GEORADIUSBYMEMBER_RO key member radius unit [options] */
void cmd_georadiusbymember_ro(struct client *c)
{
    geo_search(c, GEO_BYMEMBER, 1);
}

/* GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h
 * unit [ASC|DESC] [COUNT n [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH] */
void cmd_geosearch(struct client *c)
{
    geo_search(c, GEO_SEARCH, 1);
}

/* GEOSEARCHSTORE dst src ... [STOREDIST] */
void cmd_geosearchstore(struct client *c)
{
    geo_search(c, GEO_SEARCHSTORE, 0);
}
