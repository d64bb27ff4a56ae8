/* client.c - one connection: accept, read, parse, write, close.
 *
 * Reading. libuv reads into one buffer the server shares (the bytes are
 * copied into the client's resp_reader at once), the reader splits them
 * into requests, and each request is dispatched. At most
 * CMDS_PER_READ requests run per read callback; a client with more
 * already buffered goes on srv->pending_read and a uv_idle handle, active
 * only while that list is non-empty, finishes the rest on later loop
 * iterations. So one client pipelining without pause can not starve the
 * others: each turn of the loop serves everyone a slice. Before running
 * a pipeline, the keys of up to STORE_PREFETCH_MAX requests that are
 * already buffered are prefetched together (prefetch_ahead), so their
 * cache misses overlap.
 *
 * Writing. Handlers append replies to c->out. A client with output goes
 * on srv->pending_write; the uv_prepare handle (run just before the loop
 * blocks, like Redis's beforeSleep) flushes them all: uv_try_write first,
 * and if the kernel takes only part, the buffers swap so the rest becomes
 * c->wbuf, frozen until its uv_write callback runs, while new replies keep
 * going to c->out. So replies are gathered and written once per iteration.
 *
 * Back-pressure: a client whose unwritten output passes
 * CLIENT_OUTBUF_PAUSE has no more of its commands run until the output
 * drains below half of that, so a pipeline of big GETs against a client
 * that does not read cannot grow without bound. Its input is still read
 * (up to client-query-buffer-limit): a client that writes its whole
 * pipeline before it reads a reply (phpredis, Predis) would otherwise
 * block in its write while the server waits for it to read.
 *
 * Closing. client_close() takes the client off every list at once and
 * asks libuv to close the handle; memory is freed only in the close
 * callback (STYLE.md 5). At EOF (the peer shut down its writing side)
 * the requests already received still run and their replies go out
 * before the close, as with Redis (on_eof). */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/tracking.h"

#define CMDS_PER_READ 128
#define CLIENT_OUTBUF_PAUSE ((size_t)64 * 1024 * 1024)
#define CLIENT_INPUT_PAUSE ((size_t)256 * 1024)
#define OUT_KEEP ((size_t)64 * 1024)

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void process_input(struct client *c);

/* libuv's read buffer: one per server, consumed before on_read returns. */
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = h->data;
    (void)suggested;
    buf->base = c->srv->readbuf;
    buf->len = sizeof(c->srv->readbuf);
}

static void list_remove_pending(struct client **head, struct client *c,
                                int read_list)
{
    for (struct client **p = head; *p;
         p = read_list ? &(*p)->pr_next : &(*p)->pw_next) {
        if (*p == c) {
            *p = read_list ? c->pr_next : c->pw_next;
            return;
        }
    }
}

static void on_close(uv_handle_t *h)
{
    struct client *c = h->data;
    resp_reader_close(&c->reader);
    resp_out_close(&c->out);
    resp_out_close(&c->wbuf);
    client_multi_reset(c);
    free(c->mqueue);
    free(c->name);
    free(c->lib_name);
    free(c->lib_ver);
    free(c);
}

/* Closes the connection now; replies not yet written are dropped. The
 * memory goes in the close callback. */
void client_close(struct client *c)
{
    if (c->flags & CLIENT_CLOSING)
        return;
    struct server *srv = c->srv;
    c->flags |= CLIENT_CLOSING;
    if (c->flags & CLIENT_PENDING_WRITE)
        list_remove_pending(&srv->pending_write, c, 0);
    if (c->flags & CLIENT_PENDING_READ)
        list_remove_pending(&srv->pending_read, c, 1);
    c->flags &= ~(unsigned)(CLIENT_PENDING_WRITE | CLIENT_PENDING_READ);
    client_unwatch_all(c);
    pubsub_client_close(c);
    blocking_client_gone(c);
    monitor_stop(c);
    pause_client_gone(c);
    tracking_client_gone(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nclients--;
    uv_close(&c->h.handle, on_close);
}

/* See server.h. The empty output's flush is what closes it. */
void client_hand_off(struct client *c)
{
    resp_out_reset(&c->out, OUT_KEEP);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    client_reply_mode_apply(c);
    client_mark_write(c);
}

/* Puts the client on the list the prepare handle flushes. */
void client_mark_write(struct client *c)
{
    if (c->flags & (CLIENT_PENDING_WRITE | CLIENT_CLOSING))
        return;
    c->flags |= CLIENT_PENDING_WRITE;
    c->pw_next = c->srv->pending_write;
    c->srv->pending_write = c;
}

static void mark_read(struct client *c)
{
    if (c->flags & (CLIENT_PENDING_READ | CLIENT_CLOSING))
        return;
    c->flags |= CLIENT_PENDING_READ;
    c->pr_next = c->srv->pending_read;
    c->srv->pending_read = c;
    uv_idle_start(&c->srv->reader_idle, server_on_idle);
}

/* See server.h. */
void client_wake(struct client *c)
{
    mark_read(c);
}

/* Reading from the socket stops while the client already has more
 * complete input than it has had turns to run (CLIENT_INPUT_FULL), and
 * starts again once it has run it. */
static void update_reading(struct client *c)
{
    if (c->flags & CLIENT_CLOSING)
        return;
    int want = !(c->flags & CLIENT_INPUT_FULL);
    int reading = (c->flags & CLIENT_READING) != 0;
    if (want && !reading) {
        if (uv_read_start(&c->h.stream, on_alloc, on_read) == 0)
            c->flags |= CLIENT_READING;
    } else if (!want && reading) {
        uv_read_stop(&c->h.stream);
        c->flags &= ~(unsigned)CLIENT_READING;
    }
}

/* Input backlog: a client waiting for another turn with more than
 * CLIENT_INPUT_PAUSE bytes unparsed is not read until the backlog is run,
 * so a pipelined stream is buffered a slice at a time, not whole. A single
 * large argument still arrives whole: the client is then not waiting for a
 * turn (its reader needs more bytes), so it keeps being read. */
static void update_input_full(struct client *c)
{
    int full = (c->flags & (CLIENT_PENDING_READ | CLIENT_BLOCKED |
                            CLIENT_POSTPONED)) &&
               resp_reader_pending(&c->reader) > CLIENT_INPUT_PAUSE;
    if (full == !!(c->flags & CLIENT_INPUT_FULL))
        return;
    if (full)
        c->flags |= CLIENT_INPUT_FULL;
    else
        c->flags &= ~(unsigned)CLIENT_INPUT_FULL;
    update_reading(c);
}

static void pause_running(struct client *c)
{
    c->flags |= CLIENT_RUN_PAUSED;
}

/* Its waiting commands run in the client's next turn (the idle handle),
 * not from inside a write's callback or the flush. */
static void resume_running(struct client *c)
{
    if (!(c->flags & CLIENT_RUN_PAUSED))
        return;
    c->flags &= ~(unsigned)CLIENT_RUN_PAUSED;
    mark_read(c);
}

static void on_write(uv_write_t *req, int status)
{
    struct client *c = req->data;
    c->writing = 0;
    c->srv->stat_writes++;
    c->srv->stat_net_out += c->wbuf.len - c->wbuf_sent;
    c->wbuf_sent = 0;
    resp_out_reset(&c->wbuf, OUT_KEEP);
    if (c->flags & CLIENT_CLOSING)
        return;
    if (status < 0) {
        client_close(c);
        return;
    }
    c->last_ms = server_now_ms(c->srv);
    if (c->out.len > 0)
        client_mark_write(c);
    else if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        client_close(c);
    if (client_output_pending(c) < CLIENT_OUTBUF_PAUSE / 2)
        resume_running(c);
}

/* Writes what c->out holds: as much as the socket takes now, the rest
 * through uv_write from the frozen half of the buffer pair. */
void client_flush(struct client *c)
{
    if (c->writing || (c->flags & CLIENT_CLOSING))
        return;
    if (c->out.len == 0) {
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
            client_close(c);
        return;
    }
    uv_buf_t b = uv_buf_init(c->out.data, (unsigned)c->out.len);
    c->srv->stat_writes++;
    int n = uv_try_write(&c->h.stream, &b, 1);
    if (n == UV_EAGAIN || n == UV_ENOSYS)
        n = 0;
    if (n < 0) {
        client_close(c);
        return;
    }
    if (n > 0)
        c->last_ms = server_now_ms(c->srv);
    if ((size_t)n == c->out.len) {
        c->srv->stat_net_out += (size_t)n;
        resp_out_reset(&c->out, OUT_KEEP);
        if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
            client_close(c);
        else
            resume_running(c);
        return;
    }
    struct resp_out tmp = c->wbuf;
    c->wbuf = c->out;
    c->out = tmp;
    c->out.proto = c->wbuf.proto;
    c->out.muted = c->wbuf.muted;
    c->srv->stat_net_out += (size_t)n;
    /* The first n bytes are out; uv_write sends the rest from where they
     * stop (no memmove of a possibly large buffer). */
    c->wbuf_sent = (size_t)n;
    b = uv_buf_init(c->wbuf.data + n, (unsigned)(c->wbuf.len - (size_t)n));
    c->wreq.data = c;
    c->writing = 1;
    if (uv_write(&c->wreq, &c->h.stream, &b, 1, on_write) != 0) {
        c->writing = 0;
        client_close(c);
        return;
    }
    if (client_output_pending(c) > CLIENT_OUTBUF_PAUSE)
        pause_running(c);
}

/* See server.h: a blocked client was served or timed out. */
void client_resume(struct client *c)
{
    if (c->flags & CLIENT_CLOSING)
        return;
    if (c->out.len > 0)
        client_mark_write(c);
    if (resp_reader_pending(&c->reader) > 0)
        mark_read(c);
    update_input_full(c);
}

/* Closes the connection once the replies it has are written. */
static void close_after_reply(struct client *c)
{
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    client_mark_write(c);
}

/* The input ended (EOF) and nothing more will run: closes once the
 * replies are out, right now when they are, so that the connection's
 * slot (maxclients) is free before the loop accepts another, as when a
 * client simply disconnects. */
static void close_at_eof(struct client *c)
{
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    client_flush(c);
}

/* Replies with the reader's protocol error and closes after the flush. */
static void protocol_error(struct client *c)
{
    const char *msg = resp_reader_error(&c->reader);
    char buf[256];
    int n = snprintf(buf, sizeof(buf), "ERR %s", msg);
    reply_error_text(c, buf, (size_t)n < sizeof(buf) ? (size_t)n
                                                     : sizeof(buf) - 1);
    close_after_reply(c);
    server_log(c->srv, 'v', "client %s: %s", c->addr, msg);
}

/* Starts loading the table buckets and entries that the next buffered
 * requests' keys will look up (store_prefetch), and returns how many
 * requests that covered (at least 1, so a caller that counts them down
 * looks again only after that many). A pipeline of lookups of random
 * keys otherwise waits on two cache misses a request, one after the
 * other: a third of the server's time in redis-benchmark -P 16 runs.
 * With fewer than two requests buffered there is nothing to overlap. */
static int prefetch_ahead(struct client *c)
{
    const char *keys[STORE_PREFETCH_MAX];
    size_t lens[STORE_PREFETCH_MAX];
    size_t n = resp_reader_peek_keys(&c->reader, keys, lens,
                                     STORE_PREFETCH_MAX);
    if (n < 2)
        return 1;
    store_prefetch(client_db(c), keys, lens, n);
    return (int)n;
}

/* What follows each command: waiters it woke are served, its reply is
 * queued, and a client owing too much output has its next commands wait. */
static void after_dispatch(struct client *c)
{
    blocking_serve_ready(c->srv);
    if (c->out.len > 0)
        client_mark_write(c);
    if (client_output_pending(c) > CLIENT_OUTBUF_PAUSE)
        pause_running(c);
}

/* Runs up to CMDS_PER_READ buffered requests; leaves the client on the
 * pending-read list when more remain, and closes it (after its replies)
 * when its input ended and nothing is left to run. */
static void process_input(struct client *c)
{
    int ahead = 0;             /* requests the last prefetch covered */
    for (int budget = CMDS_PER_READ; budget > 0; budget--) {
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSING |
                        CLIENT_RUN_PAUSED)) {
            /* A paused client waits for its output to drain, not for a
             * turn: its input is read on, an input backlog's stop
             * lifted. */
            if (!(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSING)))
                update_input_full(c);
            return;
        }
        struct queued_cmd held = { 0 };
        if ((c->flags & CLIENT_POSTPONED) && pause_take_postponed(c, &held)) {
            /* Its turn after a CLIENT PAUSE: the held command runs first. */
            c->argc = held.argc;
            c->argv = (const char **)held.argv;
            c->argvlen = held.argvlen;
            client_dispatch(c);
            free(held.argv);
            after_dispatch(c);
            continue;
        }
        if (c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED)) {
            /* Redis frees a blocked client when it reads EOF. */
            if (c->reader.ended)
                close_at_eof(c);
            else
                update_input_full(c);
            return;
        }
        if (ahead-- == 0)
            ahead = prefetch_ahead(c) - 1;
        struct resp_request req;
        /* Before every request: AUTH, RESET and CONFIG SET requirepass
         * change it, and a pipeline's next request sees the change. */
        resp_reader_set_unauth(&c->reader, client_auth_required(c));
        int rc = resp_reader_next(&c->reader, &req);
        if (rc == RESP_AGAIN) {
            update_input_full(c);
            return;
        }
        if (rc == RESP_END) {
            close_at_eof(c);
            return;
        }
        if (rc != RESP_OK) {
            protocol_error(c);
            return;
        }
        if (req.argc == 0)
            continue;
        c->argc = req.argc;
        c->argv = req.argv;
        c->argvlen = req.argvlen;
        client_dispatch(c);
        after_dispatch(c);
    }
    mark_read(c);
    update_input_full(c);
}

/* The idle callback: gives every client with buffered requests one more
 * slice, in the order they were put on the list (mark_read pushes at
 * the front), then stops itself when nobody is left waiting. Order
 * matters when one command woke several blocked clients: Redis runs
 * what each pipelined after its blocking command in the order it served
 * them. */
void server_on_idle(uv_idle_t *h)
{
    struct server *srv = h->data;
    struct client *list = NULL;
    while (srv->pending_read) {
        struct client *c = srv->pending_read;
        srv->pending_read = c->pr_next;
        c->pr_next = list;
        list = c;
    }
    while (list) {
        struct client *c = list;
        list = c->pr_next;
        c->flags &= ~(unsigned)CLIENT_PENDING_READ;
        process_input(c);
    }
    if (!srv->pending_read)
        uv_idle_stop(h);
}

/* The peer shut down its side: EOF. Redis runs each request as soon as
 * it has read it and writes the replies before it reads again, so when
 * it reads EOF, every request sent before it has run and been answered,
 * and a client that sends its requests, shuts down its side and reads
 * gets every reply. Here requests may still wait for a turn
 * (CMDS_PER_READ) and replies for the prepare handle, so the reader is
 * told that no more input comes: the requests left run in their turns,
 * and process_input() closes the connection after the last reply once
 * the reader says RESP_END. A request cut short is dropped unanswered, as
 * in Redis, and so is a blocked client (process_input() sees to both).
 * libuv has stopped reading by itself; CLIENT_READING stays set, so
 * update_reading() does not start it again (and if back-pressure stops
 * and restarts it, the next read just reports EOF again). */
static void on_eof(struct client *c)
{
    resp_reader_end(&c->reader);
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY)
        close_at_eof(c); /* nothing more runs; a QUIT under CLIENT REPLY
                            OFF has no reply whose flush would close it */
    else if (!(c->flags & CLIENT_PENDING_READ))
        process_input(c); /* else the idle handle gives it its turns */
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct client *c = s->data;
    if (nread == UV_EOF) {
        on_eof(c);
        return;
    }
    if (nread < 0) {
        client_close(c);
        return;
    }
    if (nread == 0 || (c->flags & (CLIENT_CLOSING | CLIENT_CLOSE_AFTER_REPLY)))
        return;
    c->srv->stat_net_in += (uint64_t)nread;
    c->srv->stat_reads++;
    c->last_ms = server_now_ms(c->srv);
    if (resp_reader_feed(&c->reader, buf->base, (size_t)nread) != RESP_OK) {
        protocol_error(c);
        return;
    }
    if (c->flags & CLIENT_PENDING_READ)
        update_input_full(c);      /* it waits for its turn in the idle */
    else
        process_input(c);
}

static void client_fill_addrs(struct client *c)
{
    if (c->flags & CLIENT_UNIX) {
        snprintf(c->addr, sizeof(c->addr), "%s:0",
                 c->srv->conf.unixsocket ? c->srv->conf.unixsocket : "");
        snprintf(c->laddr, sizeof(c->laddr), "%s:0",
                 c->srv->conf.unixsocket ? c->srv->conf.unixsocket : "");
        return;
    }
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0)
        server_format_addr((struct sockaddr *)&ss, c->addr, sizeof(c->addr));
    len = sizeof(ss);
    if (uv_tcp_getsockname(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0)
        server_format_addr((struct sockaddr *)&ss, c->laddr, sizeof(c->laddr));
}

/* See server.h. Local is Redis's islocalClient: a unix socket, 127.0.0.1
 * or ::1 (not the rest of 127.0.0.0/8). c->addr is "ip:port". */
int client_enabled_by(const struct client *c, const char *mode)
{
    if (strcmp(mode, "yes") == 0)
        return 1;
    return strcmp(mode, "local") == 0 &&
           ((c->flags & CLIENT_UNIX) ||
            strncmp(c->addr, "127.0.0.1:", 10) == 0 ||
            strncmp(c->addr, "::1:", 4) == 0);
}

/* The request limits the configuration sets for every reader. */
static void reader_limits(const struct server *srv, struct resp_limits *lim)
{
    *lim = (struct resp_limits){
        .max_bulk_len = srv->conf.proto_max_bulk_len,
        .max_querybuf = srv->conf.client_query_buffer_limit,
        .max_multibulk = INT_MAX,     /* as Redis 7 */
        .max_inline = 64 * 1024,
    };
}

/* Gives every connected client the limits now configured (CONFIG SET). */
void client_apply_limits_all(struct server *srv)
{
    struct resp_limits lim;
    reader_limits(srv, &lim);
    for (struct client *c = srv->clients; c; c = c->next)
        resp_reader_set_limits(&c->reader, &lim);
}

static struct client *client_new(struct server *srv, int is_unix)
{
    struct client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    struct resp_limits lim;
    reader_limits(srv, &lim);
    if (resp_reader_init(&c->reader, &lim) != RESP_OK) {
        free(c);
        return NULL;
    }
    c->srv = srv;
    c->proto = 2;
    resp_out_init(&c->out, 2);
    resp_out_init(&c->wbuf, 2);
    c->id = ++srv->next_client_id;
    acl_client_default(c);
    c->ctime_ms = c->last_ms = server_now_ms(srv);
    if (is_unix)
        c->flags |= CLIENT_UNIX;
    int rc = is_unix ? uv_pipe_init(srv->loop, &c->h.pipe, 0)
                     : uv_tcp_init(srv->loop, &c->h.tcp);
    if (rc != 0) {
        resp_reader_close(&c->reader);
        free(c);
        return NULL;
    }
    c->h.handle.data = c;
    return c;
}

/* tcp-keepalive as Redis's anetKeepAlive sets it: a probe after `secs`
 * idle seconds, then one every `secs` / 3, and three unanswered drop the
 * peer, after about twice `secs`. libuv sets only the first delay (and, as
 * Debian builds it, probes a second apart ten times). */
static void set_keepalive(struct client *c, int secs)
{
    uv_os_fd_t fd;
    uv_tcp_keepalive(&c->h.tcp, 1, (unsigned)secs);
    if (uv_fileno(&c->h.handle, &fd) != 0)
        return;
    int intvl = secs / 3 > 0 ? secs / 3 : 1, cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Takes in c, whose socket is open: over maxclients it is told so and
 * closed, as Redis does. */
static void client_admit(struct server *srv, struct client *c, int is_unix)
{
    c->next = srv->clients;
    if (srv->clients)
        srv->clients->prev = c;
    srv->clients = c;
    srv->nclients++;
    srv->stat_connections++;
    if (!is_unix) {
        uv_tcp_nodelay(&c->h.tcp, 1);
        if (srv->conf.tcp_keepalive > 0)
            set_keepalive(c, (int)srv->conf.tcp_keepalive);
    }
    client_fill_addrs(c);
    if ((int64_t)srv->nclients > srv->conf.maxclients) {
        srv->stat_rejected_conn++;
        resp_add_error(&c->out, "ERR max number of clients reached", 33);
        close_after_reply(c);
        return;
    }
    update_reading(c);
    if (!(c->flags & CLIENT_READING))
        client_close(c);
}

/* Accepts one connection on a listener. */
void server_on_connection(uv_stream_t *listener, int status)
{
    struct server *srv = listener->data;
    if (status < 0)
        return;
    int is_unix = listener->type == UV_NAMED_PIPE;
    struct client *c = client_new(srv, is_unix);
    if (!c)
        return;
    if (uv_accept(listener, &c->h.stream) != 0) {
        uv_close(&c->h.handle, on_close);
        return;
    }
    client_admit(srv, c, is_unix);
}

/* Writes the replies of every client on srv->pending_write; with hold,
 * a subscriber pubsub_client_hold() lets wait stays on the list. */
static void flush_pending(struct server *srv, int hold)
{
    struct client *list = srv->pending_write;
    srv->pending_write = NULL;
    while (list) {
        struct client *c = list;
        list = c->pw_next;
        if (hold && !(c->flags & CLIENT_PENDING_READ) &&
            pubsub_client_hold(c)) {
            c->pw_next = srv->pending_write;
            srv->pending_write = c;
            continue;
        }
        c->flags &= ~(unsigned)CLIENT_PENDING_WRITE;
        client_flush(c);
    }
}

/* See server.h. libuv accepts only from its loop, so this takes the
 * connection from the listening socket itself and gives libuv the
 * descriptor. */
void client_accept_now(struct server *srv, uv_stream_t *listener)
{
    uv_os_fd_t lfd;
    if (uv_fileno((uv_handle_t *)listener, &lfd) != 0)
        return;
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    int is_unix = listener->type == UV_NAMED_PIPE;
    struct client *c = client_new(srv, is_unix);
    if (!c) {
        close(fd);
        return;
    }
    int rc = is_unix ? uv_pipe_open(&c->h.pipe, fd)
                     : uv_tcp_open(&c->h.tcp, fd);
    if (rc != 0) {
        close(fd);
        uv_close(&c->h.handle, on_close);
        return;
    }
    client_admit(srv, c, is_unix);
}

/* See server.h. */
int client_readable_now(const struct client *c)
{
    return (c->flags & (CLIENT_READING | CLIENT_CLOSING |
                        CLIENT_CLOSE_AFTER_REPLY)) == CLIENT_READING;
}

/* See server.h: one read(2) of what libuv would have read, through
 * on_read. */
void client_read_now(struct client *c)
{
    uv_os_fd_t fd;
    if (!client_readable_now(c) || uv_fileno(&c->h.handle, &fd) != 0)
        return;
    uv_buf_t buf;
    on_alloc(&c->h.handle, 0, &buf);
    ssize_t n = read(fd, buf.base, buf.len);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    on_read(&c->h.stream, n > 0 ? n : n == 0 ? UV_EOF : UV_ECONNRESET, &buf);
}

/* See server.h: what the idle and prepare handles would do next, the
 * clients' next slices of buffered requests, then every reply written
 * (without the prepare handle's holding back of pub/sub output). */
void client_run_turn(struct server *srv)
{
    if (srv->pending_read)
        server_on_idle(&srv->reader_idle);
    flush_pending(srv, 0);
}

/* The prepare callback: flushes every client with pending output. */
void server_on_prepare(uv_prepare_t *h)
{
    struct server *srv = h->data;
    /* Before the replies go: Redis evicts clients before it sleeps too. */
    if (srv->conf.maxmemory_clients)
        client_evict_for_memory(srv);
    /* Keys made ready by something other than a command (expiry). */
    blocking_serve_ready(srv);
    /* tracking-table-max-keys, and the BCAST invalidations gathered
     * during this turn of the loop. */
    if (srv->tracking)
        tracking_before_sleep(srv);
    /* While requests are still queued (the idle handle keeps the loop from
     * blocking), a subscriber that is not itself running commands may keep
     * its pub/sub output back until a batch is worth a write: one syscall
     * per subscriber per batch, not per slice of a publisher's pipeline.
     * pubsub_client_hold() bounds the wait in bytes and loop passes. */
    flush_pending(srv, srv->pending_read != NULL && !srv->shutting_down);
    srv->loop_turns++;
    busypoll_before_poll(srv);
}
