/* conf.h - configuration: defaults, parsing of a redis.conf-style file and
 * of "--directive value..." arguments, validation, and the CONFIG GET/SET
 * view of every directive. Produces one plain struct; no sockets, no libuv.
 *
 * Ownership: struct conf owns every string in it; conf_close() frees them. */
#ifndef RESPITE_CONF_H
#define RESPITE_CONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_BIND 16

struct conf_obuf_limit {
    uint64_t hard, soft;       /* bytes; 0 = none */
    int64_t soft_seconds;
};

/* shutdown-on-sigint / shutdown-on-sigterm words, as SHUTDOWN's. */
enum {
    CONF_SHUTDOWN_SAVE = 1,
    CONF_SHUTDOWN_NOSAVE = 2,
    CONF_SHUTDOWN_NOW = 4,
    CONF_SHUTDOWN_FORCE = 8,
};

struct conf {
    char *bind[CONF_MAX_BIND];
    int nbind;                  /* 0 after bind "": all interfaces */
    int port;                   /* 0 = no TCP listener */
    char *unixsocket;           /* NULL = none */
    int unixsocketperm;         /* octal, 0 = leave as created */
    int databases;
    int shards;
    int hz;
    int64_t active_expire_budget_us;
    char *requirepass;          /* NULL = none */
    char *acl_pubsub_default;   /* "resetchannels" or "allchannels" */
    int64_t acllog_max_len;     /* ACL LOG entries kept */
    char *aclfile;              /* NULL = none (ACL LOAD/SAVE) */
    /* "user" directives in order: each a name and its ACL rules (owned).
     * Read once at start-up; a copy made for CONFIG SET has none. */
    struct conf_user {
        char **argv;
        int argc;
    } *users;
    int nusers;
    /* "rename-command" directives in order (owned): the command named
     * from answers to to from then on, or to nothing when to is "". Read
     * once at start-up (server/commands.c); a copy has none. */
    struct conf_rename {
        char *from, *to;
        char *where;            /* "file:line" or "command line", for
                                   the server's error; or NULL */
    } *renames;
    int nrenames;
    int64_t maxclients;
    int64_t busy_poll_us;       /* 0 = off (server/busypoll.c) */
    int64_t timeout;            /* idle client timeout, seconds, 0 = never */
    int64_t busy_reply_threshold; /* ms a script runs before the others get
                                     -BUSY (server/script_busy.c); 0 never */
    int64_t rdb_key_save_delay; /* us slept after each key saved (tests) */
    int64_t tcp_keepalive;
    int64_t tcp_backlog;
    uint64_t proto_max_bulk_len;
    uint64_t client_query_buffer_limit;
    struct conf_obuf_limit obuf_normal, obuf_pubsub;
    struct conf_obuf_limit obuf_replica; /* accepted and shown, unused */
    uint64_t maxmemory;         /* 0 = no limit (server/maxmemory.c) */
    char *maxmemory_policy;     /* noeviction, allkeys-lru... */
    int64_t maxmemory_samples;  /* keys sampled a choice (lru, ttl) */
    int64_t maxmemory_eviction_tenacity; /* eviction time a command, 0-100 */
    int64_t maxmemory_clients;  /* bytes, -percent of maxmemory; 0 = off */
    int64_t lfu_log_factor;     /* LFU counter growth (store/lfu.c) */
    int64_t lfu_decay_time;     /* minutes a counter decrement, 0 = never */
    int64_t tracking_table_max_keys; /* CLIENT TRACKING's table, 0 = no limit */
    char *loglevel;             /* debug verbose notice warning */
    char *logfile;              /* "" = stderr */
    char *notify_keyspace_events; /* canonical class letters */
    int64_t slowlog_log_slower_than; /* us; 0 logs everything, -1 nothing */
    int64_t slowlog_max_len;    /* entries the slow log keeps */
    int64_t latency_monitor_threshold; /* ms; 0 = the monitor is off */
    int latency_tracking;       /* per-command latency histograms */
    char *latency_tracking_info_percentiles; /* "50 99 99.9", "" = none */
    int64_t stream_max_entries;  /* retention: entries a stream keeps, 0 off */
    int64_t stream_retention_ms; /* retention: max entry age by ID, 0 off */
    int daemonize;              /* only "no" is supported */
    char *dir;
    /* RDB snapshots (server/persist.c): the "seconds changes" pairs as
     * CONFIG GET shows them ("" = none), and the file's options. */
    char *save;
    char *dbfilename;           /* loaded at start-up, written by saves */
    int stop_writes_on_bgsave_error;
    int rdbcompression;
    int rdbchecksum;
    /* What SIGINT and SIGTERM do: CONF_SHUTDOWN_* flags, 0 = "default". */
    int shutdown_on_sigint;
    int shutdown_on_sigterm;
    char *enable_debug_command; /* no, yes, or local (loopback clients) */
    int crash_log_enabled;      /* a report in the log on a fatal signal */
    char *enable_module_command;    /* the same for MODULE LOAD / UNLOAD */
    char *enable_protected_configs; /* ... for CONFIG SET of dir, dbfilename */
    /* Compact encodings' limits, the *-max-listpack-* directives. */
    int64_t hash_max_listpack_entries;
    uint64_t hash_max_listpack_value;
    int64_t list_max_listpack_size;
    int64_t set_max_listpack_entries;
    int64_t set_max_intset_entries;
    uint64_t set_max_listpack_value;
    int64_t zset_max_listpack_entries;
    uint64_t zset_max_listpack_value;
    uint64_t hll_sparse_max_bytes;      /* sparse HyperLogLog size limit */
    int64_t stream_node_max_entries;    /* where a stream's block ends */
    uint64_t stream_node_max_bytes;
    /* Private to conf/: values of the Redis directives accepted as no-ops
     * (encodings, persistence...), kept as CONFIG GET prints them. */
    char **noop;
};

/* Fills c with every default. Returns 0, or -1 on OOM. */
int conf_init(struct conf *c);
/* Frees everything c owns and zeroes it; safe twice or on a zeroed c. */
void conf_close(struct conf *c);

/* Applies a config file. On error returns -1 and writes
 * "file:line: reason" into err. */
int conf_load_file(struct conf *c, const char *path, char *err, size_t errlen);
/* Applies "respite [config-file] [--directive value ...]" arguments
 * (argv[0] is the program name). A first argument not starting with "--"
 * is the config file, loaded before the directives. On error returns -1
 * with the reason in err. */
int conf_load_args(struct conf *c, int argc, char **argv, char *err,
                   size_t errlen);

/* Sets one directive from already-split arguments; a single argument to a
 * directive that takes several (bind, save, client-output-buffer-limit) is
 * split at single spaces, as CONFIG SET does. runtime != 0 applies CONFIG
 * SET's rules: unknown, immutable and protected (dir, dbfilename) names are
 * refused. Those that can change: requirepass, maxclients, timeout,
 * tcp-keepalive, hz, active-expire-budget-us, notify-keyspace-events,
 * slowlog-log-slower-than, slowlog-max-len,
 * proto-max-bulk-len, client-query-buffer-limit, client-output-buffer-limit,
 * maxmemory, loglevel and most no-op Redis directives; the caller re-reads
 * the struct (e.g. re-arms the sweeper timer after hz changes).
 * Returns 0, or -1 with Redis-style reason text in err (without "ERR ");
 * c is unchanged on error. */
int conf_set(struct conf *c, const char *name, const char *const *args,
             int nargs, int runtime, char *err, size_t errlen);

/* CONFIG SET name value [name value ...] (n pairs, NUL-terminated, borrowed)
 * with Redis 7.0's rules: all names are checked first and the first
 * unknown, immutable, protected (unless protected_ok, which the caller
 * takes from enable-protected-configs) or repeated one is reported; then every
 * value is applied, in order, and c changes only if all of them apply (all
 * or nothing). Returns 0, or -1 with the reply text in err (without "ERR "). */
int conf_set_many(struct conf *c, const char *const *names,
                  const char *const *values, int n, int protected_ok,
                  char *err, size_t errlen);

/* The same, with a last say for the caller: check sees the configuration
 * as it would be after every pair applied (and before c changes), and may
 * refuse it by returning -1 with the reply text in err, as Redis's apply
 * functions do for what the running server cannot have (more clients than
 * the open-files limit allows). */
typedef int (*conf_check_cb)(void *ctx, const struct conf *next, char *err,
                             size_t errlen);
int conf_set_many_checked(struct conf *c, const char *const *names,
                          const char *const *values, int n, int protected_ok,
                          conf_check_cb check, void *ctx, char *err,
                          size_t errlen);

/* Visits every directive, in table order, with its current value
 * formatted as CONFIG GET prints it (the caller filters by pattern). The
 * value string is valid only during the call. */
typedef void (*conf_visit_cb)(void *ctx, const char *name, const char *value);
void conf_each(const struct conf *c, conf_visit_cb cb, void *ctx);
/* Whether CONFIG GET shows name only when asked for it by its exact name,
 * not to a pattern (Redis's hidden configs: rdb-key-save-delay). */
int conf_unlisted(const char *name);

/* Visits every directive a config file can set (not "user", not the
 * deprecated ones), in table order, one call a line that sets its current
 * value ("name arg...", quoted so that a load reads it back; save and
 * client-output-buffer-limit take several lines). slot is what the line
 * sets: the directive's name, or for client-output-buffer-limit the name
 * and the class ("client-output-buffer-limit pubsub"). changed says the
 * defaults, or base unless it is NULL, would not write that line; dir
 * counts as changed always. cb returns 0, or -1 to stop. Returns 0, or -1
 * on OOM or when cb stopped. */
typedef int (*conf_line_cb)(void *ctx, const char *slot, const char *line,
                            int changed);
int conf_each_line(const struct conf *c, const struct conf *base,
                   conf_line_cb cb, void *ctx);

/* The slot (as conf_each_line's) a config file line sets, the canonical
 * name for an alias ("user" is one; a client-output-buffer-limit line
 * setting several classes is its first class's), or NULL for a comment, a
 * blank line, a line that does not parse, and the directives a rewrite
 * leaves as they are (rename-command, deprecated ones). */
const char *conf_line_directive(const char *line);

/* CONFIG REWRITE (conf/rewrite.c): rewrites the config file at path so
 * that loading it gives c's values, keeping its comments and layout.
 * user_lines ("user name rules...", n of them) replace the file's user
 * lines; NULL drops them (an aclfile holds the users). The new file
 * replaces the old by rename, with the old one's mode, or overwrites it
 * when rename cannot (no file can be made in its directory, or it is a
 * mount point); a symbolic link is followed. Returns
 * 0, or -1 with the reason (strerror's) in err. */
int conf_rewrite(const struct conf *c, const char *path,
                 const char *const *user_lines, int n, char *err,
                 size_t errlen);

#endif
