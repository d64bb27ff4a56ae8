/* keyspec.c - reading the key spec table (keyspec_table.c): lookup, the
 * legacy first/last/step and movablekeys that COMMAND INFO derives from
 * the specs, and keyspec_keys(), which finds a call's keys.
 *
 * keyspec_keys() walks the specs in order. A spec begins at a fixed index
 * or after a keyword (searched forwards from startfrom, or backwards from
 * the end when startfrom is negative), then takes a range of keys (up to
 * a last index, possibly counted from the end, or a fraction of what is
 * left) or a count read from the arguments. A keyword that is absent
 * yields no keys; a count that is not a positive integer, or that runs
 * past the arguments, or a range that comes out empty, makes the specs
 * unreadable. Specs that name shard channels (NOT_KEY) yield nothing.
 *
 * Where Redis finds keys with code of its own, so does this file (each
 * rule was checked against redis-server with random calls):
 *   SET, BITFIELD   flags that depend on the options (GET; SET/INCRBY)
 *   SORT, SORT_RO   the key and the last STORE's destination
 *   XREAD(GROUP)    when the specs are unreadable, the first STREAMS
 *   key counts      when the specs are unreadable ("02"), atoi()'s count
 * The last two list keys without flags, as Redis does.
 *
 * Nothing here allocates or changes state, so ACL checks can call it on
 * every command; it is not on the call path today. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "server/keyspec.h"

/* Adds key pos with flags to out (when there is room); n counts them. */
static void emit(struct keyspec_key *out, int cap, int *n, int pos,
                 unsigned flags)
{
    if (*n < cap)
        out[*n] = (struct keyspec_key){ pos, flags };
    (*n)++;
}

static int arg_eq(const char *const *argv, const size_t *len, int i,
                  const char *word)
{
    size_t n = strlen(word);
    return len[i] == n && strncasecmp(argv[i], word, n) == 0;
}

/* argv[i] read as C's atoi() reads it, since that is how Redis reads a
 * key count: leading white space, a sign, the digits up to the first
 * other byte ("2abc" is 2, "x" is 0), saturated to a long, then cut to
 * an int (4294967297 is 1). */
static int arg_atoi(const char *const *argv, const size_t *len, int i)
{
    const unsigned char *p = (const unsigned char *)argv[i];
    size_t n = len[i], j = 0;
    while (j < n && (p[j] == ' ' || (p[j] >= '\t' && p[j] <= '\r')))
        j++;
    int neg = j < n && p[j] == '-';
    j += j < n && (p[j] == '-' || p[j] == '+');
    unsigned long limit = neg ? (unsigned long)LONG_MAX + 1 : LONG_MAX;
    unsigned long v = 0;
    for (; j < n && p[j] >= '0' && p[j] <= '9'; j++) {
        unsigned d = p[j] - '0';
        v = v > (limit - d) / 10 ? limit : v * 10 + d;
    }
    return (int)(unsigned)(neg ? 0 - v : v);
}

/* argv[i] as a key count the way a spec reads it: a canonical decimal
 * long long ("0", or "-"? then no leading zero), cut to an int; 0 into
 * *ok when it is not one. */
static int arg_count(const char *const *argv, const size_t *len, int i,
                     int *ok)
{
    const char *p = argv[i];
    size_t n = len[i];
    if (n == 0) {
        *ok = 0;
        return 0;
    }
    size_t j = p[0] == '-' && n > 1;
    *ok = n - j <= 19 && (p[j] != '0' || n == 1);
    unsigned long long v = 0;
    for (; *ok && j < n; j++) {
        *ok = p[j] >= '0' && p[j] <= '9';
        v = v * 10 + (unsigned)(p[j] - '0');
    }
    unsigned long long limit = (unsigned long long)LLONG_MAX + (p[0] == '-');
    *ok = *ok && v <= limit;
    return (int)(unsigned)(p[0] == '-' ? 0 - v : v);
}

/* Where spec's keys begin in the call: an index, -1 when its keyword is
 * absent (no keys), -2 when it cannot be told (an unknown spec). */
static int begin_of(const struct keyspec *s, int argc, const char *const *argv,
                    const size_t *len)
{
    if (s->begin == KS_BEGIN_INDEX)
        return s->pos;
    if (s->begin != KS_BEGIN_KEYWORD)
        return -2;
    if (s->pos >= 0) {
        for (int i = s->pos; i < argc - 1; i++)
            if (arg_eq(argv, len, i, s->keyword))
                return i + 1;
    } else {
        for (int i = argc + s->pos; i > 0; i--)
            if (i < argc - 1 && arg_eq(argv, len, i, s->keyword))
                return i + 1;
    }
    return -1;
}

/* Adds spec s's keys from index start on; returns 0, or -1 when the
 * arguments do not say which they are. */
static int find_keys(const struct keyspec *s, int start, int argc,
                     const char *const *argv, const size_t *len,
                     struct keyspec_key *out, int cap, int *n)
{
    int last, step;
    if (s->find == KS_FIND_RANGE) {
        step = s->b;
        if (s->a >= 0)
            last = start + s->a;
        else if (s->a == -1 && s->c > 1)
            last = start + (argc - start) / s->c - 1;
        else
            last = argc + s->a;
    } else if (s->find == KS_FIND_KEYNUM) {
        int at = start + s->a, ok = 0;
        int num = at < argc ? arg_count(argv, len, at, &ok) : 0;
        if (!ok || num < 1 || num > argc)
            return -1;
        step = s->c;
        start += s->b;
        last = start + (num - 1) * step;
        if (last >= argc)
            return -1;
    } else {
        return -1;
    }
    if (last >= argc)
        last = argc - 1;
    if (last < start)                  /* XREAD ... STREAMS a */
        return -1;
    for (int i = start; i <= last; i += step)
        emit(out, cap, n, i, s->flags);
    return 0;
}

/* The keys of row's specs (all of them known ones); see keyspec_keys. */
static int spec_keys(const struct keyspec_cmd *row, int argc,
                     const char *const *argv, const size_t *len,
                     struct keyspec_key *out, int cap)
{
    int n = 0;
    for (int i = 0; i < KEYSPEC_MAX && row->specs[i].begin; i++) {
        const struct keyspec *s = &row->specs[i];
        if (s->flags & KS_NOT_KEY)
            continue;
        int start = begin_of(s, argc, argv, len);
        if (start == -2)
            return -1;
        if (start == -1)
            continue;
        if (start >= argc)             /* PFMERGE d: no source */
            return -1;
        if (find_keys(s, start, argc, argv, len, out, cap, &n) < 0)
            return -1;
    }
    return n;
}

static int has_keynum(const struct keyspec_cmd *row)
{
    for (int i = 0; i < keyspec_count(row); i++)
        if (row->specs[i].find == KS_FIND_KEYNUM)
            return 1;
    return 0;
}

/* A command with a key count whose spec cannot read it ("02", "2x", a
 * count past the arguments): Redis then reads the count as atoi() does
 * and lists those keys, then any fixed key (ZUNIONSTORE's destination),
 * all without flags; -1 when the count is below 1 or runs past the
 * arguments. */
static int loose_keys(const struct keyspec_cmd *row, int argc,
                      const char *const *argv, const size_t *len,
                      struct keyspec_key *out, int cap)
{
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < keyspec_count(row); i++) {
            const struct keyspec *s = &row->specs[i];
            if ((s->find == KS_FIND_KEYNUM) != (pass == 0))
                continue;
            if (pass == 1) {
                if (s->begin == KS_BEGIN_INDEX)
                    emit(out, cap, &n, s->pos, 0);
                continue;
            }
            int at = s->pos + s->a, first = s->pos + s->b;
            int num = at < argc ? arg_atoi(argv, len, at) : 0;
            if (num < 1 || num > (argc - first + s->c - 1) / s->c)
                return -1;
            for (int k = 0; k < num; k++)
                emit(out, cap, &n, first + k * s->c, 0);
        }
    }
    return n;
}

/* SET key value [options]: the old value is read only with GET. */
static int set_keys(int argc, const char *const *argv, const size_t *len,
                    struct keyspec_key *out, int cap)
{
    unsigned flags = KS_OW | KS_UPDATE;
    for (int i = 3; i < argc; i++)
        if (arg_eq(argv, len, i, "GET"))
            flags = KS_RW | KS_ACCESS | KS_UPDATE;
    int n = 0;
    emit(out, cap, &n, 1, flags);
    return n;
}

/* BITFIELD key [op ...]: read only while every operation is a whole
 * GET type offset (OVERFLOW mode aside); anything else may write. */
static int bitfield_keys(int argc, const char *const *argv,
                         const size_t *len, struct keyspec_key *out, int cap)
{
    unsigned flags = KS_RO | KS_ACCESS;
    for (int i = 2; i < argc; i++) {
        int left = argc - i - 1;
        if (arg_eq(argv, len, i, "GET") && left >= 2) {
            i += 2;
        } else if (arg_eq(argv, len, i, "OVERFLOW") && left >= 1) {
            i += 1;
        } else {
            flags = KS_RW | KS_ACCESS | KS_UPDATE;
            break;
        }
    }
    int n = 0;
    emit(out, cap, &n, 1, flags);
    return n;
}

/* SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE d]:
 * the key, and the destination of the last STORE (BY and GET patterns
 * name keys only through the values sorted, which no spec can tell). */
static int sort_keys(int argc, const char *const *argv, const size_t *len,
                     int with_store, struct keyspec_key *out, int cap)
{
    int n = 0, store = 0;
    emit(out, cap, &n, 1, KS_RO | KS_ACCESS);
    for (int i = 2; with_store && i < argc; i++) {
        if (arg_eq(argv, len, i, "LIMIT")) {
            i += 2;
        } else if (arg_eq(argv, len, i, "GET") || arg_eq(argv, len, i, "BY")) {
            i += 1;
        } else if (arg_eq(argv, len, i, "STORE") && i + 1 < argc) {
            store = i + 1;         /* and read on from it, as Redis does */
        }
    }
    if (store)
        emit(out, cap, &n, store, KS_OW | KS_UPDATE);
    return n;
}

/* XREAD / XREADGROUP when their spec cannot tell (the STREAMS it found
 * leaves fewer than two arguments after it): Redis then takes the first
 * STREAMS past the options (COUNT n, BLOCK ms, GROUP g c, NOACK; any
 * other word spoils it) and half of what follows as keys, without
 * flags. */
static int xread_keys(const struct keyspec_cmd *row, int argc,
                      const char *const *argv, const size_t *len,
                      struct keyspec_key *out, int cap)
{
    int n = spec_keys(row, argc, argv, len, out, cap);
    if (n >= 0)
        return n;
    int streams = 0;
    for (int i = 1; i < argc && !streams; i++) {
        if (arg_eq(argv, len, i, "COUNT") || arg_eq(argv, len, i, "BLOCK"))
            i += 1;
        else if (arg_eq(argv, len, i, "GROUP"))
            i += 2;
        else if (arg_eq(argv, len, i, "STREAMS"))
            streams = i;
        else if (!arg_eq(argv, len, i, "NOACK"))
            return -1;
    }
    int rest = argc - streams - 1;
    if (!streams || rest == 0 || rest % 2)
        return -1;
    n = 0;
    for (int i = streams + 1; i <= streams + rest / 2; i++)
        emit(out, cap, &n, i, 0);
    return n;
}

/* See keyspec.h. */
int keyspec_keys(const struct keyspec_cmd *row, int argc,
                 const char *const *argv, const size_t *argvlen,
                 struct keyspec_key *out, int cap)
{
    if (!row)
        return 0;
    switch (row->proc) {
    case KS_PROC_SET:
        return set_keys(argc, argv, argvlen, out, cap);
    case KS_PROC_BITFIELD:
        return bitfield_keys(argc, argv, argvlen, out, cap);
    case KS_PROC_SORT:
        return sort_keys(argc, argv, argvlen, 1, out, cap);
    case KS_PROC_SORT_RO:
        return sort_keys(argc, argv, argvlen, 0, out, cap);
    case KS_PROC_XREAD:
        return xread_keys(row, argc, argv, argvlen, out, cap);
    default: {
        int n = spec_keys(row, argc, argv, argvlen, out, cap);
        return n < 0 && has_keynum(row)
                   ? loose_keys(row, argc, argv, argvlen, out, cap) : n;
    }
    }
}

/* See keyspec.h. */
int keyspec_count(const struct keyspec_cmd *row)
{
    int n = 0;
    while (row && n < KEYSPEC_MAX && row->specs[n].begin)
        n++;
    return n;
}

/* See keyspec.h: a spec that does not sit at a fixed index with a range
 * after it moves its keys with the arguments. */
int keyspec_movable(const struct keyspec_cmd *row)
{
    for (int i = 0; i < keyspec_count(row); i++)
        if (row->specs[i].begin != KS_BEGIN_INDEX ||
            row->specs[i].find != KS_FIND_RANGE)
            return 1;
    return 0;
}

/* See keyspec.h. The legacy triple describes one run of keys: the first
 * fixed spec's, extended by each following fixed spec that continues it
 * with the same step. */
void keyspec_legacy_range(const struct keyspec_cmd *row, int *first,
                          int *last, int *step)
{
    *first = *last = *step = 0;
    for (int i = 0; i < keyspec_count(row); i++) {
        const struct keyspec *s = &row->specs[i];
        if (s->begin != KS_BEGIN_INDEX || s->find != KS_FIND_RANGE ||
            (s->flags & KS_INCOMPLETE))
            continue;
        int l = s->a < 0 ? s->a : s->pos + s->a;
        if (*first == 0) {
            *first = s->pos;
            *last = l;
            *step = s->b;
        } else if (*last >= 0 && s->pos == *last + *step && s->b == *step) {
            *last = l;
        } else {
            break;
        }
    }
}
