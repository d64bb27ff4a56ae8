/* memory.c - what INFO memory and MEMORY report: bytes allocated (from
 * jemalloc's own statistics when built with it, from ASan's allocator
 * under AddressSanitizer, from glibc's mallinfo2 otherwise) and the
 * process's resident set size; jemalloc's report and purge for MEMORY
 * MALLOC-STATS and PURGE. The stores' big tables are mappings of their
 * own that no allocator counts; info.c adds store_mem_mapped to this. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
/* ASan replaces malloc, and glibc's mallinfo2 then sees nothing. This is
 * the runtime's own counter (declared here: gcc ships no header for it). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "server/memory.h"

/* Bytes currently allocated by the process's allocator. */
size_t server_mem_used(void)
{
#ifdef USE_JEMALLOC
    /* jemalloc caches its statistics; bumping the epoch refreshes them. */
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    size_t allocated = 0, cached = 0;
    sz = sizeof(allocated);
    if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) != 0)
        return 0;
    /* Freed blocks the thread cache keeps count as allocated, and come
     * and go by the batch (a swing of ~100 KB that pushed a small
     * maxmemory into OOM with no key left); Redis counts what is in use.
     * Arena 4096 is MALLCTL_ARENAS_ALL, every arena merged. */
    sz = sizeof(cached);
    if (mallctl("stats.arenas.4096.tcache_bytes", &cached, &sz, NULL, 0) ==
            0 && cached < allocated)
        allocated -= cached;
    return allocated;
#elif defined(__SANITIZE_ADDRESS__)
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

/* Resident set size in bytes, from /proc/self/statm (0 if unavailable). */
size_t server_mem_rss(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (n != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* Writes the allocator's name as INFO's mem_allocator shows it. */
void server_mem_allocator(char *buf, size_t cap)
{
#ifdef USE_JEMALLOC
    const char *v = NULL;
    size_t sz = sizeof(v);
    if (mallctl("version", &v, &sz, NULL, 0) == 0 && v)
        snprintf(buf, cap, "jemalloc-%.5s", v);
    else
        snprintf(buf, cap, "jemalloc");
#else
    snprintf(buf, cap, "libc");
#endif
}

/* See memory.h. */
int server_mem_alloc_stats(struct server_mem_alloc *out)
{
#ifdef USE_JEMALLOC
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    memset(out, 0, sizeof(*out));
    sz = sizeof(size_t);
    mallctl("stats.allocated", &out->allocated, &sz, NULL, 0);
    mallctl("stats.active", &out->active, &sz, NULL, 0);
    mallctl("stats.resident", &out->resident, &sz, NULL, 0);
    return 0;
#else
    (void)out;
    return -1;
#endif
}

#ifdef USE_JEMALLOC
/* A growing text buffer for malloc_stats_print's writes. */
struct stats_buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void stats_write(void *ctx, const char *s)
{
    struct stats_buf *b = ctx;
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}
#endif

/* See memory.h. */
char *server_mem_malloc_stats(size_t *len)
{
    *len = 0;
#ifdef USE_JEMALLOC
    struct stats_buf b = { 0 };
    malloc_stats_print(stats_write, &b, NULL);
    if (b.oom || !b.p) {
        free(b.p);
        *len = 1;
        return NULL;
    }
    *len = b.len;
    return b.p;
#else
    return NULL;
#endif
}

/* See memory.h. */
int server_mem_purge(void)
{
#ifdef USE_JEMALLOC
    char name[64];
    snprintf(name, sizeof(name), "arena.%u.purge",
             (unsigned)MALLCTL_ARENAS_ALL);
    return mallctl(name, NULL, NULL, NULL, 0) == 0 ? 0 : -1;
#else
    return 0;
#endif
}
