/* notify.c - keyspace notifications, as Redis's notify.c.
 *
 * notify-keyspace-events is a string of class letters (the conf module
 * validates and canonicalises it); it is turned into a bitmask here once,
 * at start-up and after CONFIG SET, so the per-write check is one AND.
 *
 * A handler that changes a key calls server_notify() with the event's
 * class and Redis's event name. When the class is enabled, the event goes
 * out as two ordinary PUBLISHes:
 *
 *   K: channel __keyspace@<db>__:<key>    message <event>
 *   E: channel __keyevent@<db>__:<event>  message <key>
 *
 * When nobody subscribes to anything, nothing is formatted at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/pubsub.h"
#include "server/server.h"

#define NOTIFY_ALL (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST |           \
                    NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | \
                    NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

static int class_of(char letter)
{
    switch (letter) {
    case 'A': return NOTIFY_ALL;
    case 'K': return NOTIFY_KEYSPACE;
    case 'E': return NOTIFY_KEYEVENT;
    case 'g': return NOTIFY_GENERIC;
    case '$': return NOTIFY_STRING;
    case 'l': return NOTIFY_LIST;
    case 's': return NOTIFY_SET;
    case 'h': return NOTIFY_HASH;
    case 'z': return NOTIFY_ZSET;
    case 'x': return NOTIFY_EXPIRED;
    case 'e': return NOTIFY_EVICTED;
    case 't': return NOTIFY_STREAM;
    case 'm': return NOTIFY_KEY_MISS;
    case 'd': return NOTIFY_MODULE;
    case 'n': return NOTIFY_NEW;
    default: return 0;
    }
}

/* Sets srv->notify_mask from conf.notify_keyspace_events. */
void server_notify_conf(struct server *srv)
{
    int mask = 0;
    for (const char *p = srv->conf.notify_keyspace_events; p && *p; p++)
        mask |= class_of(*p);
    srv->notify_mask = mask;
}

/* Publishes event about key (db) on the keyspace and/or keyevent channel,
 * as enabled. */
void server_notify(struct server *srv, int cls, const char *event, int db,
                   const char *key, size_t klen)
{
    int mask = srv->notify_mask;
    if (!(mask & cls) || !(mask & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)))
        return;
    if (pubsub_size(srv, PUBSUB_CHANNEL) == 0 &&
        pubsub_size(srv, PUBSUB_PATTERN) == 0)
        return;
    size_t elen = strlen(event);
    char small[256];
    size_t need = 32 + (klen > elen ? klen : elen);
    char *buf = need <= sizeof(small) ? small : malloc(need);
    if (!buf)
        return;
    if (mask & NOTIFY_KEYSPACE) {
        int n = snprintf(buf, need, "__keyspace@%d__:", db);
        memcpy(buf + n, key, klen);
        pubsub_publish(srv, PUBSUB_CHANNEL, buf, (size_t)n + klen, event,
                       elen);
    }
    if (mask & NOTIFY_KEYEVENT) {
        int n = snprintf(buf, need, "__keyevent@%d__:", db);
        memcpy(buf + n, event, elen);
        pubsub_publish(srv, PUBSUB_CHANNEL, buf, (size_t)n + elen, key,
                       klen);
    }
    if (buf != small)
        free(buf);
}
