/* fork.c - the one fork(2) of the server, for the children that do one
 * job and leave with _exit: BGSAVE's (persist.c) and a forked debugging
 * session's (script_debug.c).
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
 * The child never runs the loop after this. */
#include <errno.h>
#include <signal.h>
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
