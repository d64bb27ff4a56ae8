/* fdio.c - a whole buffer written to a descriptor outside libuv: the
 * debugger's replies (script_debug.c) and a forked child's snapshot
 * (cmd_sync.c, rdb_save.c). Client sockets are non-blocking, so a full
 * one is waited for with poll(2); SIGPIPE is ignored (main.c), so a
 * peer that went away is an EPIPE here. */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "server/server.h"

/* See server.h. */
int server_write_all(int fd, const void *buf, size_t n, int timeout_ms)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return w == 0 ? EIO : errno;
        struct pollfd pf = { .fd = fd, .events = POLLOUT };
        int r = poll(&pf, 1, timeout_ms);
        if (r == 0)
            return ETIMEDOUT;
        if (r < 0 && errno != EINTR)
            return errno;
    }
    return 0;
}
