#!/bin/bash
# bench.sh - throughput and memory of Respite next to Debian's redis-server.
#
#   scripts/bench.sh          full run (about 4 minutes on 2 cores)
#   scripts/bench.sh quick    smoke test: 1 round, small -n, 100k keys
#
# Throughput: both servers run side by side on free 127.0.0.1 ports, and
# redis-benchmark -c 50 measures SET, GET and "SET key val EX 100", each
# with -P 1 and -P 16. Every round runs every case once on each server,
# Respite first in odd rounds and Redis first in even ones (A B B A ...),
# so slow drift of the machine hits both alike; the table shows the
# median of the rounds.
#
# Memory: fresh instances of both servers load MEM_KEYS keys (13-byte key
# "key:000000001", 32-byte value) through a pipelining client
# (scripts/bench_mem.py, 1000 SETs per round trip); the table shows
# (used_memory after - before) / keys and the same for RSS.
#
# Results go to stdout as markdown, progress to stderr. The script reports;
# it never fails on a target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS    rounds of the throughput cases          (3, quick: 1)
#   N         requests per -P 1 run                   (200000, quick: 20000)
#   N_P16     requests per -P 16 run                  (1000000, quick: 100000)
#   KEYSPACE  redis-benchmark -r                      (100000)
#   MEM_KEYS  keys loaded for the memory table        (1000000, quick: 100000)
#   MEM_LOADER  py: scripts/bench_mem.py, batches of 1000 (default);
#             pipe: the whole load as one stream into redis-cli --pipe
#   FEATURES  the scripts/bench-NAME.sh run after the core tables
#             (prefix-scan pubsub ratelimit types streams evict bits lfu
#             eval geo hll sort random; empty: none)
#   PIN       1 pins servers to CPU 0 and clients to CPU 1 when there are
#             at least 2 CPUs; 0 leaves placement to the kernel  (0)
#   RESPITE_BIN  the Respite binary                   (bin/respite)
#   RESPITE_ARGS directives for Respite, e.g. "--busy-poll-us 0" (none)
#   REDIS_BIN    the reference server                 (redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-20000}; N_P16=${N_P16:-100000}
    MEM_KEYS=${MEM_KEYS:-100000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-200000}; N_P16=${N_P16:-1000000}
    MEM_KEYS=${MEM_KEYS:-1000000}
fi
KEYSPACE=${KEYSPACE:-100000}
PIN=${PIN:-0}
FEATURES=${FEATURES-prefix-scan pubsub ratelimit types streams evict bits lfu eval geo hll sort random}
MEM_LOADER=${MEM_LOADER:-py}
PYTHON=${PYTHON:-/usr/bin/python3}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
# Upper bound on any one benchmark or load step; only keeps a hung server
# from hanging the script, a step that hits it is reported, not judged.
STEP_TIMEOUT=${STEP_TIMEOUT:-600}

check_positive ROUNDS N N_P16 KEYSPACE MEM_KEYS STEP_TIMEOUT

case "$MEM_LOADER" in
    py) [ -x "$PYTHON" ] || die "$PYTHON not found (MEM_LOADER=pipe needs no Python)" ;;
    pipe) ;;
    *) die "MEM_LOADER must be py or pipe" ;;
esac
need_tools redis-benchmark redis-cli timeout awk
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"

# Servers (start_server, stop_pid in scripts/bench-lib.sh): the EXIT trap
# stops every one started, and removes WORK unless KEEP_WORK=1.
make_work respite-bench

# Fails the run (with the server's log) if a server died under load.
check_alive() {
    local name=$1 pid=$2 port=$3
    if ! kill -0 "$pid" 2>/dev/null; then
        KEEP_WORK=1
        log "$name (pid $pid) is gone; last lines of its log:"
        tail -n 20 "$WORK/$name-$port.log" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------

REDIS_NAME=$(redis_name)
BENCH_P1="redis-benchmark -h 127.0.0.1 -p PORT -c $CLIENTS -r $KEYSPACE -q --csv -n $N -P 1"
BENCH_P16="redis-benchmark -h 127.0.0.1 -p PORT -c $CLIENTS -r $KEYSPACE -q --csv -n $N_P16 -P 16"

echo "## Respite benchmark"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 KEYSPACE=$KEYSPACE MEM_KEYS=$MEM_KEYS MEM_LOADER=$MEM_LOADER PIN=$PIN FEATURES=\"$FEATURES\""
echo "date:      $(utc_now)"
echo "loadavg:   $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (before the run)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "pinning:   $PIN_NOTE"
echo "respite:   $RESPITE_BIN --port PORT --bind 127.0.0.1${RESPITE_ARGS:+ $RESPITE_ARGS}"
echo "           $(version_line "$RESPITE_BIN")"
echo "redis:     $REDIS_BIN --port PORT --bind 127.0.0.1 --save '' --appendonly no"
echo "           $(version_line "$REDIS_BIN")"
echo "client:    $(version_line redis-benchmark)"
echo "P1 runs:   $BENCH_P1 {-t set | -t get | SET ex:__rand_int__ val EX 100}"
echo "P16 runs:  $BENCH_P16 {same}"
echo '```'
echo

# ---------------------------------------------------------------------------
# Throughput
# ---------------------------------------------------------------------------

CASES=(set1 get1 ex1 set16 get16 ex16)
declare -A LABEL=(
    [set1]="SET, -P 1"  [get1]="GET, -P 1"  [ex1]="SET EX 100, -P 1"
    [set16]="SET, -P 16" [get16]="GET, -P 16" [ex16]="SET EX 100, -P 16"
)
declare -A SAMPLES=()   # "case,server" -> space-separated rps values
NOTES=()                # anything odd, printed after the tables

# run_case CASE SERVER PORT -> appends one rps sample (or NA).
run_case() {
    local c=$1 srv=$2 port=$3 n p out rc rps extra
    case "$c" in *16) n=$N_P16; p=16 ;; *) n=$N; p=1 ;; esac
    local args=(-h 127.0.0.1 -p "$port" -c "$CLIENTS" -r "$KEYSPACE" -q --csv
                -n "$n" -P "$p")
    case "$c" in
        set*) args+=(-t set) ;;
        get*) args+=(-t get) ;;
        ex*)  args+=(SET 'ex:__rand_int__' val EX 100) ;;
    esac
    out=$(timeout --foreground "$STEP_TIMEOUT" "${CLI_PIN[@]}" redis-benchmark "${args[@]}" 2>&1)
    rc=$?
    # The CSV row is "name","rps",...: rps is the 7th field from the end,
    # so a comma inside the name would not shift it.
    rps=$(printf '%s\n' "$out" | tr -d '\r' | awk -F, '
        /^"/ && $1 != "\"test\"" { v = $(NF-6); gsub(/"/, "", v); print v; exit }')
    extra=$(printf '%s\n' "$out" | tr -d '\r' | grep -v '^"' | grep -v '^[[:space:]]*$' | head -n 3)
    if [ $rc -ne 0 ] || [ -z "$rps" ]; then
        NOTES+=("$srv ${LABEL[$c]}: redis-benchmark exit $rc, no result; output: $(printf '%s' "$out" | tail -c 300 | tr '\n' ' ')")
        rps=NA
    elif [ -n "$extra" ]; then
        NOTES+=("$srv ${LABEL[$c]}: redis-benchmark printed: $(printf '%s' "$extra" | tr '\n' ' ')")
    fi
    SAMPLES["$c,$srv"]="${SAMPLES["$c,$srv"]:-}${SAMPLES["$c,$srv"]:+ }$rps"
    log "round $r/$ROUNDS  ${LABEL[$c]}  $srv: $rps req/s"
}

whole() {  # whole X -> X rounded to an integer, or "n/a" if empty or NA
    case "$1" in ''|NA) echo n/a ;; *) printf '%.0f\n' "$1" ;; esac
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT

# Sanity: the EX form must really set a TTL on both, or the numbers lie.
for sp in "respite:$A_PORT" "redis:$B_PORT"; do
    srv=${sp%%:*}; port=${sp#*:}
    set_reply=$(redis-cli -h 127.0.0.1 -p "$port" SET ex:sanity val EX 100 2>&1)
    ttl_reply=$(redis-cli -h 127.0.0.1 -p "$port" TTL ex:sanity 2>&1)
    case "$set_reply,$ttl_reply" in
        OK,[1-9]|OK,[1-9][0-9]|OK,100) ;;
        *) NOTES+=("$srv: SET ex:sanity val EX 100 -> '$set_reply', TTL -> '$ttl_reply'") ;;
    esac
    redis-cli -h 127.0.0.1 -p "$port" DEL ex:sanity >/dev/null 2>&1
done

# Warm-up, not measured: fill both keyspaces (key:* for SET/GET, ex:* for
# SET EX) on both servers, so round 1 GETs hit as often as later ones and
# no round pays for growing the hash tables.
r=0
for sp in "respite:$A_PORT" "redis:$B_PORT"; do
    srv=${sp%%:*}; port=${sp#*:}
    log "warm-up: $srv"
    for w in "-t set" "SET ex:__rand_int__ val EX 100"; do
        # shellcheck disable=SC2086  # $w is deliberately split into words
        timeout --foreground "$STEP_TIMEOUT" "${CLI_PIN[@]}" redis-benchmark \
            -h 127.0.0.1 -p "$port" -c "$CLIENTS" -r "$KEYSPACE" -q --csv \
            -n $((KEYSPACE * 3)) -P 16 $w >/dev/null 2>&1 \
            || NOTES+=("$srv warm-up ($w) failed")
    done
done
check_alive respite "$A_PID" "$A_PORT"; check_alive redis "$B_PID" "$B_PORT"

T0=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        for srv in $(ab_order "$r"); do
            ab_server "$srv"
            run_case "$c" "$srv" "$RUN_PORT"
            check_alive "$srv" "$RUN_PID" "$RUN_PORT"
        done
    done
done
T1=$(date +%s)

for sp in "respite:$A_PORT" "redis:$B_PORT"; do
    srv=${sp%%:*}; port=${sp#*:}
    NOTES+=("$srv after throughput: dbsize $(redis-cli -h 127.0.0.1 -p "$port" DBSIZE 2>&1), used_memory $(info_field "$port" used_memory), used_memory_rss $(info_field "$port" used_memory_rss)")
done

stop_pid "$A_PID"; stop_pid "$B_PID"

[ "$ROUNDS" = 1 ] && of="1 round" || of="median of $ROUNDS rounds"
echo "### Throughput (requests/s, $of, redis-benchmark -c $CLIENTS -r $KEYSPACE)"
echo
echo "| Case | Respite | $REDIS_NAME | Respite/Redis |"
echo "|---|---:|---:|---:|"
for c in "${CASES[@]}"; do
    a=$(echo "${SAMPLES["$c,respite"]}" | median)
    b=$(echo "${SAMPLES["$c,redis"]}" | median)
    printf '| %s | %s | %s | %s |\n' "${LABEL[$c]}" "$(whole "$a")" \
        "$(whole "$b")" "$(ratio "$a" "$b")"
done
echo
echo "Every sample, in run order ($((T1 - T0)) s in all):"
echo
echo '```'
for c in "${CASES[@]}"; do
    printf '%-18s respite: %-40s redis: %s\n' "${LABEL[$c]}" \
        "${SAMPLES["$c,respite"]}" "${SAMPLES["$c,redis"]}"
done
echo '```'
echo

# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------

# The RESP stream for MEM_KEYS SETs: "key:%09d" (13 bytes) -> 32-byte value.
gen_load() {
    awk -v n="$MEM_KEYS" 'BEGIN {
        for (i = 1; i <= n; i++)
            printf "*3\r\n$3\r\nSET\r\n$13\r\nkey:%09d\r\n$32\r\nvalue:%026d\r\n", i, i
    }'
}

declare -A MEM=()   # "server,field" -> bytes
load_memory() {
    local srv=$1 pid port out dbsize
    start_server "$srv"; pid=$SRV_PID; port=$SRV_PORT
    # Redis refreshes used_memory_rss from its cron (every 100 ms), so give
    # it a moment before each reading; Respite reads /proc at INFO time.
    sleep 1
    MEM["$srv,used0"]=$(info_field "$port" used_memory)
    MEM["$srv,rss0"]=$(info_field "$port" used_memory_rss)
    local t0
    t0=$(date +%s.%N)
    if [ "$MEM_LOADER" = pipe ]; then
        out=$(gen_load | timeout --foreground "$STEP_TIMEOUT" "${CLI_PIN[@]}" \
              redis-cli -h 127.0.0.1 -p "$port" --pipe 2>&1)
        ok="errors: 0, replies: $MEM_KEYS"
    else
        out=$(timeout --foreground "$STEP_TIMEOUT" "${CLI_PIN[@]}" "$PYTHON" \
              scripts/bench_mem.py "$port" "$MEM_KEYS" 2>&1)
        ok="replies $MEM_KEYS errors 0 "
    fi
    MEM["$srv,secs"]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    check_alive "$srv" "$pid" "$port"
    if ! printf '%s' "$out" | grep -q "$ok"; then
        NOTES+=("$srv memory load ($MEM_LOADER): $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')")
    fi
    dbsize=$(redis-cli -h 127.0.0.1 -p "$port" DBSIZE 2>&1)
    [ "$dbsize" = "$MEM_KEYS" ] || NOTES+=("$srv memory load: DBSIZE $dbsize, expected $MEM_KEYS")
    sleep 1
    MEM["$srv,used1"]=$(info_field "$port" used_memory)
    MEM["$srv,rss1"]=$(info_field "$port" used_memory_rss)
    log "$srv: used_memory ${MEM["$srv,used0"]} -> ${MEM["$srv,used1"]}, rss ${MEM["$srv,rss0"]} -> ${MEM["$srv,rss1"]}"
    stop_pid "$pid"
}

load_memory respite
load_memory redis

per_key() {  # per_key SERVER FIELD -> bytes per key, one decimal
    awk -v a="${MEM["$1,${2}0"]:-}" -v b="${MEM["$1,${2}1"]:-}" -v n="$MEM_KEYS" 'BEGIN {
        if (a == "" || b == "") print "n/a"; else printf "%.1f\n", (b - a) / n }'
}

[ "$MEM_LOADER" = py ] && how="scripts/bench_mem.py, 1000 SETs a round trip" \
                         || how="one redis-cli --pipe stream"
echo "### Memory ($MEM_KEYS keys of 13 bytes with 32-byte values, loaded by $how)"
echo
echo "| Bytes per key | Respite | $REDIS_NAME | Respite/Redis |"
echo "|---|---:|---:|---:|"
for f in used rss; do
    a=$(per_key respite "$f"); b=$(per_key redis "$f")
    case "$a$b" in *n/a*) rt=n/a ;; *) rt=$(ratio "$a" "$b") ;; esac
    [ "$f" = used ] && name=used_memory || name=RSS
    echo "| $name | $a | $b | $rt |"
done
echo
echo '```'
for srv in respite redis; do
    printf '%-8s used_memory %s -> %s   used_memory_rss %s -> %s   load %s s\n' \
        "$srv" "${MEM["$srv,used0"]:-?}" "${MEM["$srv,used1"]:-?}" \
        "${MEM["$srv,rss0"]:-?}" "${MEM["$srv,rss1"]:-?}" "${MEM["$srv,secs"]:-?}"
done
echo '```'

# The feature cases live in scripts of their own (each runs alone too);
# they print markdown tables in the same style.
for case in $FEATURES; do
    echo
    log "running scripts/bench-$case.sh $MODE"
    if [ "$MODE" = quick ]; then
        scripts/bench-"$case".sh quick || NOTES+=("bench-$case.sh failed")
    else
        scripts/bench-"$case".sh || NOTES+=("bench-$case.sh failed")
    fi
done

NOTES+=("loadavg after the run: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)")
echo
echo "### Notes"
echo
for note in "${NOTES[@]}"; do echo "- $note"; done
