#!/bin/bash
# bench-pubsub.sh - pub/sub fan-out: Respite next to Debian's redis-server.
#
#   scripts/bench-pubsub.sh          full run
#   scripts/bench-pubsub.sh quick    smoke test (fewer messages)
#
# For 1, 10 and 50 subscribers on one channel, one publisher pipelines
# MSGS small messages (16-byte payload) and the table shows delivered
# messages per second (subscribers x messages / time until the last
# subscriber has them all) for both servers, measured in the same run,
# alternating Respite and Redis, and their ratio. The client side is
# scripts/bench_pubsub.py (byte-counting receivers, no parsing).
#
# Both servers run with "client-output-buffer-limit pubsub 0 0 0": a
# publisher pipelining without pause outruns the subscribers, and with
# Redis's default limit (32mb 8mb 60) either server would, correctly,
# disconnect them mid-run.
#
# Results go to stdout as markdown, progress to stderr. The script reports;
# it never fails on a target. It stops every server it started, by PID.
#
# Settings (environment):
#   MSGS         messages published per case      (1000000, quick: 100000)
#   SUBS         subscriber counts                ("1 10 50")
#   RESPITE_BIN  the Respite binary               (bin/respite)
#   REDIS_BIN    the reference server             (redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-pubsub "$@"

if [ "$MODE" = quick ]; then MSGS=${MSGS:-100000}; else MSGS=${MSGS:-1000000}; fi
SUBS=${SUBS:-"1 10 50"}
PYTHON=${PYTHON:-/usr/bin/python3}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}

need_respite
make_work respite-pubsub
start_server respite --client-output-buffer-limit pubsub 0 0 0; PORT_RESPITE=$SRV_PORT
start_server redis --client-output-buffer-limit pubsub 0 0 0;   PORT_REDIS=$SRV_PORT

echo "## Pub/sub fan-out ($MSGS messages of 16 bytes, one publisher pipelining)"
echo
echo "| subscribers | Respite msg/s | Redis msg/s | ratio |"
echo "|---:|---:|---:|---:|"
for n in $SUBS; do
    echo "fan-out to $n: respite..." >&2
    r=$("$PYTHON" scripts/bench_pubsub.py "$PORT_RESPITE" "$n" "$MSGS")
    echo "fan-out to $n: redis..." >&2
    d=$("$PYTHON" scripts/bench_pubsub.py "$PORT_REDIS" "$n" "$MSGS")
    rr=${r##* }
    dd=${d##* }
    ratio=$(awk -v a="${rr:-0}" -v b="${dd:-0}" \
        'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }')
    printf "| %d | %s | %s | %s |\n" "$n" "${rr:-failed}" "${dd:-failed}" "$ratio"
done
