#!/bin/bash
# bench-streams.sh - streams: Respite next to Debian's redis-server in one
# run (issue 5's benchmark).
#
#   scripts/bench-streams.sh          full run (about 2 minutes on 2 cores)
#   scripts/bench-streams.sh quick    smoke test: 1 round, small -n
#
# Throughput: both servers side by side on free 127.0.0.1 ports; every
# round runs each case on Respite, then on Redis (A B A B ...):
#   XADD    XADD bench:s * f1 v1 f2 v2 f3 v3, with -P 1 and -P 16
#   XRANGE  XRANGE bench:r - + COUNT 100 on a stream of 10,000 entries
#           (loaded before the rounds), with -P 1 and -P 16, and
#           redis-benchmark --threads 2: parsing a 100-entry reply costs
#           the client about 43 us, more than either server spends making
#           it, so one client thread held both servers to the same ~20k
#           requests/s and the ratio measured only noise
# The table shows the median of the rounds.
#
# Memory: fresh instances load STREAM_ENTRIES entries with 3 small fields
# (XADD mem:s * a <n> b <n> c <n>) through redis-cli --pipe; the table
# shows used_memory growth per entry.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID. scripts/bench.sh runs it.
#
# Settings (environment):
#   ROUNDS          rounds                          (3, quick: 1)
#   N               requests per -P 1 run           (100000, quick: 10000)
#   N_P16           requests per -P 16 run          (500000, quick: 50000)
#   STREAM_ENTRIES  entries in the memory table     (1000000, quick: 100000)
#   PIN             1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers       (bin/respite, redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-streams "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
    STREAM_ENTRIES=${STREAM_ENTRIES:-100000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
    STREAM_ENTRIES=${STREAM_ENTRIES:-1000000}
fi
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
check_positive ROUNDS N N_P16 STREAM_ENTRIES STEP_TIMEOUT
need_tools redis-benchmark redis-cli timeout awk
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-streams

CASES=(xadd xrange)
declare -A LABEL=([xadd]="XADD * (3 fields)" [xrange]="XRANGE - + COUNT 100 (client --threads 2)")

case_args() {
    case "$1" in
        xadd) printf '%s\n' XADD bench:s '*' f1 v1 f2 v2 f3 v3 ;;
        xrange) printf '%s\n' --threads 2 XRANGE bench:r - + COUNT 100 ;;
    esac
}

# RESP for n entries "XADD key * a <i> b <i> c <i>".
gen_entries() {
    awk -v n="$2" -v k="$1" 'BEGIN {
        for (i = 1; i <= n; i++) {
            v = sprintf("%d", i)
            printf "*9\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$1\r\n*\r\n", length(k), k
            printf "$1\r\na\r\n$%d\r\n%s\r\n$1\r\nb\r\n$%d\r\n%s\r\n$1\r\nc\r\n$%d\r\n%s\r\n",
                length(v), v, length(v), v, length(v), v
        }
    }'
}
gen_mem() { gen_entries mem:s "$STREAM_ENTRIES"; }

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
for port in "$A_PORT" "$B_PORT"; do
    gen_entries bench:r 10000 | redis-cli -h 127.0.0.1 -p "$port" --pipe >/dev/null 2>&1
done

ab_rounds
CHECK="XLEN bench:r: respite $(redis-cli -h 127.0.0.1 -p "$A_PORT" XLEN bench:r), redis $(redis-cli -h 127.0.0.1 -p "$B_PORT" XLEN bench:r)"
stop_pid "$A_PID"; stop_pid "$B_PID"

MEM_A=$(mem_per_item respite "$STREAM_ENTRIES" gen_mem)
MEM_B=$(mem_per_item redis "$STREAM_ENTRIES" gen_mem)

echo "## Streams: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 STREAM_ENTRIES=$STREAM_ENTRIES PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -P {1,16} {XADD bench:s * f1 v1 f2 v2 f3 v3 | --threads 2 XRANGE bench:r - + COUNT 100}"
echo "check:     $CHECK"
echo '```'
echo
ab_table
echo
echo "Memory, $STREAM_ENTRIES entries of 3 small fields in one stream, used_memory growth per entry:"
echo
echo "| | Respite | Redis | Respite/Redis |"
echo "|---|---:|---:|---:|"
echo "| bytes per entry | $MEM_A | $MEM_B | $(ratio "$MEM_A" "$MEM_B") |"
echo
echo "Median of $ROUNDS round(s); targets: XADD and XRANGE >= 1.00x, memory below Redis's."
