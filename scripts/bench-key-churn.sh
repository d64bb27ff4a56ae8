#!/bin/bash
# bench-key-churn.sh - builds scripts/key_churn.c against the release
# store objects and reports what the store spends to create a key and to
# delete it again, in a keyspace like bench-ratelimit.sh's. That is the
# part of an expiring rate limiter's cost that a live one does not pay
# (and of any SET of a new key): the hash-table miss, the allocation, the
# ordered prefix index's insert and, on delete, its removal. A store
# measurement without a server or a client, so steadier than the rps of
# bench-ratelimit.sh; for work on the index (store/prefix.c) and the
# table (store/table.c). Reports only.
#
#   scripts/bench-key-churn.sh          BASE=200000 ROUNDS=7
#   scripts/bench-key-churn.sh quick    BASE=20000 ROUNDS=3
#
# Settings (environment):
#   BASE     keys in the store; BASE/2 are created and deleted a round
#   ROUNDS   rounds (at least 2: round 1 also grows the table and is left
#            out of the medians)
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = quick ]; then
    BASE=${BASE:-20000}; ROUNDS=${ROUNDS:-3}
else
    BASE=${BASE:-200000}; ROUNDS=${ROUNDS:-7}
fi
make -s all >/dev/null
mkdir -p build/bench
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. \
    -o build/bench/key_churn scripts/key_churn.c build/release/store/*.o \
    -lxxhash -ljemalloc
echo "command: scripts/bench-key-churn.sh (BASE=$BASE ROUNDS=$ROUNDS)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(getconf _NPROCESSORS_ONLN) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
build/bench/key_churn "$BASE" "$ROUNDS"
