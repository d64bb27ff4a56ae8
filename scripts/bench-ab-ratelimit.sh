#!/bin/bash
# bench-ab-ratelimit.sh - two Respite builds side by side on the case where
# RATELIMIT falls short of its target (issue 6): limiters that expire and
# are created again, at -P 16 (bench-ratelimit.sh's "RATELIMIT" case). For
# deciding whether a change to the server helps that case, which a
# comparison of two separate bench-ratelimit.sh runs cannot tell on a
# shared VM (a whole run can be 1.5x slower than the next).
#
#   A_BIN=/tmp/respite-old scripts/bench-ab-ratelimit.sh        20 rounds, ~7 min
#   A_BIN=/tmp/respite-old scripts/bench-ab-ratelimit.sh quick  2 rounds, small -n
#
# One server a binary, each on a free 127.0.0.1 port, both filled alike.
# Every round runs, on each server in turn (which one goes first
# alternates), GET, RATELIMIT rl:__rand_int__ 100 60000, GET; a server's
# ratio is its RATELIMIT rps over the mean of its two GET runs, and after
# each RATELIMIT run the script waits until its limiters have expired and
# been swept. Reported: each binary's median ratio, and B's ratio over
# A's, the median of the rounds with its 90% interval (bench-lib.sh
# paired_ci) and the rounds B won. Reports only, never fails on a result.
#
# Settings (environment):
#   A_BIN, B_BIN   the two binaries (B_BIN defaults to bin/respite)
#   ROUNDS         rounds                       (20, quick: 2)
#   N_P16          requests per run             (1000000, quick: 100000)
#   KEYSPACE       redis-benchmark -r           (100000)
#   DRAIN_TIMEOUT  seconds to wait for a run's limiters to be swept (30)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-ab-ratelimit "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-2}; N_P16=${N_P16:-100000}
else
    ROUNDS=${ROUNDS:-20}; N_P16=${N_P16:-1000000}
fi
KEYSPACE=${KEYSPACE:-100000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-30}
CLIENTS=50
B_BIN=${B_BIN:-bin/respite}
check_positive ROUNDS N_P16 KEYSPACE DRAIN_TIMEOUT
[ -n "${A_BIN:-}" ] || die "set A_BIN to the binary to compare with $B_BIN"
need_tools redis-benchmark redis-cli timeout awk sort
RESPITE_BIN=$B_BIN need_respite
[ -x "$A_BIN" ] || die "$A_BIN is not an executable"

make_work respite-bench-ab
declare -A PORT RATIOS GOAL

# keys PORT: the keys db 0 holds, expired ones not yet swept included.
keys() {
    redis-cli -h 127.0.0.1 -p "$1" INFO keyspace 2>/dev/null | tr -d '\r' |
        sed -n 's/^db0:keys=\([0-9]*\).*/\1/p'
}

# drain PORT: waits until the server on PORT is back to GOAL[PORT] keys,
# DRAIN_TIMEOUT seconds at most.
drain() {
    local k _
    for _ in $(seq 1 $((DRAIN_TIMEOUT * 5))); do
        k=$(keys "$1")
        [ -n "$k" ] && [ "$k" -le "${GOAL[$1]}" ] && return 0
        sleep 0.2
    done
    log "port $1: limiters not swept after ${DRAIN_TIMEOUT}s ($k keys)"
}

for side in A B; do
    bin=A_BIN; [ "$side" = B ] && bin=B_BIN
    RESPITE_BIN=${!bin} start_server respite
    PORT[$side]=$SRV_PORT
    rps_of "$SRV_PORT" 16 $((KEYSPACE * 5)) -t set >/dev/null
    # Swept means back to GET's keys plus the tenth of stale limiters the
    # sweep leaves to lazy expiry (store/expire.c).
    GOAL[$SRV_PORT]=$(( $(keys "$SRV_PORT") + KEYSPACE / 10 ))
    # The table grows to hold the limiters too, before anything is timed.
    rps_of "$SRV_PORT" 16 $((KEYSPACE * 2)) RATELIMIT 'rl:__rand_int__' 100 60000 >/dev/null
done
for side in A B; do
    drain "${PORT[$side]}"
done

for round in $(seq 1 "$ROUNDS"); do
    order="A B"; [ $((round % 2)) = 0 ] && order="B A"
    for side in $order; do
        p=${PORT[$side]}
        g0=$(rps_of "$p" 16 "$N_P16" -t get)
        x=$(rps_of "$p" 16 "$N_P16" RATELIMIT 'rl:__rand_int__' 100 60000)
        g1=$(rps_of "$p" 16 "$N_P16" -t get)
        r=$(awk -v a="$g0" -v b="$g1" -v x="$x" 'BEGIN {
            if (a + 0 > 0 && b + 0 > 0 && x + 0 > 0) printf "%.4f\n", 2 * x / (a + b)
            else print "NA" }')
        RATIOS[$side]+="$r "
        log "round $round $side: GET $g0, RATELIMIT $x, GET $g1: $r"
        drain "$p"
    done
done

echo "## RATELIMIT (expiring, -P 16) / GET: two builds"
echo
echo '```'
echo "command:  $CMDLINE"
echo "settings: ROUNDS=$ROUNDS N_P16=$N_P16 KEYSPACE=$KEYSPACE"
echo "date:     $(utc_now)"
echo "A:        $A_BIN ($(version_line "$A_BIN"))"
echo "B:        $B_BIN ($(version_line "$B_BIN"))"
echo "A ratios: ${RATIOS[A]}"
echo "B ratios: ${RATIOS[B]}"
echo '```'
echo
won=$(awk -v a="${RATIOS[A]}" -v b="${RATIOS[B]}" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= n; i++) w += y[i] + 0 > x[i] + 0; print w + 0 }')
echo "| A: RATELIMIT / GET | B: RATELIMIT / GET | B / A (90% interval) | rounds B won |"
echo "|---:|---:|---:|---:|"
echo "| $(echo "${RATIOS[A]}" | median) | $(echo "${RATIOS[B]}" | median) | $(paired_ratio "${RATIOS[B]}" "${RATIOS[A]}") ($(paired_ci "${RATIOS[B]}" "${RATIOS[A]}")) | $won of $ROUNDS |"
echo
echo "B helps this case when the interval's lower end is above 1.000, and"
echo "hurts it when the upper end is below."
