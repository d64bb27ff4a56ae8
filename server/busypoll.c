/* busypoll.c - after a loop pass that read requests, the loop keeps
 * polling without blocking for up to busy-poll-us before it sleeps, so a
 * busy server takes its next request without having to be woken.
 *
 * Why: with many clients that each wait for their reply (no pipelining),
 * the loop often empties its sockets between two requests, blocks in
 * epoll_wait, and must be woken for the next one. On virtual machines
 * that wake-up (an interrupt sent between vCPUs through the hypervisor)
 * costs more than the request itself. On the 2-vCPU VMs these sessions
 * run on, `redis-benchmark -c 50 -P 1` ran at 30-35k requests/s whenever
 * the server slept about once every three requests and at 45-50k when it
 * hardly slept, and Redis 7 falls into the same two states; a server
 * that needs less CPU a request sleeps more often, so it fell into the
 * slow one more. Polling for a few tens of microseconds keeps a busy
 * server awake across those gaps.
 *
 * Cost: CPU time spent polling. A poll that runs out without a request
 * doubles the number of later sleeps taken without polling first (up to
 * SKIP_MAX), and one that finds a request resets it. So a server whose
 * requests come further apart than busy-poll-us soon polls before one
 * sleep in SKIP_MAX, which costs next to nothing, while a busy one polls
 * in every gap. With a single CPU a poll would only hold up the clients
 * it waits for, so there is none. busy-poll-us 0 turns it off.
 *
 * How: an active idle handle keeps libuv from blocking in poll. The
 * prepare callback starts it after a pass that read bytes, and its own
 * callback stops it once busy-poll-us went by without any. */
#include "server/busypoll.h"
#include "server/server.h"

#define SKIP_MAX 64

static void on_idle(uv_idle_t *h)
{
    struct server *srv = h->data;
    struct busypoll *b = &srv->busypoll;
    if (uv_hrtime() < b->deadline_ns)
        return;
    uv_idle_stop(h);
    b->backoff = b->backoff ? b->backoff * 2 : 1;
    if (b->backoff > SKIP_MAX)
        b->backoff = SKIP_MAX;
    b->skip = b->backoff;
}

void busypoll_init(struct server *srv)
{
    struct busypoll *b = &srv->busypoll;
    uv_idle_init(srv->loop, &b->idle);
    b->idle.data = srv;
    b->enabled = uv_available_parallelism() > 1;
}

void busypoll_before_poll(struct server *srv)
{
    struct busypoll *b = &srv->busypoll;
    if (srv->stat_net_in == b->seen_in)
        return;                     /* on_idle ends a poll that finds none */
    b->seen_in = srv->stat_net_in;
    uint64_t us = (uint64_t)srv->conf.busy_poll_us;
    if (!b->enabled || us == 0 || srv->shutting_down) {
        uv_idle_stop(&b->idle);
        return;
    }
    if (uv_is_active((uv_handle_t *)&b->idle)) {
        b->backoff = 0;             /* the poll found requests */
    } else if (b->skip > 0) {
        b->skip--;
        return;
    } else {
        uv_idle_start(&b->idle, on_idle);
    }
    b->deadline_ns = uv_hrtime() + us * 1000;
}

void busypoll_close(struct server *srv)
{
    uv_close((uv_handle_t *)&srv->busypoll.idle, NULL);
}
