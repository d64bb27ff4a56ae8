#!/bin/bash
# bench-ratelimit.sh - RATELIMIT throughput against GET on the same Respite
# server, in the same run (Redis has no equivalent command to compare with).
#
#   scripts/bench-ratelimit.sh          full run (about a minute on 2 cores)
#   scripts/bench-ratelimit.sh quick    smoke test: 1 round, small -n
#
# One Respite server on a free 127.0.0.1 port. First the keyspace is filled
# with SET over the same KEYSPACE random keys, so GET mostly hits. Then
# every round runs, with redis-benchmark -c 50 -r KEYSPACE:
#
#   GET        -t get                                  (key:__rand_int__)
#   RATELIMIT  RATELIMIT rl:__rand_int__ 100 60000     (one limiter per key)
#   live       RATELIMIT lv:__rand_int__ 100 6000000
#
# "RATELIMIT" is a typical API limit, 100 a minute: at these rates a key
# is hit less often than every 600 ms, so most calls find their limiter
# expired (TTL = reset-after) and create the key again. "live" uses a
# 100-minute period, so keys stay and every call updates its state in
# place; the two bracket real workloads.
#
# each with -P 1 and -P 16, alternating GET and RATELIMIT so drift of the
# machine hits both alike. The table shows the median rps of the rounds and
# RATELIMIT/GET (target: at least 0.9). Markdown to stdout, progress to
# stderr; it reports and never fails on the target. It stops the server it
# started, by PID. scripts/bench.sh calls it for the README.
#
# Settings (environment):
#   ROUNDS    rounds                       (3, quick: 1)
#   N         requests per -P 1 run        (200000, quick: 20000)
#   N_P16     requests per -P 16 run       (1000000, quick: 100000)
#   KEYSPACE  redis-benchmark -r           (100000)
#   PIN       1 pins the server to CPU 0 and the client to CPU 1   (0)
#   RESPITE_BIN  the Respite binary        (bin/respite)

set -u
CMDLINE="$0${*:+ $*}"
cd "$(dirname "$0")/.." || exit 1

MODE=full
case "${1:-}" in
    "") ;;
    quick) MODE=quick ;;
    *) echo "usage: $0 [quick]" >&2; exit 2 ;;
esac
if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-20000}; N_P16=${N_P16:-100000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-200000}; N_P16=${N_P16:-1000000}
fi
KEYSPACE=${KEYSPACE:-100000}
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
CLIENTS=50
STEP_TIMEOUT=${STEP_TIMEOUT:-600}

for v in ROUNDS N N_P16 KEYSPACE STEP_TIMEOUT; do
    case "${!v}" in
        ''|*[!0-9]*|0) echo "bench-ratelimit: $v must be a positive integer" >&2; exit 2 ;;
    esac
done

log() { echo "bench-ratelimit: $*" >&2; }
die() { log "$*"; exit 1; }

for tool in redis-benchmark redis-cli timeout awk sort; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
if [ ! -x "$RESPITE_BIN" ]; then
    log "$RESPITE_BIN missing, running make"
    make >&2 || die "make failed"
fi

NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
SRV_PIN=(); CLI_PIN=(); PIN_NOTE="none"
if [ "$PIN" = 1 ] && [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
    SRV_PIN=(taskset -c 0); CLI_PIN=(taskset -c 1)
    PIN_NOTE="server on CPU 0, redis-benchmark on CPU 1"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-bench-rl.XXXXXX") || die "mktemp failed"
SRV_PID=""

cleanup() {
    if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        kill -TERM "$SRV_PID" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$SRV_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$SRV_PID" 2>/dev/null && kill -KILL "$SRV_PID" 2>/dev/null
        wait "$SRV_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pick_port() {
    local lo=32768 p _
    read -r lo _ 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range
    [ "${lo:-0}" -gt 12000 ] 2>/dev/null || lo=61000
    for _ in $(seq 1 50); do
        p=$((10000 + RANDOM % (lo - 10000)))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

PORT=""
for attempt in 1 2 3; do
    PORT=$(pick_port) || die "no free port found"
    "${SRV_PIN[@]}" "$RESPITE_BIN" --port "$PORT" --bind 127.0.0.1 \
        >"$WORK/respite.log" 2>&1 &
    SRV_PID=$!
    for _ in $(seq 1 100); do
        kill -0 "$SRV_PID" 2>/dev/null || break
        [ "$(redis-cli -h 127.0.0.1 -p "$PORT" PING 2>/dev/null)" = PONG ] && break 2
        sleep 0.1
    done
    log "respite did not come up on $PORT (attempt $attempt)"
    kill -KILL "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; SRV_PID=""
done
[ -n "$SRV_PID" ] || die "could not start respite"
log "started respite pid $SRV_PID on 127.0.0.1:$PORT"

# bench P N ARGS... -> prints the rps of one redis-benchmark run, or NA.
bench() {
    local p=$1 n=$2 out rps
    shift 2
    out=$(timeout --foreground "$STEP_TIMEOUT" "${CLI_PIN[@]}" redis-benchmark \
        -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -r "$KEYSPACE" -q --csv \
        -n "$n" -P "$p" "$@" 2>&1)
    rps=$(printf '%s\n' "$out" | tr -d '\r' | awk -F, '
        /^"/ && $1 != "\"test\"" { v = $(NF-6); gsub(/"/, "", v); print v; exit }')
    kill -0 "$SRV_PID" 2>/dev/null || die "respite died; log: $(tail -n 5 "$WORK/respite.log")"
    echo "${rps:-NA}"
}

median() {
    tr ' ' '\n' | grep -v '^NA$' | grep -v '^$' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "NA";
              else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

log "filling $KEYSPACE random keys for GET"
bench 16 $((KEYSPACE * 5)) -t set >/dev/null

declare -A S=()
for round in $(seq 1 "$ROUNDS"); do
    for p in 1 16; do
        n=$N; [ "$p" = 16 ] && n=$N_P16
        log "round $round, -P $p: GET"
        S[get$p]+="$(bench "$p" "$n" -t get) "
        log "round $round, -P $p: RATELIMIT"
        S[rl$p]+="$(bench "$p" "$n" RATELIMIT 'rl:__rand_int__' 100 60000) "
        log "round $round, -P $p: RATELIMIT, live keys"
        S[lv$p]+="$(bench "$p" "$n" RATELIMIT 'lv:__rand_int__' 100 6000000) "
    done
done

# Sanity: the limiter keys exist and carry a TTL (the command really ran).
SAMPLE=$(redis-cli -h 127.0.0.1 -p "$PORT" --scan --pattern 'rl:*' 2>/dev/null | head -n 1)
SAMPLE_TTL=$( [ -n "$SAMPLE" ] && redis-cli -h 127.0.0.1 -p "$PORT" PTTL "$SAMPLE")

echo "## RATELIMIT vs GET (Respite)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 KEYSPACE=$KEYSPACE PIN=$PIN ($PIN_NOTE)"
echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "cpu:       $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null) ($NCPU online)"
echo "respite:   $("$RESPITE_BIN" --version 2>&1 | head -n 1)"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16}: -t get | RATELIMIT rl:__rand_int__ 100 60000"
echo "           | RATELIMIT lv:__rand_int__ 100 6000000 (live)"
echo "check:     sample limiter key ${SAMPLE:-none}, PTTL ${SAMPLE_TTL:-n/a} ms"
echo '```'
echo
ratio() {
    awk -v g="$1" -v r="$2" 'BEGIN { if (g + 0 > 0 && r + 0 > 0) printf "%.2fx", r / g; else print "NA" }'
}
echo "| pipeline | GET rps | RATELIMIT rps | RATELIMIT / GET | live rps | live / GET |"
echo "|---|---:|---:|---:|---:|---:|"
for p in 1 16; do
    g=$(echo "${S[get$p]}" | median)
    r=$(echo "${S[rl$p]}" | median)
    l=$(echo "${S[lv$p]}" | median)
    echo "| -P $p | $g | $r | $(ratio "$g" "$r") | $l | $(ratio "$g" "$l") |"
done
echo
echo "Median of $ROUNDS round(s); target RATELIMIT / GET >= 0.90x."
