/* fork.c - the one fork(2) of the server, for the children that do one
 * job and leave with _exit: BGSAVE's (persist.c), a forked debugging
 * session's (script_debug.c) and SYNC's snapshot (cmd_sync.c).
 *
 * What the child must not share with the parent, set right before fork
 * returns in it:
 *  - the helper threads (release.c, prefault.c, premap.c) do not exist
 *    there, and one may have held its lock at the fork: each is told so
 *    (release then runs its jobs inline, the others drop theirs);
 *  - the sockets: the listeners and every connection but the one the
 *    child serves are closed, so that a client the parent closes sees
 *    its end at once rather than when the child exits, and nothing in
 *    the child can reach them. The loop's epoll descriptor goes too: the
 *    epoll instance is the parent's, and a handle closed in the child
 *    would otherwise take the parent's registration with it;
 *  - the signals the loop handles go back to their default action, as
 *    libuv's handler would write to the parent's signal pipe.
 * The child never runs the loop after this.
 *
 * A child that takes a client's connection over (server_fork_client)
 * is watched here: the sweeper's tick reaps it, a shutdown kills it. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/server.h"

static void close_in_child(uv_handle_t *h, void *keep)
{
    uv_os_fd_t fd;
    if (h->type == UV_SIGNAL)
        signal(((uv_signal_t *)h)->signum, SIG_DFL);
    else if ((h->type == UV_TCP || h->type == UV_NAMED_PIPE) && h != keep &&
             uv_fileno(h, &fd) == 0)
        close(fd);
}

static void child_setup(struct server *srv, struct client *keep)
{
    srv->child = 1;                     /* its log lines say "C" */
    release_forget(&srv->release);
    prefault_forget(srv->prefault);
    premap_forget(srv->premap);
    uv_walk(srv->loop, close_in_child, keep ? &keep->h.handle : NULL);
    close(uv_backend_fd(srv->loop));
}

/* See server.h. */
pid_t server_fork(struct server *srv, struct client *keep)
{
    uint64_t t0 = uv_hrtime();
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(srv, keep);
        return 0;
    }
    if (pid < 0)
        return -1;
    uint64_t ns = uv_hrtime() - t0;
    srv->fork_usec = ns / 1000;
    srv->forks++;
    /* The latency monitor's "fork", as Redis records it: successful forks
     * only. */
    latency_event(srv, LATENCY_EV_FORK, ns);
    return pid;
}

/* Remembers a child for the reaping and the kill; -1 on OOM. */
static int watch(struct server *srv, pid_t pid, const char *what)
{
    struct forked *f = &srv->forked;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4;
        struct forked_child *v = realloc(f->v, cap * sizeof(*v));
        if (!v)
            return -1;
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n++] = (struct forked_child){ pid, what };
    return 0;
}

/* See server.h. */
pid_t server_fork_client(struct server *srv, struct client *c,
                         const char *what)
{
    pid_t pid = server_fork(srv, c);
    if (pid <= 0)
        return pid;
    if (watch(srv, pid, what) != 0)
        server_log(srv, 'w', "%s, pid %ld: out of memory to watch it; "
                   "nobody will reap it", what, (long)pid);
    client_hand_off(c);
    return pid;
}

/* See server.h. */
void server_fork_reap(struct server *srv)
{
    struct forked *f = &srv->forked;
    size_t kept = 0;
    for (size_t i = 0; i < f->n; i++) {
        pid_t r = waitpid(f->v[i].pid, NULL, WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR))
            f->v[kept++] = f->v[i];
    }
    f->n = kept;
}

/* See server.h. */
void server_fork_kill_all(struct server *srv)
{
    struct forked *f = &srv->forked;
    server_fork_reap(srv);      /* those done already are not "killed" */
    for (size_t i = 0; i < f->n; i++) {
        server_log(srv, 'w', "Killing the child of a %s (pid %ld)",
                   f->v[i].what, (long)f->v[i].pid);
        kill(f->v[i].pid, SIGKILL);
        while (waitpid(f->v[i].pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    f->n = 0;
}

/* See server.h. */
void server_fork_close(struct server *srv)
{
    free(srv->forked.v);
    srv->forked = (struct forked){ 0 };
}
