/* key_churn.c - what creating and deleting a key costs the store: the
 * churn an expiring rate limiter pays (bench-ratelimit.sh's expiring case
 * creates a tenth of its keys, and the sweep deletes them later), and any
 * SET of a new key. Built and run by bench-key-churn.sh against the
 * release store objects; see there for the settings.
 *
 * One store of 16 shards (one database of the server) holds BASE keys
 * "key:%012u" with 3-byte values, like bench-ratelimit.sh's GET keyspace.
 * Each round inserts BASE/2 keys "rl:%012u" in random order, with a TTL
 * and a 17-byte value (a short GCRA state), then deletes them in another
 * random order. The keys are formatted before the clock starts. Round 1
 * also grows the hash table, so the medians leave it out.
 *
 * Output: ns an insert and a delete for each round, then their medians. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

/* As server/main.c: jemalloc purges in its own thread, not in our calls. */
const char *malloc_conf = "background_thread:true";

#define KEY_LEN 15                  /* "rl:" + 12 digits */
#define VALUE "\xffRL1" "\x00" "abcdefghijkl" /* 17 bytes, a limiter state */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A random permutation of 0..n-1 (xorshift; the same every run). */
static unsigned *permutation(unsigned n, uint64_t seed)
{
    unsigned *p = malloc(n * sizeof *p);
    if (!p)
        return NULL;
    for (unsigned i = 0; i < n; i++)
        p[i] = i;
    for (unsigned i = n - 1; i > 0; i--) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        unsigned j = (unsigned)(seed % (i + 1));
        unsigned t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[from..n). */
static double median_from(double *v, unsigned n, unsigned from)
{
    unsigned m = n - from;
    qsort(v + from, m, sizeof *v, cmp_double);
    return m % 2 ? v[from + m / 2] : (v[from + m / 2 - 1] + v[from + m / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: key_churn BASE ROUNDS\n");
        return 2;
    }
    unsigned base = (unsigned)strtoul(argv[1], NULL, 10);
    unsigned rounds = (unsigned)strtoul(argv[2], NULL, 10);
    unsigned n = base / 2;
    if (n == 0 || rounds < 2 || rounds > 1000) {
        fprintf(stderr, "key_churn: BASE >= 2 and 2 <= ROUNDS <= 1000\n");
        return 2;
    }
    struct store *s = store_new(16);
    char *keys = malloc((size_t)n * KEY_LEN + 1);
    unsigned *ins = permutation(n, 88172645463325252ull);
    unsigned *del = permutation(n, 1234567ull);
    double *ti = malloc(rounds * sizeof *ti), *td = malloc(rounds * sizeof *td);
    if (!s || !keys || !ins || !del || !ti || !td) {
        fprintf(stderr, "key_churn: out of memory\n");
        return 1;
    }
    char k[32];
    for (unsigned i = 0; i < base; i++) {
        int l = snprintf(k, sizeof k, "key:%012u", i);
        if (store_key_set(s, k, (size_t)l, "xxx", 3, STORE_NO_TTL, 0) !=
            STORE_OK) {
            fprintf(stderr, "key_churn: store_key_set failed\n");
            return 1;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(k, sizeof k, "rl:%012u", i);
        memcpy(keys + (size_t)i * KEY_LEN, k, KEY_LEN);
    }
    const int64_t expire_ms = INT64_C(4102444800000); /* 2100, never due */
    for (unsigned r = 0; r < rounds; r++) {
        double t0 = now_s();
        for (unsigned i = 0; i < n; i++) {
            const char *key = keys + (size_t)ins[i] * KEY_LEN;
            if (store_key_set(s, key, KEY_LEN, VALUE, sizeof VALUE - 1,
                              expire_ms, 0) != STORE_OK) {
                fprintf(stderr, "key_churn: insert failed\n");
                return 1;
            }
        }
        double t1 = now_s();
        for (unsigned i = 0; i < n; i++) {
            const char *key = keys + (size_t)del[i] * KEY_LEN;
            if (store_key_delete(s, key, KEY_LEN, 0) != 1) {
                fprintf(stderr, "key_churn: a key was missing\n");
                return 1;
            }
        }
        double t2 = now_s();
        ti[r] = (t1 - t0) * 1e9 / n;
        td[r] = (t2 - t1) * 1e9 / n;
        printf("round %u: insert %.0f ns, delete %.0f ns\n", r + 1, ti[r],
               td[r]);
    }
    printf("median of rounds 2-%u: insert %.0f ns, delete %.0f ns "
           "(%u keys in the store, %u created and deleted a round)\n",
           rounds, median_from(ti, rounds, 1), median_from(td, rounds, 1),
           base, n);
    store_free(s);
    free(keys);
    free(ins);
    free(del);
    free(ti);
    free(td);
    return 0;
}
