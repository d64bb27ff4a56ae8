#!/bin/bash
# bench-geo.sh - the geospatial commands: Respite next to Debian's
# redis-server in one run.
#
#   scripts/bench-geo.sh          full run (about 3 minutes on 2 cores)
#   scripts/bench-geo.sh quick    smoke test: 1 round, small -n
#
# Both servers side by side on free 127.0.0.1 ports, loaded with the same
# 100000 points (a fixed pseudo-random spread over 10..20 E, 35..45 N,
# members m:000000000000 to m:000000099999 as redis-benchmark -r names
# them); every round runs each case with -P 1 and -P 16 on both, Respite
# first in odd rounds and Redis first in even ones. The table shows the
# median of the rounds and each server's CPU time a request.
#
# Cases:
#   GEOADD     GEOADD bench:add 13.361389 38.115556 m:__rand_int__
#   GEOPOS     GEOPOS bench:geo m:__rand_int__
#   GEODIST    GEODIST bench:geo m:__rand_int__ m:000000000001 km
#   NEAR10     GEOSEARCH from a point BYRADIUS 20 km COUNT 10 ASC WITHDIST
#              (about 125 points in range, sorted partially)
#   BOX        GEOSEARCH from a point BYBOX 10 10 km WITHCOORD (about 100
#              points, unsorted)
# A last call of each search on both servers must give the same bytes.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (100000, quick: 10000)
#   N_P16      requests per -P 16 run                   (500000, quick: 50000)
#   N_SEARCH   requests per run of the search cases     (20000, quick: 2000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)
#   RESPITE_ARGS             directives for Respite

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-geo "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
    N_SEARCH=${N_SEARCH:-2000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
    N_SEARCH=${N_SEARCH:-20000}
fi
KEYSPACE=100000
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
check_positive ROUNDS N N_P16 N_SEARCH
need_tools redis-benchmark redis-cli timeout awk head cmp
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-geo

CASES=(geoadd geopos geodist near10 box)
declare -A LABEL=([geoadd]=GEOADD [geopos]=GEOPOS [geodist]=GEODIST
                  [near10]="GEOSEARCH 20 km COUNT 10"
                  [box]="GEOSEARCH BYBOX 10 km")
NEAR=(GEOSEARCH bench:geo FROMLONLAT 15 40 BYRADIUS 20 km COUNT 10 ASC WITHDIST)
BOX=(GEOSEARCH bench:geo FROMLONLAT 15 40 BYBOX 10 10 km WITHCOORD)

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        geoadd) printf '%s\n' GEOADD bench:add 13.361389 38.115556 'm:__rand_int__' ;;
        geopos) printf '%s\n' GEOPOS bench:geo 'm:__rand_int__' ;;
        geodist) printf '%s\n' GEODIST bench:geo 'm:__rand_int__' m:000000000001 km ;;
        near10) printf '%s\n' "${NEAR[@]}" ;;
        box) printf '%s\n' "${BOX[@]}" ;;
    esac
}

# The points, as a redis-cli --pipe input: the same for both servers.
awk -v n="$KEYSPACE" 'BEGIN {
    s = 12345
    for (i = 0; i < n; i++) {
        s = (s * 1103515245 + 12345) % 2147483648; lon = 10 + s / 214748364.8
        s = (s * 1103515245 + 12345) % 2147483648; lat = 35 + s / 214748364.8
        m = sprintf("m:%012d", i)
        printf "*5\r\n$6\r\nGEOADD\r\n$9\r\nbench:geo\r\n$%d\r\n%.6f\r\n$%d\r\n%.6f\r\n$%d\r\n%s\r\n",
            length(sprintf("%.6f", lon)), lon, length(sprintf("%.6f", lat)), lat,
            length(m), m
    }
}' >"$WORK/points" || die "could not write the points"

load() {
    redis-cli -h 127.0.0.1 -p "$1" --pipe <"$WORK/points" >/dev/null 2>&1 \
        || die "loading the points into port $1 failed"
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load "$A_PORT"; load "$B_PORT"

case_requests() {
    case "$1" in near10|box) echo "$N_SEARCH" ;; *) echo "$2" ;; esac
}
ab_rounds

# The same answers on both: a check that the cases did the same work.
check() {
    local cli=(redis-cli -h 127.0.0.1 -p "$1")
    "${cli[@]}" ZCARD bench:geo
    "${cli[@]}" "${NEAR[@]}"
    "${cli[@]}" "${BOX[@]}"
}
check "$A_PORT" >"$WORK/check-a"
check "$B_PORT" >"$WORK/check-b"
if cmp -s "$WORK/check-a" "$WORK/check-b"; then
    lines=$(($(wc -l <"$WORK/check-a") - 1))
    CHECK="same replies ($(head -n 1 "$WORK/check-a") points, $lines lines of search results)"
else
    CHECK="DIFFERENT replies (see $WORK/check-a, check-b)"
fi
stop_pid "$A_PID"; stop_pid "$B_PID"

echo "## Geospatial: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 N_SEARCH=$N_SEARCH PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")${RESPITE_ARGS:+, with $RESPITE_ARGS}"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16} <case>"
echo "check:     ZCARD and both searches once more: $CHECK"
echo '```'
echo
ab_table
echo
echo "Median of $ROUNDS round(s); the search cases run N_SEARCH requests each."
