# bench-lib.sh - helpers shared by scripts/bench*.sh; sourced, never run.
#
#   bench_init NAME "$@"   log prefix NAME, CMDLINE, cd to the repo root, MODE
#                          (full, or quick for "quick"; else usage, exit 2);
#                          EXIT trap stops every PID in PIDS and removes WORK
#                          (kept if KEEP_WORK=1); INT/TERM exit 130/143
#   log MSG, die MSG       progress / fatal error on stderr, "NAME: MSG"
#   check_positive VAR...  exit 2 unless each named variable is a positive integer
#   need_tools TOOL...     die unless each TOOL is on PATH
#   need_respite           run make when $RESPITE_BIN is the tree's bin/respite
#                          (a stale one is rebuilt); else it must exist
#   need_servers           need_respite, and $REDIS_BIN must be on PATH
#   setup_pin NOTE         PIN=1 with 2+ CPUs: SRV_PIN/CLI_PIN taskset prefixes,
#                          PIN_NOTE=NOTE (else empty, "none")
#   make_work PREFIX       WORK=a fresh directory under ${TMPDIR:-/tmp}
#   stop_pid PID           SIGTERM, up to 5 s, then SIGKILL; reaps it and
#                          drops it from PIDS
#   pick_port              a free 127.0.0.1 port below the ephemeral range
#   start_server NAME [ARG...]  respite or redis (NAME) on a free port, with
#                          ARGs (respite also gets $RESPITE_ARGS from the
#                          environment, e.g. "--busy-poll-us 0"); waits for
#                          PING, retries a lost port race;
#                          sets SRV_PID and SRV_PORT, log in $WORK/NAME-PORT.log
#   info_field PORT FIELD  one INFO memory field of the server on PORT
#   rps_of PORT P N ARG... requests/s of one redis-benchmark -c $CLIENTS run
#                          (ARGs: -t tests, or a command), or NA
#   median                 median of the numbers on stdin (NA ignored), or NA
#   ratio A B              "A/B" as "1.23x", or "n/a"
#   round_ratios A B       the rounds' ratios Ai / Bi, in round order
#   paired_ratio A B       median of the ratios of the paired figures of
#                          two lists, as "0.95x"; paired_ci A B: its 90%
#                          confidence interval, as "0.912-0.981"
#   mem_per_item SRV N GEN  starts SRV fresh, pipes GEN's RESP output into
#                          redis-cli --pipe, prints used_memory growth / N
#   cpu_ticks PID          user + system clock ticks PID has used so far
#   ab_order ROUND         "respite redis" in odd rounds, "redis respite"
#                          in even ones
#   ab_server SRV          RUN_PORT and RUN_PID: A_PORT/A_PID for respite,
#                          B_PORT/B_PID for redis
#   ab_rounds, ab_table    ROUNDS rounds of CASES at -P 1 and -P 16 on
#                          respite (A_PORT, A_PID) and redis (B_PORT,
#                          B_PID) in ab_order, arguments from the caller's case_args,
#                          requests a run from its case_requests CASE N if it
#                          defines one (else N, N_P16 at -P 16)
#                          (progress names the two as AB_NAME[respite] and
#                          AB_NAME[redis] when the caller sets them)
#                          CASE, requests/s in S and the server's CPU
#                          microseconds a request in CPU; then their
#                          markdown table
#   header: utc_now, version_line BIN, redis_name, CPU_MODEL, NCPU
# The caller sets RESPITE_BIN (and REDIS_BIN to start redis) first.

# shellcheck shell=bash disable=SC2034  # CMDLINE, MODE, ...: for the callers

BENCH_NAME=bench
PIDS=()
WORK=""
KEEP_WORK=${KEEP_WORK:-0}        # 1 from the environment keeps WORK
SRV_PIN=(); CLI_PIN=(); PIN_NOTE="none"
declare -A AB_NAME=()
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)

log() { echo "$BENCH_NAME: $*" >&2; }
die() { log "$*"; exit 1; }

bench_init() {
    BENCH_NAME=$1
    shift
    CMDLINE="$0${*:+ $*}"
    cd "$(dirname "$0")/.." || exit 1
    MODE=full
    case "${1:-}" in
        "") ;;
        quick) MODE=quick ;;
        *) echo "usage: $0 [quick]" >&2; exit 2 ;;
    esac
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

check_positive() {
    local v
    for v in "$@"; do
        case "${!v}" in
            ''|*[!0-9]*|0) echo "$BENCH_NAME: $v must be a positive integer" >&2; exit 2 ;;
        esac
    done
}

need_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/deps.sh installs it)"
    done
}

need_respite() {
    # A binary older than the sources once made a bench report NA for
    # commands it did not have yet; make is a no-op when it is current.
    if [ "$RESPITE_BIN" = bin/respite ]; then
        make -s >&2 || die "make failed"
    fi
    [ -x "$RESPITE_BIN" ] || die "$RESPITE_BIN missing"
}

need_servers() {
    command -v "$REDIS_BIN" >/dev/null 2>&1 || die "$REDIS_BIN not found"
    need_respite
}

setup_pin() {
    if [ "$PIN" = 1 ] && [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
        SRV_PIN=(taskset -c 0); CLI_PIN=(taskset -c 1)
        PIN_NOTE=$1
    fi
}

make_work() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || die "mktemp failed"
}

# Dropping a stopped PID from PIDS keeps the EXIT trap from signalling a
# process that later reuses the number.
forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

stop_pid() {
    local pid=$1 _
    forget_pid "$pid"
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIGTERM for 5 s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    [ -n "$WORK" ] || return 0
    if [ "$KEEP_WORK" = 1 ]; then
        log "server logs kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}

# A port on 127.0.0.1 that nothing answers on right now: a random pick
# below the kernel's ephemeral range, so no client socket holds it either
# (start_server retries if we lose a race for it anyway).
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

start_server() {
    local name=$1 attempt port pid logf _
    shift
    for attempt in 1 2 3 4 5; do
        port=$(pick_port) || die "no free port found"
        logf="$WORK/$name-$port.log"
        if [ "$name" = respite ]; then
            # shellcheck disable=SC2086  # RESPITE_ARGS: directives, split
            "${SRV_PIN[@]}" "$RESPITE_BIN" --port "$port" --bind 127.0.0.1 \
                ${RESPITE_ARGS:-} "$@" >"$logf" 2>&1 &
        else
            mkdir -p "$WORK/redis-$port"
            "${SRV_PIN[@]}" "$REDIS_BIN" --port "$port" --bind 127.0.0.1 \
                --save '' --appendonly no --dir "$WORK/redis-$port" \
                "$@" >"$logf" 2>&1 &
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
        log "$name did not come up on port $port (attempt $attempt); log:"
        tail -n 5 "$logf" >&2
        stop_pid "$pid"
    done
    die "could not start $name"
}

# One INFO field, digits only.
info_field() {
    redis-cli -h 127.0.0.1 -p "$1" INFO memory 2>/dev/null \
        | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2; exit }'
}

utc_now() { date -u '+%Y-%m-%d %H:%M:%S UTC'; }

version_line() { "$1" --version 2>&1 | head -n 1; }

# "Redis 7.0.15", from $REDIS_BIN --version; "Redis" if that says nothing.
redis_name() {
    local v
    v=$("$REDIS_BIN" --version 2>/dev/null | sed -n 's/^Redis server v=\([0-9.]*\).*/Redis \1/p')
    echo "${v:-Redis}"
}

rps_of() {
    local port=$1 p=$2 n=$3 out
    shift 3
    out=$(timeout --foreground "${STEP_TIMEOUT:-600}" "${CLI_PIN[@]}" \
        redis-benchmark -h 127.0.0.1 -p "$port" -c "${CLIENTS:-50}" \
        -r "${KEYSPACE:-100000}" -q --csv -n "$n" -P "$p" "$@" 2>&1)
    # The CSV row is "name","rps",...: rps is the 7th field from the end.
    printf '%s\n' "$out" | tr -d '\r' | awk -F, '
        /^"/ && $1 != "\"test\"" { v = $(NF-6); gsub(/"/, "", v); print v; f = 1; exit }
        END { if (!f) print "NA" }'
}

median() {
    tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "NA";
              else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a + 0 > 0 && b + 0 > 0) printf "%.2fx\n", a / b; else print "n/a" }'
}

# sorted_ratios "A1 A2 ..." "B1 B2 ...": the ratios Ai / Bi of the pairs
# where both are numbers, one a line, in increasing order.
# round_ratios "A1 A2 ..." "B1 B2 ...": the rounds' ratios Ai / Bi as a
# list in round order, 0 where a figure is missing (NA), which the ratio
# functions below skip.
round_ratios() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++)
            printf "%s%.6f", (i > 1 ? " " : ""), (y[i] + 0 > 0 ? x[i] / y[i] : 0)
        print "" }'
}

sorted_ratios() {
    round_ratios "$1" "$2" | tr ' ' '\n' | awk '$1 + 0 > 0' | sort -g
}

# paired_ratio "A1 A2 ..." "B1 B2 ...": the median of the rounds' ratios
# Ai / Bi, each pair measured back to back, so that drift of a shared
# machine between rounds cancels out (a ratio of two medians can pair a
# fast round of one case with a slow round of the other).
paired_ratio() {
    sorted_ratios "$1" "$2" | awk '{ r[NR] = $1 } END {
        if (NR == 0) { print "n/a"; exit }
        m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
        printf "%.2fx\n", m }'
}

# paired_ci "A1 A2 ..." "B1 B2 ...": an interval that holds the median
# ratio paired_ratio estimates with at least 90% confidence, as "lo-hi":
# the j-th smallest and j-th largest of the n ratios, j the largest with
# P(Binomial(n, 1/2) < j) <= 5% (the sign test's interval: it assumes
# only that the rounds are independent, no distribution). "n/a" below 5
# rounds, where no such j exists.
paired_ci() {
    sorted_ratios "$1" "$2" | awk '{ r[NR] = $1 } END {
        n = NR; c = 0.5 ^ n; p = c; j = 0
        while (n > 0 && p <= 0.05) { j++; c = c * (n - j + 1) / j; p += c }
        if (j < 1) print "n/a"; else printf "%.3f-%.3f\n", r[j], r[n + 1 - j] }'
}

mem_per_item() {
    local srv=$1 n=$2 gen=$3 port pid before after out
    start_server "$srv"; pid=$SRV_PID; port=$SRV_PORT
    sleep 1
    before=$(info_field "$port" used_memory)
    out=$("$gen" | timeout --foreground "${STEP_TIMEOUT:-600}" \
          redis-cli -h 127.0.0.1 -p "$port" --pipe 2>&1)
    printf '%s' "$out" | grep -q 'errors: 0' ||
        log "$srv load ($gen): $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"
    sleep 1
    after=$(info_field "$port" used_memory)
    stop_pid "$pid"
    awk -v a="$before" -v b="$after" -v n="$n" 'BEGIN {
        if (a == "" || b == "") print "n/a"; else printf "%.1f\n", (b - a) / n }'
}

declare -A S=() CPU=()
cpu_ticks() {
    # Fields 14 and 15 of /proc/PID/stat; the name before them is in
    # parentheses and may hold spaces, so count from its closing one.
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# The CPU ticks this shell's finished children (and theirs, once waited
# for) were charged: fields 16 and 17 of /proc/$$/stat. Around one
# redis-benchmark run the difference is the client's CPU, plus a tick or
# so of the small tools run meanwhile.
child_ticks() {
    sed 's/.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'
}

# The server's CPU time a request, in microseconds: throughput on a shared
# 2-core machine swings with the neighbours' load, and at -P 1 both servers
# make the same two system calls a request, so what a server itself spends
# shows better in the CPU time it was charged than in requests/s.
cpu_us() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" \
        'BEGIN { printf "%.2f\n", t * 1000000 / hz / n }'
}

# Whichever server runs first in a pair runs right after the other's -P 16
# run; swapping the order every round keeps that from favouring one.
ab_order() {
    if [ $(($1 % 2)) = 1 ]; then echo respite redis; else echo redis respite; fi
}

ab_server() {
    if [ "$1" = respite ]; then RUN_PORT=$A_PORT; RUN_PID=$A_PID
    else RUN_PORT=$B_PORT; RUN_PID=$B_PID; fi
}

ab_rounds() {
    local r c p n srv port pid v args t0
    for r in $(seq 1 "$ROUNDS"); do
        for c in "${CASES[@]}"; do
            mapfile -t args < <(case_args "$c")
            for p in 1 16; do
                n=$N; [ "$p" = 16 ] && n=$N_P16
                declare -F case_requests >/dev/null && n=$(case_requests "$c" "$n")
                for srv in $(ab_order "$r"); do
                    ab_server "$srv"; port=$RUN_PORT; pid=$RUN_PID
                    t0=$(cpu_ticks "$pid")
                    v=$(rps_of "$port" "$p" "$n" "${args[@]}")
                    kill -0 "$pid" 2>/dev/null || die "$srv died during $c"
                    S["$c,$p,$srv"]+="$v "
                    CPU["$c,$p,$srv"]+="$(cpu_us $(($(cpu_ticks "$pid") - t0)) "$n") "
                    log "round $r/$ROUNDS  ${LABEL[$c]} -P $p  ${AB_NAME[$srv]:-$srv}: $v req/s"
                done
            done
        done
    done
}

ab_table() {
    local c p a b ca cb
    echo "| Case | -P | Respite | Redis | Respite/Redis | CPU us/req Respite | Redis | Redis/Respite |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for c in "${CASES[@]}"; do
        for p in 1 16; do
            a=$(echo "${S["$c,$p,respite"]}" | median)
            b=$(echo "${S["$c,$p,redis"]}" | median)
            ca=$(echo "${CPU["$c,$p,respite"]}" | median)
            cb=$(echo "${CPU["$c,$p,redis"]}" | median)
            echo "| ${LABEL[$c]} | $p | $a | $b | $(ratio "$a" "$b") | $ca | $cb | $(ratio "$cb" "$ca") |"
        done
    done
}
