#!/bin/bash
# bench-types.sh - hashes, lists, sets and sorted sets: Respite next to
# Debian's redis-server in one run (issue 7's benchmark).
#
#   scripts/bench-types.sh          full run (about 3 minutes on 2 cores)
#   scripts/bench-types.sh quick    smoke test: 1 round, small -n
#
# Throughput: both servers side by side on free 127.0.0.1 ports; every
# round runs each case with -P 1 and -P 16 on both servers, Respite first
# in odd rounds and Redis first in even ones (A B B A ...). The cases are
# redis-benchmark's own tests hset, lpush, rpop, sadd and zadd, and
# "ZRANGE over 100 elements": ZRANGE bench:z 0 99 WITHSCORES on a sorted
# set of 100 members loaded before the rounds. The table shows the median
# of the rounds.
#
# Memory: fresh instances load TYPE_KEYS small collections of 10 elements
# each (8-byte fields/members, 8-byte values, sorted-set scores 0..9) with
# redis-cli --pipe; the table shows used_memory growth per element.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID. scripts/bench.sh runs it.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (100000, quick: 10000)
#   N_P16      requests per -P 16 run                   (500000, quick: 50000)
#   TYPE_KEYS  collections per type in the memory table (100000, quick: 10000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)
#   RESPITE_ARGS             directives for Respite, e.g. "--busy-poll-us 0"

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-types "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
    TYPE_KEYS=${TYPE_KEYS:-10000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
    TYPE_KEYS=${TYPE_KEYS:-100000}
fi
KEYSPACE=100000
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
check_positive ROUNDS N N_P16 TYPE_KEYS STEP_TIMEOUT
need_tools redis-benchmark redis-cli timeout awk
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-types

CASES=(hset lpush rpop sadd zadd zrange)
declare -A LABEL=([hset]=HSET [lpush]=LPUSH [rpop]=RPOP [sadd]=SADD
                  [zadd]=ZADD [zrange]="ZRANGE 0 99 WITHSCORES (100 members)")

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        zrange) printf '%s\n' ZRANGE bench:z 0 99 WITHSCORES ;;
        *) printf '%s\n' -t "$1" ;;
    esac
}

# The sorted set ZRANGE reads: 100 members m000..m099, scores 0.5..99.5.
load_zrange() {
    local port=$1 i args=(ZADD bench:z)
    for i in $(seq 0 99); do args+=("$i.5" "$(printf 'm%03d' "$i")"); done
    redis-cli -h 127.0.0.1 -p "$port" DEL bench:z >/dev/null
    redis-cli -h 127.0.0.1 -p "$port" "${args[@]}" >/dev/null
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load_zrange "$A_PORT"; load_zrange "$B_PORT"

ab_rounds
ZCARD_A=$(redis-cli -h 127.0.0.1 -p "$A_PORT" ZCARD bench:z)
ZCARD_B=$(redis-cli -h 127.0.0.1 -p "$B_PORT" ZCARD bench:z)
stop_pid "$A_PID"; stop_pid "$B_PID"

# gen_TYPE: the RESP load of TYPE_KEYS collections of 10 elements.
gen() {
    awk -v n="$TYPE_KEYS" -v t="$1" 'BEGIN {
        for (i = 1; i <= n; i++) {
            k = sprintf("%s:%09d", t, i)
            if (t == "hash") {
                printf "*22\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k
                for (j = 0; j < 10; j++)
                    printf "$8\r\nfield%03d\r\n$8\r\nval%05d\r\n", j, i % 100000
            } else if (t == "set" || t == "list") {
                printf "*12\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", (t == "set" ? 4 : 5),
                    (t == "set" ? "SADD" : "RPUSH"), length(k), k
                for (j = 0; j < 10; j++)
                    printf "$8\r\nmemb%04d\r\n", j
            } else {
                printf "*22\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n", length(k), k
                for (j = 0; j < 10; j++)
                    printf "$1\r\n%d\r\n$8\r\nmemb%04d\r\n", j, j
            }
        }
    }'
}
gen_hash() { gen hash; }
gen_set() { gen set; }
gen_list() { gen list; }
gen_zset() { gen zset; }

declare -A M=()
for t in hash list set zset; do
    for srv in respite redis; do
        M["$t,$srv"]=$(mem_per_item "$srv" $((TYPE_KEYS * 10)) "gen_$t")
        log "memory $t $srv: ${M["$t,$srv"]} bytes per element"
    done
done

echo "## Hashes, lists, sets, sorted sets: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 TYPE_KEYS=$TYPE_KEYS PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")${RESPITE_ARGS:+, with $RESPITE_ARGS}"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16} {-t hset|lpush|rpop|sadd|zadd | ZRANGE bench:z 0 99 WITHSCORES}"
echo "check:     ZCARD bench:z after the rounds: respite $ZCARD_A, redis $ZCARD_B"
echo '```'
echo
ab_table
echo
echo "Memory, $TYPE_KEYS collections of 10 elements per type, used_memory growth per element:"
echo
echo "| Type | Respite | Redis | Respite/Redis |"
echo "|---|---:|---:|---:|"
for t in hash list set zset; do
    a=${M["$t,respite"]}; b=${M["$t,redis"]}
    echo "| $t | $a | $b | $(ratio "$a" "$b") |"
done
echo
echo "Median of $ROUNDS round(s); target Respite/Redis >= 1.00x each."
