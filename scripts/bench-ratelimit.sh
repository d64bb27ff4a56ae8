#!/bin/bash
# bench-ratelimit.sh - RATELIMIT throughput against GET on the same Respite
# server, in the same run (Redis has no equivalent command to compare with).
#
#   scripts/bench-ratelimit.sh          full run (about five minutes on 2 cores)
#   scripts/bench-ratelimit.sh quick    smoke test: 1 round, small -n
#
# One Respite server on a free 127.0.0.1 port. First the "live" limiters
# are created over KEYSPACE random keys (the used_memory they add is
# reported a limiter), then SET fills the same random keys for GET, so
# GET mostly hits; one untimed RATELIMIT run then
# grows the hash table to its size with the expiring limiters too. So every
# timed run, GET included, sees the same keyspace and no table growth.
# Then every round runs, with redis-benchmark -c 50 -r KEYSPACE:
#
#   GET        -t get                                  (key:__rand_int__)
#   RATELIMIT  RATELIMIT rl:__rand_int__ 100 60000     (one limiter per key)
#   live       RATELIMIT lv:__rand_int__ 100 6000000
#   control    SMISMEMBER no:__rand_int__ a b c d e
#
# "RATELIMIT" is a typical API limit, 100 a minute: an idle limiter expires
# 600 ms after a call (TTL = reset-after). At -P 1 a key is hit about every
# 2 s, so nearly every call finds its limiter expired and creates the key
# again; at -P 16 a key is hit every ~150 ms and about 10 times a run, so
# the first call of each key in a run creates it (KEYSPACE / N_P16 = 10%
# of the calls) and the rest update it in place. "live" uses a 100-minute
# period, so keys stay and every call updates its state in place; the two
# bracket real workloads. "control" is a command Redis has that replies
# as RATELIMIT does, five integers, after one lookup of a random key and
# no other work: a yardstick for how near GET a command with this reply
# gets here, limiter or not (the report divides each round's RATELIMIT
# ratio by its control ratio, too). Its lookup misses, which costs the
# server less than GET's hit (no entry to fetch), and it sends seven
# arguments where RATELIMIT sends four.
#
# The expiring limiters are deleted later by the server's expiry sweep.
# After each RATELIMIT run the script waits until the run's limiters have
# expired and the sweep removed them (down to the 10% stale keys it leaves
# to lazy expiry, see drain), so that work is not charged to whichever
# case runs next; the server CPU spent meanwhile is reported apart
# ("expiry"), as part of that case's cost.
#
# each with -P 1 and -P 16, with a GET run before and after every case
# (GET, RATELIMIT, GET, live, GET, control, GET). The table shows the
# median rps of the rounds and RATELIMIT/GET (target: at least 0.9) as
# the median of the rounds' own ratios, each run against the mean of the
# two GET runs around it: on a shared VM the speed drifts within seconds
# and a whole run can be 2x slower than the next, so a ratio of medians
# would compare runs far apart in time, and a GET on one side only would
# charge a steady drift to the case. Beside each ratio is the interval
# that holds the median ratio with 90% confidence (bench-lib.sh
# paired_ci): on this machine the rounds' ratios spread by +-0.1, so a
# median near 0.9 alone does not say which side of the target it is.
# The server's CPU a request is reported, and redis-benchmark's: on two
# cores the two share the machine, so the rps ratio moves with the
# client's cost of each reply as well; from those, the rate the client
# alone allows a command with RATELIMIT's reply, as a share of GET's, is
# printed too (the control's client cost stands for that reply). Each
# run's figures also go to stderr.
# SHARE=1 measures the server instead: the server and a busy loop share
# CPU 0 and redis-benchmark has CPU 1 to itself, so the server, with
# about half a core, is what limits the rate, as it is in production
# where many client machines feed one server. The rps ratios then follow
# the server's cost of each request, not redis-benchmark's.
# Markdown to stdout, progress to
# stderr; it reports and never fails on the target. It stops the server it
# started, by PID. scripts/bench.sh calls it for the README.
#
# Settings (environment):
#   ROUNDS    rounds                       (5, quick: 1)
#   N         requests per -P 1 run        (200000, quick: 20000)
#   N_P16     requests per -P 16 run       (1000000, quick: 100000)
#   KEYSPACE  redis-benchmark -r           (100000)
#   DRAIN_TIMEOUT  seconds to wait for a run's limiters to be swept  (30)
#   PIN       1 pins the server to CPU 0 and the client to CPU 1   (0)
#   SHARE     1 also runs a busy loop on CPU 0 (implies PIN=1)     (0)
#   RESPITE_BIN  the Respite binary        (bin/respite)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-ratelimit "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-20000}; N_P16=${N_P16:-100000}
else
    ROUNDS=${ROUNDS:-5}; N=${N:-200000}; N_P16=${N_P16:-1000000}
fi
KEYSPACE=${KEYSPACE:-100000}
PIN=${PIN:-0}
SHARE=${SHARE:-0}
[ "$SHARE" = 1 ] && PIN=1
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
CLIENTS=50
STEP_TIMEOUT=${STEP_TIMEOUT:-600}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-30}

check_positive ROUNDS N N_P16 KEYSPACE STEP_TIMEOUT DRAIN_TIMEOUT

need_tools redis-benchmark redis-cli timeout awk sort
need_respite
setup_pin "server on CPU 0, redis-benchmark on CPU 1"
if [ "$SHARE" = 1 ]; then
    [ ${#SRV_PIN[@]} -gt 0 ] || die "SHARE=1 needs 2 CPUs and taskset"
    PIN_NOTE="$PIN_NOTE; a busy loop shares CPU 0"
fi

make_work respite-bench-rl
start_server respite; PORT=$SRV_PORT

# bench P N ARGS... -> the rps of one redis-benchmark run, or NA.
bench() {
    local rps
    rps=$(rps_of "$PORT" "$@")
    kill -0 "$SRV_PID" 2>/dev/null || die "respite died; log: $(tail -n 5 "$WORK/respite-$PORT.log")"
    echo "$rps"
}

# sample NAME P N ARGS...: one run's rps into S[NAME], the server's CPU
# microseconds a request (bench-lib.sh cpu_us) into CPU[NAME], the
# client's into CLI[NAME].
sample() {
    local name=$1 t0 c0 rps us cus
    shift
    t0=$(cpu_ticks "$SRV_PID")
    c0=$(child_ticks)
    rps=$(bench "$@")
    cus=$(cpu_us $(($(child_ticks) - c0)) "$2")
    us=$(cpu_us $(($(cpu_ticks "$SRV_PID") - t0)) "$2")
    S[$name]+="$rps "
    CPU[$name]+="$us "
    CLI[$name]+="$cus "
    LAST_RPS=$rps LAST_CPU=$us
    log "  $name: $rps rps, $us us a request, client $cus us"
}

# db_keys FIELD: keys (or expires, those with a TTL) the server holds in
# db 0, expired ones not yet swept included (INFO keyspace).
db_keys() {
    redis-cli -h 127.0.0.1 -p "$PORT" INFO keyspace 2>/dev/null | tr -d '\r' |
        sed -n "s/^db0:.*$1=\\([0-9]*\\).*/\\1/p"
}

# drain KEYS EXPIRES: waits until the server holds at most KEYS + EXPIRES/10
# keys again, KEYS and EXPIRES being its keys and keys with a TTL before the
# run, DRAIN_TIMEOUT seconds at most. That is the run's limiters expired and
# swept down to the 10% of stale keys among those with a TTL that the
# sweep leaves for lazy expiry (store/expire.c, like Redis); the rest it
# removes slowly, a few a tick, or a later call reuses. Prints the
# server's CPU ticks spent meanwhile.
drain() {
    local t0 k goal=$(($1 + $2 / 10)) _
    t0=$(cpu_ticks "$SRV_PID")
    for _ in $(seq 1 $((DRAIN_TIMEOUT * 5))); do
        k=$(db_keys keys)
        [ -n "$k" ] && [ "$k" -le "$goal" ] && break
        sleep 0.2
    done
    if [ -z "$k" ] || [ "$k" -gt "$goal" ]; then
        log "limiters not swept after ${DRAIN_TIMEOUT}s ($k keys, goal $goal)"
    fi
    echo $(($(cpu_ticks "$SRV_PID") - t0))
}

# sample_rl NAME P N ARGS...: sample, then drain the run's limiters, their
# sweep's CPU microseconds a request of the run into EXP[NAME]; the first
# RATELIMIT key the run left behind and its PTTL into CHECK.
sample_rl() {
    local name=$1 keys vol key
    keys=$(db_keys keys)
    vol=$(db_keys expires)
    sample "$@"
    key=$(redis-cli -h 127.0.0.1 -p "$PORT" --scan --pattern 'rl:*' 2>/dev/null | head -n 1)
    [ -n "$key" ] && CHECK="$key, PTTL $(redis-cli -h 127.0.0.1 -p "$PORT" PTTL "$key") ms"
    EXP[$name]+="$(cpu_us "$(drain "${keys:-0}" "${vol:-0}")" "$3") "
}

declare -A S=() CPU=() CLI=() EXP=() BS=() BCPU=()
LAST_RPS=NA LAST_CPU=NA
CHECK=""
log "filling $KEYSPACE random keys for GET and the live limiters"
# The live limiters go into an empty server first, so the used_memory
# they add, over their number, is what a limiter costs (15-byte key, its
# TTL, the table and index slots) on a table grown for them alone.
mem0=$(info_field "$PORT" used_memory)
bench 16 $((KEYSPACE * 5)) RATELIMIT 'lv:__rand_int__' 100 6000000 >/dev/null
LV_MEM=$(awk -v a="$mem0" -v b="$(info_field "$PORT" used_memory)" \
    -v n="$(db_keys keys)" 'BEGIN {
        if (a == "" || b == "" || n + 0 == 0) print "n/a";
        else printf "%.1f\n", (b - a) / n }')
bench 16 $((KEYSPACE * 5)) -t set >/dev/null
log "one untimed RATELIMIT run: the table grows to hold the expiring limiters"
keys=$(db_keys keys)
vol=$(db_keys expires)
bench 16 $((KEYSPACE * 2)) RATELIMIT 'rl:__rand_int__' 100 60000 >/dev/null
drain "${keys:-0}" "${vol:-0}" >/dev/null
if [ "$SHARE" = 1 ]; then
    "${SRV_PIN[@]}" sh -c 'while :; do :; done' &
    PIDS+=("$!")
fi

# mean2 A B: the mean of two figures, NA if either is missing.
mean2() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a + 0 > 0 && b + 0 > 0) printf "%.2f\n", (a + b) / 2; else print "NA" }'
}

# Every case runs between two GET runs, and its ratios are taken against
# their mean: the machine's speed drifts within seconds here, and a GET
# on each side cancels a drift that is steady across the three runs.
for round in $(seq 1 "$ROUNDS"); do
    for p in 1 16; do
        n=$N; [ "$p" = 16 ] && n=$N_P16
        log "round $round, -P $p: GET"
        sample "get$p" "$p" "$n" -t get
        for c in rl lv ct; do
            g0=$LAST_RPS u0=$LAST_CPU
            case $c in
            rl)
                log "round $round, -P $p: RATELIMIT"
                sample_rl "rl$p" "$p" "$n" RATELIMIT 'rl:__rand_int__' 100 60000 ;;
            lv)
                log "round $round, -P $p: RATELIMIT, live keys"
                sample "lv$p" "$p" "$n" RATELIMIT 'lv:__rand_int__' 100 6000000 ;;
            ct)
                log "round $round, -P $p: control, SMISMEMBER (five-integer reply)"
                sample "ct$p" "$p" "$n" SMISMEMBER 'no:__rand_int__' a b c d e ;;
            esac
            log "round $round, -P $p: GET"
            sample "get$p" "$p" "$n" -t get
            BS[$c$p]+="$(mean2 "$g0" "$LAST_RPS") "
            BCPU[$c$p]+="$(mean2 "$u0" "$LAST_CPU") "
        done
    done
done

# Sanity: the live limiters exist and carry a TTL (the command really ran).
LV_KEY=$(redis-cli -h 127.0.0.1 -p "$PORT" --scan --pattern 'lv:*' 2>/dev/null | head -n 1)
LV_TTL=$( [ -n "$LV_KEY" ] && redis-cli -h 127.0.0.1 -p "$PORT" PTTL "$LV_KEY")

echo "## RATELIMIT vs GET (Respite)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 KEYSPACE=$KEYSPACE PIN=$PIN SHARE=$SHARE ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       $CPU_MODEL ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16}: -t get | RATELIMIT rl:__rand_int__ 100 60000"
echo "           | RATELIMIT lv:__rand_int__ 100 6000000 (live) | SMISMEMBER no:__rand_int__ a b c d e (control)"
echo "check:     after a RATELIMIT run ${CHECK:-no rl:* key}; live ${LV_KEY:-none}, PTTL ${LV_TTL:-n/a} ms"
echo "memory:    $LV_MEM bytes a live limiter (used_memory growth / keys while they were created)"
echo '```'
echo
# with_ci A B: paired_ratio A B and, in parentheses, its paired_ci.
with_ci() {
    echo "$(paired_ratio "$1" "$2") ($(paired_ci "$1" "$2"))"
}

# rows ARRAY BRACKETS CPU: the table rows of ARRAY (S or CPU): each case's
# median, and the median of the rounds' ratios with its confidence
# interval (each run against the mean of the GET runs around it, from
# BRACKETS: BS or BCPU); with CPU=1 the ratios are GET's over each case's
# (less time is better).
rows() {
    local -n a=$1 b=$2
    local p g r l
    for p in 1 16; do
        g=$(echo "${a[get$p]}" | median)
        r=$(echo "${a[rl$p]}" | median)
        l=$(echo "${a[lv$p]}" | median)
        if [ "$3" = 1 ]; then
            echo "| -P $p | $g | $r | $(with_ci "${b[rl$p]}" "${a[rl$p]}") | $l | $(with_ci "${b[lv$p]}" "${a[lv$p]}") |"
        else
            echo "| -P $p | $g | $r | $(with_ci "${a[rl$p]}" "${b[rl$p]}") | $l | $(with_ci "${a[lv$p]}" "${b[lv$p]}") |"
        fi
    done
}

echo "| pipeline | GET rps | RATELIMIT rps | RATELIMIT / GET | live rps | live / GET |"
echo "|---|---:|---:|---:|---:|---:|"
rows S BS 0
echo
echo "The server's CPU microseconds a request (steadier than rps on a shared"
echo "machine; at -P 1 mostly the loop's busy polling, see busy-poll-us),"
echo "and GET's as a share of each RATELIMIT case's:"
echo
echo "| pipeline | GET | RATELIMIT | GET / RATELIMIT | live | GET / live |"
echo "|---|---:|---:|---:|---:|---:|"
rows CPU BCPU 1
echo
echo "redis-benchmark's own CPU microseconds a request. It shares the two"
echo "cores with the server, so what it spends (a RATELIMIT reply is five"
echo "integers to parse where GET's is one string) lowers the rps too:"
echo
echo "| pipeline | GET | RATELIMIT | live |"
echo "|---|---:|---:|---:|"
for p in 1 16; do
    echo "| -P $p | $(echo "${CLI[get$p]}" | median) | $(echo "${CLI[rl$p]}" | median) | $(echo "${CLI[lv$p]}" | median) |"
done
echo
echo "The control, SMISMEMBER on missing keys with five members: one lookup"
echo "(a miss, cheaper than GET's hit) and the same five-integer reply as"
echo "RATELIMIT, no limiter. Requests/s and GET's server CPU a request as a"
echo "share of its:"
echo
echo "| pipeline | control rps | control / GET | server: GET / control | client us |"
echo "|---|---:|---:|---:|---:|"
for p in 1 16; do
    echo "| -P $p | $(echo "${S[ct$p]}" | median) | $(with_ci "${S[ct$p]}" "${BS[ct$p]}") | $(paired_ratio "${BCPU[ct$p]}" "${CPU[ct$p]}") | $(echo "${CLI[ct$p]}" | median) |"
done
echo
echo "RATELIMIT against the control: each round's RATELIMIT / GET ratio over"
echo "its control / GET ratio (the same reply, no limiter work), median and"
echo "90% interval:"
echo
echo "| pipeline | RATELIMIT / control | live / control |"
echo "|---|---:|---:|"
for p in 1 16; do
    ct=$(round_ratios "${S[ct$p]}" "${BS[ct$p]}")
    echo "| -P $p | $(with_ci "$(round_ratios "${S[rl$p]}" "${BS[rl$p]}")" "$ct") | $(with_ci "$(round_ratios "${S[lv$p]}" "${BS[lv$p]}")" "$ct") |"
done
echo
echo "What the client alone allows: a run goes at the pace of whichever of"
echo "server and client spends more a request, so a command whose requests"
echo "and replies cost redis-benchmark what the control's do gets at most"
echo "max(GET server us, GET client us) / control client us of GET's rate,"
echo "however little it costs the server:"
echo
for p in 1 16; do
    awk -v p="$p" -v gs="$(echo "${CPU[get$p]}" | median)" \
        -v gc="$(echo "${CLI[get$p]}" | median)" \
        -v cc="$(echo "${CLI[ct$p]}" | median)" 'BEGIN {
        m = gs + 0 > gc + 0 ? gs : gc
        if (m + 0 > 0 && cc + 0 > 0)
            printf "- -P %s: max(%s, %s) / %s = %.2fx\n", p, gs, gc, cc, m / cc
        else
            printf "- -P %s: n/a\n", p }'
done
echo
echo "The expiring limiters' later sweep, in server CPU microseconds per"
echo "RATELIMIT request of the run that created them (measured while waiting"
echo "for them, so no other case is charged for it):"
echo
echo "| pipeline | expiry | RATELIMIT + expiry | GET / (RATELIMIT + expiry) |"
echo "|---|---:|---:|---:|"
for p in 1 16; do
    g=$(echo "${CPU[get$p]}" | median)
    r=$(echo "${CPU[rl$p]}" | median)
    x=$(echo "${EXP[rl$p]}" | median)
    t=$(awk -v a="$r" -v b="$x" 'BEGIN { if (a + 0 > 0 && b != "NA") printf "%.2f\n", a + b; else print "NA" }')
    echo "| -P $p | $x | $t | $(ratio "$g" "$t") |"
done
echo
echo "Medians of $ROUNDS round(s); a ratio is the median of the rounds' ratios"
echo "(each run against the mean of the GET runs just before and after it), and"
echo "in parentheses an interval that holds the true median ratio with at least"
echo "90% confidence (sign test; n/a under 5 rounds). Target RATELIMIT / GET"
echo ">= 0.90x: met when the interval's lower end is >= 0.90, missed when its"
echo "upper end is below, and not decided by these rounds otherwise."
