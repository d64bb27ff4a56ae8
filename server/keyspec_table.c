/* keyspec_table.c - for each command and subcommand, what Redis 7.0's
 * COMMAND INFO says about it that the dispatch table (commands.c) does
 * not: its key specs, its request/response tips, the flags Respite acts
 * on without a bit of its own, and whether its keys need code of their
 * own (keyspec.c). Rows are sorted by name for the binary search; a
 * command with none of these has no row.
 *
 * The facts are Redis's (checked against redis-server 7.0.15's COMMAND
 * INFO by tests/integration/test_command_meta.py, entry by entry); the
 * rows of Respite's own commands follow the same rules. A spec reads:
 *
 *   { flags, where the keys begin, how they are found }
 *     BEGIN_INDEX(i)           at argv[i]
 *     BEGIN_KEYWORD(k, from)   after the word k, searched from argv[from]
 *     RANGE(last, step, limit) up to argv[begin + last] (last >= 0), or
 *                              argv[argc + last]; with last -1 and a
 *                              limit n > 1, 1/n of the arguments left
 *     KEYNUM(at, first, step)  a count at argv[begin + at], the keys
 *                              from argv[begin + first] */
#include <stddef.h>
#include <stdio.h>

#include "server/keyspec.h"

/* Short names, for this table only. */
#define RO KS_RO
#define RW KS_RW
#define OW KS_OW
#define RM KS_RM
#define ACCESS KS_ACCESS
#define UPDATE KS_UPDATE
#define INSERT KS_INSERT
#define DELETE KS_DELETE
#define NOT_KEY KS_NOT_KEY
#define INCOMPLETE KS_INCOMPLETE
#define VARIABLE_FLAGS KS_VARIABLE_FLAGS
#define PUBSUB KS_INFO_PUBSUB
#define LOADING KS_INFO_LOADING
#define STALE KS_INFO_STALE
#define SKIP_MONITOR KS_INFO_SKIP_MONITOR
#define NO_MANDATORY_KEYS KS_INFO_NO_MANDATORY_KEYS
#define ALLOW_BUSY KS_INFO_ALLOW_BUSY
#define NO_ASYNC_LOADING KS_INFO_NO_ASYNC_LOADING

#define BEGIN_INDEX(i) .begin = KS_BEGIN_INDEX, .pos = (i)
#define BEGIN_KEYWORD(k, from) \
    .begin = KS_BEGIN_KEYWORD, .keyword = (k), .pos = (from)
#define BEGIN_UNKNOWN .begin = KS_BEGIN_UNKNOWN
#define RANGE(last, step, limit) \
    .find = KS_FIND_RANGE, .a = (last), .b = (step), .c = (limit)
#define KEYNUM(at, first, step) \
    .find = KS_FIND_KEYNUM, .a = (at), .b = (first), .c = (step)
#define FIND_UNKNOWN .find = KS_FIND_UNKNOWN

static const struct keyspec_cmd rows[] = {
{ "APPEND", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "AUTH", .info = LOADING | STALE | ALLOW_BUSY },
{ "BGSAVE", .info = NO_ASYNC_LOADING },
{ "BITCOUNT", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "BITFIELD",
  .proc = KS_PROC_BITFIELD,
  .specs = {
    { RW | ACCESS | UPDATE | VARIABLE_FLAGS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "BITFIELD_RO", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "BITOP", .specs = {
    { OW | UPDATE, BEGIN_INDEX(2), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(3), RANGE(-1, 1, 0) } } },
{ "BITPOS", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "BLMOVE", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "BLMPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "BLPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(-2, 1, 0) } } },
{ "BRPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(-2, 1, 0) } } },
{ "BRPOPLPUSH", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "BZMPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "BZPOPMAX", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(-2, 1, 0) } } },
{ "BZPOPMIN", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(-2, 1, 0) } } },
{ "CL.THROTTLE", .specs = {   /* Respite's own */
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "CLIENT|CACHING", .info = LOADING | STALE },
{ "CLIENT|GETNAME", .info = LOADING | STALE },
{ "CLIENT|GETREDIR", .info = LOADING | STALE },
{ "CLIENT|HELP", .info = LOADING | STALE },
{ "CLIENT|ID", .info = LOADING | STALE },
{ "CLIENT|INFO",
  .tips = "nondeterministic_output",
  .info = LOADING | STALE },
{ "CLIENT|KILL", .info = LOADING | STALE },
{ "CLIENT|LIST",
  .tips = "nondeterministic_output",
  .info = LOADING | STALE },
{ "CLIENT|NO-EVICT", .info = LOADING | STALE },
{ "CLIENT|NO-TOUCH", .info = LOADING | STALE },
{ "CLIENT|PAUSE", .info = LOADING | STALE },
{ "CLIENT|REPLY", .info = LOADING | STALE },
{ "CLIENT|SETNAME", .info = LOADING | STALE },
{ "CLIENT|TRACKING", .info = LOADING | STALE },
{ "CLIENT|TRACKINGINFO", .info = LOADING | STALE },
{ "CLIENT|UNBLOCK", .info = LOADING | STALE },
{ "CLIENT|UNPAUSE", .info = LOADING | STALE },
{ "CLUSTER|ADDSLOTS", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|ADDSLOTSRANGE", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|BUMPEPOCH",
  .tips = "nondeterministic_output",
  .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|COUNT-FAILURE-REPORTS",
  .tips = "nondeterministic_output",
  .info = STALE },
{ "CLUSTER|COUNTKEYSINSLOT", .info = STALE },
{ "CLUSTER|DELSLOTS", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|DELSLOTSRANGE", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|FAILOVER", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|FLUSHSLOTS", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|FORGET", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|GETKEYSINSLOT", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|HELP", .info = LOADING | STALE },
{ "CLUSTER|INFO", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|KEYSLOT", .info = STALE },
{ "CLUSTER|LINKS", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|MEET", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|MYID", .info = STALE },
{ "CLUSTER|NODES", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|REPLICAS", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|REPLICATE", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|RESET", .info = STALE },
{ "CLUSTER|SAVECONFIG", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|SET-CONFIG-EPOCH", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|SETSLOT", .info = STALE | NO_ASYNC_LOADING },
{ "CLUSTER|SHARDS", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|SLAVES", .tips = "nondeterministic_output", .info = STALE },
{ "CLUSTER|SLOTS", .tips = "nondeterministic_output", .info = STALE },
{ "COMMAND",
  .tips = "nondeterministic_output_order",
  .info = LOADING | STALE },
{ "COMMAND|COUNT", .info = LOADING | STALE },
{ "COMMAND|DOCS",
  .tips = "nondeterministic_output_order",
  .info = LOADING | STALE },
{ "COMMAND|GETKEYS", .info = LOADING | STALE },
{ "COMMAND|GETKEYSANDFLAGS", .info = LOADING | STALE },
{ "COMMAND|HELP", .info = LOADING | STALE },
{ "COMMAND|INFO",
  .tips = "nondeterministic_output_order",
  .info = LOADING | STALE },
{ "COMMAND|LIST",
  .tips = "nondeterministic_output_order",
  .info = LOADING | STALE },
{ "CONFIG|GET", .info = LOADING | STALE },
{ "CONFIG|HELP", .info = LOADING | STALE },
{ "CONFIG|RESETSTAT", .info = LOADING | STALE },
{ "CONFIG|REWRITE", .info = LOADING | STALE },
{ "CONFIG|SET",
  .tips = "request_policy:all_nodes response_policy:all_succeeded",
  .info = LOADING | STALE },
{ "COPY", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { OW | UPDATE, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "DBSIZE", .tips = "request_policy:all_shards response_policy:agg_sum" },
{ "DEBUG", .info = LOADING | STALE },
{ "DECR", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "DECRBY", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "DEL",
  .tips = "request_policy:multi_shard response_policy:agg_sum",
  .specs = {
    { RM | DELETE, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "DELEX", .specs = {   /* Respite's own */
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "DELIFEQ", .specs = {   /* Respite's own */
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "DIGEST", .specs = {   /* Respite's own */
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "DISCARD", .info = LOADING | STALE | ALLOW_BUSY },
{ "DUMP",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ECHO", .info = LOADING | STALE },
{ "EVAL",
  .info = SKIP_MONITOR | NO_MANDATORY_KEYS,
  .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "EVALSHA",
  .info = SKIP_MONITOR | NO_MANDATORY_KEYS,
  .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "EVALSHA_RO",
  .info = SKIP_MONITOR | NO_MANDATORY_KEYS,
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "EVAL_RO",
  .info = SKIP_MONITOR | NO_MANDATORY_KEYS,
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "EXEC", .info = LOADING | STALE },
{ "EXISTS",
  .tips = "request_policy:multi_shard response_policy:agg_sum",
  .specs = {
    { RO, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "EXPIRE", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "EXPIREAT", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "EXPIRETIME", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "FCALL",
  .info = SKIP_MONITOR | NO_MANDATORY_KEYS,
  .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "FCALL_RO",
  .info = SKIP_MONITOR | NO_MANDATORY_KEYS,
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "FLUSHALL",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "FLUSHDB",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "FUNCTION|DELETE",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "FUNCTION|FLUSH",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "FUNCTION|KILL",
  .tips = "request_policy:all_shards response_policy:one_succeeded",
  .info = ALLOW_BUSY },
{ "FUNCTION|LIST", .tips = "nondeterministic_output_order" },
{ "FUNCTION|LOAD",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "FUNCTION|RESTORE",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "FUNCTION|STATS",
  .tips = "nondeterministic_output request_policy:all_shards "
          "response_policy:special",
  .info = ALLOW_BUSY },
{ "GEOADD", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEODIST", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEOHASH", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEOPOS", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEORADIUS", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { OW | UPDATE, BEGIN_KEYWORD("STORE", 6), RANGE(0, 1, 0) },
    { OW | UPDATE, BEGIN_KEYWORD("STOREDIST", 6), RANGE(0, 1, 0) } } },
{ "GEORADIUSBYMEMBER", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { OW | UPDATE, BEGIN_KEYWORD("STORE", 5), RANGE(0, 1, 0) },
    { OW | UPDATE, BEGIN_KEYWORD("STOREDIST", 5), RANGE(0, 1, 0) } } },
{ "GEORADIUSBYMEMBER_RO", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEORADIUS_RO", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEOSEARCH", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GEOSEARCHSTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "GET", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GETBIT", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GETDEL", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GETEX", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GETRANGE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "GETSET", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HDEL", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HELLO", .info = LOADING | STALE | ALLOW_BUSY },
{ "HEXISTS", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HEXPIRE", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HEXPIREAT", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HEXPIRETIME", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HGET", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HGETALL",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HGETDEL", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HGETEX", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HINCRBY", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HINCRBYFLOAT", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HKEYS",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HLEN", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HMGET", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HMSET", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HPERSIST", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HPEXPIRE", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HPEXPIREAT", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HPEXPIRETIME", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HPTTL", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HRANDFIELD",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HSCAN",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HSET", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HSETEX", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HSETNX", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HSTRLEN", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HTTL", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "HVALS",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "INCR", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "INCRBY", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "INCRBYFLOAT", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "INFO",
  .tips = "nondeterministic_output request_policy:all_shards "
          "response_policy:special",
  .info = LOADING | STALE },
{ "KEYS", .tips = "request_policy:all_shards nondeterministic_output_order" },
{ "LASTSAVE", .tips = "nondeterministic_output" },
{ "LATENCY|DOCTOR",
  .tips = "nondeterministic_output request_policy:all_nodes "
          "response_policy:special" },
{ "LATENCY|GRAPH",
  .tips = "nondeterministic_output request_policy:all_nodes "
          "response_policy:special" },
{ "LATENCY|HISTOGRAM",
  .tips = "nondeterministic_output request_policy:all_nodes "
          "response_policy:special" },
{ "LATENCY|HISTORY",
  .tips = "nondeterministic_output request_policy:all_nodes "
          "response_policy:special" },
{ "LATENCY|LATEST",
  .tips = "nondeterministic_output request_policy:all_nodes "
          "response_policy:special" },
{ "LATENCY|RESET",
  .tips = "request_policy:all_nodes response_policy:all_succeeded" },
{ "LCS", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(1, 1, 0) } } },
{ "LINDEX", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LINSERT", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LLEN", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LMOVE", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "LMPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "LPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LPOS", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LPUSH", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LPUSHX", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LRANGE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LREM", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LSET", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "LTRIM", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "MEMORY|DOCTOR",
  .tips = "nondeterministic_output request_policy:all_shards "
          "response_policy:special" },
{ "MEMORY|HELP", .info = LOADING | STALE },
{ "MEMORY|MALLOC-STATS",
  .tips = "nondeterministic_output request_policy:all_shards "
          "response_policy:special" },
{ "MEMORY|PURGE",
  .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "MEMORY|STATS",
  .tips = "nondeterministic_output request_policy:all_shards "
          "response_policy:special" },
{ "MEMORY|USAGE", .specs = {
    { RO, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "MGET",
  .tips = "request_policy:multi_shard",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "MODULE|HELP", .info = LOADING | STALE },
{ "MODULE|LIST", .tips = "nondeterministic_output_order" },
{ "MODULE|LOAD", .info = NO_ASYNC_LOADING },
{ "MODULE|LOADEX", .info = NO_ASYNC_LOADING },
{ "MODULE|UNLOAD", .info = NO_ASYNC_LOADING },
{ "MOVE", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "MSET",
  .tips = "request_policy:multi_shard response_policy:all_succeeded",
  .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(-1, 2, 0) } } },
{ "MSETNX",
  .tips = "request_policy:multi_shard response_policy:agg_min",
  .specs = {
    { OW | INSERT, BEGIN_INDEX(1), RANGE(-1, 2, 0) } } },
{ "MULTI", .info = LOADING | STALE | ALLOW_BUSY },
{ "OBJECT|ENCODING",
  .tips = "nondeterministic_output",
  .specs = {
    { RO, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "OBJECT|FREQ",
  .tips = "nondeterministic_output",
  .specs = {
    { RO, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "OBJECT|HELP", .info = LOADING | STALE },
{ "OBJECT|IDLETIME",
  .tips = "nondeterministic_output",
  .specs = {
    { RO, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "OBJECT|REFCOUNT",
  .tips = "nondeterministic_output",
  .specs = {
    { RO, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "PERSIST", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PEXPIRE", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PEXPIREAT", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PEXPIRETIME", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PFADD", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PFCOUNT", .specs = {
    { RW | ACCESS, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "PFDEBUG", .specs = {
    { RW | ACCESS, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "PFMERGE", .specs = {
    { RW | ACCESS | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(-1, 1, 0) } } },
{ "PING", .tips = "request_policy:all_shards response_policy:all_succeeded" },
{ "PSETEX", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PSUBSCRIBE", .info = PUBSUB },
{ "PTTL",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "PUBLISH", .info = PUBSUB },
{ "PUBSUB|CHANNELS",
  .info = PUBSUB | LOADING | STALE },
{ "PUBSUB|HELP", .info = LOADING | STALE },
{ "PUBSUB|NUMPAT", .info = PUBSUB | LOADING | STALE },
{ "PUBSUB|NUMSUB", .info = PUBSUB | LOADING | STALE },
{ "PUBSUB|SHARDCHANNELS",
  .info = PUBSUB | LOADING | STALE },
{ "PUBSUB|SHARDNUMSUB",
  .info = PUBSUB | LOADING | STALE },
{ "PUNSUBSCRIBE", .info = PUBSUB },
{ "QUIT", .info = LOADING | STALE | ALLOW_BUSY },
{ "RANDOMKEY", .tips = "request_policy:all_shards nondeterministic_output" },
{ "RATELIMIT", .specs = {   /* Respite's own */
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "RENAME", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { OW | UPDATE, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "RENAMENX", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { OW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "REPLCONF", .info = ALLOW_BUSY },
{ "RESET", .info = LOADING | STALE | ALLOW_BUSY },
{ "RESTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "RPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "RPOPLPUSH", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "RPUSH", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "RPUSHX", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SADD", .specs = {
    { RW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SAVE", .info = NO_ASYNC_LOADING },
{ "SCAN", .tips = "nondeterministic_output request_policy:special" },
{ "SCARD", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SCRIPT|EXISTS",
  .tips = "request_policy:all_shards response_policy:agg_logical_and" },
{ "SCRIPT|FLUSH",
  .tips = "request_policy:all_nodes response_policy:all_succeeded" },
{ "SCRIPT|KILL",
  .tips = "request_policy:all_shards response_policy:one_succeeded",
  .info = ALLOW_BUSY },
{ "SCRIPT|LOAD",
  .tips = "request_policy:all_nodes response_policy:all_succeeded" },
{ "SDIFF",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "SDIFFSTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(-1, 1, 0) } } },
{ "SELECT", .info = LOADING | STALE },
{ "SET",
  .proc = KS_PROC_SET,
  .specs = {
    { RW | ACCESS | UPDATE | VARIABLE_FLAGS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SETBIT", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SETEX", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SETNX", .specs = {
    { OW | INSERT, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SETRANGE", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SHUTDOWN", .info = LOADING | STALE | ALLOW_BUSY },
{ "SINTER",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "SINTERCARD", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "SINTERSTORE", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(-1, 1, 0) } } },
{ "SISMEMBER", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SLOWLOG|GET",
  .tips = "request_policy:all_nodes nondeterministic_output",
  .info = LOADING | STALE },
{ "SLOWLOG|HELP", .info = LOADING | STALE },
{ "SLOWLOG|LEN",
  .tips = "request_policy:all_nodes response_policy:agg_sum "
          "nondeterministic_output",
  .info = LOADING | STALE },
{ "SLOWLOG|RESET",
  .tips = "request_policy:all_nodes response_policy:all_succeeded",
  .info = LOADING | STALE },
{ "SMEMBERS",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SMISMEMBER", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SMOVE", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "SORT",
  .proc = KS_PROC_SORT,
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_UNKNOWN, FIND_UNKNOWN },
    { OW | UPDATE, BEGIN_UNKNOWN, FIND_UNKNOWN } } },
{ "SORT_RO",
  .proc = KS_PROC_SORT_RO,
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_UNKNOWN, FIND_UNKNOWN } } },
{ "SPOP",
  .tips = "nondeterministic_output",
  .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SPUBLISH",
  .info = PUBSUB,
  .specs = {
    { NOT_KEY, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SRANDMEMBER",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SREM", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SSCAN",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SSUBSCRIBE",
  .info = PUBSUB,
  .specs = {
    { NOT_KEY, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "STRLEN", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SUBSCRIBE", .info = PUBSUB },
{ "SUBSTR", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "SUNION",
  .tips = "nondeterministic_output_order",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "SUNIONSTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(-1, 1, 0) } } },
{ "SUNSUBSCRIBE",
  .info = PUBSUB,
  .specs = {
    { NOT_KEY, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "SYNC", .info = NO_ASYNC_LOADING },
{ "TIME",
  .tips = "nondeterministic_output",
  .info = LOADING | STALE },
{ "TOUCH",
  .tips = "request_policy:multi_shard response_policy:agg_sum",
  .specs = {
    { RO, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "TTL",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "TYPE", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "UNLINK",
  .tips = "request_policy:multi_shard response_policy:agg_sum",
  .specs = {
    { RM | DELETE, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "UNSUBSCRIBE", .info = PUBSUB },
{ "UNWATCH", .info = LOADING | STALE | ALLOW_BUSY },
{ "WAIT", .tips = "request_policy:all_shards response_policy:agg_min" },
{ "WAITAOF", .tips = "request_policy:all_shards response_policy:agg_min" },
{ "WATCH",
  .info = LOADING | STALE | ALLOW_BUSY,
  .specs = {
    { RO, BEGIN_INDEX(1), RANGE(-1, 1, 0) } } },
{ "XACK", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XADD",
  .tips = "nondeterministic_output",
  .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XAUTOCLAIM",
  .tips = "nondeterministic_output",
  .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XCLAIM",
  .tips = "nondeterministic_output",
  .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XDEL", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XGROUP|CREATE", .specs = {
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XGROUP|CREATECONSUMER", .specs = {
    { RW | INSERT, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XGROUP|DELCONSUMER", .specs = {
    { RW | DELETE, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XGROUP|DESTROY", .specs = {
    { RW | DELETE, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XGROUP|HELP", .info = LOADING | STALE },
{ "XGROUP|SETID", .specs = {
    { RW | UPDATE, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XINFO|CONSUMERS",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XINFO|GROUPS", .specs = {
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XINFO|HELP", .info = LOADING | STALE },
{ "XINFO|STREAM", .specs = {
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "XLEN", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XPENDING",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XRANGE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XREAD",
  .proc = KS_PROC_XREAD,
  .specs = {
    { RO | ACCESS, BEGIN_KEYWORD("STREAMS", 1), RANGE(-1, 1, 2) } } },
{ "XREADGROUP",
  .proc = KS_PROC_XREAD,
  .specs = {
    { RO | ACCESS, BEGIN_KEYWORD("STREAMS", 4), RANGE(-1, 1, 2) } } },
{ "XREVRANGE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XSETID", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "XTRIM",
  .tips = "nondeterministic_output",
  .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZADD", .specs = {
    { RW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZCARD", .specs = {
    { RO, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZCOUNT", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZDIFF", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "ZDIFFSTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "ZINCRBY", .specs = {
    { RW | ACCESS | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZINTER", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "ZINTERCARD", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "ZINTERSTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
{ "ZLEXCOUNT", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZMPOP", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "ZMSCORE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZPOPMAX", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZPOPMIN", .specs = {
    { RW | ACCESS | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZRANDMEMBER",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZRANGE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZRANGEBYLEX", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZRANGEBYSCORE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZRANGESTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), RANGE(0, 1, 0) } } },
{ "ZRANK", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREM", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREMRANGEBYLEX", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREMRANGEBYRANK", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREMRANGEBYSCORE", .specs = {
    { RW | DELETE, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREVRANGE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREVRANGEBYLEX", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREVRANGEBYSCORE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZREVRANK", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZSCAN",
  .tips = "nondeterministic_output",
  .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZSCORE", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), RANGE(0, 1, 0) } } },
{ "ZUNION", .specs = {
    { RO | ACCESS, BEGIN_INDEX(1), KEYNUM(0, 1, 1) } } },
{ "ZUNIONSTORE", .specs = {
    { OW | UPDATE, BEGIN_INDEX(1), RANGE(0, 1, 0) },
    { RO | ACCESS, BEGIN_INDEX(2), KEYNUM(0, 1, 1) } } },
};

/* See keyspec.h. */
const struct keyspec_cmd *keyspec_rows(size_t *n)
{
    *n = sizeof(rows) / sizeof(rows[0]);
    return rows;
}

/* Compares name[0..len) with a row's name, ignoring ASCII case, as
 * strcmp does (the rows are sorted by their upper-case bytes). */
static int name_cmp(const char *name, size_t len, const char *row)
{
    for (size_t i = 0; i < len; i++) {
        int a = (unsigned char)name[i];
        if (a >= 'a' && a <= 'z')
            a -= 'a' - 'A';
        int b = (unsigned char)row[i];
        if (b == 0 || a != b)
            return b == 0 ? 1 : a - b;
    }
    return row[len] == '\0' ? 0 : -1;
}

/* See keyspec.h. */
const void *keyspec_find_row(const void *table, size_t n, size_t size,
                             const char *name, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const void *row = (const char *)table + mid * size;
        int d = name_cmp(name, len, *(const char *const *)row);
        if (d == 0)
            return row;
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* See keyspec.h. */
const struct keyspec_cmd *keyspec_lookup(const char *name, size_t len)
{
    return keyspec_find_row(rows, sizeof(rows) / sizeof(rows[0]),
                            sizeof(rows[0]), name, len);
}

/* See keyspec.h. */
const struct keyspec_cmd *keyspec_lookup_call(const char *cmd,
                                              const char *sub)
{
    char name[96];
    int n = snprintf(name, sizeof(name), "%s%s%s", cmd, sub ? "|" : "",
                     sub ? sub : "");
    if (n < 0 || (size_t)n >= sizeof(name))
        return NULL;
    return keyspec_lookup(name, (size_t)n);
}
