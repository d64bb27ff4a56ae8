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
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-ratelimit "$@"

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

check_positive ROUNDS N N_P16 KEYSPACE STEP_TIMEOUT

need_tools redis-benchmark redis-cli timeout awk sort
need_respite
setup_pin "server on CPU 0, redis-benchmark on CPU 1"

make_work respite-bench-rl
start_server respite; PORT=$SRV_PORT

# bench P N ARGS... -> the rps of one redis-benchmark run, or NA.
bench() {
    local rps
    rps=$(rps_of "$PORT" "$@")
    kill -0 "$SRV_PID" 2>/dev/null || die "respite died; log: $(tail -n 5 "$WORK/respite-$PORT.log")"
    echo "$rps"
}

# sample NAME P N ARGS...: one run's rps into S[NAME], the server's CPU
# microseconds a request (bench-lib.sh cpu_us) into CPU[NAME].
sample() {
    local name=$1 t0
    shift
    t0=$(cpu_ticks "$SRV_PID")
    S[$name]+="$(bench "$@") "
    CPU[$name]+="$(cpu_us $(($(cpu_ticks "$SRV_PID") - t0)) "$2") "
}

log "filling $KEYSPACE random keys for GET"
bench 16 $((KEYSPACE * 5)) -t set >/dev/null

declare -A S=() CPU=()
for round in $(seq 1 "$ROUNDS"); do
    for p in 1 16; do
        n=$N; [ "$p" = 16 ] && n=$N_P16
        log "round $round, -P $p: GET"
        sample "get$p" "$p" "$n" -t get
        log "round $round, -P $p: RATELIMIT"
        sample "rl$p" "$p" "$n" RATELIMIT 'rl:__rand_int__' 100 60000
        log "round $round, -P $p: RATELIMIT, live keys"
        sample "lv$p" "$p" "$n" RATELIMIT 'lv:__rand_int__' 100 6000000
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
echo "date:      $(utc_now)"
echo "cpu:       $CPU_MODEL ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16}: -t get | RATELIMIT rl:__rand_int__ 100 60000"
echo "           | RATELIMIT lv:__rand_int__ 100 6000000 (live)"
echo "check:     sample limiter key ${SAMPLE:-none}, PTTL ${SAMPLE_TTL:-n/a} ms"
echo '```'
echo
# rows ARRAY CPU: the table rows of the medians in ARRAY (S or CPU); with
# CPU=1 the ratios are GET's over each case's (less time is better).
rows() {
    local -n a=$1
    local p g r l
    for p in 1 16; do
        g=$(echo "${a[get$p]}" | median)
        r=$(echo "${a[rl$p]}" | median)
        l=$(echo "${a[lv$p]}" | median)
        if [ "$2" = 1 ]; then
            echo "| -P $p | $g | $r | $(ratio "$g" "$r") | $l | $(ratio "$g" "$l") |"
        else
            echo "| -P $p | $g | $r | $(ratio "$r" "$g") | $l | $(ratio "$l" "$g") |"
        fi
    done
}

echo "| pipeline | GET rps | RATELIMIT rps | RATELIMIT / GET | live rps | live / GET |"
echo "|---|---:|---:|---:|---:|---:|"
rows S 0
echo
echo "The server's CPU microseconds a request (steadier than rps on a shared"
echo "machine), and GET's as a share of each RATELIMIT case's:"
echo
echo "| pipeline | GET | RATELIMIT | GET / RATELIMIT | live | GET / live |"
echo "|---|---:|---:|---:|---:|---:|"
rows CPU 1
echo
echo "Median of $ROUNDS round(s); target RATELIMIT / GET >= 0.90x."
