/* listen.c - the listening sockets: TCP on every bind address at port,
 * and the unixsocket when configured. Opened at start-up, closed at
 * shutdown, and the TCP ones moved by CONFIG SET bind / port as in
 * Redis 7.0: the old sockets close first (a new one on the same address
 * and port could not listen beside them), the new ones open, and if any
 * fails the old ones open again and CONFIG SET fails with Redis's text.
 * Connected clients are not touched either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/server.h"

/* Listens on one bind address, in Redis's notation: "*" and "::*" are
 * every IPv4 / IPv6 interface, and a leading '-' makes the address
 * optional: if it is not on this host (EADDRNOTAVAIL, or its family is
 * unsupported: the "::1" of a container without IPv6, in Redis's own
 * "bind 127.0.0.1 -::1") it is skipped with a warning. Returns 0
 * (listening or skipped) or an error. */
static int listen_tcp(struct server *srv, const char *addr, int port)
{
    struct sockaddr_storage ss;
    int optional = addr[0] == '-';
    addr += optional;
    int v6 = strchr(addr, ':') != NULL;
    const char *ip = strcmp(addr, "*") == 0      ? "0.0.0.0"
                     : strcmp(addr, "::*") == 0 ? "::"
                                                : addr;
    int rc = v6 ? uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&ss)
                : uv_ip4_addr(ip, port, (struct sockaddr_in *)&ss);
    uv_tcp_t *t = malloc(sizeof(*t));
    if (!t)
        return UV_ENOMEM;
    uv_tcp_init(srv->loop, t);
    t->data = srv;
    if (rc == 0)
        rc = uv_tcp_bind(t, (struct sockaddr *)&ss, v6 ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)t, (int)srv->conf.tcp_backlog,
                       server_on_connection);
    if (rc != 0) {
        server_log(srv, 'w', "Could not create server TCP listening socket "
                   "%s:%d: %s", addr, port, uv_strerror(rc));
        uv_close((uv_handle_t *)t, (uv_close_cb)free);
        return optional && (rc == UV_EADDRNOTAVAIL || rc == UV_EAFNOSUPPORT)
                   ? 0
                   : rc;
    }
    srv->listeners[srv->nlisteners++] = (uv_stream_t *)t;
    return 0;
}

/* Listens on port at every address of bind. Port 0 or no address (bind
 * "") listens nowhere, as in Redis 7. 0 or an error. */
static int listen_tcp_all(struct server *srv, char *const *bind, int nbind,
                          int port)
{
    if (port == 0)
        return 0;
    for (int i = 0; i < nbind; i++) {
        int rc = listen_tcp(srv, bind[i], port);
        if (rc)
            return rc;
    }
    return 0;
}

/* Listens on the unixsocket, a relative path being in dir as in Redis;
 * the path is kept for the unlink at exit, whatever dir is by then. */
static int listen_unix(struct server *srv, const char *name)
{
    const char *path = server_dir_path(srv, name, srv->unix_path,
                                       sizeof(srv->unix_path));
    if (path != srv->unix_path)
        snprintf(srv->unix_path, sizeof(srv->unix_path), "%s", path);
    uv_pipe_t *p = malloc(sizeof(*p));
    if (!p)
        return UV_ENOMEM;
    uv_pipe_init(srv->loop, p, 0);
    p->data = srv;
    unlink(path);
    int rc = uv_pipe_bind(p, path);
    if (rc == 0 && srv->conf.unixsocketperm)
        chmod(path, (mode_t)srv->conf.unixsocketperm);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)p, (int)srv->conf.tcp_backlog,
                       server_on_connection);
    if (rc != 0) {
        server_log(srv, 'w', "Failed opening Unix socket %s: %s", path,
                   uv_strerror(rc));
        uv_close((uv_handle_t *)p, (uv_close_cb)free);
        return rc;
    }
    srv->listeners[srv->nlisteners++] = (uv_stream_t *)p;
    return 0;
}

/* Closes the TCP listeners and keeps the unix one. Closing a listening
 * handle closes its socket at once, so its address is free on return. */
static void close_tcp(struct server *srv)
{
    int kept = 0;
    for (int i = 0; i < srv->nlisteners; i++) {
        uv_stream_t *l = srv->listeners[i];
        if (l->type == UV_TCP)
            uv_close((uv_handle_t *)l, (uv_close_cb)free);
        else
            srv->listeners[kept++] = l;
    }
    srv->nlisteners = kept;
}

/* See server.h. */
int server_listen(struct server *srv)
{
    if (listen_tcp_all(srv, srv->conf.bind, srv->conf.nbind,
                       srv->conf.port) != 0)
        return -1;
    if (srv->conf.unixsocket && listen_unix(srv, srv->conf.unixsocket) != 0)
        return -1;
    if (srv->nlisteners == 0) {
        server_log(srv, 'w', "Configured to not listen anywhere, exiting.");
        return -1;
    }
    return 0;
}

/* See server.h. */
void server_unlisten(struct server *srv)
{
    for (int i = 0; i < srv->nlisteners; i++)
        uv_close((uv_handle_t *)srv->listeners[i], (uv_close_cb)free);
    srv->nlisteners = 0;
    if (srv->unix_path[0])
        unlink(srv->unix_path);
    srv->unix_path[0] = '\0';
}

static int same_binds(const struct conf *a, const struct conf *b)
{
    if (a->nbind != b->nbind)
        return 0;
    for (int i = 0; i < a->nbind; i++)
        if (strcmp(a->bind[i], b->bind[i]) != 0)
            return 0;
    return 1;
}

/* See server.h. */
int server_listen_move(struct server *srv, const struct conf *next,
                       char *err, size_t errlen)
{
    const struct conf *now = &srv->conf;
    int moved_binds = !same_binds(next, now);
    if (!moved_binds && next->port == now->port)
        return 0;
    close_tcp(srv);
    if (listen_tcp_all(srv, next->bind, next->nbind, next->port) == 0)
        return 0;
    close_tcp(srv);
    if (listen_tcp_all(srv, now->bind, now->nbind, now->port) != 0)
        server_log(srv, 'w', "Failed to restore old listening sockets.");
    snprintf(err, errlen, "CONFIG SET failed (possibly related to argument "
             "'%s') - %s", moved_binds ? "bind" : "port",
             moved_binds ? "Failed to bind to specified addresses."
                         : "Unable to listen on this port. Check server "
                           "logs.");
    return -1;
}
