#!/bin/bash
# bench-eval.sh - Lua scripting: Respite next to Debian's redis-server in
# one run.
#
#   scripts/bench-eval.sh          full run (about 2 minutes on 2 cores)
#   scripts/bench-eval.sh quick    smoke test: 1 round, small -n
#
# Both servers side by side on free 127.0.0.1 ports; every round runs each
# case with -P 1 and -P 16 on both, Respite first in odd rounds and Redis
# first in even ones (bench-lib.sh ab_rounds). The cases are what client
# libraries send:
#   EVAL return 1         EVAL "return 1" 0: the body hashed and looked up
#                         in the cache at every call, nothing called
#   EVALSHA GET           a cached script reading one key
#   EVALSHA INCR          a cached script writing one key
#   EVALSHA lock release  redis-py's Lock release: GET, compare, DEL
# The scripts are loaded with SCRIPT LOAD before the rounds; the table
# shows the median of the rounds and the server's CPU time a request.
#
# Markdown to stdout, progress to stderr; it reports and never fails on a
# target. It stops every server it started, by PID.
#
# Settings (environment):
#   ROUNDS     rounds                                   (3, quick: 1)
#   N          requests per -P 1 run                    (100000, quick: 10000)
#   N_P16      requests per -P 16 run                   (500000, quick: 50000)
#   PIN        1 pins servers to CPU 0, clients to CPU 1 (0)
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-eval "$@"

if [ "$MODE" = quick ]; then
    ROUNDS=${ROUNDS:-1}; N=${N:-10000}; N_P16=${N_P16:-50000}
else
    ROUNDS=${ROUNDS:-3}; N=${N:-100000}; N_P16=${N_P16:-500000}
fi
KEYSPACE=100000
PIN=${PIN:-0}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
CLIENTS=50
check_positive ROUNDS N N_P16
need_tools redis-benchmark redis-cli timeout awk sha1sum
need_servers
setup_pin "servers on CPU 0, redis-benchmark/redis-cli on CPU 1"
make_work respite-bench-eval

GET_LUA="return redis.call('get', KEYS[1])"
INCR_LUA="return redis.call('incr', KEYS[1])"
RELEASE_LUA="local token = redis.call('get', KEYS[1])
if not token or token ~= ARGV[1] then return 0 end
redis.call('del', KEYS[1])
return 1"
sha_of() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }

CASES=(eval get incr release)
declare -A LABEL=([eval]="EVAL return 1" [get]="EVALSHA GET"
                  [incr]="EVALSHA INCR" [release]="EVALSHA lock release")

# case_args CASE -> the redis-benchmark arguments of CASE, one per line.
case_args() {
    case "$1" in
        eval) printf '%s\n' EVAL "return 1" 0 ;;
        get) printf '%s\n' EVALSHA "$(sha_of "$GET_LUA")" 1 'key:__rand_int__' ;;
        incr) printf '%s\n' EVALSHA "$(sha_of "$INCR_LUA")" 1 'ctr:__rand_int__' ;;
        release) printf '%s\n' EVALSHA "$(sha_of "$RELEASE_LUA")" 1 \
                     'lock:__rand_int__' token ;;
    esac
}

# load PORT: the scripts cached, and keys for GET to find.
load() {
    local s
    for s in "$GET_LUA" "$INCR_LUA" "$RELEASE_LUA"; do
        [ "$(redis-cli -h 127.0.0.1 -p "$1" SCRIPT LOAD "$s")" = "$(sha_of "$s")" ] ||
            die "SCRIPT LOAD on port $1 did not give the expected sha"
    done
    rps_of "$1" 16 $((KEYSPACE * 2)) -t set >/dev/null
}

start_server respite; A_PID=$SRV_PID; A_PORT=$SRV_PORT
start_server redis;   B_PID=$SRV_PID; B_PORT=$SRV_PORT
load "$A_PORT"; load "$B_PORT"

ab_rounds
CHECK_A=$(redis-cli -h 127.0.0.1 -p "$A_PORT" EVALSHA "$(sha_of "$GET_LUA")" 1 key:__rand_int__)
CHECK_B=$(redis-cli -h 127.0.0.1 -p "$B_PORT" EVALSHA "$(sha_of "$GET_LUA")" 1 key:__rand_int__)
stop_pid "$A_PID"; stop_pid "$B_PID"

echo "## Lua scripting: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  ROUNDS=$ROUNDS N=$N N_P16=$N_P16 PIN=$PIN ($PIN_NOTE)"
echo "date:      $(utc_now)"
echo "cpu:       ${CPU_MODEL:-unknown} ($NCPU online)"
echo "respite:   $(version_line "$RESPITE_BIN")"
echo "redis:     $(version_line "$REDIS_BIN")"
echo "client:    redis-benchmark -c $CLIENTS -r $KEYSPACE -P {1,16} {EVAL \"return 1\" 0 | EVALSHA <sha> 1 <key> ...}"
echo "check:     EVALSHA of the GET script on key:__rand_int__ (unset): respite '$CHECK_A', redis '$CHECK_B'"
echo '```'
echo
ab_table
