#!/bin/bash
# instr-ratelimit.sh - the instructions a request costs the server for GET
# and for RATELIMIT on live limiters, counted by valgrind's callgrind, and
# the functions where the two differ most.
#
#   scripts/instr-ratelimit.sh          N requests a case at -P 16
#   scripts/instr-ratelimit.sh quick    smoke test: small N
#
# Time on a shared VM swings by 2x between runs; instruction counts do
# not, so a change of a few percent to either command shows here when
# bench-ratelimit.sh cannot see it. They leave out cache misses (the
# lookups' cost), so this explains bench-ratelimit.sh rather than
# replaces it. Each case gets a server of its own under callgrind with
# counting off; the keyspace is filled as in bench-ratelimit.sh (KEYSPACE
# keys for GET, as many live limiters), then counting is switched on for
# the N timed requests only. A profiling aid, not a test: it needs
# valgrind (apt-get install valgrind), which the test suite does not.
#
# Settings (environment):
#   N            requests counted a case   (200000, quick: 20000)
#   KEYSPACE     redis-benchmark -r        (100000)
#   TOP          functions listed          (16)
#   RESPITE_BIN  the Respite binary        (bin/respite)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init instr-ratelimit "$@"

if [ "$MODE" = quick ]; then N=${N:-20000}; else N=${N:-200000}; fi
KEYSPACE=${KEYSPACE:-100000}
TOP=${TOP:-16}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
CLIENTS=50
check_positive N KEYSPACE TOP

need_tools redis-benchmark redis-cli valgrind callgrind_control callgrind_annotate awk sort join
need_respite
make_work respite-instr

# count NAME ARGS...: a server under callgrind, the keyspace filled, N
# requests of ARGS counted; the profile ends up in $WORK/NAME.out.
count() {
    local name=$1
    shift
    SRV_PIN=(valgrind --tool=callgrind --instr-atstart=no
             "--callgrind-out-file=$WORK/$name.out")
    start_server respite
    log "$name: filling, then $N requests counted"
    rps_of "$SRV_PORT" 16 $((KEYSPACE * 3)) -t set >/dev/null
    rps_of "$SRV_PORT" 16 $((KEYSPACE * 3)) \
        RATELIMIT 'lv:__rand_int__' 100 6000000 >/dev/null
    callgrind_control -i on "$SRV_PID" >/dev/null 2>&1
    rps_of "$SRV_PORT" 16 "$N" "$@" >/dev/null
    callgrind_control -i off "$SRV_PID" >/dev/null 2>&1
    stop_pid "$SRV_PID"                 # callgrind writes the file at exit
    [ -s "$WORK/$name.out" ] || die "no profile from callgrind for $name"
}

# total NAME: instructions a request.
total() {
    callgrind_annotate "$WORK/$1.out" 2>/dev/null | tr -d ',' |
        awk -v n="$N" '/PROGRAM TOTALS/ { printf "%.0f\n", $1 / n; exit }'
}

# self NAME: "function<TAB>instructions" (its own, callees apart), sorted.
self() {
    callgrind_annotate --inclusive=no "$WORK/$1.out" 2>/dev/null |
        grep -v '=>' | grep -E '^ *[0-9,]+ +\([^)]*\) +[^ ]+:[^ ]+' |
        sed -E 's/^ *([0-9,]+) +\([^)]*\) +(.*)$/\2\t\1/; s/ \[[^]]*\]//' |
        tr -d ',' | sort -t "$(printf '\t')" -k1,1
}

count get -t get
count live RATELIMIT 'lv:__rand_int__' 100 6000000
G=$(total get)
L=$(total live)

echo "## Instructions a request: GET and RATELIMIT (callgrind)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  N=$N KEYSPACE=$KEYSPACE, -P 16, -c $CLIENTS"
echo "date:      $(utc_now)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "valgrind:  $(valgrind --version)"
echo '```'
echo
echo "| case | instructions a request |"
echo "|---|---:|"
echo "| GET | $G |"
echo "| RATELIMIT, live limiters | $L |"
echo
echo "Where they differ most, a request (the function's own instructions,"
echo "its callees apart; ??? is inside a library without symbols):"
echo
echo "| RATELIMIT - GET | GET | RATELIMIT | function |"
echo "|---:|---:|---:|---|"
tab=$(printf '\t')
join -t "$tab" -a1 -a2 -e 0 -o 0,1.2,2.2 <(self get) <(self live) |
    awk -F"$tab" -v n="$N" '{ d = ($3 - $2) / n; a = d < 0 ? -d : d;
        printf "%.1f\t%.0f\t%.0f\t%.0f\t%s\n", a, d, $2 / n, $3 / n, $1 }' |
    sort -t "$tab" -k1,1 -g -r | head -n "$TOP" |
    awk -F"$tab" '{ printf "| %d | %d | %d | %s |\n", $2, $3, $4, $5 }'
