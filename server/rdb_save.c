/* rdb_save.c - the whole dataset as an RDB file that Redis 7.0 loads
 * (rdb_save_file), laid out as Redis 7.0's rdbSaveRio lays it out:
 *
 *   "REDIS0010"                       ("REDIS0012" when a hash has had
 *                                      field TTLs: 7.4's types 24, 25)
 *   AUX redis-ver, redis-bits, ctime, used-mem, aof-base
 *   FUNCTION2 <code>                  per function library
 *   per database holding keys:
 *     SELECTDB <n>  RESIZEDB <keys> <keys with a TTL>
 *     per live key: [EXPIRETIME_MS <8 bytes LE>]
 *                   [IDLE <seconds> | FREQ <counter>]  (lru / lfu policy)
 *                   <type> <key> <value>              (dump.c's bytes)
 *   EOF <CRC-64 of all of the above, LE; zeros with rdbchecksum no>
 *
 * The file is streamed: bytes gather in a buffer that is written out (and
 * added to the CRC) once it holds FLUSH_AT bytes, so the largest buffer is
 * about one value, never the dataset. It goes to "temp-<pid>.rdb" beside
 * the target, is fsynced, then renamed over the target, so the target is
 * always a whole file.
 *
 * rdb_save_stream writes the same bytes to a socket or any descriptor
 * instead (SYNC's snapshot, cmd_sync.c), waiting for room when the
 * socket is full, up to SERVER_STALL_MS at a time.
 *
 * Saving reads and never changes: keys past their TTL are skipped, not
 * expired; nothing is marked as used; no event fires. That is what lets
 * a forked child (persist.c) run it on its copy of the parent's memory,
 * and the loop run it for SAVE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/dump.h"
#include "server/function.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/server.h"

#define FLUSH_AT (64 * 1024)        /* bytes gathered before a write */
#define KEEP_AT (1024 * 1024)       /* a bigger buffer is freed after */
#define AOF_BASE 0                  /* not an AOF's base file */

/* The file being written: its descriptor, the bytes not written yet, and
 * the CRC of those written. */
struct rdb_out {
    int fd;
    struct rdb_buf b;
    uint64_t crc;
    int checksum;                   /* rdbchecksum */
    int err;                        /* errno of the first failure, or 0 */
};

/* Writes out what b gathered and adds it to the CRC; after a failure the
 * bytes are dropped and err stays. */
static void out_flush(struct rdb_out *o)
{
    if (o->b.nomem && !o->err)
        o->err = ENOMEM;
    if (!o->err)
        o->err = server_write_all(o->fd, o->b.p, o->b.len, SERVER_STALL_MS);
    if (!o->err && o->checksum)
        o->crc = rdb_crc64(o->crc, o->b.p, o->b.len);
    o->b.len = 0;
    if (o->b.cap > KEEP_AT) {
        free(o->b.p);
        o->b.p = NULL;
        o->b.cap = 0;
    }
}

static void out_maybe_flush(struct rdb_out *o)
{
    if (o->b.len >= FLUSH_AT || o->b.nomem)
        out_flush(o);
}

static void put_u64le(struct rdb_buf *b, uint64_t v)
{
    unsigned char q[8];
    for (int i = 0; i < 8; i++)
        q[i] = (unsigned char)(v >> (8 * i));
    rdb_put(b, q, 8);
}

/* An AUX field: name and value as RDB strings (a number's text becomes
 * an integer encoding, as Redis's rdbSaveAuxFieldStrInt gives). */
static void put_aux(struct rdb_buf *b, const char *name, const char *val)
{
    rdb_put_byte(b, RDB_OPCODE_AUX);
    rdb_put_string(b, name, strlen(name));
    rdb_put_string(b, val, strlen(val));
}

static void put_aux_int(struct rdb_buf *b, const char *name, long long v)
{
    char num[24];
    snprintf(num, sizeof(num), "%lld", v);
    put_aux(b, name, num);
}

/* What one database's walk needs. */
struct db_walk {
    struct rdb_out *o;
    const struct store *s;
    int64_t now;
    int lru, lfu;                   /* maxmemory-policy's kind */
    int64_t delay;                  /* rdb-key-save-delay */
};

/* rdb-key-save-delay after a key, as Redis's debugDelay reads it: n > 0
 * sleeps n microseconds; -n sleeps one, once in n keys on average. Tests
 * use it to make a save (a BGSAVE's, SYNC's) last. */
static void key_delay(int64_t us)
{
    if (us < 0)
        us = rand() % -us == 0;
    if (us > 0)
        nanosleep(&(struct timespec){ us / 1000000, us % 1000000 * 1000 },
                  NULL);
}

/* store_scan's callback: one live key, its TTL, access data, type, name
 * and value. */
static void save_key(void *ctx, const struct store_entry *e)
{
    struct db_walk *w = ctx;
    struct rdb_buf *b = &w->o->b;
    if (w->o->err || store_entry_expired(e, w->now))
        return;
    int64_t at = store_entry_expire(e);
    if (at != STORE_NO_TTL) {
        rdb_put_byte(b, RDB_OPCODE_EXPIRETIME_MS);
        put_u64le(b, (uint64_t)at);
    }
    if (w->lru) {
        rdb_put_byte(b, RDB_OPCODE_IDLE);
        rdb_put_len(b, (uint64_t)store_entry_idle_ms(e, w->now) / 1000);
    } else if (w->lfu) {
        rdb_put_byte(b, RDB_OPCODE_FREQ);
        rdb_put_byte(b, (unsigned char)store_entry_freq(w->s, e, w->now));
    }
    struct dump_key key;
    key.p = store_entry_key(e, &key.n);
    dump_value_put(b, w->s, e, &key);
    out_maybe_flush(w->o);
    if (w->delay)
        key_delay(w->delay);
}

/* The RDB version the file needs: 12 once any hash has had field TTLs
 * (Redis 7.0 can not load those), else 10. */
static unsigned file_version(const struct server *srv)
{
    for (int i = 0; i < srv->conf.databases; i++)
        if (store_hfe_hashes(srv->db[i]) > 0)
            return RDB_VERSION_HFE;
    return RDB_VERSION;
}

/* The header, AUX fields and function libraries. */
static void put_head(struct rdb_out *o, const struct server *srv)
{
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04u", file_version(srv));
    rdb_put(&o->b, magic, 9);
    put_aux(&o->b, "redis-ver", REDIS_COMPAT_VERSION);
    put_aux_int(&o->b, "redis-bits", (long long)(sizeof(void *) * 8));
    put_aux_int(&o->b, "ctime", (long long)time(NULL));
    put_aux_int(&o->b, "used-mem", (long long)server_used_memory(srv));
    put_aux_int(&o->b, "aof-base", AOF_BASE);
    function_dump_put(&o->b, srv);
    out_maybe_flush(o);
}

/* Every database holding keys (none unless keys), then EOF and the
 * checksum. */
static void put_body(struct rdb_out *o, struct server *srv, int keys)
{
    const char *policy = srv->conf.maxmemory_policy;
    struct db_walk w = {
        .o = o,
        .now = server_now_ms(srv),
        .lru = strstr(policy, "-lru") != NULL,
        .lfu = strstr(policy, "-lfu") != NULL,
        .delay = srv->conf.rdb_key_save_delay,
    };
    for (int i = 0; keys && i < srv->conf.databases && !o->err; i++) {
        struct store *s = srv->db[i];
        if (store_size(s) == 0)
            continue;
        rdb_put_byte(&o->b, RDB_OPCODE_SELECTDB);
        rdb_put_len(&o->b, (uint64_t)i);
        rdb_put_byte(&o->b, RDB_OPCODE_RESIZEDB);
        rdb_put_len(&o->b, store_size(s));
        rdb_put_len(&o->b, store_volatile_size(s));
        w.s = s;
        /* One call with no budget: the walk never stops in the middle of
         * a rehash's buckets, so no key is visited twice. */
        store_scan(s, 0, SIZE_MAX, save_key, &w);
    }
    rdb_put_byte(&o->b, RDB_OPCODE_EOF);
    out_flush(o);
    put_u64le(&o->b, o->checksum ? o->crc : 0);
    o->checksum = 0;
    out_flush(o);
}

/* The directory part of path ("." when it has none) into dir. */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else if (slash == path)
        snprintf(dir, cap, "/");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

/* Makes the rename durable: the directory's entry is on disk too. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* See persist.h. The reasons are Redis's log lines. */
int rdb_save_file(struct server *srv, const char *path, char *err,
                  size_t errlen)
{
    char dir[4096], tmp[4200];
    dir_of(path, dir, sizeof(dir));
    snprintf(tmp, sizeof(tmp), "%s/temp-%d.rdb", dir, (int)getpid());
    struct rdb_out o = { .fd = -1, .checksum = srv->conf.rdbchecksum };
    o.b.nolzf = !srv->conf.rdbcompression;
    o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o.fd < 0) {
        snprintf(err, errlen, "Failed opening the temp RDB file temp-%d.rdb "
                 "(in server root dir %s) for saving: %s", (int)getpid(),
                 dir, strerror(errno));
        return -1;
    }
    put_head(&o, srv);
    if (!o.err)
        put_body(&o, srv, 1);
    free(o.b.p);
    if (!o.err && fsync(o.fd) != 0)
        o.err = errno;
    if (close(o.fd) != 0 && !o.err)
        o.err = errno;
    if (o.err) {
        snprintf(err, errlen, "Write error saving DB on disk: %s",
                 strerror(o.err));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "Error moving temp DB file temp-%d.rdb on the "
                 "final destination %s (in server root dir %s): %s",
                 (int)getpid(), path, dir, strerror(errno));
        unlink(tmp);
        return -1;
    }
    sync_dir(dir);
    return 0;
}

/* See persist.h. */
int rdb_save_stream(struct server *srv, int fd, int keys)
{
    struct rdb_out o = { .fd = fd, .checksum = srv->conf.rdbchecksum };
    o.b.nolzf = !srv->conf.rdbcompression;
    put_head(&o, srv);
    if (!o.err)
        put_body(&o, srv, keys);
    free(o.b.p);
    return o.err;
}
