#!/bin/bash
# bench-growth-latency.sh - how long a client waits for a reply while the
# keyspace grows to KEYS keys, each with a TTL, and is deleted again:
# Respite next to Debian's redis-server in one run (issue 2: "incremental
# rehashing, no resize pause above 1 ms at 10M keys", seen from a client).
#
#   scripts/bench-growth-latency.sh          10M keys, 2 rounds (about 7
#                                            minutes on 2 cores)
#   scripts/bench-growth-latency.sh quick    smoke run: 200k keys, 1 round
#
# Each round starts a fresh server, Respite then Redis (A B A B ...), one
# at a time (10M keys take 1-2 GB) on a free 127.0.0.1 port, and runs
# three phases on it, each watched by scripts/latency_probe.py:
#   idle    IDLE seconds with no load: the floor the machine itself adds.
#   grow    KEYS x "SET key:NNNNNNNNN <32 bytes> EX $TTL" piped with
#           redis-cli --pipe, then SETTLE seconds: the hash tables and the
#           TTL structures both grow through every doubling to KEYS, and
#           the settle time covers rehashing that runs after the last SET.
#   rewrite (REWRITE=1) the same SET stream again: every key exists, so
#           the server does the same work per command without growing;
#           what grow adds over rewrite is the cost of growing (and not
#           the batches a pipelined loader hands the loop each iteration).
#   shrink  KEYS x "DEL key:NNNNNNNNN", piped the same way, then SETTLE s:
#           both structures empty and shrink.
# The two RESP streams are generated once into files, so each server gets
# the same bytes at the rate it accepts them.
#
# Why DEL for the way back: it is the same synchronous work on both (Redis
# 7.0's lazyfree-lazy-user-del is off), keyed one by one like the growth.
# FLUSHALL ASYNC is not comparable: Redis drops its tables in O(1) and frees
# them on a background thread, so it would time a different operation. A
# short TTL left to expire would compare the expiry sweepers' policies
# instead of the tables: Redis's slow expire cycle may by design run up to
# 25 ms per tick at hz 10, Respite's about 1 ms, and the time to empty
# differs with the budget.
#
# The probe sends PING on its own connection, one at a time with no pause
# and no pipelining, and records every round trip. With one request in
# flight, a 50 ms stall is one 50 ms wait, so "waits > 1 ms" counts stalls.
# The table shows per phase: PINGs answered, p99, p99.9, p99.99 and max wait
# in microseconds, waits over 1 ms and over 5 ms; the median over ROUNDS,
# and Respite/Redis (below 1.00x: Respite's clients wait less).
#
# Priority: the probe shares a CPU with the loader (redis-cli --pipe keeps
# it busy), so at normal priority its wait would include the time the
# kernel leaves it queued behind the loader. PRIO=fifo (the default) runs
# the probe with `chrt -f 10`, so it runs the moment its reply arrives and
# measures the server; PRIO=nice instead runs the loader under nice -n 10
# (the fallback when chrt is not permitted); PRIO=none changes neither.
# With PIN=1 the server runs on CPU 0 and the probe and loader on CPU 1.
# The server's helper threads (jemalloc's background purger, Respite's
# release thread, Redis's bio threads) inherit CPU 0, so their work takes
# turns with the loop there, and the cross-CPU TLB flush waits that
# server/release.c moves off the loop cannot happen; PIN=0 lets them run
# on either CPU. The machine is shared: the idle rows show what it adds
# by itself.
#
# The load rates in the second table are the loader's: it shares its CPU
# with the probe, which runs first, so a server that answers more PINGs
# leaves the loader less CPU. Where the loader, not the server, is the
# bottleneck (the rewrite phase) a lower rate goes with more PINGs
# answered; read them together.
#
# Markdown to stdout, progress to stderr; it reports, and never fails on a
# target. It stops every process it started, by PID.
#
# Settings (environment):
#   KEYS         keys to grow to, at most 999999999  (10000000, quick: 200000)
#   ROUNDS       rounds, each server once a round    (2, quick: 1)
#   TTL          the EX of every SET, seconds        (3600)
#   IDLE         seconds of the idle phase           (3, quick: 1)
#   SETTLE       seconds watched after each load     (3, quick: 1)
#   REWRITE      1 adds the rewrite phase (0, quick: 1; about +40 s a
#                server and round at 10M keys)
#   PIN          1 pins servers to CPU 0, the probe and loader to CPU 1 (0)
#   PRIO         fifo, nice or none, see above       (fifo)
#   STEP_TIMEOUT seconds one load may take           (600)
#   PYTHON       runs the probe                      (/usr/bin/python3)
#   RESPITE_BIN, REDIS_BIN   the two servers         (bin/respite, redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-growth-latency "$@"

if [ "$MODE" = quick ]; then
    KEYS=${KEYS:-200000}; ROUNDS=${ROUNDS:-1}
    IDLE=${IDLE:-1}; SETTLE=${SETTLE:-1}; REWRITE=${REWRITE:-1}
else
    KEYS=${KEYS:-10000000}; ROUNDS=${ROUNDS:-2}
    IDLE=${IDLE:-3}; SETTLE=${SETTLE:-3}; REWRITE=${REWRITE:-0}
fi
TTL=${TTL:-3600}
PIN=${PIN:-0}
PRIO=${PRIO:-fifo}
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
PYTHON=${PYTHON:-/usr/bin/python3}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
check_positive KEYS ROUNDS TTL IDLE SETTLE STEP_TIMEOUT
[ "$KEYS" -le 999999999 ] || { log "KEYS must be at most 999999999"; exit 2; }
need_tools redis-cli timeout awk
[ -x "$PYTHON" ] || die "$PYTHON not found"
need_servers
setup_pin "servers on CPU 0, probe and loader on CPU 1"
make_work respite-growth

PROBE_PRIO=(); LOAD_PRIO=()
case "$PRIO" in
    fifo)
        if chrt -f 10 true 2>/dev/null; then
            PROBE_PRIO=(chrt -f 10); PRIO_NOTE="probe under chrt -f 10 (SCHED_FIFO)"
        else
            LOAD_PRIO=(nice -n 10); PRIO_NOTE="chrt not permitted: loader under nice -n 10"
        fi ;;
    nice) LOAD_PRIO=(nice -n 10); PRIO_NOTE="loader under nice -n 10" ;;
    none) PRIO_NOTE="probe and loader at the same priority" ;;
    *) log "PRIO must be fifo, nice or none"; exit 2 ;;
esac

T_START=$(date +%s)
log "generating $KEYS SETs and $KEYS DELs"
awk -v n="$KEYS" -v ttl="$TTL" -v set="$WORK/grow.resp" -v del="$WORK/shrink.resp" 'BEGIN {
    v = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
    tail = sprintf("$2\r\nEX\r\n$%d\r\n%s\r\n", length(ttl ""), ttl)
    for (i = 1; i <= n; i++) {
        k = sprintf("key:%09d", i)
        printf "*5\r\n$3\r\nSET\r\n$13\r\n%s\r\n$32\r\n%s\r\n%s", k, v, tail > set
        printf "*2\r\n$3\r\nDEL\r\n$13\r\n%s\r\n", k > del
    }
}' || die "generating the load failed"

declare -A R=() INFO=()
PHASES=(idle grow shrink)
[ "$REWRITE" = 1 ] && PHASES=(idle grow rewrite shrink)
METRICS=(count p99 p999 p9999 max over1 over5 maxat)

# probe_start PORT: starts the probe on PORT and waits until it has had its
# first reply; sets PROBE_PID and PROBE_OUT.
probe_start() {
    local ready="$WORK/probe.ready" _
    PROBE_OUT="$WORK/probe.out"
    rm -f "$ready" "$PROBE_OUT"
    "${CLI_PIN[@]}" "${PROBE_PRIO[@]}" "$PYTHON" scripts/latency_probe.py \
        "$1" "$ready" $((STEP_TIMEOUT + 60)) >"$PROBE_OUT" 2>"$WORK/probe.err" &
    PROBE_PID=$!
    PIDS+=("$PROBE_PID")
    for _ in $(seq 1 100); do
        [ -e "$ready" ] && return 0
        kill -0 "$PROBE_PID" 2>/dev/null || break
        sleep 0.05
    done
    die "the probe did not start: $(cat "$WORK/probe.err")"
}

# probe_stop SRV PHASE: stops the probe and files its figures under
# R[PHASE,METRIC,SRV]; a probe that printed nothing leaves NA.
probe_stop() {
    local srv=$1 phase=$2 line i vals
    stop_pid "$PROBE_PID"
    line=$(head -n 1 "$PROBE_OUT")
    read -r -a vals <<<"$line"
    [ "${#vals[@]}" = "${#METRICS[@]}" ] ||
        { log "$srv $phase: probe gave no figures: $(head -c 300 "$WORK/probe.err")"; vals=(); }
    for i in "${!METRICS[@]}"; do
        R["$phase,${METRICS[$i]},$srv"]+="${vals[$i]:-NA} "
    done
    log "$srv $phase: ${line:-nothing} (count p99 p99.9 p99.99 max us, >1ms, >5ms, max at ms)"
}

# pipe_file SRV PORT FILE PHASE: pipes FILE into the server with
# redis-cli --pipe; prints the seconds it took.
pipe_file() {
    local srv=$1 port=$2 file=$3 phase=$4 t0 t1 out
    t0=$(date +%s%N)
    out=$(timeout --foreground "$STEP_TIMEOUT" "${CLI_PIN[@]}" "${LOAD_PRIO[@]}" \
          redis-cli -h 127.0.0.1 -p "$port" --pipe <"$file" 2>&1)
    t1=$(date +%s%N)
    log "$srv $phase load: $(((t1 - t0) / 1000000)) ms"
    case "$out" in
        *"errors: 0, replies: $KEYS"*) ;;
        *) log "$srv $phase: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')" ;;
    esac
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 }'
}

dbsize() { redis-cli -h 127.0.0.1 -p "$1" DBSIZE 2>/dev/null | tr -dc 0-9; }

# load_phase SRV PORT FILE PHASE: FILE piped into the server under the
# probe, then SETTLE seconds; the probe's figures go under PHASE and the
# load's seconds into INFO[PHASE_s,SRV].
load_phase() {
    local srv=$1 port=$2 file=$3 phase=$4 s
    probe_start "$port"
    s=$(pipe_file "$srv" "$port" "$file" "$phase")
    sleep "$SETTLE"; probe_stop "$srv" "$phase"
    INFO["${phase}_s,$srv"]+="$s "
}

# one_server SRV ROUND: a fresh SRV through idle, grow and shrink.
one_server() {
    local srv=$1 r=$2 pid port
    start_server "$srv"; pid=$SRV_PID; port=$SRV_PORT

    log "round $r/$ROUNDS $srv: idle ${IDLE}s"
    probe_start "$port"; sleep "$IDLE"; probe_stop "$srv" idle

    log "round $r/$ROUNDS $srv: growing to $KEYS keys"
    load_phase "$srv" "$port" "$WORK/grow.resp" grow
    INFO["keys,$srv"]+="$(dbsize "$port") "
    INFO["rss,$srv"]+="$(info_field "$port" used_memory_rss | awk '{ printf "%.0f", $1 / 1048576 }') "

    if [ "$REWRITE" = 1 ]; then
        log "round $r/$ROUNDS $srv: setting the $KEYS keys again"
        load_phase "$srv" "$port" "$WORK/grow.resp" rewrite
    fi

    log "round $r/$ROUNDS $srv: deleting them"
    load_phase "$srv" "$port" "$WORK/shrink.resp" shrink
    INFO["left,$srv"]+="$(dbsize "$port") "

    kill -0 "$pid" 2>/dev/null || log "$srv died during round $r"
    stop_pid "$pid"
}

LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
T_ROUNDS=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
    one_server respite "$r"
    one_server redis "$r"
done
T_END=$(date +%s)

# med_r / med_i KEY SRV: the median over rounds of R or INFO entry KEY
# for SRV; med_r and the counts of INFO are rounded to an integer (the
# mean of two rounds may end in .5), load seconds are not.
med_r() { echo "${R["$1,$2"]:-}" | median | to_int; }
med_i() { echo "${INFO["$1,$2"]:-}" | median; }
to_int() { awk '$1 == "NA" { print; next } { printf "%.0f\n", $1 }'; }
rate() { awk -v n="$KEYS" -v s="$1" 'BEGIN { if (s + 0 > 0) printf "%.0f\n", n / s; else print "NA" }'; }

declare -A MLABEL=([count]="PINGs answered" [p99]="p99 (us)" [p999]="p99.9 (us)"
                   [p9999]="p99.99 (us)" [max]="max (us)" [over1]="waits > 1 ms"
                   [over5]="waits > 5 ms")
REDIS_NAME=$(redis_name)

echo "## Client waits while the keyspace grows to $KEYS keys with a TTL and shrinks: Respite and $REDIS_NAME"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  KEYS=$KEYS ROUNDS=$ROUNDS TTL=$TTL IDLE=$IDLE SETTLE=$SETTLE REWRITE=$REWRITE PIN=$PIN ($PIN_NOTE) PRIO=$PRIO ($PRIO_NOTE)"
echo "date:      $(utc_now), load average at start $LOADAVG"
echo "duration:  $((T_END - T_START))s ($((T_ROUNDS - T_START))s generating the load files)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "loader:    redis-cli --pipe of SET key:NNNNNNNNN <32 bytes> EX $TTL, then of DEL key:NNNNNNNNN"
echo "probe:     scripts/latency_probe.py, PING one at a time on its own connection"
echo '```'
echo
echo "| Phase | Wait | Respite | Redis | Respite/Redis |"
echo "|---|---|---:|---:|---:|"
for ph in "${PHASES[@]}"; do
    for m in count p99 p999 p9999 max over1 over5; do
        a=$(med_r "$ph,$m" respite); b=$(med_r "$ph,$m" redis)
        echo "| $ph | ${MLABEL[$m]} | $a | $b | $(ratio "$a" "$b") |"
    done
done
echo
echo "| Load | Respite | Redis | Respite/Redis |"
echo "|---|---:|---:|---:|"
LOADS=(grow_s shrink_s)
[ "$REWRITE" = 1 ] && LOADS=(grow_s rewrite_s shrink_s)
declare -A LLABEL=([grow_s]="SETs/s, growing" [rewrite_s]="SETs/s, rewrite"
                   [shrink_s]="DELs/s")
for k in "${LOADS[@]}"; do
    a=$(med_i "$k" respite); b=$(med_i "$k" redis)
    label=${LLABEL[$k]}
    echo "| $label (redis-cli --pipe) | $(rate "$a") | $(rate "$b") | $(ratio "$(rate "$a")" "$(rate "$b")") |"
done
a=$(med_i keys respite | to_int); b=$(med_i keys redis | to_int)
echo "| DBSIZE after growing | $a | $b | |"
a=$(med_i rss respite | to_int); b=$(med_i rss redis | to_int)
echo "| used_memory_rss after growing (MB) | $a | $b | $(ratio "$a" "$b") |"
a=$(med_i left respite | to_int); b=$(med_i left redis | to_int)
echo "| DBSIZE after deleting | $a | $b | |"
echo
# at PHASE SRV: when the slowest wait of each round began, "a, b ms".
at() { echo "${R["$1,maxat,$2"]:-NA}" | xargs | sed 's/ /, /g; s/$/ ms/'; }
echo "Median of $ROUNDS round(s). Waits are PING round trips on a connection of their own."
echo "Each round's max wait began, after the start of the phase (a load phase lasts the load plus"
echo "SETTLE s):"
for srv in respite redis; do
    line="- $srv:"
    for ph in "${PHASES[@]}"; do line+=" $ph $(at "$ph" "$srv");"; done
    echo "${line%;}"
done
