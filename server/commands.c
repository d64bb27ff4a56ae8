/* commands.c - the command table, the only place that knows which commands
 * exist, and the dispatcher.
 *
 * The table is static and declarative; COMMAND, INFO commandstats and the
 * README's command list are generated from it. Lookup is exact and
 * case-insensitive on (length, bytes) through an open-addressing index
 * built once at start-up in struct server (no global state), under the
 * names rename-command leaves each command (apply_renames).
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
#include "server/keyspec.h"
#include "server/pubsub.h"
#include "server/script.h"
#include "server/server.h"
#include "server/tracking.h"

#define W CMD_WRITE
#define R CMD_READONLY
#define F CMD_FAST
#define DOOM CMD_DENYOOM

static const struct command commands[] = {
/* name          handler          arity flags              keys    group       since  summary  subcommands */
{ "PING",        cmd_ping,          -1, F|CMD_PUBSUB,   0, 0, 0, "connection", "1.0.0", "Replies PONG, or echoes the given message, to show the server is reachable.", NULL },
{ "ECHO",        cmd_echo,           2, F,                  0, 0, 0, "connection", "1.0.0", "Sends the single argument straight back to the caller as a bulk string.", NULL },
{ "QUIT",        cmd_quit,          -1, F|CMD_NOAUTH|CMD_PUBSUB|CMD_NOMULTI|CMD_NOSCRIPT, 0, 0, 0, "connection", "1.0.0", "Asks the server to reply OK and then close this client's connection.", NULL },
{ "HELLO",       cmd_hello,         -1, F|CMD_NOAUTH|CMD_NOSCRIPT,       0, 0, 0, "connection", "6.0.0", "Picks the protocol version, can log in and name the client, and describes the server.", NULL },
{ "AUTH",        cmd_auth,          -2, F|CMD_NOAUTH|CMD_NOSCRIPT,       0, 0, 0, "connection", "1.0.0", "Checks a password, optionally with a username, and logs the connection in as that user.", NULL },
{ "SELECT",      cmd_select,         2, F,                  0, 0, 0, "connection", "1.0.0", "Switches this connection to the numbered logical database.", NULL },
{ "CLIENT",      cmd_client,        -2, 0,                  0, 0, 0, "connection", "2.4.0", "Groups the CLIENT subcommands, which inspect, name, track, pause or kill connections.", &client_subs },
{ "RESET",       cmd_reset,          1, F|CMD_NOAUTH|CMD_PUBSUB|CMD_NOMULTI|CMD_NOSCRIPT, 0, 0, 0, "connection", "6.2.0", "Puts the connection back as new: database 0, default user, no MULTI or subscriptions.", NULL },
{ "ACL",         cmd_acl,           -2, 0,                  0, 0, 0, "server", "6.0.0", "Groups the ACL subcommands, which create, inspect and check users and their permissions.", &acl_subs },
{ "DBSIZE",      cmd_dbsize,         1, R|F,                0, 0, 0, "server", "1.0.0", "Counts the keys held in the currently selected database.", NULL },
{ "FLUSHDB",     cmd_flushdb,       -1, W,                  0, 0, 0, "server", "1.0.0", "Deletes every key of the currently selected database.", NULL },
{ "FLUSHALL",    cmd_flushall,      -1, W,                  0, 0, 0, "server", "1.0.0", "Empties every logical database, saving the empty dataset when save points are set.", NULL },
{ "SWAPDB",      cmd_swapdb,         3, W|F,                0, 0, 0, "server", "4.0.0", "Exchanges the contents of two logical databases, so each index shows the other's keys.", NULL },
{ "TIME",        cmd_time,           1, F,                  0, 0, 0, "server", "2.6.0", "Reports the current server clock as Unix seconds plus microseconds.", NULL },
{ "SAVE",        cmd_save,           1, CMD_ADMIN|CMD_NOSCRIPT|CMD_REFUSED_IN_MULTI, 0, 0, 0, "server", "1.0.0", "Writes an RDB snapshot of the whole dataset in the foreground, blocking until done.", NULL },
{ "BGSAVE",      cmd_bgsave,        -1, CMD_ADMIN|CMD_NOSCRIPT, 0, 0, 0, "server", "1.0.0", "Forks a child process that writes an RDB snapshot while the server keeps serving.", NULL },
{ "SYNC",        cmd_sync,           1, CMD_ADMIN|CMD_NOSCRIPT|CMD_REFUSED_IN_MULTI, 0, 0, 0, "server", "1.0.0", "Sends an RDB snapshot of the dataset to a client that asked for the snapshot only (redis-cli --rdb); there is no replication.", NULL },
{ "REPLCONF",    cmd_replconf,      -1, CMD_ADMIN|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "3.0.0", "Sets what the next SYNC sends: the stream format the client reads, the snapshot only, functions only.", NULL },
{ "LASTSAVE",    cmd_lastsave,       1, F|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "1.0.0", "Gives the Unix time in seconds at which an RDB snapshot last succeeded.", NULL },
{ "ROLE",        cmd_role,           1, F|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "2.8.12", "Reports this node as a master at replication offset 0 with no replicas attached.", NULL },
{ "WAIT",        cmd_wait,           3, CMD_NOSCRIPT,       0, 0, 0, "generic", "3.0.0", "Replies 0 as there are no replicas, first blocking until its timeout when n is above 0.", NULL },
{ "WAITAOF",     cmd_waitaof,        4, CMD_NOSCRIPT,       0, 0, 0, "generic", "7.2.0", "Answers as with AOF off: an error if numlocal is set, else zero acks after any wait.", NULL },
{ "READONLY",    cmd_cluster_only,   1, F|CMD_LOADING|CMD_STALE, 0, 0, 0, "cluster", "3.0.0", "Replies with the cluster-disabled error, since Respite never runs in cluster mode.", NULL },
{ "READWRITE",   cmd_cluster_only,   1, F|CMD_LOADING|CMD_STALE, 0, 0, 0, "cluster", "3.0.0", "Fails with the cluster-disabled error, as Respite is a single node without a cluster.", NULL },
{ "ASKING",      cmd_cluster_only,   1, F,                  0, 0, 0, "cluster", "3.0.0", "Rejects the call with the cluster-disabled error; there are no slot redirects here.", NULL },
{ "CLUSTER",     cmd_cluster,       -2, 0,                  0, 0, 0, "cluster", "3.0.0", "Groups the CLUSTER subcommands, each of which answers the cluster-disabled error.", &cluster_subs },
{ "SHUTDOWN",    cmd_shutdown,      -1, CMD_ADMIN|CMD_REFUSED_IN_MULTI|CMD_NOSCRIPT, 0, 0, 0, "server", "1.0.0", "Stops the server process, saving an RDB snapshot first when asked or configured to.", NULL },
{ "INFO",        cmd_info,          -1, 0,                  0, 0, 0, "server", "1.0.0", "Reports server statistics and settings as text sections, optionally only some of them.", NULL },
{ "COMMAND",     cmd_command,       -1, 0,                  0, 0, 0, "server", "2.8.13", "Describes every command the server knows; its subcommands count, list and document them.", &command_subs },
{ "CONFIG",      cmd_config,        -2, 0,                  0, 0, 0, "server", "2.0.0", "Groups the CONFIG subcommands, which read, change and reset runtime settings.", &config_subs },
{ "MEMORY",      cmd_memory,        -2, 0,                  0, 0, 0, "server", "4.0.0", "Groups the MEMORY subcommands, which report usage, statistics and allocator details.", &memory_subs },
{ "MODULE",      cmd_module,        -2, 0,                  0, 0, 0, "server", "4.0.0", "Groups the MODULE subcommands; nothing can be loaded here, so MODULE LIST stays empty.", &module_subs },
{ "MONITOR",     cmd_monitor,        1, CMD_ADMIN|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "server", "1.0.0", "Turns the connection into a feed of every command the server runs from now on.", NULL },
{ "SLOWLOG",     cmd_slowlog,       -2, 0,                  0, 0, 0, "server", "2.2.12", "Groups the SLOWLOG subcommands, which read, size and clear the log of slow commands.", &slowlog_subs },
{ "LATENCY",     cmd_latency,       -2, 0,                  0, 0, 0, "server", "2.8.13", "Groups the LATENCY subcommands, which show recorded latency spikes and histograms.", &latency_subs },
{ "LOLWUT",      cmd_lolwut,        -1, R|F,                0, 0, 0, "server", "5.0.0", "Draws a small contour map of imaginary hills, then states the Respite version.", NULL },
{ "DEBUG",       cmd_debug,         -2, CMD_ADMIN|CMD_NOSCRIPT|CMD_PROTECTED, 0, 0, 0, "server", "1.0.0", "Runs test helpers such as SLEEP, POPULATE, RELOAD and JUMP-CLOCK when enabled.", NULL },
{ "MULTI",       cmd_multi,          1, F|CMD_NOMULTI|CMD_NOSCRIPT,      0, 0, 0, "transactions", "1.2.0", "Opens a transaction: later commands are queued until EXEC or DISCARD.", NULL },
{ "EXEC",        cmd_exec,           1, CMD_NOMULTI|CMD_SKIP_SLOWLOG|CMD_NOSCRIPT,        0, 0, 0, "transactions", "1.2.0", "Runs the queued transaction commands atomically, or aborts if a watched key changed.", NULL },
{ "DISCARD",     cmd_discard,        1, F|CMD_NOMULTI|CMD_NOSCRIPT,      0, 0, 0, "transactions", "2.0.0", "Drops the queued commands of an open transaction and leaves MULTI mode.", NULL },
{ "WATCH",       cmd_watch,         -2, F|CMD_NOMULTI|CMD_NOSCRIPT,      1, -1, 1, "transactions", "2.2.0", "Marks keys so that the next EXEC aborts if any of them is modified first.", NULL },
{ "UNWATCH",     cmd_unwatch,        1, F|CMD_NOSCRIPT,                  0, 0, 0, "transactions", "2.2.0", "Clears every key this connection is watching for its next transaction.", NULL },
{ "GET",         cmd_get,            2, R|F,                1, 1, 1, "string", "1.0.0", "Fetches the string stored under a key, or nil when the key is absent.", NULL },
{ "SET",         cmd_set,           -3, W|DOOM,             1, 1, 1, "string", "1.0.0", "Stores a string under a key, with options for expiry, conditions and the old value.", NULL },
{ "SETNX",       cmd_setnx,          3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Stores a string under a key unless that key already exists.", NULL },
{ "SETEX",       cmd_setex,          4, W|DOOM,             1, 1, 1, "string", "2.0.0", "Stores a string under a key together with a time to live given in seconds.", NULL },
{ "PSETEX",      cmd_psetex,         4, W|DOOM,             1, 1, 1, "string", "2.6.0", "Stores a string under a key together with a time to live given in milliseconds.", NULL },
{ "GETSET",      cmd_getset,         3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Replaces a key's string with a new one and hands back the value it held before.", NULL },
{ "GETDEL",      cmd_getdel,         2, W|F,                1, 1, 1, "string", "6.2.0", "Reads a key's string and deletes the key in the same step.", NULL },
{ "GETEX",       cmd_getex,         -2, W|F,                1, 1, 1, "string", "6.2.0", "Reads a key's string while setting, changing or removing its time to live.", NULL },
{ "MGET",        cmd_mget,          -2, R|F,                1, -1, 1, "string", "1.0.0", "Fetches the strings of several keys at once, nil for each one that is missing.", NULL },
{ "MSET",        cmd_mset,          -3, W|DOOM,             1, -1, 2, "string", "1.0.1", "Writes several key and string pairs in one atomic step.", NULL },
{ "MSETNX",      cmd_msetnx,        -3, W|DOOM,             1, -1, 2, "string", "1.0.1", "Writes several key and string pairs only if none of the keys exists yet.", NULL },
{ "APPEND",      cmd_append,         3, W|DOOM|F,           1, 1, 1, "string", "2.0.0", "Adds bytes at the end of a key's string, starting from empty if the key is missing.", NULL },
{ "STRLEN",      cmd_strlen,         2, R|F,                1, 1, 1, "string", "2.2.0", "Gives the byte length of the string stored under a key.", NULL },
{ "GETRANGE",    cmd_getrange,       4, R,                  1, 1, 1, "string", "2.4.0", "Extracts the bytes between two offsets of a key's string, negative ones from the end.", NULL },
{ "SUBSTR",      cmd_getrange,       4, R,                  1, 1, 1, "string", "1.0.0", "Extracts bytes between two offsets of a key's string; the old name of GETRANGE.", NULL },
{ "SETRANGE",    cmd_setrange,       4, W|DOOM,             1, 1, 1, "string", "2.2.0", "Overwrites a key's string from an offset on, padding with zero bytes if needed.", NULL },
{ "INCR",        cmd_incr,           2, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Adds one to the integer held in a key, treating a missing key as 0.", NULL },
{ "DECR",        cmd_decr,           2, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Subtracts one from the integer held in a key, treating a missing key as 0.", NULL },
{ "INCRBY",      cmd_incrby,         3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Adds a given integer to the number held in a key, a missing key counting as 0.", NULL },
{ "DECRBY",      cmd_decrby,         3, W|DOOM|F,           1, 1, 1, "string", "1.0.0", "Subtracts a given integer from the number held in a key, a missing key counting as 0.", NULL },
{ "INCRBYFLOAT", cmd_incrbyfloat,    3, W|DOOM|F,           1, 1, 1, "string", "2.6.0", "Adds a floating point amount to the number held in a key and replies with the sum.", NULL },
{ "LCS",         cmd_lcs,           -3, R,                  1, 2, 1, "string", "7.0.0", "Computes the longest common subsequence of two strings, or its length or match positions.", NULL },
{ "SETBIT",      cmd_setbit,         4, W|DOOM,             1, 1, 1, "bitmap", "2.2.0", "Writes a 0 or 1 at a bit offset of a key's string, growing the string as needed.", NULL },
{ "GETBIT",      cmd_getbit,         3, R|F,                1, 1, 1, "bitmap", "2.2.0", "Reads the bit at an offset of a key's string; bits past the end read as 0.", NULL },
{ "BITCOUNT",    cmd_bitcount,      -2, R,                  1, 1, 1, "bitmap", "2.6.0", "Counts the 1 bits of a key's string, optionally within a byte or bit range.", NULL },
{ "BITPOS",      cmd_bitpos,        -3, R,                  1, 1, 1, "bitmap", "2.8.7", "Locates the first bit equal to 0 or 1 in a key's string, optionally within a range.", NULL },
{ "BITOP",       cmd_bitop,         -4, W|DOOM,             2, -1, 1, "bitmap", "2.6.0", "Combines strings with AND, OR, XOR or NOT and writes the outcome to a destination key.", NULL },
{ "BITFIELD",    cmd_bitfield,      -2, W|DOOM,             1, 1, 1, "bitmap", "3.2.0", "Reads, writes and increments signed or unsigned integer fields packed in a key's string.", NULL },
{ "BITFIELD_RO", cmd_bitfield_ro,   -2, R|F,                1, 1, 1, "bitmap", "6.0.0", "Reads integer fields packed in a key's string, taking only GET operations.", NULL },
{ "PFADD",       cmd_pfadd,         -2, W|DOOM|F,           1, 1, 1, "hyperloglog", "2.8.9", "Feeds elements into a HyperLogLog sketch, creating the key on first use.", NULL },
{ "PFCOUNT",     cmd_pfcount,       -2, R|CMD_MAY_REPLICATE, 1, -1, 1, "hyperloglog", "2.8.9", "Estimates how many distinct elements the given HyperLogLog sketches have seen.", NULL },
{ "PFMERGE",     cmd_pfmerge,       -2, W|DOOM,             1, -1, 1, "hyperloglog", "2.8.9", "Combines several HyperLogLog sketches into one stored under a destination key.", NULL },
{ "PFDEBUG",     cmd_pfdebug,        3, W|DOOM|CMD_ADMIN,    2, 2, 1, "hyperloglog", "2.8.9", "Inspects or converts a HyperLogLog value: GETREG, DECODE, ENCODING or TODENSE.", NULL },
{ "PFSELFTEST",  cmd_pfselftest,     1, CMD_ADMIN,            0, 0, 0, "hyperloglog", "2.8.9", "Runs Respite's own HyperLogLog checks and replies OK or the failure found.", NULL },
{ "DELEX",       cmd_delex,         -2, W|F,                1, 1, 1, "string", "8.4.0", "Deletes a key, optionally only if its value or digest equals, or differs from, one given.", NULL },
{ "DELIFEQ",     cmd_delifeq,        3, W|F,                1, 1, 1, "string", "9.0.0", "Deletes a key only when it holds exactly the given value, as in Valkey.", NULL },
{ "DIGEST",      cmd_digest,         2, R|F,                1, 1, 1, "string", "8.4.0", "Gives the XXH3-64 hash of a key's string as 16 hex digits, or nil for a missing key.", NULL },
{ "RATELIMIT",   cmd_ratelimit,     -4, W|DOOM|F,           1, 1, 1, "string", "0.1.0", "Spends units from a key's GCRA, fixed or sliding window limiter and says if allowed.", NULL },
{ "CL.THROTTLE", cmd_cl_throttle,   -5, W|DOOM|F,           1, 1, 1, "string", "0.1.0", "Applies a GCRA rate limit to a key and answers in the redis-cell module's reply format.", NULL },
{ "DEL",         cmd_del,           -2, W,                  1, -1, 1, "generic", "1.0.0", "Removes the named keys and counts how many existed.", NULL },
{ "UNLINK",      cmd_unlink,        -2, W|F,                1, -1, 1, "generic", "4.0.0", "Removes the named keys like DEL; memory is freed at once, not in the background.", NULL },
{ "EXISTS",      cmd_exists,        -2, R|F,                1, -1, 1, "generic", "1.0.0", "Counts how many of the named keys are present, a repeated name counting each time.", NULL },
{ "TOUCH",       cmd_touch,         -2, R|F,                1, -1, 1, "generic", "3.2.1", "Marks the named keys as recently used and counts those that exist.", NULL },
{ "TYPE",        cmd_type,           2, R|F,                1, 1, 1, "generic", "1.0.0", "Names the data type held in a key, or none when the key is missing.", NULL },
{ "EXPIRE",      cmd_expire,        -3, W|F,                1, 1, 1, "generic", "1.0.0", "Gives a key a time to live in seconds, with NX, XX, GT or LT conditions.", NULL },
{ "PEXPIRE",     cmd_pexpire,       -3, W|F,                1, 1, 1, "generic", "2.6.0", "Gives a key a time to live in milliseconds, with NX, XX, GT or LT conditions.", NULL },
{ "EXPIREAT",    cmd_expireat,      -3, W|F,                1, 1, 1, "generic", "1.2.0", "Makes a key expire at an absolute Unix time in seconds.", NULL },
{ "PEXPIREAT",   cmd_pexpireat,     -3, W|F,                1, 1, 1, "generic", "2.6.0", "Makes a key expire at an absolute Unix time in milliseconds.", NULL },
{ "TTL",         cmd_ttl,            2, R|F,                1, 1, 1, "generic", "1.0.0", "Tells how many seconds a key has left to live, -1 without expiry, -2 when missing.", NULL },
{ "PTTL",        cmd_pttl,           2, R|F,                1, 1, 1, "generic", "2.6.0", "Tells how many milliseconds a key has left to live, -1 without expiry, -2 when missing.", NULL },
{ "EXPIRETIME",  cmd_expiretime,     2, R|F,                1, 1, 1, "generic", "7.0.0", "Tells the Unix time in seconds at which a key will expire.", NULL },
{ "PEXPIRETIME", cmd_pexpiretime,    2, R|F,                1, 1, 1, "generic", "7.0.0", "Tells the Unix time in milliseconds at which a key will expire.", NULL },
{ "PERSIST",     cmd_persist,        2, W|F,                1, 1, 1, "generic", "2.2.0", "Clears a key's time to live so that it is kept until deleted.", NULL },
{ "RENAME",      cmd_rename,         3, W,                  1, 2, 1, "generic", "1.0.0", "Gives a key a new name, replacing any key already under that name.", NULL },
{ "RENAMENX",    cmd_renamenx,       3, W|F,                1, 2, 1, "generic", "1.0.0", "Gives a key a new name unless a key by that name already exists.", NULL },
{ "COPY",        cmd_copy,          -3, W|DOOM,             1, 2, 1, "generic", "6.2.0", "Duplicates a key's value under another name, optionally in another database.", NULL },
{ "MOVE",        cmd_move,           3, W|F,                1, 1, 1, "generic", "1.0.0", "Transfers a key from the current database to another, unless it exists there.", NULL },
{ "DUMP",        cmd_dump,           2, R,                  1, 1, 1, "generic", "2.6.0", "Serializes a key's value into a Redis-compatible RDB payload for RESTORE.", NULL },
{ "RESTORE",     cmd_restore,       -4, W|DOOM,             1, 1, 1, "generic", "2.6.0", "Rebuilds a key from a DUMP payload, optionally replacing it or setting its TTL.", NULL },
{ "OBJECT",      cmd_object,        -2, 0,                  0, 0, 0, "generic", "2.2.3", "Groups the OBJECT subcommands, which show a key's encoding, idle time, LFU count, refs.", &object_subs },
{ "RANDOMKEY",   cmd_randomkey,      1, R,                  0, 0, 0, "generic", "1.0.0", "Picks a key name at random from the current database, or nil when it is empty.", NULL },
{ "KEYS",        cmd_keys,           2, R,                  0, 0, 0, "generic", "1.0.0", "Lists every key name matching a glob pattern; a literal prefix walks only its keys.", NULL },
{ "SORT",        cmd_sort,          -2, W|DOOM,             1, 1, 1, "generic", "1.0.0", "Orders a list, set or sorted set, by value or external keys, and can store the result.", NULL },
{ "SORT_RO",     cmd_sort_ro,       -2, R,                  1, 1, 1, "generic", "7.0.0", "Orders a list, set or sorted set like SORT, without the STORE option.", NULL },
{ "SCAN",        cmd_scan,          -2, R,                  0, 0, 0, "generic", "2.8.0", "Walks the key names of the database in batches with a cursor, by pattern or type.", NULL },
{ "HSET",        cmd_hset,          -4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Writes one or more field and value pairs into a hash, creating it if needed.", NULL },
{ "HSETNX",      cmd_hsetnx,         4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Writes a hash field only if the hash has no such field yet.", NULL },
{ "HMSET",       cmd_hmset,         -4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Writes several field and value pairs into a hash and replies OK; an older HSET.", NULL },
{ "HGET",        cmd_hget,           3, R|F,                1, 1, 1, "hash", "2.0.0", "Fetches the value of one hash field, or nil if the field or key is absent.", NULL },
{ "HMGET",       cmd_hmget,         -3, R|F,                1, 1, 1, "hash", "2.0.0", "Fetches the values of the listed hash fields, nil for each one that is absent.", NULL },
{ "HGETALL",     cmd_hgetall,        2, R,                  1, 1, 1, "hash", "2.0.0", "Lists every field of a hash together with its value.", NULL },
{ "HDEL",        cmd_hdel,          -3, W|F,                1, 1, 1, "hash", "2.0.0", "Removes fields from a hash, deleting the key once it has no fields left.", NULL },
{ "HEXISTS",     cmd_hexists,        3, R|F,                1, 1, 1, "hash", "2.0.0", "Tells whether a hash holds the given field.", NULL },
{ "HLEN",        cmd_hlen,           2, R|F,                1, 1, 1, "hash", "2.0.0", "Counts the fields stored in a hash.", NULL },
{ "HSTRLEN",     cmd_hstrlen,        3, R|F,                1, 1, 1, "hash", "3.2.0", "Gives the byte length of the value of one hash field.", NULL },
{ "HKEYS",       cmd_hkeys,          2, R,                  1, 1, 1, "hash", "2.0.0", "Lists the field names of a hash.", NULL },
{ "HVALS",       cmd_hvals,          2, R,                  1, 1, 1, "hash", "2.0.0", "Lists the values stored in a hash, without their field names.", NULL },
{ "HINCRBY",     cmd_hincrby,        4, W|DOOM|F,           1, 1, 1, "hash", "2.0.0", "Adds an integer to a hash field's number, a missing field starting from 0.", NULL },
{ "HINCRBYFLOAT", cmd_hincrbyfloat,  4, W|DOOM|F,           1, 1, 1, "hash", "2.6.0", "Adds a floating point amount to a hash field's number, a missing field starting at 0.", NULL },
{ "HRANDFIELD",  cmd_hrandfield,    -2, R,                  1, 1, 1, "hash", "6.2.0", "Picks random fields from a hash, optionally with their values or with repeats.", NULL },
{ "HSCAN",       cmd_hscan,         -3, R,                  1, 1, 1, "hash", "2.8.0", "Walks a hash's fields and values in batches with a cursor, optionally fields only.", NULL },
{ "HEXPIRE",     cmd_hexpire,       -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Sets a time to live in seconds on the given fields of a hash.", NULL },
{ "HPEXPIRE",    cmd_hpexpire,      -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Sets a time to live in milliseconds on the given fields of a hash.", NULL },
{ "HEXPIREAT",   cmd_hexpireat,     -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Makes the given hash fields expire at a Unix time in seconds.", NULL },
{ "HPEXPIREAT",  cmd_hpexpireat,    -6, W|DOOM|F,           1, 1, 1, "hash", "7.4.0", "Makes the given hash fields expire at a Unix time in milliseconds.", NULL },
{ "HTTL",        cmd_httl,          -5, R|F,                1, 1, 1, "hash", "7.4.0", "Tells, per hash field, how many seconds it has left to live.", NULL },
{ "HPTTL",       cmd_hpttl,         -5, R|F,                1, 1, 1, "hash", "7.4.0", "Tells, per hash field, how many milliseconds it has left to live.", NULL },
{ "HEXPIRETIME", cmd_hexpiretime,   -5, R|F,                1, 1, 1, "hash", "7.4.0", "Tells, per hash field, the Unix time in seconds at which it expires.", NULL },
{ "HPEXPIRETIME", cmd_hpexpiretime, -5, R|F,                1, 1, 1, "hash", "7.4.0", "Tells, per hash field, the Unix time in milliseconds at which it expires.", NULL },
{ "HPERSIST",    cmd_hpersist,      -5, W|F,                1, 1, 1, "hash", "7.4.0", "Clears the time to live of the given hash fields.", NULL },
{ "HGETDEL",     cmd_hgetdel,       -5, W|F,                1, 1, 1, "hash", "8.0.0", "Reads the given hash fields and removes them, deleting an emptied hash.", NULL },
{ "HGETEX",      cmd_hgetex,        -5, W|F,                1, 1, 1, "hash", "8.0.0", "Reads the given hash fields while setting or clearing their time to live.", NULL },
{ "HSETEX",      cmd_hsetex,        -6, W|DOOM|F,           1, 1, 1, "hash", "8.0.0", "Writes hash fields, optionally only if all or none exist, and sets their expiry.", NULL },
{ "SADD",        cmd_sadd,          -3, W|DOOM|F,           1, 1, 1, "set", "1.0.0", "Puts members into a set, creating the key if needed, and counts the new ones.", NULL },
{ "SREM",        cmd_srem,          -3, W|F,                1, 1, 1, "set", "1.0.0", "Takes members out of a set, deleting the key once it is empty.", NULL },
{ "SISMEMBER",   cmd_sismember,      3, R|F,                1, 1, 1, "set", "1.0.0", "Tells whether a value is a member of a set.", NULL },
{ "SMISMEMBER",  cmd_smismember,    -3, R|F,                1, 1, 1, "set", "6.2.0", "Tells, for each of several values, whether it is a member of a set.", NULL },
{ "SMEMBERS",    cmd_smembers,       2, R,                  1, 1, 1, "set", "1.0.0", "Lists every member of a set.", NULL },
{ "SCARD",       cmd_scard,          2, R|F,                1, 1, 1, "set", "1.0.0", "Counts the members of a set.", NULL },
{ "SPOP",        cmd_spop,          -2, W|F,                1, 1, 1, "set", "1.0.0", "Removes random members from a set and replies with them, deleting an emptied set.", NULL },
{ "SRANDMEMBER", cmd_srandmember,   -2, R,                  1, 1, 1, "set", "1.0.0", "Picks random members of a set without removing them, with repeats for a negative count.", NULL },
{ "SMOVE",       cmd_smove,          4, W|F,                1, 2, 1, "set", "1.0.0", "Transfers a member from a source set to a destination set.", NULL },
{ "SINTER",      cmd_sinter,        -2, R,                  1, -1, 1, "set", "1.0.0", "Lists the members common to all the given sets.", NULL },
{ "SINTERCARD",  cmd_sintercard,    -3, R,                  0, 0, 0, "set", "7.0.0", "Counts the members common to all the given sets, optionally stopping at a limit.", NULL },
{ "SINTERSTORE", cmd_sinterstore,   -3, W|DOOM,             1, -1, 1, "set", "1.0.0", "Writes the members common to all the given sets into a destination key.", NULL },
{ "SUNION",      cmd_sunion,        -2, R,                  1, -1, 1, "set", "1.0.0", "Lists the members found in any of the given sets.", NULL },
{ "SUNIONSTORE", cmd_sunionstore,   -3, W|DOOM,             1, -1, 1, "set", "1.0.0", "Writes the members found in any of the given sets into a destination key.", NULL },
{ "SDIFF",       cmd_sdiff,         -2, R,                  1, -1, 1, "set", "1.0.0", "Lists the members of the first set that no other given set holds.", NULL },
{ "SDIFFSTORE",  cmd_sdiffstore,    -3, W|DOOM,             1, -1, 1, "set", "1.0.0", "Writes the members of the first set absent from the other sets into a destination key.", NULL },
{ "SSCAN",       cmd_sscan,         -3, R,                  1, 1, 1, "set", "2.8.0", "Walks the members of a set in batches with a cursor, optionally filtered by pattern.", NULL },
{ "LPUSH",       cmd_lpush,         -3, W|DOOM|F,           1, 1, 1, "list", "1.0.0", "Inserts elements at the head of a list, creating the list if needed.", NULL },
{ "RPUSH",       cmd_rpush,         -3, W|DOOM|F,           1, 1, 1, "list", "1.0.0", "Inserts elements at the tail of a list, creating the list if needed.", NULL },
{ "LPUSHX",      cmd_lpushx,        -3, W|DOOM|F,           1, 1, 1, "list", "2.2.0", "Inserts elements at the head of a list, doing nothing when the key is missing.", NULL },
{ "RPUSHX",      cmd_rpushx,        -3, W|DOOM|F,           1, 1, 1, "list", "2.2.0", "Inserts elements at the tail of a list, doing nothing when the key is missing.", NULL },
{ "LPOP",        cmd_lpop,          -2, W|F,                1, 1, 1, "list", "1.0.0", "Takes one or more elements off the head of a list, deleting the list once empty.", NULL },
{ "RPOP",        cmd_rpop,          -2, W|F,                1, 1, 1, "list", "1.0.0", "Takes one or more elements off the tail of a list, deleting the list once empty.", NULL },
{ "LLEN",        cmd_llen,           2, R|F,                1, 1, 1, "list", "1.0.0", "Counts the elements of a list.", NULL },
{ "LRANGE",      cmd_lrange,         4, R,                  1, 1, 1, "list", "1.0.0", "Lists the elements between two indexes of a list, negative ones counting from the end.", NULL },
{ "LINDEX",      cmd_lindex,         3, R,                  1, 1, 1, "list", "1.0.0", "Fetches the list element at an index, negative indexes counting from the tail.", NULL },
{ "LPOS",        cmd_lpos,          -3, R,                  1, 1, 1, "list", "6.0.6", "Finds the positions of elements equal to a value in a list, with RANK, COUNT, MAXLEN.", NULL },
{ "LSET",        cmd_lset,           4, W|DOOM,             1, 1, 1, "list", "1.0.0", "Overwrites the list element at a given index.", NULL },
{ "LINSERT",     cmd_linsert,        5, W|DOOM,             1, 1, 1, "list", "2.2.0", "Puts an element just before or after the first occurrence of a pivot in a list.", NULL },
{ "LREM",        cmd_lrem,           4, W,                  1, 1, 1, "list", "1.0.0", "Deletes up to count occurrences of a value from a list, from either end.", NULL },
{ "LTRIM",       cmd_ltrim,          4, W,                  1, 1, 1, "list", "1.0.0", "Cuts a list down to the elements between two indexes, deleting it if nothing is left.", NULL },
{ "LMOVE",       cmd_lmove,          5, W|DOOM,             1, 2, 1, "list", "6.2.0", "Pops an element from one end of a list and pushes it onto an end of another.", NULL },
{ "RPOPLPUSH",   cmd_rpoplpush,      3, W|DOOM,             1, 2, 1, "list", "1.2.0", "Moves the tail element of one list to the head of another and replies with it.", NULL },
{ "LMPOP",       cmd_lmpop,         -4, W,                  0, 0, 0, "list", "7.0.0", "Pops elements from the first non-empty list among several keys, from left or right.", NULL },
{ "BLPOP",       cmd_blpop,         -3, W|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "list", "2.0.0", "Pops the head of the first non-empty list given, waiting for one while all are empty.", NULL },
{ "BRPOP",       cmd_brpop,         -3, W|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "list", "2.0.0", "Pops the tail of the first non-empty list given, waiting for one while all are empty.", NULL },
{ "BLMOVE",      cmd_blmove,         6, W|DOOM|CMD_NOSCRIPT|CMD_BLOCKING, 1, 2, 1, "list", "6.2.0", "Moves an element between lists like LMOVE, waiting up to a timeout for the source.", NULL },
{ "BRPOPLPUSH",  cmd_brpoplpush,     4, W|DOOM|CMD_NOSCRIPT|CMD_BLOCKING, 1, 2, 1, "list", "2.2.0", "Moves a list's tail element to another list's head, waiting while the source is empty.", NULL },
{ "BLMPOP",      cmd_blmpop,        -5, W|CMD_BLOCKING,     0, 0, 0, "list", "7.0.0", "Pops elements like LMPOP, waiting up to a timeout while every list is empty.", NULL },
{ "ZADD",        cmd_zadd,          -4, W|DOOM|F,            1, 1, 1, "sorted-set", "1.2.0", "Inserts members with scores into a sorted set, or changes scores, under NX/XX/GT/LT.", NULL },
{ "ZINCRBY",     cmd_zincrby,        4, W|DOOM|F,            1, 1, 1, "sorted-set", "1.2.0", "Adds an amount to a sorted set member's score, adding the member if absent.", NULL },
{ "ZREM",        cmd_zrem,          -3, W|F,                 1, 1, 1, "sorted-set", "1.2.0", "Takes members out of a sorted set, deleting the key once it is empty.", NULL },
{ "ZCARD",       cmd_zcard,          2, R|F,                 1, 1, 1, "sorted-set", "1.2.0", "Counts the members of a sorted set.", NULL },
{ "ZCOUNT",      cmd_zcount,         4, R|F,                 1, 1, 1, "sorted-set", "2.0.0", "Counts the sorted set members whose score lies between a minimum and a maximum.", NULL },
{ "ZLEXCOUNT",   cmd_zlexcount,      4, R|F,                 1, 1, 1, "sorted-set", "2.8.9", "Counts the sorted set members lying between two members in byte order.", NULL },
{ "ZSCORE",      cmd_zscore,         3, R|F,                 1, 1, 1, "sorted-set", "1.2.0", "Fetches the score of a sorted set member.", NULL },
{ "ZMSCORE",     cmd_zmscore,       -3, R|F,                 1, 1, 1, "sorted-set", "6.2.0", "Fetches the scores of several sorted set members, nil for missing ones.", NULL },
{ "ZRANK",       cmd_zrank,         -3, R|F,                 1, 1, 1, "sorted-set", "2.0.0", "Gives a member's position in a sorted set from the lowest score, optionally with score.", NULL },
{ "ZREVRANK",    cmd_zrevrank,      -3, R|F,                 1, 1, 1, "sorted-set", "2.0.0", "Gives a member's position in a sorted set from the highest score, optionally with score.", NULL },
{ "ZRANGE",      cmd_zrange,        -4, R,                   1, 1, 1, "sorted-set", "1.2.0", "Lists sorted set members by rank, score or lexical bounds, in either order, with LIMIT.", NULL },
{ "ZRANGESTORE", cmd_zrangestore,   -5, W|DOOM,              1, 2, 1, "sorted-set", "6.2.0", "Writes a rank, score or lexical slice of a sorted set into a destination key.", NULL },
{ "ZREVRANGE",   cmd_zrevrange,     -4, R,                   1, 1, 1, "sorted-set", "1.2.0", "Lists sorted set members between two ranks, from the highest score down.", NULL },
{ "ZRANGEBYSCORE",cmd_zrangebyscore,  -4, R,                   1, 1, 1, "sorted-set", "1.0.5", "Lists sorted set members with scores between min and max, lowest first.", NULL },
{ "ZREVRANGEBYSCORE",cmd_zrevrangebyscore,  -4, R,                   1, 1, 1, "sorted-set", "2.2.0", "Lists sorted set members with scores between max and min, highest first.", NULL },
{ "ZRANGEBYLEX", cmd_zrangebylex,   -4, R,                   1, 1, 1, "sorted-set", "2.8.9", "Lists sorted set members between two lexical bounds, in ascending byte order.", NULL },
{ "ZREVRANGEBYLEX",cmd_zrevrangebylex,  -4, R,                   1, 1, 1, "sorted-set", "2.8.9", "Lists sorted set members between two lexical bounds, in descending byte order.", NULL },
{ "ZREMRANGEBYRANK",cmd_zremrangebyrank,   4, W,                   1, 1, 1, "sorted-set", "2.0.0", "Deletes the sorted set members between two ranks, removing an emptied key.", NULL },
{ "ZREMRANGEBYSCORE",cmd_zremrangebyscore,   4, W,                   1, 1, 1, "sorted-set", "1.2.0", "Deletes the sorted set members with scores in a range, removing an emptied key.", NULL },
{ "ZREMRANGEBYLEX",cmd_zremrangebylex,   4, W,                   1, 1, 1, "sorted-set", "2.8.9", "Deletes the sorted set members between two lexical bounds, removing an emptied key.", NULL },
{ "ZPOPMIN",     cmd_zpopmin,       -2, W|F,                 1, 1, 1, "sorted-set", "5.0.0", "Takes the members with the smallest scores out of a sorted set and replies with them.", NULL },
{ "ZPOPMAX",     cmd_zpopmax,       -2, W|F,                 1, 1, 1, "sorted-set", "5.0.0", "Takes the members with the largest scores out of a sorted set and replies with them.", NULL },
{ "BZPOPMIN",    cmd_bzpopmin,      -3, W|F|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "sorted-set", "5.0.0", "Pops the lowest-scored member of the first non-empty sorted set, waiting while none is.", NULL },
{ "BZPOPMAX",    cmd_bzpopmax,      -3, W|F|CMD_NOSCRIPT|CMD_BLOCKING, 1, -2, 1, "sorted-set", "5.0.0", "Pops the highest-scored member of the first non-empty sorted set, waiting while none is.", NULL },
{ "ZMPOP",       cmd_zmpop,         -4, W,                   0, 0, 0, "sorted-set", "7.0.0", "Pops the lowest or highest members from the first non-empty sorted set among several.", NULL },
{ "BZMPOP",      cmd_bzmpop,        -5, W|CMD_BLOCKING, 0, 0, 0, "sorted-set", "7.0.0", "Pops members like ZMPOP, waiting up to a timeout while every sorted set is empty.", NULL },
{ "ZUNIONSTORE", cmd_zunionstore,   -4, W|DOOM,              1, 1, 1, "sorted-set", "2.0.0", "Writes the weighted union of sorted sets into a destination key, aggregating scores.", NULL },
{ "ZINTERSTORE", cmd_zinterstore,   -4, W|DOOM,              1, 1, 1, "sorted-set", "2.0.0", "Writes the weighted intersection of sorted sets into a destination key.", NULL },
{ "ZDIFFSTORE",  cmd_zdiffstore,    -4, W|DOOM,              1, 1, 1, "sorted-set", "6.2.0", "Writes the members of the first sorted set absent from the others into a destination.", NULL },
{ "ZUNION",      cmd_zunion,        -3, R,                   0, 0, 0, "sorted-set", "6.2.0", "Merges sorted sets with optional weights and score aggregation and lists the result.", NULL },
{ "ZINTER",      cmd_zinter,        -3, R,                   0, 0, 0, "sorted-set", "6.2.0", "Lists the members present in every given sorted set, with aggregated scores if asked.", NULL },
{ "ZDIFF",       cmd_zdiff,         -3, R,                   0, 0, 0, "sorted-set", "6.2.0", "Lists the members of the first sorted set that the other given sorted sets lack.", NULL },
{ "ZINTERCARD",  cmd_zintercard,    -3, R,                   0, 0, 0, "sorted-set", "7.0.0", "Counts the members present in every given sorted set, optionally up to a limit.", NULL },
{ "ZRANDMEMBER", cmd_zrandmember,   -2, R,                   1, 1, 1, "sorted-set", "6.2.0", "Picks random members of a sorted set, optionally with scores or with repeats.", NULL },
{ "ZSCAN",       cmd_zscan,         -3, R,                   1, 1, 1, "sorted-set", "2.8.0", "Walks a sorted set's members and scores in batches with a cursor.", NULL },
{ "GEOADD",      cmd_geoadd,        -5, W|DOOM,              1, 1, 1, "geo", "3.2.0", "Stores members at longitude and latitude positions in a geo index (a sorted set).", NULL },
{ "GEOPOS",      cmd_geopos,        -2, R,                   1, 1, 1, "geo", "3.2.0", "Gives the longitude and latitude stored for each named member of a geo index.", NULL },
{ "GEODIST",     cmd_geodist,       -4, R,                   1, 1, 1, "geo", "3.2.0", "Measures the distance between two members of a geo index in m, km, mi or ft.", NULL },
{ "GEOHASH",     cmd_geohash,       -2, R,                   1, 1, 1, "geo", "3.2.0", "Encodes each named member's position in a geo index as an 11-character geohash.", NULL },
{ "GEORADIUS",   cmd_georadius,     -6, W|DOOM,              1, 1, 1, "geo", "3.2.0", "Finds geo index members within a radius of a point, and can store what it finds.", NULL },
{ "GEORADIUS_RO",cmd_georadius_ro,  -6, R,                   1, 1, 1, "geo", "3.2.10", "Finds geo index members within a radius of a point, without any STORE option.", NULL },
{ "GEORADIUSBYMEMBER",cmd_georadiusbymember, -5, W|DOOM,     1, 1, 1, "geo", "3.2.0", "Finds geo index members within a radius of another member, and can store them.", NULL },
{ "GEORADIUSBYMEMBER_RO",cmd_georadiusbymember_ro, -5, R,    1, 1, 1, "geo", "3.2.10", "Finds geo index members within a radius of another member, without storing.", NULL },
{ "GEOSEARCH",   cmd_geosearch,     -7, R,                   1, 1, 1, "geo", "6.2.0", "Searches a geo index for members inside a circle or box around a point or member.", NULL },
{ "GEOSEARCHSTORE",cmd_geosearchstore, -8, W|DOOM,           1, 2, 1, "geo", "6.2.0", "Runs a GEOSEARCH and writes the members it finds, or their distances, to a key.", NULL },
{ "XADD",        cmd_xadd,          -5, W|DOOM|F,           1, 1, 1, "stream", "5.0.0", "Adds an entry of field-value pairs to a stream, with an explicit or generated ID.", NULL },
{ "XLEN",        cmd_xlen,           2, R|F,                1, 1, 1, "stream", "5.0.0", "Counts the entries in a stream.", NULL },
{ "XRANGE",      cmd_xrange,        -4, R,                  1, 1, 1, "stream", "5.0.0", "Lists stream entries whose IDs fall between a start and an end, oldest first.", NULL },
{ "XREVRANGE",   cmd_xrevrange,     -4, R,                  1, 1, 1, "stream", "5.0.0", "Lists stream entries whose IDs fall between an end and a start, newest first.", NULL },
{ "XDEL",        cmd_xdel,          -3, W|F,                1, 1, 1, "stream", "5.0.0", "Deletes entries from a stream by ID and counts those that existed.", NULL },
{ "XTRIM",       cmd_xtrim,         -4, W,                  1, 1, 1, "stream", "5.0.0", "Shortens a stream by dropping its oldest entries, by MAXLEN or MINID.", NULL },
{ "XSETID",      cmd_xsetid,        -3, W|DOOM|F,           1, 1, 1, "stream", "5.0.0", "Sets a stream's last ID and, optionally, its added-entries count and max deleted ID.", NULL },
{ "XREAD",       cmd_xread,         -4, R|CMD_BLOCKING,     0, 0, 0, "stream", "5.0.0", "Reads entries newer than the given IDs from one or more streams, optionally blocking.", NULL },
{ "XREADGROUP",  cmd_xreadgroup,    -7, W|CMD_BLOCKING,     0, 0, 0, "stream", "5.0.0", "Reads stream entries on behalf of a consumer in a group, optionally blocking.", NULL },
{ "XGROUP",      cmd_xgroup,        -2, 0,                  0, 0, 0, "stream", "5.0.0", "Groups the XGROUP subcommands, which create, reposition and delete consumer groups.", &xgroup_subs },
{ "XINFO",       cmd_xinfo,         -2, 0,                  0, 0, 0, "stream", "5.0.0", "Groups the XINFO subcommands, which describe a stream, its groups and its consumers.", &xinfo_subs },
{ "XACK",        cmd_xack,          -4, W|F,                1, 1, 1, "stream", "5.0.0", "Marks stream entries as processed for a consumer group and counts those acknowledged.", NULL },
{ "XPENDING",    cmd_xpending,      -3, R,                  1, 1, 1, "stream", "5.0.0", "Shows the entries a consumer group delivered but nobody acknowledged, summary or detail.", NULL },
{ "XCLAIM",      cmd_xclaim,        -6, W|F,                1, 1, 1, "stream", "5.0.0", "Transfers pending stream entries to another consumer of the group by ID.", NULL },
{ "XAUTOCLAIM",  cmd_xautoclaim,    -6, W|F,                1, 1, 1, "stream", "6.2.0", "Transfers pending entries idle past a threshold to another consumer, scanning by cursor.", NULL },
{ "EVAL",        cmd_eval,          -3, CMD_NOSCRIPT|CMD_STALE|CMD_MAY_REPLICATE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "2.6.0", "Runs a Lua script given in full, passing it key names and arguments.", NULL },
{ "EVALSHA",     cmd_evalsha,       -3, CMD_NOSCRIPT|CMD_STALE|CMD_MAY_REPLICATE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "2.6.0", "Runs a cached Lua script named by its SHA1 digest.", NULL },
{ "EVAL_RO",     cmd_eval_ro,       -3, R|CMD_NOSCRIPT|CMD_STALE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Runs a Lua script given in full that may only read data.", NULL },
{ "EVALSHA_RO",  cmd_evalsha_ro,    -3, R|CMD_NOSCRIPT|CMD_STALE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Runs a cached, read-only Lua script named by its SHA1 digest.", NULL },
{ "SCRIPT",      cmd_script,        -2, 0,                  0, 0, 0, "scripting", "2.6.0", "Groups the SCRIPT subcommands, which load, look up, flush and kill Lua scripts.", &script_subs },
{ "FCALL",       cmd_fcall,         -3, CMD_NOSCRIPT|CMD_STALE|CMD_MAY_REPLICATE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Calls a function registered by a loaded Lua library, with keys and arguments.", NULL },
{ "FCALL_RO",    cmd_fcall_ro,      -3, R|CMD_NOSCRIPT|CMD_STALE|CMD_SCRIPT_FLAGS, 0, 0, 0, "scripting", "7.0.0", "Calls a function of a loaded Lua library that may only read data.", NULL },
{ "FUNCTION",    cmd_function,      -2, 0,                  0, 0, 0, "scripting", "7.0.0", "Groups the FUNCTION subcommands, which load, list, dump, restore and delete libraries.", &function_subs },
{ "SUBSCRIBE",   cmd_subscribe,     -2, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Starts delivering this connection the messages published to the named channels.", NULL },
{ "UNSUBSCRIBE", cmd_unsubscribe,   -1, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Stops delivering messages from the named channels, or from all when none is named.", NULL },
{ "PSUBSCRIBE",  cmd_psubscribe,    -2, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Starts delivering the messages of every channel whose name matches a glob pattern.", NULL },
{ "PUNSUBSCRIBE", cmd_punsubscribe, -1, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 0, 0, 0, "pubsub", "2.0.0", "Drops glob pattern subscriptions, all of them when no pattern is named.", NULL },
{ "SSUBSCRIBE",  cmd_ssubscribe,    -2, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 1, -1, 1, "pubsub", "7.0.0", "Subscribes to shard channels, a namespace apart from plain channels on this one node.", NULL },
{ "SUNSUBSCRIBE", cmd_sunsubscribe, -1, CMD_PUBSUB|CMD_NOSCRIPT|CMD_LOADING|CMD_STALE, 1, -1, 1, "pubsub", "7.0.0", "Drops shard channel subscriptions, all of them when no channel is named.", NULL },
{ "PUBLISH",     cmd_publish,        3, F|CMD_LOADING|CMD_STALE|CMD_MAY_REPLICATE, 0, 0, 0, "pubsub", "2.0.0", "Sends a message to the subscribers of a channel and counts the receivers.", NULL },
{ "SPUBLISH",    cmd_spublish,       3, F|CMD_LOADING|CMD_STALE|CMD_MAY_REPLICATE, 1, 1, 1, "pubsub", "7.0.0", "Sends a message to the subscribers of a shard channel and counts the receivers.", NULL },
{ "PUBSUB",      cmd_pubsub,        -2, 0,                  0, 0, 0, "pubsub", "2.8.0", "Groups the PUBSUB subcommands, which list active channels and count subscribers.", &pubsub_subs },
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
    const char *c = slot->name;
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

/* The command of t[0..n) that answers to name (any case) in names, or n. */
static size_t named(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcasecmp(names[i], name))
            return i;
    return n;
}

/* The name each command answers to once the rename-command directives
 * are applied in order, as Redis applies them to its table: the table's,
 * another (an upper-case copy, owned), or none (NULL). Only the lookup by
 * name changes: ACL rules, INFO commandstats and COMMAND's replies keep
 * the command's own name, as in Redis. Returns 0, or -1 with the reason
 * in err. */
static int apply_renames(struct server *srv, const struct command *t,
                         size_t n, char *err, size_t errlen)
{
    const char **names = calloc(n, sizeof(*names));
    if (!names) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = t[i].name;
    srv->cmd_names = names;
    for (int k = 0; k < srv->conf.nrenames; k++) {
        const struct conf_rename *r = &srv->conf.renames[k];
        size_t i = named(names, n, r->from), j = named(names, n, r->to);
        const char *why = i == n ? "No such command in rename-command"
                        : r->to[0] && j < n && j != i
                            ? "Target command name already exists" : NULL;
        char *to = NULL;
        if (!why && r->to[0] && !(to = strdup(r->to)))
            why = "out of memory";
        if (why) {
            snprintf(err, errlen, "%s%srename-command '%.60s' '%.60s': %s",
                     r->where ? r->where : "", r->where ? ": " : "", r->from,
                     r->to, why);
            return -1;
        }
        for (char *p = to; p && *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (names[i] != t[i].name)
            free((char *)names[i]);
        names[i] = to;
    }
    return 0;
}

/* See server.h. */
void command_index_close(struct server *srv)
{
    size_t n;
    const struct command *t = command_table(&n);
    for (size_t i = 0; srv->cmd_names && i < n; i++)
        if (srv->cmd_names[i] != t[i].name)
            free((char *)srv->cmd_names[i]);
    free(srv->cmd_names);
    free(srv->cmd_index);
    free(srv->cmdstats);
    free(srv->sub_stats);
}

/* See server.h. */
int command_answers(const struct server *srv, const struct command *cmd)
{
    size_t n;
    return srv->cmd_names[cmd - command_table(&n)] != NULL;
}

/* Builds the lookup index in srv. Returns 0, or -1 with the reason in
 * err. */
int command_index_init(struct server *srv, char *err, size_t errlen)
{
    size_t n;
    const struct command *t = command_table(&n);
    if (apply_renames(srv, t, n, err, errlen) != 0)
        return -1;
    snprintf(err, errlen, "out of memory");
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
        const char *name = srv->cmd_names[i];
        if (!name)
            continue;
        size_t len = strlen(name);
        size_t j = name_hash(name, len) & srv->cmd_index_mask;
        while (srv->cmd_index[j].cmd)
            j = (j + 1) & srv->cmd_index_mask;
        srv->cmd_index[j] = (struct command_slot){ &t[i], name, len };
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
    /* The container as the client named it, upper case: another name
     * than the table's after rename-command, as Redis says it. */
    char cmd[64];
    size_t n = c->argvlen[0] < sizeof(cmd) ? c->argvlen[0] : sizeof(cmd) - 1;
    for (size_t i = 0; i < n; i++)
        cmd[i] = (char)toupper((unsigned char)c->argv[0][i]);
    cmd[n] = '\0';
    int len = c->argvlen[1] > 128 ? 128 : (int)c->argvlen[1];
    reply_error(c, ERR_UNKNOWN_SUBCMD, len, c->argv[1], cmd);
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

/* While a script is busy (script_busy.c), refuses with -BUSY what Redis
 * refuses then: all but the commands its key spec row lets run
 * (allow_busy: AUTH, HELLO, MULTI, SCRIPT KILL, SHUTDOWN...). Returns 1
 * after refusing; EXEC discards the transaction. */
static __attribute__((noinline, cold)) int busy_refused(struct client *c)
{
    const struct keyspec_cmd *ks = keyspec_lookup_call(
        c->cmd->name, c->last_sub ? c->last_sub->name : NULL);
    if (ks && (ks->info & KS_INFO_ALLOW_BUSY))
        return 0;
    enum reply_err e = (enum reply_err)script_busy_error(c->srv);
    if (c->cmd->proc == cmd_exec) {
        reject_exec(c, reply_error_string(e));
        return 1;
    }
    reply_error(c, e);
    count_rejected(c);
    reject(c);
    return 1;
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
    /* As Redis's processCommand: clients first, then keys. */
    if (srv->conf.maxmemory_clients && client_evicted_before_call(c))
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
    /* A busy script (script_busy.c) refuses after the subscribed mode
     * (below) and before a MONITOR's refusal and CLIENT PAUSE, as in
     * Redis's processCommand. */
    if (srv->script_run.busy && !pubsub_refuses(c) && busy_refused(c))
        return;
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
