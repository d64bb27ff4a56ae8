#!/bin/bash
# bench-bits.sh - the bitmap commands: Respite next to Debian's
# redis-server in one run.
#
#   scripts/bench-bits.sh          full run (about 3 minutes on 2 cores)
#   scripts/bench-bits.sh quick    smoke test: 1 round, small -n
#
# Both servers side by side on free 127.0.0.1 ports; every round runs each
# case with -P 1 and -P 16 on both, Respite first in odd rounds and Redis
# first in even ones. The table shows the median of the rounds and each
# server's CPU time a request.
#
# Cases (redis-benchmark -r replaces __rand_int__ in key names only: its
# zero-padded numbers are not valid offsets, as in Redis):
#   SETBIT    SETBIT bm:__rand_int__ 100 1, many small bitmaps
#   GETBIT    GETBIT bm:__rand_int__ 100
#   BITFIELD  BITFIELD ctr:__rand_int__ INCRBY u8 #3 1 (counters)
#   BITCOUNT  BITCOUNT over a 64 KiB random bitmap (population count)
#   BITPOS    BITPOS 1 over 64 KiB of zeros ending in one set bit (search)
#   BITOP     BITOP AND of two 64 KiB random bitmaps into a third
# The 64 KiB bitmaps are the same bytes on both servers, loaded before the
# rounds, and compared with the replies of one call after them.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (100000, quick: 10000)
#   N_P16      requests per -P 16 run                   (500000, quick: 50000)
#   N_BIG      requests per run of the 64 KiB cases     (20000, quick: 2000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)
#   RESPITE_ARGS             directives for Respite, e.g. "--busy-poll-us 0"

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-bits "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
    N_BIG=${N_BIG:-2000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
    N_BIG=${N_BIG:-20000}
fi
KEYSPACE=100000
BIG=65536
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
check_positive ROUNDS N N_P16 N_BIG
need_tools redis-benchmark redis-cli timeout awk head
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-bits

CASES=(setbit getbit bitfield bitcount bitpos bitop)
declare -A LABEL=([setbit]=SETBIT [getbit]=GETBIT [bitfield]="BITFIELD INCRBY u8"
                  [bitcount]="BITCOUNT 64 KiB" [bitpos]="BITPOS 1 in 64 KiB"
                  [bitop]="BITOP AND 2x64 KiB")

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        setbit) printf '%s\n' SETBIT 'bm:__rand_int__' 100 1 ;;
        getbit) printf '%s\n' GETBIT 'bm:__rand_int__' 100 ;;
        bitfield) printf '%s\n' BITFIELD 'ctr:__rand_int__' INCRBY u8 '#3' 1 ;;
        bitcount) printf '%s\n' BITCOUNT bench:big ;;
        bitpos) printf '%s\n' BITPOS bench:zero 1 ;;
        bitop) printf '%s\n' BITOP AND bench:dst bench:big bench:big2 ;;
    esac
}

# The two 64 KiB random bitmaps, the same bytes for both servers.
head -c "$BIG" /dev/urandom >"$WORK/big" || die "no /dev/urandom"
head -c "$BIG" /dev/urandom >"$WORK/big2" || die "no /dev/urandom"

load() {
    local port=$1 cli=(redis-cli -h 127.0.0.1 -p "$1")
    "${cli[@]}" -x SET bench:big <"$WORK/big" >/dev/null
    "${cli[@]}" -x SET bench:big2 <"$WORK/big2" >/dev/null
    "${cli[@]}" DEL bench:zero >/dev/null
    "${cli[@]}" SETBIT bench:zero $((BIG * 8 - 1)) 1 >/dev/null
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load "$A_PORT"; load "$B_PORT"

# Fewer requests for the 64 KiB cases, which are heavier a request, so
# their runs take about as long as the others'.
case_requests() {
    case "$1" in bitcount|bitpos|bitop) echo "$N_BIG" ;; *) echo "$2" ;; esac
}
ab_rounds

# The same answers on both: a check that the cases did the same work.
check() {
    local cli=(redis-cli -h 127.0.0.1 -p "$1")
    echo "$("${cli[@]}" BITCOUNT bench:big) $("${cli[@]}" BITPOS bench:zero 1)" \
         "$("${cli[@]}" BITCOUNT bench:dst)" \
         "$("${cli[@]}" BITFIELD_RO bench:big GET i64 '#100' | tr -d '\n')"
}
CHECK_A=$(check "$A_PORT")
CHECK_B=$(check "$B_PORT")
stop_pid "$A_PID"; stop_pid "$B_PID"

echo "## Bitmaps: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 N_BIG=$N_BIG PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")${RESPITE_ARGS:+, with $RESPITE_ARGS}"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16} <case>"
echo "check:     BITCOUNT big, BITPOS zero 1, BITCOUNT dst, an i64 of big:" \
     "respite $CHECK_A; redis $CHECK_B"
echo '```'
echo
ab_table
echo
echo "Median of $ROUNDS round(s); the 64 KiB cases run N_BIG requests each."
