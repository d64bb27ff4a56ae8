#!/bin/bash
# bench-lfu.sh - a cache under memory pressure, LRU against LFU eviction:
# Respite next to Debian's redis-server, hit ratios measured in one run.
#
#   scripts/bench-lfu.sh          full run
#   scripts/bench-lfu.sh quick    smoke test (fewer operations)
#
# For each maxmemory-policy in POLICIES, Respite and redis-server start
# fresh with --maxmemory MAXMEMORY and run the same seeded read-through
# cache workload (scripts/bench_lfu.py): GET a key, SET it on a miss;
# 70% of the reads go to 50000 keys with a 1/rank skew, 30% to keys read
# once. The table shows the hit ratio (what the policy is for), the keys
# held at the end, evicted_keys and the time the client took. A policy
# that keeps the often-read keys against the stream of one-off keys has
# the higher ratio: LFU should beat LRU on both servers. Respite holds
# more keys in the same memory (smaller entries), which lifts its ratio
# under either policy; compare the policies within a server first.
#
# Results go to stdout as markdown, progress to stderr. The script reports;
# it never fails on a target. It stops every server it started, by PID.
#
# Settings (environment):
#   OPS          cache operations a case      (400000, quick: 100000)
#   MAXMEMORY    maxmemory of both servers    (4mb)
#   POLICIES     policies compared            ("allkeys-lru allkeys-lfu")
#   RESPITE_BIN  the Respite binary           (bin/respite)
#   REDIS_BIN    the reference server         (redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-lfu "$@"

if [ "$MODE" = quick ]; then OPS=${OPS:-100000}; else OPS=${OPS:-400000}; fi
MAXMEMORY=${MAXMEMORY:-4mb}
POLICIES=${POLICIES:-"allkeys-lru allkeys-lfu"}
PYTHON=${PYTHON:-/usr/bin/python3}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
check_positive OPS

need_tools redis-cli "$REDIS_BIN" "$PYTHON"
need_respite
make_work respite-lfu

# case NAME POLICY: one fresh server, the workload, one table row.
case_row() {
    local name=$1 policy=$2 out ratio secs keys evicted
    start_server "$name" --maxmemory "$MAXMEMORY" --maxmemory-policy "$policy"
    log "$policy on $name: $OPS operations"
    out=$("$PYTHON" scripts/bench_lfu.py "$SRV_PORT" "$OPS" 2>&1)
    ratio=$(echo "$out" | awk '/^ops/ { print $6 }')
    secs=$(echo "$out" | awk '/^ops/ { print $8 }')
    keys=$(redis-cli -h 127.0.0.1 -p "$SRV_PORT" DBSIZE 2>/dev/null)
    evicted=$(redis-cli -h 127.0.0.1 -p "$SRV_PORT" INFO stats 2>/dev/null |
        tr -d '\r' | awk -F: '$1 == "evicted_keys" { print $2 }')
    stop_pid "$SRV_PID"
    [ -n "$ratio" ] || { log "$name: $out"; ratio=failed; }
    printf "| %s | %s | %s | %s | %s | %s |\n" "$policy" "$name" "$ratio" \
        "${keys:-?}" "${evicted:-?}" "${secs:-?}"
}

echo "## LRU and LFU eviction: hit ratio of a read-through cache"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  OPS=$OPS MAXMEMORY=$MAXMEMORY POLICIES=\"$POLICIES\""
echo "workload:  scripts/bench_lfu.py: GET, SET 100 bytes on a miss; 70% of"
echo "           reads over 50000 keys with a 1/rank skew, 30% one-off keys"
echo "date:      $(utc_now)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "redis:     $(version_line "$REDIS_BIN")"
echo '```'
echo
echo "| Policy | Server | hit ratio | keys at the end | evicted_keys | client seconds |"
echo "|---|---|---:|---:|---:|---:|"
for p in $POLICIES; do
    case_row respite "$p"
    case_row redis "$p"
done
