#!/bin/sh
# bench-rehash-pause.sh - builds scripts/rehash_pause.c against the release
# store objects and reports every insert/delete slower than 1 ms while one
# database (16 shards) grows to 10M keys and back (KEYS, THRESHOLD_US
# override). Reports only; MALLOC_CONF is passed through to jemalloc, e.g.
# MALLOC_CONF=dirty_decay_ms:-1 to see the pauses that are not purging.
set -e
cd "$(dirname "$0")/.."
make -s all >/dev/null
mkdir -p build/bench
cc -O2 -std=c11 -D_GNU_SOURCE -I. -o build/bench/rehash_pause \
    scripts/rehash_pause.c build/release/store/*.o -lxxhash -ljemalloc
echo "command: scripts/bench-rehash-pause.sh (KEYS=${KEYS:-10000000} THRESHOLD_US=${THRESHOLD_US:-1000} MALLOC_CONF=${MALLOC_CONF:-})"
build/bench/rehash_pause "${KEYS:-10000000}" "${THRESHOLD_US:-1000}"
