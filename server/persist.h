/* persist.h - the whole dataset to and from an RDB file in Redis's format,
 * so that Redis loads what Respite saves and the other way round.
 * rdb_save.c writes, rdb_load.c reads; persist.c runs SAVE, BGSAVE and
 * the "save" points around them. */
#ifndef RESPITE_PERSIST_H
#define RESPITE_PERSIST_H

#include <stddef.h>

struct server;

/* Writes every database (and the function libraries) to path through a
 * temporary file in the same directory, fsynced and renamed over path.
 * 0, or -1 with a reason for the log in err. */
int rdb_save_file(struct server *srv, const char *path, char *err,
                  size_t errlen);

/* Loads path into the (empty) databases: 1 when path does not exist, 0
 * when loaded, -1 with a reason for the log in err when the file is
 * unreadable or malformed (what was loaded so far stays). */
int rdb_load_file(struct server *srv, const char *path, char *err,
                  size_t errlen);

#endif
