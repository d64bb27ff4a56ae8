#!/bin/bash
# bench-sort.sh - SORT and LCS: Respite next to Debian's redis-server in
# one run.
#
#   scripts/bench-sort.sh          full run (about 5 minutes on 2 cores)
#   scripts/bench-sort.sh quick    smoke test: 1 round, small -n
#
# Both servers side by side on free 127.0.0.1 ports; every round runs each
# case with -P 1 and -P 16 on both, Respite first in odd rounds and Redis
# first in even ones. The table shows the median of the rounds and each
# server's CPU time a request.
#
# Cases, on the same data loaded into both servers before the rounds:
#   NUM       SORT of a 100-element list of numbers
#   ALPHA     SORT ALPHA of a 100-member set of words
#   BY_GET    SORT of 100 ids BY a weight key GET # GET a hash field
#   LIMIT     SORT of a 1000-element list LIMIT 0 10 DESC
#   STORE     SORT of the 100 numbers STORE into a list
#   LCS       LCS LEN of two 300-byte strings
# Each case's reply is compared between the servers after the rounds.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (20000, quick: 2000)
#   N_P16      requests per -P 16 run                   (50000, quick: 5000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)
#   RESPITE_ARGS             directives for Respite, e.g. "--busy-poll-us 0"

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-sort "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-2000}; N_P16=${N_P16:-5000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-20000}; N_P16=${N_P16:-50000}
fi
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
check_positive ROUNDS N N_P16
need_tools redis-benchmark redis-cli timeout awk head
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-sort

CASES=(num alpha by_get limit store lcs)
declare -A LABEL=([num]="SORT 100 numbers" [alpha]="SORT ALPHA 100 words"
                  [by_get]="SORT BY w_* GET # GET h_*->name"
                  [limit]="SORT 1000 LIMIT 0 10 DESC"
                  [store]="SORT 100 STORE" [lcs]="LCS LEN 300x300 bytes")

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        num) printf '%s\n' SORT nums ;;
        alpha) printf '%s\n' SORT words ALPHA ;;
        by_get) printf '%s\n' SORT ids BY 'w_*' GET '#' GET 'h_*->name' ;;
        limit) printf '%s\n' SORT big LIMIT 0 10 DESC ;;
        store) printf '%s\n' SORT nums STORE dst ;;
        lcs) printf '%s\n' LCS s1 s2 LEN ;;
    esac
}

# The data as redis-cli commands, the same for both servers (awk's fixed
# seed).
awk 'BEGIN {
    srand(7);
    printf "DEL nums words ids big dst\n";
    for (i = 0; i < 100; i++) {
        printf "RPUSH nums %d\n", int(rand() * 1000000);
        printf "SADD words w%06d\n", int(rand() * 1000000);
        printf "RPUSH ids %d\n", i;
        printf "SET w_%d %d\n", i, int(rand() * 1000);
        printf "HSET h_%d name user%d\n", i, i;
    }
    for (i = 0; i < 1000; i++) printf "RPUSH big %.3f\n", rand() * 1000;
    s1 = ""; s2 = "";
    for (i = 0; i < 300; i++) {
        s1 = s1 substr("ACGT", int(rand() * 4) + 1, 1);
        s2 = s2 substr("ACGT", int(rand() * 4) + 1, 1);
    }
    printf "SET s1 %s\nSET s2 %s\n", s1, s2;
}' >"$WORK/data"

load() {
    redis-cli -h 127.0.0.1 -p "$1" <"$WORK/data" >/dev/null
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load "$A_PORT"; load "$B_PORT"

ab_rounds

# Every case's reply, hashed: the same on both servers means the same work.
check() {
    local c out=""
    for c in "${CASES[@]}"; do
        mapfile -t args < <(case_args "$c")
        out+=$(redis-cli -h 127.0.0.1 -p "$1" "${args[@]}" | md5sum | head -c 8)" "
    done
    echo "$out"
}
CHECK_A=$(check "$A_PORT")
CHECK_B=$(check "$B_PORT")
stop_pid "$A_PID"; stop_pid "$B_PID"

echo "## SORT and LCS: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")${RESPITE_ARGS:+, with $RESPITE_ARGS}"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -P {1,16} <case>"
echo "check:     replies' md5 per case: respite $CHECK_A; redis $CHECK_B"
echo '```'
echo
ab_table
echo
echo "Median of $ROUNDS round(s)."
