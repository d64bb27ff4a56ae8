#!/bin/bash
# bench-random.sh - random draws from hash tables: Respite next to
# Debian's redis-server in one run.
#
#   scripts/bench-random.sh          full run (about 2 minutes on 2 cores)
#   scripts/bench-random.sh quick    smoke test: 1 round, small -n
#
# Both servers side by side on free 127.0.0.1 ports; every round runs each
# case with -P 1 and -P 16 on both, Respite first in odd rounds and Redis
# first in even ones (bench-lib.sh ab_rounds). A set and a hash of MEMBERS
# members (hash tables on both servers), and as many plain keys, are
# loaded first; the cases:
#   SRANDMEMBER -5   five draws, repeats allowed
#   SRANDMEMBER 5    five distinct members
#   HRANDFIELD -5    five draws of a hash's fields
#   RANDOMKEY        one key of the database
# Respite keeps a drawn bucket's chain in proportion to its length so
# every element has the same odds (store__chain_keep); Redis does not,
# and pays for a fairer pick differently (dictGetFairRandomKey). The
# table shows the median of the rounds and the server's CPU time a
# request.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (100000, quick: 10000)
#   N_P16      requests per -P 16 run                   (500000, quick: 50000)
#   MEMBERS    members of the set and the hash, keys    (200000, quick: 20000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-random "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
    MEMBERS=${MEMBERS:-20000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
    MEMBERS=${MEMBERS:-200000}
fi
KEYSPACE=$MEMBERS
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
check_positive ROUNDS N N_P16 MEMBERS
need_tools redis-benchmark redis-cli timeout awk
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-random

CASES=(srand_rep srand_distinct hrand randomkey)
declare -A LABEL=([srand_rep]="SRANDMEMBER -5" [srand_distinct]="SRANDMEMBER 5"
                  [hrand]="HRANDFIELD -5" [randomkey]="RANDOMKEY")

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        srand_rep) printf '%s\n' SRANDMEMBER set -5 ;;
        srand_distinct) printf '%s\n' SRANDMEMBER set 5 ;;
        hrand) printf '%s\n' HRANDFIELD hash -5 ;;
        randomkey) printf '%s\n' RANDOMKEY ;;
    esac
}

# load PORT: random members (most of MEMBERS, as -r draws them) of
# "set" and "hash", and as many keys "key:N".
load() {
    local n=$((MEMBERS * 3))
    rps_of "$1" 16 "$n" SADD set 'member:__rand_int__' >/dev/null
    rps_of "$1" 16 "$n" HSET hash 'field:__rand_int__' v >/dev/null
    rps_of "$1" 16 "$n" -t set >/dev/null
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load "$A_PORT"; load "$B_PORT"
size_of() {
    echo "$(redis-cli -h 127.0.0.1 -p "$1" SCARD set)" \
         "$(redis-cli -h 127.0.0.1 -p "$1" HLEN hash)" \
         "$(redis-cli -h 127.0.0.1 -p "$1" OBJECT ENCODING set)" \
         "$(redis-cli -h 127.0.0.1 -p "$1" OBJECT ENCODING hash)"
}
SIZE_A=$(size_of "$A_PORT"); SIZE_B=$(size_of "$B_PORT")

ab_rounds
stop_pid "$A_PID"; stop_pid "$B_PID"

echo "## Random draws: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 MEMBERS=$MEMBERS PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -P {1,16} {SRANDMEMBER set -5 | SRANDMEMBER set 5 | HRANDFIELD hash -5 | RANDOMKEY}"
echo "loaded:    SCARD, HLEN, encodings: respite $SIZE_A; redis $SIZE_B"
echo '```'
echo
ab_table
