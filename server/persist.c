/* persist.c - when snapshots are taken, as Redis 7.0 takes them: SAVE on
 * the loop, BGSAVE in a forked child, the "save" points that start a
 * BGSAVE, LASTSAVE, and the saves FLUSHALL and shutdown make. rdb_save.c
 * writes the file.
 *
 *   BGSAVE --fork--> child: rdb_save_file(dir/dbfilename), _exit(0 or 1)
 *      |                         (temp-<child pid>.rdb, renamed when whole)
 *      +-- persist_cron (the sweeper's timer, hz a second): waitpid
 *          WNOHANG; success: dirty -= what it was at the fork, lastsave;
 *          failure: rdb_last_bgsave_status err, and with save points and
 *          stop-writes-on-bgsave-error, writes get MISCONF until a save
 *          succeeds. A child ended by a signal leaves its temp file,
 *          which is removed here; SIGUSR1 (our own kill) is no failure.
 *
 * Save points: with "seconds changes" pairs configured, a BGSAVE starts
 * when some pair has at least `changes` writes (srv->dirty) and more
 * than `seconds` since the last good save; after a failed one, not
 * before RETRY_DELAY seconds, as in Redis.
 *
 * Why fork is safe here: the child only reads the stores (store_scan,
 * which never expires, touches or frees) and the function libraries'
 * code, allocates through malloc (jemalloc and glibc both prepare for
 * fork), writes its own file and leaves with _exit. It runs no libuv
 * call; what else it lets go of at the fork is server_fork's (fork.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/handlers.h"
#include "server/persist.h"
#include "server/server.h"

#define RETRY_DELAY 5           /* seconds before a failed BGSAVE is retried */

static int64_t now_s(const struct server *srv)
{
    return server_now_ms(srv) / 1000;
}

/* dir/dbfilename into buf. */
static void rdb_path(const struct server *srv, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", srv->conf.dir, srv->conf.dbfilename);
}

/* Parses the save directive's pairs (conf/ checked them) into p. */
static int parse_points(const char *text, struct persist *p)
{
    size_t n = 0;
    for (const char *q = text; *q; q++)
        n += *q == ' ';
    n = text[0] ? (n + 1) / 2 : 0;
    struct persist_point *v = n ? malloc(n * sizeof(*v)) : NULL;
    if (n && !v)
        return -1;
    const char *q = text;
    for (size_t i = 0; i < n; i++) {
        char *end;
        v[i].seconds = strtoll(q, &end, 10);
        v[i].changes = strtoll(end, &end, 10);
        q = end;
    }
    free(p->points);
    p->points = v;
    p->npoints = n;
    return 0;
}

/* See persist.h. */
int persist_init(struct server *srv)
{
    struct persist *p = &srv->persist;
    *p = (struct persist){ .lastsave = srv->start_ms / 1000,
                           .last_bgsave_ok = 1, .last_bgsave_sec = -1 };
    return parse_points(srv->conf.save ? srv->conf.save : "", p);
}

/* See persist.h. On OOM the old points stay. */
void persist_configure(struct server *srv)
{
    parse_points(srv->conf.save ? srv->conf.save : "", &srv->persist);
}

/* See persist.h. */
void persist_close(struct server *srv)
{
    free(srv->persist.points);
    srv->persist.points = NULL;
    srv->persist.npoints = 0;
}

/* See persist.h. */
int persist_load(struct server *srv, int merge)
{
    char path[4400], err[1024];
    rdb_path(srv, path, sizeof(path));
    uint64_t start = uv_hrtime();
    int rc = rdb_load_file(srv, path, merge, err, sizeof(err));
    if (rc < 0)
        server_log(srv, 'w', "%s", err);
    else if (rc == 0)
        server_log(srv, 'n', "DB loaded from disk: %.3f seconds",
                   (double)(uv_hrtime() - start) / 1e9);
    return rc;
}

/* See persist.h. */
int persist_save(struct server *srv)
{
    char path[4400], err[512];
    rdb_path(srv, path, sizeof(path));
    if (rdb_save_file(srv, path, err, sizeof(err)) != 0) {
        server_log(srv, 'w', "%s", err);
        return -1;
    }
    server_log(srv, 'n', "DB saved on disk");
    srv->dirty = 0;
    srv->persist.lastsave = now_s(srv);
    srv->persist.last_bgsave_ok = 1;
    return 0;
}

/* The child's side of BGSAVE: never returns. */
static void child_main(struct server *srv)
{
    char path[4400], err[512];
    rdb_path(srv, path, sizeof(path));
    if (rdb_save_file(srv, path, err, sizeof(err)) != 0) {
        server_log(srv, 'w', "%s", err);
        _exit(1);
    }
    server_log(srv, 'n', "DB saved on disk");
    _exit(0);
}

/* Forks the BGSAVE child: 0, or -1 when one runs or fork failed. */
static int bgsave_start(struct server *srv)
{
    struct persist *p = &srv->persist;
    if (p->child)
        return -1;
    p->saves++;
    p->dirty_before = srv->dirty;
    p->last_try = now_s(srv);
    pid_t pid = server_fork(srv, NULL);
    if (pid == 0)
        child_main(srv);
    if (pid < 0) {
        p->last_bgsave_ok = 0;
        server_log(srv, 'w', "Can't save in background: fork: %s",
                   strerror(errno));
        return -1;
    }
    server_log(srv, 'n', "Background saving started by pid %ld", (long)pid);
    p->child = pid;
    p->child_start = now_s(srv);
    return 0;
}

/* Removes the temp file a child ended by a signal left. */
static void remove_child_temp(struct server *srv, pid_t pid)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s/temp-%d.rdb", srv->conf.dir, (int)pid);
    unlink(tmp);
}

/* The child ended with wait status st: records it as Redis's
 * backgroundSaveDoneHandler does. */
static void bgsave_done(struct server *srv, int st)
{
    struct persist *p = &srv->persist;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        server_log(srv, 'n', "Background saving terminated with success");
        srv->dirty = srv->dirty > p->dirty_before
                         ? srv->dirty - p->dirty_before : 0;
        p->lastsave = now_s(srv);
        p->last_bgsave_ok = 1;
    } else if (WIFEXITED(st)) {
        server_log(srv, 'w', "Background saving error");
        p->last_bgsave_ok = 0;
    } else {
        int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        server_log(srv, 'w', "Background saving terminated by signal %d",
                   sig);
        remove_child_temp(srv, p->child);
        if (sig != SIGUSR1)
            p->last_bgsave_ok = 0;
    }
    p->last_bgsave_sec = now_s(srv) - p->child_start;
    p->child = 0;
}

/* May a BGSAVE start now: not within RETRY_DELAY of a failed one. */
static int may_retry(const struct server *srv)
{
    const struct persist *p = &srv->persist;
    return p->last_bgsave_ok || now_s(srv) - p->last_try > RETRY_DELAY;
}

/* See persist.h. */
void persist_cron(struct server *srv)
{
    struct persist *p = &srv->persist;
    if (p->child) {
        int st;
        pid_t r = waitpid(p->child, &st, WNOHANG);
        if (r == p->child)
            bgsave_done(srv, st);
        else if (r < 0 && errno == ECHILD)
            bgsave_done(srv, 1 << 8);   /* gone without a status: failed */
        return;
    }
    int64_t now = now_s(srv);
    for (size_t i = 0; i < p->npoints; i++) {
        const struct persist_point *sp = &p->points[i];
        if ((int64_t)srv->dirty >= sp->changes &&
            now - p->lastsave > sp->seconds && may_retry(srv)) {
            server_log(srv, 'n', "%d changes in %d seconds. Saving...",
                       (int)sp->changes, (int)sp->seconds);
            bgsave_start(srv);
            return;
        }
    }
    if (p->scheduled && may_retry(srv) && bgsave_start(srv) == 0)
        p->scheduled = 0;
}

/* Ends a running child and waits for it, removing its temp file. */
static void kill_child_now(struct server *srv)
{
    struct persist *p = &srv->persist;
    if (!p->child)
        return;
    kill(p->child, SIGUSR1);
    kill(p->child, SIGCONT);        /* a stopped child would never see it */
    while (waitpid(p->child, NULL, 0) < 0 && errno == EINTR)
        ;
    remove_child_temp(srv, p->child);
    p->child = 0;
}

/* See persist.h. Redis signals the child and lets the timer reap it. */
void persist_flushall(struct server *srv)
{
    struct persist *p = &srv->persist;
    if (p->npoints == 0) {
        if (p->child)
            kill(p->child, SIGUSR1);
        return;
    }
    /* Waited for, unlike in Redis: a child renaming its file after ours
     * would bring the flushed keys back. The save zeroes the changes
     * count, FLUSHALL's own too, as Redis 7.0.15 shows it. */
    kill_child_now(srv);
    persist_save(srv);
}

/* See persist.h. */
int persist_shutdown(struct server *srv, int flags)
{
    struct persist *p = &srv->persist;
    if (p->child) {
        server_log(srv, 'w', "There is a child saving an .rdb. Killing it!");
        kill_child_now(srv);
    }
    if (!((p->npoints > 0 && !(flags & PERSIST_SHUTDOWN_NOSAVE)) ||
          (flags & PERSIST_SHUTDOWN_SAVE)))
        return 0;
    server_log(srv, 'n', "Saving the final RDB snapshot before exiting.");
    if (persist_save(srv) == 0)
        return 0;
    if (flags & PERSIST_SHUTDOWN_FORCE) {
        server_log(srv, 'w', "Error trying to save the DB. Exit anyway.");
        return 0;
    }
    server_log(srv, 'w', "Error trying to save the DB, can't exit.");
    server_log(srv, 'w', "Errors trying to shut down the server. Check the "
               "logs for more information.");
    return -1;
}

/* ---- Commands ----------------------------------------------------------- */

/* SAVE: a synchronous save; refused while a BGSAVE child runs. */
void cmd_save(struct client *c)
{
    if (c->srv->persist.child) {
        reply_error(c, ERR_BGSAVE_RUNNING);
        return;
    }
    c->srv->persist.saves++;        /* rdb_saves counts SAVE and BGSAVE */
    if (persist_save(c->srv) == 0)
        reply_ok(c);
    else
        reply_error(c, ERR_BARE);
}

/* BGSAVE [SCHEDULE]: forks the child. While one runs, an error; inside
 * EXEC, scheduled for the timer (Redis will not fork mid-transaction).
 * SCHEDULE matters in Redis when an AOF rewrite runs, which never
 * happens here. */
void cmd_bgsave(struct client *c)
{
    if (c->argc > 2 || (c->argc == 2 && !arg_is(c, 1, "SCHEDULE"))) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    struct persist *p = &c->srv->persist;
    if (p->child) {
        reply_error(c, ERR_BGSAVE_RUNNING);
    } else if (c->flags & CLIENT_MULTI) {
        p->scheduled = 1;
        resp_add_simple(&c->out, "Background saving scheduled");
    } else if (bgsave_start(c->srv) == 0) {
        resp_add_simple(&c->out, "Background saving started");
    } else {
        reply_error(c, ERR_BARE);
    }
}

/* LASTSAVE: the Unix time of the last good save, the start time before
 * any. */
void cmd_lastsave(struct client *c)
{
    resp_add_int(&c->out, c->srv->persist.lastsave);
}
