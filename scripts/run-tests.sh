#!/bin/bash
# run-tests.sh [all|unit|integration] - builds and runs Respite's tests.
#
#   unit         builds the release and the sanitized (ASan+UBSan) variants
#                with their unit test binaries, runs build/{release,san}/tests/test_*
#   integration  builds both server binaries, runs every integration suite
#                (tests/integration/test_*.py and test_*.mjs, the apps'
#                scenarios in tests/scenarios/, tests/compat: compat.py,
#                differential.py, diff_blocking.py, diff_pubsub.py,
#                diff_multi.py, diff_config.py, diff_protocol.py,
#                diff_conn.py, diff_expiry.py, diff_lazy.py,
#                diff_info.py, diff_tracking.py, diff_streams.py)
#                against bin/respite and against bin/respite-san, the two
#                passes side by side (PARALLEL_PASSES below)
#   all          both, plus scripts/check-includes.sh (the default)
#
# Every test program prints a last line "RESULT <passed> <failed>". A suite
# that exits without one, crashes, or hits the time cap counts as 1 failed.
# The run ends with the line "N passed, M failed" and exits non-zero when
# M > 0. Logs of failing suites are printed; all of them are kept in
# build/test-logs/.
#
# Environment:
#   SUITE_TIMEOUT   seconds per suite (default 300)
#   RESPITE_BINS    space-separated server binaries for the integration
#                   suites (default "bin/respite bin/respite-san"); e.g.
#                   RESPITE_BINS=/usr/bin/redis-server checks the tests
#                   themselves against the reference server
#   SKIP_BUILD=1    use what is already built
#   JOBS            parallel make jobs (default: number of cores)
#   PARALLEL_PASSES=0  the integration passes one after the other (by
#                   default they run side by side on a machine with two or
#                   more cores)

set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)

MODE=${1:-all}
case "$MODE" in
    all|unit|integration) ;;
    *) echo "usage: $0 [all|unit|integration]" >&2; exit 2 ;;
esac

SUITE_TIMEOUT=${SUITE_TIMEOUT:-300}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
LOG_DIR=$ROOT/build/test-logs
# Suite logs and server logs (harness.py, harness.mjs) of this run only.
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
# Debian's python3 has python3-redis; another python3 may be first on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()
START=$(date +%s)

note() { printf '%s\n' "$*"; }
logname() { printf '%s' "$1" | tr -cs 'A-Za-z0-9._-' '_'; printf '.log'; }

# run_suite LABEL CMD... : runs one test program under the time cap, adds
# its RESULT line to the totals, records a summary line.
run_suite() {
    local label=$1; shift
    local log="$LOG_DIR/$(logname "$label")"
    local t0=$SECONDS
    note "=== $label"
    timeout -k 10 "$SUITE_TIMEOUT" "$@" >"$log" 2>&1
    local rc=$?
    local secs=$((SECONDS - t0))
    local result
    result=$(grep -E '^RESULT [0-9]+ [0-9]+$' "$log" | tail -n 1)
    local p=0 f=0 status
    if [ -n "$result" ]; then
        p=$(echo "$result" | cut -d' ' -f2)
        f=$(echo "$result" | cut -d' ' -f3)
    fi
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        status="TIMEOUT after ${SUITE_TIMEOUT}s"
        f=$((f + 1))
    elif [ -z "$result" ]; then
        status="CRASHED (exit $rc, no RESULT line)"
        f=$((f + 1))
    elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        status="exit $rc with no failed test"
        f=1
    elif [ "$f" -gt 0 ]; then
        status="FAILED"
    else
        status="ok"
    fi
    if [ "$status" != "ok" ]; then
        note "--- $label: $status; log $log"
        # The failures and their context, not the whole log.
        if [ "$(wc -l <"$log")" -gt 400 ]; then
            grep -vE '^ok ' "$log" | head -n 400
            note "... (truncated; full log in $log)"
        else
            grep -vE '^ok ' "$log"
        fi
    fi
    TOTAL_PASS=$((TOTAL_PASS + p))
    TOTAL_FAIL=$((TOTAL_FAIL + f))
    SUMMARY+=("$(printf '%-58s %5d passed %4d failed  %4ds  %s' \
        "$label" "$p" "$f" "$secs" "$status")")
}

# A step that is not a test program but must succeed (build, lint).
run_step() {
    local label=$1; shift
    local log="$LOG_DIR/$(logname "$label")"
    note "=== $label"
    if "$@" >"$log" 2>&1; then
        TOTAL_PASS=$((TOTAL_PASS + 1))
        SUMMARY+=("$(printf '%-58s %5d passed %4d failed' "$label" 1 0)")
        return 0
    fi
    note "--- $label failed; log $log"
    tail -n 60 "$log"
    TOTAL_FAIL=$((TOTAL_FAIL + 1))
    SUMMARY+=("$(printf '%-58s %5d passed %4d failed  %s' "$label" 0 1 FAILED)")
    return 1
}

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
BUILD_RELEASE_OK=1
BUILD_SAN_OK=1
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    targets="all"
    [ "$MODE" != integration ] && targets="all unit-bins"
    run_step "build release (make $targets)" \
        make --no-print-directory -j"$JOBS" $targets || BUILD_RELEASE_OK=0
    run_step "build sanitized (make SANITIZER=address,undefined $targets)" \
        make --no-print-directory -j"$JOBS" SANITIZER=address,undefined $targets \
        || BUILD_SAN_OK=0
fi

# Sanitizer settings for everything below: fail loudly, report leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# ---------------------------------------------------------------------------
# Unit tests
# ---------------------------------------------------------------------------
if [ "$MODE" != integration ]; then
    found=0
    for variant in release san; do
        for t in build/$variant/tests/test_*; do
            [ -f "$t" ] && [ -x "$t" ] || continue
            case "$t" in *.d|*.o) continue ;; esac
            found=1
            run_suite "unit $variant $(basename "$t")" "$t"
        done
    done
    [ $found -eq 0 ] && note "=== unit: no test binaries in build/{release,san}/tests (skipped)"
fi

# ---------------------------------------------------------------------------
# Integration suites, once per server binary
# ---------------------------------------------------------------------------
# integration_pass BIN: every integration suite against one server binary.
integration_pass() {
    local bin=$1 abs tag t
    case "$bin" in /*) abs=$bin ;; *) abs=$ROOT/$bin ;; esac
    tag=$(basename "$bin")
    if [ ! -x "$abs" ]; then
        note "--- $bin was not built"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
        SUMMARY+=("$(printf '%-58s %5d passed %4d failed  %s' \
            "integration [$tag]" 0 1 "NOT BUILT")")
        return
    fi
    export RESPITE_BIN=$abs
    for t in tests/integration/test_*.py tests/scenarios/test_*.py; do
        [ -f "$t" ] || continue
        run_suite "$(basename "$t") [$tag]" "$PY" "$t"
    done
    for t in tests/integration/test_*.mjs tests/scenarios/scenarios_*.mjs; do
        [ -f "$t" ] || continue
        if [ $have_node -eq 1 ]; then
            run_suite "$(basename "$t") [$tag]" node "$t"
        else
            TOTAL_FAIL=$((TOTAL_FAIL + 1))
            SUMMARY+=("$(printf '%-58s %5d passed %4d failed  %s' \
                "$(basename "$t") [$tag]" 0 1 "NO NODE")")
        fi
    done
    if [ -f tests/compat/compat.py ]; then
        run_suite "compat vs redis-server [$tag]" "$PY" tests/compat/compat.py
        # Fixed seeds, so a failure replays; other seeds explore more.
        run_suite "differential vs redis-server [$tag]" "$PY" \
            tests/compat/differential.py --rounds 60 --commands 400 --quiet
        run_suite "blocking differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_blocking.py --rounds 60 --steps 40 --quiet
        run_suite "pub/sub differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_pubsub.py --rounds 60 --steps 40 --quiet
        run_suite "transaction differential vs redis-server [$tag]" \
            "$PY" tests/compat/diff_multi.py --rounds 60 --steps 40 --quiet
        run_suite "config differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_config.py --rounds 60 --quiet
        run_suite "protocol differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_protocol.py --rounds 600 --quiet
        run_suite "connection differential vs redis-server [$tag]" \
            "$PY" tests/compat/diff_conn.py --rounds 60 --steps 40 --quiet
        run_suite "expiry differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_expiry.py --rounds 60 --quiet
        run_suite "lazy expiry differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_lazy.py --sample 500 --quiet
        run_suite "INFO differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_info.py --rounds 60 --quiet
        run_suite "tracking differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_tracking.py --rounds 60 --steps 40 --quiet
        run_suite "stream node differential vs redis-server [$tag]" "$PY" \
            tests/compat/diff_streams.py --rounds 60 --steps 60 --quiet
    fi
}

# parallel_passes BIN...: integration_pass for each BIN at the same time, in
# a background shell each: a pass keeps about one core busy (a server and
# its client taking turns), and CI has two. Each pass's notes are printed
# once all are done, in BIN order, and its totals and summary lines added
# to ours; a pass that dies without them counts as 1 failed.
parallel_passes() {
    local bin i=0 n state p f lines pids=()
    note "=== integration passes in parallel: $*"
    for bin in "$@"; do
        state="$LOG_DIR/pass-$i.state"
        rm -f "$state"
        (
            TOTAL_PASS=0 TOTAL_FAIL=0 SUMMARY=()
            integration_pass "$bin"
            { echo "$TOTAL_PASS $TOTAL_FAIL"; printf '%s\n' "${SUMMARY[@]}"; } \
                >"$state"
        ) >"$LOG_DIR/pass-$i.out" 2>&1 &
        pids+=("$!")
        i=$((i + 1))
    done
    for ((n = 0; n < i; n++)); do
        wait "${pids[$n]}"
        cat "$LOG_DIR/pass-$n.out"
        state="$LOG_DIR/pass-$n.state"
        if [ ! -s "$state" ]; then
            note "--- integration pass $n died without its totals"
            TOTAL_FAIL=$((TOTAL_FAIL + 1))
            continue
        fi
        read -r p f <"$state"
        TOTAL_PASS=$((TOTAL_PASS + p))
        TOTAL_FAIL=$((TOTAL_FAIL + f))
        mapfile -t -s 1 lines <"$state"
        SUMMARY+=("${lines[@]}")
    done
}

if [ "$MODE" != unit ]; then
    BINS=${RESPITE_BINS:-"bin/respite bin/respite-san"}
    have_node=0
    if command -v node >/dev/null 2>&1 && [ -d tests/node_modules/redis ] \
        && [ -d tests/node_modules/ioredis ]; then
        have_node=1
    else
        note "=== node or tests/node_modules missing (run scripts/deps.sh): node suites count as failed"
    fi
    if [ "${PARALLEL_PASSES:-1}" = 1 ] && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
        parallel_passes $BINS
    else
        for bin in $BINS; do
            integration_pass "$bin"
        done
    fi
    unset RESPITE_BIN
fi

if [ "$MODE" = all ]; then
    run_step "check-includes" scripts/check-includes.sh
    run_step "README command list matches the command table" \
        "$PY" scripts/gen-commands.py --check
    run_step "README directive reference matches conf/respite.conf" \
        "$PY" scripts/gen-directives.py --check
fi

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
echo
echo "=== summary ($(( $(date +%s) - START ))s)"
for line in "${SUMMARY[@]}"; do
    echo "  $line"
done
echo
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
