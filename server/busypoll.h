/* busypoll.h - the loop polls on for a moment after serving requests
 * instead of sleeping at once (busypoll.c says why). */
#ifndef RESPITE_BUSYPOLL_H
#define RESPITE_BUSYPOLL_H

#include <stdint.h>
#include <uv.h>

struct server;

struct busypoll {
    uv_idle_t idle;                 /* active: the loop does not block */
    uint64_t seen_in;               /* stat_net_in at the last look */
    uint64_t deadline_ns;           /* uv_hrtime() when polling stops */
    unsigned skip;                  /* sleeps still to take unpolled */
    unsigned backoff;               /* skip after the next fruitless poll */
    int enabled;                    /* 0 with a single CPU */
};

void busypoll_init(struct server *srv);
/* From the prepare callback, just before the loop would block. */
void busypoll_before_poll(struct server *srv);
void busypoll_close(struct server *srv);

#endif
