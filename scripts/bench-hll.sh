#!/bin/bash
# bench-hll.sh - the HyperLogLog commands: Respite next to Debian's
# redis-server in one run.
#
#   scripts/bench-hll.sh          full run (about 3 minutes on 2 cores)
#   scripts/bench-hll.sh quick    smoke test: 1 round, small -n
#
# Both servers side by side on free 127.0.0.1 ports; every round runs each
# case with -P 1 and -P 16 on both, Respite first in odd rounds and Redis
# first in even ones. The table shows the median of the rounds and each
# server's CPU time a request.
#
# Cases (redis-benchmark -r replaces __rand_int__ with a number below
# 100000, zero-padded):
#   PFADD sparse    PFADD uv:__rand_int__ el, many small sparse values
#   PFADD dense     PFADD bench:dense el:__rand_int__, one dense value
#   PFCOUNT         PFCOUNT bench:dense2, the cached count
#   PFCOUNT 2 keys  PFCOUNT bench:dense bench:dense2, a union each time
#   PFMERGE         PFMERGE bench:dst bench:dense bench:dense2
# bench:dense and bench:dense2 start with 20000 elements each, loaded the
# same on both servers; bench:dense2's count and bytes are compared after
# the rounds.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (100000, quick: 10000)
#   N_P16      requests per -P 16 run                   (500000, quick: 50000)
#   N_BIG      requests per run of the union cases      (20000, quick: 2000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)
#   RESPITE_ARGS             directives for Respite, e.g. "--busy-poll-us 0"

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-hll "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
    N_BIG=${N_BIG:-2000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
    N_BIG=${N_BIG:-20000}
fi
KEYSPACE=100000
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
check_positive ROUNDS N N_P16 N_BIG
need_tools redis-benchmark redis-cli timeout awk head md5sum
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-hll

CASES=(add_sparse add_dense count count2 merge)
declare -A LABEL=([add_sparse]="PFADD sparse" [add_dense]="PFADD dense"
                  [count]="PFCOUNT cached" [count2]="PFCOUNT 2 keys"
                  [merge]="PFMERGE 2 keys")

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        add_sparse) printf '%s\n' PFADD 'uv:__rand_int__' el ;;
        add_dense) printf '%s\n' PFADD bench:dense 'el:__rand_int__' ;;
        count) printf '%s\n' PFCOUNT bench:dense2 ;;
        count2) printf '%s\n' PFCOUNT bench:dense bench:dense2 ;;
        merge) printf '%s\n' PFMERGE bench:dst bench:dense bench:dense2 ;;
    esac
}

LOAD_SCRIPT="for i = 1, 20000 do redis.call('PFADD', KEYS[1], ARGV[1] .. i) end"
load() {
    local cli=(redis-cli -h 127.0.0.1 -p "$1")
    "${cli[@]}" EVAL "$LOAD_SCRIPT" 1 bench:dense a: >/dev/null
    "${cli[@]}" EVAL "$LOAD_SCRIPT" 1 bench:dense2 b: >/dev/null
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load "$A_PORT"; load "$B_PORT"

# Fewer requests for the unions, which walk every register of both values.
case_requests() {
    case "$1" in count2|merge) echo "$N_BIG" ;; *) echo "$2" ;; esac
}
ab_rounds

# bench:dense2 is only read, so its count and bytes must match; the
# random elements and keys of redis-benchmark differ between the two
# servers, so bench:dense and bench:dst count about the same only.
check() {
    local cli=(redis-cli -h 127.0.0.1 -p "$1")
    echo "$("${cli[@]}" PFCOUNT bench:dense2)" \
         "$("${cli[@]}" GET bench:dense2 | md5sum | cut -c1-8)" \
         "$("${cli[@]}" PFCOUNT bench:dense) $("${cli[@]}" PFCOUNT bench:dst)"
}
CHECK_A=$(check "$A_PORT")
CHECK_B=$(check "$B_PORT")
stop_pid "$A_PID"; stop_pid "$B_PID"

echo "## HyperLogLog: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 N_BIG=$N_BIG PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")${RESPITE_ARGS:+, with $RESPITE_ARGS}"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16} <case>"
echo "check:     PFCOUNT dense2, md5 of dense2, PFCOUNT dense, PFCOUNT dst:" \
     "respite $CHECK_A; redis $CHECK_B"
echo '```'
echo
ab_table
echo
echo "Median of $ROUNDS round(s); the two-key cases run N_BIG requests each."
