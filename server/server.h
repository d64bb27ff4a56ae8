/* server.h - the daemon's shared types: the one struct server, the client,
 * the command table entry, and the helpers every command handler uses to
 * read arguments and write replies. Private to server/.
 *
 * Threading: everything runs on the one libuv loop thread. */
#ifndef RESPITE_SERVER_H
#define RESPITE_SERVER_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "conf/conf.h"
#include "protocol/resp.h"
#include "store/store.h"
#include "server/busypoll.h"
#include "server/maxmemory.h"
#include "server/persist.h"
#include "server/prefault.h"
#include "server/premap.h"
#include "server/release.h"
#include "server/slowlog.h"
#include "server/latency.h"
#include "server/peaks.h"
#include "server/rates.h"

#define RESPITE_VERSION "0.1.0"
#define REDIS_COMPAT_VERSION "7.4.0"

/* ---- Commands ---------------------------------------------------------- */

struct client;
struct acl;
struct acl_user;
struct server;
struct tracking;
struct tracking_client;
typedef void (*cmd_proc)(struct client *c);

enum cmd_flags {
    CMD_WRITE = 1 << 0,      /* may modify the keyspace */
    CMD_READONLY = 1 << 1,
    CMD_FAST = 1 << 2,
    CMD_PUBSUB = 1 << 3,     /* allowed in RESP2 subscribed mode */
    CMD_NOAUTH = 1 << 4,     /* allowed before AUTH */
    CMD_NOMULTI = 1 << 5,    /* runs at once even inside MULTI (EXEC...) */
    CMD_ADMIN = 1 << 6,
    CMD_LOADING = 1 << 7,
    CMD_STALE = 1 << 8,
    CMD_NOSCRIPT = 1 << 9,
    CMD_DENYOOM = 1 << 10,
    CMD_SKIP_STATS = 1 << 11,
    CMD_BLOCKING = 1 << 12,  /* may block the client (BLPOP...) */
    CMD_MAY_REPLICATE = 1 << 13, /* neither read nor write, yet Redis
                                    propagates it (PUBLISH): refused to a
                                    MONITOR client like a keyspace one */
    CMD_SKIP_SLOWLOG = 1 << 14,  /* never in the slow log (EXEC: its
                                    commands are, one by one) */
    CMD_SCRIPT_FLAGS = 1 << 15,  /* a script's shebang decides write,
                                    denyoom, stale (EVAL...: script.c) */
    CMD_REFUSED_IN_MULTI = 1 << 16, /* Redis's no_multi: an error, not
                                       queued, inside MULTI (SHUTDOWN) */
    CMD_PROTECTED = 1 << 17,     /* Redis's protected (DEBUG, MODULE LOAD):
                                    refused, unless allowed, before auth;
                                    not shown by COMMAND, as in Redis */
};

struct command {
    const char *name;        /* upper case */
    cmd_proc proc;
    int arity;               /* Redis's: n exact, -n at least n */
    unsigned flags;
    int first_key, last_key, key_step;   /* as COMMAND INFO reports */
    const char *group;       /* "string", "generic", "connection", ... */
    const char *since;       /* Redis version that introduced it */
    const char *summary;     /* one line, for COMMAND DOCS */
    const struct subcommand_table *subs;   /* a container's, else NULL */
};

/* The script or function running, while one runs (script_busy.c). */
struct script_run {
    struct client *caller;   /* whose EVAL or FCALL; NULL between runs */
    const struct scripting *eng;   /* the engine running it */
    const char *name;        /* the script's SHA-1 or the function's name */
    uint64_t start_ns;       /* when it started, on uv_hrtime()'s clock */
    uint64_t next_serve_ns;  /* while busy, the sockets' next poll */
    int function;            /* an FCALL's, not an EVAL's */
    int busy;                /* past busy-reply-threshold: the server now
                                answers others, with -BUSY but for a few */
    int kill;                /* SCRIPT KILL or FUNCTION KILL stops it */
};

/* Per-command counters for INFO commandstats, indexed like the table. */
struct command_stats {
    uint64_t calls, rejected, failed;
    uint64_t nsec;           /* summed in ns: most calls take under 1 us */
    /* Run-time histogram (latency.h), allocated on the first call while
     * latency-tracking is on, freed by CONFIG RESETSTAT; hist_on is the
     * same while tracking is on and NULL while it is off, so client_call
     * tests one pointer (cmd_latency.c). */
    uint64_t *hist, *hist_on;
    /* To 64 bytes: a power of two keeps &cmdstats[i] a shift, one
     * instruction of every command's budget. */
    uint64_t unused[2];
};

/* A container command's subcommand (CONFIG GET, CLIENT ID...). */
struct subcommand {
    const char *name;        /* upper case */
    cmd_proc proc;
    int arity;               /* counts the container too: CONFIG GET is -3 */
    unsigned flags;          /* added to the container's (CMD_DENYOOM);
                                Redis's own for MONITOR: CMD_ADMIN (not
                                shown), CMD_WRITE, CMD_READONLY */
};

/* A container's subcommands, which its table entry names, so dispatch
 * refuses an unknown one or a wrong arity before queueing it in MULTI, as
 * Redis does. */
struct subcommand_table {
    const struct subcommand *subs;
    size_t n;
};

/* A slot of srv->cmd_index: a table entry, the name it answers to (upper
 * case; another after rename-command) and that name's length. */
struct command_slot {
    const struct command *cmd;          /* NULL: empty */
    const char *name;
    size_t len;
};

/* Builds srv->cmd_index, with the rename-command directives applied, and
 * the counters; returns 0, or -1 with the reason in err (OOM, or a bad
 * rename-command as Redis words it). */
int command_index_init(struct server *srv, char *err, size_t errlen);
/* Frees what command_index_init built. */
void command_index_close(struct server *srv);
/* 0 when rename-command took cmd's name away with nothing in its place:
 * COMMAND's lists leave it out, as Redis's do. */
int command_answers(const struct server *srv, const struct command *cmd);
/* The counters of c's command: a container's subcommand's own, or NULL
 * when argv[1] names none (Redis counts such a call nowhere). */
struct command_stats *command_stats_of(const struct client *c);
/* The counters of cmd itself (a container's, not its subcommands'). */
struct command_stats *command_stats_of_cmd(struct server *srv,
                                           const struct command *cmd);
/* Exact, case-insensitive lookup; NULL when unknown. */
const struct command *command_lookup(const struct server *srv,
                                     const char *name, size_t len);
/* cmd's subcommand named name[0..len), any case; NULL when it has none
 * of that name. */
const struct subcommand *subcommand_in(const struct command *cmd,
                                       const char *name, size_t len);
/* The command the call argv[0..argc) runs, as Redis looks one up for
 * scripts and ACL DRYRUN: argv[0], and for a container given argv[1] its
 * subcommand (*sub, else NULL); NULL when either is unknown. */
const struct command *command_of_call(const struct server *srv,
                                      size_t argc, const char *const *argv,
                                      const size_t *argvlen,
                                      const struct subcommand **sub);
/* The command a full name names, as Redis's lookups by name take it:
 * "get", or "config|get" with *sub its subcommand (else *sub is NULL);
 * NULL when either part is unknown. Any case. */
const struct command *command_lookup_full(const struct server *srv,
                                          const char *name, size_t len,
                                          const struct subcommand **sub);
/* The table and its size, for COMMAND and INFO. */
const struct command *command_table(size_t *n);
/* The subcommand of t that argv[1] names; NULL, after replying the
 * unknown subcommand or arity error as Redis words them, when there is
 * none. */
const struct subcommand *subcommand_check(struct client *c,
                                          const struct subcommand_table *t);
/* The subcommand of c's command that argv[1] names, any case; NULL for
 * a command without subcommands, or none named. */
const struct subcommand *subcommand_of(const struct client *c);
/* Runs the subcommand of t that argv[1] names, or replies the error. */
void subcommand_dispatch(struct client *c, const struct subcommand_table *t);
/* Redis's ACL category i ("keyspace", "read"...) in the order ACL CAT
 * lists them, NULL past the last (cmd_command.c). */
const char *command_acl_category_name(size_t i);
/* The ACL categories of cmd, or of its subcommand sc when not NULL: bit i
 * for command_acl_category_name(i). */
uint32_t command_acl_category_mask(const struct command *cmd,
                                   const struct subcommand *sc);

/* ---- Clients ----------------------------------------------------------- */

enum client_flags {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0,  /* QUIT, protocol error */
    CLIENT_CLOSING = 1 << 1,            /* uv_close requested */
    CLIENT_MULTI = 1 << 2,
    CLIENT_DIRTY_CAS = 1 << 3,          /* a WATCHed key changed */
    CLIENT_DIRTY_EXEC = 1 << 4,         /* a command failed to queue */
    CLIENT_REPLY_OFF = 1 << 5,
    CLIENT_REPLY_SKIP_NEXT = 1 << 6,
    CLIENT_REPLY_SKIP = 1 << 7,
    CLIENT_PENDING_WRITE = 1 << 8,      /* on srv->pending_write */
    CLIENT_PENDING_READ = 1 << 9,       /* unparsed input, on pending_read */
    CLIENT_UNIX = 1 << 10,
    CLIENT_RUN_PAUSED = 1 << 11,        /* output over its limit: its
                                           commands wait (client.c) */
    CLIENT_INPUT_FULL = 1 << 12,        /* unrun input over its limit */
    CLIENT_READING = 1 << 13,           /* uv_read_start is in effect */
    CLIENT_BLOCKED = 1 << 14,           /* waits on keys (blocking.c) */
    CLIENT_MONITOR = 1 << 15,           /* on srv->monitors (monitor.c) */
    CLIENT_NO_EVICT = 1 << 16,          /* CLIENT NO-EVICT ON (recorded) */
    CLIENT_POSTPONED = 1 << 17,         /* waits out a CLIENT PAUSE (pause.c) */
    CLIENT_SCRIPT = 1 << 18,            /* runs a script's commands */
    CLIENT_NO_TOUCH = 1 << 19,          /* CLIENT NO-TOUCH ON (Redis 7.2) */
};

/* A queued MULTI command: argv copied into one allocation. */
struct queued_cmd {
    const struct command *cmd;
    unsigned flags;                     /* client_cmd_flags when queued */
    size_t argc;
    char **argv;
    size_t *argvlen;
    size_t bytes;                       /* the allocation argv points to */
};

struct watched_key {
    int db;
    int expired;                        /* held but past its time at WATCH */
    size_t klen;
    char *key;                          /* owned */
};

struct client {
    struct server *srv;
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    struct client *prev, *next;         /* srv->clients */
    struct client *pw_next;             /* srv->pending_write list */
    struct client *pr_next;             /* srv->pending_read list */
    uint64_t id;
    unsigned flags;
    int proto;                          /* 2 or 3 */
    int db;
    int authed;
    int script_debug;                   /* SCRIPT_DEBUG_*: the next EVAL's */
    unsigned repl;                      /* REPL_*: what REPLCONF asked */
    char *name;                         /* CLIENT SETNAME, owned, or NULL */
    uint64_t nerrors;                   /* error replies (reply_error) */
    char *lib_name, *lib_ver;           /* CLIENT SETINFO, owned, or NULL */
    char addr[64], laddr[64];
    /* Created; last read, write or command (Redis's lastinteraction:
     * CLIENT LIST's idle=, the idle timeout). */
    int64_t ctime_ms, last_ms;
    uint64_t unblocked_turn;            /* srv->loop_turns + 1 at unblock */
    const struct command *last_cmd;     /* CLIENT LIST cmd=, or NULL */
    const struct subcommand *last_sub;  /* its subcommand, or NULL */

    struct resp_reader reader;
    struct resp_out out;                /* replies being gathered */
    struct resp_out wbuf;               /* frozen while a uv_write runs */
    size_t wbuf_sent;                   /* wbuf bytes uv_try_write took */
    int writing;                        /* a uv_write on wbuf is in flight */
    uv_write_t wreq;

    /* The command being run: borrowed from the reader (or a MULTI queue). */
    size_t argc;
    const char **argv;
    const size_t *argvlen;
    const struct command *cmd;

    struct queued_cmd *mqueue;
    size_t mcount, mcap;
    size_t mbytes;                      /* the queued commands' copies */
    struct watched_key *watched;
    size_t nwatched;
    struct pubsub_client *ps;           /* subscriptions, see pubsub.c */
    struct blocked *blocked;            /* while CLIENT_BLOCKED, blocking.c */
    struct client *mon_prev, *mon_next; /* srv->monitors, if CLIENT_MONITOR */
    /* While CLIENT_POSTPONED: the command that waits, copied, and the
     * next client on srv->postponed. */
    struct queued_cmd postponed;
    struct client *pp_next;
    /* Arguments of the running command that MONITOR and the slow log show
     * as "(redacted)" (AUTH's, HELLO's AUTH pair): bit i for argument i,
     * bit 63 for 63 and beyond. Set by the handler, cleared by
     * client_call. */
    uint64_t redacted;
    /* ns the blocked command has run so far (its first run and reruns),
     * for its slow log entry when it is unblocked. */
    uint64_t block_ns;
    struct tracking_client *trk;        /* CLIENT TRACKING state (tracking.c) */
    struct acl_user *user;              /* who it runs as (acl.h), never NULL */
    size_t mem_walked;                  /* client_memory at client eviction's
                                           last walk, 0 if none since */
};

/* The flags EVAL's script declares in its shebang, applied to flags as
 * Redis 7.0 does; flags unchanged for a script without one (script.c). */
unsigned script_cmd_flags(const struct client *c, unsigned flags);

/* The flags of c's command in dispatch, its subcommand's added: XGROUP
 * CREATE may add data (CMD_DENYOOM), XGROUP DESTROY may not; a script's
 * as its shebang says: "#!lua" may write, "flags=no-writes" may not. */
static inline unsigned client_cmd_flags(const struct client *c)
{
    unsigned f = c->cmd->flags | (c->last_sub ? c->last_sub->flags : 0);
    return (f & CMD_SCRIPT_FLAGS) ? script_cmd_flags(c, f) : f;
}

/* ---- The server --------------------------------------------------------- */

#define SERVER_MAX_LISTENERS (CONF_MAX_BIND + 1)

/* Which database a store's callbacks (expired, evicted) report for. */
struct db_ctx {
    struct server *srv;
    int db;
};

struct server {
    uv_loop_t *loop;
    struct conf conf;
    struct store **db;                  /* conf.databases of them */
    uv_stream_t *listeners[SERVER_MAX_LISTENERS];
    int nlisteners;
    uv_timer_t sweeper;
    uv_prepare_t flusher;
    uv_idle_t reader_idle;
    struct busypoll busypoll;           /* polls on before sleeping */
    uv_signal_t sigterm, sigint;
    int shutting_down;

    struct client *clients;             /* all connected */
    struct client *pending_write;
    struct client *pending_read;
    size_t nclients;
    size_t nwatching;                   /* clients with WATCHed keys */
    uint64_t loop_turns;                /* flush passes (prepare) so far */
    uint64_t next_client_id;

    /* INFO commandstats: command_table()'s counters, then each
     * container's subcommands' (Redis 7 counts "config|get" apart);
     * sub_stats[i] is where command i's subcommands' start. */
    struct command_stats *cmdstats;
    size_t ncmdstats;
    size_t *sub_stats;
    struct command_slot *cmd_index;     /* open-addressing, see commands.c */
    const char **cmd_names;             /* per table row, see commands.c */
    size_t cmd_index_mask;
    int64_t clock_offset_ms;            /* DEBUG JUMP-CLOCK, tests only */
    /* uv_hrtime() when the last command's call ended (client_call), and
     * the same in ms once a top-level command is done (dispatch): the
     * keyspace clock is at least that, see server_now_ms. */
    uint64_t call_end_ns;
    uint64_t call_end_ms;
    int active_expire_off;              /* DEBUG SET-ACTIVE-EXPIRE 0 */
    int sweep_db;                       /* where the next tick starts */
    int sweep_hurry;                    /* ticking fast to clear a backlog */
    struct db_ctx *db_ctx;              /* expired-callback context per db */
    struct maxmemory maxmem;            /* eviction state (maxmemory.c) */
    struct release release;             /* gives the stores' pages back */
    struct prefault *prefault;          /* faults memory in ahead; or NULL */
    struct premap *premap;              /* maps tables ahead; or NULL */
    char executable[256], config_file[PATH_MAX];
    char unix_path[PATH_MAX];           /* the unix socket bound, "" none */
    int64_t start_ms;
    uint64_t stat_commands, stat_connections, stat_rejected_conn;
    uint64_t stat_expired, stat_hits, stat_misses, stat_net_in, stat_net_out;
    uint64_t stat_reads, stat_writes;   /* socket reads and write attempts */
    uint64_t stat_sweep_capped;         /* sweeps that spent their budget */
    uint64_t stat_evicted_clients;      /* by maxmemory-clients */
    int clients_over_logged;            /* client eviction could not help */
    size_t clients_mem;                 /* client eviction's last walk's sum */
    int64_t idle_checked_ms;            /* client_cron's last walk */
    uint64_t stat_errors;
    size_t mem_peak;                    /* most used_memory seen by a tick */
    size_t mem_startup;                 /* used_memory once started */
    /* INFO errorstats: error replies counted by code (their first word),
     * kept in byte order, the order Redis's rax lists them in. */
    struct error_stat {
        char code[32];
        uint64_t count;
    } errorstats[32];
    size_t nerrorstats;
    uint64_t dirty;                     /* writes since the last save */
    struct persist persist;             /* SAVE, BGSAVE (persist.c) */
    int child;                          /* this is a forked child (fork.c) */
    uint64_t forks;                     /* total_forks (fork.c) */
    uint64_t fork_usec;                 /* latest_fork_usec */
    /* Children that took a client over (server_fork_client). */
    struct forked {
        struct forked_child {
            pid_t pid;
            const char *what;           /* static: for the log */
        } *v;
        size_t n, cap;
    } forked;
    struct pubsub *pubsub;              /* channels, patterns (pubsub.c) */
    struct blocking *blocking;          /* blocked clients (blocking.c) */
    struct client *monitors;            /* MONITOR clients, or NULL */
    /* CLIENT PAUSE (pause.c): PAUSE_NONE, _WRITE or _ALL until
     * pause_end_ms (uv_now's clock); the postponed clients in order. */
    int pause_type;
    uint64_t pause_end_ms;
    uv_timer_t pause_timer;
    struct client *postponed, *postponed_tail;
    size_t npostponed;
    struct slowlog slowlog;
    /* slowlog-log-slower-than in ns, UINT64_MAX when off (negative), so
     * client_call tests one comparison. */
    uint64_t slowlog_threshold_ns;
    struct latency_monitor latency;     /* LATENCY's events (cmd_latency.c) */
    /* latency-monitor-threshold in ns, UINT64_MAX when off; observe_ns is
     * the smaller of it and slowlog_threshold_ns, what client_call tests. */
    uint64_t latency_threshold_ns, observe_ns;
    struct rates rates;                 /* INFO's instantaneous_* */
    struct peaks client_peaks;          /* INFO's client_recent_max_* */
    struct scripting *scripting;        /* Lua and its cache (script.c) */
    struct functions *functions;        /* FUNCTION's libraries (function.c) */
    struct script_run script_run;       /* the one running (script_busy.c) */
    int notify_mask;                    /* notify-keyspace-events bits */
    /* Client-side caching (tracking.c): its state, allocated with the
     * first tracking client, and how many track now (0: no hook runs). */
    struct tracking *tracking;
    size_t tracking_clients;
    /* The client whose top-level command is being dispatched
     * (client_dispatch), NULL between commands (expiry by the sweeper);
     * in_call: its handler is running (not the checks before it, where
     * maxmemory evicts). */
    struct client *current_client;
    int in_call;
    /* Who is changing a key (server_key_modified): a command, or the
     * server expiring or evicting it (main.c's and maxmemory.c's
     * callbacks), which Redis's tracking counts as nobody's change. */
    int key_origin;
    char run_id[41];
    struct acl *acl;                    /* users, ACL LOG (acl.c) */
    /* The default user is off or has a password: a new connection must
     * authenticate (acl_user_changed keeps it). */
    int auth_required;
    /* A CLIENT NO-TOUCH client's command is running: store_set_touch(0)
     * on every database (commands.c). */
    int keys_no_touch;
    char readbuf[64 * 1024];            /* libuv reads here; see client.c */
};

/* Wall clock in Unix ms as the keyspace sees it (includes the test offset). */
int64_t server_now_ms(const struct server *srv);
/* The database the client has SELECTed. */
struct store *client_db(struct client *c);
/* srv->key_origin's values. */
enum { KEY_BY_COMMAND, KEY_BY_SERVER };
/* Records that a key changed (WATCH invalidation, dirty counter).
 * Every write handler calls it once per key it modified. */
void server_key_modified(struct server *srv, int db, const char *key,
                         size_t klen);
/* server_key_modified without the dirty count: a second key of a command
 * Redis counts as one write (RENAME, MOVE, LMOVE). */
void server_key_signal(struct server *srv, int db, const char *key,
                       size_t klen);
/* Redis's dirty counter (INFO rdb_changes_since_last_save, the save
 * points) counts HSET's pairs, SADD's new members, pushes, pops and
 * removals one by one: the n - 1 changes of a key beyond the one its
 * server_key_modified counted. */
void server_dirty_elements(struct server *srv, uint64_t n);
/* Whole-database change (FLUSHDB, FLUSHALL, SWAPDB): db < 0 means all.
 * with >= 0 is the database whose keys db takes over (SWAPDB): a key
 * watched in db and present in either counts as modified. The caller
 * counts the dirty changes (keys flushed, or one SWAPDB). */
void server_db_modified(struct server *srv, int db, int with);
/* Swaps databases a and b (SWAPDB). */
void server_db_swap(struct server *srv, int a, int b);
/* Acts on configuration that changed at run time (CONFIG SET). */
void server_conf_applied(struct server *srv);
/* Descriptors the server keeps beside its clients' (Redis's
 * CONFIG_MIN_RESERVED_FDS). */
#define SERVER_RESERVED_FDS 32
/* Raises the open-files limit so that maxclients clients fit beside the
 * server's own descriptors, as far as the OS lets it (Redis's
 * adjustOpenFilesLimit). Returns maxclients when they fit, else how many
 * do (< 1 when none), with the setrlimit errno in *why. */
int64_t server_fdlimit_fit(int64_t maxclients, int *why);
/* Zeroes the INFO stats counters (CONFIG RESETSTAT). */
void server_reset_stats(struct server *srv);
/* Starts the active expiry timer (sweeper.c). Returns 0 or a libuv error. */
int sweeper_start(struct server *srv);
/* Re-arms the timer if hz changed (CONFIG SET). */
void sweeper_configure(struct server *srv);
/* Samples the counters behind INFO's instantaneous_* (rates.h) and the
 * clients' largest buffers (peaks.h), every RATES_PERIOD_MS; the sweeper
 * calls it every tick. */
void server_stats_tick(struct server *srv);
/* Stream retention for one sweeper tick (retention.c): streams visited. */
size_t stream_retention_step(struct server *srv, uint64_t budget_us);
/* fork(2) for a child that does one job and leaves with _exit (fork.c
 * says what the child lets go of): in it, keep (or NULL) is the only
 * connection left open. Returns as fork does; counted in INFO and the
 * latency monitor when it succeeds. */
pid_t server_fork(struct server *srv, struct client *keep);
/* server_fork for a child that takes c's connection over (what, static,
 * names its job in the log): in the parent the child is watched and c
 * handed off (client_hand_off). Returns as fork does. */
pid_t server_fork_client(struct server *srv, struct client *c,
                         const char *what);
/* The sweeper's tick: reaps the watched children that ended. */
void server_fork_reap(struct server *srv);
/* Shutdown: kills the watched children and waits for them. */
void server_fork_kill_all(struct server *srv);
/* Frees the watch list (exit). */
void server_fork_close(struct server *srv);
/* Writes buf[0..n) to fd outside libuv, waiting up to timeout_ms at a
 * time for a full non-blocking socket to take more (fdio.c): 0, or an
 * errno (ETIMEDOUT when it took nothing that long). */
int server_write_all(int fd, const void *buf, size_t n, int timeout_ms);
/* How long a reader of a snapshot may take nothing before it counts as
 * gone (Redis's repl-timeout). */
#define SERVER_STALL_MS 60000
/* Starts an orderly shutdown (SHUTDOWN, SIGTERM). */
void server_shutdown(struct server *srv);
void server_log(const struct server *srv, char level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Where a file directive's name is: as given when absolute, else joined to
 * dir (in buf, cap bytes), since Redis changes into dir and opens them
 * there (logfile, unixsocket, aclfile); NULL for NULL or "". */
const char *server_dir_path(const struct server *srv, const char *name,
                            char *buf, size_t cap);

/* Client lifecycle and I/O (client.c). */
void client_close(struct client *c);
/* c's connection now belongs to a forked child: the server lets go of it
 * as Redis frees such a client. Its output is dropped, nothing more is
 * read or run, and the server's side closes after the current command. */
void client_hand_off(struct client *c);
/* Reply bytes c has gathered and not yet handed to the socket: what the
 * output limits measure, and CLIENT LIST's omem (Redis's reply_bytes). */
static inline size_t client_output_pending(const struct client *c)
{
    return c->out.len + c->wbuf.len - c->wbuf_sent;
}
/* Gives c a turn to run its input on the next pass of the loop (a
 * postponed client, when a pause ends). */
void client_wake(struct client *c);
/* Queues the client for the flush before the loop blocks. */
void client_mark_write(struct client *c);
/* Gives every connected client the request limits now configured. */
void client_apply_limits_all(struct server *srv);
/* Lets a client that was blocked run its buffered input again and
 * queues its reply (blocking.c). */
void client_resume(struct client *c);
/* Writes out what the client has gathered (called by the prepare handle). */
void client_flush(struct client *c);
/* A client's memory as CLIENT LIST's tot-mem and client eviction count
 * it: its struct, its buffers' capacity, its unread input and its MULTI
 * queue. */
size_t client_memory(const struct client *c);
/* CLIENT LIST's multi-mem: the MULTI queue and the commands in it. */
size_t client_multi_memory(const struct client *c);
/* maxmemory-clients: while the clients' memory is at or over the limit,
 * closes the evictable clients, largest first (Redis's client eviction).
 * Called before the loop sleeps. */
void client_evict_for_memory(struct server *srv);
/* The same before c's command runs, when c's memory now may take the
 * clients over the limit (its arguments count). 1 if c itself was
 * closed: the command must not run. */
int client_evicted_before_call(struct client *c);
/* Once a second (sweeper tick): closes the clients idle for more than
 * `timeout` seconds and the subscribers over client-output-buffer-limit. */
void client_cron(struct server *srv);
void server_on_connection(uv_stream_t *listener, int status);

/* listen.c: opens the listeners of srv->conf (TCP at every bind address,
 * the unixsocket); -1, logged, when one fails or there are none. */
int server_listen(struct server *srv);
/* Closes every listener and unlinks the unix socket's file. */
void server_unlisten(struct server *srv);
/* CONFIG SET bind / port: moves the TCP listeners to next's addresses and
 * port; if that fails, reopens the old ones, writes Redis's message to
 * err and returns -1. 0 when moved or nothing changed. */
int server_listen_move(struct server *srv, const struct conf *next,
                       char *err, size_t errlen);
/* While a script is busy (script_busy.c), the loop is not running: these
 * accept a connection waiting on listener, read what client c sent (if
 * client_readable_now) and run it as the loop would, and give the
 * clients with more requests buffered their next turn and write every
 * pending reply. */
void client_accept_now(struct server *srv, uv_stream_t *listener);
int client_readable_now(const struct client *c);
void client_read_now(struct client *c);
void client_run_turn(struct server *srv);
void server_on_prepare(uv_prepare_t *h);
void server_on_idle(uv_idle_t *h);
/* "ip:port" of a socket address ("[v6]:port" is not used: Redis prints
 * v6 addresses bare too). */
void server_format_addr(const struct sockaddr *sa, char *buf, size_t cap);

/* Transactions (multi.c). */
/* Frees the MULTI queue and leaves MULTI state. */
void client_multi_reset(struct client *c);
/* Queues c->argv for EXEC (copied) and replies +QUEUED. */
void client_multi_queue(struct client *c);
/* Copies c's command (cmd, flags, argv) into q, one allocation, which
 * free(q->argv) releases. Returns 0, or -1 on OOM. */
int client_cmd_save(const struct client *c, struct queued_cmd *q);
/* Forgets every WATCHed key. */
void client_unwatch_all(struct client *c);
/* Distinct (db, key) pairs WATCHed by any client: INFO total_watched_keys
 * (Redis 7.4's). On allocation failure, the sum over clients. */
size_t client_watched_keys_total(const struct server *srv);
/* Runs one parsed command: lookup, arity, auth, MULTI queueing, call. */
void client_dispatch(struct client *c);

/* Connection state (cmd_conn.c). */
/* Whether c must authenticate first: the default user is off or has a
 * password and c has not authenticated (Redis's authRequired, so making
 * the default user nopass lets in a connection that never authenticated,
 * and a password again shuts it out). */
static inline int client_auth_required(const struct client *c)
{
    return !c->authed && c->srv->auth_required;
}
/* Appends c's CLIENT LIST line, its newline too, to out (ACL LOG). */
void client_info_text(struct resp_out *out, const struct client *c);
/* Mutes c->out while CLIENT REPLY OFF or SKIP is in force or c is to
 * close after its reply, unmutes it otherwise. Inline, as the two below
 * run for every command. */
static inline void client_reply_mode_apply(struct client *c)
{
    c->out.muted = (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP |
                                CLIENT_CLOSE_AFTER_REPLY)) != 0;
}
/* c's command is done (answered, or served after it blocked): a CLIENT
 * REPLY SKIP in force ends. */
static inline void client_reply_done(struct client *c)
{
    c->flags &= ~(unsigned)CLIENT_REPLY_SKIP;
    client_reply_mode_apply(c);
}
/* Whether an enable-*-command / enable-protected-configs value ("no",
 * "yes", "local") lets c through: "local" admits unix-socket clients and
 * those from 127.0.0.1 or ::1 only, as Redis's islocalClient. */
int client_enabled_by(const struct client *c, const char *mode);
/* Unmutes c->out for a pub/sub frame, unless c is to close after its
 * reply; returns the mute to put back after the frame. */
int client_push_unmute(struct client *c);
/* Calls the handler with stats; used by dispatch and EXEC. */
void client_call(struct client *c);
/* Shows argument i of the running command as "(redacted)" to MONITOR and
 * in the slow log (AUTH's password). */
static inline void client_redact_arg(struct client *c, size_t i)
{
    c->redacted |= (uint64_t)1 << (i < 63 ? i : 63);
}

/* CLIENT PAUSE (pause.c). */
enum { PAUSE_NONE, PAUSE_WRITE, PAUSE_ALL };
/* Prepares the pause timer. */
void pause_init(struct server *srv);
/* 1 if a CLIENT PAUSE holds c's command back (dispatch, after every
 * other check, as in Redis); it is then copied and c waits. */
int pause_postpones(struct client *c);
/* Once no pause holds c, hands its postponed command to *out (owned:
 * free(out->argv) after running it) and returns 1; 0 while it waits. */
int pause_take_postponed(struct client *c, struct queued_cmd *out);
/* CLIENT PAUSE and CLIENT UNPAUSE (subcommands of CLIENT). */
void client_pause(struct client *c);
void client_unpause(struct client *c);
/* Forgets c's postponed command (disconnection). */
void pause_client_gone(struct client *c);
/* The clients waiting out a pause (INFO blocked_clients counts them, as
 * in Redis 7.0). */
static inline size_t pause_postponed_count(const struct server *srv)
{
    return srv->npostponed;
}

/* MONITOR (monitor.c). */
/* Sends c's command, which just ran, to every MONITOR client, unless it
 * is one Redis keeps from them (admin commands such as CONFIG SET). */
void monitor_feed(struct client *c);
/* Takes c off the MONITOR list (RESET, disconnection); no-op otherwise. */
void monitor_stop(struct client *c);

/* Slow log (cmd_slowlog.c). */
/* Records c's command, argc/argv/argvlen (borrowed), which ran for ns,
 * if that is at least slowlog-log-slower-than and the command is one
 * Redis logs. */
void slowlog_command(struct client *c, size_t argc, const char *const *argv,
                     const size_t *argvlen, uint64_t ns);
/* Re-reads slowlog-log-slower-than (start-up, CONFIG SET). */
void slowlog_configure(struct server *srv);

/* Latency monitor and tracking (cmd_latency.c). */
/* Re-reads the latency-* directives (start-up, CONFIG SET), after
 * slowlog_configure. */
void latency_configure(struct server *srv);
/* Records ns for ev when it reaches latency-monitor-threshold. */
void latency_event(struct server *srv, enum latency_event ev, uint64_t ns);
/* client_call's slow path for st: the first sample of a histogram not
 * yet allocated, when tracking is on. */
__attribute__((cold)) void
latency_track_first(struct server *srv, struct command_stats *st, uint64_t ns);
/* Records a blocked command's run time ns as it is unblocked (served or
 * CLIENT UNBLOCK, as Redis 7.0; not on a timeout). */
void latency_track_unblocked(struct server *srv, const struct command *cmd,
                             uint64_t ns);
/* Frees the histograms (CONFIG RESETSTAT, before the counters are
 * zeroed) and, with all, the monitor's events too (shutdown). */
void latency_free(struct server *srv, int all);
/* INFO latencystats' lines (not its header), appended to o. */
void latency_info(struct resp_out *o, const struct server *srv);

/* ---- Replies ------------------------------------------------------------
 * Handlers write with resp_add_*(&c->out, ...) and report errors through
 * reply_error(), the one place that knows every error text a client sees
 * (reply.c). */

/* struct client's repl: what REPLCONF asked of the SYNC to come. */
enum {
    REPL_CAPA_EOF = 1 << 0,             /* takes "$EOF:<mark>" streams */
    REPL_RDB_ONLY = 1 << 1,             /* wants the snapshot only */
    REPL_FUNCTIONS_ONLY = 1 << 2,       /* and in it, no keys */
};

/* struct client's script_debug: what SCRIPT DEBUG asked of the next
 * EVAL (YES: a session in a forked child; SYNC: on the server itself). */
enum {
    SCRIPT_DEBUG_OFF,
    SCRIPT_DEBUG_SYNC,
    SCRIPT_DEBUG_FORK,
};

enum reply_err {
    ERR_SYNTAX,              /* ERR syntax error */
    ERR_NOT_INT,             /* ERR value is not an integer or out of range */
    ERR_NOT_FLOAT,           /* ERR value is not a valid float */
    ERR_OVERFLOW,            /* ERR increment or decrement would overflow */
    ERR_INCR_NAN,            /* ERR increment would produce NaN or Infinity */
    ERR_WRONGTYPE,
    ERR_NO_SUCH_KEY,
    ERR_INVALID_EXPIRE,      /* (const char *lowercase command name) */
    ERR_DB_INDEX,            /* ERR DB index is out of range */
    ERR_OOM,
    ERR_NOAUTH,
    ERR_WRONGPASS,
    ERR_AUTH_NOPASS,         /* AUTH <password> called without any password configured */
    ERR_ARITY,               /* (const char *lowercase name) */
    ERR_UNKNOWN_CMD,         /* (int len, const char *name, const char *args) */
    ERR_UNKNOWN_SUBCMD,      /* (int len, const char *sub, const char *CMD) */
    ERR_STRING_TOO_LONG,     /* string exceeds maximum allowed size (proto-max-bulk-len) */
    ERR_OFFSET_RANGE,        /* offset is out of range */
    ERR_NESTED_MULTI,        /* MULTI calls can not be nested */
    ERR_EXEC_NO_MULTI,       /* EXEC without MULTI */
    ERR_DISCARD_NO_MULTI,    /* DISCARD without MULTI */
    ERR_WATCH_IN_MULTI,      /* WATCH inside MULTI is not allowed */
    ERR_NOT_IN_MULTI,        /* Command not allowed inside a transaction */
    ERR_SSUBSCRIBE_IN_EXEC,  /* SSUBSCRIBE isn't allowed for a DENY ... */
    ERR_EXECABORT,
    ERR_SAME_OBJECT,         /* source and destination objects are the same */
    ERR_NOPROTO,
    ERR_TIMEOUT_NEG,         /* timeout is negative */
    ERR_TIMEOUT_NOT_FLOAT,   /* timeout is not a float or out of range */
    ERR_TIMEOUT_NOT_INT,     /* timeout is not an integer or out of range */
    ERR_BIT_OFFSET,
    ERR_SELECT_NOT_ALLOWED,
    ERR_INVALID_CURSOR,      /* invalid cursor */
    ERR_PUBSUB_CONTEXT,      /* (const char *lowercase command name) */
    ERR_EXECABORT_BECAUSE,   /* (const char *reason) */
    ERR_CLIENT_NAME,
    ERR_PROTO_VERSION,
    ERR_HELLO_NOAUTH,
    ERR_HELLO_OPTION,        /* (ARGV_CLIPPED) */
    ERR_INVALID_CLIENT_ID,
    ERR_CLIENT_ID_POSITIVE,
    ERR_CLIENT_MAXAGE_INT,   /* maxage is not an integer or out of range */
    ERR_CLIENT_MAXAGE_POSITIVE, /* maxage should be greater than 0 */
    ERR_CLIENT_TYPE,         /* (ARGV_CLIPPED) */
    ERR_NO_SUCH_CLIENT,
    ERR_NO_SUCH_USER,        /* (ARGV_CLIPPED) */
    ERR_SETINFO_OPTION,      /* (ARGV_CLIPPED) */
    ERR_SETINFO_CHARS,       /* (const char *"lib-name" or "lib-ver") */
    ERR_INT_RANGE,           /* a DB index beyond int */
    ERR_EXPIRE_NX_XX,
    ERR_EXPIRE_GT_LT,
    ERR_UNSUPPORTED_OPTION,  /* (int len, const char *option) */
    ERR_DECR_OVERFLOW,
    ERR_NO_SHUTDOWN,
    ERR_SHUTDOWN_FAILED,
    ERR_BGSAVE_RUNNING,      /* Background save already in progress */
    ERR_BARE,                /* ERR (Redis's shared.err: a failed SAVE) */
    ERR_MISCONF,             /* PERSIST_MISCONF */
    ERR_DEBUG_DISABLED,
    ERR_SWAPDB_INDEX,        /* (const char *"first" or "second") */
    ERR_CONFIG,              /* (const char *conf's reason) */
    ERR_SUBCMD_ARGS,         /* (ARGV_CLIPPED, const char *CMD) */
    ERR_RL_NOT_STATE,        /* key does not hold rate limiter state */
    ERR_RL_ARG,              /* (const char *arg, long long min, long long max) */
    ERR_RL_COST,             /* (const char *"COST" or "quantity") above burst */
    ERR_RL_ALGO,             /* ALGO must be gcra, fixed or sliding */
    ERR_DIGEST_LEN,          /* must be exactly 16 hexadecimal characters */
    ERR_DELEX_TYPE,          /* Key should be of string type if conditions... */
    ERR_DELEX_COND,          /* Invalid condition. Use IFEQ, IFNE, ... */
    ERR_HASH_NOT_INT,        /* hash value is not an integer */
    ERR_HASH_NOT_FLOAT,      /* hash value is not a float */
    ERR_NAN_INF,             /* value is NaN or Infinity */
    ERR_LONG_RANGE,          /* value must between -LONG_MAX and LONG_MAX */
    ERR_VALUE_RANGE,         /* value is out of range */
    ERR_NOT_POSITIVE,        /* value is out of range, must be positive */
    ERR_ZERO_OR_ONE,         /* value must between 0 and 1 (WAITAOF) */
    ERR_WAITAOF_NO_AOF,      /* WAITAOF ... numlocal ... appendonly disabled */
    ERR_NUMKEYS_ZERO,        /* numkeys should be greater than 0 */
    ERR_NUMKEYS_ARGS,        /* Number of keys can't be greater than ... */
    ERR_NUMKEYS_NEG,         /* Number of keys can't be negative */
    /* Scripting (cmd_script.c, script.c). */
    ERR_NOSCRIPT,            /* NOSCRIPT No matching script. ... */
    ERR_NOTBUSY,             /* NOTBUSY No scripts in execution right now. */
    ERR_BUSY_SCRIPT,         /* BUSY ... You can only call SCRIPT KILL ... */
    ERR_BUSY_FUNCTION,       /* BUSY ... You can only call FUNCTION KILL ... */
    ERR_UNKILLABLE,          /* UNKILLABLE ... already executed write ... */
    ERR_SCRIPT_FLUSH_MODE,   /* SCRIPT FLUSH only support SYNC|ASYNC option */
    ERR_SCRIPT_RO_WRITE_FLAG, /* Can not execute a script with write flag ... */
    ERR_SCRIPT_DEBUG_MODE,   /* Use SCRIPT DEBUG YES/SYNC/NO */
    ERR_SCRIPT_DEBUG_PIPELINE, /* SCRIPT DEBUG must be called outside ... */
    ERR_SCRIPT_DEBUG_FORK,   /* Fork() failed: can't run EVAL ...: %s */
    ERR_REPLCONF_OPTION,     /* Unrecognized REPLCONF option: %s */
    ERR_REPLCONF_FILTER,     /* Unsupported rdb-filter-only option: %s */
    ERR_SYNC_PENDING,        /* SYNC and PSYNC are invalid with pending ... */
    ERR_SYNC_NOT_RDB_ONLY,   /* SYNC without REPLCONF rdb-only 1 */
    ERR_SYNC_FORK,           /* the snapshot's fork failed: %s */
    ERR_SCRIPT_DEBUG_EVALSHA, /* Please use EVAL instead of EVALSHA ... */
    ERR_SHEBANG_ENGINE,      /* (int len, const char *word) */
    ERR_SHEBANG_OPTION,      /* (int len, const char *word) */
    ERR_SHEBANG_FLAG,        /* (int len, const char *flag) */
    ERR_SHEBANG_INVALID,     /* Invalid script shebang */
    ERR_LIMIT_NEG,           /* LIMIT can't be negative */
    /* Functions (function.c, cmd_function.c). */
    ERR_FN_NOT_FOUND,        /* Function not found */
    ERR_FN_NUMKEYS,          /* Bad number of keys provided */
    ERR_FN_LIB_NOT_FOUND,    /* Library not found */
    ERR_FN_LIB_EXISTS,       /* (int len, const char *name) quoted */
    ERR_FN_LIB_EXISTS_RESTORE, /* (int len, const char *name) unquoted */
    ERR_FN_EXISTS,           /* (int len, const char *name) */
    ERR_FN_NO_METADATA,      /* Missing library metadata */
    ERR_FN_BAD_METADATA,     /* Invalid library metadata */
    ERR_FN_NO_NAME,          /* Library name was not given */
    ERR_FN_NAME_TWICE,       /* ... name argument was given multiple times */
    ERR_FN_METADATA_VALUE,   /* (int len, const char *value) */
    ERR_FN_BAD_NAME,         /* Library names can only contain letters, ... */
    ERR_FN_ENGINE,           /* (int len, const char *engine) */
    ERR_FN_NONE_REGISTERED,  /* No functions registered */
    ERR_FN_LOAD_OPTION,      /* (ARGV_CLIPPED option) */
    ERR_FN_LIST_ARG,         /* (ARGV_CLIPPED argument) */
    ERR_FN_LIST_NO_LIB,      /* library name argument was not given */
    ERR_FN_FLUSH_MODE,       /* FUNCTION FLUSH only supports SYNC|ASYNC */
    ERR_FN_RESTORE_POLICY,   /* Wrong restore policy given, ... */
    ERR_FN_PAYLOAD,          /* DUMP payload version or checksum are wrong */
    ERR_FN_NOT_FUNCTION,     /* given type is not a function */
    ERR_FN_LOAD_NAME,        /* Failed loading library name */
    ERR_FN_LOAD_PAYLOAD,     /* Failed loading library payload */
    ERR_FN_LOAD_ENGINE,      /* Failed loading engine name */
    ERR_FN_LOAD_DESC_FLAG,   /* Failed loading library description indicator */
    ERR_FN_LOAD_DESC,        /* Failed loading library description */
    ERR_FN_LOAD_BLOB,        /* Failed loading library blob */
    /* Sorted sets (cmd_zset.c, cmd_zsetops.c). */
    ERR_ZADD_NX_XX,          /* XX and NX options at the same time... */
    ERR_ZADD_GT_LT_NX,       /* GT, LT, and/or NX options at the same time... */
    ERR_ZADD_INCR_PAIR,      /* INCR option supports a single ... pair */
    ERR_ZSET_NAN,            /* resulting score is not a number (NaN) */
    ERR_ZRANGE_FLOAT,        /* min or max is not a float */
    ERR_ZRANGE_LEX,          /* min or max not valid string range item */
    ERR_ZRANGE_LIMIT,        /* syntax error, LIMIT is only supported ... */
    ERR_ZRANGE_LEX_SCORES,   /* syntax error, WITHSCORES not supported ... */
    ERR_ZSET_NUMKEYS,        /* (const char *lowercase command name) */
    ERR_ZSET_WEIGHT,         /* weight value is not a float */
    ERR_COUNT_POSITIVE,      /* count should be greater than 0 */
    /* Geospatial (cmd_geo.c). */
    ERR_GEO_LONLAT,          /* (double lon, double lat) invalid pair */
    ERR_GEO_UNIT,            /* unsupported unit provided. ... */
    ERR_GEO_MEMBER,          /* could not decode requested zset member */
    ERR_GEO_RADIUS,          /* need numeric radius */
    ERR_GEO_WIDTH,           /* need numeric width */
    ERR_GEO_HEIGHT,          /* need numeric height */
    ERR_GEO_RADIUS_NEG,      /* radius cannot be negative */
    ERR_GEO_BOX_NEG,         /* height or width cannot be negative */
    ERR_GEO_COUNT,           /* COUNT must be > 0 */
    ERR_GEO_STORE_WITH,      /* (const char *"GEOSEARCHSTORE" or "STORE ...") */
    ERR_GEO_FROM,            /* (const char *command name as sent) */
    ERR_GEO_BY,              /* (const char *command name as sent) */
    ERR_GEO_ANY,             /* the ANY argument requires COUNT argument */
    /* Lists (cmd_list.c). */
    ERR_LIST_INDEX,          /* index out of range */
    ERR_LPOS_RANK,           /* RANK can't be zero: use 1 to start ... */
    ERR_LPOS_COUNT,          /* COUNT can't be negative */
    ERR_LPOS_MAXLEN,         /* MAXLEN can't be negative */
    /* Streams (cmd_stream.c, cmd_xgroup.c). */
    ERR_XID_INVALID,         /* Invalid stream ID specified as ... argument */
    ERR_XADD_ID_ZERO,        /* The ID specified in XADD must be > 0-0 */
    ERR_XADD_ID_SMALL,       /* ... equal or smaller than the ... top item */
    ERR_XADD_EXHAUSTED,      /* The stream has exhausted the last possible ID */
    ERR_XADD_TOO_LARGE,      /* Elements are too large to be stored */
    ERR_XMAXLEN_NEG,         /* The MAXLEN argument must be >= 0. */
    ERR_XLIMIT_NEG,          /* The LIMIT argument must be >= 0. */
    ERR_XLIMIT_NOSTRAT,      /* LIMIT cannot be used without ... strategy */
    ERR_XLIMIT_NOAPPROX,     /* LIMIT cannot be used without the special ~ */
    ERR_XTRIM_NOSTRAT,       /* XTRIM must be called with a trimming strategy */
    ERR_XTRIM_BOTH,          /* MAXLEN and MINID options at the same time */
    ERR_XSTART_INVALID,      /* invalid start ID for the interval */
    ERR_XEND_INVALID,        /* invalid end ID for the interval */
    ERR_XSETID_SMALL,        /* ... smaller than the target stream top item */
    ERR_XSETID_ADDED_SMALL,  /* entries_added ... smaller than ... length */
    ERR_XSETID_MAXDEL_ARG,   /* ... smaller than the provided max_deleted... */
    ERR_XSETID_MAXDEL_CUR,   /* ... smaller than current max_deleted_entry_id */
    ERR_XSETID_ADDED_NEG,    /* entries_added must be positive */
    ERR_XREAD_UNBALANCED,    /* (name, '$' or '>') Unbalanced '...' list */
    ERR_XREAD_GROUP_OPT,     /* The GROUP option is only supported by ... */
    ERR_XREAD_NOACK_OPT,     /* The NOACK option is only supported by ... */
    ERR_XREAD_MISSING_GROUP, /* Missing GROUP option for XREADGROUP */
    ERR_XREAD_DOLLAR,        /* The $ ID is meaningless in ... XREADGROUP */
    ERR_XREAD_GT,            /* The > ID can be specified only when ... */
    ERR_XREAD_PLUS,          /* The + ID is meaningless in ... XREADGROUP */
    ERR_XREAD_BLOCK_SCRIPT,  /* (ARGV_CLIPPED name) ... BLOCK ... scripts */
    ERR_NOGROUP_READ,        /* (ARGV_CLIPPED key, ARGV_CLIPPED group) */
    ERR_NOGROUP_KEY,         /* (ARGV_CLIPPED key, ARGV_CLIPPED group) */
    ERR_NOGROUP_XGROUP,      /* (ARGV_CLIPPED group, ARGV_CLIPPED key) */
    ERR_UNBLOCKED_CLIENT,    /* UNBLOCKED client unblocked via CLIENT UNBLOCK */
    ERR_UNBLOCK_REASON,      /* CLIENT UNBLOCK reason should be ... */
    ERR_BUSYGROUP,           /* BUSYGROUP Consumer Group name already exists */
    ERR_XGROUP_NOKEY,        /* The XGROUP subcommand requires the key ... */
    ERR_XGROUP_ENTRIESREAD,  /* value for ENTRIESREAD must be positive or -1 */
    ERR_XCLAIM_MINIDLE,      /* (const char *"XCLAIM" or "XAUTOCLAIM") */
    ERR_XCLAIM_OPT,          /* (const char *"IDLE", "TIME" or "RETRYCOUNT") */
    ERR_XCLAIM_UNKNOWN,      /* (ARGV_CLIPPED option) */
    ERR_XAUTOCLAIM_COUNT,    /* COUNT must be > 0 */
    /* Bitmaps (ERR_BIT_OFFSET is above, with the other range errors). */
    ERR_BIT_VALUE,           /* bit is not an integer or out of range */
    ERR_BITPOS_BIT,          /* The bit argument must be 1 or 0. */
    ERR_BITOP_NOT,           /* BITOP NOT must be called with a single ... */
    ERR_BITFIELD_TYPE,       /* Invalid bitfield type. Use something like ... */
    ERR_BITFIELD_OVERFLOW,   /* Invalid OVERFLOW type specified */
    ERR_BITFIELD_RO,         /* BITFIELD_RO only supports the GET subcommand */
    /* HyperLogLog (cmd_hll.c). */
    ERR_HLL_WRONGTYPE,       /* WRONGTYPE Key is not a valid HyperLogLog ... */
    ERR_HLL_INVALID,         /* INVALIDOBJ Corrupted HLL object detected */
    ERR_PFDEBUG_NOKEY,       /* The specified key does not exist */
    ERR_PFDEBUG_NOT_SPARSE,  /* HLL encoding is not sparse */
    ERR_PFDEBUG_SUBCMD,      /* (ARGV_CLIPPED subcommand) */
    ERR_PFSELFTEST,          /* TESTFAILED (const char *what) */
    /* OBJECT, MEMORY (cmd_object.c, cmd_memory.c). */
    ERR_OBJECT_IDLETIME_LFU, /* An LFU maxmemory policy is selected, ... */
    ERR_OBJECT_FREQ_NOT_LFU, /* An LFU maxmemory policy is not selected, ... */
    ERR_MEMORY_PURGE,        /* Error purging dirty pages */
    /* MONITOR and SLOWLOG (monitor.c, cmd_slowlog.c). */
    ERR_MONITOR_KEYSPACE,    /* Replica can't interact with the keyspace */
    ERR_MONITOR_DENY_BLOCKING, /* MONITOR isn't allowed for DENY BLOCKING ... */
    ERR_SLOWLOG_COUNT,       /* count should be greater than or equal to -1 */
    ERR_LATENCY_NO_SAMPLES,  /* (ARGV_CLIPPED) LATENCY GRAPH */
    ERR_PAUSE_MODE,          /* CLIENT PAUSE mode must be WRITE or ALL */
    /* SORT, LCS, cluster-only commands. */
    ERR_SORT_SCORE,          /* One or more scores can't be converted ... */
    ERR_LCS_TYPE,            /* The specified keys must contain string ... */
    ERR_LCS_LEN_IDX,         /* If you want both the length and indexes... */
    ERR_LCS_TOO_LONG,        /* String too long for LCS */
    ERR_LCS_NOMEM,           /* Insufficient memory, failed allocating ... */
    ERR_LCS_TABLE_LIMIT,     /* ... transient memory for LCS exceeds ... */
    ERR_CLUSTER_DISABLED,    /* This instance has cluster support disabled */
    ERR_DEBUG_RELOAD_OPTION, /* DEBUG RELOAD with another option */
    ERR_DEBUG_RELOAD_LOAD,   /* DEBUG RELOAD's load failed */
    ERR_DEBUG_SUBCOMMAND,    /* unknown subcommand or wrong number ... */
    ERR_DEBUG_PROTOCOL_TYPE, /* Wrong protocol type name. ... */
    ERR_DEBUG_PUSH_RESP2,    /* RESP2 is not supported by this command */
    ERR_MODULE_REFUSED,      /* MODULE command not allowed. ... */
    ERR_MODULE_LOAD,         /* Error loading the extension. ... */
    ERR_MODULE_UNLOAD,       /* Error unloading module: no such module ... */
    /* CLIENT TRACKING and CACHING (cmd_tracking.c). */
    ERR_TRACKING_REDIR_ONE,  /* A client can only redirect to a single ... */
    ERR_TRACKING_REDIR_NONE, /* The client ID you want redirect to does ... */
    ERR_TRACKING_PREFIX,     /* PREFIX option requires BCAST mode ... */
    ERR_TRACKING_BCAST_SWITCH, /* You can't switch BCAST mode on/off ... */
    ERR_TRACKING_BCAST_OPT,  /* OPTIN and OPTOUT are not compatible ... */
    ERR_TRACKING_OPT_BOTH,   /* You can't specify both OPTIN mode and ... */
    ERR_TRACKING_OPT_SWITCH, /* You can't switch OPTIN/OPTOUT mode ... */
    ERR_TRACKING_OVERLAP_OLD, /* (int, const char *, int, const char *) */
    ERR_TRACKING_OVERLAP_NEW, /* (int, const char *, int, const char *) */
    ERR_CACHING_MODE,        /* CLIENT CACHING can be called only when ... */
    ERR_CACHING_YES,         /* CLIENT CACHING YES is only valid when ... */
    ERR_CACHING_NO,          /* CLIENT CACHING NO is only valid when ... */
    ERR_GETKEYS_COMMAND,     /* Invalid command specified */
    ERR_GETKEYS_NO_KEYS,     /* The command has no key arguments */
    ERR_GETKEYS_ARITY,       /* Invalid number of arguments specified ... */
    ERR_GETKEYS_ARGS,        /* Invalid arguments specified for command */
    /* DUMP / RESTORE (cmd_dump.c). */
    ERR_BUSYKEY,             /* BUSYKEY Target key name already exists. */
    ERR_RESTORE_TTL,         /* Invalid TTL value, must be >= 0 */
    ERR_RESTORE_IDLETIME,    /* Invalid IDLETIME value, must be >= 0 */
    ERR_RESTORE_FREQ,        /* Invalid FREQ value, must be >= 0 and <= 255 */
    ERR_BAD_DATA,            /* Bad data format */
    /* ACL (acl*.c, and SORT's patterns). */
    ERR_SORT_BY_ACL,         /* BY option of SORT denied due to ... ACL */
    ERR_SORT_GET_ACL,        /* GET option of SORT denied due to ... ACL */
    /* Hash field expiration (cmd_hash_ttl.c). */
    ERR_HFE_EXPIRE_NEG,      /* invalid expire time, must be >= 0 */
    ERR_HFE_FIELDS_MISSING,  /* Mandatory argument FIELDS is missing ... */
    ERR_HFE_NUMFIELDS_GT0,   /* Parameter `numFields` should be ... > 0 */
    ERR_HFE_NUMFIELDS_POS,   /* Number of fields must be a positive integer */
    ERR_HFE_NUMFIELDS_MATCH, /* The `numfields` parameter must match ... */
    ERR_HFE_BAD_NUMFIELDS,   /* invalid number of fields (HSETEX) */
    ERR_HFE_ONE_EXPIRY,      /* Only one of EX, PX, EXAT, PXAT or KEEPTTL */
    ERR_HFE_MISSING_EXPIRE,  /* missing expire time */
    ERR_HFE_ONE_FXX,         /* Only one of FXX or FNX ... */
    ERR_HFE_UNKNOWN_ARG,     /* unknown argument: (int len, const char *) */
    ERR_NOVALUES_HSCAN,      /* NOVALUES option can only be used in HSCAN */
    ERR__COUNT
};

/* Argument i of c as the (int len, const char *p) pair a "%.*s" takes,
 * clipped to 128 bytes so an error never echoes a whole request. */
#define ARGV_CLIPPED(c, i)                                                  \
    (int)((c)->argvlen[i] > 128 ? 128 : (c)->argvlen[i]), (c)->argv[i]

/* Writes the error e; some take printf arguments as listed in reply.c.
 * Bytes from the client are clipped and stripped of CR/LF. */
void reply_error(struct client *c, enum reply_err e, ...);
/* Error e's text, as its table holds it (a format for those taking
 * arguments). */
const char *reply_error_string(enum reply_err e);
/* An error whose text is not in reply_error's table (a protocol error):
 * written and counted (INFO errorstats, total_error_replies) as one. */
void reply_error_text(struct client *c, const char *msg, size_t len);
void reply_ok(struct client *c);
/* Replies text, a report built in a scratch buffer, as Redis replies
 * CLIENT LIST or INFO: a bulk string, verbatim in RESP3 (or the OOM
 * error when building it ran out of memory); closes text. */
void reply_text(struct client *c, struct resp_out *text);
/* Writes the lines of a container command's HELP as status strings. */
void reply_help(struct client *c, const char *const *lines, size_t n);

/* ---- Arguments ---------------------------------------------------------- */

/* A malloc'd copy of p[0..n) with a NUL after it (a strndup that keeps
 * NUL bytes), or NULL when out of memory. The caller frees it. */
char *bytes_dup(const void *p, size_t n);
/* 1 if argument i equals word, ASCII case-insensitively. */
int arg_is(const struct client *c, size_t i, const char *word);
/* Strict integer parse as Redis's string2ll: no spaces, no '+', no leading
 * zeros, fits int64. Returns 1 on success. */
int parse_i64(const char *p, size_t n, int64_t *out);
/* Parses a long double as Redis's string2ld (no spaces, no NaN). */
int parse_ldouble(const char *p, size_t n, long double *out);
/* parse_i64 of argument i, or replies ERR_NOT_INT and returns 0. */
int arg_i64_or_reply(struct client *c, size_t i, int64_t *out);
/* Like arg_i64_or_reply, also requiring min <= v <= max, replying
 * with msg_err (an ERR_* code) when out of range. */
int arg_i64_range_or_reply(struct client *c, size_t i, int64_t min,
                           int64_t max, enum reply_err range_err,
                           int64_t *out);

/* Parses argument i as a SCAN/HSCAN/SSCAN cursor as Redis's strtoul() does,
 * or replies "invalid cursor" and returns 0. */
int arg_cursor_or_reply(struct client *c, size_t i, uint64_t *cursor);

/* Longest text parse_ldouble accepts and format_ldouble may produce, as
 * Redis's MAX_LONG_DOUBLE_CHARS. */
#define LDOUBLE_STR_MAX (5 * 1024)

/* Formats a long double as Redis's INCRBYFLOAT does ("%.17Lf" without
 * trailing zeros, "inf"/"-inf"). buf holds at least LDOUBLE_STR_MAX bytes.
 * Returns the length written, or 0 if it did not fit. */
size_t format_ldouble(char *buf, size_t cap, long double v);

#endif
