/* handlers.h - every command handler, for the table in commands.c.
 * A handler reads c->argc/c->argv/c->argvlen (arity already checked),
 * writes exactly one reply to c->out, and calls server_key_modified() for
 * each key it changed. */
#ifndef RESPITE_HANDLERS_H
#define RESPITE_HANDLERS_H

struct client;
struct subcommand_table;

/* The containers' subcommands, named by their table entries. */
extern const struct subcommand_table client_subs, command_subs, config_subs,
    pubsub_subs, slowlog_subs, xgroup_subs, xinfo_subs, object_subs,
    memory_subs, script_subs;
extern const struct subcommand_table latency_subs;
extern const struct subcommand_table cluster_subs, module_subs;

/* cmd_conn.c: connection */
void cmd_ping(struct client *c);
void cmd_echo(struct client *c);
void cmd_quit(struct client *c);
void cmd_hello(struct client *c);
void cmd_auth(struct client *c);
void cmd_select(struct client *c);
void cmd_client(struct client *c);
void cmd_reset(struct client *c);

/* cmd_acl.c: ACL */
extern const struct subcommand_table acl_subs;
void cmd_acl(struct client *c);

/* cmd_script.c: scripting */
void cmd_eval(struct client *c);
void cmd_eval_ro(struct client *c);
void cmd_evalsha(struct client *c);
void cmd_evalsha_ro(struct client *c);
void cmd_script(struct client *c);

/* cmd_function.c: Redis 7 functions */
extern const struct subcommand_table function_subs;
void cmd_fcall(struct client *c);
void cmd_fcall_ro(struct client *c);
void cmd_function(struct client *c);

/* cmd_server.c: server */
void cmd_dbsize(struct client *c);
void cmd_flushdb(struct client *c);
void cmd_flushall(struct client *c);
void cmd_swapdb(struct client *c);
void cmd_time(struct client *c);
void cmd_shutdown(struct client *c);
void cmd_info(struct client *c);
void cmd_command(struct client *c);
void cmd_config(struct client *c);
void cmd_debug(struct client *c);
/* persist.c: snapshots */
void cmd_save(struct client *c);
void cmd_bgsave(struct client *c);
void cmd_lastsave(struct client *c);
void cmd_sync(struct client *c);
void cmd_replconf(struct client *c);
void cmd_role(struct client *c);
void cmd_wait(struct client *c);
void cmd_waitaof(struct client *c);
/* cmd_cluster.c, cmd_module.c: cluster mode and modules, which Respite
 * does not have */
void cmd_cluster(struct client *c);
void cmd_cluster_only(struct client *c);
void cmd_module(struct client *c);

/* cmd_object.c, cmd_memory.c: introspection */
void cmd_object(struct client *c);
void cmd_memory(struct client *c);
/* monitor.c, cmd_slowlog.c: debugging aids */
void cmd_monitor(struct client *c);
void cmd_slowlog(struct client *c);
/* cmd_latency.c: the latency monitor and histograms */
void cmd_latency(struct client *c);
/* cmd_lolwut.c: a drawing and the version */
void cmd_lolwut(struct client *c);

/* multi.c: transactions */
void cmd_multi(struct client *c);
void cmd_exec(struct client *c);
void cmd_discard(struct client *c);
void cmd_watch(struct client *c);
void cmd_unwatch(struct client *c);

/* cmd_sort.c: SORT */
void cmd_sort(struct client *c);
void cmd_sort_ro(struct client *c);

/* cmd_string.c: strings */
void cmd_get(struct client *c);
void cmd_set(struct client *c);
void cmd_setnx(struct client *c);
void cmd_setex(struct client *c);
void cmd_psetex(struct client *c);
void cmd_getset(struct client *c);
void cmd_getdel(struct client *c);
void cmd_getex(struct client *c);
void cmd_mget(struct client *c);
void cmd_mset(struct client *c);
void cmd_msetnx(struct client *c);
void cmd_append(struct client *c);
void cmd_strlen(struct client *c);
void cmd_getrange(struct client *c);
void cmd_setrange(struct client *c);
void cmd_incr(struct client *c);
void cmd_decr(struct client *c);
void cmd_incrby(struct client *c);
void cmd_decrby(struct client *c);
void cmd_incrbyfloat(struct client *c);
/* cmd_lcs.c */
void cmd_lcs(struct client *c);

/* cmd_bits.c: bitmaps */
void cmd_setbit(struct client *c);
void cmd_getbit(struct client *c);
void cmd_bitcount(struct client *c);
void cmd_bitpos(struct client *c);
void cmd_bitop(struct client *c);
void cmd_bitfield(struct client *c);
void cmd_bitfield_ro(struct client *c);

/* cmd_hll.c: HyperLogLog */
void cmd_pfadd(struct client *c);
void cmd_pfcount(struct client *c);
void cmd_pfmerge(struct client *c);
void cmd_pfdebug(struct client *c);
void cmd_pfselftest(struct client *c);

/* cmd_lock.c: compare-and-delete, digests */
void cmd_delex(struct client *c);
void cmd_delifeq(struct client *c);
void cmd_digest(struct client *c);

/* cmd_ratelimit.c: rate limiting */
void cmd_ratelimit(struct client *c);
void cmd_cl_throttle(struct client *c);

/* cmd_hash.c: hashes */
void cmd_hset(struct client *c);
void cmd_hsetnx(struct client *c);
void cmd_hmset(struct client *c);
void cmd_hget(struct client *c);
void cmd_hmget(struct client *c);
void cmd_hgetall(struct client *c);
void cmd_hdel(struct client *c);
void cmd_hexists(struct client *c);
void cmd_hlen(struct client *c);
void cmd_hstrlen(struct client *c);
void cmd_hkeys(struct client *c);
void cmd_hvals(struct client *c);
void cmd_hincrby(struct client *c);
void cmd_hincrbyfloat(struct client *c);
void cmd_hrandfield(struct client *c);
void cmd_hscan(struct client *c);

/* cmd_set.c: sets */
void cmd_sadd(struct client *c);
void cmd_srem(struct client *c);
void cmd_sismember(struct client *c);
void cmd_smismember(struct client *c);
void cmd_smembers(struct client *c);
void cmd_scard(struct client *c);
void cmd_spop(struct client *c);
void cmd_srandmember(struct client *c);
void cmd_smove(struct client *c);
void cmd_sinter(struct client *c);
void cmd_sintercard(struct client *c);
void cmd_sinterstore(struct client *c);
void cmd_sunion(struct client *c);
void cmd_sunionstore(struct client *c);
void cmd_sdiff(struct client *c);
void cmd_sdiffstore(struct client *c);
void cmd_sscan(struct client *c);

/* cmd_list.c: lists */
void cmd_lpush(struct client *c);
void cmd_rpush(struct client *c);
void cmd_lpushx(struct client *c);
void cmd_rpushx(struct client *c);
void cmd_lpop(struct client *c);
void cmd_rpop(struct client *c);
void cmd_llen(struct client *c);
void cmd_lrange(struct client *c);
void cmd_lindex(struct client *c);
void cmd_lpos(struct client *c);
void cmd_lset(struct client *c);
void cmd_linsert(struct client *c);
void cmd_lrem(struct client *c);
void cmd_ltrim(struct client *c);
void cmd_lmove(struct client *c);
void cmd_rpoplpush(struct client *c);
void cmd_lmpop(struct client *c);
void cmd_blpop(struct client *c);
void cmd_brpop(struct client *c);
void cmd_blmove(struct client *c);
void cmd_brpoplpush(struct client *c);
void cmd_blmpop(struct client *c);

/* cmd_geo.c: geospatial commands on sorted sets */
void cmd_geoadd(struct client *c);
void cmd_geopos(struct client *c);
void cmd_geodist(struct client *c);
void cmd_geohash(struct client *c);
void cmd_georadius(struct client *c);
void cmd_georadius_ro(struct client *c);
void cmd_georadiusbymember(struct client *c);
void cmd_georadiusbymember_ro(struct client *c);
void cmd_geosearch(struct client *c);
void cmd_geosearchstore(struct client *c);

/* cmd_zset.c, cmd_zsetops.c: sorted sets */
void cmd_zadd(struct client *c);
void cmd_zincrby(struct client *c);
void cmd_zrem(struct client *c);
void cmd_zcard(struct client *c);
void cmd_zcount(struct client *c);
void cmd_zlexcount(struct client *c);
void cmd_zscore(struct client *c);
void cmd_zmscore(struct client *c);
void cmd_zrank(struct client *c);
void cmd_zrevrank(struct client *c);
void cmd_zrange(struct client *c);
void cmd_zrangestore(struct client *c);
void cmd_zrevrange(struct client *c);
void cmd_zrangebyscore(struct client *c);
void cmd_zrevrangebyscore(struct client *c);
void cmd_zrangebylex(struct client *c);
void cmd_zrevrangebylex(struct client *c);
void cmd_zremrangebyrank(struct client *c);
void cmd_zremrangebyscore(struct client *c);
void cmd_zremrangebylex(struct client *c);
void cmd_zpopmin(struct client *c);
void cmd_zpopmax(struct client *c);
void cmd_bzpopmin(struct client *c);
void cmd_bzpopmax(struct client *c);
void cmd_zmpop(struct client *c);
void cmd_bzmpop(struct client *c);
void cmd_zunionstore(struct client *c);
void cmd_zinterstore(struct client *c);
void cmd_zdiffstore(struct client *c);
void cmd_zunion(struct client *c);
void cmd_zinter(struct client *c);
void cmd_zdiff(struct client *c);
void cmd_zintercard(struct client *c);
void cmd_zrandmember(struct client *c);
void cmd_zscan(struct client *c);

/* cmd_keys.c: generic key commands */
void cmd_del(struct client *c);
void cmd_unlink(struct client *c);
void cmd_exists(struct client *c);
void cmd_touch(struct client *c);
void cmd_type(struct client *c);
void cmd_expire(struct client *c);
void cmd_pexpire(struct client *c);
void cmd_expireat(struct client *c);
void cmd_pexpireat(struct client *c);
void cmd_ttl(struct client *c);
void cmd_pttl(struct client *c);
void cmd_expiretime(struct client *c);
void cmd_pexpiretime(struct client *c);
void cmd_persist(struct client *c);
void cmd_rename(struct client *c);
void cmd_renamenx(struct client *c);
void cmd_copy(struct client *c);
void cmd_move(struct client *c);
void cmd_randomkey(struct client *c);
void cmd_keys(struct client *c);
void cmd_scan(struct client *c);

/* cmd_stream.c, cmd_xread.c, cmd_xgroup.c: streams */
void cmd_xadd(struct client *c);
void cmd_xlen(struct client *c);
void cmd_xrange(struct client *c);
void cmd_xrevrange(struct client *c);
void cmd_xdel(struct client *c);
void cmd_xtrim(struct client *c);
void cmd_xsetid(struct client *c);
void cmd_xread(struct client *c);
void cmd_xreadgroup(struct client *c);
void cmd_xgroup(struct client *c);
void cmd_xinfo(struct client *c);
void cmd_xack(struct client *c);
void cmd_xpending(struct client *c);
void cmd_xclaim(struct client *c);
void cmd_xautoclaim(struct client *c);

/* cmd_pubsub.c: pub/sub */
void cmd_subscribe(struct client *c);
void cmd_unsubscribe(struct client *c);
void cmd_psubscribe(struct client *c);
void cmd_punsubscribe(struct client *c);
void cmd_ssubscribe(struct client *c);
void cmd_sunsubscribe(struct client *c);
void cmd_publish(struct client *c);
void cmd_spublish(struct client *c);
void cmd_pubsub(struct client *c);

/* cmd_dump.c */
void cmd_dump(struct client *c);
void cmd_restore(struct client *c);

/* cmd_hash_ttl.c */
void cmd_hexpire(struct client *c);
void cmd_hpexpire(struct client *c);
void cmd_hexpireat(struct client *c);
void cmd_hpexpireat(struct client *c);
void cmd_httl(struct client *c);
void cmd_hpttl(struct client *c);
void cmd_hexpiretime(struct client *c);
void cmd_hpexpiretime(struct client *c);
void cmd_hpersist(struct client *c);

/* cmd_hash_ex.c */
void cmd_hgetdel(struct client *c);
void cmd_hgetex(struct client *c);
void cmd_hsetex(struct client *c);

#endif
