/* commands.c - the command table, the only place that knows which commands
 * exist, and the dispatcher.
 *
 * The table is static and declarative; COMMAND, INFO commandstats and the
 * README's command list are generated from it. Lookup is exact and
 * case-insensitive on (length, bytes) through an open-addressing index
 * built once at start-up in struct server (no global state).
 *
 * Dispatch does, in order: lookup, arity (a container's subcommand
 * included), the protected commands' refusal (CMD_PROTECTED),
 * authentication, ACL permissions (a restricted user's only), maxmemory,
 * a failed BGSAVE's MISCONF (persist.c), a MONITOR client's keyspace
 * filter, the RESP2 subscribed-mode filter (CMD_PUBSUB), CLIENT PAUSE
 * (pause.c), MULTI queueing (or refusal: CMD_REFUSED_IN_MULTI),
 * then calls the handler. A handler writes exactly one reply. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/handlers.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/tracking.h"

#define W CMD_WRITE
#define R CMD_READONLY
#define F CMD_FAST
#define DOOM CMD_DENYOOM

static const struct command commands[] = {
/* name          handler          arity flags              keys    group       since  summary  subcommands */
{ "PING",        cmd_ping,          -1, F|CMD_PUBSUB,   0, 0, 0, "connection", "1.0.0", "Returns the server's liveliness response.", NULL },
{ "ECHO",        cmd_echo,           2, F,                  0, 0, 0, "connection", "1.0.0", "Returns the given string.", NULL },
{ "QUIT",        cmd_quit,          -1, F|CMD_NOAUTH|CMD_PUBSUB|CMD_NOMULTI|CMD_NOSCRIPT, 0, 0, 0, "connection", "1.0.0", "Closes the connection.", NULL },
{ "HELLO",       cmd_hello,         -1, F|CMD_NOAUTH|CMD_NOSCRIPT,       0, 0, 0, "connection", "6.0.0", "Handshakes with the server.", NULL },
{ "AUTH",        cmd_auth,          -2, F|CMD_NOAUTH|CMD_NOSCRIPT,       0, 0, 0, "connection", "1.0.0", "Authenticates the connection.", NULL },
{ "SELECT",      cmd_select,         2, F,                  0, 0, 0, "connection", "1.0.0", "Changes the selected database.", NULL },
{ "CLIENT",      cmd_client,        -2, 0,                  0, 0, 0, "connection", "2.4.0", "A container for client connection commands.", &client_subs },
{ "RESET",       cmd_reset,          1, F|CMD_NOAUTH|CMD_PUBSUB|CMD_NOMULTI|CMD_NOSCRIPT, 0, 0, 0, "connection", "6.2.0", "Resets the connection.", NULL },
{ "ACL",         cmd_acl,           -2, 0,                  0, 0, 0, "server", "6.0.0", "A container for Access List Control commands.", &acl_subs },
{ "DBSIZE",      cmd_dbsize,         1, R|F,                0, 0, 0, "server", "1.0.0", "Returns the number of keys in the database.", NULL },
{ "FLUSHDB",     cmd_flushdb,       -1, W,                  0, 0, 0, "server", "1.0.0", "Removes all keys from the current database.", NULL },
{ "FLUSHALL",    cmd_flushall,      -1, W,                  0, 0, 0, "server", "1.0.0", "Removes all keys from all databases.", NULL },
{ "SWAPDB",      cmd_swapdb,         3, W|F,                0, 0, 0, "server", "4.0.0", "Swaps two databases.", NULL },
{ "TIME",        cmd_time,           1, F,                  0, 0, 0, "server", "2.6.0", "Returns the server time.", NULL },
{ "SAVE",        cmd_save,           1, CMD_ADMIN|CMD_NOSCRIPT|CMD_REFUSED_IN_MULTI, 0, 0, 0, "server", "1.0.0", "Synchronously saves the database(s) to disk.", NULL },
{ "BGSAVE",      cmd_bgsave,        -1, CMD_ADMIN|CMD_NOSCRIPT, 0, 0, 0, "server", "1.0.0", "Asynchronously saves the database(s) to disk.", NULL },
{ "LASTSAVE",    cmd_lastsave,       1, F|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "1.0.0", "Returns the Unix timestamp of the last successful save to disk.", NULL },
{ "ROLE",        cmd_role,           1, F|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "2.8.12", "Returns the replication role.", NULL },
{ "WAIT",        cmd_wait,           3, CMD_NOSCRIPT,       0, 0, 0, "generic", "3.0.0", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", NULL },
{ "WAITAOF",     cmd_waitaof,        4, CMD_NOSCRIPT,       0, 0, 0, "generic", "7.2.0", "Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.", NULL },
{ "READONLY",    cmd_cluster_only,   1, F|CMD_LOADING|CMD_STALE, 0, 0, 0, "cluster", "3.0.0", "Enables read-only queries for a connection to a Redis Cluster replica node.", NULL },
{ "READWRITE",   cmd_cluster_only,   1, F|CMD_LOADING|CMD_STALE, 0, 0, 0, "cluster", "3.0.0", "Enables read-write queries for a connection to a Redis Cluster replica node.", NULL },
{ "ASKING",      cmd_cluster_only,   1, F,                  0, 0, 0, "cluster", "3.0.0", "Sent by cluster clients after an -ASK redirect.", NULL },
{ "CLUSTER",     cmd_cluster,       -2, 0,                  0, 0, 0, "cluster", "3.0.0", "A container for Redis Cluster commands.", &cluster_subs },
{ "SHUTDOWN",    cmd_shutdown,      -1, CMD_ADMIN|CMD_REFUSED_IN_MULTI|CMD_NOSCRIPT, 0, 0, 0, "server", "1.0.0", "Stops the server.", NULL },
{ "INFO",        cmd_info,          -1, 0,                  0, 0, 0, "server", "1.0.0", "Returns information and statistics about the server.", NULL },
{ "COMMAND",     cmd_command,       -1, 0,                  0, 0, 0, "server", "2.8.13", "Returns detailed information about all commands.", &command_subs },
{ "CONFIG",      cmd_config,        -2, 0,                  0, 0, 0, "server", "2.0.0", "A container for server configuration commands.", &config_subs },
{ "MEMORY",      cmd_memory,        -2, 0,                  0, 0, 0, "server", "4.0.0", "A container for memory diagnostics commands.", &memory_subs },
{ "MODULE",      cmd_module,        -2, 0,                  0, 0, 0, "server", "4.0.0", "A container for module commands.", &module_subs },
{ "MONITOR",     cmd_monitor,        1, CMD_ADMIN|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "1.0.0", "Listens for all requests received by the server in real-time.", NULL },
{ "SLOWLOG",     cmd_slowlog,       -2, 0,                  0, 0, 0, "server", "2.2.12", "A container for slow log commands.", &slowlog_subs },
{ "LATENCY",     cmd_latency,       -2, 0,                  0, 0, 0, "server", "2.8.13", "A container for latency diagnostics commands.", &latency_subs },
{ "DEBUG",       cmd_debug,         -2, CMD_ADMIN|CMD_NOSCRIPT|CMD_PROTECTED, 0, 0, 0, "server", "1.0.0", "Test helpers: SLEEP, PROTOCOL, ERROR, LOG, POPULATE; Respite's JUMP-CLOCK, SET-ACTIVE-EXPIRE.", NULL },
{ "MULTI",       cmd_multi,          1, F|CMD_NOMULTI|CMD_NOSCRIPT,      0, 0, 0, "transactions", "1.2.0", "Starts a transaction.", NULL },
{ "EXEC",        cmd_exec,           1, CMD_NOMULTI|CMD_SKIP_SLOWLOG|CMD_NOSCRIPT,        0, 0, 0, "transactions", "1.2.0", "Executes all commands in a transaction.", NULL },
{ "DISCARD",     cmd_discard,        1, F|CMD_NOMULTI|CMD_NOSCRIPT,      0, 0, 0, "transactions", "2.0.0", "Discards a transaction.", NULL },
{ "WATCH",       cmd_watch,         -2, F|CMD_NOMULTI|CMD_NOSCRIPT,      1, -1, 1, "transactions", "2.2.0", "Monitors changes to keys to determine the execution of a transaction.", NULL },
{ "UNWATCH",     cmd_unwatch,        1, F|CMD_NOSCRIPT,                  0, 0, 0, "transactions", "2.2.0", "Forgets about watched keys of a transaction.", NULL },
{ "GET",         cmd_get,            2, R|F,                1, 1, 1, "string", "1.0.0", "Returns the string value of a key.", NULL },
{ "SET",         cmd_set,           -3, W|DOOM,             1, 1, 1, "string", "1.0.0", "Sets the string value of a key, ignoring its type.", NULL },
{ "SETNX",       cmd_setnx,          3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Sets the string value of a key only when the key doesn't exist.", NULL },
{ "SETEX",       cmd_setex,          4, W|DOOM,             1, 1, 1, "string", "2.0.0", "Sets the string value and expiration time of a key.", NULL },
{ "PSETEX",      cmd_psetex,         4, W|DOOM,             1, 1, 1, "string", "2.6.0", "Sets both string value and expiration time in milliseconds of a key.", NULL },
{ "GETSET",      cmd_getset,         3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Returns the previous string value of a key after setting it to a new value.", NULL },
{ "GETDEL",      cmd_getdel,         2, W|F,                1, 1, 1, "string", "6.2.0", "Returns the string value of a key after deleting the key.", NULL },
{ "GETEX",       cmd_getex,         -2, W|F,                1, 1, 1, "string", "6.2.0", "Returns the string value of a key after setting its expiration time.", NULL },
{ "MGET",        cmd_mget,          -2, R|F,                1, -1, 1, "string", "1.0.0", "Atomically returns the string values of one or more keys.", NULL },
{ "MSET",        cmd_mset,          -3, W|DOOM,             1, -1, 2, "string", "1.0.1", "Atomically creates or modifies the string values of one or more keys.", NULL },
{ "MSETNX",      cmd_msetnx,        -3, W|DOOM,             1, -1, 2, "string", "1.0.1", "Atomically modifies the string values of one or more keys only when all keys don't exist.", NULL },
{ "APPEND",      cmd_append,         3, W|DOOM|F,           1, 1, 1, "string", "2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist.", NULL },
{ "STRLEN",      cmd_strlen,         2, R|F,                1, 1, 1, "string", "2.2.0", "Returns the length of a string value.", NULL },
{ "GETRANGE",    cmd_getrange,       4, R,                  1, 1, 1, "string", "2.4.0", "Returns a substring of the string stored at a key.", NULL },
{ "SUBSTR",      cmd_getrange,       4, R,                  1, 1, 1, "string", "1.0.0", "Returns a substring from a string value.", NULL },
{ "SETRANGE",    cmd_setrange,       4, W|DOOM,             1, 1, 1, "string", "2.2.0", "Overwrites a part of a string value with another by an offset.", NULL },
{ "INCR",        cmd_incr,           2, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Increments the integer value of a key by one.", NULL },
{ "DECR",        cmd_decr,           2, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Decrements the integer value of a key by one.", NULL },
{ "INCRBY",      cmd_incrby,         3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Increments the integer value of a key by a number.", NULL },
{ "DECRBY",      cmd_decrby,         3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Decrements a number from the integer value of a key.", NULL },
{ "INCRBYFLOAT", cmd_incrbyfloat,    3, W|DOOM|F,           1, 1, 1, "string", "2.6.0", "Increment the floating point value of a key by a number.", NULL },
{ "LCS",         cmd_lcs,           -3, R,                  1, 2, 1, "string", "7.0.0", "Finds the longest common substring.", NULL },
{ "SETBIT",      cmd_setbit,         4, W|DOOM,             1, 1, 1, "bitmap", "2.2.0", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", NULL },
{ "GETBIT",      cmd_getbit,         3, R|F,                1, 1, 1, "bitmap", "2.2.0", "Returns a bit value by offset.", NULL },
{ "BITCOUNT",    cmd_bitcount,      -2, R,                  1, 1, 1, "bitmap", "2.6.0", "Counts the number of set bits (population counting) in a string.", NULL },
{ "BITPOS",      cmd_bitpos,        -3, R,                  1, 1, 1, "bitmap", "2.8.7", "Finds the first set (1) or clear (0) bit in a string.", NULL },
{ "BITOP",       cmd_bitop,         -4, W|DOOM,             2, -1, 1, "bitmap", "2.6.0", "Performs bitwise operations on multiple strings, and stores the result.", NULL },
{ "BITFIELD",    cmd_bitfield,      -2, W|DOOM,             1, 1, 1, "bitmap", "3.2.0", "Performs arbitrary bitfield integer operations on strings.", NULL },
{ "BITFIELD_RO", cmd_bitfield_ro,   -2, R|F,                1, 1, 1, "bitmap", "6.0.0", "Performs arbitrary read-only bitfield integer operations on strings.", NULL },
{ "PFADD",       cmd_pfadd,         -2, W|DOOM|F,           1, 1, 1, "hyperloglog", "2.8.9", "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", NULL },
{ "PFCOUNT",     cmd_pfcount,       -2, R|CMD_MAY_REPLICATE, 1, -1, 1, "hyperloglog", "2.8.9", "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).", NULL },
{ "PFMERGE",     cmd_pfmerge,       -2, W|DOOM,             1, -1, 1, "hyperloglog", "2.8.9", "Merges one or more HyperLogLog values into a single key.", NULL },
{ "PFDEBUG",     cmd_pfdebug,        3, W|DOOM|CMD_ADMIN,    2, 2, 1, "hyperloglog", "2.8.9", "Internal commands for debugging HyperLogLog values.", NULL },
{ "PFSELFTEST",  cmd_pfselftest,     1, CMD_ADMIN,            0, 0, 0, "hyperloglog", "2.8.9", "An internal command for testing HyperLogLog values.", NULL },
{ "DELEX",       cmd_delex,         -2, W|F,                1, 1, 1, "string", "8.4.0", "Conditionally removes a key based on its value or the value's digest.", NULL },
{ "DELIFEQ",     cmd_delifeq,        3, W|F,                1, 1, 1, "string", "9.0.0", "Deletes a key if its value equals the given string (Valkey).", NULL },
{ "DIGEST",      cmd_digest,         2, R|F,                1, 1, 1, "string", "8.4.0", "Returns the XXH3 digest of a string value as 16 hex digits.", NULL },
{ "RATELIMIT",   cmd_ratelimit,     -4, W|DOOM|F,           1, 1, 1, "string", "0.1.0", "Spends units of a rate limit kept in a key (Respite: GCRA, fixed or sliding window).", NULL },
{ "CL.THROTTLE", cmd_cl_throttle,   -5, W|DOOM|F,           1, 1, 1, "string", "0.1.0", "Rate-limits with GCRA, replying as the redis-cell module does.", NULL },
{ "DEL",         cmd_del,           -2, W,                  1, -1, 1, "generic", "1.0.0", "Deletes one or more keys.", NULL },
{ "UNLINK",      cmd_unlink,        -2, W|F,                1, -1, 1, "generic", "4.0.0", "Asynchronously deletes one or more keys.", NULL },
{ "EXISTS",      cmd_exists,        -2, R|F,                1, -1, 1, "generic", "1.0.0", "Determines whether one or more keys exist.", NULL },
{ "TOUCH",       cmd_touch,         -2, R|F,                1, -1, 1, "generic", "3.2.1", "Returns the number of existing keys out of those specified.", NULL },
{ "TYPE",        cmd_type,           2, R|F,                1, 1, 1, "generic", "1.0.0", "Determines the type of value stored at a key.", NULL },
{ "EXPIRE",      cmd_expire,        -3, W|F,                1, 1, 1, "generic", "1.0.0", "Sets the expiration time of a key in seconds.", NULL },
{ "PEXPIRE",     cmd_pexpire,       -3, W|F,                1, 1, 1, "generic", "2.6.0", "Sets the expiration time of a key in milliseconds.", NULL },
{ "EXPIREAT",    cmd_expireat,      -3, W|F,                1, 1, 1, "generic", "1.2.0", "Sets the expiration time of a key to a Unix timestamp.", NULL },
{ "PEXPIREAT",   cmd_pexpireat,     -3, W|F,                1, 1, 1, "generic", "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp.", NULL },
{ "TTL",         cmd_ttl,            2, R|F,                1, 1, 1, "generic", "1.0.0", "Returns the expiration time in seconds of a key.", NULL },
{ "PTTL",        cmd_pttl,           2, R|F,                1, 1, 1, "generic", "2.6.0", "Returns the expiration time in milliseconds of a key.", NULL },
{ "EXPIRETIME",  cmd_expiretime,     2, R|F,                1, 1, 1, "generic", "7.0.0", "Returns the expiration time of a key as a Unix timestamp.", NULL },
{ "PEXPIRETIME", cmd_pexpiretime,    2, R|F,                1, 1, 1, "generic", "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp.", NULL },
{ "PERSIST",     cmd_persist,        2, W|F,                1, 1, 1, "generic", "2.2.0", "Removes the expiration time of a key.", NULL },
{ "RENAME",      cmd_rename,         3, W,                  1, 2, 1, "generic", "1.0.0", "Renames a key and overwrites the destination.", NULL },
{ "RENAMENX",    cmd_renamenx,       3, W|F,                1, 2, 1, "generic", "1.0.0", "Renames a key only when the target key name doesn't exist.", NULL },
{ "COPY",        cmd_copy,          -3, W|DOOM,             1, 2, 1, "generic", "6.2.0", "Copies the value of a key to a new key.", NULL },
{ "MOVE",        cmd_move,           3, W|F,                1, 1, 1, "generic", "1.0.0", "Moves a key to another database.", NULL },
{ "DUMP",        cmd_dump,           2, R,                  1, 1, 1, "generic", "2.6.0", "Returns a serialized representation of the value stored at a key.", NULL },
{ "RESTORE",     cmd_restore,       -4, W|DOOM,             1, 1, 1, "generic", "2.6.0", "Creates a key from the serialized representation of a value.", NULL },
{ "OBJECT",      cmd_object,        -2, 0,                  0, 0, 0, "generic", "2.2.3", "A container for object introspection commands.", &object_subs },
{ "RANDOMKEY",   cmd_randomkey,      1, R,                  0, 0, 0, "generic", "1.0.0", "Returns a random key name from the database.", NULL },
{ "KEYS",        cmd_keys,           2, R,                  0, 0, 0, "generic", "1.0.0", "Returns all key names that match a pattern.", NULL },
{ "SORT",        cmd_sort,          -2, W|DOOM,             1, 1, 1, "generic", "1.0.0", "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", NULL },
{ "SORT_RO",     cmd_sort_ro,       -2, R,                  1, 1, 1, "generic", "7.0.0", "Returns the sorted elements of a list, a set, or a sorted set.", NULL },
{ "SCAN",        cmd_scan,          -2, R,                  0, 0, 0, "generic", "2.8.0", "Iterates over the key names in the database.", NULL },
{ "HSET",        cmd_hset,          -4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Creates or modifies the value of a field in a hash.", NULL },
{ "HSETNX",      cmd_hsetnx,         4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Sets the value of a field in a hash only when the field doesn't exist.", NULL },
{ "HMSET",       cmd_hmset,         -4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Sets the values of multiple fields.", NULL },
{ "HGET",        cmd_hget,           3, R|F,                1, 1, 1, "hash", "2.0.0", "Returns the value of a field in a hash.", NULL },
{ "HMGET",       cmd_hmget,         -3, R|F,                1, 1, 1, "hash", "2.0.0", "Returns the values of all fields in a hash.", NULL },
{ "HGETALL",     cmd_hgetall,        2, R,                  1, 1, 1, "hash", "2.0.0", "Returns all fields and values in a hash.", NULL },
{ "HDEL",        cmd_hdel,          -3, W|F,                1, 1, 1, "hash", "2.0.0", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", NULL },
{ "HEXISTS",     cmd_hexists,        3, R|F,                1, 1, 1, "hash", "2.0.0", "Determines whether a field exists in a hash.", NULL },
{ "HLEN",        cmd_hlen,           2, R|F,                1, 1, 1, "hash", "2.0.0", "Returns the number of fields in a hash.", NULL },
{ "HSTRLEN",     cmd_hstrlen,        3, R|F,                1, 1, 1, "hash", "3.2.0", "Returns the length of the value of a field.", NULL },
{ "HKEYS",       cmd_hkeys,          2, R,                  1, 1, 1, "hash", "2.0.0", "Returns all fields in a hash.", NULL },
{ "HVALS",       cmd_hvals,          2, R,                  1, 1, 1, "hash", "2.0.0", "Returns all values in a hash.", NULL },
{ "HINCRBY",     cmd_hincrby,        4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", NULL },
{ "HINCRBYFLOAT", cmd_hincrbyfloat,  4, W|DOOM|F,           1, 1, 1, "hash", "2.6.0", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", NULL },
{ "HRANDFIELD",  cmd_hrandfield,    -2, R,                  1, 1, 1, "hash", "6.2.0", "Returns one or more random fields from a hash.", NULL },
{ "HSCAN",       cmd_hscan,         -3, R,                  1, 1, 1, "hash", "2.8.0", "Iterates over fields and values of a hash.", NULL },
{ "HEXPIRE",     cmd_hexpire,       -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Set expiry for hash field using relative time to expire (seconds)", NULL },
{ "HPEXPIRE",    cmd_hpexpire,      -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Set expiry for hash field using relative time to expire (milliseconds)", NULL },
{ "HEXPIREAT",   cmd_hexpireat,     -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Set expiry for hash field using an absolute Unix timestamp (seconds)", NULL },
{ "HPEXPIREAT",  cmd_hpexpireat,    -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", NULL },
{ "HTTL",        cmd_httl,          -5, R|F,                1, 1, 1, "hash", "7.4.0", "Returns the TTL in seconds of a hash field.", NULL },
{ "HPTTL",       cmd_hpttl,         -5, R|F,                1, 1, 1, "hash", "7.4.0", "Returns the TTL in milliseconds of a hash field.", NULL },
{ "HEXPIRETIME", cmd_hexpiretime,   -5, R|F,                1, 1, 1, "hash", "7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", NULL },
{ "HPEXPIRETIME", cmd_hpexpiretime, -5, R|F,                1, 1, 1, "hash", "7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in msec.", NULL },
{ "HPERSIST",    cmd_hpersist,      -5, W|F,                1, 1, 1, "hash", "7.4.0", "Removes the expiration time for each specified field", NULL },
{ "HGETDEL",     cmd_hgetdel,       -5, W|F,                1, 1, 1, "hash", "8.0.0", "Returns the value of a field and deletes it from the hash.", NULL },
{ "HGETEX",      cmd_hgetex,        -5, W|F,                1, 1, 1, "hash", "8.0.0", "Get the value of one or more fields of a given hash key, and optionally set their expiration.", NULL },
{ "HSETEX",      cmd_hsetex,        -6, W|DOOM|F,           1, 1, 1, "hash", "8.0.0", "Set the value of one or more fields of a given hash key, and optionally set their expiration.", NULL },
{ "SADD",        cmd_sadd,          -3, W|DOOM|F,           1, 1, 1, "set", "1.0.0", "Adds one or more members to a set. Creates the key if it doesn't exist.", NULL },
{ "SREM",        cmd_srem,          -3, W|F,                1, 1, 1, "set", "1.0.0", "Removes one or more members from a set. Deletes the set if the last member was removed.", NULL },
{ "SISMEMBER",   cmd_sismember,      3, R|F,                1, 1, 1, "set", "1.0.0", "Determines whether a member belongs to a set.", NULL },
{ "SMISMEMBER",  cmd_smismember,    -3, R|F,                1, 1, 1, "set", "6.2.0", "Determines whether multiple members belong to a set.", NULL },
{ "SMEMBERS",    cmd_smembers,       2, R,                  1, 1, 1, "set", "1.0.0", "Returns all members of a set.", NULL },
{ "SCARD",       cmd_scard,          2, R|F,                1, 1, 1, "set", "1.0.0", "Returns the number of members in a set.", NULL },
{ "SPOP",        cmd_spop,          -2, W|F,                1, 1, 1, "set", "1.0.0", "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", NULL },
{ "SRANDMEMBER", cmd_srandmember,   -2, R,                  1, 1, 1, "set", "1.0.0", "Get one or multiple random members from a set", NULL },
{ "SMOVE",       cmd_smove,          4, W|F,                1, 2, 1, "set", "1.0.0", "Moves a member from one set to another.", NULL },
{ "SINTER",      cmd_sinter,        -2, R,                  1, -1, 1, "set", "1.0.0", "Returns the intersect of multiple sets.", NULL },
{ "SINTERCARD",  cmd_sintercard,    -3, R,                  0, 0, 0, "set", "7.0.0", "Returns the number of members of the intersect of multiple sets.", NULL },
{ "SINTERSTORE", cmd_sinterstore,   -3, W|DOOM,             1, -1, 1, "set", "1.0.0", "Stores the intersect of multiple sets in a key.", NULL },
{ "SUNION",      cmd_sunion,        -2, R,                  1, -1, 1, "set", "1.0.0", "Returns the union of multiple sets.", NULL },
{ "SUNIONSTORE", cmd_sunionstore,   -3, W|DOOM,             1, -1, 1, "set", "1.0.0", "Stores the union of multiple sets in a key.", NULL },
{ "SDIFF",       cmd_sdiff,         -2, R,                  1, -1, 1, "set", "1.0.0", "Returns the difference of multiple sets.", NULL },
{ "SDIFFSTORE",  cmd_sdiffstore,    -3, W|DOOM,             1, -1, 1, "set", "1.0.0", "Stores the difference of multiple sets in a key.", NULL },
{ "SSCAN",       cmd_sscan,         -3, R,                  1, 1, 1, "set", "2.8.0", "Iterates over members of a set.", NULL },
{ "LPUSH",       cmd_lpush,         -3, W|DOOM|F,           1, 1, 1, "list", "1.0.0", "Prepends one or more elements to a list. Creates the key if it doesn't exist.", NULL },
{ "RPUSH",       cmd_rpush,         -3, W|DOOM|F,           1, 1, 1, "list", "1.0.0", "Appends one or more elements to a list. Creates the key if it doesn't exist.", NULL },
{ "LPUSHX",      cmd_lpushx,        -3, W|DOOM|F,           1, 1, 1, "list", "2.2.0", "Prepends one or more elements to a list only when the list exists.", NULL },
{ "RPUSHX",      cmd_rpushx,        -3, W|DOOM|F,           1, 1, 1, "list", "2.2.0", "Appends an element to a list only when the list exists.", NULL },
{ "LPOP",        cmd_lpop,          -2, W|F,                1, 1, 1, "list", "1.0.0", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", NULL },
{ "RPOP",        cmd_rpop,          -2, W|F,                1, 1, 1, "list", "1.0.0", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", NULL },
{ "LLEN",        cmd_llen,           2, R|F,                1, 1, 1, "list", "1.0.0", "Returns the length of a list.", NULL },
{ "LRANGE",      cmd_lrange,         4, R,                  1, 1, 1, "list", "1.0.0", "Returns a range of elements from a list.", NULL },
{ "LINDEX",      cmd_lindex,         3, R,                  1, 1, 1, "list", "1.0.0", "Returns an element from a list by its index.", NULL },
{ "LPOS",        cmd_lpos,          -3, R,                  1, 1, 1, "list", "6.0.6", "Returns the index of matching elements in a list.", NULL },
{ "LSET",        cmd_lset,           4, W|DOOM,             1, 1, 1, "list", "1.0.0", "Sets the value of an element in a list by its index.", NULL },
{ "LINSERT",     cmd_linsert,        5, W|DOOM,             1, 1, 1, "list", "2.2.0", "Inserts an element before or after another element in a list.", NULL },
{ "LREM",        cmd_lrem,           4, W,                  1, 1, 1, "list", "1.0.0", "Removes elements from a list. Deletes the list if the last element was removed.", NULL },
{ "LTRIM",       cmd_ltrim,          4, W,                  1, 1, 1, "list", "1.0.0", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", NULL },
{ "LMOVE",       cmd_lmove,          5, W|DOOM,             1, 2, 1, "list", "6.2.0", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", NULL },
{ "RPOPLPUSH",   cmd_rpoplpush,      3, W|DOOM,             1, 2, 1, "list", "1.2.0", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", NULL },
{ "LMPOP",       cmd_lmpop,         -4, W,                  0, 0, 0, "list", "7.0.0", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", NULL },
{ "BLPOP",       cmd_blpop,         -3, W|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "list", "2.0.0", "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", NULL },
{ "BRPOP",       cmd_brpop,         -3, W|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "list", "2.0.0", "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", NULL },
{ "BLMOVE",      cmd_blmove,         6, W|DOOM|CMD_NOSCRIPT|CMD_BLOCKING, 1, 2, 1, "list", "6.2.0", "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", NULL },
{ "BRPOPLPUSH",  cmd_brpoplpush,     4, W|DOOM|CMD_NOSCRIPT|CMD_BLOCKING, 1, 2, 1, "list", "2.2.0", "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", NULL },
{ "BLMPOP",      cmd_blmpop,        -5, W|CMD_BLOCKING,     0, 0, 0, "list", "7.0.0", "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", NULL },
{ "ZADD",        cmd_zadd,          -4, W|DOOM|F,            1, 1, 1, "sorted-set", "1.2.0", "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", NULL },
{ "ZINCRBY",     cmd_zincrby,        4, W|DOOM|F,            1, 1, 1, "sorted-set", "1.2.0", "Increments the score of a member in a sorted set.", NULL },
{ "ZREM",        cmd_zrem,          -3, W|F,                 1, 1, 1, "sorted-set", "1.2.0", "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", NULL },
{ "ZCARD",       cmd_zcard,          2, R|F,                 1, 1, 1, "sorted-set", "1.2.0", "Returns the number of members in a sorted set.", NULL },
{ "ZCOUNT",      cmd_zcount,         4, R|F,                 1, 1, 1, "sorted-set", "2.0.0", "Returns the count of members in a sorted set that have scores within a range.", NULL },
{ "ZLEXCOUNT",   cmd_zlexcount,      4, R|F,                 1, 1, 1, "sorted-set", "2.8.9", "Returns the number of members in a sorted set within a lexicographical range.", NULL },
{ "ZSCORE",      cmd_zscore,         3, R|F,                 1, 1, 1, "sorted-set", "1.2.0", "Returns the score of a member in a sorted set.", NULL },
{ "ZMSCORE",     cmd_zmscore,       -3, R|F,                 1, 1, 1, "sorted-set", "6.2.0", "Returns the score of one or more members in a sorted set.", NULL },
{ "ZRANK",       cmd_zrank,         -3, R|F,                 1, 1, 1, "sorted-set", "2.0.0", "Returns the index of a member in a sorted set ordered by ascending scores.", NULL },
{ "ZREVRANK",    cmd_zrevrank,      -3, R|F,                 1, 1, 1, "sorted-set", "2.0.0", "Returns the index of a member in a sorted set ordered by descending scores.", NULL },
{ "ZRANGE",      cmd_zrange,        -4, R,                   1, 1, 1, "sorted-set", "1.2.0", "Returns members in a sorted set within a range of indexes, scores or lexicographical values.", NULL },
{ "ZRANGESTORE", cmd_zrangestore,   -5, W|DOOM,              1, 2, 1, "sorted-set", "6.2.0", "Stores a range of members from sorted set in a key.", NULL },
{ "ZREVRANGE",   cmd_zrevrange,     -4, R,                   1, 1, 1, "sorted-set", "1.2.0", "Returns members in a sorted set within a range of indexes in reverse order.", NULL },
{ "ZRANGEBYSCORE",cmd_zrangebyscore,  -4, R,                   1, 1, 1, "sorted-set", "1.0.5", "Returns members in a sorted set within a range of scores.", NULL },
{ "ZREVRANGEBYSCORE",cmd_zrevrangebyscore,  -4, R,                   1, 1, 1, "sorted-set", "2.2.0", "Returns members in a sorted set within a range of scores in reverse order.", NULL },
{ "ZRANGEBYLEX", cmd_zrangebylex,   -4, R,                   1, 1, 1, "sorted-set", "2.8.9", "Returns members in a sorted set within a lexicographical range.", NULL },
{ "ZREVRANGEBYLEX",cmd_zrevrangebylex,  -4, R,                   1, 1, 1, "sorted-set", "2.8.9", "Returns members in a sorted set within a lexicographical range in reverse order.", NULL },
{ "ZREMRANGEBYRANK",cmd_zremrangebyrank,   4, W,                   1, 1, 1, "sorted-set", "2.0.0", "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", NULL },
{ "ZREMRANGEBYSCORE",cmd_zremrangebyscore,   4, W,                   1, 1, 1, "sorted-set", "1.2.0", "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", NULL },
{ "ZREMRANGEBYLEX",cmd_zremrangebylex,   4, W,                   1, 1, 1, "sorted-set", "2.8.9", "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", NULL },
{ "ZPOPMIN",     cmd_zpopmin,       -2, W|F,                 1, 1, 1, "sorted-set", "5.0.0", "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", NULL },
{ "ZPOPMAX",     cmd_zpopmax,       -2, W|F,                 1, 1, 1, "sorted-set", "5.0.0", "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", NULL },
{ "BZPOPMIN",    cmd_bzpopmin,      -3, W|F|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "sorted-set", "5.0.0", "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise.", NULL },
{ "BZPOPMAX",    cmd_bzpopmax,      -3, W|F|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "sorted-set", "5.0.0", "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.", NULL },
{ "ZMPOP",       cmd_zmpop,         -4, W,                   0, 0, 0, "sorted-set", "7.0.0", "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them.", NULL },
{ "BZMPOP",      cmd_bzmpop,        -5, W|CMD_BLOCKING, 0, 0, 0, "sorted-set", "7.0.0", "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise.", NULL },
{ "ZUNIONSTORE", cmd_zunionstore,   -4, W|DOOM,              1, 1, 1, "sorted-set", "2.0.0", "Stores the union of multiple sorted sets in a key.", NULL },
{ "ZINTERSTORE", cmd_zinterstore,   -4, W|DOOM,              1, 1, 1, "sorted-set", "2.0.0", "Stores the intersect of multiple sorted sets in a key.", NULL },
{ "ZDIFFSTORE",  cmd_zdiffstore,    -4, W|DOOM,              1, 1, 1, "sorted-set", "6.2.0", "Stores the difference of multiple sorted sets in a key.", NULL },
{ "ZUNION",      cmd_zunion,        -3, R,                   0, 0, 0, "sorted-set", "6.2.0", "Returns the union of multiple sorted sets.", NULL },
{ "ZINTER",      cmd_zinter,        -3, R,                   0, 0, 0, "sorted-set", "6.2.0", "Returns the intersect of multiple sorted sets.", NULL },
{ "ZDIFF",       cmd_zdiff,         -3, R,                   0, 0, 0, "sorted-set", "6.2.0", "Returns the difference between multiple sorted sets.", NULL },
{ "ZINTERCARD",  cmd_zintercard,    -3, R,                   0, 0, 0, "sorted-set", "7.0.0", "Returns the number of members of the intersect of multiple sorted sets.", NULL },
{ "ZRANDMEMBER", cmd_zrandmember,   -2, R,                   1, 1, 1, "sorted-set", "6.2.0", "Returns one or more random members from a sorted set.", NULL },
{ "ZSCAN",       cmd_zscan,         -3, R,                   1, 1, 1, "sorted-set", "2.8.0", "Iterates over members and scores of a sorted set.", NULL },
{ "GEOADD",      cmd_geoadd,        -5, W|DOOM,              1, 1, 1, "geo", "3.2.0", "Adds one or more members to a geospatial index. The key is created if it doesn't exist.", NULL },
{ "GEOPOS",      cmd_geopos,        -2, R,                   1, 1, 1, "geo", "3.2.0", "Returns the longitude and latitude of members from a geospatial index.", NULL },
{ "GEODIST",     cmd_geodist,       -4, R,                   1, 1, 1, "geo", "3.2.0", "Returns the distance between two members of a geospatial index.", NULL },
{ "GEOHASH",     cmd_geohash,       -2, R,                   1, 1, 1, "geo", "3.2.0", "Returns members from a geospatial index as geohash strings.", NULL },
{ "GEORADIUS",   cmd_georadius,     -6, W|DOOM,              1, 1, 1, "geo", "3.2.0", "Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.", NULL },
{ "GEORADIUS_RO",cmd_georadius_ro,  -6, R,                   1, 1, 1, "geo", "3.2.10", "Returns members from a geospatial index that are within a distance from a coordinate.", NULL },
{ "GEORADIUSBYMEMBER",cmd_georadiusbymember, -5, W|DOOM,     1, 1, 1, "geo", "3.2.0", "Queries a geospatial index for members within a distance from a member, optionally stores the result.", NULL },
{ "GEORADIUSBYMEMBER_RO",cmd_georadiusbymember_ro, -5, R,    1, 1, 1, "geo", "3.2.10", "Returns members from a geospatial index that are within a distance from a member.", NULL },
{ "GEOSEARCH",   cmd_geosearch,     -7, R,                   1, 1, 1, "geo", "6.2.0", "Queries a geospatial index for members inside an area of a box or a circle.", NULL },
{ "GEOSEARCHSTORE",cmd_geosearchstore, -8, W|DOOM,           1, 2, 1, "geo", "6.2.0", "Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.", NULL },
{ "XADD",        cmd_xadd,          -5, W|DOOM|F,           1, 1, 1, "stream", "5.0.0", "Appends a new message to a stream. Creates the key if it doesn't exist.", NULL },
{ "XLEN",        cmd_xlen,           2, R|F,                1, 1, 1, "stream", "5.0.0", "Return the number of messages in a stream.", NULL },
{ "XRANGE",      cmd_xrange,        -4, R,                  1, 1, 1, "stream", "5.0.0", "Returns the messages from a stream within a range of IDs.", NULL },
{ "XREVRANGE",   cmd_xrevrange,     -4, R,                  1, 1, 1, "stream", "5.0.0", "Returns the messages from a stream within a range of IDs in reverse order.", NULL },
{ "XDEL",        cmd_xdel,          -3, W|F,                1, 1, 1, "stream", "5.0.0", "Returns the number of messages after removing them from a stream.", NULL },
{ "XTRIM",       cmd_xtrim,         -4, W,                  1, 1, 1, "stream", "5.0.0", "Deletes messages from the beginning of a stream.", NULL },
{ "XSETID",      cmd_xsetid,        -3, W|DOOM|F,           1, 1, 1, "stream", "5.0.0", "An internal command for replicating stream values.", NULL },
{ "XREAD",       cmd_xread,         -4, R|CMD_BLOCKING,     0, 0, 0, "stream", "5.0.0", "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", NULL },
{ "XREADGROUP",  cmd_xreadgroup,    -7, W|CMD_BLOCKING,     0, 0, 0, "stream", "5.0.0", "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", NULL },
{ "XGROUP",      cmd_xgroup,        -2, 0,                  0, 0, 0, "stream", "5.0.0", "A container for consumer groups commands.", &xgroup_subs },
{ "XINFO",       cmd_xinfo,         -2, 0,                  0, 0, 0, "stream", "5.0.0", "A container for stream introspection commands.", &xinfo_subs },
{ "XACK",        cmd_xack,          -4, W|F,                1, 1, 1, "stream", "5.0.0", "Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.", NULL },
{ "XPENDING",    cmd_xpending,      -3, R,                  1, 1, 1, "stream", "5.0.0", "Returns the information and entries from a stream consumer group's pending entries list.", NULL },
{ "XCLAIM",      cmd_xclaim,        -6, W|F,                1, 1, 1, "stream", "5.0.0", "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.", NULL },
{ "XAUTOCLAIM",  cmd_xautoclaim,    -6, W|F,                1, 1, 1, "stream", "6.2.0", "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.", NULL },
{ "EVAL",        cmd_eval,          -3, CMD_NOSCRIPT|CMD_STALE|CMD_MAY_REPLICATE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "2.6.0", "Executes a server-side Lua script.", NULL },
{ "EVALSHA",     cmd_evalsha,       -3, CMD_NOSCRIPT|CMD_STALE|CMD_MAY_REPLICATE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "2.6.0", "Executes a server-side Lua script by SHA1 digest.", NULL },
{ "EVAL_RO",     cmd_eval_ro,       -3, R|CMD_NOSCRIPT|CMD_STALE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Executes a read-only server-side Lua script.", NULL },
{ "EVALSHA_RO",  cmd_evalsha_ro,    -3, R|CMD_NOSCRIPT|CMD_STALE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Executes a read-only server-side Lua script by SHA1 digest.", NULL },
{ "SCRIPT",      cmd_script,        -2, 0,                  0, 0, 0, "scripting", "2.6.0", "A container for Lua scripts management commands.", &script_subs },
{ "FCALL",       cmd_fcall,         -3, CMD_NOSCRIPT|CMD_STALE|CMD_MAY_REPLICATE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Invokes a function.", NULL },
{ "FCALL_RO",    cmd_fcall_ro,      -3, R|CMD_NOSCRIPT|CMD_STALE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Invokes a read-only function.", NULL },
{ "FUNCTION",    cmd_function,      -2, 0,                  0, 0, 0, "scripting", "7.0.0", "A container for function commands.", &function_subs },
{ "SUBSCRIBE",   cmd_subscribe,     -2, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Listens for messages published to channels.", NULL },
{ "UNSUBSCRIBE", cmd_unsubscribe,   -1, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Stops listening to messages posted to channels.", NULL },
{ "PSUBSCRIBE",  cmd_psubscribe,    -2, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Listens for messages published to channels that match one or more patterns.", NULL },
{ "PUNSUBSCRIBE", cmd_punsubscribe, -1, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Stops listening to messages published to channels that match one or more patterns.", NULL },
{ "SSUBSCRIBE",  cmd_ssubscribe,    -2, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 1, -1, 1, "pubsub", "7.0.0", "Listens for messages published to shard channels.", NULL },
{ "SUNSUBSCRIBE", cmd_sunsubscribe, -1, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 1, -1, 1, "pubsub", "7.0.0", "Stops listening to messages posted to shard channels.", NULL },
{ "PUBLISH",     cmd_publish,        3, F|CMD_LOADING|CMD_STALE|CMD_MAY_REPLICATE, 0, 0, 0, "pubsub", "2.0.0", "Posts a message to a channel.", NULL },
{ "SPUBLISH",    cmd_spublish,       3, F|CMD_LOADING|CMD_STALE|CMD_MAY_REPLICATE, 1, 1, 1, "pubsub", "7.0.0", "Post a message to a shard channel", NULL },
{ "PUBSUB",      cmd_pubsub,        -2, 0,                  0, 0, 0, "pubsub", "2.8.0", "A container for Pub/Sub commands.", &pubsub_subs },
};

#undef W
#undef R
#undef F
#undef DOOM

/* The whole table; *n receives its length. */
const struct command *command_table(size_t *n)
{
    *n = sizeof(commands) / sizeof(commands[0]);
    return commands;
}

/* Command names fold ASCII letters only (as strncasecmp does in the C
 * locale), inline: the lookup runs once per request, and toupper() and
 * strncasecmp() were each a library call per byte or per name. */
static unsigned char ascii_upper(unsigned char ch)
{
    return ch >= 'a' && ch <= 'z' ? (unsigned char)(ch - ('a' - 'A')) : ch;
}

/* Hashes a name of any length from its length and four of its bytes,
 * case-folded (| 0x20 folds letters, and any other byte the same way on
 * both sides): no loop over the name, and the table's names still fall
 * into distinct slots nearly always. */
static uint32_t name_hash(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    uint64_t x = (uint64_t)n << 32 |
                 (uint64_t)((unsigned char)p[0] | 0x20) << 24 |
                 (uint64_t)((unsigned char)p[n / 2] | 0x20) << 16 |
                 (uint64_t)((unsigned char)p[n - 1] | 0x20) << 8 |
                 (uint64_t)((unsigned char)p[n > 1] | 0x20);
    return (uint32_t)((x * 0x9E3779B97F4A7C15u) >> 32);
}

/* 1 if the n bytes (at most 8) loaded into c from a table name equal
 * those loaded into p, ignoring ASCII case. Table names are upper case
 * ASCII (server.h), so p may differ from c only by 0x20, and only where
 * c holds A-Z; upper has 0x80 in those bytes (adding 0x3f carries a byte
 * from 'A' on into bit 7, adding 0x25 from '[' on), and upper >> 2 is
 * 0x20 there. Eight bytes a step instead of a loop over the name. */
static int word_eq(uint64_t c, uint64_t p)
{
    uint64_t upper = (c + 0x3f3f3f3f3f3f3f3fu) & ~(c + 0x2525252525252525u) &
                     0x8080808080808080u;
    return ((c ^ p) & ~(upper >> 2)) == 0;
}

/* Bytes [i, i + w) of s, w 4 or 8, as a little number (zero-extended). */
static uint64_t load(const char *s, size_t i, size_t w)
{
    uint64_t v = 0;
    if (w == 8) {
        memcpy(&v, s + i, 8);
    } else {
        uint32_t v4;
        memcpy(&v4, s + i, 4);
        v = v4;
    }
    return v;
}

/* 1 if slot's name equals p[0..n), ignoring ASCII case. Names of 4 bytes
 * or more are compared a word at a time, the last word overlapping the
 * one before it so no byte past either name is read. */
static int name_eq(const struct command_slot *slot, const char *p, size_t n)
{
    const char *c = slot->cmd->name;
    if (slot->len != n)
        return 0;
    if (n < 4) {
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)c[i] != ascii_upper((unsigned char)p[i]))
                return 0;
        return 1;
    }
    size_t w = n < 8 ? 4 : 8;
    for (size_t i = 0; i + w < n; i += w)
        if (!word_eq(load(c, i, w), load(p, i, w)))
            return 0;
    return word_eq(load(c, n - w, w), load(p, n - w, w));
}

/* Builds the lookup index in srv. Returns 0, or -1 on OOM. */
int command_index_init(struct server *srv)
{
    size_t n;
    const struct command *t = command_table(&n);
    size_t slots = 16;
    while (slots < n * 4)
        slots <<= 1;
    size_t nstats = n;
    srv->sub_stats = calloc(n, sizeof(*srv->sub_stats));
    if (!srv->sub_stats)
        return -1;
    for (size_t i = 0; i < n; i++) {
        srv->sub_stats[i] = nstats;
        nstats += t[i].subs ? t[i].subs->n : 0;
    }
    srv->cmd_index = calloc(slots, sizeof(*srv->cmd_index));
    srv->cmdstats = calloc(nstats, sizeof(*srv->cmdstats));
    if (!srv->cmd_index || !srv->cmdstats)
        return -1;
    srv->ncmdstats = nstats;
    srv->cmd_index_mask = slots - 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(t[i].name);
        size_t j = name_hash(t[i].name, len) & srv->cmd_index_mask;
        while (srv->cmd_index[j].cmd)
            j = (j + 1) & srv->cmd_index_mask;
        srv->cmd_index[j] = (struct command_slot){ &t[i], len };
    }
    return 0;
}

/* The command named by name[0..len), any case, or NULL. */
const struct command *command_lookup(const struct server *srv,
                                     const char *name, size_t len)
{
    size_t j = name_hash(name, len) & srv->cmd_index_mask;
    for (; srv->cmd_index[j].cmd; j = (j + 1) & srv->cmd_index_mask) {
        if (name_eq(&srv->cmd_index[j], name, len))
            return srv->cmd_index[j].cmd;
    }
    return NULL;
}

/* The subcommand of t named name[0..len), any case, or NULL. */
static const struct subcommand *
subcommand_find(const struct subcommand_table *t, const char *name,
                size_t len)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *sub = t->subs[i].name;
        if (strlen(sub) == len && strncasecmp(sub, name, len) == 0)
            return &t->subs[i];
    }
    return NULL;
}

/* See server.h. */
const struct subcommand *subcommand_in(const struct command *cmd,
                                       const char *name, size_t len)
{
    return cmd->subs ? subcommand_find(cmd->subs, name, len) : NULL;
}

/* See server.h. */
const struct command *command_of_call(const struct server *srv,
                                      size_t argc, const char *const *argv,
                                      const size_t *argvlen,
                                      const struct subcommand **sub)
{
    *sub = NULL;
    const struct command *cmd = command_lookup(srv, argv[0], argvlen[0]);
    if (cmd && cmd->subs && argc > 1 &&
        !(*sub = subcommand_find(cmd->subs, argv[1], argvlen[1])))
        return NULL;
    return cmd;
}

/* See server.h. */
const struct command *command_lookup_full(const struct server *srv,
                                          const char *name, size_t len,
                                          const struct subcommand **sub)
{
    const char *bar = memchr(name, '|', len);
    size_t clen = bar ? (size_t)(bar - name) : len;
    const struct command *cmd = command_lookup(srv, name, clen);
    *sub = NULL;
    if (!cmd || !bar)
        return cmd;
    *sub = subcommand_in(cmd, bar + 1, len - clen - 1);
    return *sub ? cmd : NULL;
}

static void lowercase(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[n] = '\0';
}

/* "container|sub" in lower case, as Redis names a subcommand in errors. */
static void subcommand_name(char *dst, const struct client *c)
{
    size_t n = strlen(c->cmd->name);
    lowercase(dst, 48, c->cmd->name, n);
    dst[n < 47 ? n : 47] = '|';
    lowercase(dst + (n < 47 ? n : 47) + 1, 47, c->argv[1], c->argvlen[1]);
}

/* The subcommand of t that argv[1] names, any case, or NULL. */
static const struct subcommand *
subcommand_named(const struct client *c, const struct subcommand_table *t)
{
    return subcommand_find(t, c->argv[1], c->argvlen[1]);
}

/* See server.h. */
const struct subcommand *subcommand_of(const struct client *c)
{
    if (!c->cmd->subs || c->argc < 2)
        return NULL;
    return subcommand_named(c, c->cmd->subs);
}

const struct subcommand *subcommand_check(struct client *c,
                                          const struct subcommand_table *t)
{
    const struct subcommand *sc = subcommand_named(c, t);
    if (sc) {
        if ((sc->arity > 0 && (size_t)sc->arity != c->argc) ||
            (sc->arity < 0 && c->argc < (size_t)-sc->arity)) {
            char name[96];
            subcommand_name(name, c);
            reply_error(c, ERR_ARITY, name);
            return NULL;
        }
        return sc;
    }
    int len = c->argvlen[1] > 128 ? 128 : (int)c->argvlen[1];
    reply_error(c, ERR_UNKNOWN_SUBCMD, len, c->argv[1], c->cmd->name);
    return NULL;
}

void subcommand_dispatch(struct client *c, const struct subcommand_table *t)
{
    const struct subcommand *sc = subcommand_check(c, t);
    if (sc)
        sc->proc(c);
}

static void reply_unknown_command(struct client *c)
{
    /* Redis lists the first arguments, quoted, up to about 128 bytes. */
    char args[160];
    size_t used = 0;
    args[0] = '\0';
    for (size_t i = 1; i < c->argc && used < 128; i++) {
        int room = 128 - (int)used;
        int n = snprintf(args + used, sizeof(args) - used, "'%.*s' ",
                         (int)c->argvlen[i] < room ? (int)c->argvlen[i] : room,
                         c->argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
        if (used >= sizeof(args))
            used = sizeof(args) - 1;
    }
    int len = c->argvlen[0] > 128 ? 128 : (int)c->argvlen[0];
    reply_error(c, ERR_UNKNOWN_CMD, len, c->argv[0], args);
}

static int arity_ok(const struct command *cmd, size_t argc)
{
    return cmd->arity > 0 ? argc == (size_t)cmd->arity
                          : argc >= (size_t)-cmd->arity;
}

/* See server.h. */
struct command_stats *command_stats_of_cmd(struct server *srv,
                                           const struct command *cmd)
{
    return &srv->cmdstats[cmd - commands];
}

/* See server.h. A container called alone ("COMMAND") counts as itself. */
struct command_stats *command_stats_of(const struct client *c)
{
    struct server *srv = c->srv;
    size_t i = (size_t)(c->cmd - commands);
    const struct subcommand_table *t = c->cmd->subs;
    if (!t || c->argc < 2)
        return command_stats_of_cmd(srv, c->cmd);
    for (size_t j = 0; j < t->n; j++)
        if (arg_is(c, 1, t->subs[j].name))
            return &srv->cmdstats[srv->sub_stats[i] + j];
    return NULL;
}

/* Counts a call refused before it ran. */
static void count_rejected(const struct client *c)
{
    struct command_stats *st = command_stats_of(c);
    if (st)
        st->rejected++;
}

/* What client_call does after a command someone may want to see: the
 * monitors get it, tracking remembers the keys it read, the slow log gets
 * it when it was slow (a blocked one when it is unblocked: blocking.c
 * sums its time in c->block_ns), so does the latency monitor (not a
 * blocked one), and its redacted arguments are
 * forgotten. Out of line, off the fast path. */
static __attribute__((noinline, cold)) void call_observed(struct client *c,
                                                          uint64_t dt)
{
    /* EVAL and its kin were shown before they ran (cmd_script.c), so
     * that the script's own commands come after them, as in Redis. */
    if (c->srv->monitors && !(c->cmd->flags & CMD_SCRIPT_FLAGS))
        monitor_feed(c);
    if (c->srv->tracking_clients)
        tracking_after_call(c);
    if (c->flags & CLIENT_BLOCKED) {
        c->block_ns += dt;
        /* client_call is about to add this run to the command's latency
         * histogram; a blocked command counts when it is unblocked, so
         * the sample is taken back first (counters wrap: the sum is
         * exact), which keeps the test off client_call's fast path. */
        struct command_stats *st = command_stats_of(c);
        if (st && st->hist_on)
            latency_hist_add(st->hist_on, dt, UINT64_MAX);
    } else {
        if (dt >= c->srv->slowlog_threshold_ns)
            slowlog_command(c, c->argc, c->argv, c->argvlen, dt);
        if (dt >= c->srv->latency_threshold_ns)
            latency_event(c->srv, (client_cmd_flags(c) & CMD_FAST)
                                      ? LATENCY_EV_FAST_COMMAND
                                      : LATENCY_EV_COMMAND, dt);
    }
    c->redacted = 0;
}

/* Makes lookups in every database mark the keys they find as used (on)
 * or not; returns the setting before. */
static int keys_touch_set(struct server *srv, int on)
{
    int was = !srv->keys_no_touch;
    srv->keys_no_touch = !on;
    for (int i = 0; i < srv->conf.databases; i++)
        store_set_touch(srv->db[i], on);
    return was;
}

/* Runs c->cmd for a CLIENT NO-TOUCH client: its lookups leave the keys'
 * LRU/LFU as they were, except TOUCH's, as in Redis 7.2. A script's
 * commands (another client, without the flag) run under the setting of
 * the EVAL that runs them; a command inside EXEC under its own. */
static __attribute__((noinline, cold)) void call_no_touch(struct client *c)
{
    int was = keys_touch_set(c->srv, c->cmd->proc == cmd_touch);
    c->cmd->proc(c);
    keys_touch_set(c->srv, was);
}

/* Runs c->cmd with its statistics. */
void client_call(struct client *c)
{
    struct server *srv = c->srv;
    size_t before = c->out.len;
    uint64_t errors = c->nerrors;
    uint64_t t0 = uv_hrtime();
    if (__builtin_expect(c->flags & CLIENT_NO_TOUCH, 0))
        call_no_touch(c);
    else
        c->cmd->proc(c);
    srv->call_end_ns = uv_hrtime();
    uint64_t dt = srv->call_end_ns - t0;
    /* MONITOR, the slow log, the latency monitor, a blocked command's
     * time, redacted arguments and client tracking: one predictable
     * branch (the conditions or'ed without branching) while nobody
     * monitors or tracks and the command is fast. */
    if (((uintptr_t)srv->monitors | (c->flags & CLIENT_BLOCKED) |
         c->redacted | srv->tracking_clients |
         (dt >= srv->observe_ns)) != 0)
        call_observed(c, dt);
    struct command_stats *st = command_stats_of(c);
    /* Nothing written: CLIENT REPLY OFF or SKIP muted the reply. */
    int failed = c->out.len > before ? c->out.data[before] == '-'
                                     : c->nerrors != errors;
    /* A blocked client's rerun (blocking.c) was counted as a call when it
     * first ran and blocked; as in Redis 7.0, only its failure counts. */
    uint64_t call = !(c->blocked && client_block_rerun(c));
    if (st) {
        st->calls += call;
        st->nsec += dt;
        st->failed += (uint64_t)failed;
        /* latency-tracking: a pointer test and a bucket (latency.h). A
         * blocked command is counted when it is unblocked (blocking.c),
         * as Redis does: call_observed took this sample back in advance. */
        if (st->hist_on)
            latency_hist_add(st->hist_on, dt, 1);
        else if (srv->conf.latency_tracking && !(c->flags & CLIENT_BLOCKED))
            latency_track_first(srv, st, dt);
    }
    srv->stat_commands += call;
}

/* Redis's protected commands, refused right after the arity checks (so
 * before NOAUTH and ACL, and at MULTI queueing time) unless their
 * directive admits the client: DEBUG by enable-debug-command, MODULE
 * LOAD, LOADEX and UNLOAD by enable-module-command. Returns 1 after
 * replying the refusal. */
static int protected_refused(struct client *c)
{
    int debug = c->cmd->proc == cmd_debug;
    const struct conf *conf = &c->srv->conf;
    if (client_enabled_by(c, debug ? conf->enable_debug_command
                                   : conf->enable_module_command))
        return 0;
    reply_error(c, debug ? ERR_DEBUG_DISABLED : ERR_MODULE_REFUSED);
    return 1;
}

/* Marks a rejected command inside MULTI so EXEC aborts, as Redis does.
 * Its error reply counted itself in total_error_replies (reply_error). */
static void reject(struct client *c)
{
    if (c->flags & CLIENT_MULTI)
        c->flags |= CLIENT_DIRTY_EXEC;
}

/* A rejected EXEC discards the transaction, and its error says so (Redis's
 * execCommandAbort): reason is the error without its leading "ERR ". */
static void reject_exec(struct client *c, const char *reason)
{
    reply_error(c, ERR_EXECABORT_BECAUSE, reason);
    client_multi_reset(c);
    client_unwatch_all(c);
    count_rejected(c);
}

/* Rejects a command in RESP2 subscribed mode; like Redis, a container's
 * subcommand is named "container|sub". */
static void reply_pubsub_context(struct client *c)
{
    char name[96];
    if (c->cmd->subs && c->argc > 1)
        subcommand_name(name, c);
    else
        lowercase(name, 48, c->cmd->name, strlen(c->cmd->name));
    reply_error(c, ERR_PUBSUB_CONTEXT, name);
}

/* 1 if the RESP2 subscribed mode refuses c's command. */
static int pubsub_refuses(const struct client *c)
{
    return c->proto == 2 && !(c->cmd->flags & CMD_PUBSUB) &&
           pubsub_client_subscribed(c);
}

/* The checks of dispatch for a MONITOR client or while CLIENT PAUSE
 * holds, in Redis's order: a monitor is refused keyspace commands (Redis
 * 7.0 treats it as a replica), then the subscribed mode refuses what it
 * refuses (left to dispatch), then the pause may hold the command back
 * (pause.c). Returns 1 when the command was refused or held. */
static int held_or_refused(struct client *c)
{
    if ((c->flags & CLIENT_MONITOR) &&
        (client_cmd_flags(c) & (CMD_WRITE | CMD_READONLY |
                                CMD_MAY_REPLICATE))) {
        reply_error(c, ERR_MONITOR_KEYSPACE);
        count_rejected(c);
        reject(c);
        return 1;
    }
    return c->srv->pause_type != PAUSE_NONE && !pubsub_refuses(c) &&
           pause_postpones(c);
}

/* The ACL checks of a restricted user's command (acl_check.c): returns 1
 * when it was refused (a refused EXEC discards the transaction). Out of
 * line: the default user never comes here. */
static __attribute__((noinline)) int acl_refused(struct client *c)
{
    int pos;
    enum acl_denial why = acl_check_client(
        c, (c->flags & CLIENT_MULTI) ? ACL_CTX_MULTI : ACL_CTX_TOPLEVEL, &pos);
    if (why == ACL_OK)
        return 0;
    char msg[256];
    acl_denial_message(c, why, msg, sizeof(msg));
    if (c->cmd->proc == cmd_exec) {
        reject_exec(c, msg);
        return 1;
    }
    reply_error_text(c, msg, strlen(msg));
    count_rejected(c);
    reject(c);
    return 1;
}

/* 1 if c's command is refused while the last BGSAVE failed (Redis's
 * processCommand): a write, EXEC of a transaction holding one, and PING. */
static int misconf_refuses(const struct client *c)
{
    if ((client_cmd_flags(c) & CMD_WRITE) || c->cmd->proc == cmd_ping)
        return 1;
    if (c->cmd->proc == cmd_exec)
        for (size_t i = 0; i < c->mcount; i++)
            if (c->mqueue[i].flags & CMD_WRITE)
                return 1;
    return 0;
}

/* Looks up and runs the request in c->argv: lookup, arity, auth, ACL,
 * MULTI queueing, call. */
static void dispatch(struct client *c)
{
    struct server *srv = c->srv;
    c->last_ms = server_now_ms(srv);
    c->cmd = command_lookup(srv, c->argv[0], c->argvlen[0]);
    /* CLIENT LIST's cmd= is what Redis's lookup finds, before any check
     * and before queueing: the subcommand when argv[1] names one, nothing
     * for an unknown command or subcommand. EXEC's commands leave it. */
    c->last_cmd = c->cmd;
    c->last_sub = NULL;
    if (c->cmd && c->cmd->subs && c->argc > 1) {
        c->last_sub = subcommand_named(c, c->cmd->subs);
        if (!c->last_sub)
            c->last_cmd = NULL;
    }
    if (!c->cmd) {
        reply_unknown_command(c);
        reject(c);
        return;
    }
    if (!arity_ok(c->cmd, c->argc) && c->cmd->proc == cmd_exec) {
        reject_exec(c, "wrong number of arguments for 'exec' command");
        return;
    }
    if (client_auth_required(c) && c->cmd->proc == cmd_exec) {
        reject_exec(c, "NOAUTH Authentication required.");
        return;
    }
    if (!arity_ok(c->cmd, c->argc)) {
        char name[48];
        lowercase(name, sizeof(name), c->cmd->name, strlen(c->cmd->name));
        reply_error(c, ERR_ARITY, name);
        count_rejected(c);
        reject(c);
        return;
    }
    if (c->cmd->subs && c->argc > 1 && !subcommand_check(c, c->cmd->subs)) {
        count_rejected(c);
        reject(c);
        return;
    }
    if ((client_cmd_flags(c) & CMD_PROTECTED) && protected_refused(c)) {
        count_rejected(c);
        reject(c);
        return;
    }
    if (client_auth_required(c) && !(c->cmd->flags & CMD_NOAUTH)) {
        reply_error(c, ERR_NOAUTH);
        count_rejected(c);
        reject(c);
        return;
    }
    if (c->user->restricted && acl_refused(c))
        return;
    if (srv->conf.maxmemory && maxmemory_refuses(c)) {
        if (c->cmd->proc == cmd_exec) {
            reject_exec(c, "OOM command not allowed when used memory > "
                           "'maxmemory'.");
            return;
        }
        reply_error(c, ERR_OOM);
        count_rejected(c);
        reject(c);
        return;
    }
    if (persist_refuses_writes(&srv->persist,
                               srv->conf.stop_writes_on_bgsave_error) &&
        misconf_refuses(c)) {
        if (c->cmd->proc == cmd_exec) {
            reject_exec(c, PERSIST_MISCONF);
            return;
        }
        reply_error(c, ERR_MISCONF);
        count_rejected(c);
        reject(c);
        return;
    }
    /* A MONITOR client and CLIENT PAUSE: one branch while neither. */
    if (((c->flags & CLIENT_MONITOR) | (unsigned)srv->pause_type) != 0 &&
        held_or_refused(c))
        return;
    if (pubsub_refuses(c)) {
        if (c->cmd->proc == cmd_exec) {
            reject_exec(c, "Can't execute 'exec': only (P|S)SUBSCRIBE / "
                           "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                           "allowed in this context");
            return;
        }
        reply_pubsub_context(c);
        count_rejected(c);
        reject(c);
        return;
    }
    if ((c->flags & CLIENT_MULTI) && !(c->cmd->flags & CMD_NOMULTI)) {
        if (c->cmd->flags & CMD_REFUSED_IN_MULTI) {
            reply_error(c, ERR_NOT_IN_MULTI);
            count_rejected(c);
            reject(c);
            return;
        }
        client_multi_queue(c);
        return;
    }
    srv->in_call = 1;
    client_call(c);
    srv->in_call = 0;
    /* The keyspace clock moves on with every top-level command (see
     * server_now_ms), from the time client_call read anyway: a key whose
     * TTL ran out during a slow command is gone for the next one of the
     * same pipeline. Not in client_call: EXEC's queued commands run on
     * one time, as in Redis. */
    srv->call_end_ms = srv->call_end_ns / 1000000;
}

/* See server.h. CLIENT REPLY OFF and SKIP silence every reply of the
 * command, its refusal or +QUEUED included, as Redis's
 * prepareClientToWrite does; SKIP then ends, except for a command that
 * blocked: its reply, when it is served, is the one skipped. */
void client_dispatch(struct client *c)
{
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags &= ~(unsigned)CLIENT_REPLY_SKIP_NEXT;
        c->flags |= CLIENT_REPLY_SKIP;
    }
    client_reply_mode_apply(c);
    struct client *outer = c->srv->current_client;
    c->srv->current_client = c;
    dispatch(c);
    c->srv->current_client = outer;
    /* Its invalidations of its own keys follow its reply (tracking.c). */
    if (c->trk)
        tracking_command_done(c);
    if (!(c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED)))
        client_reply_done(c);
}
