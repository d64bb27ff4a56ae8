/* persist.h - the whole dataset to and from an RDB file in Redis's format,
 * so that Redis loads what Respite saves and the other way round.
 * rdb_save.c writes, rdb_load.c reads; persist.c runs SAVE, BGSAVE and
 * the "save" points around them. */
#ifndef RESPITE_PERSIST_H
#define RESPITE_PERSIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct server;

/* Writes every database (and the function libraries) to path through a
 * temporary file in the same directory, fsynced and renamed over path.
 * 0, or -1 with a reason for the log in err. */
int rdb_save_file(struct server *srv, const char *path, char *err,
                  size_t errlen);

/* Writes the same bytes as rdb_save_file to fd (a socket, which may be
 * non-blocking, or a file), only the function libraries unless keys.
 * 0, or the errno of the failure. */
int rdb_save_stream(struct server *srv, int fd, int keys);

/* Loads path into the databases (empty, unless merge): 1 when path does
 * not exist, 0 when loaded, -1 with a reason for the log in err when the
 * file is unreadable or malformed (what was loaded so far stays). A key
 * or library already there fails the load, unless merge lets the file's
 * replace it (DEBUG RELOAD MERGE). */
int rdb_load_file(struct server *srv, const char *path, int merge,
                  char *err, size_t errlen);

/* Loads dir/dbfilename with rdb_load_file, logging why when it fails
 * (start-up and DEBUG RELOAD): 0 loaded, 1 no file, -1 failed. */
int persist_load(struct server *srv, int merge);

/* ---- SAVE, BGSAVE and save points (persist.c) ----------------------- */

/* The error write commands get while the last BGSAVE failed, with save
 * points and stop-writes-on-bgsave-error yes (Redis's text). */
#define PERSIST_MISCONF "MISCONF Redis is configured to save RDB snapshots, " \
    "but it's currently unable to persist to disk. Commands that may "      \
    "modify the data set are disabled, because this instance is "           \
    "configured to report errors during writes if RDB snapshotting fails "  \
    "(stop-writes-on-bgsave-error option). Please check the Redis logs "    \
    "for details about the RDB error."

/* One "seconds changes" pair of the save directive. */
struct persist_point {
    int64_t seconds, changes;
};

/* Snapshot state, in struct server. Times are Unix seconds of the
 * keyspace clock. */
struct persist {
    struct persist_point *points;   /* the save directive's, owned */
    size_t npoints;
    pid_t child;                    /* a BGSAVE child running, or 0 */
    int64_t child_start;            /* when it was forked */
    uint64_t dirty_before;          /* srv->dirty when it was forked */
    int64_t lastsave;               /* last good save (start-up till then) */
    int64_t last_try;               /* last BGSAVE attempt */
    int last_bgsave_ok;             /* rdb_last_bgsave_status */
    int64_t last_bgsave_sec;        /* its duration, -1 before any */
    int scheduled;                  /* BGSAVE SCHEDULE (or in EXEC) waits */
    uint64_t saves;                 /* rdb_saves */
    long long last_load_loaded;     /* keys the last good load added */
    long long last_load_expired;    /* and those it skipped as expired */
};

/* Start-up: state as after no save, save points from the config. 0, or
 * -1 on OOM. */
int persist_init(struct server *srv);
/* Re-reads the save directive (CONFIG SET). */
void persist_configure(struct server *srv);
/* Frees the state (exit). */
void persist_close(struct server *srv);
/* The server's periodic timer: reaps a finished child, starts a
 * scheduled BGSAVE or the one a save point asks for. */
void persist_cron(struct server *srv);
/* A synchronous save to dir/dbfilename, logged as Redis logs it: 0, or
 * -1 (logged). */
int persist_save(struct server *srv);
/* FLUSHALL's: kills a BGSAVE child, and saves the empty dataset when
 * save points are configured. */
void persist_flushall(struct server *srv);
/* SHUTDOWN flags, as Redis's. */
enum { PERSIST_SHUTDOWN_SAVE = 1, PERSIST_SHUTDOWN_NOSAVE = 2,
       PERSIST_SHUTDOWN_FORCE = 4 };
/* Before exiting: kills a BGSAVE child (its temp file removed), then
 * saves when save points are configured and NOSAVE is not given, or
 * SAVE is. 0 to go on, -1 when the save failed and FORCE was not given
 * (logged: the server must stay up). */
int persist_shutdown(struct server *srv, int flags);
/* 1 while write commands get PERSIST_MISCONF. */
static inline int persist_refuses_writes(const struct persist *p,
                                         int stop_writes)
{
    return stop_writes && p->npoints > 0 && !p->last_bgsave_ok;
}

#endif
