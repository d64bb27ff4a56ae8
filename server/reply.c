/* reply.c - every error text a client can see, and the argument parsers
 * handlers share.
 *
 * Errors are listed once, in errors[] below, indexed by enum reply_err, so
 * the wording that client libraries match on (the first word is the code:
 * ERR, WRONGTYPE, NOAUTH...) lives in one place and follows Redis 7. Some
 * entries are printf formats; the comment in server.h says which take
 * arguments. Bytes that came from a client are always passed with a length
 * ("%.*s"), clipped, and CR/LF never reach the wire (resp_add_error strips
 * them), so a reply can not be split by user input.
 *
 * The parsers are strict the way Redis's string2ll/string2ld are, because
 * replies such as "value is not an integer or out of range" for "+1" or
 * " 1" are part of the behaviour clients see. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static const char *const errors[ERR__COUNT] = {
    [ERR_SYNTAX] = "ERR syntax error",
    [ERR_NOT_INT] = "ERR value is not an integer or out of range",
    [ERR_NOT_FLOAT] = "ERR value is not a valid float",
    [ERR_OVERFLOW] = "ERR increment or decrement would overflow",
    [ERR_INCR_NAN] = "ERR increment would produce NaN or Infinity",
    [ERR_WRONGTYPE] = "WRONGTYPE Operation against a key holding the wrong "
                      "kind of value",
    [ERR_NO_SUCH_KEY] = "ERR no such key",
    [ERR_INVALID_EXPIRE] = "ERR invalid expire time in '%s' command",
    [ERR_DB_INDEX] = "ERR DB index is out of range",
    [ERR_OOM] = "OOM command not allowed when used memory > 'maxmemory'.",
    [ERR_NOAUTH] = "NOAUTH Authentication required.",
    [ERR_WRONGPASS] = "WRONGPASS invalid username-password pair or user is "
                      "disabled.",
    [ERR_AUTH_NOPASS] = "ERR AUTH <password> called without any password "
                        "configured for the default user. Are you sure your "
                        "configuration is correct?",
    [ERR_ARITY] = "ERR wrong number of arguments for '%s' command",
    [ERR_UNKNOWN_CMD] = "ERR unknown command '%.*s', with args beginning "
                        "with: %s",
    [ERR_UNKNOWN_SUBCMD] = "ERR unknown subcommand '%.*s'. Try %s HELP.",
    [ERR_STRING_TOO_LONG] = "ERR string exceeds maximum allowed size "
                            "(proto-max-bulk-len)",
    [ERR_OFFSET_RANGE] = "ERR offset is out of range",
    [ERR_NESTED_MULTI] = "ERR MULTI calls can not be nested",
    [ERR_EXEC_NO_MULTI] = "ERR EXEC without MULTI",
    [ERR_DISCARD_NO_MULTI] = "ERR DISCARD without MULTI",
    [ERR_WATCH_IN_MULTI] = "ERR WATCH inside MULTI is not allowed",
    [ERR_NOT_IN_MULTI] = "ERR Command not allowed inside a transaction",
    [ERR_SSUBSCRIBE_IN_EXEC] = "ERR SSUBSCRIBE isn't allowed for a DENY "
                               "BLOCKING client",
    [ERR_EXECABORT] = "EXECABORT Transaction discarded because of previous "
                      "errors.",
    [ERR_SAME_OBJECT] = "ERR source and destination objects are the same",
    [ERR_NOPROTO] = "NOPROTO unsupported protocol version",
    [ERR_TIMEOUT_NEG] = "ERR timeout is negative",
    [ERR_TIMEOUT_NOT_FLOAT] = "ERR timeout is not a float or out of range",
    [ERR_TIMEOUT_NOT_INT] = "ERR timeout is not an integer or out of range",
    [ERR_BIT_OFFSET] = "ERR bit offset is not an integer or out of range",
    [ERR_SELECT_NOT_ALLOWED] = "ERR SELECT is not allowed in cluster mode",
    [ERR_INVALID_CURSOR] = "ERR invalid cursor",
    [ERR_PUBSUB_CONTEXT] = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
                           "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                           "allowed in this context",
    [ERR_EXECABORT_BECAUSE] = "EXECABORT Transaction discarded because "
                              "of: %s",
    [ERR_CLIENT_NAME] = "ERR Client names cannot contain spaces, newlines "
                        "or special characters.",
    [ERR_PROTO_VERSION] = "ERR Protocol version is not an integer or out "
                          "of range",
    [ERR_HELLO_NOAUTH] = "NOAUTH HELLO must be called with the client "
                         "already authenticated, otherwise the HELLO "
                         "AUTH <user> <pass> option can be used to "
                         "authenticate the client and select the RESP "
                         "protocol version at the same time",
    [ERR_HELLO_OPTION] = "ERR Syntax error in HELLO option '%.*s'",
    [ERR_INVALID_CLIENT_ID] = "ERR Invalid client ID",
    [ERR_CLIENT_ID_POSITIVE] = "ERR client-id should be greater than 0",
    [ERR_CLIENT_MAXAGE_INT] = "ERR maxage is not an integer or out of range",
    [ERR_CLIENT_MAXAGE_POSITIVE] = "ERR maxage should be greater than 0",
    [ERR_CLIENT_TYPE] = "ERR Unknown client type '%.*s'",
    [ERR_NO_SUCH_CLIENT] = "ERR No such client",
    [ERR_NO_SUCH_USER] = "ERR No such user '%.*s'",
    [ERR_SETINFO_OPTION] = "ERR Unrecognized option '%.*s'",
    [ERR_SETINFO_CHARS] = "ERR %s cannot contain spaces, newlines or "
                          "special characters.",
    /* "must between" is Redis's own wording. */
    [ERR_INT_RANGE] = "ERR value is out of range, value must between "
                      "-2147483648 and 2147483647",
    [ERR_EXPIRE_NX_XX] = "ERR NX and XX, GT or LT options at the same time "
                         "are not compatible",
    [ERR_EXPIRE_GT_LT] = "ERR GT and LT options at the same time are not "
                         "compatible",
    [ERR_UNSUPPORTED_OPTION] = "ERR Unsupported option %.*s",
    [ERR_DECR_OVERFLOW] = "ERR decrement would overflow",
    [ERR_NO_SHUTDOWN] = "ERR No shutdown in progress.",
    [ERR_SHUTDOWN_FAILED] = "ERR Errors trying to SHUTDOWN. Check logs.",
    [ERR_BGSAVE_RUNNING] = "ERR Background save already in progress",
    [ERR_BARE] = "ERR",
    [ERR_MISCONF] = PERSIST_MISCONF,
    [ERR_DEBUG_DISABLED] = "ERR DEBUG command not allowed. If the "
                           "enable-debug-command option is set to \"local\", "
                           "you can run it from a local connection, otherwise "
                           "you need to set this option in the configuration "
                           "file, and then restart the server.",
    [ERR_SWAPDB_INDEX] = "ERR invalid %s DB index",
    [ERR_CONFIG] = "ERR %s",
    [ERR_SUBCMD_ARGS] = "ERR unknown subcommand or wrong number of "
                        "arguments for '%.*s'. Try %s HELP.",
    [ERR_RL_NOT_STATE] = "ERR key does not hold rate limiter state",
    [ERR_RL_ARG] = "ERR %s must be an integer from %lld to %lld",
    [ERR_RL_COST] = "ERR %s must not be greater than the burst",
    [ERR_RL_ALGO] = "ERR ALGO must be one of gcra, fixed, sliding",
    /* Redis 8.4's wording for a malformed IFDEQ/IFDNE digest. */
    [ERR_DIGEST_LEN] = "ERR must be exactly 16 hexadecimal characters",
    [ERR_DELEX_TYPE] = "ERR Key should be of string type if conditions are "
                       "specified",
    [ERR_DELEX_COND] = "ERR Invalid condition. Use IFEQ, IFNE, IFDEQ, or "
                       "IFDNE",
    [ERR_HASH_NOT_INT] = "ERR hash value is not an integer",
    [ERR_HASH_NOT_FLOAT] = "ERR hash value is not a float",
    [ERR_NAN_INF] = "ERR value is NaN or Infinity",
    [ERR_LONG_RANGE] = "ERR value is out of range, value must between "
                       "-9223372036854775807 and 9223372036854775807",
    [ERR_VALUE_RANGE] = "ERR value is out of range",
    [ERR_NOT_POSITIVE] = "ERR value is out of range, must be positive",
    [ERR_ZERO_OR_ONE] = "ERR value is out of range, value must between 0 "
                        "and 1",
    [ERR_WAITAOF_NO_AOF] = "ERR WAITAOF cannot be used when numlocal is set "
                           "but appendonly is disabled.",
    [ERR_NUMKEYS_ZERO] = "ERR numkeys should be greater than 0",
    [ERR_NUMKEYS_ARGS] = "ERR Number of keys can't be greater than number "
                         "of args",
    [ERR_NUMKEYS_NEG] = "ERR Number of keys can't be negative",
    [ERR_NOSCRIPT] = "NOSCRIPT No matching script. Please use EVAL.",
    [ERR_NOTBUSY] = "NOTBUSY No scripts in execution right now.",
    [ERR_BUSY_SCRIPT] = "BUSY Redis is busy running a script. You can only "
                        "call SCRIPT KILL or SHUTDOWN NOSAVE.",
    [ERR_BUSY_FUNCTION] = "BUSY Redis is busy running a script. You can "
                          "only call FUNCTION KILL or SHUTDOWN NOSAVE.",
    [ERR_UNKILLABLE] = "UNKILLABLE Sorry the script already executed write "
                       "commands against the dataset. You can either wait "
                       "the script termination or kill the server in a "
                       "hard way using the SHUTDOWN NOSAVE command.",
    [ERR_SCRIPT_FLUSH_MODE] = "ERR SCRIPT FLUSH only support SYNC|ASYNC "
                              "option",
    [ERR_SCRIPT_RO_WRITE_FLAG] = "ERR Can not execute a script with write "
                                 "flag using *_ro command.",
    [ERR_SCRIPT_DEBUG_MODE] = "ERR Use SCRIPT DEBUG YES/SYNC/NO",
    [ERR_SCRIPT_DEBUG_PIPELINE] = "ERR SCRIPT DEBUG must be called outside "
                                  "a pipeline",
    [ERR_SCRIPT_DEBUG_FORK] = "ERR Fork() failed: can't run EVAL in "
                              "debugging mode: %s",
    [ERR_REPLCONF_OPTION] = "ERR Unrecognized REPLCONF option: %s",
    [ERR_REPLCONF_FILTER] = "ERR Unsupported rdb-filter-only option: %s",
    [ERR_SYNC_PENDING] = "ERR SYNC and PSYNC are invalid with pending "
                         "output",
    [ERR_SYNC_NOT_RDB_ONLY] = "ERR this server does not replicate: SYNC "
                              "sends an RDB snapshot only, after REPLCONF "
                              "rdb-only 1 (as redis-cli --rdb sends it)",
    [ERR_SYNC_FORK] = "ERR Unable to fork the snapshot for SYNC: %s",
    [ERR_SCRIPT_DEBUG_EVALSHA] = "ERR Please use EVAL instead of EVALSHA "
                                 "for debugging",
    [ERR_SHEBANG_ENGINE] = "ERR Unexpected engine in script shebang: %.*s",
    [ERR_SHEBANG_OPTION] = "ERR Unknown lua shebang option: %.*s",
    [ERR_SHEBANG_FLAG] = "ERR Unexpected flag in script shebang: %.*s",
    [ERR_SHEBANG_INVALID] = "ERR Invalid script shebang",
    [ERR_LIMIT_NEG] = "ERR LIMIT can't be negative",
    [ERR_FN_NOT_FOUND] = "ERR Function not found",
    [ERR_FN_NUMKEYS] = "ERR Bad number of keys provided",
    [ERR_FN_LIB_NOT_FOUND] = "ERR Library not found",
    [ERR_FN_LIB_EXISTS] = "ERR Library '%.*s' already exists",
    [ERR_FN_LIB_EXISTS_RESTORE] = "ERR Library %.*s already exists",
    [ERR_FN_EXISTS] = "ERR Function %.*s already exists",
    [ERR_FN_NO_METADATA] = "ERR Missing library metadata",
    [ERR_FN_BAD_METADATA] = "ERR Invalid library metadata",
    [ERR_FN_NO_NAME] = "ERR Library name was not given",
    [ERR_FN_NAME_TWICE] = "ERR Invalid metadata value, name argument was "
                          "given multiple times",
    [ERR_FN_METADATA_VALUE] = "ERR Invalid metadata value given: %.*s",
    [ERR_FN_BAD_NAME] = "ERR Library names can only contain letters, "
                        "numbers, or underscores(_) and must be at least "
                        "one character long",
    [ERR_FN_ENGINE] = "ERR Engine '%.*s' not found",
    [ERR_FN_NONE_REGISTERED] = "ERR No functions registered",
    [ERR_FN_LOAD_OPTION] = "ERR Unknown option given: %.*s",
    [ERR_FN_LIST_ARG] = "ERR Unknown argument %.*s",
    [ERR_FN_LIST_NO_LIB] = "ERR library name argument was not given",
    [ERR_FN_FLUSH_MODE] = "ERR FUNCTION FLUSH only supports SYNC|ASYNC "
                          "option",
    [ERR_FN_RESTORE_POLICY] = "ERR Wrong restore policy given, value "
                              "should be either FLUSH, APPEND or REPLACE.",
    [ERR_FN_PAYLOAD] = "ERR DUMP payload version or checksum are wrong",
    [ERR_FN_NOT_FUNCTION] = "ERR given type is not a function",
    [ERR_FN_LOAD_NAME] = "ERR Failed loading library name",
    [ERR_FN_LOAD_PAYLOAD] = "ERR Failed loading library payload",
    [ERR_FN_LOAD_ENGINE] = "ERR Failed loading engine name",
    [ERR_FN_LOAD_DESC_FLAG] = "ERR Failed loading library description "
                              "indicator",
    [ERR_FN_LOAD_DESC] = "ERR Failed loading library description",
    [ERR_FN_LOAD_BLOB] = "ERR Failed loading library blob",
    /* Sorted sets. */
    [ERR_ZADD_NX_XX] = "ERR XX and NX options at the same time are not "
                       "compatible",
    [ERR_ZADD_GT_LT_NX] = "ERR GT, LT, and/or NX options at the same time "
                          "are not compatible",
    [ERR_ZADD_INCR_PAIR] = "ERR INCR option supports a single "
                           "increment-element pair",
    [ERR_ZSET_NAN] = "ERR resulting score is not a number (NaN)",
    [ERR_ZRANGE_FLOAT] = "ERR min or max is not a float",
    [ERR_ZRANGE_LEX] = "ERR min or max not valid string range item",
    [ERR_ZRANGE_LIMIT] = "ERR syntax error, LIMIT is only supported in "
                         "combination with either BYSCORE or BYLEX",
    [ERR_ZRANGE_LEX_SCORES] = "ERR syntax error, WITHSCORES not supported "
                              "in combination with BYLEX",
    [ERR_ZSET_NUMKEYS] = "ERR at least 1 input key is needed for '%s' "
                         "command",
    [ERR_ZSET_WEIGHT] = "ERR weight value is not a float",
    [ERR_COUNT_POSITIVE] = "ERR count should be greater than 0",
    /* Geospatial: Redis 7.0's wording, lower case and all. */
    [ERR_GEO_LONLAT] = "ERR invalid longitude,latitude pair %f,%f",
    [ERR_GEO_UNIT] = "ERR unsupported unit provided. please use M, KM, FT, "
                     "MI",
    [ERR_GEO_MEMBER] = "ERR could not decode requested zset member",
    [ERR_GEO_RADIUS] = "ERR need numeric radius",
    [ERR_GEO_WIDTH] = "ERR need numeric width",
    [ERR_GEO_HEIGHT] = "ERR need numeric height",
    [ERR_GEO_RADIUS_NEG] = "ERR radius cannot be negative",
    [ERR_GEO_BOX_NEG] = "ERR height or width cannot be negative",
    [ERR_GEO_COUNT] = "ERR COUNT must be > 0",
    [ERR_GEO_STORE_WITH] = "ERR %s is not compatible with WITHDIST, "
                           "WITHHASH and WITHCOORD options",
    [ERR_GEO_FROM] = "ERR exactly one of FROMMEMBER or FROMLONLAT can be "
                     "specified for %s",
    [ERR_GEO_BY] = "ERR exactly one of BYRADIUS and BYBOX can be specified "
                   "for %s",
    [ERR_GEO_ANY] = "ERR the ANY argument requires COUNT argument",
    /* Lists (cmd_list.c). */
    [ERR_LIST_INDEX] = "ERR index out of range",
    [ERR_LPOS_RANK] = "ERR RANK can't be zero: use 1 to start from the "
                      "first match, 2 from the second ... or use negative "
                      "to start from the end of the list",
    [ERR_LPOS_COUNT] = "ERR COUNT can't be negative",
    [ERR_LPOS_MAXLEN] = "ERR MAXLEN can't be negative",
    /* Streams: Redis 7.0's wording. */
    [ERR_XID_INVALID] = "ERR Invalid stream ID specified as stream command "
                        "argument",
    [ERR_XADD_ID_ZERO] = "ERR The ID specified in XADD must be greater than "
                         "0-0",
    [ERR_XADD_ID_SMALL] = "ERR The ID specified in XADD is equal or smaller "
                          "than the target stream top item",
    [ERR_XADD_EXHAUSTED] = "ERR The stream has exhausted the last possible "
                           "ID, unable to add more items",
    [ERR_XADD_TOO_LARGE] = "ERR Elements are too large to be stored",
    [ERR_XMAXLEN_NEG] = "ERR The MAXLEN argument must be >= 0.",
    [ERR_XLIMIT_NEG] = "ERR The LIMIT argument must be >= 0.",
    [ERR_XLIMIT_NOSTRAT] = "ERR syntax error, LIMIT cannot be used without "
                           "specifying a trimming strategy",
    [ERR_XLIMIT_NOAPPROX] = "ERR syntax error, LIMIT cannot be used without "
                            "the special ~ option",
    [ERR_XTRIM_NOSTRAT] = "ERR syntax error, XTRIM must be called with a "
                          "trimming strategy",
    [ERR_XTRIM_BOTH] = "ERR syntax error, MAXLEN and MINID options at the "
                       "same time are not compatible",
    [ERR_XSTART_INVALID] = "ERR invalid start ID for the interval",
    [ERR_XEND_INVALID] = "ERR invalid end ID for the interval",
    [ERR_XSETID_SMALL] = "ERR The ID specified in XSETID is smaller than the "
                         "target stream top item",
    [ERR_XSETID_ADDED_SMALL] = "ERR The entries_added specified in XSETID is "
                               "smaller than the target stream length",
    [ERR_XSETID_MAXDEL_ARG] = "ERR The ID specified in XSETID is smaller "
                              "than the provided max_deleted_entry_id",
    [ERR_XSETID_MAXDEL_CUR] = "ERR The ID specified in XSETID is smaller "
                              "than current max_deleted_entry_id",
    [ERR_XSETID_ADDED_NEG] = "ERR entries_added must be positive",
    /* 7.0.15 says XREAD and '$' for XREADGROUP too. */
    /* Redis 7.4's wording, which names the command (7.0 said XREAD for
     * both). */
    [ERR_XREAD_UNBALANCED] = "ERR Unbalanced '%s' list of streams: for each "
                             "stream key an ID or '%c' must be specified.",
    [ERR_XREAD_GROUP_OPT] = "ERR The GROUP option is only supported by "
                            "XREADGROUP. You called XREAD instead.",
    [ERR_XREAD_NOACK_OPT] = "ERR The NOACK option is only supported by "
                            "XREADGROUP. You called XREAD instead.",
    [ERR_XREAD_MISSING_GROUP] = "ERR Missing GROUP option for XREADGROUP",
    [ERR_XREAD_DOLLAR] = "ERR The $ ID is meaningless in the context of "
                         "XREADGROUP: you want to read the history of this "
                         "consumer by specifying a proper ID, or use the > "
                         "ID to get new messages. The $ ID would just return "
                         "an empty result set.",
    [ERR_XREAD_PLUS] = "ERR The + ID is meaningless in the context of "
                       "XREADGROUP: you want to read the history of this "
                       "consumer by specifying a proper ID, or use the > "
                       "ID to get new messages. The + ID would just return "
                       "an empty result set.",
    [ERR_XREAD_BLOCK_SCRIPT] = "ERR %.*s command is not allowed with BLOCK "
                               "option from scripts",
    [ERR_XREAD_GT] = "ERR The > ID can be specified only when calling "
                     "XREADGROUP using the GROUP <group> <consumer> option.",
    [ERR_NOGROUP_READ] = "NOGROUP No such key '%.*s' or consumer group "
                         "'%.*s' in XREADGROUP with GROUP option",
    [ERR_NOGROUP_KEY] = "NOGROUP No such key '%.*s' or consumer group '%.*s'",
    [ERR_NOGROUP_XGROUP] = "NOGROUP No such consumer group '%.*s' for key "
                           "name '%.*s'",
    [ERR_UNBLOCKED_CLIENT] = "UNBLOCKED client unblocked via CLIENT UNBLOCK",
    [ERR_UNBLOCK_REASON] = "ERR CLIENT UNBLOCK reason should be TIMEOUT or "
                           "ERROR",
    [ERR_BUSYGROUP] = "BUSYGROUP Consumer Group name already exists",
    [ERR_XGROUP_NOKEY] = "ERR The XGROUP subcommand requires the key to "
                         "exist. Note that for CREATE you may want to use "
                         "the MKSTREAM option to create an empty stream "
                         "automatically.",
    [ERR_XGROUP_ENTRIESREAD] = "ERR value for ENTRIESREAD must be positive "
                               "or -1",
    [ERR_XCLAIM_MINIDLE] = "ERR Invalid min-idle-time argument for %s",
    [ERR_XCLAIM_OPT] = "ERR Invalid %s option argument for XCLAIM",
    [ERR_XCLAIM_UNKNOWN] = "ERR Unrecognized XCLAIM option '%.*s'",
    [ERR_XAUTOCLAIM_COUNT] = "ERR COUNT must be > 0",
    /* Bitmaps. */
    [ERR_BIT_VALUE] = "ERR bit is not an integer or out of range",
    [ERR_BITPOS_BIT] = "ERR The bit argument must be 1 or 0.",
    [ERR_BITOP_NOT] = "ERR BITOP NOT must be called with a single source "
                      "key.",
    [ERR_BITFIELD_TYPE] = "ERR Invalid bitfield type. Use something like "
                          "i16 u8. Note that u64 is not supported but i64 "
                          "is.",
    [ERR_BITFIELD_OVERFLOW] = "ERR Invalid OVERFLOW type specified",
    [ERR_BITFIELD_RO] = "ERR BITFIELD_RO only supports the GET subcommand",
    [ERR_HLL_WRONGTYPE] = "WRONGTYPE Key is not a valid HyperLogLog string "
                          "value.",
    [ERR_HLL_INVALID] = "INVALIDOBJ Corrupted HLL object detected",
    [ERR_PFDEBUG_NOKEY] = "ERR The specified key does not exist",
    [ERR_PFDEBUG_NOT_SPARSE] = "ERR HLL encoding is not sparse",
    [ERR_PFDEBUG_SUBCMD] = "ERR Unknown PFDEBUG subcommand '%.*s'",
    [ERR_PFSELFTEST] = "TESTFAILED %s",
    [ERR_OBJECT_IDLETIME_LFU] = "ERR An LFU maxmemory policy is selected, "
        "idle time not tracked. Please note that when switching between "
        "policies at runtime LRU and LFU data will take some time to "
        "adjust.",
    [ERR_OBJECT_FREQ_NOT_LFU] = "ERR An LFU maxmemory policy is not "
        "selected, access frequency not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take "
        "some time to adjust.",
    [ERR_MEMORY_PURGE] = "ERR Error purging dirty pages",
    /* In Redis 7.0 a MONITOR client is a replica that still gets replies. */
    [ERR_MONITOR_KEYSPACE] = "ERR Replica can't interact with the keyspace",
    [ERR_MONITOR_DENY_BLOCKING] = "ERR MONITOR isn't allowed for DENY "
                                  "BLOCKING client",
    [ERR_SLOWLOG_COUNT] = "ERR count should be greater than or equal to -1",
    [ERR_LATENCY_NO_SAMPLES] = "ERR No samples available for event '%.*s'",
    [ERR_PAUSE_MODE] = "ERR CLIENT PAUSE mode must be WRITE or ALL",
    [ERR_SORT_SCORE] = "ERR One or more scores can't be converted into "
                       "double",
    [ERR_LCS_TYPE] = "ERR The specified keys must contain string values",
    [ERR_LCS_LEN_IDX] = "ERR If you want both the length and indexes, "
                        "please just use IDX.",
    [ERR_LCS_TOO_LONG] = "ERR String too long for LCS",
    [ERR_LCS_NOMEM] = "ERR Insufficient memory, failed allocating "
                      "transient memory for LCS",
    [ERR_LCS_TABLE_LIMIT] = "ERR Insufficient memory, transient memory "
                            "for LCS exceeds proto-max-bulk-len",
    [ERR_CLUSTER_DISABLED] = "ERR This instance has cluster support "
                             "disabled",
    [ERR_DEBUG_RELOAD_OPTION] = "ERR DEBUG RELOAD only supports the MERGE, "
        "NOFLUSH and NOSAVE options.",
    [ERR_DEBUG_RELOAD_LOAD] = "ERR Error trying to load the RDB dump",
    [ERR_DEBUG_SUBCOMMAND] = "ERR unknown subcommand or wrong number of "
                             "arguments for '%.*s'. Try DEBUG HELP.",
    [ERR_DEBUG_PROTOCOL_TYPE] = "ERR Wrong protocol type name. Please use "
                                "one of the following: string|integer|"
                                "double|bignum|null|array|set|map|attrib|"
                                "push|verbatim|true|false",
    [ERR_DEBUG_PUSH_RESP2] = "ERR RESP2 is not supported by this command",
    [ERR_MODULE_REFUSED] = "ERR MODULE command not allowed. If the "
                           "enable-module-command option is set to "
                           "\"local\", you can run it from a local "
                           "connection, otherwise you need to set this "
                           "option in the configuration file, and then "
                           "restart the server.",
    [ERR_MODULE_LOAD] = "ERR Error loading the extension. Please check the "
                        "server logs.",
    [ERR_MODULE_UNLOAD] = "ERR Error unloading module: no such module with "
                          "that name",
    [ERR_TRACKING_REDIR_ONE] = "ERR A client can only redirect to a single "
                               "other client",
    [ERR_TRACKING_REDIR_NONE] = "ERR The client ID you want redirect to "
                                "does not exist",
    [ERR_TRACKING_PREFIX] = "ERR PREFIX option requires BCAST mode to be "
                            "enabled",
    [ERR_TRACKING_BCAST_SWITCH] = "ERR You can't switch BCAST mode on/off "
        "before disabling tracking for this client, and then re-enabling it "
        "with a different mode.",
    [ERR_TRACKING_BCAST_OPT] = "ERR OPTIN and OPTOUT are not compatible "
                               "with BCAST",
    [ERR_TRACKING_OPT_BOTH] = "ERR You can't specify both OPTIN mode and "
                              "OPTOUT mode",
    [ERR_TRACKING_OPT_SWITCH] = "ERR You can't switch OPTIN/OPTOUT mode "
        "before disabling tracking for this client, and then re-enabling it "
        "with a different mode.",
    [ERR_TRACKING_OVERLAP_OLD] = "ERR Prefix '%.*s' overlaps with an "
        "existing prefix '%.*s'. Prefixes for a single client must not "
        "overlap.",
    [ERR_TRACKING_OVERLAP_NEW] = "ERR Prefix '%.*s' overlaps with another "
        "provided prefix '%.*s'. Prefixes for a single client must not "
        "overlap.",
    [ERR_CACHING_MODE] = "ERR CLIENT CACHING can be called only when the "
        "client is in tracking mode with OPTIN or OPTOUT mode enabled",
    [ERR_CACHING_YES] = "ERR CLIENT CACHING YES is only valid when tracking "
                        "is enabled in OPTIN mode.",
    [ERR_CACHING_NO] = "ERR CLIENT CACHING NO is only valid when tracking "
                       "is enabled in OPTOUT mode.",
    [ERR_GETKEYS_COMMAND] = "ERR Invalid command specified",
    [ERR_GETKEYS_NO_KEYS] = "ERR The command has no key arguments",
    [ERR_GETKEYS_ARITY] = "ERR Invalid number of arguments specified for "
                          "command",
    [ERR_GETKEYS_ARGS] = "ERR Invalid arguments specified for command",
    [ERR_BUSYKEY] = "BUSYKEY Target key name already exists.",
    [ERR_RESTORE_TTL] = "ERR Invalid TTL value, must be >= 0",
    [ERR_RESTORE_IDLETIME] = "ERR Invalid IDLETIME value, must be >= 0",
    [ERR_RESTORE_FREQ] = "ERR Invalid FREQ value, must be >= 0 and <= 255",
    [ERR_BAD_DATA] = "ERR Bad data format",
    [ERR_SORT_BY_ACL] = "ERR BY option of SORT denied due to insufficient "
                        "ACL permissions.",
    [ERR_SORT_GET_ACL] = "ERR GET option of SORT denied due to insufficient "
                         "ACL permissions.",
    [ERR_HFE_EXPIRE_NEG] = "ERR invalid expire time, must be >= 0",
    [ERR_HFE_FIELDS_MISSING] = "ERR Mandatory argument FIELDS is missing or "
                               "not at the right position",
    [ERR_HFE_NUMFIELDS_GT0] = "ERR Parameter `numFields` should be greater "
                              "than 0",
    [ERR_HFE_NUMFIELDS_POS] = "ERR Number of fields must be a positive "
                              "integer",
    [ERR_HFE_NUMFIELDS_MATCH] = "ERR The `numfields` parameter must match "
                                "the number of arguments",
    [ERR_HFE_BAD_NUMFIELDS] = "ERR invalid number of fields",
    [ERR_HFE_ONE_EXPIRY] = "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL "
                           "arguments can be specified",
    [ERR_HFE_MISSING_EXPIRE] = "ERR missing expire time",
    [ERR_HFE_ONE_FXX] = "ERR Only one of FXX or FNX arguments can be "
                        "specified",
    [ERR_HFE_UNKNOWN_ARG] = "ERR unknown argument: %.*s",
    [ERR_NOVALUES_HSCAN] = "ERR NOVALUES option can only be used in HSCAN",
};

/* Counts an error reply under its code for INFO errorstats, as Redis's
 * afterErrorReply does: the first word if a space ends it within 32
 * bytes, else "ERR", and in total_error_replies. The codes are those of
 * the table above, so the 32 slots never fill; a code past them is not
 * listed. */
static void count_error(struct server *srv, const char *msg, size_t len)
{
    srv->stat_errors++;
    const char *sp = memchr(msg, ' ', len < 32 ? len : 32);
    size_t n = sp ? (size_t)(sp - msg) : 3;
    const char *code = sp ? msg : "ERR";
    size_t i = 0;
    for (; i < srv->nerrorstats; i++) {
        int cmp = strncmp(srv->errorstats[i].code, code, n);
        if (cmp == 0 && srv->errorstats[i].code[n] == '\0') {
            srv->errorstats[i].count++;
            return;
        }
        if (cmp >= 0)
            break;
    }
    size_t cap = sizeof(srv->errorstats) / sizeof(*srv->errorstats);
    if (srv->nerrorstats == cap || n >= sizeof(srv->errorstats[0].code))
        return;
    memmove(&srv->errorstats[i + 1], &srv->errorstats[i],
            (srv->nerrorstats - i) * sizeof(*srv->errorstats));
    memcpy(srv->errorstats[i].code, code, n);
    srv->errorstats[i].code[n] = '\0';
    srv->errorstats[i].count = 1;
    srv->nerrorstats++;
}

/* See server.h. */
const char *reply_error_string(enum reply_err e)
{
    return errors[e];
}

/* Writes error e, formatted with the arguments its table entry expects. */
void reply_error(struct client *c, enum reply_err e, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, e);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int n = vsnprintf(buf, sizeof(buf), errors[e], ap);
#pragma GCC diagnostic pop
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    reply_error_text(c, buf, (size_t)n);
}

/* Writes the error text msg, already formatted, and counts it. */
void reply_error_text(struct client *c, const char *msg, size_t len)
{
    resp_add_error(&c->out, msg, len);
    count_error(c->srv, msg, len);
    c->nerrors++;
}

/* Writes +OK. */
void reply_ok(struct client *c)
{
    resp_add_simple(&c->out, "OK");
}

/* See server.h. */
void reply_text(struct client *c, struct resp_out *text)
{
    if (text->nomem)
        reply_error(c, ERR_OOM);
    else
        resp_add_verbatim(&c->out, text->data ? text->data : "", text->len);
    resp_out_close(text);
}

/* Writes a HELP reply: an array of status lines, as Redis's addReplyHelp. */
void reply_help(struct client *c, const char *const *lines, size_t n)
{
    resp_add_array(&c->out, n);
    for (size_t i = 0; i < n; i++)
        resp_add_simple(&c->out, lines[i]);
}

/* See server.h. */
char *bytes_dup(const void *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

/* Returns 1 if argument i equals word, ignoring ASCII case. */
int arg_is(const struct client *c, size_t i, const char *word)
{
    size_t n = strlen(word);
    return i < c->argc && c->argvlen[i] == n &&
           strncasecmp(c->argv[i], word, n) == 0;
}

/* Parses p[0..n) as a signed 64-bit decimal with Redis's strictness.
 * Returns 1 and sets *out, or 0. The store's parser, so that what a list
 * keeps as a number is what commands take as one. */
int parse_i64(const char *p, size_t n, int64_t *out)
{
    return store_i64_parse(p, n, out);
}

/* Parses p[0..n) as a long double the way Redis's string2ld does: no
 * leading space, nothing left over, no NaN, no overflow. Returns 1 or 0. */
int parse_ldouble(const char *p, size_t n, long double *out)
{
    char buf[LDOUBLE_STR_MAX + 1];
    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    errno = 0;
    char *end;
    long double v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || *end != '\0' ||
        (size_t)(end - buf) != n || errno == EINVAL || isnan(v) ||
        (errno == ERANGE &&
         (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)))
        return 0;
    *out = v;
    return 1;
}

/* Parses argument i as an int64, or replies ERR_NOT_INT. Returns 1 or 0. */
int arg_i64_or_reply(struct client *c, size_t i, int64_t *out)
{
    if (parse_i64(c->argv[i], c->argvlen[i], out))
        return 1;
    reply_error(c, ERR_NOT_INT);
    return 0;
}

/* Parses argument i as an int64 in [min, max]; replies ERR_NOT_INT when
 * it is no integer and range_err when it is out of range. */
int arg_i64_range_or_reply(struct client *c, size_t i, int64_t min,
                           int64_t max, enum reply_err range_err,
                           int64_t *out)
{
    if (!arg_i64_or_reply(c, i, out))
        return 0;
    if (*out < min || *out > max) {
        reply_error(c, range_err);
        return 0;
    }
    return 1;
}

/* Parses argument i as a SCAN cursor with exactly what Redis's strtoul()
 * accepts, since clients see the difference: decimal digits that fit in
 * 64 bits, an optional sign (a minus wraps, as strtoul's does), the empty
 * string as 0, and, the argument being read as a C string, nothing after
 * a NUL byte. Returns 1, or replies "invalid cursor" and returns 0. */
int arg_cursor_or_reply(struct client *c, size_t i, uint64_t *cursor)
{
    const char *p = c->argv[i];
    size_t n = strnlen(p, c->argvlen[i]), k = 0;
    int neg = n > 0 && p[0] == '-';
    if (n > 0 && (p[0] == '+' || p[0] == '-'))
        k++;
    uint64_t v = 0;
    int ok = n == 0 || k < n;
    for (; ok && k < n; k++) {
        unsigned d = (unsigned)(p[k] - '0');
        ok = d <= 9 && v <= (UINT64_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (!ok) {
        reply_error(c, ERR_INVALID_CURSOR);
        return 0;
    }
    *cursor = neg ? 0 - v : v;
    return 1;
}

/* Formats v as Redis's INCRBYFLOAT replies it. Returns the length, or 0
 * when buf is too small. */
size_t format_ldouble(char *buf, size_t cap, long double v)
{
    if (isinf(v)) {
        const char *s = v > 0 ? "inf" : "-inf";
        size_t n = strlen(s);
        if (n + 1 > cap)
            return 0;
        memcpy(buf, s, n + 1);
        return n;
    }
    int l = snprintf(buf, cap, "%.17Lf", v);
    if (l < 0 || (size_t)l + 1 > cap)
        return 0;
    if (memchr(buf, '.', (size_t)l)) {
        while (buf[l - 1] == '0')
            l--;
        if (buf[l - 1] == '.')
            l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    buf[l] = '\0';
    return (size_t)l;
}
