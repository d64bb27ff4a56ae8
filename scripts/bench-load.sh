#!/bin/bash
# bench-load.sh [quick] - start-up time with a dump.rdb of KEYS keys,
# Respite against redis-server, rounds in A B A B order on the same file.
#
# redis-server fills itself (DEBUG POPULATE: KEYS strings of VALUE_SIZE
# bytes, every TTL_EVERY-th key with a TTL) and SAVEs; then each round
# starts each server on a copy of the file (loopback only) and reports the
# "DB loaded from disk: S seconds" its log prints, the wall time from
# spawn to the first PONG, the resident memory once loaded, and how long a
# SAVE of it all takes (redis-cli's round trip, into the round's own
# directory). Reports
# only; every server is stopped by PID and the work directory removed.
#
# Settings (environment):
#   KEYS        keys in the file               (1000000; quick: 200000)
#   VALUE_SIZE  bytes a value                  (32)
#   TTL_EVERY   every Nth key gets a TTL       (10)
#   ROUNDS      rounds of respite + redis      (3; quick: 1)
#   RESPITE_BIN, REDIS_BIN                     (bin/respite, redis-server)
# shellcheck source=scripts/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"
bench_init bench-load "$@"

RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
if [ "$MODE" = quick ]; then
    KEYS=${KEYS:-200000}; ROUNDS=${ROUNDS:-1}
else
    KEYS=${KEYS:-1000000}; ROUNDS=${ROUNDS:-3}
fi
VALUE_SIZE=${VALUE_SIZE:-32}
TTL_EVERY=${TTL_EVERY:-10}
check_positive KEYS VALUE_SIZE TTL_EVERY ROUNDS
need_servers
need_tools redis-cli
make_work bench-load

# The file: DEBUG POPULATE, TTLs on a share of the keys, SAVE.
start_server redis --enable-debug-command yes
redis-cli -p "$SRV_PORT" DEBUG POPULATE "$KEYS" key "$VALUE_SIZE" >/dev/null
for ((i = 0; i < KEYS; i += TTL_EVERY)); do
    printf 'EXPIRE key:%d 100000\n' "$i"
done | redis-cli -p "$SRV_PORT" >/dev/null
redis-cli -p "$SRV_PORT" SAVE >/dev/null
DUMP="$WORK/redis-$SRV_PORT/dump.rdb"
[ -s "$DUMP" ] || die "no dump.rdb written"
stop_pid "$SRV_PID"
log "dump.rdb: $(stat -c %s "$DUMP") bytes, $KEYS keys"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# one NAME: starts NAME on a copy of the file; sets LOAD (s), WALL (ms)
# and RSS (kB).
one() {
    local name=$1 dir="$WORK/run-$1" port pid logf t0 _
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$DUMP" "$dir/dump.rdb"
    port=$(pick_port) || die "no free port"
    logf="$WORK/$name-$port.log"
    t0=$(now_ms)
    if [ "$name" = respite ]; then
        "$RESPITE_BIN" --port "$port" --bind 127.0.0.1 --dir "$dir" \
            >"$logf" 2>&1 &
    else
        "$REDIS_BIN" --port "$port" --bind 127.0.0.1 --save '' \
            --appendonly no --dir "$dir" >"$logf" 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 6000); do
        kill -0 "$pid" 2>/dev/null || die "$name exited; see $logf"
        [ "$(redis-cli -p "$port" PING 2>/dev/null)" = PONG ] && break
        sleep 0.01
    done
    WALL=$(( $(now_ms) - t0 ))
    LOAD=$(sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$logf")
    LOAD=${LOAD:-NA}
    RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    [ "$(redis-cli -p "$port" DBSIZE)" = "$KEYS" ] ||
        die "$name holds $(redis-cli -p "$port" DBSIZE) keys, not $KEYS"
    t0=$(now_ms)
    [ "$(redis-cli -p "$port" SAVE)" = OK ] || die "$name: SAVE failed"
    SAVE=$(( $(now_ms) - t0 ))
    stop_pid "$pid"
}

printf '| round | server | DB loaded from disk (s) | spawn to PONG (ms) | RSS (MB) | SAVE (ms) |\n'
printf '|---|---|---|---|---|---|\n'
for ((r = 1; r <= ROUNDS; r++)); do
    for name in $(ab_order "$r"); do
        one "$name"
        printf '| %d | %s | %s | %s | %d | %d |\n' "$r" "$name" "$LOAD" \
            "$WALL" $((RSS / 1024)) "$SAVE"
    done
done
