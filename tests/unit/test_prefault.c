/* test_prefault.c - unit tests for server/prefault.c: the thread that
 * populates the memory jemalloc maps for the loop's arena.
 *
 * They check, with mincore, that a queued range becomes resident only
 * once the thread runs, that a full queue drops a job at once instead of
 * waiting, and (built with jemalloc) that the wrapped alloc hook sees the
 * arena grow and the new memory, never touched by the test, ends up
 * resident. Built without jemalloc (the sanitized build) the hook must
 * refuse to install, and the queue still works. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "server/prefault.h"
#include "tests/unit/unit.h"

static size_t page(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Waits up to 10 s for the thread to finish every queued job. */
static int wait_done(struct prefault *p)
{
    struct prefault_stats st;
    for (int i = 0; i < 10000; i++) {
        prefault_stats(p, &st);
        if (st.done == st.queued)
            return 0;
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
    }
    return -1;
}

TEST(queue_runs_on_thread_and_drops_when_full)
{
    size_t pg = page(), n = PREFAULT_QUEUE + 1;
    char *m = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT(m != MAP_FAILED);
    struct prefault *p = prefault_new();
    ASSERT(p != NULL);
    /* No thread yet: the queue fills, and the next job drops at once. */
    for (size_t i = 0; i < PREFAULT_QUEUE; i++)
        ASSERT_OK(prefault_queue(p, m + i * pg, pg));
    ASSERT_EQ(prefault_queue(p, m + PREFAULT_QUEUE * pg, pg), -1);
    struct prefault_stats st;
    prefault_stats(p, &st);
    ASSERT_EQ(st.queued, PREFAULT_QUEUE);
    ASSERT_EQ(st.dropped, 1);
    ASSERT_EQ(unit_resident_pages(m, n * pg), 0);
    ASSERT_OK(prefault_start(p));
    ASSERT_OK(wait_done(p));
    prefault_stats(p, &st);
    if (st.unsupported) {               /* kernel before 5.14 */
        ASSERT_EQ(st.populated_bytes, 0);
    } else {
        ASSERT_EQ(unit_resident_pages(m, PREFAULT_QUEUE * pg), PREFAULT_QUEUE);
        ASSERT_EQ(unit_resident_pages(m + PREFAULT_QUEUE * pg, pg), 0);
        ASSERT_EQ(st.populated_bytes, PREFAULT_QUEUE * pg);
        for (size_t i = 0; i < PREFAULT_QUEUE * pg; i++)
            ASSERT_EQ(m[i], 0);         /* populated, not written */
    }
    prefault_free(p);
    munmap(m, n * pg);
}

#ifdef USE_JEMALLOC
TEST(hook_populates_what_the_arena_grows)
{
    enum { BLOCK = 4 << 20, MAXBLOCKS = 64 };   /* large, not huge */
    struct prefault *p = prefault_new();
    ASSERT(p != NULL);
    ASSERT_OK(prefault_hook_thread_arena(p));
    ASSERT_EQ(prefault_hook_thread_arena(p), -1);   /* once */
    /* Allocate until the arena grows; the block that made it grow lies in
     * the new range. Nothing here touches the blocks. */
    void *b[MAXBLOCKS];
    int nb = 0;
    struct prefault_stats st;
    do {
        ASSERT(nb < MAXBLOCKS);
        b[nb] = malloc(BLOCK);
        ASSERT(b[nb] != NULL);
        nb++;
        prefault_stats(p, &st);
    } while (st.grown == 0);
    ASSERT(st.grown_bytes >= BLOCK);
    ASSERT(st.queued >= 1);
    /* jemalloc offsets a large block within its first page (its
     * cache_oblivious option); the extent starts at the page. */
    char *last = (char *)((uintptr_t)b[nb - 1] & ~(uintptr_t)(page() - 1));
    /* Queued, but no thread yet: jemalloc itself left the pages alone. */
    ASSERT_EQ(unit_resident_pages(last, BLOCK), 0);
    ASSERT_OK(prefault_start(p));
    ASSERT_OK(wait_done(p));
    prefault_stats(p, &st);
    if (!st.unsupported) {
        ASSERT_EQ(unit_resident_pages(last, BLOCK), BLOCK / page());
        ASSERT(st.populated_bytes >= BLOCK);
    }
    prefault_free(p);                   /* jemalloc's hooks back */
    for (int i = 0; i < nb; i++)
        free(b[i]);
    void *more = malloc(BLOCK);         /* still allocates unhooked */
    ASSERT(more != NULL);
    free(more);
}
#else
TEST(hook_refused_without_jemalloc)
{
    struct prefault *p = prefault_new();
    ASSERT(p != NULL);
    ASSERT_EQ(prefault_hook_thread_arena(p), -1);
    ASSERT_OK(prefault_start(p));
    prefault_free(p);
}
#endif

static const struct unit_test tests[] = {
    UNIT(queue_runs_on_thread_and_drops_when_full),
#ifdef USE_JEMALLOC
    UNIT(hook_populates_what_the_arena_grows),
#else
    UNIT(hook_refused_without_jemalloc),
#endif
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
