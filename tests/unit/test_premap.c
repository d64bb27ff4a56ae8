/* test_premap.c - unit tests for server/premap.c: the thread that maps
 * the stores' next bucket arrays ahead.
 *
 * They check that a take after a map job gets a region of exactly the
 * length asked, untouched and writable, and that a miss returns NULL;
 * that premap_map (the store's callback) queues the next doubling; that
 * the pool's bound drops a job when every slot waits for the thread, and
 * evicts the oldest ready region (unmapping it) when slots are ready;
 * and that premap_free unmaps the regions nobody took. Address space is
 * read from /proc/self/status (VmSize), since nothing else in the test
 * maps or unmaps memory of that size meanwhile. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "server/premap.h"
#include "tests/unit/unit.h"

#define MB ((size_t)1 << 20)

/* Waits up to 10 s for the thread to run every queued job. */
static int wait_mapped(struct premap *m)
{
    struct premap_stats st;
    for (int i = 0; i < 10000; i++) {
        premap_stats(m, &st);
        if (st.mapped + st.failed == st.queued)
            return 0;
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
    }
    return -1;
}

/* The process's address space in bytes, or 0. */
static size_t vm_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %zu kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

TEST(take_gets_the_queued_region)
{
    struct premap *m = premap_new();
    ASSERT(m != NULL);
    ASSERT_OK(premap_start(m));
    ASSERT_OK(premap_queue(m, 2 * MB));
    ASSERT_OK(wait_mapped(m));
    ASSERT(premap_take(m, MB) == NULL);         /* not that length */
    char *p = premap_take(m, 2 * MB);
    ASSERT(p != NULL);
    ASSERT_EQ(unit_resident_pages(p, 2 * MB), 0);   /* untouched */
    p[0] = 1;
    p[2 * MB - 1] = 2;
    ASSERT_EQ(p[0] + p[2 * MB - 1], 3);
    ASSERT(premap_take(m, 2 * MB) == NULL);     /* taken once */
    struct premap_stats st;
    premap_stats(m, &st);
    ASSERT_EQ(st.taken, 1);
    ASSERT_EQ(st.missed, 2);
    ASSERT_EQ(st.late, 0);
    ASSERT_EQ(st.ready_bytes, 0);
    premap_free(m);
    /* The region is the taker's: still mapped after premap_free. */
    ASSERT_EQ(p[2 * MB - 1], 2);
    munmap(p, 2 * MB);
}

/* The store's callback misses the first time, and finds the next
 * doubling of what it asked for ready the next time. */
TEST(map_cb_queues_the_next_doubling)
{
    struct premap *m = premap_new();
    ASSERT(m != NULL);
    ASSERT(premap_map(m, MB) == NULL);
    struct premap_stats st;
    premap_stats(m, &st);
    ASSERT_EQ(st.queued, 1);
    ASSERT_EQ(st.mapped, 0);
    /* Queued, not run yet: a take of that length is late. */
    ASSERT(premap_take(m, 2 * MB) == NULL);
    premap_stats(m, &st);
    ASSERT_EQ(st.late, 1);
    ASSERT_OK(premap_start(m));
    ASSERT_OK(wait_mapped(m));
    char *p = premap_map(m, 2 * MB);
    ASSERT(p != NULL);
    ASSERT_OK(wait_mapped(m));
    premap_stats(m, &st);
    ASSERT_EQ(st.taken, 1);
    ASSERT_EQ(st.missed, 2);
    ASSERT_EQ(st.queued, 2);
    ASSERT_EQ(st.ready_bytes, 4 * MB);
    ASSERT(premap_take(m, 4 * MB) != NULL && premap_take(m, 4 * MB) == NULL);
    munmap(p, 2 * MB);
    premap_free(m);
}

/* PREMAP_POOL jobs fill the pool; with none run yet the next is dropped.
 * Once they are ready a new job evicts the oldest region, which the
 * thread unmaps. */
TEST(bound_drops_then_evicts)
{
    struct premap *m = premap_new();
    ASSERT(m != NULL);
    for (int i = 0; i < PREMAP_POOL; i++)
        ASSERT_OK(premap_queue(m, MB));
    ASSERT_EQ(premap_queue(m, 2 * MB), -1);
    struct premap_stats st;
    premap_stats(m, &st);
    ASSERT_EQ(st.queued, PREMAP_POOL);
    ASSERT_EQ(st.dropped, 1);
    ASSERT_OK(premap_start(m));
    ASSERT_OK(wait_mapped(m));
    premap_stats(m, &st);
    ASSERT_EQ(st.ready_bytes, PREMAP_POOL * MB);
    size_t before = vm_size();
    ASSERT_OK(premap_queue(m, 2 * MB));
    ASSERT_OK(wait_mapped(m));
    size_t after = vm_size();
    premap_stats(m, &st);
    ASSERT_EQ(st.evicted, 1);
    ASSERT_EQ(st.dropped, 1);
    ASSERT_EQ(st.ready_bytes, (PREMAP_POOL + 1) * MB);
    ASSERT_EQ(after - before, MB);      /* 2 MB mapped, 1 MB unmapped */
    char *two = premap_take(m, 2 * MB);
    ASSERT(two != NULL);
    munmap(two, 2 * MB);
    for (int i = 0; i < PREMAP_POOL - 1; i++) {
        char *p = premap_take(m, MB);
        ASSERT(p != NULL);
        munmap(p, MB);
    }
    ASSERT(premap_take(m, MB) == NULL);
    premap_free(m);
}

/* premap_free unmaps every region nobody took. */
TEST(free_unmaps_untaken_regions)
{
    enum { N = 8 };
    struct premap *m = premap_new();
    ASSERT(m != NULL);
    ASSERT_OK(premap_start(m));
    for (int i = 0; i < N; i++)
        ASSERT_OK(premap_queue(m, 16 * MB));
    ASSERT_OK(wait_mapped(m));
    size_t before = vm_size();
    ASSERT(before > 0);
    premap_free(m);
    size_t after = vm_size();
    ASSERT(after <= before - N * 16 * MB);
}

static const struct unit_test tests[] = {
    UNIT(take_gets_the_queued_region),
    UNIT(map_cb_queues_the_next_doubling),
    UNIT(bound_drops_then_evicts),
    UNIT(free_unmaps_untaken_regions),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
