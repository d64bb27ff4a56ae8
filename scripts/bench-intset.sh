#!/bin/bash
# bench-intset.sh - memory of sets of integers (intsets): Respite next to
# Debian's redis-server, bytes per member.
#
#   scripts/bench-intset.sh          10000 sets of each size
#   scripts/bench-intset.sh quick    1000 sets of each size
#
# For each size (SIZES, members a set) fresh instances of both servers
# load INTSET_KEYS sets with redis-cli --pipe, one SADD a set of members
# 1000, 1037, 1074... (ids below 32768: 2 bytes each in an intset); the
# table shows used_memory growth per member, keys included. A second
# Respite (BEFORE_BIN, e.g. a build from before intsets) adds a column.
#
# Markdown to stdout, progress to stderr; it stops every server it started,
# by PID.
#
# Settings (environment):
#   INTSET_KEYS  sets of each size                     (10000, quick: 1000)
#   SIZES        members a set                         ("10 100 400")
#   RESPITE_BIN, REDIS_BIN   the two servers           (bin/respite, redis-server)
#   BEFORE_BIN   another Respite for a "before" column (none)

set -u
# shellcheck source=bench-lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/bench-lib.sh" || exit 1
bench_init bench-intset "$@"

if [ "$MODE" = quick ]; then
    INTSET_KEYS=${INTSET_KEYS:-1000}
else
    INTSET_KEYS=${INTSET_KEYS:-10000}
fi
SIZES=${SIZES:-10 100 400}
RESPITE_BIN=${RESPITE_BIN:-bin/respite}
REDIS_BIN=${REDIS_BIN:-redis-server}
BEFORE_BIN=${BEFORE_BIN:-}
check_positive INTSET_KEYS
need_tools redis-cli timeout awk
need_servers
make_work respite-bench-intset

SIZE=10
# The RESP load: INTSET_KEYS SADDs of SIZE integer members each.
gen_sets() {
    awk -v n="$INTSET_KEYS" -v m="$SIZE" 'BEGIN {
        for (i = 1; i <= n; i++) {
            k = sprintf("set:%09d", i)
            printf "*%d\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n", m + 2, length(k), k
            for (j = 0; j < m; j++) {
                v = sprintf("%d", 1000 + 37 * j)
                printf "$%d\r\n%s\r\n", length(v), v
            }
        }
    }'
}

declare -A M=()
for SIZE in $SIZES; do
    for srv in respite redis; do
        M["$SIZE,$srv"]=$(mem_per_item "$srv" $((INTSET_KEYS * SIZE)) gen_sets)
        log "memory $SIZE members $srv: ${M["$SIZE,$srv"]} bytes per member"
    done
    if [ -n "$BEFORE_BIN" ]; then
        M["$SIZE,before"]=$(RESPITE_BIN=$BEFORE_BIN \
            mem_per_item respite $((INTSET_KEYS * SIZE)) gen_sets)
        log "memory $SIZE members before: ${M["$SIZE,before"]} bytes per member"
    fi
done

echo "## Sets of integers: Respite and $(redis_name)"
echo
echo '```'
echo "command:   $CMDLINE"
echo "settings:  INTSET_KEYS=$INTSET_KEYS SIZES=\"$SIZES\""
echo "date:      $(utc_now)"
echo "respite:   $(version_line "$RESPITE_BIN")"
[ -n "$BEFORE_BIN" ] && echo "before:    $(version_line "$BEFORE_BIN") ($BEFORE_BIN)"
echo "redis:     $(version_line "$REDIS_BIN")"
echo '```'
echo
echo "used_memory growth per member, keys included:"
echo
if [ -n "$BEFORE_BIN" ]; then
    echo "| Members | Respite before | Respite | Redis | Respite/Redis |"
    echo "|---:|---:|---:|---:|---:|"
else
    echo "| Members | Respite | Redis | Respite/Redis |"
    echo "|---:|---:|---:|---:|"
fi
for SIZE in $SIZES; do
    a=${M["$SIZE,respite"]}; b=${M["$SIZE,redis"]}
    if [ -n "$BEFORE_BIN" ]; then
        echo "| $SIZE | ${M["$SIZE,before"]} | $a | $b | $(ratio "$a" "$b") |"
    else
        echo "| $SIZE | $a | $b | $(ratio "$a" "$b") |"
    fi
done
