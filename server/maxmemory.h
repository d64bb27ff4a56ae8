/* maxmemory.h - keeping used memory under the maxmemory directive:
 * evicting keys by maxmemory-policy, and telling dispatch when a command
 * must be refused with OOM (maxmemory.c says how memory is measured). */
#ifndef RESPITE_MAXMEMORY_H
#define RESPITE_MAXMEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct server;
struct client;

struct maxmemory {
    int none;                       /* noeviction */
    int by;                         /* enum store_evict_by */
    int volatile_only;              /* volatile-* policies */
    int next_db;                    /* where the next random pick starts */
    uint64_t budget_ns;             /* eviction time a call (UINT64_MAX: none) */
    int64_t base;                   /* used memory outside the stores */
    uint64_t base_ms;               /* uv_now of its last refresh */
    unsigned ticks;                 /* sweeper ticks, for the refresh */
    uint64_t evicted;               /* INFO evicted_keys */
    uint64_t over_since_ns;         /* uv_hrtime the spell over began; 0: none */
    uint64_t over_total_ns;         /* the ended spells' time over, summed */
    uint64_t limit;                 /* maxmemory when last configured */
    uv_timer_t timer;               /* goes on evicting after a call's time */
};

void maxmemory_init(struct server *srv);
void maxmemory_close(struct server *srv);
/* Reads the maxmemory-* directives (at start and after CONFIG SET). A
 * new limit takes effect at once, as in Redis: a warning when used memory
 * is above it, and eviction. */
void maxmemory_configure(struct server *srv);
/* The part of maxmemory_configure that the stores see: how they rank
 * keys, and whether they count accesses as LFU counters. Also run before
 * the RDB file is loaded, whose keys may carry an LFU counter. */
void maxmemory_apply_policy(struct server *srv);
/* INFO's used_memory: the allocator's figure, the stores' own mappings
 * and the pages waiting for the release thread. Costs a few us. */
size_t server_used_memory(const struct server *srv);
/* The sweeper's tick: refreshes the memory figures, keeps the peak
 * (INFO used_memory_peak), goes on evicting if over the limit. */
void maxmemory_tick(struct server *srv);
/* Evicts until used memory is within maxmemory or this call's time is
 * up (then a timer goes on between commands). Returns 1 when still over
 * with nothing left to evict (or policy noeviction), else 0. */
int maxmemory_enforce(struct server *srv);
/* 1 when c's command must be refused with OOM: used memory is over
 * maxmemory after eviction and the command may grow it (Redis's rule). */
int maxmemory_refuses(struct client *c);
/* INFO's total_eviction_exceeded_time and current_eviction_exceeded_time
 * in ms: how long eviction has left used memory over maxmemory, in all
 * (since start or CONFIG RESETSTAT) and in the spell going on now. */
void maxmemory_over_ms(const struct server *srv, uint64_t *total_ms,
                       uint64_t *current_ms);

#endif
