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
CMDLINE="$0${*:+ $*}"
cd "$(dirname "$0")/.." || exit 1

MODE=full
case "${1:-}" in
    "") ;;
    quick) MODE=quick ;;
    *) echo "usage: $0 [quick]" >&2; exit 2 ;;
esac
if [ "$MODE" = quick ]; then
    KEYS=${KEYS:-100000}; REPS=${REPS:-3}
else
    KEYS=${KEYS:-1000000}; REPS=${REPS:-5}
fi
PYTHON=${PYTHON:-/usr/bin/python3}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}

for v in KEYS REPS; do
    case "${!v}" in
        ''|*[!0-9]*|0) echo "bench-prefix-scan: $v must be a positive integer" >&2; exit 2 ;;
    esac
done

log() { echo "bench-prefix-scan: $*" >&2; }
die() { log "$*"; exit 1; }

[ -x "$PYTHON" ] || die "$PYTHON not found"
"$PYTHON" -c 'import redis' 2>/dev/null || die "$PYTHON has no redis module"
for tool in redis-cli awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
done
command -v "$REDIS_BIN" >/dev/null 2>&1 || die "$REDIS_BIN not found"
if [ ! -x "$RESPITE_BIN" ]; then
    log "$RESPITE_BIN missing, running make"
    make >&2 || die "make failed"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-pscan.XXXXXX") || die "mktemp failed"
PIDS=()

stop_pid() {
    local pid=$1 _
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port on 127.0.0.1 nothing answers on, below the ephemeral range.
pick_port() {
    local lo=32768 p _
    read -r lo _ 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range
    [ "${lo:-0}" -gt 12000 ] 2>/dev/null || lo=61000
    for _ in $(seq 1 50); do
        p=$((10000 + RANDOM % (lo - 10000)))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    return 1
}

# start_server NAME -> sets SRV_PID and SRV_PORT (NAME: respite or redis).
start_server() {
    local name=$1 attempt port pid logf _
    for attempt in 1 2 3; do
        port=$(pick_port) || die "no free port found"
        logf="$WORK/$name-$port.log"
        if [ "$name" = respite ]; then
            "$RESPITE_BIN" --port "$port" --bind 127.0.0.1 >"$logf" 2>&1 &
        else
            mkdir -p "$WORK/redis-$port"
            "$REDIS_BIN" --port "$port" --bind 127.0.0.1 --save '' \
                --appendonly no --dir "$WORK/redis-$port" >"$logf" 2>&1 &
        fi
        pid=$!
        PIDS+=("$pid")
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            if [ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" = PONG ]; then
                SRV_PID=$pid; SRV_PORT=$port
                log "started $name pid $pid on 127.0.0.1:$port"
                return 0
            fi
            sleep 0.1
        done
        log "$name did not come up on port $port (attempt $attempt)"
        stop_pid "$pid"
    done
    die "could not start $name"
}

info_field() {
    redis-cli -h 127.0.0.1 -p "$1" INFO memory 2>/dev/null \
        | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2; exit }'
}

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

REDIS_NAME=$("$REDIS_BIN" --version 2>/dev/null | sed -n 's/^Redis server v=\([0-9.]*\).*/Redis \1/p')
awk -v keys="$KEYS" -v expect="$EXPECT" -v reps="$REPS" \
    -v rms="$R_MS" -v dms="$D_MS" -v rc="$R_CALLS" -v dc="$D_CALLS" \
    -v rmem="$R_MEM" -v dmem="$D_MEM" -v ridx="${R_INDEX:-0}" \
    -v rname="${REDIS_NAME:-Redis}" -v cmd="$CMDLINE" 'BEGIN {
    printf "Prefix scan: %d keys (13-byte keys, 32-byte values), %d of them under `pfx:`;\n", keys, expect;
    printf "one full `SCAN cursor MATCH pfx:* COUNT 1000` iteration, median of %d (`%s`).\n\n", reps, cmd;
    printf "| | Respite | %s |\n|---|---|---|\n", rname;
    printf "| full iteration | %.2f ms (%d calls) | %.2f ms (%d calls) |\n", rms, rc, dms, dc;
    printf "| used_memory per key | %.1f B | %.1f B |\n", rmem / keys, dmem / keys;
    printf "| of which prefix index | %.1f B | - |\n\n", ridx / keys;
    printf "Respite is %.1fx faster (target: 20x); memory per key %.2fx of Redis.\n",
           dms / rms, (rmem / keys) / (dmem / keys);
}'
