/* slowlog.h - the slow log's entries (slowlog.c): a list, newest first,
 * of commands that ran for at least slowlog-log-slower-than microseconds,
 * each with its arguments clipped as Redis clips them. Plain data: no
 * clock, no sockets, no RESP; the server decides what to record
 * (cmd_slowlog.c) and passes the time in. */
#ifndef RESPITE_SLOWLOG_H
#define RESPITE_SLOWLOG_H

#include <stddef.h>
#include <stdint.h>

#define SLOWLOG_MAX_ARGC 32     /* arguments kept; the last says how many more */
#define SLOWLOG_MAX_ARGLEN 128  /* bytes kept of an argument */

struct slowlog_entry {
    struct slowlog_entry *newer, *older;
    uint64_t id;
    int64_t time;               /* Unix seconds */
    uint64_t duration_us;
    size_t argc;                /* at most SLOWLOG_MAX_ARGC */
    char **argv;                /* the clipped arguments, in this entry */
    size_t *argvlen;
    const char *addr, *name;    /* NUL-terminated, in this entry */
};

struct slowlog {
    struct slowlog_entry *newest, *oldest;
    size_t len;
    uint64_t next_id;           /* not reset by slowlog_reset, as in Redis */
};

/* What to record: everything borrowed for the call. Argument i is shown
 * as "(redacted)" when bit min(i, 63) of redacted is set. name NULL or
 * "" for none. */
struct slowlog_record {
    size_t argc;
    const char *const *argv;
    const size_t *argvlen;
    uint64_t redacted;
    int64_t time;
    uint64_t duration_us;
    const char *addr;
    const char *name;
};

void slowlog_init(struct slowlog *sl);
/* Frees every entry; next_id is kept. */
void slowlog_reset(struct slowlog *sl);
/* Frees every entry (slowlog_reset under the lifecycle name). */
void slowlog_close(struct slowlog *sl);
/* Adds r as the newest entry (copied, clipped), then drops the oldest
 * until at most max_len are left. Every call uses up an id, even one
 * whose entry is dropped at once (max_len 0), as in Redis. Returns 0, or
 * -1 on allocation failure (nothing added; the id is still used). */
int slowlog_push(struct slowlog *sl, const struct slowlog_record *r,
                 uint64_t max_len);

#endif
