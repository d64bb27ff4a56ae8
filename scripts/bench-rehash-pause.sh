#!/bin/bash
# bench-rehash-pause.sh - builds scripts/rehash_pause.c against the release
# store objects and reports the store's slowest single calls while one
# database (16 shards) grows to 10M keys and back, next to a control loop
# that shows the stalls the machine itself adds (see rehash_pause.c).
# Reports only.
#
# Settings (environment):
#   KEYS          keys to grow to                  (10000000)
#   THRESHOLD_US  what counts as a pause           (1000)
#   TTL=1         every key gets a TTL (the volatile arrays grow too)
#   RUNS          runs; with 2 or more, also lists the calls that were
#                 slow in every run: stalls the store causes itself, at
#                 the same call each time (the machine's land at random)
#   DETAIL=1      CPU time, faults, preemptions and start time (CLOCK_MONOTONIC,
#                 to match `perf record -k CLOCK_MONOTONIC` samples) of each
#                 slow call; shown with RUNS=1
#   RELEASE=inline  the store unmaps and drops pages itself, inside its
#                 calls, instead of handing them to server/release.c's
#                 thread as the server does
#   PREFAULT=0    no thread populating the memory jemalloc maps for the
#                 store's arena, and the store's new tables, before the
#                 store touches them (the server runs one,
#                 server/prefault.c); for the A/B
#   PREMAP=0      no thread mapping each table's next doubling ahead
#                 (the server runs one, server/premap.c): a resize then
#                 calls mmap inside the store's call; for the A/B
#   MALLOC_CONF   passed to jemalloc, overriding the options the tool
#                 compiles in like server/main.c (background_thread:true);
#                 MALLOC_CONF=background_thread:false shows the purges that
#                 would otherwise run inside the store's calls
set -eu
cd "$(dirname "$0")/.."
make -s all >/dev/null
mkdir -p build/bench
cc -O2 -std=c11 -D_GNU_SOURCE -I. -o build/bench/rehash_pause \
    scripts/rehash_pause.c build/release/store/*.o \
    build/release/server/release.o build/release/server/prefault.o \
    build/release/server/premap.o build/release/server/worker.o \
    -luv -lxxhash -ljemalloc
KEYS=${KEYS:-10000000} THRESHOLD_US=${THRESHOLD_US:-1000} TTL=${TTL:-0}
RUNS=${RUNS:-1}
echo "command: scripts/bench-rehash-pause.sh (KEYS=$KEYS THRESHOLD_US=$THRESHOLD_US TTL=$TTL RUNS=$RUNS RELEASE=${RELEASE:-thread} PREFAULT=${PREFAULT:-1} PREMAP=${PREMAP:-1} MALLOC_CONF=${MALLOC_CONF:-})"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$RUNS"); do
    echo "run $r, load average $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) CPUs:"
    all=0; [ "$RUNS" -gt 1 ] && all=1
    ALL=$all build/bench/rehash_pause "$KEYS" "$THRESHOLD_US" "$TTL" \
        > "$tmp/run$r"
    if [ "$all" = 1 ]; then
        grep -v '^  [a-z]* #' "$tmp/run$r"
        grep -o '^  [a-z]* #[0-9]*' "$tmp/run$r" | sort -u > "$tmp/slow$r"
    else
        cat "$tmp/run$r"
    fi
done
if [ "$RUNS" -gt 1 ]; then
    cp "$tmp/slow1" "$tmp/common"
    for r in $(seq 2 "$RUNS"); do
        comm -12 "$tmp/common" "$tmp/slow$r" > "$tmp/c" && mv "$tmp/c" "$tmp/common"
    done
    echo "calls over $THRESHOLD_US us in all $RUNS runs: $(wc -l < "$tmp/common")"
    cat "$tmp/common"
fi
