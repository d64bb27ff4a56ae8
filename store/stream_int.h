/* stream_int.h - private to store/stream.c and store/stream_group.c: the
 * stream struct and its storage blocks (see stream.c's essay), and what
 * the group code gives the entry code for freeing, copying, measuring and
 * checking a stream. */
#ifndef RESPITE_STREAM_INT_H
#define RESPITE_STREAM_INT_H

#include "store/store_int.h"

/* A block of entries; data[] holds the master field names from 0, then
 * the entries from eoff to used (encoded as stream.c's essay shows). */
struct sblock {
    struct store_sid first, last;  /* first and last entry, live or not */
    uint32_t used, cap;            /* bytes of data[] */
    uint32_t eoff, lastoff;        /* first entry, last entry */
    uint32_t lpbytes;              /* its size as a Redis listpack */
    uint16_t n, live;              /* entries, entries not deleted */
    char data[];
};

struct store_stream {
    struct sblock **b;             /* blocks in b[b0 .. b0+nb) */
    size_t b0, nb, bcap;
    uint64_t length, entries_added;
    int cut;                       /* the next append opens a block */
    struct store_sid last_id, max_deleted;
    struct store_sgroup **g;       /* groups sorted by name */
    size_t ng, gcap;
    /* Retention ring (store->streams): the key it was touched under. */
    struct store *owner;           /* whose ring it is in, or NULL */
    struct store_stream *rnext, *rprev;
    char *key;
    size_t klen;
};

void store__stream_groups_free(struct store *s, struct store_stream *st);
/* Deep-copies src's groups into dst (empty of groups). 0 or -1 (OOM;
 * dst then holds what was copied so far, for obj_free). */
int store__stream_groups_clone(struct store *d, struct store_stream *dst,
                               const struct store_stream *src);
size_t store__stream_groups_mem(const struct store_stream *st);
int store__stream_groups_check(const struct store_stream *st);

#endif
