#!/bin/bash
# bench-monitor.sh - what watching costs: Respite next to redis-server
# while MONITOR clients drain every command (redis-cli monitor >
# /dev/null), and with the slow log recording every command
# (slowlog-log-slower-than 0). What it costs with neither is what
# instr-ratelimit.sh counts (a branch a command).
#
#   scripts/bench-monitor.sh          5 rounds, ~3 min
#   scripts/bench-monitor.sh quick    1 round, small -n
#
# Both servers start fresh with --slowlog-log-slower-than $SLOWLOG
# (default 0: every command logged, slowlog-max-len 128 keeps the list
# short) and get $MONITORS monitors each, then every round runs SET and
# GET at -P 1 and -P 16 on both, which one goes first alternating
# (bench-lib.sh ab_rounds). Reported: median requests/s and server CPU
# microseconds a request; markdown to stdout, progress to stderr. It
# reports and never fails on a result.
#
# Settings (environment):
#   ROUNDS      rounds                        (5, quick: 1)
#   N           requests per -P 1 run         (100000, quick: 10000)
#   N_P16       requests per -P 16 run        (500000, quick: 50000)
#   KEYSPACE    redis-benchmark -r            (100000)
#   MONITORS    monitors on each server       (1; 0 for none)
#   SLOWLOG     slowlog-log-slower-than       (0; -1 turns the log off)
#   RESPITE_BIN, REDIS_BIN                    (bin/respite, redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-monitor "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
else
    ROUNDS=${ROUNDS:-5}; N=${N:-100000}; N_P16=${N_P16:-500000}
fi
KEYSPACE=${KEYSPACE:-100000}
MONITORS=${MONITORS:-1}
SLOWLOG=${SLOWLOG:-0}
CLIENTS=50
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-$(command -v redis-server)}
check_positive ROUNDS N N_P16 KEYSPACE
case "$MONITORS" in ''|*[!0-9]*) die "MONITORS must be a number" ;; esac
need_tools redis-benchmark redis-cli redis-server awk sort
need_respite

make_work respite-bench-monitor

CASES=(set get)
declare -A LABEL=([set]=SET [get]=GET)
case_args() { printf '%s\n' -t "$1"; }

# Monitors that read everything and throw it away.
attach_monitors() {
    local port=$1 i
    for i in $(seq 1 "$MONITORS"); do
        redis-cli -h 127.0.0.1 -p "$port" monitor >/dev/null 2>&1 &
        PIDS+=("$!")
    done
}

start_server respite --slowlog-log-slower-than "$SLOWLOG"
A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis --slowlog-log-slower-than "$SLOWLOG"
B_PID=$SRV_PID; B_PORT=$SRV_PORT
attach_monitors "$A_PORT"
attach_monitors "$B_PORT"
sleep 0.5

declare -A S=() CPU=()
ab_rounds
for pid in "$A_PID" "$B_PID"; do
    kill -0 "$pid" 2>/dev/null || die "a server died"
done
slowlog_a=$(redis-cli -h 127.0.0.1 -p "$A_PORT" SLOWLOG LEN)
slowlog_b=$(redis-cli -h 127.0.0.1 -p "$B_PORT" SLOWLOG LEN)

echo "## Watching: $MONITORS monitor(s), slowlog-log-slower-than $SLOWLOG"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 KEYSPACE=$KEYSPACE MONITORS=$MONITORS SLOWLOG=$SLOWLOG"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16} -t set|get"
echo "slow log:  SLOWLOG LEN at the end: respite $slowlog_a, redis $slowlog_b"
echo '```'
echo
ab_table
echo
echo "Medians of $ROUNDS round(s). Server CPU a request includes"
echo "formatting and writing each command's line to every monitor."
