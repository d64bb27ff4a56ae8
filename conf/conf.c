/* conf.c - defaults, redis.conf parsing, command-line directives, CONFIG
 * SET validation and the CONFIG GET view, all driven by one table.
 *
 * Every directive is one row of the static const table `defs` below: its
 * name (and an optional second name, for Redis's old ziplist spellings),
 * the syntax of its value, where the value lives, its default written as
 * it would be in a config file, its bounds and whether CONFIG SET may
 * change it while running. Nothing else in the module knows which
 * directives exist: conf_init() applies each row's default through the
 * same code path as a config file line, so a default that does not parse
 * is caught by the first unit test, and conf_each() walks the rows in
 * order to produce what CONFIG GET prints.
 *
 *     config file line  --split_line()-->  name + argv
 *     --name argv...    ----------------/       |
 *     CONFIG SET n v    --split on ' '--/       v
 *                                  lookup(name) -> row -> apply()
 *                                                          |
 *                  parse + validate into temporaries  <----+
 *                  then commit (the old value survives any error)
 *
 * CONFIG SET with several pairs (conf_set_many) follows Redis 7.0: every
 * name is checked before any value (unknown, immutable, protected,
 * repeated), then the values go to a deep copy of the struct, which
 * replaces it only if all of them apply. A directive with several
 * arguments splits a CONFIG SET value at each single space (sdssplitlen),
 * and a lone file or command-line argument as a config line (`--save
 * "900 1"`), both as Redis 7.0 does.
 *
 * Where a value lives:
 *   - a field of struct conf, found by offsetof/sizeof in the row (the
 *     size tells an int from an int64_t), for directives Respite obeys;
 *   - c->noop[row], a string, for Redis directives that do not apply here
 *     (encodings, persistence, lazy freeing...). They are still parsed and
 *     validated like Redis does, then kept in the form CONFIG GET shows,
 *     so "hash-max-listpack-value 1kb" reads back as "1024" and client
 *     libraries that probe them see Redis's answers.
 *
 * Error texts follow Redis 7 (config.c) where a client could see them:
 * "argument must be between 0 and 65535 inclusive", "can't set immutable
 * config", and so on. File and command-line errors wrap the same reasons
 * as "path:line: bad value for 'port': ...".
 *
 * Deliberately not done: modules (rejected with a clear error); which
 * commands rename-command names (the server checks); resolving or binding
 * addresses (the server does that). The module never prints or exits.
 * Differences from Redis: `save` defaults to "" (no snapshots unless
 * configured); `dir` is not changed into, just recorded (checked as chdir
 * would, a relative one joined to the previous, and shown resolved as
 * getcwd() would show it; snapshots, and a relative logfile, unixsocket
 * or aclfile, are found in it by path, server_dir_path()); protected
 * directives (dir, dbfilename) are refused by CONFIG SET unless the caller
 * says enable-protected-configs admits the client.
 * notify-keyspace-events is stored with "n" next to "A", so the flag
 * survives, and printed as Redis 7 prints it, without (the flag stays set
 * there too). */
#include "conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * The directive table
 * --------------------------------------------------------------------- */

enum def_type {
    T_BOOL,     /* yes / no */
    T_INT,      /* strict decimal integer, int or int64_t field */
    T_OCTAL,    /* octal integer, int field */
    T_MEM,      /* byte count with k/kb/m/mb/g/gb units, uint64_t field */
    T_MEMPCT,   /* T_MEM's, or "N%" kept as -N, int64_t field */
    T_STR,      /* any string, char * field */
    T_DIR,      /* an existing directory, char * field (see apply_dir) */
    T_FNAME,    /* a file name, not a path (Redis's pathIsBaseName) */
    T_PTITLE,   /* a process title template (see check_ptitle) */
    T_ENUM,     /* one of `choices`, kept in its canonical spelling */
    T_FLAGS,    /* words of `choices` as an int mask (see apply_flags) */
    T_BIND,     /* 0..CONF_MAX_BIND addresses */
    T_OBUF,     /* client-output-buffer-limit triples */
    T_NOTIFY,   /* notify-keyspace-events class letters */
    T_SAVE,     /* "seconds changes" pairs, char * field */
    T_IGNORE,   /* deprecated in Redis: accepted from files, not shown */
    T_PCTL,     /* percentiles 0..100, kept as CONFIG GET prints them */
    T_OOMADJ,   /* oom-score-adj-values: three integers -2000..2000 */
    T_USER,     /* "user name rules...": appended to c->users */
    T_RENAME,   /* "rename-command from to": appended to c->renames */
};

#define F_MUTABLE   (1u << 0)   /* CONFIG SET may change it at run time */
#define F_MULTI     (1u << 1)   /* takes any number of arguments */
#define F_EMPTYNULL (1u << 2)   /* T_STR: "" is stored as NULL */
#define F_HIDDEN    (1u << 3)   /* not shown by conf_each, not CONFIG SET */
#define F_PROTECTED (1u << 4)   /* CONFIG SET refuses it, as Redis does
                                   while enable-protected-configs is no */
#define F_NONEMPTY  (1u << 5)   /* T_FNAME: "" is refused */
#define F_UNLISTED  (1u << 6)   /* CONFIG GET shows it to its exact name
                                   only, as Redis's hidden configs */

typedef int (*def_check_fn)(long long *v, char *why, size_t wlen);

struct conf_def {
    const char *name;
    const char *alias;          /* a second name for the same value */
    enum def_type type;
    unsigned flags;
    size_t off, size;           /* field in struct conf; size 0 = no-op */
    const char *def;            /* default, as a config file would say it */
    long long lo;               /* bounds for T_INT, T_OCTAL, T_MEM */
    unsigned long long hi;
    const char *const *choices; /* T_ENUM, T_FLAGS: NULL terminated */
    def_check_fn check;         /* T_BOOL, T_INT, T_FLAGS: extra check */
};

#define AT(f) offsetof(struct conf, f), sizeof(((struct conf *)0)->f)
#define NOOP 0, 0
#define MB (1024LL * 1024)

static int check_hz(long long *v, char *why, size_t wlen);
static int check_appendonly(long long *v, char *why, size_t wlen);
static int check_daemonize(long long *v, char *why, size_t wlen);
static int check_shutdown(long long *v, char *why, size_t wlen);
static int check_activedefrag(long long *v, char *why, size_t wlen);
static int check_cluster(long long *v, char *why, size_t wlen);

static const char *const loglevels[] = {
    "debug", "verbose", "notice", "warning", NULL
};
static const char *const policies[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction", NULL
};
static const char *const supervised_modes[] = {
    "upstart", "systemd", "auto", "no", NULL
};
static const char *const fsync_modes[] = {
    "everysec", "always", "no", NULL
};
static const char *const acl_pubsub_modes[] = {
    "allchannels", "resetchannels", NULL
};
/* In CONF_SHUTDOWN_* order: choices[i] is bit i - 1. */
static const char *const shutdown_words[] = {
    "default", "save", "nosave", "now", "force", NULL
};
static const char *const sanitize_modes[] = {
    "no", "yes", "clients", NULL
};
static const char *const debug_modes[] = {
    "no", "yes", "local", NULL
};
static const char *const oom_modes[] = {
    "no", "yes", "relative", "absolute", NULL
};
static const char *const diskless_load_modes[] = {
    "disabled", "on-empty-db", "swapdb", NULL
};
static const char *const facilities[] = {
    "user", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7", NULL
};

/* Keep conf/respite.conf in the same order as this table (a unit test
 * checks it). Bounds and defaults are Redis 7's unless noted. */
static const struct conf_def defs[] = {
    /* Network. */
    { "bind", NULL, T_BIND, F_MULTI, AT(bind), "127.0.0.1",
      0, 0, NULL, NULL },
    /* The source of outgoing connections: Respite makes none. */
    { "bind-source-addr", NULL, T_STR, F_MUTABLE, NOOP, "",
      0, 0, NULL, NULL },
    { "port", NULL, T_INT, 0, AT(port), "6379",
      0, 65535, NULL, NULL },
    { "unixsocket", NULL, T_STR, F_EMPTYNULL, AT(unixsocket), "",
      0, 0, NULL, NULL },
    { "unixsocketperm", NULL, T_OCTAL, 0, AT(unixsocketperm), "0",
      0, 0777, NULL, NULL },
    { "tcp-backlog", NULL, T_INT, 0, AT(tcp_backlog), "511",
      0, INT_MAX, NULL, NULL },
    { "tcp-keepalive", NULL, T_INT, F_MUTABLE, AT(tcp_keepalive), "300",
      0, INT_MAX, NULL, NULL },
    { "timeout", NULL, T_INT, F_MUTABLE, AT(timeout), "0",
      0, INT_MAX, NULL, NULL },
    { "maxclients", NULL, T_INT, F_MUTABLE, AT(maxclients), "10000",
      1, UINT_MAX, NULL, NULL },
    { "busy-poll-us", NULL, T_INT, F_MUTABLE, AT(busy_poll_us), "50",
      0, 10000, NULL, NULL },
    { "protected-mode", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "cluster-enabled", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, check_cluster },

    /* Security. */
    { "requirepass", NULL, T_STR, F_MUTABLE | F_EMPTYNULL, AT(requirepass),
      "", 0, 0, NULL, NULL },
    { "acl-pubsub-default", NULL, T_ENUM, F_MUTABLE, AT(acl_pubsub_default),
      "resetchannels", 0, 0, acl_pubsub_modes, NULL },
    { "aclfile", NULL, T_STR, F_EMPTYNULL, AT(aclfile), "",
      0, 0, NULL, NULL },
    { "user", NULL, T_USER, F_MULTI | F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "rename-command", NULL, T_RENAME, F_MULTI | F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "acllog-max-len", NULL, T_INT, F_MUTABLE, AT(acllog_max_len), "128",
      0, LONG_MAX, NULL, NULL },
    /* RESTORE checks every payload whole whatever this says (as "yes"). */
    { "sanitize-dump-payload", NULL, T_ENUM, F_MUTABLE, NOOP, "no",
      0, 0, sanitize_modes, NULL },

    /* Keyspace and the expiry sweeper. databases and shards have our own
     * caps; hz takes any non-negative value and is clamped to 1..500. */
    { "databases", NULL, T_INT, 0, AT(databases), "16",
      1, 4096, NULL, NULL },
    { "shards", NULL, T_INT, 0, AT(shards), "16",
      1, 256, NULL, NULL },
    { "hz", NULL, T_INT, F_MUTABLE, AT(hz), "10",
      0, INT_MAX, NULL, check_hz },
    { "active-expire-budget-us", NULL, T_INT, F_MUTABLE,
      AT(active_expire_budget_us), "1000", 1, 1000000, NULL, NULL },
    { "active-expire-effort", NULL, T_INT, F_MUTABLE, NOOP, "1",
      1, 10, NULL, NULL },
    { "dynamic-hz", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "notify-keyspace-events", NULL, T_NOTIFY, F_MUTABLE,
      AT(notify_keyspace_events), "", 0, 0, NULL, NULL },
    /* Stream retention (Respite): applied by the sweeper; 0 = off. */
    { "stream-max-entries", NULL, T_INT, F_MUTABLE, AT(stream_max_entries),
      "0", 0, LLONG_MAX, NULL, NULL },
    { "stream-retention-ms", NULL, T_INT, F_MUTABLE,
      AT(stream_retention_ms), "0", 0, LLONG_MAX, NULL, NULL },

    /* Limits. */
    { "proto-max-bulk-len", NULL, T_MEM, F_MUTABLE, AT(proto_max_bulk_len),
      "512mb", MB, LLONG_MAX, NULL, NULL },
    { "client-query-buffer-limit", NULL, T_MEM, F_MUTABLE,
      AT(client_query_buffer_limit), "1gb", MB, LLONG_MAX, NULL, NULL },
    { "client-output-buffer-limit", NULL, T_OBUF, F_MUTABLE | F_MULTI,
      AT(obuf_normal),
      "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
      0, 0, NULL, NULL },
    { "maxmemory", NULL, T_MEM, F_MUTABLE, AT(maxmemory), "0",
      0, ULLONG_MAX, NULL, NULL },
    { "maxmemory-policy", NULL, T_ENUM, F_MUTABLE, AT(maxmemory_policy),
      "noeviction", 0, 0, policies, NULL },
    { "maxmemory-samples", NULL, T_INT, F_MUTABLE, AT(maxmemory_samples),
      "5", 1, INT_MAX, NULL, NULL },
    { "maxmemory-clients", NULL, T_MEMPCT, F_MUTABLE,
      AT(maxmemory_clients), "0", 0, 0, NULL, NULL },
    { "maxmemory-eviction-tenacity", NULL, T_INT, F_MUTABLE,
      AT(maxmemory_eviction_tenacity), "10", 0, 100, NULL, NULL },
    { "lfu-log-factor", NULL, T_INT, F_MUTABLE, AT(lfu_log_factor), "10",
      0, INT_MAX, NULL, NULL },
    { "lfu-decay-time", NULL, T_INT, F_MUTABLE, AT(lfu_decay_time), "1",
      0, INT_MAX, NULL, NULL },
    /* Client-side caching (server/tracking.c). */
    { "tracking-table-max-keys", NULL, T_INT, F_MUTABLE,
      AT(tracking_table_max_keys), "1000000", 0, LONG_MAX, NULL, NULL },

    /* Process and logging. */
    { "loglevel", NULL, T_ENUM, F_MUTABLE, AT(loglevel), "notice",
      0, 0, loglevels, NULL },
    { "logfile", NULL, T_STR, 0, AT(logfile), "",
      0, 0, NULL, NULL },
    { "daemonize", NULL, T_BOOL, 0, AT(daemonize), "no",
      0, 0, NULL, check_daemonize },
    { "supervised", NULL, T_ENUM, 0, NOOP, "no",
      0, 0, supervised_modes, NULL },
    { "pidfile", NULL, T_STR, 0, NOOP, "",
      0, 0, NULL, NULL },
    { "dir", NULL, T_DIR, F_MUTABLE | F_PROTECTED, AT(dir), ".",
      0, 0, NULL, NULL },
    { "enable-debug-command", NULL, T_ENUM, 0, AT(enable_debug_command),
      "no", 0, 0, debug_modes, NULL },
    { "enable-module-command", NULL, T_ENUM, 0, AT(enable_module_command),
      "no", 0, 0, debug_modes, NULL },
    { "enable-protected-configs", NULL, T_ENUM, 0,
      AT(enable_protected_configs), "no", 0, 0, debug_modes, NULL },
    { "crash-log-enabled", NULL, T_BOOL, F_MUTABLE, AT(crash_log_enabled),
      "yes", 0, 0, NULL, NULL },
    { "crash-memcheck-enabled", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "always-show-logo", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, NULL },
    { "set-proc-title", NULL, T_BOOL, 0, NOOP, "yes",
      0, 0, NULL, NULL },
    { "syslog-enabled", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, NULL },
    { "syslog-ident", NULL, T_STR, 0, NOOP, "redis",
      0, 0, NULL, NULL },
    { "syslog-facility", NULL, T_ENUM, 0, NOOP, "local0",
      0, 0, facilities, NULL },
    { "io-threads", NULL, T_INT, 0, NOOP, "1",
      1, 128, NULL, NULL },
    { "io-threads-do-reads", NULL, T_BOOL, 0, NOOP, "no",
      0, 0, NULL, NULL },
    { "jemalloc-bg-thread", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    /* Redis's start-up warnings to silence: Respite gives none. */
    { "ignore-warnings", NULL, T_STR, F_MUTABLE, NOOP, "",
      0, 0, NULL, NULL },
    /* Set in Redis's own redis.conf, so that file loads. */
    { "proc-title-template", NULL, T_PTITLE, F_MUTABLE, NOOP,
      "{title} {listen-addr} {server-mode}", 0, 0, NULL, NULL },
    { "oom-score-adj", NULL, T_ENUM, F_MUTABLE, NOOP, "no",
      0, 0, oom_modes, NULL },
    { "oom-score-adj-values", NULL, T_OOMADJ, F_MUTABLE | F_MULTI, NOOP,
      "0 200 800", 0, 0, NULL, NULL },
    { "disable-thp", NULL, T_BOOL, 0, NOOP, "yes",
      0, 0, NULL, NULL },

    /* RDB snapshots (server/persist.c, server/rdb_save.c); of the AOF
     * directives after them, appendonly yes is refused, the rest tune an
     * AOF that is never written. */
    { "save", NULL, T_SAVE, F_MUTABLE | F_MULTI, AT(save), "",
      0, 0, NULL, NULL },
    { "stop-writes-on-bgsave-error", NULL, T_BOOL, F_MUTABLE,
      AT(stop_writes_on_bgsave_error), "yes", 0, 0, NULL, NULL },
    { "rdbcompression", NULL, T_BOOL, F_MUTABLE, AT(rdbcompression), "yes",
      0, 0, NULL, NULL },
    { "rdbchecksum", NULL, T_BOOL, 0, AT(rdbchecksum), "yes",
      0, 0, NULL, NULL },
    { "dbfilename", NULL, T_FNAME, F_MUTABLE | F_PROTECTED, AT(dbfilename),
      "dump.rdb", 0, 0, NULL, NULL },
    { "rdb-save-incremental-fsync", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "rdb-del-sync-files", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "shutdown-on-sigint", NULL, T_FLAGS, F_MUTABLE | F_MULTI,
      AT(shutdown_on_sigint), "default", 0, 0, shutdown_words,
      check_shutdown },
    { "shutdown-on-sigterm", NULL, T_FLAGS, F_MUTABLE | F_MULTI,
      AT(shutdown_on_sigterm), "default", 0, 0, shutdown_words,
      check_shutdown },
    /* How long SHUTDOWN waits for lagging replicas: there are none. */
    { "shutdown-timeout", NULL, T_INT, F_MUTABLE, NOOP, "10",
      0, INT_MAX, NULL, NULL },
    { "appendonly", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, check_appendonly },
    { "appendfilename", NULL, T_FNAME, F_NONEMPTY, NOOP, "appendonly.aof",
      0, 0, NULL, NULL },
    { "appenddirname", NULL, T_FNAME, F_NONEMPTY, NOOP, "appendonlydir",
      0, 0, NULL, NULL },
    { "appendfsync", NULL, T_ENUM, F_MUTABLE, NOOP, "everysec",
      0, 0, fsync_modes, NULL },
    { "no-appendfsync-on-rewrite", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "auto-aof-rewrite-percentage", NULL, T_INT, F_MUTABLE, NOOP, "100",
      0, INT_MAX, NULL, NULL },
    { "auto-aof-rewrite-min-size", NULL, T_MEM, F_MUTABLE, NOOP, "64mb",
      0, LLONG_MAX, NULL, NULL },
    { "aof-load-truncated", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "aof-use-rdb-preamble", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "aof-rewrite-incremental-fsync", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "aof-timestamp-enabled", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "aof-disable-auto-gc", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },

    /* Replication: what Redis's redis.conf sets, accepted so that file
     * loads (replicaof itself is refused, see unsupported[]). */
    { "replica-serve-stale-data", "slave-serve-stale-data", T_BOOL,
      F_MUTABLE, NOOP, "yes", 0, 0, NULL, NULL },
    { "replica-read-only", "slave-read-only", T_BOOL, F_MUTABLE, NOOP,
      "yes", 0, 0, NULL, NULL },
    { "repl-diskless-sync", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },
    { "repl-diskless-sync-delay", NULL, T_INT, F_MUTABLE, NOOP, "5",
      0, INT_MAX, NULL, NULL },
    { "repl-diskless-sync-max-replicas", NULL, T_INT, F_MUTABLE, NOOP, "0",
      0, INT_MAX, NULL, NULL },
    { "repl-diskless-load", NULL, T_ENUM, F_MUTABLE, NOOP, "disabled",
      0, 0, diskless_load_modes, NULL },
    { "repl-disable-tcp-nodelay", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "replica-priority", "slave-priority", T_INT, F_MUTABLE, NOOP, "100",
      0, INT_MAX, NULL, NULL },
    { "replica-lazy-flush", "slave-lazy-flush", T_BOOL, F_MUTABLE, NOOP,
      "no", 0, 0, NULL, NULL },

    /* Compact encodings' limits (store_limits, and the HyperLogLog
     * commands' sparse limit); list compression does not exist here, so
     * that one is accepted only. */
    { "hash-max-listpack-entries", "hash-max-ziplist-entries", T_INT,
      F_MUTABLE, AT(hash_max_listpack_entries), "512", 0, LONG_MAX, NULL,
      NULL },
    { "hash-max-listpack-value", "hash-max-ziplist-value", T_MEM,
      F_MUTABLE, AT(hash_max_listpack_value), "64", 0, LONG_MAX, NULL, NULL },
    { "list-max-listpack-size", "list-max-ziplist-size", T_INT,
      F_MUTABLE, AT(list_max_listpack_size), "-2", INT_MIN, INT_MAX, NULL,
      NULL },
    { "list-compress-depth", NULL, T_INT, F_MUTABLE, NOOP, "0",
      0, INT_MAX, NULL, NULL },
    { "set-max-intset-entries", NULL, T_INT, F_MUTABLE,
      AT(set_max_intset_entries), "512", 0, LONG_MAX, NULL, NULL },
    { "set-max-listpack-entries", NULL, T_INT, F_MUTABLE,
      AT(set_max_listpack_entries), "128", 0, LONG_MAX, NULL, NULL },
    { "set-max-listpack-value", NULL, T_MEM, F_MUTABLE,
      AT(set_max_listpack_value), "64", 0, LONG_MAX, NULL, NULL },
    { "zset-max-listpack-entries", "zset-max-ziplist-entries", T_INT,
      F_MUTABLE, AT(zset_max_listpack_entries), "128", 0, LONG_MAX, NULL,
      NULL },
    { "zset-max-listpack-value", "zset-max-ziplist-value", T_MEM,
      F_MUTABLE, AT(zset_max_listpack_value), "64", 0, LONG_MAX, NULL, NULL },
    { "hll-sparse-max-bytes", NULL, T_MEM, F_MUTABLE,
      AT(hll_sparse_max_bytes), "3000", 0, LONG_MAX, NULL, NULL },
    { "stream-node-max-bytes", NULL, T_MEM, F_MUTABLE, NOOP, "4096",
      0, LONG_MAX, NULL, NULL },
    { "stream-node-max-entries", NULL, T_INT, F_MUTABLE, NOOP, "100",
      0, LLONG_MAX, NULL, NULL },
    { "activerehashing", NULL, T_BOOL, F_MUTABLE, NOOP, "yes",
      0, 0, NULL, NULL },

    /* Lazy freeing: accepted, not used. */
    { "lazyfree-lazy-eviction", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-expire", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-server-del", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-user-del", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },
    { "lazyfree-lazy-user-flush", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, NULL },

    /* Active defragmentation: refused as Debian's redis-server refuses it
     * (its jemalloc lacks the hooks, as Respite's does); the tuning is
     * accepted, no effect. */
    { "activedefrag", NULL, T_BOOL, F_MUTABLE, NOOP, "no",
      0, 0, NULL, check_activedefrag },
    { "active-defrag-ignore-bytes", NULL, T_MEM, F_MUTABLE, NOOP, "100mb",
      1, LLONG_MAX, NULL, NULL },
    { "active-defrag-threshold-lower", NULL, T_INT, F_MUTABLE, NOOP, "10",
      0, 1000, NULL, NULL },
    { "active-defrag-threshold-upper", NULL, T_INT, F_MUTABLE, NOOP, "100",
      0, 1000, NULL, NULL },
    { "active-defrag-cycle-min", NULL, T_INT, F_MUTABLE, NOOP, "1",
      1, 99, NULL, NULL },
    { "active-defrag-cycle-max", NULL, T_INT, F_MUTABLE, NOOP, "25",
      1, 99, NULL, NULL },
    { "active-defrag-max-scan-fields", NULL, T_INT, F_MUTABLE, NOOP, "1000",
      1, LLONG_MAX, NULL, NULL },

    /* The slow log (server/cmd_slowlog.c). */
    { "slowlog-log-slower-than", NULL, T_INT, F_MUTABLE,
      AT(slowlog_log_slower_than), "10000", -1, LLONG_MAX, NULL, NULL },
    { "slowlog-max-len", NULL, T_INT, F_MUTABLE, AT(slowlog_max_len), "128",
      0, LONG_MAX, NULL, NULL },

    /* The latency monitor and per-command latency tracking
     * (server/cmd_latency.c). */
    { "latency-monitor-threshold", NULL, T_INT, F_MUTABLE,
      AT(latency_monitor_threshold), "0", 0, LLONG_MAX, NULL, NULL },
    { "latency-tracking", NULL, T_BOOL, F_MUTABLE, AT(latency_tracking),
      "yes", 0, 0, NULL, NULL },
    { "latency-tracking-info-percentiles", NULL, T_PCTL,
      F_MUTABLE | F_MULTI, AT(latency_tracking_info_percentiles),
      "50 99 99.9", 0, 0, NULL, NULL },

    /* Redis's test hook: microseconds slept after each key a save writes
     * (server/rdb_save.c). */
    { "rdb-key-save-delay", NULL, T_INT, F_MUTABLE | F_UNLISTED,
      AT(rdb_key_save_delay), "0", INT_MIN, INT_MAX, NULL, NULL },

    /* Long scripts (server/script_busy.c). */
    { "busy-reply-threshold", "lua-time-limit", T_INT, F_MUTABLE,
      AT(busy_reply_threshold), "5000", 0, LONG_MAX, NULL, NULL },

    /* Removed from Redis 7 but still accepted from old config files. */
    { "list-max-ziplist-entries", NULL, T_IGNORE, F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "list-max-ziplist-value", NULL, T_IGNORE, F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
    { "lua-replicate-commands", NULL, T_IGNORE, F_HIDDEN, NOOP, "",
      0, 0, NULL, NULL },
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* Redis directives we recognise but refuse, so the error says so. */
static const char *const unsupported[] = {
    "loadmodule", "replicaof", "slaveof", "sentinel", "tls-port", NULL
};

/* Results of apply(). */
enum {
    APPLY_OK = 0,
    APPLY_BAD = -1,     /* reason written to `why` */
    APPLY_ARITY = -2,   /* wrong number of arguments */
    APPLY_NOMEM = -3,
};

/* State kept across the lines of one start-up load (file then args). */
struct load_ctx {
    int save_seen;      /* later "save" lines add to earlier ones */
    int depth;          /* include files open around this one */
};

#define INCLUDE_DEPTH 16    /* a file including itself stops here */
/* load_file's failure at a line, whose message already says
 * "file:line: " (-1 is a file that cannot be read). apply_include passes
 * it on, so that an error is reported where it is, in whichever file. */
#define LINE_FAILED (-2)

/* ------------------------------------------------------------------------
 * Small helpers: growable strings and argument vectors
 * --------------------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int sbuf_str(struct sbuf *b, const char *s)
{
    return sbuf_add(b, s, strlen(s));
}

struct args {
    char **v;
    int n, cap;
};

static void args_free(struct args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* Takes ownership of s, also on failure. */
static int args_push(struct args *a, char *s)
{
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 8;
        char **v = realloc(a->v, (size_t)cap * sizeof(*v));
        if (!v) {
            free(s);
            return -1;
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    return 0;
}

static int args_push_copy(struct args *a, const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return args_push(a, copy);
}

/* Copies at most ~60 bytes of a user-supplied name into dst for an error
 * message, with CR and LF turned into spaces (what Redis's error replies
 * do; other bytes are echoed as they are, as there). */
static void clip(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0, max = dstlen - 4;
    for (; src[i] && i < max; i++)
        dst[i] = (src[i] == '\r' || src[i] == '\n') ? ' ' : src[i];
    if (src[i])
        memcpy(dst + i, "...", 4);
    else
        dst[i] = '\0';
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------------------
 * Splitting a config line (Redis's sdssplitargs rules)
 * --------------------------------------------------------------------- */

enum { SPLIT_OK, SPLIT_QUOTES, SPLIT_NUL, SPLIT_NOMEM };

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return ch - 'A' + 10;
}

/* Reads one token starting at *pp into tok and advances *pp past it.
 * Double quotes take \n \r \t \b \a \xHH and \<any> escapes; single quotes
 * take only \'. A closing quote must end the token. */
static int split_token(const char **pp, struct sbuf *tok)
{
    const char *p = *pp;
    int quote = 0;
    for (;;) {
        char ch;
        if (quote == '"') {
            if (p[0] == '\\' && p[1] == 'x' &&
                isxdigit((unsigned char)p[2]) &&
                isxdigit((unsigned char)p[3])) {
                ch = (char)(hexval(p[2]) * 16 + hexval(p[3]));
                if (ch == '\0')
                    return SPLIT_NUL;
                p += 4;
            } else if (p[0] == '\\' && p[1]) {
                switch (p[1]) {
                case 'n': ch = '\n'; break;
                case 'r': ch = '\r'; break;
                case 't': ch = '\t'; break;
                case 'b': ch = '\b'; break;
                case 'a': ch = '\a'; break;
                default:  ch = p[1]; break;
                }
                p += 2;
            } else if (p[0] == '"') {
                if (p[1] && !isspace((unsigned char)p[1]))
                    return SPLIT_QUOTES;
                p++;
                break;
            } else if (p[0] == '\0') {
                return SPLIT_QUOTES;
            } else {
                ch = *p++;
            }
        } else if (quote == '\'') {
            if (p[0] == '\\' && p[1] == '\'') {
                ch = '\'';
                p += 2;
            } else if (p[0] == '\'') {
                if (p[1] && !isspace((unsigned char)p[1]))
                    return SPLIT_QUOTES;
                p++;
                break;
            } else if (p[0] == '\0') {
                return SPLIT_QUOTES;
            } else {
                ch = *p++;
            }
        } else {
            /* Not isspace: Redis ends a bare token at these alone, so
             * "a\vb" is one token there. */
            if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n' ||
                *p == '\r')
                break;
            if (*p == '"' || *p == '\'') {
                quote = *p++;
                continue;
            }
            ch = *p++;
        }
        if (sbuf_add(tok, &ch, 1) != 0)
            return SPLIT_NOMEM;
    }
    *pp = p;
    return sbuf_add(tok, "", 0) == 0 ? SPLIT_OK : SPLIT_NOMEM;
}

/* Splits a config line into out (which must be empty). On failure out is
 * left empty. */
static int split_line(const char *line, struct args *out)
{
    const char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return SPLIT_OK;
        struct sbuf tok = {0};
        int rc = split_token(&p, &tok);
        if (rc == SPLIT_OK && args_push(out, tok.p) != 0)
            rc = SPLIT_NOMEM;
        else if (rc != SPLIT_OK)
            free(tok.p);
        if (rc != SPLIT_OK) {
            args_free(out);
            return rc;
        }
    }
}

/* Splits a CONFIG SET value at every single space, as Redis's
 * sdssplitlen(value, " ") does for directives that take several arguments:
 * "" gives no piece at all, and empty pieces are kept ("3600  1" is three
 * pieces, the middle one empty), so such values fail as they do there. */
static int split_spaces(const char *s, struct args *out)
{
    if (*s == '\0')
        return 0;
    for (;;) {
        const char *end = strchr(s, ' ');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (args_push_copy(out, s, n) != 0) {
            args_free(out);
            return -1;
        }
        if (!end)
            return 0;
        s = end + 1;
    }
}

/* ------------------------------------------------------------------------
 * Value parsers (Redis's string2ll, memtoull, yesnotoi)
 * --------------------------------------------------------------------- */

/* Strict decimal: no spaces, no '+', no leading zeros, no "-0". */
static int parse_ll(const char *s, long long *out)
{
    const char *p = s;
    int neg = 0;
    if (p[0] == '0' && p[1] == '\0') {
        *out = 0;
        return 0;
    }
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (*p < '1' || *p > '9')
        return -1;
    unsigned long long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return -1;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                      : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return -1;
        *out = (long long)v;
    }
    return 0;
}

/* Bytes with an optional unit: b, k (1000), kb (1024), m, mb, g, gb, any
 * case, read the way Redis 7.0's memtoull reads them: no sign; an empty
 * number counts as 0 ("kb" is 0); more than 127 digits is an error; a
 * number beyond 64 bits saturates at ULLONG_MAX (strtoull's overflow is not
 * checked there) and the unit's product wraps modulo 2^64 (nor is that), so
 * "17179869184gb" is 0. Bounds checks come after, on what this returns. */
static int parse_mem(const char *s, unsigned long long *out)
{
    static const struct { const char *unit; unsigned long long mul; }
    units[] = {
        { "", 1 }, { "b", 1 },
        { "k", 1000ULL }, { "kb", 1024ULL },
        { "m", 1000ULL * 1000 }, { "mb", 1024ULL * 1024 },
        { "g", 1000ULL * 1000 * 1000 }, { "gb", 1024ULL * 1024 * 1024 },
    };
    const char *u = s;
    while (*u >= '0' && *u <= '9')
        u++;
    unsigned long long mul = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(u, units[i].unit) == 0)
            mul = units[i].mul;
    if (mul == 0 || u - s >= 128)
        return -1;
    unsigned long long v = 0;
    for (const char *p = s; p < u; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            v = ULLONG_MAX;
            break;
        }
        v = v * 10 + d;
    }
    *out = v * mul;
    return 0;
}

/* T_FNAME: Redis's isValidDBfilename, isValidAOFfilename and
 * isValidAOFdirname (pathIsBaseName: no '/', no '\'). */
static int check_fname(const struct conf_def *d, const char *s, char *why,
                       size_t wlen)
{
    if ((d->flags & F_NONEMPTY) && *s == '\0') {
        snprintf(why, wlen, "%s can't be empty", d->name);
        return -1;
    }
    if (strchr(s, '/') || strchr(s, '\\')) {
        snprintf(why, wlen, "%s can't be a path, just a %s", d->name,
                 strcmp(d->name, "appenddirname") ? "filename" : "dirname");
        return -1;
    }
    return 0;
}

/* Whether a {variable} of a process title template names one Redis
 * knows, and whether it can expand to something (title and server-mode
 * are empty when Redis checks a template; unixsocket when there is none). */
static int ptitle_var(const struct conf *c, const char *name, size_t len,
                      int *nonempty)
{
    static const char *const filled[] = { "listen-addr", "port", "tls-port",
                                          "config-file", NULL };
    static const char *const blank[] = { "title", "server-mode", NULL };
    for (int i = 0; filled[i]; i++)
        if (strlen(filled[i]) == len && !memcmp(name, filled[i], len))
            return *nonempty = 1;
    for (int i = 0; blank[i]; i++)
        if (strlen(blank[i]) == len && !memcmp(name, blank[i], len))
            return 1;
    if (len == 10 && !memcmp(name, "unixsocket", 10)) {
        *nonempty |= c->unixsocket && *c->unixsocket;
        return 1;
    }
    return 0;
}

/* proc-title-template, checked as Redis checks it: "{name}" must be a
 * known variable ("{{" is a literal brace, a lone "}" is text), and the
 * title must not come out empty or only spaces. */
static int check_ptitle(const struct conf *c, const char *s, char *why,
                        size_t wlen)
{
    int nonempty = 0, ok = 1;
    while (*s && ok) {
        if (*s != '{') {
            nonempty |= *s != ' ';
            s++;
        } else if (s[1] == '{') {
            nonempty = 1;
            s += 2;
        } else {
            const char *end = strchr(s + 1, '}');
            ok = end && ptitle_var(c, s + 1, (size_t)(end - s - 1),
                                   &nonempty);
            s = end ? end + 1 : s;
        }
    }
    if (ok && nonempty)
        return 0;
    snprintf(why, wlen, "template format is invalid or contains unknown "
             "variables");
    return -1;
}

static int check_hz(long long *v, char *why, size_t wlen)
{
    (void)why;
    (void)wlen;
    /* Redis treats hz as a hint: out-of-range values are clamped. */
    if (*v < 1)
        *v = 1;
    if (*v > 500)
        *v = 500;
    return 0;
}

/* shutdown-on-sigint / -sigterm: SAVE and NOSAVE contradict each other,
 * as in SHUTDOWN. */
static int check_shutdown(long long *v, char *why, size_t wlen)
{
    if ((*v & CONF_SHUTDOWN_SAVE) && (*v & CONF_SHUTDOWN_NOSAVE)) {
        snprintf(why, wlen, "shutdown options SAVE and NOSAVE can't be used "
                 "simultaneously");
        return -1;
    }
    return 0;
}

/* A yes/no directive whose "yes" asks for what Respite cannot do. */
static int refuse_yes(long long v, const char *reason, char *why,
                      size_t wlen)
{
    if (!v)
        return 0;
    snprintf(why, wlen, "%s", reason);
    return -1;
}

static int check_cluster(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "cluster mode is not supported: Respite is a "
                      "single node", why, wlen);
}

/* Redis's refusal where its jemalloc cannot move allocations, word for
 * word (Debian's redis-server gives it too). */
static int check_activedefrag(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "Active defragmentation cannot be enabled: it "
                      "requires a Redis server compiled with a modified "
                      "Jemalloc like the one shipped by default with the "
                      "Redis source distribution", why, wlen);
}

/* Accepting it would leave a user who asked for durability with none. */
static int check_appendonly(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "appendonly yes is not supported: Respite writes "
                      "no append-only file; persist with RDB snapshots "
                      "instead (save \"60 1\", or shutdown-on-sigterm "
                      "save)", why, wlen);
}

static int check_daemonize(long long *v, char *why, size_t wlen)
{
    return refuse_yes(*v, "daemonize yes is not supported; run respite in "
                      "the foreground under a supervisor", why, wlen);
}

static int range_error(const struct conf_def *d, char *why, size_t wlen)
{
    if (d->type == T_OCTAL)
        snprintf(why, wlen, "argument must be between %llo and %llo "
                 "inclusive", (unsigned long long)d->lo, d->hi);
    else
        snprintf(why, wlen, "argument must be between %lld and %llu "
                 "inclusive", d->lo, d->hi);
    return APPLY_BAD;
}

/* ------------------------------------------------------------------------
 * Keyspace event classes (Redis's notify.c order)
 * --------------------------------------------------------------------- */

enum {
    N_K = 1 << 0, N_E = 1 << 1, N_G = 1 << 2, N_STR = 1 << 3,
    N_L = 1 << 4, N_S = 1 << 5, N_H = 1 << 6, N_Z = 1 << 7,
    N_X = 1 << 8, N_EV = 1 << 9, N_T = 1 << 10, N_M = 1 << 11,
    N_D = 1 << 12, N_N = 1 << 13,
    N_ALL = N_G | N_STR | N_L | N_S | N_H | N_Z | N_X | N_EV | N_T | N_D,
};

/* The letters in the order Redis prints them, after "A" if all of
 * N_ALL is set; K, E and m are always printed last. */
static const struct { char letter; int flag; } notify_letters[] = {
    { 'g', N_G }, { '$', N_STR }, { 'l', N_L }, { 's', N_S },
    { 'h', N_H }, { 'z', N_Z }, { 'x', N_X }, { 'e', N_EV },
    { 't', N_T }, { 'd', N_D }, { 'n', N_N },
};

static int notify_parse(const char *s)
{
    int flags = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'A': flags |= N_ALL; break;
        case 'K': flags |= N_K; break;
        case 'E': flags |= N_E; break;
        case 'm': flags |= N_M; break;
        default: {
            size_t i, n = sizeof(notify_letters) / sizeof(notify_letters[0]);
            for (i = 0; i < n; i++)
                if (notify_letters[i].letter == *s)
                    break;
            if (i == n)
                return -1;
            flags |= notify_letters[i].flag;
        }
        }
    }
    return flags;
}

/* Writes the canonical form into buf (at least 20 bytes): the stored
 * one, or with shown set the one CONFIG GET prints, where "n" after "A"
 * is left out as Redis 7 leaves it out. */
static void notify_format(int flags, int shown, char *buf)
{
    char *p = buf;
    int all = (flags & N_ALL) == N_ALL;
    if (all)
        *p++ = 'A';
    for (size_t i = 0; i < sizeof(notify_letters) / sizeof(notify_letters[0]);
         i++) {
        int f = notify_letters[i].flag;
        if ((flags & f) && (!all || (f == N_N && !shown)))
            *p++ = notify_letters[i].letter;
    }
    if (flags & N_K) *p++ = 'K';
    if (flags & N_E) *p++ = 'E';
    if (flags & N_M) *p++ = 'm';
    *p = '\0';
}

/* ------------------------------------------------------------------------
 * Storing parsed values
 * --------------------------------------------------------------------- */

/* Whether a row with a field keeps it as a char * (owned). */
static int is_str_type(enum def_type t)
{
    return t == T_STR || t == T_FNAME || t == T_DIR || t == T_ENUM ||
           t == T_NOTIFY || t == T_PCTL || t == T_OOMADJ || t == T_SAVE;
}

static void *field(struct conf *c, const struct conf_def *d)
{
    return (char *)c + d->off;
}

static const void *cfield(const struct conf *c, const struct conf_def *d)
{
    return (const char *)c + d->off;
}

/* Replaces a string slot; s is owned by the slot afterwards. */
static void replace_str(char **slot, char *s)
{
    free(*slot);
    *slot = s;
}

static void format_num(const struct conf_def *d, long long v,
                       unsigned long long u, char *buf, size_t len)
{
    switch (d->type) {
    case T_BOOL:  snprintf(buf, len, "%s", v ? "yes" : "no"); break;
    case T_OCTAL: snprintf(buf, len, "%llo", (unsigned long long)v); break;
    case T_MEM:   snprintf(buf, len, "%llu", u); break;
    case T_MEMPCT:
        snprintf(buf, len, v < 0 ? "%lld%%" : "%lld", v < 0 ? -v : v);
        break;
    default:      snprintf(buf, len, "%lld", v); break;
    }
}

static int commit_num(struct conf *c, size_t row, long long v,
                      unsigned long long u)
{
    const struct conf_def *d = &defs[row];
    if (d->size == 0) {
        char buf[32];
        format_num(d, v, u, buf, sizeof(buf));
        char *s = dup_str(buf);
        if (!s)
            return APPLY_NOMEM;
        replace_str(&c->noop[row], s);
        return APPLY_OK;
    }
    void *p = field(c, d);
    if (d->type == T_MEM)
        *(uint64_t *)p = u;
    else if (d->size == sizeof(int))
        *(int *)p = (int)v;
    else
        *(int64_t *)p = v;
    return APPLY_OK;
}

/* Stores a copy of s (or NULL for "" when F_EMPTYNULL). */
static int commit_str(struct conf *c, size_t row, const char *s)
{
    const struct conf_def *d = &defs[row];
    char *copy = NULL;
    if (d->size == 0 || !(d->flags & F_EMPTYNULL) || *s) {
        copy = dup_str(s);
        if (!copy)
            return APPLY_NOMEM;
    }
    replace_str(d->size ? (char **)field(c, d) : &c->noop[row], copy);
    return APPLY_OK;
}

static int apply_bind(struct conf *c, const char *const *argv, int argc,
                      char *why, size_t wlen)
{
    if (argc > CONF_MAX_BIND) {
        snprintf(why, wlen, "Too many bind addresses specified.");
        return APPLY_BAD;
    }
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    char *fresh[CONF_MAX_BIND];
    for (int i = 0; i < argc; i++) {
        fresh[i] = dup_str(argv[i]);
        if (!fresh[i]) {
            while (i--)
                free(fresh[i]);
            return APPLY_NOMEM;
        }
    }
    for (int i = 0; i < c->nbind; i++)
        free(c->bind[i]);
    for (int i = 0; i < CONF_MAX_BIND; i++)
        c->bind[i] = i < argc ? fresh[i] : NULL;
    c->nbind = argc;
    return APPLY_OK;
}

/* Formats a percentile as Redis does: %f, then its trailing zeros (and
 * point) trimmed, so 99.90 is "99.9" and 99.9999999 "100". */
static void format_pctl(double v, char *out, size_t len)
{
    int n = snprintf(out, len, "%f", v);
    if (n <= 0 || (size_t)n >= len || !strchr(out, '.'))
        return;
    while (n > 0 && out[n - 1] == '0')
        out[--n] = '\0';
    if (n > 0 && out[n - 1] == '.')
        out[n - 1] = '\0';
}

/* latency-tracking-info-percentiles: numbers strtod reads whole (Redis
 * takes "1e1" and "0x10" too), each in 0..100; "" is none. Kept as the
 * list CONFIG GET prints. */
static int apply_pctl(struct conf *c, size_t row, const char *const *argv,
                      int argc, char *why, size_t wlen)
{
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    struct sbuf b = {0};
    for (int i = 0; i < argc; i++) {
        char *end;
        double v = strtod(argv[i], &end);
        if (argv[i][0] == '\0' || *end != '\0' || v != v) {
            snprintf(why, wlen, "Invalid latency-tracking-info-percentiles "
                     "parameters");
            free(b.p);
            return APPLY_BAD;
        }
        if (v < 0.0 || v > 100.0) {
            snprintf(why, wlen, "latency-tracking-info-percentiles "
                     "parameters should sit between [0.0,100.0]");
            free(b.p);
            return APPLY_BAD;
        }
        char num[32];
        format_pctl(v, num, sizeof(num));
        sbuf_str(&b, i ? " " : "");
        sbuf_str(&b, num);
    }
    int rc = b.oom ? APPLY_NOMEM : commit_str(c, row, b.p ? b.p : "");
    free(b.p);
    return rc;
}

/* oom-score-adj-values: exactly three integers, each -2000..2000, read
 * as Redis reads them (strtoll, so "+5" is 5 and "" is 0). Kept as
 * CONFIG GET prints them. */
static int apply_oomadj(struct conf *c, size_t row, const char *const *argv,
                        int argc, char *why, size_t wlen)
{
    if (argc != 3) {
        snprintf(why, wlen, "wrong number of arguments");
        return APPLY_BAD;
    }
    long long v[3];
    for (int i = 0; i < 3; i++) {
        char *end;
        v[i] = strtoll(argv[i], &end, 10);
        if (*end != '\0' || v[i] < -2000 || v[i] > 2000) {
            snprintf(why, wlen, "Invalid oom-score-adj-values, elements "
                     "must be between -2000 and 2000.");
            return APPLY_BAD;
        }
    }
    char buf[40];
    snprintf(buf, sizeof(buf), "%lld %lld %lld", v[0], v[1], v[2]);
    return commit_str(c, row, buf);
}

static struct conf_obuf_limit *obuf_class(struct conf *c, const char *name)
{
    if (!strcasecmp(name, "normal"))
        return &c->obuf_normal;
    if (!strcasecmp(name, "replica") || !strcasecmp(name, "slave"))
        return &c->obuf_replica;
    if (!strcasecmp(name, "pubsub"))
        return &c->obuf_pubsub;
    return NULL;
}

/* "<class> <hard> <soft> <soft-seconds>" repeated; all or nothing. */
static int apply_obuf(struct conf *c, const char *const *argv, int argc,
                      char *why, size_t wlen)
{
    struct conf_obuf_limit *dst[3];
    struct conf_obuf_limit val[3];
    int n = 0;
    if (argc % 4) {
        snprintf(why, wlen, "Wrong number of arguments in buffer limit "
                 "configuration.");
        return APPLY_BAD;
    }
    for (int j = 0; j < argc; j += 4) {
        struct conf_obuf_limit *cls = obuf_class(c, argv[j]);
        if (!cls) {
            snprintf(why, wlen, "Invalid client class specified in buffer "
                     "limit configuration.");
            return APPLY_BAD;
        }
        /* Redis reads soft_seconds with strtoll into an int, so a value
         * past 32 bits wraps before the sign check, as there. */
        unsigned long long hard, soft;
        char *end;
        int secs = (int)strtoll(argv[j + 3], &end, 10);
        if (parse_mem(argv[j + 1], &hard) || parse_mem(argv[j + 2], &soft) ||
            *end != '\0' || secs < 0) {
            snprintf(why, wlen, "Error in hard, soft or soft_seconds setting "
                     "in buffer limit configuration.");
            return APPLY_BAD;
        }
        int k;
        for (k = 0; k < n && dst[k] != cls; k++)
            ;
        dst[k] = cls;
        val[k] = (struct conf_obuf_limit){ hard, soft, secs };
        if (k == n)
            n++;
    }
    for (int k = 0; k < n; k++)
        *dst[k] = val[k];
    return APPLY_OK;
}

static int apply_save(struct conf *c, size_t row, const char *const *argv,
                      int argc, struct load_ctx *ctx, char *why, size_t wlen)
{
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    if (argc & 1) {
        snprintf(why, wlen, "Invalid save parameters");
        return APPLY_BAD;
    }
    char **slot = defs[row].size ? (char **)field(c, &defs[row])
                                 : &c->noop[row];
    struct sbuf b = {0};
    int append = ctx && ctx->save_seen && argc > 0;
    if (append && *slot)
        sbuf_str(&b, *slot);
    sbuf_add(&b, "", 0);
    for (int j = 0; j < argc; j++) {
        char *end, num[24];
        long long v = strtoll(argv[j], &end, 10);
        if (*end != '\0' || v < ((j & 1) ? 0 : 1)) {
            free(b.p);
            snprintf(why, wlen, "Invalid save parameters");
            return APPLY_BAD;
        }
        /* Redis keeps the changes count in an int: checked before it is
         * truncated, shown truncated. */
        snprintf(num, sizeof(num), "%lld", (j & 1) ? (long long)(int)v : v);
        if (b.len)
            sbuf_add(&b, " ", 1);
        sbuf_str(&b, num);
    }
    if (b.oom) {
        free(b.p);
        return APPLY_NOMEM;
    }
    replace_str(slot, b.p);
    if (ctx)
        ctx->save_seen = 1;
    return APPLY_OK;
}

/* dir: Redis chdir()s into it, so the value must name a directory that
 * can be entered, the error is strerror's text, and a relative path starts
 * from the previous dir. Respite never changes directory: it keeps the
 * joined path, writes its snapshots under it, and format_value shows it
 * resolved as Redis's getcwd() would. */
static int apply_dir(struct conf *c, size_t row, const char *path,
                     char *why, size_t wlen)
{
    const struct conf_def *d = &defs[row];
    const char *prev = *(char **)field(c, d);
    struct sbuf b = {0};
    if (path[0] != '/' && prev) {
        sbuf_str(&b, prev);
        sbuf_add(&b, "/", 1);
    }
    sbuf_str(&b, path);
    if (b.oom) {
        free(b.p);
        return APPLY_NOMEM;
    }
    struct stat st;
    int err = 0;
    if (path[0] == '\0')
        err = ENOENT;
    else if (stat(b.p, &st) != 0)
        err = errno;
    else if (!S_ISDIR(st.st_mode))
        err = ENOTDIR;
    else if (access(b.p, X_OK) != 0)
        err = errno;
    if (err) {
        free(b.p);
        snprintf(why, wlen, "%s", strerror(err));
        return APPLY_BAD;
    }
    replace_str((char **)field(c, d), b.p);
    return APPLY_OK;
}

/* Appends a "user" directive (its name and rules, copied) to c->users;
 * ACL checks the rules when the server starts. */
static int apply_user(struct conf *c, const char *const *argv, int argc)
{
    struct conf_user *v = realloc(c->users, (size_t)(c->nusers + 1) *
                                                sizeof(*v));
    if (!v)
        return APPLY_NOMEM;
    c->users = v;
    char **copy = calloc((size_t)argc, sizeof(*copy));
    if (!copy)
        return APPLY_NOMEM;
    for (int i = 0; i < argc; i++) {
        copy[i] = dup_str(argv[i]);
        if (!copy[i]) {
            while (i-- > 0)
                free(copy[i]);
            free(copy);
            return APPLY_NOMEM;
        }
    }
    v[c->nusers++] = (struct conf_user){ copy, argc };
    return APPLY_OK;
}

/* A yes/no directive. */
/* Appends a "rename-command from to" (copied) to c->renames; which
 * commands exist is the server's to check. */
static int apply_rename(struct conf *c, const char *const *argv)
{
    struct conf_rename *v = realloc(c->renames, (size_t)(c->nrenames + 1) *
                                                    sizeof(*v));
    if (!v)
        return APPLY_NOMEM;
    c->renames = v;
    char *from = dup_str(argv[0]), *to = dup_str(argv[1]);
    if (!from || !to) {
        free(from);
        free(to);
        return APPLY_NOMEM;
    }
    v[c->nrenames++] = (struct conf_rename){ from, to, NULL };
    return APPLY_OK;
}

static int apply_bool(struct conf *c, size_t row, const char *arg,
                      char *why, size_t wlen)
{
    const struct conf_def *d = &defs[row];
    long long v;
    if (!strcasecmp(arg, "yes")) {
        v = 1;
    } else if (!strcasecmp(arg, "no")) {
        v = 0;
    } else {
        snprintf(why, wlen, "argument must be 'yes' or 'no'");
        return APPLY_BAD;
    }
    if (d->check && d->check(&v, why, wlen))
        return APPLY_BAD;
    return commit_num(c, row, v, 0);
}

/* A decimal integer directive within its row's range. */
static int apply_int(struct conf *c, size_t row, const char *arg, char *why,
                     size_t wlen)
{
    const struct conf_def *d = &defs[row];
    long long v;
    if (parse_ll(arg, &v)) {
        snprintf(why, wlen, "argument couldn't be parsed into an integer");
        return APPLY_BAD;
    }
    if (v < d->lo || (v > 0 && (unsigned long long)v > d->hi))
        return range_error(d, why, wlen);
    if (d->check && d->check(&v, why, wlen))
        return APPLY_BAD;
    return commit_num(c, row, v, 0);
}

/* An octal directive (unixsocketperm) within its row's range. */
static int apply_octal(struct conf *c, size_t row, const char *arg,
                       char *why, size_t wlen)
{
    const struct conf_def *d = &defs[row];
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 8);
    if (errno || *end != '\0') {
        snprintf(why, wlen, "argument couldn't be parsed as an octal "
                 "number");
        return APPLY_BAD;
    }
    if (v < d->lo || (v > 0 && (unsigned long long)v > d->hi))
        return range_error(d, why, wlen);
    return commit_num(c, row, v, 0);
}

/* A memory size ("100mb") within its row's range. */
static int apply_mem(struct conf *c, size_t row, const char *arg, char *why,
                     size_t wlen)
{
    const struct conf_def *d = &defs[row];
    unsigned long long u;
    if (parse_mem(arg, &u)) {
        snprintf(why, wlen, "argument must be a memory value");
        return APPLY_BAD;
    }
    if (u < (unsigned long long)d->lo || u > d->hi)
        return range_error(d, why, wlen);
    return commit_num(c, row, 0, u);
}

/* The index of arg among d's choices, any case, or -1. */
static int choice_of(const struct conf_def *d, const char *arg)
{
    for (int i = 0; d->choices[i]; i++)
        if (!strcasecmp(arg, d->choices[i]))
            return i;
    return -1;
}

/* Redis's error for a word that is none of d's choices. */
static int choices_error(const struct conf_def *d, char *why, size_t wlen)
{
    struct sbuf b = {0};
    sbuf_str(&b, "argument(s) must be one of the following: ");
    for (size_t i = 0; d->choices[i]; i++) {
        sbuf_str(&b, i ? ", " : "");
        sbuf_str(&b, d->choices[i]);
    }
    snprintf(why, wlen, "%s", b.oom ? "bad value" : b.p);
    free(b.p);
    return APPLY_BAD;
}

/* maxmemory-clients: a memory value, or a percentage of maxmemory ("10%",
 * 0 to 100) kept negative, as Redis keeps it. */
static int apply_mempct(struct conf *c, size_t row, const char *arg,
                        char *why, size_t wlen)
{
    size_t n = strlen(arg);
    long long v;
    unsigned long long u;
    if (n > 1 && n < 32 && arg[n - 1] == '%') {
        char num[32];
        memcpy(num, arg, n - 1);
        num[n - 1] = '\0';
        if (parse_ll(num, &v) == 0 && v >= 0) {
            if (v <= 100)
                return commit_num(c, row, -v, 0);
            snprintf(why, wlen, "percentage argument must be less or equal "
                     "to 100");
            return APPLY_BAD;
        }
    } else if (parse_mem(arg, &u) == 0 && u <= LLONG_MAX) {
        return commit_num(c, row, (long long)u, 0);
    }
    snprintf(why, wlen, "argument must be a memory or percent value");
    return APPLY_BAD;
}

/* One of the row's choices, any case; stored as the choice is spelt. */
static int apply_enum(struct conf *c, size_t row, const char *arg,
                      char *why, size_t wlen)
{
    const struct conf_def *d = &defs[row];
    int i = choice_of(d, arg);
    return i < 0 ? choices_error(d, why, wlen)
                 : commit_str(c, row, d->choices[i]);
}

/* One or more of the row's choices, any case, in any order, repeats
 * allowed (Redis's multi-argument enum): choices[0] is the empty set and
 * choices[i] sets bit i - 1 of the mask stored. */
static int apply_flags(struct conf *c, size_t row, const char *const *argv,
                       int argc, char *why, size_t wlen)
{
    const struct conf_def *d = &defs[row];
    long long mask = 0;
    if (argc == 0)
        return choices_error(d, why, wlen);
    for (int a = 0; a < argc; a++) {
        int i = choice_of(d, argv[a]);
        if (i < 0)
            return choices_error(d, why, wlen);
        if (i > 0)
            mask |= 1LL << (i - 1);
    }
    if (d->check && d->check(&mask, why, wlen))
        return APPLY_BAD;
    return commit_num(c, row, mask, 0);
}

/* notify-keyspace-events: class letters, stored in canonical form. */
static int apply_notify(struct conf *c, size_t row, const char *arg,
                        char *why, size_t wlen)
{
    char buf[32];
    int flags = notify_parse(arg);
    if (flags < 0) {
        snprintf(why, wlen, "Invalid event class character. Use "
                 "'Ag$lshzxeKEtmdn'.");
        return APPLY_BAD;
    }
    notify_format(flags, 0, buf);
    return commit_str(c, row, buf);
}

/* Parses, validates and stores one directive. On APPLY_BAD the reason, in
 * Redis's words, is in why; on any failure the old value is untouched. */
static int apply(struct conf *c, size_t row, const char *const *argv,
                 int argc, struct load_ctx *ctx, char *why, size_t wlen)
{
    const struct conf_def *d = &defs[row];
    if (!(d->flags & F_MULTI) && argc != 1)
        return APPLY_ARITY;

    switch (d->type) {
    case T_BOOL:
        return apply_bool(c, row, argv[0], why, wlen);
    case T_INT:
        return apply_int(c, row, argv[0], why, wlen);
    case T_OCTAL:
        return apply_octal(c, row, argv[0], why, wlen);
    case T_MEM:
        return apply_mem(c, row, argv[0], why, wlen);
    case T_MEMPCT:
        return apply_mempct(c, row, argv[0], why, wlen);
    case T_STR:
        return commit_str(c, row, argv[0]);
    case T_FNAME:
        if (check_fname(d, argv[0], why, wlen))
            return APPLY_BAD;
        return commit_str(c, row, argv[0]);
    case T_PTITLE:
        if (check_ptitle(c, argv[0], why, wlen))
            return APPLY_BAD;
        return commit_str(c, row, argv[0]);
    case T_DIR:
        return apply_dir(c, row, argv[0], why, wlen);
    case T_ENUM:
        return apply_enum(c, row, argv[0], why, wlen);
    case T_FLAGS:
        return apply_flags(c, row, argv, argc, why, wlen);
    case T_BIND:
        return apply_bind(c, argv, argc, why, wlen);
    case T_PCTL:
        return apply_pctl(c, row, argv, argc, why, wlen);
    case T_OOMADJ:
        return apply_oomadj(c, row, argv, argc, why, wlen);
    case T_OBUF:
        return apply_obuf(c, argv, argc, why, wlen);
    case T_NOTIFY:
        return apply_notify(c, row, argv[0], why, wlen);
    case T_SAVE:
        return apply_save(c, row, argv, argc, ctx, why, wlen);
    case T_IGNORE:
        return APPLY_OK;
    case T_USER:
        return argc == 0 ? APPLY_OK : apply_user(c, argv, argc);
    case T_RENAME:
        if (argc == 0)
            return APPLY_OK;    /* the default: none */
        return argc == 2 ? apply_rename(c, argv) : APPLY_ARITY;
    }
    return APPLY_BAD;
}

/* Returns the row of a directive name or alias, or -1. */
static int lookup(const char *name)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (!strcasecmp(name, defs[i].name) ||
            (defs[i].alias && !strcasecmp(name, defs[i].alias)))
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------------------
 * Public API
 * --------------------------------------------------------------------- */

/* Zeroes c, then applies every row's default through apply(), so defaults
 * obey the same rules as config files. Returns 0, or -1 on OOM with c left
 * empty (conf_close is still safe). */
int conf_init(struct conf *c)
{
    memset(c, 0, sizeof(*c));
    c->noop = calloc(NDEFS, sizeof(*c->noop));
    if (!c->noop)
        return -1;
    for (size_t i = 0; i < NDEFS; i++) {
        const struct conf_def *d = &defs[i];
        struct args a = {0};
        const char *one[1] = { d->def };
        const char *const *argv = one;
        int argc = 1, rc;
        char why[256];
        if (d->flags & F_MULTI) {
            if (split_spaces(d->def, &a) != 0) {
                conf_close(c);
                return -1;
            }
            argv = (const char *const *)a.v;
            argc = a.n;
        }
        rc = apply(c, i, argv, argc, NULL, why, sizeof(why));
        args_free(&a);
        if (rc != APPLY_OK) {
            conf_close(c);
            return -1;
        }
    }
    return 0;
}

/* Frees every string c owns and zeroes it. Safe on a zeroed struct and
 * after a failed conf_init. */
void conf_close(struct conf *c)
{
    for (int i = 0; i < c->nbind; i++)
        free(c->bind[i]);
    if (c->noop) {
        for (size_t i = 0; i < NDEFS; i++)
            free(c->noop[i]);
    }
    free(c->noop);
    for (size_t i = 0; i < NDEFS; i++) {
        const struct conf_def *d = &defs[i];
        if (d->size && is_str_type(d->type))
            free(*(char **)field(c, d));
    }
    for (int i = 0; i < c->nusers; i++) {
        for (int j = 0; j < c->users[i].argc; j++)
            free(c->users[i].argv[j]);
        free(c->users[i].argv);
    }
    free(c->users);
    for (int i = 0; i < c->nrenames; i++) {
        free(c->renames[i].from);
        free(c->renames[i].to);
        free(c->renames[i].where);
    }
    free(c->renames);
    memset(c, 0, sizeof(*c));
}

/* Applies the lines of the file at path. Returns 0, -1 when it cannot be
 * read ("path: reason" in err) or LINE_FAILED ("path:line: reason"). */
static int load_file(struct conf *c, const char *path, struct load_ctx *ctx,
                     char *err, size_t errlen);

/* "include pattern", as Redis 7.0 reads it: the files the pattern names
 * are applied where the line stands, in alphabetical order; a pattern
 * with wildcards may match nothing, a plain path must open. A relative
 * path is from the working directory, Redis's before it changes into
 * dir. Returns 0, -1 (reason not located: the include line's own), or
 * LINE_FAILED from a line of an included file. */
static int apply_include(struct conf *c, const char *const *argv, int argc,
                         struct load_ctx *ctx, char *reason, size_t rlen)
{
    if (argc != 1) {
        snprintf(reason, rlen, "wrong number of arguments for 'include'");
        return -1;
    }
    if (ctx->depth >= INCLUDE_DEPTH) {
        snprintf(reason, rlen, "include files nested more than %d deep "
                 "(does one include itself?)", INCLUDE_DEPTH);
        return -1;
    }
    const char *pattern = argv[0];
    glob_t g = {0};
    int rc = 0;
    ctx->depth++;
    if (!strpbrk(pattern, "*?[")) {
        rc = load_file(c, pattern, ctx, reason, rlen);
    } else {
        int grc = glob(pattern, 0, NULL, &g);
        if (grc == GLOB_NOSPACE) {
            snprintf(reason, rlen, "out of memory");
            rc = -1;
        } else if (grc == GLOB_ABORTED) {
            snprintf(reason, rlen, "%s: can't read a directory", pattern);
            rc = -1;
        }
        for (size_t i = 0; grc == 0 && rc == 0 && i < g.gl_pathc; i++)
            rc = load_file(c, g.gl_pathv[i], ctx, reason, rlen);
        globfree(&g);
    }
    ctx->depth--;
    return rc;
}

/* Applies one "name arg..." from a file or the command line; on failure
 * writes a reason without location into reason. */
static int apply_directive(struct conf *c, const char *name,
                           const char *const *argv, int argc,
                           struct load_ctx *ctx, char *reason, size_t rlen)
{
    char shown[64], why[256];
    if (!strcasecmp(name, "include"))
        return apply_include(c, argv, argc, ctx, reason, rlen);
    clip(shown, sizeof(shown), name);
    int row = lookup(name);
    if (row < 0) {
        for (size_t i = 0; unsupported[i]; i++) {
            if (!strcasecmp(name, unsupported[i])) {
                snprintf(reason, rlen, "'%s' is not supported", shown);
                return -1;
            }
        }
        snprintf(reason, rlen, "unknown directive '%s'", shown);
        return -1;
    }
    /* Like Redis 7.0, a directive taking several arguments given just one
     * non-empty one (`--save "900 1"`, `save "900 1"`) splits it as a
     * config line; unbalanced quotes there leave no argument at all. */
    struct args split = {0};
    if ((defs[row].flags & F_MULTI) && argc == 1 && argv[0][0]) {
        int rc = split_line(argv[0], &split);
        if (rc == SPLIT_NOMEM) {
            snprintf(reason, rlen, "out of memory");
            return -1;
        }
        if (rc == SPLIT_NUL) {
            snprintf(reason, rlen, "NUL byte (\\x00) in a value");
            return -1;
        }
        argv = (const char *const *)split.v;
        argc = split.n;
    }
    int rc = apply(c, (size_t)row, argv, argc, ctx, why, sizeof(why));
    args_free(&split);
    switch (rc) {
    case APPLY_OK:
        return 0;
    case APPLY_ARITY:
        snprintf(reason, rlen, "wrong number of arguments for '%s'", shown);
        return -1;
    case APPLY_NOMEM:
        snprintf(reason, rlen, "out of memory");
        return -1;
    default:
        snprintf(reason, rlen, "bad value for '%s': %s", shown, why);
        return -1;
    }
}

/* Records where the renames from index `from` on were read (path:lineno,
 * or the command line for a NULL path), but for those an included file
 * already placed: the server checks the names, and its error says where.
 * 0, or -1 on OOM. */
static int rename_origin(struct conf *c, int from, const char *path,
                         int lineno)
{
    char buf[PATH_MAX + 16];
    if (path)
        snprintf(buf, sizeof(buf), "%s:%d", path, lineno);
    else
        snprintf(buf, sizeof(buf), "command line");
    for (int i = from; i < c->nrenames; i++)
        if (!c->renames[i].where && !(c->renames[i].where = dup_str(buf)))
            return -1;
    return 0;
}

/* Applies the lines read from fp, named path in errors; load_file's
 * returns. */
static int load_lines(struct conf *c, FILE *fp, const char *path,
                      struct load_ctx *ctx, char *err, size_t errlen)
{
    char *line = NULL, reason[384];
    size_t cap = 0;
    int lineno = 0, rc = 0;
    while (getline(&line, &cap, fp) != -1) {
        lineno++;
        int renames = c->nrenames;
        char *s = line, *e = line + strlen(line);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
                         e[-1] == '\n'))
            *--e = '\0';
        if (*s == '#' || *s == '\0')
            continue;

        struct args a = {0};
        switch (split_line(s, &a)) {
        case SPLIT_QUOTES:
            snprintf(reason, sizeof(reason), "unbalanced quotes");
            rc = -1;
            break;
        case SPLIT_NUL:
            snprintf(reason, sizeof(reason), "NUL byte (\\x00) in a value");
            rc = -1;
            break;
        case SPLIT_NOMEM:
            snprintf(reason, sizeof(reason), "out of memory");
            rc = -1;
            break;
        default:
            if (a.n > 0)
                rc = apply_directive(c, a.v[0],
                                     (const char *const *)a.v + 1, a.n - 1,
                                     ctx, reason, sizeof(reason));
            if (rc == 0 && rename_origin(c, renames, path, lineno) != 0) {
                snprintf(reason, sizeof(reason), "out of memory");
                rc = -1;
            }
            break;
        }
        args_free(&a);
        if (rc == LINE_FAILED)
            snprintf(err, errlen, "%s", reason);
        else if (rc)
            snprintf(err, errlen, "%s:%d: %s", path, lineno, reason);
        if (rc) {
            rc = LINE_FAILED;
            break;
        }
    }
    if (rc == 0 && ferror(fp)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    return rc;
}

static int load_file(struct conf *c, const char *path, struct load_ctx *ctx,
                     char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: can't open: %s", path, strerror(errno));
        return -1;
    }
    int rc = load_lines(c, fp, path, ctx, err, errlen);
    fclose(fp);
    return rc;
}

/* Applies a redis.conf-style file, line by line. Returns 0, or -1 with
 * "path:line: reason" in err; lines before the bad one stay applied. */
int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen)
{
    struct load_ctx ctx = {0};
    return load_file(c, path, &ctx, err, errlen) ? -1 : 0;
}

static int is_main_flag(const char *s)
{
    return !strcmp(s, "--version") || !strcmp(s, "--help") ||
           !strcmp(s, "-v") || !strcmp(s, "-h");
}

/* Applies "[config-file] [--directive value...]" like redis-server: the
 * file first, then config lines from standard input when "-" is the first
 * or the last argument, then each directive in order, so the command line
 * wins. The
 * first token after a directive name is always a value (so "--requirepass
 * --x" works); later tokens starting with "--" begin the next directive.
 * "--port 7000" as one token is split like a config line. A bare "--save"
 * means save "". --version/--help/-v/-h are skipped: main() handles them.
 * Returns 0, or -1 with the reason in err. */
int conf_load_args(struct conf *c, int argc, char **argv, char *err,
                   size_t errlen)
{
    struct load_ctx ctx = {0};
    char reason[384];
    int i = 1, end = argc, from_stdin = 0;
    if (argc > 1 && !strcmp(argv[1], "-")) {
        from_stdin = 1;
        i = 2;
    } else if (argc > 1 && strncmp(argv[1], "--", 2) != 0 &&
               !is_main_flag(argv[1])) {
        if (load_file(c, argv[1], &ctx, err, errlen) != 0)
            return -1;
        i = 2;
    }
    if (end > i && !strcmp(argv[end - 1], "-")) {
        from_stdin = 1;
        end--;
    }
    if (from_stdin && load_lines(c, stdin, "(stdin)", &ctx, err, errlen))
        return -1;
    while (i < end) {
        const char *tok = argv[i];
        if (is_main_flag(tok)) {
            i++;
            continue;
        }
        if (strncmp(tok, "--", 2) != 0) {
            char shown[64];
            clip(shown, sizeof(shown), tok);
            snprintf(err, errlen, "command line: unexpected argument '%s' "
                     "(directives are written --name value)", shown);
            return -1;
        }
        struct args a = {0};
        int rc = split_line(tok + 2, &a);
        if (rc == SPLIT_OK && a.n == 0) {
            snprintf(err, errlen, "command line: empty directive name '--'");
            return -1;
        }
        if (rc != SPLIT_OK) {
            snprintf(err, errlen, "command line: %s in '%.40s'",
                     rc == SPLIT_NOMEM ? "out of memory" : "bad quoting",
                     tok);
            return -1;
        }
        i++;
        /* The first value may start with "--", except after a bare
         * "--save" (Redis reads "--save --port 1" as save ""). */
        if (a.n == 1 && i < end &&
            (strcasecmp(a.v[0], "save") || strncmp(argv[i], "--", 2))) {
            rc = args_push_copy(&a, argv[i], strlen(argv[i]));
            i++;
        }
        while (rc == 0 && i < end && strncmp(argv[i], "--", 2) != 0) {
            rc = args_push_copy(&a, argv[i], strlen(argv[i]));
            i++;
        }
        if (rc == 0 && a.n == 1 && !strcasecmp(a.v[0], "save"))
            rc = args_push_copy(&a, "", 0);
        if (rc != 0) {
            args_free(&a);
            snprintf(err, errlen, "command line: out of memory");
            return -1;
        }
        int renames = c->nrenames;
        rc = apply_directive(c, a.v[0], (const char *const *)a.v + 1,
                             a.n - 1, &ctx, reason, sizeof(reason));
        args_free(&a);
        if (rc == 0 && rename_origin(c, renames, NULL, 0) != 0) {
            snprintf(reason, sizeof(reason), "out of memory");
            rc = -1;
        }
        if (rc) {
            snprintf(err, errlen, "%s%s", rc == LINE_FAILED ? ""
                     : "command line: ", reason);
            return -1;
        }
    }
    return 0;
}

/* Deep-copies src into dst (which is overwritten). Returns 0, or -1 on OOM
 * with dst left empty. */
static int conf_copy(struct conf *dst, const struct conf *src)
{
    *dst = *src;
    dst->noop = NULL;
    dst->users = NULL;          /* start-up only: not carried over */
    dst->nusers = 0;
    dst->renames = NULL;
    dst->nrenames = 0;
    for (int i = 0; i < CONF_MAX_BIND; i++)
        dst->bind[i] = NULL;
    for (size_t i = 0; i < NDEFS; i++) {
        const struct conf_def *d = &defs[i];
        if (d->size && is_str_type(d->type))
            *(char **)field(dst, d) = NULL;
    }
    int nbind = dst->nbind;
    dst->nbind = 0;
    int oom = 0;
    for (int i = 0; i < nbind; i++) {
        dst->bind[i] = dup_str(src->bind[i]);
        oom |= dst->bind[i] == NULL;
        dst->nbind = i + 1;
    }
    dst->noop = calloc(NDEFS, sizeof(*dst->noop));
    oom |= dst->noop == NULL;
    for (size_t i = 0; i < NDEFS && !oom; i++) {
        const struct conf_def *d = &defs[i];
        const char *from = NULL;
        char **to = NULL;
        if (d->size == 0) {
            from = src->noop[i];
            to = &dst->noop[i];
        } else if (is_str_type(d->type)) {
            from = *(char *const *)cfield(src, d);
            to = (char **)field(dst, d);
        }
        if (from) {
            *to = dup_str(from);
            oom |= *to == NULL;
        }
    }
    if (oom) {
        conf_close(dst);
        return -1;
    }
    return 0;
}

static const char set_failed[] = "CONFIG SET failed (possibly related to "
                                 "argument '%s') - %s";

/* The first check of CONFIG SET, on the name alone: writes the error for
 * an unknown (or hidden), immutable or protected (unless protected_ok)
 * directive into err, the name shown as the client spelled it, and
 * returns -1 (unknown) or -2; else returns the row. */
static int set_row(const char *name, int protected_ok, char *err,
                   size_t errlen)
{
    char shown[64];
    int row = lookup(name);
    clip(shown, sizeof(shown), name);
    if (row < 0 || (defs[row].flags & F_HIDDEN)) {
        snprintf(err, errlen, "Unknown option or number of arguments for "
                 "CONFIG SET - '%s'", shown);
        return -1;
    }
    if (!(defs[row].flags & F_MUTABLE)) {
        snprintf(err, errlen, set_failed, shown, "can't set immutable config");
        return -2;
    }
    if ((defs[row].flags & F_PROTECTED) && !protected_ok) {
        snprintf(err, errlen, set_failed, shown, "can't set protected config");
        return -2;
    }
    return row;
}

/* Applies one CONFIG SET value to row; a directive that takes several
 * arguments gets the value split at single spaces. Errors name the
 * directive as Redis 7.0 does: in lower case, the alias if the client used
 * it. Returns 0, or -1 with err set. */
static int set_value(struct conf *c, int row, const char *name,
                     const char *const *args, int nargs, char *err,
                     size_t errlen)
{
    const struct conf_def *d = &defs[row];
    const char *shown = d->alias && !strcasecmp(name, d->alias) ? d->alias
                                                                : d->name;
    char why[256];
    struct args split = {0};
    if ((d->flags & F_MULTI) && nargs == 1) {
        if (split_spaces(args[0], &split) != 0) {
            snprintf(err, errlen, set_failed, shown, "out of memory");
            return -1;
        }
        args = (const char *const *)split.v;
        nargs = split.n;
    }
    int rc = apply(c, (size_t)row, args, nargs, NULL, why, sizeof(why));
    args_free(&split);
    switch (rc) {
    case APPLY_OK:
        return 0;
    case APPLY_ARITY:
        snprintf(err, errlen, set_failed, shown, "wrong number of arguments");
        return -1;
    case APPLY_NOMEM:
        snprintf(err, errlen, set_failed, shown, "out of memory");
        return -1;
    default:
        snprintf(err, errlen, set_failed, shown, why);
        return -1;
    }
}

/* One directive from already-split arguments. With runtime set, the CONFIG
 * SET rules apply (set_row); a single argument to a directive that takes
 * several is split on spaces either way. Returns 0, or -1 with err set; c
 * is unchanged on error. */
int conf_set(struct conf *c, const char *name, const char *const *args,
             int nargs, int runtime, char *err, size_t errlen)
{
    int row;
    if (runtime) {
        row = set_row(name, 0, err, errlen);
        if (row < 0)
            return -1;
    } else {
        row = lookup(name);
        if (row < 0) {
            char shown[64];
            clip(shown, sizeof(shown), name);
            snprintf(err, errlen, "Unknown option or number of arguments "
                     "for CONFIG SET - '%s'", shown);
            return -1;
        }
    }
    return set_value(c, row, name, args, nargs, err, errlen);
}

/* CONFIG SET name value [name value ...], Redis 7.0's configSetCommand:
 * every name is checked first, in order, and the first unknown, immutable,
 * protected or repeated one fails the command (a name and its alias are
 * two parameters there, so both may appear); then the values are applied
 * in order to a copy of c, which replaces c only if all of them succeed. */
int conf_set_many(struct conf *c, const char *const *names,
                  const char *const *values, int n, int protected_ok,
                  char *err, size_t errlen)
{
    return conf_set_many_checked(c, names, values, n, protected_ok, NULL,
                                 NULL, err, errlen);
}

/* See conf.h. */
int conf_set_many_checked(struct conf *c, const char *const *names,
                          const char *const *values, int n, int protected_ok,
                          conf_check_cb check, void *ctx, char *err,
                          size_t errlen)
{
    int *rows = calloc(n > 0 ? (size_t)n : 1, sizeof(*rows));
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rows[i] = set_row(names[i], protected_ok, err, errlen);
        if (rows[i] < 0) {
            rc = -1;
            break;
        }
        const struct conf_def *d = &defs[rows[i]];
        int alias = d->alias && !strcasecmp(names[i], d->alias);
        for (int j = 0; j < i; j++) {
            const struct conf_def *e = &defs[rows[j]];
            if (rows[j] == rows[i] &&
                alias == (e->alias && !strcasecmp(names[j], e->alias))) {
                char shown[64];
                clip(shown, sizeof(shown), names[i]);
                snprintf(err, errlen, set_failed, shown,
                         "duplicate parameter");
                rc = -1;
                break;
            }
        }
    }
    struct conf tmp;
    if (rc == 0 && conf_copy(&tmp, c) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (rc == 0) {
        for (int i = 0; i < n && rc == 0; i++)
            rc = set_value(&tmp, rows[i], names[i], &values[i], 1, err,
                           errlen);
        if (rc == 0 && check)
            rc = check(ctx, &tmp, err, errlen);
        if (rc == 0) {
            conf_close(c);
            *c = tmp;
        } else {
            conf_close(&tmp);
        }
    }
    free(rows);
    return rc;
}

/* Formats one row's value as CONFIG GET prints it; the result points into
 * c or into b and is valid until either changes. */
static const char *format_value(const struct conf *c, size_t row,
                                struct sbuf *b)
{
    const struct conf_def *d = &defs[row];
    char num[32];
    if (d->size == 0)
        return c->noop && c->noop[row] ? c->noop[row] : "";
    const void *p = cfield(c, d);
    switch (d->type) {
    case T_STR:
    case T_FNAME:
    case T_ENUM:
    case T_PCTL:
    case T_OOMADJ:
    case T_SAVE: {
        const char *s = *(char *const *)p;
        return s ? s : "";
    }
    case T_DIR: {
        /* As Redis's getcwd(): absolute, symbolic links resolved, "" if
         * the directory is gone. */
        const char *s = *(char *const *)p;
        char *abs = s ? realpath(s, NULL) : NULL;
        sbuf_str(b, abs ? abs : "");
        free(abs);
        break;
    }
    case T_NOTIFY: {
        const char *s = *(char *const *)p;
        int flags = s ? notify_parse(s) : 0;
        notify_format(flags < 0 ? 0 : flags, 1, num);
        sbuf_str(b, num);
        break;
    }
    case T_BIND:
        for (int i = 0; i < c->nbind; i++) {
            if (i)
                sbuf_add(b, " ", 1);
            sbuf_str(b, c->bind[i]);
        }
        break;
    case T_OBUF: {
        const struct { const char *name; const struct conf_obuf_limit *l; }
        cls[] = {
            { "normal", &c->obuf_normal },
            { "slave", &c->obuf_replica },
            { "pubsub", &c->obuf_pubsub },
        };
        for (size_t i = 0; i < 3; i++) {
            char one[96];
            snprintf(one, sizeof(one), "%s%s %llu %llu %lld", i ? " " : "",
                     cls[i].name, (unsigned long long)cls[i].l->hard,
                     (unsigned long long)cls[i].l->soft,
                     (long long)cls[i].l->soft_seconds);
            sbuf_str(b, one);
        }
        break;
    }
    case T_MEM:
        format_num(d, 0, *(const uint64_t *)p, num, sizeof(num));
        sbuf_str(b, num);
        break;
    case T_FLAGS: {
        int mask = *(const int *)p;
        if (!mask)
            sbuf_str(b, d->choices[0]);
        for (int i = 1; d->choices[i]; i++) {
            if (mask & (1 << (i - 1))) {
                sbuf_str(b, b->len ? " " : "");
                sbuf_str(b, d->choices[i]);
            }
        }
        break;
    }
    default: {
        long long v = d->size == sizeof(int) ? *(const int *)p
                                             : (long long)*(const int64_t *)p;
        format_num(d, v, 0, num, sizeof(num));
        sbuf_str(b, num);
        break;
    }
    }
    return b->oom || !b->p ? "" : b->p;
}

/* See conf.h. */
int conf_unlisted(const char *name)
{
    int row = lookup(name);
    return row >= 0 && (defs[row].flags & F_UNLISTED);
}

/* Calls cb for every visible directive in table order, and once more
 * under its alias right after it; values as CONFIG GET prints them. */
void conf_each(const struct conf *c, conf_visit_cb cb, void *ctx)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < NDEFS; i++) {
        const struct conf_def *d = &defs[i];
        if (d->flags & F_HIDDEN)
            continue;
        b.len = 0;
        b.oom = 0;
        if (b.p)
            b.p[0] = '\0';
        const char *v = format_value(c, i, &b);
        cb(ctx, d->name, v);
        if (d->alias)
            cb(ctx, d->alias, v);
    }
    free(b.p);
}

/* ------------------------------------------------------------------------
 * Config file lines (CONFIG REWRITE, conf/rewrite.c)
 * --------------------------------------------------------------------- */

/* Appends s as one config file token: bare when split_line reads it back
 * unchanged, else double-quoted with escapes; strings are always quoted,
 * as Redis writes them. */
static void add_token(struct sbuf *b, const char *s, int quote)
{
    int bare = !quote && *s;
    for (const char *p = s; bare && *p; p++)
        bare = isgraph((unsigned char)*p) && *p != '"' && *p != '\'';
    if (bare) {
        sbuf_str(b, s);
        return;
    }
    sbuf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '\\': sbuf_str(b, "\\\\"); break;
        case '"':  sbuf_str(b, "\\\""); break;
        case '\n': sbuf_str(b, "\\n"); break;
        case '\r': sbuf_str(b, "\\r"); break;
        case '\t': sbuf_str(b, "\\t"); break;
        case '\a': sbuf_str(b, "\\a"); break;
        case '\b': sbuf_str(b, "\\b"); break;
        default:
            if (isprint(*p)) {
                sbuf_add(b, (const char *)p, 1);
            } else {
                snprintf(esc, sizeof(esc), "\\x%02x", *p);
                sbuf_str(b, esc);
            }
        }
    }
    sbuf_add(b, "\"", 1);
}

/* A byte count as Redis's rewrite writes it: in the largest unit that
 * divides it exactly. */
static void add_bytes(struct sbuf *b, unsigned long long v)
{
    static const struct { const char *unit; unsigned long long n; } u[] = {
        { "gb", 1ULL << 30 }, { "mb", 1ULL << 20 }, { "kb", 1ULL << 10 },
    };
    char buf[32];
    snprintf(buf, sizeof(buf), "%llu", v);
    for (size_t i = 0; v && i < sizeof(u) / sizeof(u[0]); i++) {
        if (v % u[i].n == 0) {
            snprintf(buf, sizeof(buf), "%llu%s", v / u[i].n, u[i].unit);
            break;
        }
    }
    sbuf_str(b, buf);
}

/* Each space-separated word of s as a token; "" when there is none. */
static void add_words(struct sbuf *b, const char *s)
{
    if (!*s) {
        sbuf_str(b, "\"\"");
        return;
    }
    while (*s) {
        size_t n = strcspn(s, " ");
        char *word = strndup(s, n);
        if (!word) {
            b->oom = 1;
            return;
        }
        add_token(b, word, 0);
        free(word);
        s += n;
        while (*s == ' ')
            s++;
        if (*s)
            sbuf_add(b, " ", 1);
    }
}

/* "save S C" a pair, or save "" for none. */
static void add_save_lines(struct sbuf *b, const char *name, const char *s)
{
    unsigned long long secs, changes;
    int used, first = 1;
    while (sscanf(s, "%llu %llu%n", &secs, &changes, &used) == 2) {
        char line[96];
        snprintf(line, sizeof(line), "%s%s %llu %llu", first ? "" : "\n",
                 name, secs, changes);
        sbuf_str(b, line);
        s += used;
        first = 0;
    }
    if (first) {
        sbuf_str(b, name);
        sbuf_str(b, " \"\"");
    }
}

/* One line a class, named as Redis's rewrite names them. */
static void add_obuf_lines(struct sbuf *b, const char *name,
                           const struct conf *c)
{
    const struct { const char *cls; const struct conf_obuf_limit *l; }
    cls[] = {
        { "normal", &c->obuf_normal },
        { "replica", &c->obuf_replica },
        { "pubsub", &c->obuf_pubsub },
    };
    for (size_t i = 0; i < 3; i++) {
        char secs[32];
        snprintf(secs, sizeof(secs), " %lld\n",
                 (long long)cls[i].l->soft_seconds);
        sbuf_str(b, name);
        sbuf_add(b, " ", 1);
        sbuf_str(b, cls[i].cls);
        sbuf_add(b, " ", 1);
        add_bytes(b, cls[i].l->hard);
        sbuf_add(b, " ", 1);
        add_bytes(b, cls[i].l->soft);
        sbuf_str(b, secs);
    }
    if (!b->oom)
        b->p[--b->len] = '\0';    /* the last line's '\n' */
}

/* The lines that set row's current value in c, '\n'-separated, into b
 * (which must be empty); b->oom on OOM. */
static void file_lines(const struct conf *c, size_t row, struct sbuf *b)
{
    const struct conf_def *d = &defs[row];
    struct sbuf got = {0};
    const char *v = format_value(c, row, &got);
    if (d->type == T_SAVE) {
        add_save_lines(b, d->name, v);
    } else if (d->type == T_OBUF) {
        add_obuf_lines(b, d->name, c);
    } else {
        sbuf_str(b, d->name);
        sbuf_add(b, " ", 1);
        switch (d->type) {
        case T_MEMPCT:
            if (strchr(v, '%')) {
                sbuf_str(b, v);
                break;
            }
            /* fall through */
        case T_MEM:
            add_bytes(b, strtoull(v, NULL, 10));
            break;
        case T_STR:
        case T_FNAME:
        case T_DIR:
        case T_PTITLE:
        case T_NOTIFY:
            add_token(b, v, 1);
            break;
        default:
            add_words(b, v);
            break;
        }
    }
    b->oom |= got.oom;
    free(got.p);
}

static int has_line(const char *lines, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = lines;;) {
        if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
            return 1;
        p = strchr(p, '\n');
        if (!p)
            return 0;
        p++;
    }
}

/* client-output-buffer-limit's classes are separate slots, so that a
 * rewrite puts each class's line where the file set that class ("slave"
 * is replica's old name); NULL for a word that names no class. */
static const char *obuf_slot(const char *cls, size_t len)
{
    static const char *const slots[][2] = {
        { "normal", "client-output-buffer-limit normal" },
        { "replica", "client-output-buffer-limit replica" },
        { "slave", "client-output-buffer-limit replica" },
        { "pubsub", "client-output-buffer-limit pubsub" },
    };
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
        if (strlen(slots[i][0]) == len &&
            !strncasecmp(cls, slots[i][0], len))
            return slots[i][1];
    return NULL;
}

/* Calls cb for each line of now; a line is changed when the default
 * would not write it: for client-output-buffer-limit, whose lines are
 * separate classes, line by line, otherwise the lines as a whole. */
static int visit_lines(const struct conf_def *d, char *now, const char *was,
                       conf_line_cb cb, void *ctx)
{
    int same = !strcmp(now, was);
    for (char *line = now; line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int changed = d->type == T_OBUF ? !has_line(was, line) : !same;
        const char *slot = d->name;
        if (d->type == T_OBUF) {
            const char *cls = line + strlen(d->name) + 1;
            slot = obuf_slot(cls, strcspn(cls, " "));
            slot = slot ? slot : d->name;
        }
        /* dir always: a relative default means another directory when
         * the server starts elsewhere (Redis writes it always too). */
        if (d->type == T_DIR)
            changed = 1;
        if (cb(ctx, slot, line, changed) != 0)
            return -1;
        line = next;
    }
    return 0;
}

/* See conf.h. */
int conf_each_line(const struct conf *c, conf_line_cb cb, void *ctx)
{
    struct conf dflt;
    if (conf_init(&dflt) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < NDEFS && rc == 0; i++) {
        if (defs[i].flags & F_HIDDEN)
            continue;
        struct sbuf now = {0}, was = {0};
        file_lines(c, i, &now);
        file_lines(&dflt, i, &was);
        /* A dir that is gone has no line to give: leave it out. */
        if (now.oom || was.oom)
            rc = -1;
        else if (!(defs[i].type == T_DIR && !strcmp(now.p, "dir \"\"")))
            rc = visit_lines(&defs[i], now.p, was.p, cb, ctx);
        free(now.p);
        free(was.p);
    }
    conf_close(&dflt);
    return rc;
}

/* See conf.h. */
const char *conf_line_directive(const char *line)
{
    struct args a = {0};
    if (split_line(line, &a) != SPLIT_OK || a.n == 0)
        return NULL;
    int row = lookup(a.v[0]);
    /* Of the directives never rewritten, only users' lines are replaced
     * (by the caller's); the others stay as they are. */
    const char *slot = row >= 0 && (!(defs[row].flags & F_HIDDEN) ||
                                    defs[row].type == T_USER)
                           ? defs[row].name : NULL;
    if (slot && defs[row].type == T_OBUF && a.n > 1) {
        const char *cls = obuf_slot(a.v[1], strlen(a.v[1]));
        slot = cls ? cls : slot;
    }
    args_free(&a);
    return slot;
}
