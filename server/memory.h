/* memory.h - allocator and process memory figures for INFO and MEMORY
 * (memory.c), and the breakdown both show (mem_report.c). */
#ifndef RESPITE_MEMORY_H
#define RESPITE_MEMORY_H

#include <stddef.h>
#include <stdint.h>

size_t server_mem_used(void);
size_t server_mem_rss(void);
void server_mem_allocator(char *buf, size_t cap);

/* jemalloc's allocated, active and resident bytes (MEMORY STATS); 0 and
 * filled with jemalloc, -1 with another allocator. */
struct server_mem_alloc {
    size_t allocated, active, resident;
};
int server_mem_alloc_stats(struct server_mem_alloc *out);
/* jemalloc's statistics report (malloc_stats_print), NUL-terminated, in
 * a malloc'ed buffer the caller frees; *len gets its length. NULL with
 * another allocator, or on OOM (*len is then 1). */
char *server_mem_malloc_stats(size_t *len);
/* Gives the dirty pages of every jemalloc arena back to the system
 * (MEMORY PURGE). 0, or -1 if jemalloc refused; 0 with another
 * allocator, which has nothing to purge this way. */
int server_mem_purge(void);

/* One layer's memory against the layer below it: a / b and a - b. */
struct mem_gap {
    double ratio;                       /* 0 when b is 0 */
    int64_t bytes;
};

/* The breakdown of used_memory (mem_report.c) that INFO memory and
 * MEMORY STATS / DOCTOR show. */
struct mem_report {
    size_t used, peak, startup, net, clients, rss, keys, overhead, dataset;
    size_t prefix;                      /* of overhead: the prefix index */
    struct mem_gap frag;                /* rss against used */
    int has_alloc;                      /* alloc and what follows filled */
    struct server_mem_alloc alloc;
    /* jemalloc's layers: active/allocated, resident/active, rss/resident */
    struct mem_gap alloc_frag, alloc_rss, rss_overhead;
};
struct server;
/* Fills *r now; used_memory above the peak raises it. */
void mem_report_fill(struct server *srv, struct mem_report *r);

#endif
