/* slowlog.c - the slow log's list of entries (see slowlog.h).
 *
 *   newest <-> ... <-> oldest      a doubly linked list: a push adds at
 *                                  the newest end, trimming drops from
 *                                  the oldest, SLOWLOG GET walks from the
 *                                  newest
 *
 * Each entry is one allocation: the struct, then its argv and argvlen
 * arrays, then the argument bytes, the address and the name, so a push is
 * one malloc and a drop one free. Arguments are clipped as Redis 7.0
 * clips them (at most 32 kept, the 32nd replaced by "... (N more
 * arguments)"; an argument over 128 bytes keeps 128 and gains "... (N
 * more bytes)"), so an entry is at most a few KiB however large the
 * command was.
 *
 * The length limit is applied on push only: lowering slowlog-max-len
 * leaves the list as it is until the next entry, as in Redis (whose
 * CONFIG SET is itself logged, so the difference is rarely seen). */
#include "server/slowlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDACTED "(redacted)"

void slowlog_init(struct slowlog *sl)
{
    memset(sl, 0, sizeof(*sl));
}

static void drop_oldest(struct slowlog *sl)
{
    struct slowlog_entry *e = sl->oldest;
    sl->oldest = e->newer;
    if (sl->oldest)
        sl->oldest->older = NULL;
    else
        sl->newest = NULL;
    sl->len--;
    free(e);
}

void slowlog_reset(struct slowlog *sl)
{
    while (sl->oldest)
        drop_oldest(sl);
}

void slowlog_close(struct slowlog *sl)
{
    slowlog_reset(sl);
}

static int is_redacted(const struct slowlog_record *r, size_t i)
{
    return (r->redacted >> (i < 63 ? i : 63)) & 1;
}

/* Writes argument i of r as the entry keeps it into dst (NULL: only
 * measures). Returns its length. */
static size_t clip_arg(const struct slowlog_record *r, size_t i, size_t kept,
                       char *dst)
{
    char note[64];
    const char *p = r->argv[i];
    size_t n = r->argvlen[i], extra = 0;
    if (kept != r->argc && i == kept - 1) {
        p = note;
        n = (size_t)snprintf(note, sizeof(note), "... (%zu more arguments)",
                             r->argc - kept + 1);
    } else if (is_redacted(r, i)) {
        p = REDACTED;
        n = sizeof(REDACTED) - 1;
    } else if (n > SLOWLOG_MAX_ARGLEN) {
        extra = (size_t)snprintf(note, sizeof(note), "... (%zu more bytes)",
                                 n - SLOWLOG_MAX_ARGLEN);
        n = SLOWLOG_MAX_ARGLEN;
    }
    if (dst) {
        memcpy(dst, p, n);
        memcpy(dst + n, note, extra);
    }
    return n + extra;
}

int slowlog_push(struct slowlog *sl, const struct slowlog_record *r,
                 uint64_t max_len)
{
    uint64_t id = sl->next_id++;
    size_t kept = r->argc < SLOWLOG_MAX_ARGC ? r->argc : SLOWLOG_MAX_ARGC;
    const char *name = r->name ? r->name : "";
    size_t alen = strlen(r->addr) + 1, nlen = strlen(name) + 1;
    size_t bytes = 0;
    for (size_t i = 0; i < kept; i++)
        bytes += clip_arg(r, i, kept, NULL) + 1;
    struct slowlog_entry *e =
        malloc(sizeof(*e) + kept * (sizeof(char *) + sizeof(size_t)) +
               bytes + alen + nlen);
    if (!e)
        return -1;
    e->id = id;
    e->time = r->time;
    e->duration_us = r->duration_us;
    e->argc = kept;
    e->argv = (char **)(e + 1);
    e->argvlen = (size_t *)(e->argv + kept);
    char *p = (char *)(e->argvlen + kept);
    for (size_t i = 0; i < kept; i++) {
        e->argv[i] = p;
        e->argvlen[i] = clip_arg(r, i, kept, p);
        p += e->argvlen[i];
        *p++ = '\0';
    }
    memcpy(p, r->addr, alen);
    e->addr = p;
    memcpy(p + alen, name, nlen);
    e->name = p + alen;

    e->older = sl->newest;
    e->newer = NULL;
    if (sl->newest)
        sl->newest->newer = e;
    else
        sl->oldest = e;
    sl->newest = e;
    sl->len++;
    while (sl->len > max_len)
        drop_oldest(sl);
    return 0;
}
