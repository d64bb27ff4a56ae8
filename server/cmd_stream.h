/* cmd_stream.h - what the stream handlers (cmd_stream.c, cmd_xread.c,
 * cmd_xgroup.c) share: Redis's stream ID parsers and the entry reply.
 * Private to those three files. */
#ifndef RESPITE_CMD_STREAM_H
#define RESPITE_CMD_STREAM_H

#include "server/coll.h"

/* Parses argument i as a stream ID the way Redis's
 * streamGenericParseIDOrReply does: "-" and "+" (refused when strict),
 * <ms> (seq = missing_seq), <ms>-<seq>, and with seq_given non-NULL
 * <ms>-* (*seq_given = 0). Returns 1, or 0 after replying the error. */
int xid_parse_or_reply(struct client *c, size_t i, uint64_t missing_seq,
                       int strict, struct store_sid *id, int *seq_given);
/* The same with no reply: 1 or 0. */
int xid_parse(const char *p, size_t n, uint64_t missing_seq, int strict,
              struct store_sid *id, int *seq_given);
/* Checks that arguments from..argc-1 are all strict stream IDs: 1, or 0
 * after the invalid-ID error. */
int xids_or_reply(struct client *c, size_t from);
/* An XRANGE bound, the start (end 0) or the end: as xid_parse_or_reply,
 * plus "(" for an exclusive bound, moved to the next (previous) ID. */
int xid_interval_or_reply(struct client *c, size_t i, int end,
                          struct store_sid *id);
/* Writes id as a bulk string "<ms>-<seq>". */
void reply_xid(struct client *c, struct store_sid id);
/* Writes [id, [field, value, ...]]. Consumes e's fields. */
void reply_xentry(struct client *c, struct store_stream_entry *e);
/* Writes an array of the live entries in [lo, hi] (reversed: from hi
 * down), at most count (0: all). Returns how many. */
size_t reply_xrange(struct client *c, const struct store_stream *st,
                    struct store_sid lo, struct store_sid hi, size_t count,
                    int rev);
/* The stream event of class NOTIFY_STREAM on argument i's key. */
void notify_stream(struct client *c, size_t i, const char *event);

/* Milliseconds from t to now, wrapping as Redis's arithmetic does in
 * practice: RESTORE may bring delivery and seen times from anywhere. */
static inline int64_t stream_ms_since(int64_t now, int64_t t)
{
    return (int64_t)((uint64_t)now - (uint64_t)t);
}

#endif
