#!/bin/bash
# bench-ab.sh - two Respite builds side by side on the core commands, for
# deciding whether a change to the server made it faster: a comparison of
# two separate bench.sh runs cannot tell on a shared VM, where a whole run
# can be 1.5x slower than the next.
#
#   A_BIN=/tmp/respite-old scripts/bench-ab.sh          5 rounds, ~4 min
#   A_BIN=/tmp/respite-old scripts/bench-ab.sh quick    1 round, small -n
#
# One server a binary (A the old one, B the new, bin/respite unless
# B_BIN says otherwise), each on a free 127.0.0.1 port, both filled alike
# (KEYSPACE random keys by SET, then as many live limiters). Every round
# runs each case at -P 1 and -P 16 on both servers back to back, which
# one goes first alternating (bench-lib.sh ab_rounds):
#
#   GET        -t get                                  (key:__rand_int__)
#   SET        -t set
#   RATELIMIT  RATELIMIT lv:__rand_int__ 100 6000000   (live limiters)
#
# Reported: each build's median requests/s and server CPU microseconds a
# request, and B over A for both as the median of the rounds' paired
# ratios with its 90% interval (bench-lib.sh paired_ci): above 1.00 for
# rps and below 1.00 for CPU means B is faster. Markdown to stdout,
# progress to stderr; it reports and never fails on a result.
#
# Settings (environment):
#   A_BIN, B_BIN  the two binaries              (B_BIN: bin/respite)
#   ROUNDS        rounds                        (5, quick: 1)
#   N             requests per -P 1 run         (200000, quick: 20000)
#   N_P16         requests per -P 16 run        (1000000, quick: 100000)
#   KEYSPACE      redis-benchmark -r            (100000)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-ab "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-20000}; N_P16=${N_P16:-100000}
else
    ROUNDS=${ROUNDS:-5}; N=${N:-200000}; N_P16=${N_P16:-1000000}
fi
KEYSPACE=${KEYSPACE:-100000}
CLIENTS=50
B_BIN=${B_BIN:-bin/respite}
check_positive ROUNDS N N_P16 KEYSPACE
[ -n "${A_BIN:-}" ] || die "set A_BIN to the binary to compare with $B_BIN"
need_tools redis-benchmark redis-cli awk sort
RESPITE_BIN=$B_BIN need_respite
[ -x "$A_BIN" ] || die "$A_BIN is not an executable"

make_work respite-bench-ab

CASES=(get set rl)
declare -A LABEL=([get]=GET [set]=SET [rl]="RATELIMIT (live)")
case_args() {
    case $1 in
        get) printf '%s\n' -t get ;;
        set) printf '%s\n' -t set ;;
        rl) printf '%s\n' RATELIMIT 'lv:__rand_int__' 100 6000000 ;;
    esac
}

# ab_rounds runs "respite" on A_PORT and "redis" on B_PORT: here the new
# build takes the first role and the old one the second.
AB_NAME=([respite]="B" [redis]="A")
RESPITE_BIN=$B_BIN start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
RESPITE_BIN=$A_BIN start_server respite; B_PID=$SRV_PID; B_PORT=$SRV_PORT
for port in "$A_PORT" "$B_PORT"; do
    log "filling 127.0.0.1:$port"
    rps_of "$port" 16 $((KEYSPACE * 3)) -t set >/dev/null
    rps_of "$port" 16 $((KEYSPACE * 3)) \
        RATELIMIT 'lv:__rand_int__' 100 6000000 >/dev/null
done

declare -A S=() CPU=()
ab_rounds
for pid in "$A_PID" "$B_PID"; do
    kill -0 "$pid" 2>/dev/null || die "a server died"
done

echo "## Two Respite builds: B over A"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 KEYSPACE=$KEYSPACE"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "A:         $A_BIN, $(version_line "$A_BIN")"
echo "B:         $B_BIN, $(version_line "$B_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16}: -t get | -t set | RATELIMIT lv:__rand_int__ 100 6000000"
echo '```'
echo
echo "| case | -P | A rps | B rps | B / A rps | A CPU us | B CPU us | B / A CPU |"
echo "|---|---:|---:|---:|---|---:|---:|---|"
for c in "${CASES[@]}"; do
    for p in 1 16; do
        new=${S["$c,$p,respite"]}; old=${S["$c,$p,redis"]}
        cnew=${CPU["$c,$p,respite"]}; cold=${CPU["$c,$p,redis"]}
        echo "| ${LABEL[$c]} | $p | $(echo "$old" | median) | $(echo "$new" | median)" \
             "| $(paired_ratio "$new" "$old") ($(paired_ci "$new" "$old"))" \
             "| $(echo "$cold" | median) | $(echo "$cnew" | median)" \
             "| $(paired_ratio "$cnew" "$cold") ($(paired_ci "$cnew" "$cold")) |"
    done
done
echo
echo "Medians of $ROUNDS round(s); a B / A figure is the median of the"
echo "rounds' ratios (each pair run back to back) with, in parentheses, an"
echo "interval that holds it with at least 90% confidence (n/a under 5"
echo "rounds). Server CPU a request at -P 1 is mostly the loop's busy"
echo "polling (see busy-poll-us)."
