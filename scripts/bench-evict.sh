#!/bin/bash
# bench-evict.sh - a cache under memory pressure: SET of random keys into a
# server whose maxmemory holds a fraction of them, so that nearly every SET
# evicts a key once the server is full. Respite next to Debian's
# redis-server in one run, for each maxmemory-policy in POLICIES.
#
#   scripts/bench-evict.sh          full run (about 5 minutes on 2 cores)
#   scripts/bench-evict.sh quick    smoke test: 1 round, 8mb, small -n
#
# For each policy both servers start fresh on free 127.0.0.1 ports with
# --maxmemory MAXMEMORY --maxmemory-policy POLICY (Redis also --save ''
# --appendonly no), and an untimed run of N_WARM SETs fills each to its
# limit. Then every round runs redis-benchmark -c 50 -r KEYSPACE -d SIZE
# -P 16 and then -P 1 on both servers, Respite first in odd rounds and
# Redis first in even ones. The workload is -t set for the allkeys-*
# policies; volatile-ttl needs keys with a TTL, so there each request is
# SET key:__rand_int__ <SIZE bytes of x> EX 3600 (the TTLs then differ by
# when a key was last written, and volatile-ttl evicts the oldest writes).
# KEYSPACE keys of SIZE bytes need several times MAXMEMORY (about 5x with
# the defaults), so once warm a SET mostly adds a key (a miss) and one or
# more are evicted to make room; the rest overwrite a key still held.
#
# Throughput: the median rps of the rounds on each server, and
# Respite/Redis as the median of the rounds' own ratios (each pair run back
# to back) with its 90% interval (bench-lib.sh paired_ci, 5 rounds or
# more); the server's CPU microseconds a SET beside it.
#
# Memory: while each server runs (warm-up included) redis-cli polls its
# INFO memory every POLL seconds; the table shows the highest used_memory
# seen and the used_memory at the end, each against maxmemory (a server
# that evicts on time stays just under it, as Redis evicts only once
# used_memory is over), used_memory_rss at the end, evicted_keys per SET of
# the timed runs, DBSIZE at the end (the keys MAXMEMORY holds) and from it
# the bytes a key costs under the limit: (used_memory at the end - empty
# server's used_memory) / DBSIZE. Error replies (e.g. -OOM) of the timed
# runs are counted, and should be 0. Redis counts its clients' buffers in
# used_memory (1-2 MB for 50 clients here), so during a run they take
# room from keys, and once the clients are gone it ends below maxmemory.
# The progress lines on stderr give each run's own peak.
#
# The same workload without eviction, for comparison:
#   POLICIES=allkeys-lru MAXMEMORY=4gb N_WARM=4000000 scripts/bench-evict.sh
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# figure. It stops every server it started, by PID.
#
# Settings (environment):
#   POLICIES   maxmemory-policies to run     (allkeys-lru allkeys-random volatile-ttl)
#   MAXMEMORY  --maxmemory of both servers    (64mb, quick: 8mb)
#   SIZE       value bytes (-d)               (100)
#   KEYSPACE   redis-benchmark -r             (2000000, quick: 250000)
#   ROUNDS     rounds                         (5, quick: 1)
#   N_P16      requests per -P 16 run         (1000000, quick: 100000)
#   N          requests per -P 1 run          (200000, quick: 20000)
#   N_WARM     SETs (-P 16) that fill a server before the rounds  (KEYSPACE / 2)
#   POLL       seconds between INFO memory polls  (0.1)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers (bin/respite, redis-server)
#   RESPITE_ARGS             directives for Respite, e.g. "--busy-poll-us 0"

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-evict "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-20000}; N_P16=${N_P16:-100000}
    MAXMEMORY=${MAXMEMORY:-8mb}; KEYSPACE=${KEYSPACE:-250000}
else
    ROUNDS=${ROUNDS:-5}; N=${N:-200000}; N_P16=${N_P16:-1000000}
    MAXMEMORY=${MAXMEMORY:-64mb}; KEYSPACE=${KEYSPACE:-2000000}
fi
POLICIES=${POLICIES:-allkeys-lru allkeys-random volatile-ttl}
SIZE=${SIZE:-100}
N_WARM=${N_WARM:-$((KEYSPACE / 2))}
POLL=${POLL:-0.1}
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
check_positive ROUNDS N N_P16 N_WARM SIZE KEYSPACE STEP_TIMEOUT
case "$POLL" in
    ''|*[!0-9.]*) echo "bench-evict: POLL must be a number of seconds" >&2; exit 2 ;;
esac
read -r -a CASES <<<"$POLICIES"
[ ${#CASES[@]} -gt 0 ] || { echo "bench-evict: POLICIES is empty" >&2; exit 2; }
need_tools redis-benchmark redis-cli timeout awk sort
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-evict
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
VALUE=$(head -c "$SIZE" /dev/zero | tr '\0' x)

# case_args POLICY -> the redis-benchmark arguments of its SETs, one a line.
case_args() {
    case "$1" in
        volatile-*) printf '%s\n' SET 'key:__rand_int__' "$VALUE" EX 3600 ;;
        *) printf '%s\n' -t set -d "$SIZE" ;;
    esac
}

# stat_field PORT FIELD: one INFO stats field of the server on PORT.
stat_field() {
    redis-cli -h 127.0.0.1 -p "$1" INFO stats 2>/dev/null \
        | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2; exit }'
}

# poll_start PORT: redis-cli, one connection, sends INFO memory every POLL
# seconds into $WORK/poll-PORT (emptied first) until poll_stop (or
# STEP_TIMEOUT seconds).
poll_start() {
    local count
    count=$(awk -v t="$STEP_TIMEOUT" -v p="$POLL" 'BEGIN { printf "%d\n", t / p + 1 }')
    redis-cli -h 127.0.0.1 -p "$1" -r "$count" -i "$POLL" INFO memory \
        >"$WORK/poll-$1" 2>/dev/null &
    POLL_PID=$!
    PIDS+=("$POLL_PID")
}
poll_stop() { stop_pid "$POLL_PID"; }

# poll_peak PORT: the highest used_memory the last run's polls of PORT
# saw, or NA.
poll_peak() {
    tr -d '\r' <"$WORK/poll-$1" 2>/dev/null | awk -F: '
        $1 == "used_memory" && $2 + 0 > m { m = $2 + 0 }
        END { if (m > 0) print m; else print "NA" }'
}

# max A B: the larger number of the two, NA ignored.
max() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^[0-9]+$/) a = ""; if (b !~ /^[0-9]+$/) b = ""
        if (a == "" && b == "") print "NA"; else if (a == "" || b + 0 > a + 0) print b; else print a }'
}

# run SRV P N ARGS...: one redis-benchmark run on SRV, polled; its rps
# into S[CASE,P,SRV], the server's CPU us a request into CPU[...], the
# highest used_memory polled into LAST_PEAK and PEAK[SRV] (the case's).
run() {
    local srv=$1 p=$2 n=$3 port pid t0 v us
    shift 3
    port=${PORT[$srv]}; pid=${PID[$srv]}
    t0=$(cpu_ticks "$pid")
    poll_start "$port"
    v=$(rps_of "$port" "$p" "$n" "$@")
    poll_stop
    LAST_PEAK=$(poll_peak "$port")
    PEAK[$srv]=$(max "${PEAK[$srv]}" "$LAST_PEAK")
    kill -0 "$pid" 2>/dev/null || die "$srv died under $CASE; log: $(tail -n 5 "$WORK/$srv-$port.log")"
    us=$(cpu_us $(($(cpu_ticks "$pid") - t0)) "$n")
    S["$CASE,$p,$srv"]+="$v "
    CPU["$CASE,$p,$srv"]+="$us "
    LAST_RPS=$v LAST_CPU=$us
}

# pct USED MAX: USED as a share of MAX, "101.2%", or "n/a".
pct() {
    awk -v u="$1" -v m="$2" 'BEGIN {
        if (u + 0 > 0 && m + 0 > 0) printf "%.1f%%\n", 100 * u / m; else print "n/a" }'
}

# mib BYTES: "63.9M", or "n/a".
mib() {
    awk -v b="$1" 'BEGIN { if (b + 0 > 0) printf "%.1fM\n", b / 1048576; else print "n/a" }'
}

declare -A PORT=() PID=() PEAK=() MEM0=() EV0=() ERR0=() ROW=() S=() CPU=()
SETS=$((ROUNDS * (N + N_P16)))
LAST_RPS=NA LAST_CPU=NA LAST_PEAK=NA
for CASE in "${CASES[@]}"; do
    mapfile -t ARGS < <(case_args "$CASE")
    for srv in respite redis; do
        start_server "$srv" --maxmemory "$MAXMEMORY" --maxmemory-policy "$CASE"
        PORT[$srv]=$SRV_PORT; PID[$srv]=$SRV_PID; PEAK[$srv]=NA
        MEM0[$srv]=$(info_field "$SRV_PORT" used_memory)
        got=$(info_field "$SRV_PORT" maxmemory_policy)
        [ "$got" = "$CASE" ] || log "$srv reports maxmemory_policy '$got', not $CASE"
    done
    for srv in respite redis; do
        log "$CASE: filling $srv with $N_WARM SETs"
        run "$srv" 16 "$N_WARM" "${ARGS[@]}"
        log "$CASE: $srv full: used_memory $(info_field "${PORT[$srv]}" used_memory) (peak $LAST_PEAK), evicted_keys $(stat_field "${PORT[$srv]}" evicted_keys)"
        S["$CASE,16,$srv"]=""; CPU["$CASE,16,$srv"]=""
        EV0[$srv]=$(stat_field "${PORT[$srv]}" evicted_keys)
        ERR0[$srv]=$(stat_field "${PORT[$srv]}" total_error_replies)
    done
    for r in $(seq 1 "$ROUNDS"); do
        for p in 16 1; do
            n=$N; [ "$p" = 16 ] && n=$N_P16
            for srv in $(ab_order "$r"); do
                run "$srv" "$p" "$n" "${ARGS[@]}"
                log "round $r/$ROUNDS  $CASE -P $p  $srv: $LAST_RPS req/s, $LAST_CPU us a SET, used_memory peak $LAST_PEAK, end $(info_field "${PORT[$srv]}" used_memory)"
            done
        done
    done
    for srv in respite redis; do
        port=${PORT[$srv]}
        max=$(info_field "$port" maxmemory)
        used=$(info_field "$port" used_memory)
        rss=$(info_field "$port" used_memory_rss)
        peak=${PEAK[$srv]}
        ev=$(stat_field "$port" evicted_keys)
        err=$(stat_field "$port" total_error_replies)
        keys=$(redis-cli -h 127.0.0.1 -p "$port" DBSIZE 2>/dev/null | tr -d '\r')
        per_set=$(awk -v a="${EV0[$srv]}" -v b="$ev" -v n="$SETS" 'BEGIN {
            if (a == "" || b == "") print "n/a"; else printf "%.3f\n", (b - a) / n }')
        per_key=$(awk -v a="${MEM0[$srv]}" -v b="$used" -v k="$keys" 'BEGIN {
            if (a == "" || b == "" || k + 0 == 0) print "n/a"; else printf "%.1f\n", (b - a) / k }')
        errs=$(awk -v a="${ERR0[$srv]}" -v b="$err" 'BEGIN {
            if (a == "" || b == "") print "n/a"; else print b - a }')
        ROW["$CASE,$srv"]="| $CASE | $srv | $(mib "$max") | $(mib "$peak") ($(pct "$peak" "$max")) | $(mib "$used") ($(pct "$used" "$max")) | $(mib "$rss") | $per_set | ${keys:-n/a} | $per_key | $errs |"
        log "$CASE $srv: peak used_memory $peak of $max, end $used, $per_set evicted a SET, $keys keys, $per_key bytes a key, $errs error replies"
        stop_pid "${PID[$srv]}"
    done
done

echo "## Eviction under maxmemory: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  POLICIES=\"$POLICIES\" MAXMEMORY=$MAXMEMORY SIZE=$SIZE KEYSPACE=$KEYSPACE"
echo "           ROUNDS=$ROUNDS N_P16=$N_P16 N=$N N_WARM=$N_WARM POLL=$POLL PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online), load average $LOAD0 at the start"
echo "respite:   $(version_line "$RESPITE_BIN")${RESPITE_ARGS:+, with $RESPITE_ARGS}"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "servers:   --maxmemory $MAXMEMORY --maxmemory-policy POLICY, fresh for each policy"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {16,1} {-t set -d $SIZE | SET key:__rand_int__ <$SIZE x> EX 3600 (volatile-*)}"
echo '```'
echo
echo "| Policy | -P | Respite rps | Redis rps | Respite/Redis (90% interval) | CPU us/SET Respite | Redis |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in "${CASES[@]}"; do
    for p in 16 1; do
        a=${S["$c,$p,respite"]}; b=${S["$c,$p,redis"]}
        echo "| $c | $p | $(echo "$a" | median) | $(echo "$b" | median) | $(paired_ratio "$a" "$b") ($(paired_ci "$a" "$b")) | $(echo "${CPU["$c,$p,respite"]}" | median) | $(echo "${CPU["$c,$p,redis"]}" | median) |"
    done
done
echo
echo "Memory after the warm-up and $ROUNDS round(s) ($SETS timed SETs a server):"
echo
echo "| Policy | Server | maxmemory | used_memory peak | used_memory end | RSS end | evicted/SET | DBSIZE | bytes/key | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in "${CASES[@]}"; do
    echo "${ROW["$c,respite"]}"
    echo "${ROW["$c,redis"]}"
done
echo
echo "rps: median of $ROUNDS round(s); the ratio is the median of the rounds' own"
echo "ratios, its interval n/a below 5 rounds. Peak: the highest used_memory of"
echo "the INFO memory polls every ${POLL}s, warm-up included. bytes/key: used_memory"
echo "growth from the empty server over DBSIZE."
