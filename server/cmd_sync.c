/* cmd_sync.c - SYNC and REPLCONF, as far as a server that does not
 * replicate can answer them: the RDB snapshot a client asks for with
 * REPLCONF rdb-only 1, which is how redis-cli --rdb and --functions-rdb
 * fetch one from Redis 7.0.
 *
 *   REPLCONF capa eof, rdb-only 1 [, rdb-filter-only functions]
 *   SYNC --fork--> child: "$EOF:<40 hex>\r\n" RDB "<the same 40 hex>"
 *      |           (or "$<length>\r\n" RDB without capa eof), _exit
 *      +-- parent: hands the client off (server_fork_client)
 *
 * The child writes the snapshot straight to the socket as rdb_save_file
 * would write a file (rdb_save.c), so the server goes on serving while
 * it is sent and nothing of it is held in memory at once. Without capa
 * eof the length must come first: the snapshot goes to an anonymous
 * memory file, then to the socket.
 *
 * What Redis does and this server does not: a SYNC without rdb-only (a
 * replica, or redis-cli --replica) is refused rather than followed by
 * the stream of writes; REPLCONF's replication options (listening-port,
 * ip-address, ack, getack) are unrecognized; and the transfer starts at
 * once, where Redis 7.0 first waits repl-diskless-sync-delay for other
 * replicas to share it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "server/handlers.h"
#include "server/persist.h"
#include "server/server.h"

#define MARK_LEN 40                     /* the EOF mark, hex digits */

/* REPLCONF rdb-filter-only's value: a space-separated list whose only
 * filter is "functions"; "" is none. Replies and returns 0 on another. */
static int filter_or_reply(struct client *c, size_t i, unsigned *repl)
{
    char word[64];
    const char *p = c->argv[i];
    unsigned r = *repl & ~(unsigned)REPL_FUNCTIONS_ONLY;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        snprintf(word, sizeof(word), "%.*s", (int)n, p);
        if (strcasecmp(word, "functions") != 0) {
            reply_error(c, ERR_REPLCONF_FILTER, word);
            return 0;
        }
        r |= REPL_FUNCTIONS_ONLY;
        p += n;
    }
    *repl = r;
    return 1;
}

/* REPLCONF <option> <value> ...: the options of a SYNC to come, taken in
 * order; an error stops there, keeping those before it, as in Redis. */
void cmd_replconf(struct client *c)
{
    if (c->argc % 2 == 0) {
        reply_error(c, ERR_SYNTAX);
        return;
    }
    for (size_t i = 1; i < c->argc; i += 2) {
        int64_t v;
        if (arg_is(c, i, "capa")) {
            if (arg_is(c, i + 1, "eof"))
                c->repl |= REPL_CAPA_EOF;
        } else if (arg_is(c, i, "rdb-only")) {
            if (!arg_i64_range_or_reply(c, i + 1, 0, 1, ERR_ZERO_OR_ONE, &v))
                return;
            c->repl = v ? c->repl | REPL_RDB_ONLY
                        : c->repl & ~(unsigned)REPL_RDB_ONLY;
        } else if (arg_is(c, i, "rdb-filter-only")) {
            if (!filter_or_reply(c, i + 1, &c->repl))
                return;
        } else {
            reply_error(c, ERR_REPLCONF_OPTION, c->argv[i]);
            return;
        }
    }
    reply_ok(c);
}

/* The snapshot between two copies of a random mark: 0, or an errno. */
static int send_marked(struct server *srv, int fd, int keys)
{
    unsigned char raw[MARK_LEN / 2];
    char head[64], mark[MARK_LEN + 1];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return errno ? errno : EIO;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(mark + 2 * i, 3, "%02x", raw[i]);
    int n = snprintf(head, sizeof(head), "$EOF:%s\r\n", mark);
    int e = server_write_all(fd, head, (size_t)n, SERVER_STALL_MS);
    if (!e)
        e = rdb_save_stream(srv, fd, keys);
    return e ? e : server_write_all(fd, mark, MARK_LEN, SERVER_STALL_MS);
}

/* The snapshot as one bulk string: it goes to a memory file first for
 * its length. 0, or an errno. */
static int send_bulk(struct server *srv, int fd, int keys)
{
    int mem = memfd_create("respite-sync", MFD_CLOEXEC);
    if (mem < 0)
        return errno;
    int e = rdb_save_stream(srv, mem, keys);
    off_t len = e ? 0 : lseek(mem, 0, SEEK_CUR);
    if (len <= 0 && !e)
        e = len < 0 ? errno : EIO;      /* an RDB is never empty */
    char *p = e ? MAP_FAILED
                : mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, mem, 0);
    if (!e && p == MAP_FAILED)
        e = errno;
    if (!e) {
        char head[32];
        int n = snprintf(head, sizeof(head), "$%lld\r\n", (long long)len);
        e = server_write_all(fd, head, (size_t)n, SERVER_STALL_MS);
        if (!e)
            e = server_write_all(fd, p, (size_t)len, SERVER_STALL_MS);
        munmap(p, (size_t)len);
    }
    close(mem);
    return e;
}

/* The child's side of SYNC: never returns. */
static void sync_child(struct client *c)
{
    uv_os_fd_t fd;
    int keys = !(c->repl & REPL_FUNCTIONS_ONLY);
    int e = uv_fileno(&c->h.handle, &fd) != 0 ? EBADF
            : c->repl & REPL_CAPA_EOF ? send_marked(c->srv, fd, keys)
                                      : send_bulk(c->srv, fd, keys);
    if (e)
        server_log(c->srv, 'w', "SYNC snapshot to client id=%llu failed: "
                   "%s", (unsigned long long)c->id, strerror(e));
    else
        server_log(c->srv, 'n', "SYNC snapshot sent to client id=%llu",
                   (unsigned long long)c->id);
    _exit(e ? 1 : 0);
}

/* SYNC: the RDB snapshot for a client that asked for it only. */
void cmd_sync(struct client *c)
{
    if (c->out.len > 0) {
        reply_error(c, ERR_SYNC_PENDING);
        return;
    }
    if (!(c->repl & REPL_RDB_ONLY)) {
        reply_error(c, ERR_SYNC_NOT_RDB_ONLY);
        return;
    }
    pid_t pid = server_fork_client(c->srv, c, "SYNC snapshot");
    if (pid == 0)
        sync_child(c);
    if (pid < 0)
        reply_error(c, ERR_SYNC_FORK, strerror(errno));
    else
        server_log(c->srv, 'n', "Sending an RDB snapshot to client id=%llu "
                   "(SYNC) from pid %ld", (unsigned long long)c->id,
                   (long)pid);
}
