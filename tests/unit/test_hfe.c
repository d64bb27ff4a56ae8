/* test_hfe.c - unit tests for store/hfe.c, hash field expiration, with a
 * moved clock: deadlines set, read and cleared; fields absent once past
 * them; HSET-style overwrites clear a TTL and HINCRBY-style ones keep it;
 * compact and table encodings and the conversion between them; the sweep
 * (store_hfe_step) reclaiming fields and deleting emptied keys, visiting
 * hashes in deadline order through the registry's heap; and the
 * registry kept right through DEL, overwrite, RENAME, MOVE, COPY, FLUSHDB
 * and key expiry, with store__check's memory accounting after each step
 * (and ASan for dangling pointers). */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_int.h"
#include "tests/unit/unit.h"

#define K(lit) (lit), (sizeof(lit) - 1)
#define T0 INT64_C(1700000000000)
#define FIELDS_MAX_SWEEP 100       /* hfe.c's FIELDS_PER_HASH */

/* key's hash (created when create is set), or NULL. */
static struct store_coll *open_h(struct store *s, const char *key,
                                 int create)
{
    struct store_coll *c = NULL;
    int rc = store_coll_open(s, key, strlen(key), STORE_T_HASH, create, T0,
                             &c);
    return rc == STORE_OK ? c : NULL;
}

/* key's hash made able to hold TTLs, or NULL. */
static struct store_coll *ttl_h(struct store *s, const char *key)
{
    struct store_coll *c = NULL;
    int rc = store_hash_ttl_open(s, key, strlen(key), T0, &c);
    return rc == STORE_OK ? c : NULL;
}

/* A hash at key with n fields f0.. (value "v"). */
static struct store_coll *filled(struct store *s, const char *key, int n)
{
    struct store_coll *c = open_h(s, key, 1);
    char f[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(f, sizeof f, "f%d", i);
        store_coll_put(s, c, f, (size_t)len, K("v"), 0);
    }
    return c;
}

/* Gives fields f0..f(n-1) of key the deadline at. */
static int expire_first(struct store *s, const char *key, int n, int64_t at)
{
    struct store_coll *c = ttl_h(s, key);
    if (!c)
        return -1;
    char f[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(f, sizeof f, "f%d", i);
        if (store_coll_ttl_set(s, c, f, (size_t)len, at) != STORE_OK)
            return -1;
    }
    return 0;
}

struct seen {
    int calls, gone;
    size_t fields;
    char key[64];
};

static void on_hexpired(void *ctx, const char *key, size_t klen, size_t n,
                        int gone)
{
    struct seen *w = ctx;
    w->calls++;
    w->fields += n;
    w->gone += gone;
    snprintf(w->key, sizeof w->key, "%.*s", (int)klen, key);
}

/* ---- Deadlines ----------------------------------------------------------- */

TEST(deadline_basics)
{
    struct store *s = store_new(4);
    struct store_coll *h = filled(s, "h", 3);
    ASSERT(!store_coll_is_hfe(h));
    ASSERT_EQ(store_coll_ttl(h, K("f0")), STORE_NO_TTL);
    h = ttl_h(s, "h");
    ASSERT(h != NULL && store_coll_is_hfe(h));
    ASSERT(open_h(s, "h", 0) == h);
    ASSERT_EQ(store_coll_ttl_set(s, h, K("f0"), T0 + 100), STORE_OK);
    ASSERT_EQ(store_coll_ttl_set(s, h, K("nope"), T0 + 100),
              STORE_NOT_FOUND);
    ASSERT_EQ(store_coll_ttl(h, K("f0")), T0 + 100);
    ASSERT_EQ(store_coll_ttl_count(h), 1);
    struct store_coll_view v;
    /* Live through the deadline's millisecond, gone after it. */
    ASSERT_EQ(store_coll_get_at(h, K("f0"), T0 + 100, &v), 1);
    ASSERT_EQ(store_coll_get_at(h, K("f0"), T0 + 101, &v), -1);
    ASSERT_EQ(store_coll_get_at(h, K("f1"), T0 + 101, &v), 1);
    ASSERT_EQ(store_coll_get_at(h, K("zz"), T0 + 101, &v), 0);
    ASSERT_EQ(store_coll_live_len(h, T0 + 101), 2);
    ASSERT_EQ(store_coll_live_len(h, T0), 3);
    ASSERT(store_coll_field_expired(h, K("f0"), T0 + 101));
    /* Clear, then set again. */
    ASSERT_EQ(store_coll_ttl_clear(s, h, K("f0")), 1);
    ASSERT_EQ(store_coll_ttl_clear(s, h, K("f0")), 0);
    ASSERT_EQ(store_coll_get_at(h, K("f0"), T0 + 101, &v), 1);
    ASSERT_OK(store__check(s));
    store_free(s);
}

TEST(writes_and_ttls)
{
    struct store *s = store_new(1);
    filled(s, "h", 3);
    ASSERT_OK(expire_first(s, "h", 3, T0 + 50));
    struct store_coll *h = open_h(s, "h", 0);
    /* HSET overwrites: the TTL goes. */
    ASSERT_EQ(store_coll_put(s, h, K("f0"), K("new"), 0), 0);
    ASSERT_EQ(store_coll_ttl(h, K("f0")), STORE_NO_TTL);
    /* HSETNX of an existing field changes nothing. */
    ASSERT_EQ(store_coll_put(s, h, K("f1"), K("new"), 1), 0);
    ASSERT_EQ(store_coll_ttl(h, K("f1")), T0 + 50);
    /* HINCRBY keeps it. */
    ASSERT_EQ(store_coll_put_keepttl(s, h, K("f1"), K("7")), 0);
    ASSERT_EQ(store_coll_ttl(h, K("f1")), T0 + 50);
    /* HDEL takes it with the field; a re-added field has none. */
    ASSERT_EQ(store_coll_del(s, h, K("f2")), 1);
    ASSERT_EQ(store_coll_ttl_count(h), 1);
    ASSERT_EQ(store_coll_put(s, h, K("f2"), K("x"), 0), 1);
    ASSERT_EQ(store_coll_ttl(h, K("f2")), STORE_NO_TTL);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* The deadlines survive the compact-to-table conversion (by inserts and
 * by a long value), and work the same in a table. */
TEST(encodings)
{
    struct store *s = STORE_WITH_LIMITS(.hash_entries = 8);
    filled(s, "h", 6);
    ASSERT_OK(expire_first(s, "h", 4, T0 + 10));
    struct store_coll *h = open_h(s, "h", 0);
    ASSERT(store_coll_is_compact(h));
    char f[32];
    for (int i = 6; i < 40; i++) {
        int len = snprintf(f, sizeof f, "f%d", i);
        store_coll_put(s, h, f, (size_t)len, K("v"), 0);
    }
    ASSERT(!store_coll_is_compact(h) && store_coll_is_hfe(h));
    ASSERT_EQ(store_coll_ttl(h, K("f3")), T0 + 10);
    ASSERT_EQ(store_coll_ttl_count(h), 4);
    ASSERT_EQ(store_coll_ttl_set(s, h, K("f30"), T0 + 5), STORE_OK);
    ASSERT_EQ(store_coll_get_at(h, K("f30"), T0 + 6, NULL), -1);
    ASSERT_EQ(store_coll_live_len(h, T0 + 11), 35);
    ASSERT_OK(store__check(s));
    /* A value beyond hash-max-listpack-value converts too. */
    filled(s, "g", 2);
    ASSERT_OK(expire_first(s, "g", 1, T0 + 10));
    struct store_coll *g = open_h(s, "g", 0);
    char big[100];
    memset(big, 'x', sizeof big);
    ASSERT_EQ(store_coll_put(s, g, K("f1"), big, sizeof big, 0), 0);
    ASSERT(!store_coll_is_compact(g));
    ASSERT_EQ(store_coll_ttl(g, K("f0")), T0 + 10);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* ---- Expiry -------------------------------------------------------------- */

TEST(expire_and_sweep)
{
    struct store *s = store_new(4);
    filled(s, "a", 5);
    ASSERT_OK(expire_first(s, "a", 2, T0 + 10));
    filled(s, "b", 2);
    ASSERT_OK(expire_first(s, "b", 2, T0 + 20));
    filled(s, "c", 2);
    ASSERT_OK(expire_first(s, "c", 1, T0 + 1000));
    struct seen w = { 0 };
    /* Nothing due yet. */
    ASSERT_EQ(store_hfe_step(s, T0 + 5, 1000, NULL, NULL, on_hexpired, &w),
              0);
    ASSERT_EQ(w.calls, 0);
    /* a loses two fields and stays; b loses both and goes. */
    ASSERT_EQ(store_hfe_step(s, T0 + 21, 1000, NULL, NULL, on_hexpired, &w),
              4);
    ASSERT_EQ(w.calls, 2);
    ASSERT_EQ(w.gone, 1);
    ASSERT_EQ(store_coll_len(open_h(s, "a", 0)), 3);
    ASSERT(store_key_find(s, K("b"), T0 + 21) == NULL);
    ASSERT_EQ(store_coll_len(open_h(s, "c", 0)), 2);
    ASSERT_OK(store__check(s));
    /* Lazy: store_coll_expire on one hash. */
    struct store_coll *c = open_h(s, "c", 0);
    ASSERT_EQ(store_coll_expire(s, c, T0 + 2000, 10), 1);
    ASSERT_EQ(store_coll_len(c), 1);
    struct store_expire_stats st;
    store_expire_stats(s, &st);
    ASSERT_EQ(st.hfe_expired, 4);
    ASSERT_OK(store__check(s));
    store_free(s);
}

/* A big hash loses its due fields over several steps (100 a visit). */
TEST(sweep_is_bounded)
{
    struct store *s = store_new(1);
    filled(s, "big", 1000);
    ASSERT_OK(expire_first(s, "big", 1000, T0 + 1));
    struct seen w = { 0 };
    size_t total = 0, steps = 0;
    while (store_key_find(s, K("big"), T0 + 2)) {
        size_t n = store_hfe_step(s, T0 + 2, 1000, NULL, NULL, on_hexpired,
                                  &w);
        ASSERT(n <= 100);
        total += n;
        steps++;
        ASSERT_OK(store__check(s));
    }
    ASSERT_EQ(total, 1000);
    ASSERT_EQ(steps, 10);
    ASSERT_EQ(w.gone, 1);
    ASSERT_STR_EQ(w.key, "big");
    ASSERT_EQ(s->nhfe, 0);
    store_free(s);
}

/* The registry is a heap on each hash's earliest deadline: a step expires
 * what is due among many hashes that are not, and a bound left low by a
 * cleared TTL is fixed by the visit. */
TEST(heap_order)
{
    struct store *s = store_new(4);
    char k[32];
    for (int i = 0; i < 200; i++) {
        snprintf(k, sizeof k, "h%d", i);
        filled(s, k, 2);
        ASSERT_OK(expire_first(s, k, 1, T0 + 1000 + i));
    }
    filled(s, "due", 2);
    ASSERT_OK(expire_first(s, "due", 2, T0 + 5));
    ASSERT_OK(store__check(s));
    struct seen w = { 0 };
    ASSERT_EQ(store_hfe_step(s, T0 + 10, 1000, NULL, NULL, on_hexpired, &w),
              2);
    ASSERT_EQ(w.calls, 1);
    ASSERT_STR_EQ(w.key, "due");
    ASSERT_EQ(s->nhfe, 200);
    /* Clearing TTLs leaves those hashes' bounds low until a step looks. */
    for (int i = 0; i < 100; i += 2) {
        snprintf(k, sizeof k, "h%d", i);
        ASSERT_EQ(store_coll_ttl_clear(s, open_h(s, k, 0), K("f0")), 1);
    }
    memset(&w, 0, sizeof w);
    ASSERT_EQ(store_hfe_step(s, T0 + 1100, 1000, NULL, NULL, on_hexpired, &w),
              50);
    ASSERT_EQ(w.calls, 50);
    ASSERT_OK(store__check(s));
    ASSERT_EQ(store_hfe_step(s, T0 + 1100, 1000, NULL, NULL, on_hexpired, &w),
              0);
    store_free(s);
}

/* ---- Random operations against a model ---------------------------------- */

#define MODEL_FIELDS 40

struct model {
    int present[MODEL_FIELDS];
    int64_t at[MODEL_FIELDS];      /* STORE_NO_TTL: none */
};

static int name_of(char *buf, int i)
{
    return snprintf(buf, 16, "f%d", i);
}

/* Model of store_coll_expire: the due fields, earliest first, ties by
 * name bytes (the deadline zset's order). */
static size_t model_expire(struct model *m, int64_t now, size_t max)
{
    size_t n = 0;
    while (n < max) {
        int best = -1;
        char a[16], b[16];
        for (int i = 0; i < MODEL_FIELDS; i++) {
            if (!m->present[i] || m->at[i] == STORE_NO_TTL || m->at[i] >= now)
                continue;
            if (best >= 0) {
                name_of(a, i);
                name_of(b, best);
                if (m->at[i] > m->at[best] ||
                    (m->at[i] == m->at[best] && strcmp(a, b) > 0))
                    continue;
            }
            best = i;
        }
        if (best < 0)
            break;
        m->present[best] = 0;
        m->at[best] = STORE_NO_TTL;
        n++;
    }
    return n;
}

/* Whether store key "h" matches model m, field by field: 0 or a line. */
static int model_check(struct store *s, const struct model *m)
{
    struct store_coll *h = open_h(s, "h", 0);
    size_t len = 0;
    for (int i = 0; i < MODEL_FIELDS; i++) {
        char f[16];
        int n = name_of(f, i);
        len += m->present[i];
        int got = h && store_coll_get(h, f, (size_t)n, NULL);
        if (got != m->present[i])
            return __LINE__;
        if (h && store_coll_ttl(h, f, (size_t)n) != m->at[i])
            return __LINE__;
    }
    if ((h ? store_coll_len(h) : 0) != len)
        return __LINE__;
    return store__check(s);
}

TEST(random_model)
{
    struct store *s = STORE_WITH_LIMITS(.hash_entries = 8);
    struct model m;
    memset(&m, 0, sizeof m);
    for (int i = 0; i < MODEL_FIELDS; i++)
        m.at[i] = STORE_NO_TTL;
    uint64_t seed = 12345;
    int64_t now = T0;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(seed >> 33);
        int i = (int)(r % MODEL_FIELDS), op = (int)((r >> 8) % 12);
        char f[16];
        size_t fl = (size_t)name_of(f, i);
        struct store_coll *h = open_h(s, "h", 1);
        ASSERT(h != NULL);
        switch (op) {
        case 0: case 1:                /* HSET */
            store_coll_put(s, h, f, fl, K("v"), 0);
            m.present[i] = 1;
            m.at[i] = STORE_NO_TTL;
            break;
        case 2:                        /* HINCRBY */
            store_coll_put_keepttl(s, h, f, fl, K("12"));
            m.present[i] = 1;
            break;
        case 3:                        /* HSETNX */
            store_coll_put(s, h, f, fl, K("n"), 1);
            m.present[i] = 1;
            break;
        case 4:                        /* HDEL */
            store_coll_del(s, h, f, fl);
            m.present[i] = 0;
            m.at[i] = STORE_NO_TTL;
            break;
        case 5: case 6: {              /* HPEXPIREAT */
            int64_t at = now + (int64_t)((r >> 16) % 50);
            h = ttl_h(s, "h");
            ASSERT(h != NULL);
            int rc = store_coll_ttl_set(s, h, f, fl, at);
            ASSERT_EQ(rc, m.present[i] ? STORE_OK : STORE_NOT_FOUND);
            if (m.present[i])
                m.at[i] = at;
            break;
        }
        case 7:                        /* HPERSIST */
            ASSERT_EQ(store_coll_ttl_clear(s, h, f, fl),
                      m.at[i] != STORE_NO_TTL);
            m.at[i] = STORE_NO_TTL;
            break;
        case 8: {                      /* lazy expiry, bounded */
            size_t max = (r >> 16) % 4;
            ASSERT_EQ(store_coll_expire(s, h, now, max),
                      model_expire(&m, now, max));
            break;
        }
        case 9: {                      /* the sweeper */
            struct seen w = { 0 };
            size_t want = model_expire(&m, now, FIELDS_MAX_SWEEP);
            ASSERT_EQ(store_hfe_step(s, now, 1000, NULL, NULL, on_hexpired,
                                     &w), want);
            break;
        }
        case 10:                       /* RENAME there and back, COPY */
            ASSERT_OK(store_key_rename(s, K("h"), s, K("other"), now));
            ASSERT_OK(store_key_copy(s, K("other"), s, K("copy"), now));
            ASSERT_OK(store_key_rename(s, K("other"), s, K("h"), now));
            store_key_delete(s, K("copy"), now);
            break;
        default:                       /* time passes */
            now += (int64_t)((r >> 16) % 20);
            break;
        }
        int rc = model_check(s, &m);
        if (rc)
            UNIT_FAIL_("step %d (op %d): model_check failed at line %d", step,
                       op, rc);
    }
    store_free(s);
}

/* ---- Registry ------------------------------------------------------------ */

TEST(registry_lifecycle)
{
    struct store *s = store_new(4), *d = store_new(4);
    for (int i = 0; i < 5; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        filled(s, k, 3);
        ASSERT_OK(expire_first(s, k, 1, T0 + 10));
    }
    ASSERT_EQ(s->nhfe, 5);
    ASSERT_OK(store__check(s));
    /* DEL and overwrite by a string unregister. */
    ASSERT_EQ(store_key_delete(s, K("k0"), T0), 1);
    ASSERT_OK(store_key_set(s, K("k1"), K("str"), STORE_NO_TTL, T0));
    ASSERT_EQ(s->nhfe, 3);
    ASSERT_OK(store__check(s));
    /* RENAME (to a longer name, and over an existing hfe hash). */
    ASSERT_OK(store_key_rename(s, K("k2"), s, K("k2-renamed"), T0));
    ASSERT_OK(store_key_rename(s, K("k3"), s, K("k4"), T0));
    ASSERT_EQ(s->nhfe, 2);
    ASSERT_OK(store__check(s));
    struct seen w = { 0 };
    store_hfe_step(s, T0 + 11, 1000, NULL, NULL, on_hexpired, &w);
    ASSERT_EQ(w.calls, 2);
    ASSERT_EQ(store_coll_len(open_h(s, "k2-renamed", 0)), 2);
    /* COPY gives the copy its own deadlines and registration. */
    struct store_coll *k4 = ttl_h(s, "k4");
    ASSERT_EQ(store_coll_ttl_set(s, k4, K("f1"), T0 + 20), STORE_OK);
    ASSERT_EQ(store_coll_ttl_set(s, k4, K("f2"), T0 + 20), STORE_OK);
    ASSERT_OK(store_key_copy(s, K("k4"), s, K("k4-copy"), T0));
    ASSERT_EQ(s->nhfe, 3);
    ASSERT_EQ(store_coll_ttl(open_h(s, "k4-copy", 0), K("f1")), T0 + 20);
    ASSERT_OK(store__check(s));
    /* MOVE and COPY to another store. */
    ASSERT_OK(store_key_rename(s, K("k4"), d, K("moved"), T0));
    ASSERT_OK(store_key_copy(s, K("k4-copy"), d, K("copied"), T0));
    ASSERT_EQ(s->nhfe, 2);
    ASSERT_EQ(d->nhfe, 2);
    ASSERT_OK(store__check(s));
    ASSERT_OK(store__check(d));
    memset(&w, 0, sizeof w);
    store_hfe_step(d, T0 + 21, 1000, NULL, NULL, on_hexpired, &w);
    ASSERT_EQ(w.calls, 2);
    ASSERT_EQ(w.gone, 2);
    ASSERT_EQ(d->nhfe, 0);
    ASSERT_OK(store__check(d));
    /* Key expiry and FLUSHDB. */
    ASSERT_OK(store_key_expire_set(s, K("k2-renamed"), T0 + 5, T0));
    ASSERT(store_key_find(s, K("k2-renamed"), T0 + 6) == NULL);
    ASSERT_EQ(s->nhfe, 1);
    store_clear(s);
    ASSERT_EQ(s->nhfe, 0);
    ASSERT_OK(store__check(s));
    filled(s, "again", 2);
    ASSERT_OK(expire_first(s, "again", 2, T0 + 1));
    store_free(s);              /* ASan: nothing leaked or dangling */
    store_free(d);
}

TEST(fault_injection)
{
    struct store *s = store_new(1);
    filled(s, "h", 4);
    struct store_coll *c = NULL;
    int rc;
    FAULT_LOOP(s, 50, rc, store_hash_ttl_open(s, K("h"), T0, &c), STORE_OK,
               ASSERT(!store_coll_is_hfe(open_h(s, "h", 0))););
    FAULT_LOOP(s, 50, rc, store_coll_ttl_set(s, c, K("f1"), T0 + 5),
               STORE_OK, ASSERT_EQ(store_coll_ttl_count(c), 0););
    FAULT_LOOP(s, 50, rc, store_key_copy(s, K("h"), s, K("h2"), T0),
               STORE_OK, ASSERT(store_key_find(s, K("h2"), T0) == NULL););
    FAULT_LOOP(s, 50, rc, store_key_rename(s, K("h2"), s, K("h3-long"), T0),
               STORE_OK, ASSERT(store_key_find(s, K("h2"), T0) != NULL););
    ASSERT_EQ(s->nhfe, 2);
    ASSERT_EQ(store_coll_ttl(open_h(s, "h3-long", 0), K("f1")), T0 + 5);
    store_free(s);
}

static const struct unit_test tests[] = {
    UNIT(deadline_basics),
    UNIT(writes_and_ttls),
    UNIT(encodings),
    UNIT(expire_and_sweep),
    UNIT(sweep_is_bounded),
    UNIT(heap_order),
    UNIT(random_model),
    UNIT(registry_lifecycle),
    UNIT(fault_injection),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
