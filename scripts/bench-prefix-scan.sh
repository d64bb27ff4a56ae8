#!/bin/bash
# bench-prefix-scan.sh - SCAN by prefix on Respite next to redis-server.
#
#   scripts/bench-prefix-scan.sh          1M keys, 5 repetitions
#   scripts/bench-prefix-scan.sh quick    100k keys, 3 repetitions
#
# Both servers run side by side on free 127.0.0.1 ports and get the same
# keys through redis-cli --pipe: KEYS keys of 13 bytes with 32-byte values,
# every 100th named "pfx:NNNNNNNNN" and the rest "key:NNNNNNNNN" (so 1%
# start with "pfx:"). Then one full iteration of
#     SCAN <cursor> MATCH pfx:* COUNT 1000
# from cursor 0 until it returns 0 is timed on each server in turn
# (A B A B ..., so drift hits both alike), REPS times; the median is
# reported with the ratio, and each iteration's distinct keys are checked
# against the expected count. Memory per key is used_memory after the
# load minus before, divided by the keys; for Respite also the part its
# prefix index takes (INFO used_memory_prefix_index).
#
# Results go to stdout as markdown, progress to stderr. The script reports,
# it does not judge; it exits non-zero only when something broke (a server
# did not start, a load or a scan failed). It stops every server it
# started, by PID.
#
# Settings (environment):
#   KEYS         keys loaded                 (1000000, quick: 100000)
#   REPS         timed iterations per server (5, quick: 3)
#   PYTHON       Python with redis-py        (/usr/bin/python3)
#   RESPITE_BIN  the Respite binary          (bin/respite)
#   REDIS_BIN    the reference server        (redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-prefix-scan "$@"

if [ "$MODE" = quick ]; then
    KEYS=${KEYS:-100000}; REPS=${REPS:-3}
else
    KEYS=${KEYS:-1000000}; REPS=${REPS:-5}
fi
PYTHON=${PYTHON:-/usr/bin/python3}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}

check_positive KEYS REPS

[ -x "$PYTHON" ] || die "$PYTHON not found"
"$PYTHON" -c 'import redis' 2>/dev/null || die "$PYTHON has no redis module"
need_tools redis-cli awk
need_servers

make_work respite-pscan

# The load as raw RESP for redis-cli --pipe.
log "generating $KEYS SETs"
awk -v n="$KEYS" 'BEGIN {
    v = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";
    for (i = 1; i <= n; i++) {
        k = sprintf("%s%09d", (i % 100 == 0) ? "pfx:" : "key:", i);
        printf "*3\r\n$3\r\nSET\r\n$13\r\n%s\r\n$32\r\n%s\r\n", k, v;
    }
}' >"$WORK/load.resp" || die "generating the load failed"
EXPECT=$((KEYS / 100))

start_server respite; R_PID=$SRV_PID; R_PORT=$SRV_PORT
start_server redis;   D_PID=$SRV_PID; D_PORT=$SRV_PORT

load() {
    local name=$1 port=$2 before after out
    before=$(info_field "$port" used_memory)
    out=$(redis-cli -h 127.0.0.1 -p "$port" --pipe <"$WORK/load.resp" 2>&1) \
        || die "loading $name failed: $out"
    case "$out" in *"errors: 0, replies: $KEYS"*) ;;
        *) die "loading $name: $out" ;; esac
    after=$(info_field "$port" used_memory)
    echo $((after - before))
}
log "loading Respite"; R_MEM=$(load respite "$R_PORT") || exit 1
log "loading Redis";   D_MEM=$(load redis "$D_PORT") || exit 1
R_INDEX=$(info_field "$R_PORT" used_memory_prefix_index)

# Times REPS full iterations on each server, alternating; prints
# "respite_median_ms redis_median_ms respite_calls redis_calls".
log "timing $REPS full SCAN MATCH pfx:* COUNT 1000 iterations on each"
TIMES=$("$PYTHON" - "$R_PORT" "$D_PORT" "$REPS" "$EXPECT" <<'EOF'
import statistics, sys, time
import redis

rport, dport, reps, expect = (int(a) for a in sys.argv[1:])
servers = [redis.Redis(host="127.0.0.1", port=p) for p in (rport, dport)]

def one(r):
    t0 = time.perf_counter()
    cursor, calls, keys = 0, 0, set()
    while True:
        cursor, batch = r.scan(cursor, match="pfx:*", count=1000)
        calls += 1
        keys.update(batch)
        if cursor == 0:
            break
    ms = (time.perf_counter() - t0) * 1000.0
    if len(keys) != expect or not all(k.startswith(b"pfx:") for k in keys):
        sys.exit("port %d: %d distinct keys, want %d"
                 % (r.connection_pool.connection_kwargs["port"], len(keys),
                    expect))
    return ms, calls

times, calls = [[], []], [0, 0]
for _ in range(reps):
    for i, r in enumerate(servers):
        ms, n = one(r)
        times[i].append(ms)
        calls[i] = n
print("%.3f %.3f %d %d" % (statistics.median(times[0]),
                           statistics.median(times[1]), calls[0], calls[1]))
EOF
) || die "timing failed"
read -r R_MS D_MS R_CALLS D_CALLS <<<"$TIMES"
kill -0 "$R_PID" 2>/dev/null || die "Respite died"
kill -0 "$D_PID" 2>/dev/null || die "Redis died"

REDIS_NAME=$(redis_name)
awk -v keys="$KEYS" -v expect="$EXPECT" -v reps="$REPS" \
    -v rms="$R_MS" -v dms="$D_MS" -v rc="$R_CALLS" -v dc="$D_CALLS" \
    -v rmem="$R_MEM" -v dmem="$D_MEM" -v ridx="${R_INDEX:-0}" \
    -v rname="$REDIS_NAME" -v cmd="$CMDLINE" 'BEGIN {
    printf "Prefix scan: %d keys (13-byte keys, 32-byte values), %d of them under `pfx:`;\n", keys, expect;
    printf "one full `SCAN cursor MATCH pfx:* COUNT 1000` iteration, median of %d (`%s`).\n\n", reps, cmd;
    printf "| | Respite | %s |\n|---|---|---|\n", rname;
    printf "| full iteration | %.2f ms (%d calls) | %.2f ms (%d calls) |\n", rms, rc, dms, dc;
    printf "| used_memory per key | %.1f B | %.1f B |\n", rmem / keys, dmem / keys;
    printf "| of which prefix index | %.1f B | - |\n\n", ridx / keys;
    printf "Respite is %.1fx faster (target: 20x); memory per key %.2fx of Redis.\n",
           dms / rms, (rmem / keys) / (dmem / keys);
}'
