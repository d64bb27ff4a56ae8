/* docs_table.c - each command's argument syntax, and each subcommand's
 * summary, version and syntax, in the notation of docs.h, for COMMAND
 * DOCS. Rows are sorted by name for the binary search; a command
 * without arguments has no row.
 *
 * The syntax of a command Redis has is the one redis-server 7.0.15's
 * COMMAND DOCS gives, but where Respite accepts more (newer Redis's
 * options, such as SET's IFEQ or ZRANK's WITHSCORE);
 * tests/integration/test_command_docs.py checks every row against
 * redis-server and against the command's arity. The summaries are our
 * own words. Two types differ from 7.0's, which says integer where
 * both servers take a float: ZINCRBY's increment and WEIGHTS' weight. */
#include <stddef.h>

#include "server/docs.h"
#include "server/keyspec.h"

#define CMD(name, syntax) { name, NULL, NULL, syntax }
#define SUB(name, since, summary, syntax) { name, since, summary, syntax }

static const struct docs_row rows[] = {
SUB("ACL|CAT", "6.0.0",
    "Lists the ACL command categories, or the commands that belong to a "
    "given category.",
    "[categoryname]"),
SUB("ACL|DELUSER", "6.0.0",
    "Deletes the named ACL users, disconnects their clients and counts "
    "those removed.",
    "username [username ...]"),
SUB("ACL|DRYRUN", "7.0.0",
    "Checks whether a user would be allowed to run a given command, "
    "without running it.",
    "username command [arg [arg ...]]"),
SUB("ACL|GENPASS", "6.0.0",
    "Generates a random hex password from secure randomness, 256 bits "
    "unless told otherwise.",
    "[bits:integer]"),
SUB("ACL|GETUSER", "6.0.0",
    "Returns the flags, passwords, command rules, key and channel patterns "
    "of a user.",
    "username"),
SUB("ACL|HELP", "6.0.0",
    "Shows what the ACL subcommands do.",
    ""),
SUB("ACL|LIST", "6.0.0",
    "Returns every ACL user as a rule line in the ACL file format.",
    ""),
SUB("ACL|LOAD", "6.0.0",
    "Reloads users from the configured ACL file, or fails when no aclfile "
    "is set.",
    ""),
SUB("ACL|LOG", "6.0.0",
    "Returns recent ACL denials and failed logins, or clears that log with "
    "RESET.",
    "[count:integer|RESET]"),
SUB("ACL|SAVE", "6.0.0",
    "Writes the current users to the configured ACL file, or fails when no "
    "aclfile is set.",
    ""),
SUB("ACL|SETUSER", "6.0.0",
    "Creates or changes an ACL user by applying rules, all of them or none.",
    "username [rule [rule ...]]"),
SUB("ACL|USERS", "6.0.0",
    "Returns the names of all ACL users.",
    ""),
SUB("ACL|WHOAMI", "6.0.0",
    "Returns the name of the user this connection is authenticated as.",
    ""),
CMD("APPEND", "key value"),
CMD("AUTH", "[username] password"),
CMD("BGSAVE", "[SCHEDULE]"),
CMD("BITCOUNT", "key [start:integer end:integer [BYTE|BIT]]"),
CMD("BITFIELD",
    "key [(GET (encoding offset:integer)|[OVERFLOW (WRAP|SAT|FAIL)] (SET "
    "(encoding offset:integer value:integer)|INCRBY (encoding "
    "offset:integer increment:integer))) [(GET (encoding "
    "offset:integer)|[OVERFLOW (WRAP|SAT|FAIL)] (SET (encoding "
    "offset:integer value:integer)|INCRBY (encoding offset:integer "
    "increment:integer))) ...]]"),
CMD("BITFIELD_RO",
    "key [GET (encoding offset:integer) [GET (encoding offset:integer) "
    "...]]"),
CMD("BITOP", "operation destkey key [key ...]"),
CMD("BITPOS", "key bit:integer [start:integer [end:integer [BYTE|BIT]]]"),
CMD("BLMOVE", "source destination (LEFT|RIGHT) (LEFT|RIGHT) timeout:double"),
CMD("BLMPOP",
    "timeout:double numkeys:integer key [key ...] (LEFT|RIGHT) [COUNT "
    "count:integer]"),
CMD("BLPOP", "key [key ...] timeout:double"),
CMD("BRPOP", "key [key ...] timeout:double"),
CMD("BRPOPLPUSH", "source destination timeout:double"),
CMD("BZMPOP",
    "timeout:double numkeys:integer key [key ...] (MIN|MAX) [COUNT "
    "count:integer]"),
CMD("BZPOPMAX", "key [key ...] timeout:double"),
CMD("BZPOPMIN", "key [key ...] timeout:double"),
CMD("CL.THROTTLE",
    "key max-burst:integer count:integer period:integer [quantity:integer]"),
SUB("CLIENT|CACHING", "6.0.0",
    "Tells tracking whether to track, in OPTIN or OPTOUT mode, the keys of "
    "the next command.",
    "(YES|NO)"),
SUB("CLIENT|GETNAME", "2.6.9",
    "Returns the name set on this connection, or null if it has none.",
    ""),
SUB("CLIENT|GETREDIR", "6.0.0",
    "Returns the client ID that tracking messages are redirected to, 0 or "
    "-1 if none.",
    ""),
SUB("CLIENT|HELP", "5.0.0",
    "Shows what the CLIENT subcommands do.",
    ""),
SUB("CLIENT|ID", "5.0.0",
    "Returns the unique numeric ID of this connection.",
    ""),
SUB("CLIENT|INFO", "6.2.0",
    "Returns a line of fields describing this connection, as CLIENT LIST "
    "prints them.",
    ""),
SUB("CLIENT|KILL", "2.4.0",
    "Closes client connections chosen by address or by filters such as ID, "
    "TYPE and USER.",
    "(ip:port|(ID client-id:integer|TYPE "
    "(NORMAL|MASTER|SLAVE|REPLICA|PUBSUB)|USER username|ADDR ip:port|LADDR "
    "ip:port|SKIPME (YES|NO)|MAXAGE maxage:integer) [(ID "
    "client-id:integer|TYPE (NORMAL|MASTER|SLAVE|REPLICA|PUBSUB)|USER "
    "username|ADDR ip:port|LADDR ip:port|SKIPME (YES|NO)|MAXAGE "
    "maxage:integer) ...])"),
SUB("CLIENT|LIST", "2.4.0",
    "Returns a line of fields per connected client, optionally filtered by "
    "type or ID.",
    "[TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID client-id:integer "
    "[client-id:integer ...]]"),
SUB("CLIENT|NO-EVICT", "7.0.0",
    "Switches on or off whether client eviction may close this connection.",
    "(ON|OFF)"),
SUB("CLIENT|NO-TOUCH", "7.2.0",
    "Switches on or off whether this connection's reads update key access "
    "times.",
    "(ON|OFF)"),
SUB("CLIENT|PAUSE", "2.9.50",
    "Holds back all commands, or only writes, from clients for a number of "
    "milliseconds.",
    "timeout:integer [WRITE|ALL]"),
SUB("CLIENT|REPLY", "3.2.0",
    "Turns this connection's replies ON, OFF, or SKIPs the reply to the "
    "next command.",
    "(ON|OFF|SKIP)"),
SUB("CLIENT|SETINFO", "7.2.0",
    "Records the client library name or version shown by CLIENT LIST and "
    "CLIENT INFO.",
    "(LIB-NAME libname|LIB-VER libver)"),
SUB("CLIENT|SETNAME", "2.6.9",
    "Sets or clears the name of this connection.",
    "connection-name"),
SUB("CLIENT|TRACKING", "6.0.0",
    "Turns client-side caching invalidation messages on or off for this "
    "connection.",
    "(ON|OFF) [REDIRECT client-id:integer] [PREFIX prefix [PREFIX prefix "
    "...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]"),
SUB("CLIENT|TRACKINGINFO", "6.2.0",
    "Returns the tracking mode, redirect target and prefixes of this "
    "connection.",
    ""),
SUB("CLIENT|UNBLOCK", "5.0.0",
    "Wakes a client blocked in a command, as a timeout or with an error.",
    "client-id:integer [TIMEOUT|ERROR]"),
SUB("CLIENT|UNPAUSE", "6.2.0",
    "Ends a client pause started by CLIENT PAUSE, letting commands run "
    "again.",
    ""),
SUB("CLUSTER|ADDSLOTS", "3.0.0",
    "Answers that cluster support is disabled; Respite has no slots to "
    "assign.",
    "slot:integer [slot:integer ...]"),
SUB("CLUSTER|ADDSLOTSRANGE", "7.0.0",
    "Answers that cluster support is disabled; Respite has no slot ranges "
    "to assign.",
    "start-slot:integer end-slot:integer [start-slot:integer "
    "end-slot:integer ...]"),
SUB("CLUSTER|BUMPEPOCH", "3.0.0",
    "Answers that cluster support is disabled; Respite keeps no config "
    "epoch.",
    ""),
SUB("CLUSTER|COUNT-FAILURE-REPORTS", "3.0.0",
    "Answers that cluster support is disabled; Respite has no nodes to "
    "report on.",
    "node-id"),
SUB("CLUSTER|COUNTKEYSINSLOT", "3.0.0",
    "Answers that cluster support is disabled instead of counting keys in "
    "a slot.",
    "slot:integer"),
SUB("CLUSTER|DELSLOTS", "3.0.0",
    "Answers that cluster support is disabled; Respite has no slots to "
    "remove.",
    "slot:integer [slot:integer ...]"),
SUB("CLUSTER|DELSLOTSRANGE", "7.0.0",
    "Answers that cluster support is disabled; Respite has no slot ranges "
    "to remove.",
    "start-slot:integer end-slot:integer [start-slot:integer "
    "end-slot:integer ...]"),
SUB("CLUSTER|FAILOVER", "3.0.0",
    "Answers that cluster support is disabled; Respite cannot fail over a "
    "primary.",
    "[FORCE|TAKEOVER]"),
SUB("CLUSTER|FLUSHSLOTS", "3.0.0",
    "Answers that cluster support is disabled; Respite has no slots to "
    "clear.",
    ""),
SUB("CLUSTER|FORGET", "3.0.0",
    "Answers that cluster support is disabled; Respite has no nodes to "
    "forget.",
    "node-id"),
SUB("CLUSTER|GETKEYSINSLOT", "3.0.0",
    "Answers that cluster support is disabled instead of listing keys in a "
    "slot.",
    "slot:integer count:integer"),
SUB("CLUSTER|HELP", "5.0.0",
    "Answers that cluster support is disabled, as every CLUSTER subcommand "
    "does.",
    ""),
SUB("CLUSTER|INFO", "3.0.0",
    "Answers that cluster support is disabled instead of reporting cluster "
    "state.",
    ""),
SUB("CLUSTER|KEYSLOT", "3.0.0",
    "Answers that cluster support is disabled instead of computing a key's "
    "hash slot.",
    "key:string"),
SUB("CLUSTER|LINKS", "7.0.0",
    "Answers that cluster support is disabled; Respite has no peer links.",
    ""),
SUB("CLUSTER|MEET", "3.0.0",
    "Answers that cluster support is disabled; Respite cannot join other "
    "nodes.",
    "ip port:integer [cluster_bus_port:integer]"),
SUB("CLUSTER|MYID", "3.0.0",
    "Answers that cluster support is disabled; Respite has no cluster node "
    "ID.",
    ""),
SUB("CLUSTER|NODES", "3.0.0",
    "Answers that cluster support is disabled instead of listing cluster "
    "nodes.",
    ""),
SUB("CLUSTER|REPLICAS", "5.0.0",
    "Answers that cluster support is disabled instead of listing a node's "
    "replicas.",
    "node-id"),
SUB("CLUSTER|REPLICATE", "3.0.0",
    "Answers that cluster support is disabled; Respite cannot become a "
    "replica.",
    "node-id"),
SUB("CLUSTER|RESET", "3.0.0",
    "Answers that cluster support is disabled; Respite has no cluster "
    "state to reset.",
    "[HARD|SOFT]"),
SUB("CLUSTER|SAVECONFIG", "3.0.0",
    "Answers that cluster support is disabled; Respite writes no nodes "
    "file.",
    ""),
SUB("CLUSTER|SET-CONFIG-EPOCH", "3.0.0",
    "Answers that cluster support is disabled; Respite keeps no config "
    "epoch.",
    "config-epoch:integer"),
SUB("CLUSTER|SETSLOT", "3.0.0",
    "Answers that cluster support is disabled; Respite cannot migrate or "
    "bind slots.",
    "slot:integer (IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE)"),
SUB("CLUSTER|SHARDS", "7.0.0",
    "Answers that cluster support is disabled instead of describing shards.",
    ""),
SUB("CLUSTER|SLAVES", "3.0.0",
    "Answers that cluster support is disabled instead of listing a node's "
    "replicas.",
    "node-id"),
SUB("CLUSTER|SLOTS", "3.0.0",
    "Answers that cluster support is disabled instead of mapping slots to "
    "nodes.",
    ""),
SUB("COMMAND|COUNT", "2.8.13",
    "Returns how many commands this server knows.",
    ""),
SUB("COMMAND|DOCS", "7.0.0",
    "Returns documentation for the named commands, or for every command if "
    "none is given.",
    "[command-name [command-name ...]]"),
SUB("COMMAND|GETKEYS", "2.8.13",
    "Returns which arguments of a full command line are key names.",
    "command arg [arg ...]"),
SUB("COMMAND|GETKEYSANDFLAGS", "7.0.0",
    "Returns the key names of a full command line along with how each key "
    "is used.",
    "command arg [arg ...]"),
SUB("COMMAND|HELP", "5.0.0",
    "Shows what the COMMAND subcommands do.",
    ""),
SUB("COMMAND|INFO", "2.8.13",
    "Returns arity, flags, key positions and ACL categories of the named "
    "commands or all.",
    "[command-name [command-name ...]]"),
SUB("COMMAND|LIST", "7.0.0",
    "Returns all command names, optionally filtered by module, ACL "
    "category or pattern.",
    "[FILTERBY (MODULE module-name|ACLCAT category|PATTERN pattern)]"),
SUB("CONFIG|GET", "2.0.0",
    "Returns the configuration parameters matching glob patterns, with "
    "their values.",
    "parameter [parameter ...]"),
SUB("CONFIG|HELP", "5.0.0",
    "Shows what the CONFIG subcommands do.",
    ""),
SUB("CONFIG|RESETSTAT", "2.0.0",
    "Zeroes the server statistics reported by INFO, such as command and "
    "keyspace counts.",
    ""),
SUB("CONFIG|REWRITE", "2.8.0",
    "Writes the running configuration into the config file the server "
    "started with, keeping its comments.",
    ""),
SUB("CONFIG|SET", "2.0.0",
    "Changes one or more configuration parameters at runtime, all of them "
    "or none.",
    "parameter value [parameter value ...]"),
CMD("COPY", "source destination [DB destination-db:integer] [REPLACE]"),
CMD("DECR", "key"),
CMD("DECRBY", "key decrement:integer"),
CMD("DEL", "key [key ...]"),
CMD("DELEX",
    "key [IFEQ ifeq-value|IFNE ifne-value|IFDEQ ifdeq-digest|IFDNE "
    "ifdne-digest]"),
CMD("DELIFEQ", "key value"),
CMD("DIGEST", "key"),
CMD("DUMP", "key"),
CMD("ECHO", "message"),
CMD("EVAL", "script numkeys:integer [key [key ...]] [arg [arg ...]]"),
CMD("EVALSHA", "sha1 numkeys:integer [key [key ...]] [arg [arg ...]]"),
CMD("EVALSHA_RO", "sha1 numkeys:integer [key [key ...]] [arg [arg ...]]"),
CMD("EVAL_RO", "script numkeys:integer [key [key ...]] [arg [arg ...]]"),
CMD("EXISTS", "key [key ...]"),
CMD("EXPIRE", "key seconds:integer [NX|XX|GT|LT]"),
CMD("EXPIREAT", "key unix-time-seconds:unix-time [NX|XX|GT|LT]"),
CMD("EXPIRETIME", "key"),
CMD("FCALL", "function numkeys:integer [key [key ...]] [arg [arg ...]]"),
CMD("FCALL_RO", "function numkeys:integer [key [key ...]] [arg [arg ...]]"),
CMD("FLUSHALL", "[ASYNC|SYNC]"),
CMD("FLUSHDB", "[ASYNC|SYNC]"),
SUB("FUNCTION|DELETE", "7.0.0",
    "Removes a function library and all the functions it defines.",
    "library-name"),
SUB("FUNCTION|DUMP", "7.0.0",
    "Returns a serialized payload holding every loaded function library.",
    ""),
SUB("FUNCTION|FLUSH", "7.0.0",
    "Removes every function library; ASYNC frees at once like SYNC.",
    "[ASYNC|SYNC]"),
SUB("FUNCTION|HELP", "7.0.0",
    "Shows what the FUNCTION subcommands do.",
    ""),
SUB("FUNCTION|KILL", "7.0.0",
    "Stops a function running past busy-reply-threshold, unless it has "
    "written.",
    ""),
SUB("FUNCTION|LIST", "7.0.0",
    "Returns loaded libraries and their functions, optionally with code or "
    "a name filter.",
    "[LIBRARYNAME library-name-pattern] [WITHCODE]"),
SUB("FUNCTION|LOAD", "7.0.0",
    "Compiles a Lua library and registers its functions, replacing it if "
    "REPLACE is given.",
    "[REPLACE] function-code"),
SUB("FUNCTION|RESTORE", "7.0.0",
    "Loads libraries from a FUNCTION DUMP payload with FLUSH, APPEND or "
    "REPLACE policy.",
    "serialized-value [FLUSH|APPEND|REPLACE]"),
SUB("FUNCTION|STATS", "7.0.0",
    "Returns engine and library counts and the function running past "
    "busy-reply-threshold.",
    ""),
CMD("GEOADD",
    "key [NX|XX] [CH] longitude:double latitude:double member "
    "[longitude:double latitude:double member ...]"),
CMD("GEODIST", "key member1 member2 [M|KM|FT|MI]"),
CMD("GEOHASH", "key member [member ...]"),
CMD("GEOPOS", "key member [member ...]"),
CMD("GEORADIUS",
    "key longitude:double latitude:double radius:double (M|KM|FT|MI) "
    "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count:integer [ANY]] "
    "[ASC|DESC] [STORE key] [STOREDIST key]"),
CMD("GEORADIUSBYMEMBER",
    "key member radius:double (M|KM|FT|MI) [WITHCOORD] [WITHDIST] "
    "[WITHHASH] [COUNT count:integer [ANY]] [ASC|DESC] [STORE key] "
    "[STOREDIST key]"),
CMD("GEORADIUSBYMEMBER_RO",
    "key member radius:double (M|KM|FT|MI) [WITHCOORD] [WITHDIST] "
    "[WITHHASH] [COUNT count:integer [ANY]] [ASC|DESC]"),
CMD("GEORADIUS_RO",
    "key longitude:double latitude:double radius:double (M|KM|FT|MI) "
    "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count:integer [ANY]] "
    "[ASC|DESC]"),
CMD("GEOSEARCH",
    "key (FROMMEMBER member|FROMLONLAT (longitude:double latitude:double)) "
    "(BYRADIUS radius:double (M|KM|FT|MI)|BYBOX width:double height:double "
    "(M|KM|FT|MI)) [ASC|DESC] [COUNT count:integer [ANY]] [WITHCOORD] "
    "[WITHDIST] [WITHHASH]"),
CMD("GEOSEARCHSTORE",
    "destination source (FROMMEMBER member|FROMLONLAT (longitude:double "
    "latitude:double)) (BYRADIUS radius:double (M|KM|FT|MI)|BYBOX "
    "width:double height:double (M|KM|FT|MI)) [ASC|DESC] [COUNT "
    "count:integer [ANY]] [STOREDIST]"),
CMD("GET", "key"),
CMD("GETBIT", "key offset:integer"),
CMD("GETDEL", "key"),
CMD("GETEX",
    "key [EX seconds:integer|PX milliseconds:integer|EXAT "
    "unix-time-seconds:unix-time|PXAT "
    "unix-time-milliseconds:unix-time|PERSIST]"),
CMD("GETRANGE", "key start:integer end:integer"),
CMD("GETSET", "key value"),
CMD("HDEL", "key field [field ...]"),
CMD("HELLO",
    "[protover:integer [AUTH (username password)] [SETNAME clientname]]"),
CMD("HEXISTS", "key field"),
CMD("HEXPIRE",
    "key seconds:integer [NX|XX|GT|LT] FIELDS (numfields:integer field "
    "[field ...])"),
CMD("HEXPIREAT",
    "key unix-time-seconds:unix-time [NX|XX|GT|LT] FIELDS "
    "(numfields:integer field [field ...])"),
CMD("HEXPIRETIME", "key FIELDS (numfields:integer field [field ...])"),
CMD("HGET", "key field"),
CMD("HGETALL", "key"),
CMD("HGETDEL", "key FIELDS (numfields:integer field [field ...])"),
CMD("HGETEX",
    "key [EX seconds:integer|PX milliseconds:integer|EXAT "
    "unix-time-seconds:unix-time|PXAT "
    "unix-time-milliseconds:unix-time|PERSIST] FIELDS (numfields:integer "
    "field [field ...])"),
CMD("HINCRBY", "key field increment:integer"),
CMD("HINCRBYFLOAT", "key field increment:double"),
CMD("HKEYS", "key"),
CMD("HLEN", "key"),
CMD("HMGET", "key field [field ...]"),
CMD("HMSET", "key field value [field value ...]"),
CMD("HPERSIST", "key FIELDS (numfields:integer field [field ...])"),
CMD("HPEXPIRE",
    "key milliseconds:integer [NX|XX|GT|LT] FIELDS (numfields:integer "
    "field [field ...])"),
CMD("HPEXPIREAT",
    "key unix-time-milliseconds:unix-time [NX|XX|GT|LT] FIELDS "
    "(numfields:integer field [field ...])"),
CMD("HPEXPIRETIME", "key FIELDS (numfields:integer field [field ...])"),
CMD("HPTTL", "key FIELDS (numfields:integer field [field ...])"),
CMD("HRANDFIELD", "key [count:integer [WITHVALUES]]"),
CMD("HSCAN",
    "key cursor:integer [MATCH pattern] [COUNT count:integer] [NOVALUES]"),
CMD("HSET", "key field value [field value ...]"),
CMD("HSETEX",
    "key [FNX|FXX] [EX seconds:integer|PX milliseconds:integer|EXAT "
    "unix-time-seconds:unix-time|PXAT "
    "unix-time-milliseconds:unix-time|KEEPTTL] FIELDS (numfields:integer "
    "field value [field value ...])"),
CMD("HSETNX", "key field value"),
CMD("HSTRLEN", "key field"),
CMD("HTTL", "key FIELDS (numfields:integer field [field ...])"),
CMD("HVALS", "key"),
CMD("INCR", "key"),
CMD("INCRBY", "key increment:integer"),
CMD("INCRBYFLOAT", "key increment:double"),
CMD("INFO", "[section [section ...]]"),
CMD("KEYS", "pattern"),
SUB("LATENCY|DOCTOR", "2.8.13",
    "Explains in words the latency spikes the monitor recorded, with "
    "advice on their causes.",
    ""),
SUB("LATENCY|GRAPH", "2.8.13",
    "Returns an ASCII chart of the samples recorded for a latency monitor "
    "event.",
    "event"),
SUB("LATENCY|HELP", "2.8.13",
    "Shows what the LATENCY subcommands do.",
    ""),
SUB("LATENCY|HISTOGRAM", "7.0.0",
    "Returns per-command latency histograms, for the named commands or for "
    "all tracked.",
    "[command [command ...]]"),
SUB("LATENCY|HISTORY", "2.8.13",
    "Returns the time and duration of each recorded sample for one latency "
    "event.",
    "event"),
SUB("LATENCY|LATEST", "2.8.13",
    "Returns each latency event's last sample time, its duration and the "
    "maximum seen.",
    ""),
SUB("LATENCY|RESET", "2.8.13",
    "Discards latency monitor samples for the named events, or for all of "
    "them.",
    "[event [event ...]]"),
CMD("LCS",
    "key1:key key2:key [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]"),
CMD("LINDEX", "key index:integer"),
CMD("LINSERT", "key (BEFORE|AFTER) pivot element"),
CMD("LLEN", "key"),
CMD("LMOVE", "source destination (LEFT|RIGHT) (LEFT|RIGHT)"),
CMD("LMPOP",
    "numkeys:integer key [key ...] (LEFT|RIGHT) [COUNT count:integer]"),
CMD("LOLWUT", "[VERSION version:integer]"),
CMD("LPOP", "key [count:integer]"),
CMD("LPOS",
    "key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN "
    "len:integer]"),
CMD("LPUSH", "key element [element ...]"),
CMD("LPUSHX", "key element [element ...]"),
CMD("LRANGE", "key start:integer stop:integer"),
CMD("LREM", "key count:integer element"),
CMD("LSET", "key index:integer element"),
CMD("LTRIM", "key start:integer stop:integer"),
SUB("MEMORY|DOCTOR", "4.0.0",
    "Reports memory problems it finds, such as a high peak, fragmentation "
    "or big buffers.",
    ""),
SUB("MEMORY|HELP", "4.0.0",
    "Shows what the MEMORY subcommands do.",
    ""),
SUB("MEMORY|MALLOC-STATS", "4.0.0",
    "Returns the memory allocator's own statistics report, where the "
    "allocator has one.",
    ""),
SUB("MEMORY|PURGE", "4.0.0",
    "Asks the allocator to give its free pages back to the operating "
    "system.",
    ""),
SUB("MEMORY|STATS", "4.0.0",
    "Returns a breakdown of server memory use, such as overheads, dataset "
    "and peak.",
    ""),
SUB("MEMORY|USAGE", "4.0.0",
    "Returns the exact bytes a key and its value take; SAMPLES is accepted "
    "but ignored.",
    "key [SAMPLES count:integer]"),
CMD("MGET", "key [key ...]"),
SUB("MODULE|HELP", "5.0.0",
    "Shows what the MODULE subcommands do.",
    ""),
SUB("MODULE|LIST", "4.0.0",
    "Returns an empty list, as Respite never loads modules.",
    ""),
SUB("MODULE|LOAD", "4.0.0",
    "Refuses with an error, since Respite cannot load modules.",
    "path [arg [arg ...]]"),
SUB("MODULE|LOADEX", "7.0.0",
    "Refuses with an error, since Respite cannot load modules.",
    "path [CONFIG (name value) [CONFIG (name value) ...]] [ARGS arg [arg "
    "...]]"),
SUB("MODULE|UNLOAD", "4.0.0",
    "Refuses with an error, since Respite has no loaded modules to unload.",
    "name"),
CMD("MOVE", "key db:integer"),
CMD("MSET", "key value [key value ...]"),
CMD("MSETNX", "key value [key value ...]"),
SUB("OBJECT|ENCODING", "2.2.3",
    "Returns the name of the internal encoding Redis would use for a key's "
    "value.",
    "key"),
SUB("OBJECT|FREQ", "4.0.0",
    "Returns a key's logarithmic access frequency counter under an LFU "
    "eviction policy.",
    "key"),
SUB("OBJECT|HELP", "6.2.0",
    "Shows what the OBJECT subcommands do.",
    ""),
SUB("OBJECT|IDLETIME", "2.2.3",
    "Returns the seconds since a key was last accessed, unless an LFU "
    "policy is set.",
    "key"),
SUB("OBJECT|REFCOUNT", "2.2.3",
    "Returns a value's reference count as Redis would report it, usually 1.",
    "key"),
CMD("PERSIST", "key"),
CMD("PEXPIRE", "key milliseconds:integer [NX|XX|GT|LT]"),
CMD("PEXPIREAT", "key unix-time-milliseconds:unix-time [NX|XX|GT|LT]"),
CMD("PEXPIRETIME", "key"),
CMD("PFADD", "key [element [element ...]]"),
CMD("PFCOUNT", "key [key ...]"),
CMD("PFDEBUG", "subcommand key"),
CMD("PFMERGE", "destkey sourcekey [sourcekey ...]"),
CMD("PING", "[message]"),
CMD("PSETEX", "key milliseconds:integer value"),
CMD("PSUBSCRIBE", "pattern [pattern ...]"),
CMD("PTTL", "key"),
CMD("PUBLISH", "channel message"),
SUB("PUBSUB|CHANNELS", "2.8.0",
    "Returns the channels with at least one subscriber, optionally "
    "matching a pattern.",
    "[pattern]"),
SUB("PUBSUB|HELP", "6.2.0",
    "Shows what the PUBSUB subcommands do.",
    ""),
SUB("PUBSUB|NUMPAT", "2.8.0",
    "Returns how many distinct patterns clients are subscribed to.",
    ""),
SUB("PUBSUB|NUMSUB", "2.8.0",
    "Returns the subscriber count of each named channel.",
    "[channel [channel ...]]"),
SUB("PUBSUB|SHARDCHANNELS", "7.0.0",
    "Returns the shard channels with subscribers, optionally matching a "
    "pattern.",
    "[pattern]"),
SUB("PUBSUB|SHARDNUMSUB", "7.0.0",
    "Returns the subscriber count of each named shard channel.",
    "[shardchannel [shardchannel ...]]"),
CMD("PUNSUBSCRIBE", "[pattern [pattern ...]]"),
CMD("RATELIMIT",
    "key limit:integer period-ms:integer [BURST burst:integer] [COST "
    "cost:integer] [ALGO (GCRA|FIXED|SLIDING)]"),
CMD("RENAME", "key newkey"),
CMD("RENAMENX", "key newkey"),
CMD("RESTORE",
    "key ttl:integer serialized-value [REPLACE] [ABSTTL] [IDLETIME "
    "seconds:integer] [FREQ frequency:integer]"),
CMD("RPOP", "key [count:integer]"),
CMD("RPOPLPUSH", "source destination"),
CMD("RPUSH", "key element [element ...]"),
CMD("RPUSHX", "key element [element ...]"),
CMD("SADD", "key member [member ...]"),
CMD("SCAN",
    "cursor:integer [MATCH pattern] [COUNT count:integer] [TYPE type]"),
CMD("SCARD", "key"),
SUB("SCRIPT|DEBUG", "3.2.0",
    "Makes this client's next EVAL a Lua debugger session, in a forked "
    "child (YES) or on the server (SYNC), or not (NO).",
    "YES|SYNC|NO"),
SUB("SCRIPT|EXISTS", "2.6.0",
    "Tells, for each SHA1 digest given, whether a script with it is cached.",
    "sha1 [sha1 ...]"),
SUB("SCRIPT|FLUSH", "2.6.0",
    "Empties the Lua script cache.",
    "[ASYNC|SYNC]"),
SUB("SCRIPT|HELP", "5.0.0",
    "Shows what the SCRIPT subcommands do.",
    ""),
SUB("SCRIPT|KILL", "2.6.0",
    "Stops a script running past busy-reply-threshold, unless it has "
    "written.",
    ""),
SUB("SCRIPT|LOAD", "2.6.0",
    "Caches a Lua script without running it and returns its SHA1 digest.",
    "script"),
CMD("SDIFF", "key [key ...]"),
CMD("SDIFFSTORE", "destination key [key ...]"),
CMD("SELECT", "index:integer"),
CMD("SET",
    "key value [NX|[XX] [IFEQ ifeq-value|IFNE ifne-value|IFDEQ "
    "ifdeq-digest|IFDNE ifdne-digest]] [GET] [EX seconds:integer|PX "
    "milliseconds:integer|EXAT unix-time-seconds:unix-time|PXAT "
    "unix-time-milliseconds:unix-time|KEEPTTL]"),
CMD("SETBIT", "key offset:integer value:integer"),
CMD("SETEX", "key seconds:integer value"),
CMD("SETNX", "key value"),
CMD("SETRANGE", "key offset:integer value"),
CMD("SHUTDOWN", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"),
CMD("SINTER", "key [key ...]"),
CMD("SINTERCARD", "numkeys:integer key [key ...] [LIMIT limit:integer]"),
CMD("SINTERSTORE", "destination key [key ...]"),
CMD("SISMEMBER", "key member"),
SUB("SLOWLOG|GET", "2.2.12",
    "Returns the newest slow log entries, 10 unless a count is given (-1 "
    "for all).",
    "[count:integer]"),
SUB("SLOWLOG|HELP", "6.2.0",
    "Shows what the SLOWLOG subcommands do.",
    ""),
SUB("SLOWLOG|LEN", "2.2.12",
    "Returns how many entries the slow log holds.",
    ""),
SUB("SLOWLOG|RESET", "2.2.12",
    "Empties the slow log.",
    ""),
CMD("SMEMBERS", "key"),
CMD("SMISMEMBER", "key member [member ...]"),
CMD("SMOVE", "source destination member"),
CMD("SORT",
    "key [BY pattern] [LIMIT (offset:integer count:integer)] [GET pattern "
    "[GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]"),
CMD("SORT_RO",
    "key [BY pattern] [LIMIT (offset:integer count:integer)] [GET pattern "
    "[GET pattern ...]] [ASC|DESC] [ALPHA]"),
CMD("SPOP", "key [count:integer]"),
CMD("SPUBLISH", "shardchannel message"),
CMD("SRANDMEMBER", "key [count:integer]"),
CMD("SREM", "key member [member ...]"),
CMD("SSCAN", "key cursor:integer [MATCH pattern] [COUNT count:integer]"),
CMD("SSUBSCRIBE", "shardchannel [shardchannel ...]"),
CMD("STRLEN", "key"),
CMD("SUBSCRIBE", "channel [channel ...]"),
CMD("SUBSTR", "key start:integer end:integer"),
CMD("SUNION", "key [key ...]"),
CMD("SUNIONSTORE", "destination key [key ...]"),
CMD("SUNSUBSCRIBE", "[shardchannel [shardchannel ...]]"),
CMD("SWAPDB", "index1:integer index2:integer"),
CMD("TOUCH", "key [key ...]"),
CMD("TTL", "key"),
CMD("TYPE", "key"),
CMD("UNLINK", "key [key ...]"),
CMD("UNSUBSCRIBE", "[channel [channel ...]]"),
CMD("WAIT", "numreplicas:integer timeout:integer"),
CMD("WAITAOF", "numlocal:integer numreplicas:integer timeout:integer"),
CMD("WATCH", "key [key ...]"),
CMD("XACK", "key group id [id ...]"),
CMD("XADD",
    "key [NOMKSTREAM] [(MAXLEN|MINID) [=|~] threshold [LIMIT "
    "count:integer]] (*|id) field value [field value ...]"),
CMD("XAUTOCLAIM",
    "key group consumer min-idle-time start [COUNT count:integer] [JUSTID]"),
CMD("XCLAIM",
    "key group consumer min-idle-time id [id ...] [IDLE ms:integer] [TIME "
    "unix-time-milliseconds:unix-time] [RETRYCOUNT count:integer] [FORCE] "
    "[JUSTID] [LASTID id]"),
CMD("XDEL", "key id [id ...]"),
SUB("XGROUP|CREATE", "5.0.0",
    "Creates a consumer group on a stream, optionally creating the stream "
    "with MKSTREAM.",
    "key groupname (id|$) [MKSTREAM] [ENTRIESREAD entries_read:integer]"),
SUB("XGROUP|CREATECONSUMER", "6.2.0",
    "Adds a named consumer to a stream's consumer group.",
    "key groupname consumername"),
SUB("XGROUP|DELCONSUMER", "5.0.0",
    "Removes a consumer from a group and returns how many pending entries "
    "it had.",
    "key groupname consumername"),
SUB("XGROUP|DESTROY", "5.0.0",
    "Deletes a consumer group from a stream, along with its consumers and "
    "pending entries.",
    "key groupname"),
SUB("XGROUP|HELP", "5.0.0",
    "Shows what the XGROUP subcommands do.",
    ""),
SUB("XGROUP|SETID", "5.0.0",
    "Moves a consumer group's last delivered ID, and optionally its "
    "entries-read counter.",
    "key groupname (id|$) [ENTRIESREAD entries_read:integer]"),
SUB("XINFO|CONSUMERS", "5.0.0",
    "Returns each consumer of a group with its pending count and idle "
    "times.",
    "key groupname"),
SUB("XINFO|GROUPS", "5.0.0",
    "Returns each consumer group of a stream with its consumers, pending "
    "and last ID.",
    "key"),
SUB("XINFO|HELP", "5.0.0",
    "Shows what the XINFO subcommands do.",
    ""),
SUB("XINFO|STREAM", "5.0.0",
    "Returns details of a stream, or with FULL its entries, groups and "
    "consumers.",
    "key [FULL [COUNT count:integer]]"),
CMD("XLEN", "key"),
CMD("XPENDING",
    "key group [[IDLE min-idle-time:integer] start end count:integer "
    "[consumer]]"),
CMD("XRANGE", "key start end [COUNT count:integer]"),
CMD("XREAD",
    "[COUNT count:integer] [BLOCK milliseconds:integer] STREAMS (key [key "
    "...] id [id ...])"),
CMD("XREADGROUP",
    "GROUP (group consumer) [COUNT count:integer] [BLOCK "
    "milliseconds:integer] [NOACK] STREAMS (key [key ...] id [id ...])"),
CMD("XREVRANGE", "key end start [COUNT count:integer]"),
CMD("XSETID",
    "key last-id [ENTRIESADDED entries_added:integer] [MAXDELETEDID "
    "max_deleted_entry_id]"),
CMD("XTRIM", "key (MAXLEN|MINID) [=|~] threshold [LIMIT count:integer]"),
CMD("ZADD",
    "key [NX|XX] [GT|LT] [CH] [INCR] score:double member [score:double "
    "member ...]"),
CMD("ZCARD", "key"),
CMD("ZCOUNT", "key min:double max:double"),
CMD("ZDIFF", "numkeys:integer key [key ...] [WITHSCORES]"),
CMD("ZDIFFSTORE", "destination numkeys:integer key [key ...]"),
CMD("ZINCRBY", "key increment:double member"),
CMD("ZINTER",
    "numkeys:integer key [key ...] [WEIGHTS weight:double [weight:double "
    "...]] [AGGREGATE (SUM|MIN|MAX)] [WITHSCORES]"),
CMD("ZINTERCARD", "numkeys:integer key [key ...] [LIMIT limit:integer]"),
CMD("ZINTERSTORE",
    "destination numkeys:integer key [key ...] [WEIGHTS weight:double "
    "[weight:double ...]] [AGGREGATE (SUM|MIN|MAX)]"),
CMD("ZLEXCOUNT", "key min max"),
CMD("ZMPOP", "numkeys:integer key [key ...] (MIN|MAX) [COUNT count:integer]"),
CMD("ZMSCORE", "key member [member ...]"),
CMD("ZPOPMAX", "key [count:integer]"),
CMD("ZPOPMIN", "key [count:integer]"),
CMD("ZRANDMEMBER", "key [count:integer [WITHSCORES]]"),
CMD("ZRANGE",
    "key start stop [BYSCORE|BYLEX] [REV] [LIMIT (offset:integer "
    "count:integer)] [WITHSCORES]"),
CMD("ZRANGEBYLEX", "key min max [LIMIT (offset:integer count:integer)]"),
CMD("ZRANGEBYSCORE",
    "key min:double max:double [WITHSCORES] [LIMIT (offset:integer "
    "count:integer)]"),
CMD("ZRANGESTORE",
    "dst:key src:key min max [BYSCORE|BYLEX] [REV] [LIMIT (offset:integer "
    "count:integer)]"),
CMD("ZRANK", "key member [WITHSCORE]"),
CMD("ZREM", "key member [member ...]"),
CMD("ZREMRANGEBYLEX", "key min max"),
CMD("ZREMRANGEBYRANK", "key start:integer stop:integer"),
CMD("ZREMRANGEBYSCORE", "key min:double max:double"),
CMD("ZREVRANGE", "key start:integer stop:integer [WITHSCORES]"),
CMD("ZREVRANGEBYLEX", "key max min [LIMIT (offset:integer count:integer)]"),
CMD("ZREVRANGEBYSCORE",
    "key max:double min:double [WITHSCORES] [LIMIT (offset:integer "
    "count:integer)]"),
CMD("ZREVRANK", "key member [WITHSCORE]"),
CMD("ZSCAN", "key cursor:integer [MATCH pattern] [COUNT count:integer]"),
CMD("ZSCORE", "key member"),
CMD("ZUNION",
    "numkeys:integer key [key ...] [WEIGHTS weight:double [weight:double "
    "...]] [AGGREGATE (SUM|MIN|MAX)] [WITHSCORES]"),
CMD("ZUNIONSTORE",
    "destination numkeys:integer key [key ...] [WEIGHTS weight:double "
    "[weight:double ...]] [AGGREGATE (SUM|MIN|MAX)]"),
};

/* See docs.h. */
const struct docs_row *docs_rows(size_t *n)
{
    *n = sizeof(rows) / sizeof(rows[0]);
    return rows;
}

/* See docs.h. */
const struct docs_row *docs_lookup(const char *name, size_t len)
{
    return keyspec_find_row(rows, sizeof(rows) / sizeof(rows[0]),
                            sizeof(rows[0]), name, len);
}
