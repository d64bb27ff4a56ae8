/* memory.c - what INFO memory reports: bytes allocated (from jemalloc's own
 * statistics when built with it, from ASan's allocator under
 * AddressSanitizer, from glibc's mallinfo2 otherwise) and the process's
 * resident set size. The stores' big tables are mappings of their own
 * that no allocator counts; info.c adds store_mem_mapped to this. */
#include <malloc.h>
#include <stdio.h>
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
    size_t allocated = 0;
    sz = sizeof(allocated);
    if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) == 0)
        return allocated;
    return 0;
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
