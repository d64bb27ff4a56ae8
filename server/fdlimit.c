/* fdlimit.c - maxclients and the open-files limit (RLIMIT_NOFILE), as
 * Redis's adjustOpenFilesLimit sees them: every client is a descriptor,
 * and the server keeps SERVER_RESERVED_FDS more for itself (listeners,
 * the log, an RDB file, a BGSAVE child's pipe, its threads' needs). When
 * the limit is too low for maxclients it is raised; when it cannot be
 * raised that far, maxclients must come down (start-up) or the change is
 * refused (CONFIG SET). Otherwise connections past the limit would fail
 * in accept() and be dropped without Redis's "max number of clients
 * reached" error.
 *
 * Unlike Redis, the hard limit is never lowered: each attempt asks for
 * the soft limit it wants and keeps the hard one when it is higher. */
#include <errno.h>
#include <sys/resource.h>

#include "server/server.h"

#define STEP 16             /* Redis lowers its attempts by this much */

/* Sets the soft limit to n (and the hard one to n if lower); 0 or errno. */
static int try_limit(rlim_t n, rlim_t hard)
{
    struct rlimit l = { n, n > hard ? n : hard };
    return setrlimit(RLIMIT_NOFILE, &l) == 0 ? 0 : errno;
}

/* See server.h. Redis tries maxclients + 32, then 16 fewer each time,
 * down to the current limit; setrlimit allows everything up to a cap, so
 * a binary search over those same steps lands on the one Redis keeps. */
int64_t server_fdlimit_fit(int64_t maxclients, int *why)
{
    struct rlimit lim;
    *why = 0;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        *why = errno;
        return 1024 - SERVER_RESERVED_FDS;
    }
    rlim_t want = (rlim_t)maxclients + SERVER_RESERVED_FDS;
    rlim_t old = lim.rlim_cur;
    if (old >= want)
        return maxclients;
    /* Step k tries want - STEP * k; the steps above the old limit are
     * [0, n). Find the first that setrlimit accepts. */
    rlim_t lo = 0, n = (want - old + STEP - 1) / STEP, hi = n;
    while (lo < hi) {
        rlim_t mid = lo + (hi - lo) / 2;
        int e = try_limit(want - STEP * mid, lim.rlim_max);
        if (e == 0) {
            hi = mid;
        } else {
            *why = e;
            lo = mid + 1;
        }
    }
    rlim_t best = lo < n ? want - STEP * lo : old;
    try_limit(best, lim.rlim_max);
    return best >= want ? maxclients : (int64_t)best - SERVER_RESERVED_FDS;
}
