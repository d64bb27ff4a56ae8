/* rdb_load.c - an RDB file into the empty databases at start-up, as Redis
 * 2.6 to 7.4 write them (RDB versions 1 to 12):
 *
 *   "REDIS" <4-digit version>
 *   ( AUX name value | SELECTDB db | RESIZEDB keys keys-with-TTL
 *   | FUNCTION2 code | FUNCTION_PRE_GA ... | MODULE_AUX ... | SLOT_INFO ...
 *   | [EXPIRETIME_MS ms | EXPIRETIME s] [IDLE s | FREQ f] type key value )*
 *   EOF <CRC-64 of everything before it, 8 bytes LE: version 5 on>
 *
 * The value after a type byte is the same as in a DUMP payload, so
 * restore.c reads it (dump_read_value) from the reader this file walks,
 * and dump_value_store stores it as RESTORE does. A function library is
 * made as FUNCTION RESTORE makes it (function_read_lib_or_reply). What
 * Redis does as a master loading at start-up is done here too: a key
 * whose TTL has passed is dropped, an empty collection is skipped (with
 * Redis 7.0's log line), a duplicate key, a database index past
 * `databases`, module data, a bad CRC and anything malformed fail the
 * load with the reason, and the caller refuses to start.
 *
 * The file is mapped, not read into memory: the reader (struct
 * rdb_reader, bounded by the file's size) walks the mapping, and every
 * DROP_EVERY bytes the pages already read are given back
 * (MADV_DONTNEED) once the CRC has covered them, so the file costs a few
 * megabytes of resident memory whatever its size. The CRC is computed as
 * the reading goes, in the same pieces. Where mapping fails, the file is
 * read whole into memory instead.
 *
 * Not done: module data of any kind (there are no modules), the
 * replication AUX fields (there is no replication), Redis 7.4's release
 * candidates' hash types 22 and 23; a field TTL already past is kept and
 * expires as any other would. Clients are not served while this runs:
 * the server loads before it listens, so nobody sees -LOADING. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/dump.h"
#include "server/function.h"
#include "server/persist.h"
#include "server/rdb.h"
#include "server/server.h"

#define RDB_VERSION_MAX RDB_VERSION_HFE     /* Redis 7.4's */
#define RDB_VERSION_CRC 5                   /* files carry a CRC from here */
#define RDB_TYPE_MODULE_PRE_GA 6
#define RDB_TYPE_MODULE_2 7
#define DROP_EVERY ((size_t)8 << 20)
#define EMPTY_LOGGED 10                     /* empty keys logged by name */
#define KEY_SHOWN 128                       /* key bytes shown in a log */

struct loader {
    struct server *srv;
    const unsigned char *file;      /* mapped, or malloc'ed when !mapped */
    size_t size;
    int mapped;
    struct rdb_reader r;
    int version;
    int check_crc;                  /* rdbchecksum yes */
    int merge;                      /* keys and libraries may replace */
    uint64_t crc;                   /* of file[0..crc_pos) */
    size_t crc_pos, dropped;        /* dropped: pages given back below */
    int db;
    int64_t expire, idle_s, freq;   /* for the next key; -1: none */
    int64_t now;
    long long loaded, expired, empty;
    char *err;
    size_t errlen;
};

/* Writes the reason into ld->err; returns -1. */
__attribute__((format(printf, 2, 3)))
static int fail(struct loader *ld, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err, ld->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* What Redis says when the bytes end early or a length is malformed. */
static int short_read(struct loader *ld)
{
    return fail(ld, "Short read or OOM loading DB. Unrecoverable error, "
                "aborting now. (Unexpected EOF reading RDB file at offset "
                "%zu)", ld->r.pos);
}

/* key clipped to KEY_SHOWN bytes into buf, control bytes as '?', for a
 * log line. */
static const char *shown(char *buf, const char *key, size_t klen)
{
    size_t n = klen < KEY_SHOWN ? klen : KEY_SHOWN;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)key[i];
        buf[i] = ch < 32 || ch == 127 ? '?' : (char)ch;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- Reading the mapping ------------------------------------------------- */

/* Opens and maps path into ld (or reads it whole when it cannot be
 * mapped). 1 when there is no such file, 0, or -1 with the reason. */
static int file_open(struct loader *ld, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return fail(ld, "Fatal error loading the DB (%s): %s. Exiting.",
                    path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(ld, "Fatal error loading the DB (%s): %s. Exiting.",
                    path, strerror(e));
    }
    ld->size = (size_t)st.st_size;
    void *p = ld->size ? mmap(NULL, ld->size, PROT_READ, MAP_PRIVATE, fd, 0)
                       : MAP_FAILED;
    if (p != MAP_FAILED) {
        madvise(p, ld->size, MADV_SEQUENTIAL);
        ld->file = p;
        ld->mapped = 1;
    } else if (ld->size) {
        unsigned char *buf = malloc(ld->size);
        size_t got = 0;
        while (buf && got < ld->size) {
            ssize_t n = read(fd, buf + got, ld->size - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        ld->file = buf;
        ld->size = got;
    }
    close(fd);
    ld->r = (struct rdb_reader){ ld->file, 0, ld->size };
    return 0;
}

static void file_close(struct loader *ld)
{
    if (ld->mapped)
        munmap((void *)ld->file, ld->size);
    else
        free((void *)ld->file);
}

/* Takes the CRC up to the reader's position and, DROP_EVERY bytes at a
 * time, gives back the pages behind it: they are never read again. */
static void progress(struct loader *ld, int force)
{
    size_t pos = ld->r.pos;
    if (!force && pos - ld->crc_pos < DROP_EVERY)
        return;
    if (ld->check_crc)
        ld->crc = rdb_crc64(ld->crc, ld->file + ld->crc_pos,
                            pos - ld->crc_pos);
    ld->crc_pos = pos;
    if (!ld->mapped)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t upto = pos / page * page;
    if (upto > ld->dropped) {
        madvise((void *)(ld->file + ld->dropped), upto - ld->dropped,
                MADV_DONTNEED);
        ld->dropped = upto;
    }
}

/* ---- Opcodes ---------------------------------------------------------- */

/* An AUX field: skipped, logged as Redis logs the ones it knows. */
static int load_aux(struct loader *ld)
{
    char *name = NULL, *val = NULL;
    size_t nlen, vlen;
    if (rdb_get_string(&ld->r, &name, &nlen) != 0 ||
        rdb_get_string(&ld->r, &val, &vlen) != 0) {
        free(name);
        return short_read(ld);
    }
    struct server *srv = ld->srv;
    if (name[0] == '%') {
        server_log(srv, 'n', "RDB '%s': %s", name, val);
    } else if (strcasecmp(name, "redis-ver") == 0) {
        server_log(srv, 'n', "Loading RDB produced by version %s", val);
    } else if (strcasecmp(name, "ctime") == 0) {
        long age = (long)time(NULL) - strtol(val, NULL, 10);
        server_log(srv, 'n', "RDB age %ld seconds", age < 0 ? 0 : age);
    } else if (strcasecmp(name, "used-mem") == 0) {
        server_log(srv, 'n', "RDB memory usage when created %.2f Mb",
                   (double)strtoll(val, NULL, 10) / (1024 * 1024));
    } else if (strcasecmp(name, "aof-base") == 0 &&
               strtoll(val, NULL, 10)) {
        server_log(srv, 'n', "RDB is base AOF");
    }
    free(name);
    free(val);
    return 0;
}

/* A module type's 9-character name, from the 54 high bits of its ID, as
 * Redis names it in its messages. */
static void module_name(uint64_t id, char name[10])
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "abcdefghijklmnopqrstuvwxyz0123456789-_";
    id >>= 10;
    for (int i = 8; i >= 0; i--, id >>= 6)
        name[i] = set[id & 63];
    name[9] = '\0';
}

/* Module data (MODULE_AUX, or a key of a module type): Respite has no
 * module to read it, so the load fails as Redis's does without one. */
static int load_module(struct loader *ld, int aux)
{
    uint64_t id;
    char name[10];
    if (rdb_get_plain_len(&ld->r, &id) != 0)
        return short_read(ld);
    module_name(id, name);
    if (aux)
        return fail(ld, "The RDB file contains AUX module data I can't "
                    "load: no matching module '%s'", name);
    return fail(ld, "The RDB file contains module data I can't load: no "
                "matching module type '%s'", name);
}

/* A function library, created as FUNCTION RESTORE creates one; its error
 * reply (to a scratch client) becomes the reason. */
static int load_function(struct loader *ld, unsigned char op)
{
    struct client c;
    memset(&c, 0, sizeof(c));
    c.srv = ld->srv;
    c.proto = 2;
    resp_out_init(&c.out, 2);
    int rc = function_read_lib_or_reply(&c, &ld->r, op, NULL,
                                        ld->merge);
    if (rc != 0) {
        /* "-ERR <reason>\r\n", or nothing when even that failed. */
        const char *msg = c.out.data ? c.out.data : "";
        size_t n = c.out.len;
        if (n >= 3 && msg[0] == '-') {
            msg++;
            n -= 3;
        }
        if (n >= 4 && strncmp(msg, "ERR ", 4) == 0) {
            msg += 4;
            n -= 4;
        }
        fail(ld, "Failed loading library, %.*s", (int)n, msg);
    }
    resp_out_close(&c.out);
    return rc;
}

/* SELECTDB and RESIZEDB. */
static int load_selectdb(struct loader *ld)
{
    uint64_t db;
    if (rdb_get_plain_len(&ld->r, &db) != 0)
        return short_read(ld);
    if (db >= (uint64_t)ld->srv->conf.databases)
        return fail(ld, "FATAL: Data file was created with a Redis server "
                    "configured to handle more than %d databases. Exiting",
                    ld->srv->conf.databases);
    ld->db = (int)db;
    return 0;
}

static int load_resizedb(struct loader *ld)
{
    uint64_t keys, volatile_keys;
    if (rdb_get_plain_len(&ld->r, &keys) != 0 ||
        rdb_get_plain_len(&ld->r, &volatile_keys) != 0)
        return short_read(ld);
    /* A key takes 3 bytes at least (type, key length, value), so a hint
     * past that is a lie, not worth memory. */
    uint64_t most = (ld->size - ld->r.pos) / 3;
    store_reserve(ld->srv->db[ld->db], (size_t)(keys < most ? keys : most));
    return 0;
}

/* The 4-byte seconds of EXPIRETIME, or the 8-byte ms of EXPIRETIME_MS,
 * both little-endian. */
static int load_expire(struct loader *ld, int ms)
{
    const unsigned char *q;
    uint64_t u = 0;
    if (ms) {
        if (rdb_get_u64le(&ld->r, &u) != 0)
            return short_read(ld);
        ld->expire = (int64_t)u;
        return 0;
    }
    if (rdb_get_raw(&ld->r, 4, &q) != 0)
        return short_read(ld);
    for (int i = 0; i < 4; i++)
        u |= (uint64_t)q[i] << (8 * i);
    ld->expire = (int64_t)(int32_t)u * 1000;
    return 0;
}

/* ---- Keys ------------------------------------------------------------- */

/* Stores the value just read for key, unless its TTL already passed. */
static int store_key(struct loader *ld, const char *key, size_t klen,
                     struct dump_value *v)
{
    struct store *s = ld->srv->db[ld->db];
    char buf[KEY_SHOWN + 1];
    if (ld->expire != -1 && ld->expire < ld->now) {
        dump_value_free(s, v);
        ld->expired++;
        return 0;
    }
    /* A duplicate replaces the first value and leaves the count as it
     * was: found after the fact, which spares every key a lookup, and
     * the load fails anyway unless merging asked for that. */
    size_t before = store_size(s);
    int64_t at = ld->expire != -1 ? ld->expire : STORE_NO_TTL;
    if (dump_value_store(s, key, klen, v, at, ld->now) != STORE_OK)
        return fail(ld, "Out of memory loading key '%s' in DB %d",
                    shown(buf, key, klen), ld->db);
    if (store_size(s) == before && !ld->merge)
        return fail(ld, "RDB has duplicated key '%s' in DB %d",
                    shown(buf, key, klen), ld->db);
    struct store_entry *e = ld->idle_s >= 0 || ld->freq >= 0
                                ? store_key_peek_any(s, key, klen)
                                : NULL;
    if (e)
        store_entry_set_access(s, e, ld->idle_s >= 0 ? ld->idle_s * 1000
                                                     : -1,
                               ld->freq, ld->now);
    ld->loaded++;
    return 0;
}

/* The key and value after type byte type. */
static int load_key(struct loader *ld, int type)
{
    char *key;
    size_t klen;
    char buf[KEY_SHOWN + 1];
    if (type == RDB_TYPE_MODULE_PRE_GA || type == RDB_TYPE_MODULE_2) {
        if (rdb_get_string(&ld->r, &key, &klen) != 0)
            return short_read(ld);
        free(key);
        return load_module(ld, 0);
    }
    if (rdb_get_string(&ld->r, &key, &klen) != 0)
        return short_read(ld);
    struct store *s = ld->srv->db[ld->db];
    struct dump_value v;
    size_t at = ld->r.pos;
    int rc = dump_read_value(s, &ld->r, type, &v);
    if (rc == DUMP_OK) {
        rc = store_key(ld, key, klen, &v);
    } else if (rc == DUMP_EMPTY) {
        if (ld->empty++ < EMPTY_LOGGED)
            server_log(ld->srv, 'w', "rdbLoadObject skipping empty key: %s",
                       shown(buf, key, klen));
        rc = 0;
    } else if (rc == DUMP_NOMEM) {
        rc = fail(ld, "Out of memory loading key '%s' in DB %d",
                  shown(buf, key, klen), ld->db);
    } else {
        rc = fail(ld, "Bad data format in RDB file: the value of key '%s' "
                  "in DB %d (type %d, at offset %zu) does not decode",
                  shown(buf, key, klen), ld->db, type, at);
    }
    free(key);
    ld->expire = ld->idle_s = ld->freq = -1;
    return rc;
}

/* The opcodes and keys up to EOF. */
static int load_body(struct loader *ld)
{
    for (;;) {
        unsigned char op;
        uint64_t u;
        int rc = 0;
        if (rdb_get_byte(&ld->r, &op) != 0)
            return short_read(ld);
        switch (op) {
        case RDB_OPCODE_EOF:
            return 0;
        case RDB_OPCODE_EXPIRETIME_MS:
        case RDB_OPCODE_EXPIRETIME:
            rc = load_expire(ld, op == RDB_OPCODE_EXPIRETIME_MS);
            break;
        case RDB_OPCODE_FREQ: {
            unsigned char f;
            if (rdb_get_byte(&ld->r, &f) != 0)
                return short_read(ld);
            ld->freq = f;
            break;
        }
        case RDB_OPCODE_IDLE:
            if (rdb_get_plain_len(&ld->r, &u) != 0)
                return short_read(ld);
            ld->idle_s = u > INT64_MAX / 1000 ? INT64_MAX / 1000 : (int64_t)u;
            break;
        case RDB_OPCODE_SELECTDB:
            rc = load_selectdb(ld);
            break;
        case RDB_OPCODE_RESIZEDB:
            rc = load_resizedb(ld);
            break;
        case RDB_OPCODE_AUX:
            rc = load_aux(ld);
            break;
        case RDB_OPCODE_MODULE_AUX:
            rc = load_module(ld, 1);
            break;
        case RDB_OPCODE_FUNCTION2:
        case RDB_OPCODE_FUNCTION_PRE_GA:
            rc = load_function(ld, op);
            break;
        case RDB_OPCODE_SLOT_INFO: {
            /* Slot, its key count and its volatile key count. */
            for (int i = 0; i < 3 && rc == 0; i++)
                if (rdb_get_plain_len(&ld->r, &u) != 0)
                    rc = short_read(ld);
            break;
        }
        default:
            rc = load_key(ld, op);
            progress(ld, 0);
        }
        if (rc != 0)
            return rc;
    }
}

/* The CRC-64 after EOF: checked unless rdbchecksum is off or the file
 * was saved without one (zeros). */
static int load_crc(struct loader *ld)
{
    progress(ld, 1);
    uint64_t want;
    if (rdb_get_u64le(&ld->r, &want) != 0)
        return short_read(ld);
    if (!ld->check_crc)
        return 0;
    if (want == 0) {
        server_log(ld->srv, 'w', "RDB file was saved with checksum "
                   "disabled: no check performed.");
        return 0;
    }
    if (want != ld->crc)
        return fail(ld, "Wrong RDB checksum expected: (%llx) but got (%llx). "
                    "Aborting now. (RDB CRC error)",
                    (unsigned long long)ld->crc, (unsigned long long)want);
    return 0;
}

/* The signature and version. */
static int load_header(struct loader *ld)
{
    const unsigned char *q;
    if (rdb_get_raw(&ld->r, 9, &q) != 0)
        return short_read(ld);
    if (memcmp(q, "REDIS", 5) != 0)
        return fail(ld, "Wrong signature trying to load DB from file");
    char num[5];
    memcpy(num, q + 5, 4);
    num[4] = '\0';
    ld->version = atoi(num);
    if (ld->version < 1 || ld->version > RDB_VERSION_MAX)
        return fail(ld, "Can't handle RDB format version %d", ld->version);
    return 0;
}

/* The keys of a whole file go into the ordered indexes at the end, in
 * one sort (store_index_defer), not one by one. */
static void index_defer(struct server *srv)
{
    for (int i = 0; i < srv->conf.databases; i++)
        store_index_defer(srv->db[i]);
}

/* Builds the indexes deferred; where memory runs out the database is
 * emptied, since its index could not follow its keys. Returns 0 or -1. */
static int index_build(struct server *srv)
{
    int rc = 0;
    for (int i = 0; i < srv->conf.databases; i++)
        if (store_index_build(srv->db[i]) != STORE_OK) {
            store_clear(srv->db[i]);
            rc = -1;
        }
    return rc;
}

/* See persist.h. */
int rdb_load_file(struct server *srv, const char *path, int merge,
                  char *err, size_t errlen)
{
    struct loader ld;
    memset(&ld, 0, sizeof(ld));
    ld.srv = srv;
    ld.err = err;
    ld.errlen = errlen;
    ld.check_crc = srv->conf.rdbchecksum;
    ld.merge = merge;
    ld.expire = ld.idle_s = ld.freq = -1;
    ld.now = server_now_ms(srv);
    int rc = file_open(&ld, path);
    if (rc != 0)
        return rc;
    if (!ld.file && ld.size)
        rc = fail(&ld, "Out of memory reading %s", path);
    if (rc == 0)
        rc = load_header(&ld);
    if (rc == 0) {
        index_defer(srv);
        rc = load_body(&ld);
        if (index_build(srv) != 0 && rc == 0)
            rc = fail(&ld, "Out of memory indexing the keys loaded");
    }
    if (rc == 0 && ld.version >= RDB_VERSION_CRC)
        rc = load_crc(&ld);
    file_close(&ld);
    if (rc != 0)
        return -1;
    srv->persist.last_load_loaded = ld.loaded;
    srv->persist.last_load_expired = ld.expired;
    if (ld.empty)
        server_log(srv, 'w', "Done loading RDB, keys loaded: %lld, keys "
                   "expired: %lld, empty keys skipped: %lld.", ld.loaded,
                   ld.expired, ld.empty);
    else
        server_log(srv, 'n', "Done loading RDB, keys loaded: %lld, keys "
                   "expired: %lld.", ld.loaded, ld.expired);
    return 0;
}
