/* test_release.c - unit tests for server/release.c: the thread that gives
 * the stores' pages back to the kernel.
 *
 * They check that release_stop runs every job still queued before the
 * thread ends (the pages of each dropped range are gone and `pending` is
 * back to 0), including jobs that had to wait for room in a full queue;
 * and that release_stop is a no-op on a release that never started or
 * was stopped already, as server/main.c relies on when start-up fails.
 *
 * The stop is asked right after the last of twice RELEASE_QUEUE jobs
 * went into a full queue, behind the unmap of a large populated mapping,
 * so many jobs are still queued then (a release that ended without them
 * left 4 MB pending in 5 runs of 5). Were the thread faster, the drain
 * test would pass without testing the drain; it cannot fail on a correct
 * release.c.
 *
 * And that in a forked child, after release_forget, a job runs inline,
 * even when the lock was held at the fork (as the thread may hold it):
 * without the forget the child waits on that lock for ever, and its
 * alarm ends it. */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/release.h"
#include "tests/unit/unit.h"

#define MB ((size_t)1 << 20)
#define PAGES 64

static void *map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

TEST(stop_runs_every_queued_job)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), big_len = 64 * MB;
    char *big = map(big_len), *small = map(PAGES * pg);
    ASSERT(big != NULL && small != NULL);
    memset(big, 1, big_len);                    /* slow to unmap */
    memset(small, 0xab, PAGES * pg);
    struct release r;
    ASSERT_OK(release_start(&r));
    release_pages(&r, &(struct store_release){ big, big_len, big_len, 1 });
    /* More drops than the queue holds: the later ones wait for room. */
    for (size_t i = 0; i < 2 * RELEASE_QUEUE; i++) {
        char *p = small + (i % PAGES) * pg;
        release_pages(&r, &(struct store_release){ p, pg, pg, 0 });
    }
    release_stop(&r);
    ASSERT_EQ(release_pending(&r), 0);
    ASSERT_EQ(unit_resident_pages(small, PAGES * pg), 0);
    for (size_t i = 0; i < PAGES; i++)
        ASSERT_EQ(small[i * pg], 0);            /* dropped: reads zero */
    release_stop(&r);                           /* stopped: a no-op */
    munmap(small, PAGES * pg);
}

/* server/main.c stops the release of a server whose start-up failed
 * before (or in) release_start. */
TEST(stop_without_start_is_a_noop)
{
    struct release r = { 0 };
    release_stop(&r);
    ASSERT_EQ(release_pending(&r), 0);
}

/* The child's side: exit status 0 when the job ran inline. */
static void child_drop(struct release *r, char *page, size_t pg)
{
    alarm(5);
    release_forget(r);
    release_pages(r, &(struct store_release){ page, pg, pg, 0 });
    _exit(unit_resident_pages(page, pg) == 0 && page[0] == 0 ? 0 : 2);
}

TEST(forked_child_runs_jobs_inline)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    char *page = map(pg);
    ASSERT(page != NULL);
    memset(page, 0xab, pg);
    struct release r;
    ASSERT_OK(release_start(&r));
    uv_mutex_lock(&r.w.lock);
    pid_t pid = fork();
    if (pid == 0)
        child_drop(&r, page, pg);
    uv_mutex_unlock(&r.w.lock);
    ASSERT(pid > 0);
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT(WIFEXITED(st));
    ASSERT_EQ(WEXITSTATUS(st), 0);
    ASSERT_EQ((unsigned char)page[0], 0xab);    /* the parent's untouched */
    release_stop(&r);
    munmap(page, pg);
}

static const struct unit_test tests[] = {
    UNIT(stop_runs_every_queued_job),
    UNIT(stop_without_start_is_a_noop),
    UNIT(forked_child_runs_jobs_inline),
};

int main(void)
{
    return unit_run(tests, UNIT_COUNT(tests));
}
