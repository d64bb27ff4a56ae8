#!/bin/bash
# test-image.sh - builds Respite's container image with podman and runs it
# for real: the Dockerfile, the image, and docker-compose.yml.
#
# No Docker engine exists on our machines, but Debian 12's podman does the
# same job as root. The script:
#   1. installs podman, runc, debootstrap and podman-compose when missing;
#   2. points podman at build/image/containers.conf (runc, cgroupfs, the
#      ulimits below, file events: no systemd here) through CONTAINERS_CONF,
#      leaving /etc/containers alone;
#   3. creates the debian:bookworm-slim base locally when it is not there:
#      `debootstrap --variant=minbase bookworm` from the apt mirror in
#      /etc/apt/sources.list.d/debian.sources, then `podman import`, tagged
#      docker.io/library/debian:bookworm-slim so the unchanged Dockerfile
#      finds it without a registry (its RUN apt-get still needs the mirror);
#   4. `podman build --format docker` (the OCI format drops HEALTHCHECK);
#   5. checks, each one counted: the image is under 10 MB and runs as a
#      non-root user; a container answers PING on a 127.0.0.1-published
#      port, runs a Lua script (cjson, bit), forks a child that sends
#      `redis-cli --rdb` a snapshot holding what the script set, reports
#      healthy, stops on
#      SIGTERM within 2 s with exit status 0; arguments are appended as
#      directives; a config file mounted on /etc/respite.conf is used,
#      and CONFIG REWRITE writes one mounted read-write in place;
#      SAVE writes into /data and a restarted container loads it, as does
#      the snapshot that SIGTERM takes with shutdown-on-sigterm save;
#      `podman-compose up -d` brings up docker-compose.yml and the example
#      app exits 0.
# Containers it started are removed on exit; images are kept, so the next
# run is warm (layer cache, base image present).
#
# Output follows scripts/run-tests.sh: "ok  name" / "FAIL name" lines, a
# "RESULT <passed> <failed>" line, then "N passed, M failed". Exit status
# 0 when nothing failed. Needs root (re-runs itself with sudo otherwise).
#
# Environment:
#   IMAGE          tag to build (default localhost/respite:latest, the
#                  name docker-compose.yml uses)
#   BUILD_NETWORK  --network for podman build (default: podman's own)

set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
if [ "$(id -u)" -ne 0 ]; then
    exec sudo -E "$0" "$@"
fi

IMAGE=${IMAGE:-localhost/respite:latest}
BASE=docker.io/library/debian:bookworm-slim
WORK=$ROOT/build/image
MAX_SIZE=10000000                      # bytes: "under 10 MB"
TAG=respite-image-test-$$              # names of the containers we start
PROJECT=respiteimagetest$$             # the compose project
mkdir -p "$WORK"

PASS=0
FAIL=0
START=$SECONDS
ok()   { PASS=$((PASS + 1)); echo "ok   $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
note() { echo "# $*"; }

finish() {
    echo "RESULT $PASS $FAIL"
    echo
    echo "=== image test: $((SECONDS - START))s"
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# waits up to $2 seconds for `redis-cli -p $1 [auth...] ping` to say PONG.
wait_pong() {
    local port=$1 secs=$2; shift 2
    local i
    for i in $(seq 1 $((secs * 10))); do
        [ "$(redis-cli -p "$port" "$@" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    return 1
}

cleanup() {
    local c
    for c in $(podman ps -a --format '{{.Names}}' 2>/dev/null |
               grep -E "^($TAG|${PROJECT}_)"); do
        podman rm -f -t 0 "$c" >/dev/null 2>&1
    done
    podman network rm -f "${PROJECT}_default" >/dev/null 2>&1
    true
}

# ---------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------
PKGS="podman runc debootstrap podman-compose redis-tools"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
if [ -n "$missing" ]; then
    t0=$SECONDS
    note "installing$missing"
    apt-get update -qq
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing \
            >"$WORK/apt.log" 2>&1; then
        tail -n 30 "$WORK/apt.log"
        bad "install$missing"
        finish
    fi
    note "installed in $((SECONDS - t0))s"
fi

# ---------------------------------------------------------------------------
# 2. podman configuration, local to this tree
# ---------------------------------------------------------------------------
cat >"$WORK/containers.conf" <<'EOF'
# Written by scripts/test-image.sh; used through CONTAINERS_CONF.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF=$WORK/containers.conf
trap cleanup EXIT

# ---------------------------------------------------------------------------
# 3. The debian:bookworm-slim base, made locally
# ---------------------------------------------------------------------------
# The URI of the stanza whose Suites include plain "bookworm".
apt_mirror() {
    local m=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        m=$(awk '
            /^[ \t]*$/ { if (ok && uri != "") { print uri; exit }
                         uri = ""; ok = 0; next }
            $1 == "URIs:"   { uri = $2 }
            $1 == "Suites:" { for (i = 2; i <= NF; i++)
                                  if ($i == "bookworm") ok = 1 }
            END { if (ok && uri != "") print uri }
        ' /etc/apt/sources.list.d/debian.sources | head -n 1)
    fi
    if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
        m=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
            /etc/apt/sources.list)
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

if ! podman image exists "$BASE"; then
    t0=$SECONDS
    mirror=$(apt_mirror)
    note "creating $BASE with debootstrap from $mirror"
    # Outside build/: the Makefile includes every *.d under build/, and a
    # root file system is full of them (apt.conf.d, init.d...).
    rootfs=$(mktemp -d /var/tmp/respite-rootfs.XXXXXX)
    if debootstrap --variant=minbase bookworm "$rootfs" "$mirror" \
            >"$WORK/debootstrap.log" 2>&1; then
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb \
               "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -c . | podman import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' - "$BASE" >/dev/null
    else
        tail -n 30 "$WORK/debootstrap.log"
    fi
    rm -rf "$rootfs"
    if podman image exists "$BASE"; then
        note "base image made in $((SECONDS - t0))s"
    else
        bad "create $BASE (debootstrap + podman import)"
        finish
    fi
fi

# ---------------------------------------------------------------------------
# 4. Build
# ---------------------------------------------------------------------------
t0=$SECONDS
net=()
[ -n "${BUILD_NETWORK:-}" ] && net=(--network "$BUILD_NETWORK")
if podman build --format docker "${net[@]}" -t "$IMAGE" . \
        >"$WORK/build.log" 2>&1; then
    ok "podman build --format docker -t $IMAGE . ($((SECONDS - t0))s)"
else
    tail -n 40 "$WORK/build.log"
    bad "podman build (log build/image/build.log)"
    finish
fi

# ---------------------------------------------------------------------------
# 5. The image
# ---------------------------------------------------------------------------
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
size_mb=$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1000000 }')
if [ "$size" -lt "$MAX_SIZE" ]; then
    ok "image size $size_mb MB ($size bytes) < 10 MB"
else
    bad "image size $size_mb MB ($size bytes) >= 10 MB"
fi

user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
case "$user" in
    ""|0|0:*|root|root:*) bad "image runs as root (User '$user')" ;;
    *) ok "image runs as non-root user $user" ;;
esac

hc=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")
case "$hc" in
    *--ping*) ok "image keeps its HEALTHCHECK ($hc)" ;;
    *) bad "image has no HEALTHCHECK (got '$hc')" ;;
esac

# A container on a 127.0.0.1-published port answers PING.
port=$(free_port)
c=$TAG-plain
if podman run -d --name "$c" -p "127.0.0.1:$port:6379" "$IMAGE" \
        >"$WORK/run.log" 2>&1 && wait_pong "$port" 10; then
    ok "container answers PING on 127.0.0.1:$port"
else
    cat "$WORK/run.log"; podman logs "$c" 2>&1 | tail -n 20
    bad "container answers PING on 127.0.0.1:$port"
fi

# The static binary links Lua 5.1 with Debian's cjson and bitop modules:
# a script using all three (and a command from it) answers.
script="return cjson.encode({bit.band(7, 3), redis.call('SET', 'k', 'v'), redis.call('GET', 'k')})"
got=$(redis-cli -p "$port" EVAL "$script" 0 2>&1)
if [ "$got" = '[3,{"ok":"OK"},"v"]' ]; then
    ok "EVAL runs Lua with cjson and bit in the image"
else
    bad "EVAL runs Lua with cjson and bit in the image (got '$got')"
fi

# A forked child in the container (SYNC): redis-cli --rdb fetches a
# snapshot that holds the key the script set ("k" = "v" as RDB strings).
rdb="$WORK/cli.rdb"
if redis-cli -p "$port" --rdb "$rdb" >"$WORK/rdb.log" 2>&1 &&
        [ "$(head -c 9 "$rdb")" = REDIS0010 ] &&
        LC_ALL=C grep -aq $'\x01k\x01v' "$rdb"; then
    ok "redis-cli --rdb gets a snapshot from the container"
else
    cat "$WORK/rdb.log"
    bad "redis-cli --rdb gets a snapshot from the container"
fi

# The server's real uid on the host, from /proc (podman top's huser can
# print "?" here, which proves nothing).
pid=$(podman inspect -f '{{.State.Pid}}' "$c" 2>/dev/null)
uid=$(awk '/^Uid:/ {print $2}' "/proc/${pid:-0}/status" 2>/dev/null)
if [ -n "$uid" ] && [ "$uid" != 0 ]; then
    ok "server process runs as host uid $uid"
else
    bad "server process runs as non-root (pid '$pid', uid '$uid')"
fi

if podman healthcheck run "$c" >"$WORK/health.log" 2>&1; then
    status=$(podman inspect --format '{{.State.Health.Status}}' "$c" 2>/dev/null)
    [ -n "$status" ] || status=$(podman inspect \
        --format '{{.State.Healthcheck.Status}}' "$c" 2>/dev/null)
    if [ "$status" = healthy ]; then
        ok "healthcheck reports healthy"
    else
        bad "healthcheck ran but status is '$status'"
    fi
else
    cat "$WORK/health.log"
    bad "podman healthcheck run $c"
fi

# SIGTERM: podman stop sends it, then SIGKILL after 2 s. A clean stop
# ends with exit status 0 (137 would mean SIGKILL) and the shutdown logged;
# the time counted is from `podman stop` to the container's FinishedAt,
# so it includes podman's own work before it signals.
t0=$(date +%s%N)
podman stop -t 2 "$c" >/dev/null 2>&1
wall=$((($(date +%s%N) - t0) / 1000000))
code=$(podman inspect --format '{{.State.ExitCode}}' "$c" 2>/dev/null)
fin=$(podman inspect --format '{{.State.FinishedAt}}' "$c" 2>/dev/null)
fin=$(date -d "${fin% UTC}" +%s%N 2>/dev/null || echo "$t0")
ms=$(((fin - t0) / 1000000))
if [ "$code" = 0 ] && [ "$ms" -lt 2000 ] &&
   podman logs "$c" 2>&1 | grep -q "Received SIGTERM"; then
    ok "stops on SIGTERM: exited 0 ${ms} ms after podman stop (which returned after ${wall} ms)"
else
    podman logs "$c" 2>&1 | tail -n 10
    bad "stop on SIGTERM: exit status '$code' after ${ms} ms (podman stop ${wall} ms)"
fi

# Arguments after the image are directives (compose `command:`).
port=$(free_port)
c=$TAG-args
podman run -d --name "$c" -p "127.0.0.1:$port:6379" -e REDISCLI_AUTH=s3cret \
    "$IMAGE" --requirepass s3cret --databases 4 >"$WORK/run.log" 2>&1
if wait_pong "$port" 10 -a s3cret --no-auth-warning &&
   redis-cli -p "$port" ping 2>&1 | grep -q NOAUTH &&
   [ "$(redis-cli -p "$port" -a s3cret --no-auth-warning config get databases |
        tail -n 1)" = 4 ] &&
   podman healthcheck run "$c" >/dev/null 2>&1 &&
   ! podman exec -e REDISCLI_AUTH= "$c" /respite --ping 127.0.0.1:6379 \
        >/dev/null 2>&1 &&
   podman exec -e REDISCLI_AUTH= "$c" /respite --ping 127.0.0.1:6379 s3cret \
        >/dev/null; then
    ok "arguments are directives (requirepass, databases); healthy with REDISCLI_AUTH"
else
    cat "$WORK/run.log"; podman logs "$c" 2>&1 | tail -n 20
    bad "arguments are directives"
fi
podman rm -f -t 0 "$c" >/dev/null 2>&1

# A config file mounted on /etc/respite.conf.
printf 'databases 3\nhz 20\n' >"$WORK/mounted.conf"
chmod 644 "$WORK/mounted.conf"
port=$(free_port)
c=$TAG-conf
podman run -d --name "$c" -p "127.0.0.1:$port:6379" \
    -v "$WORK/mounted.conf:/etc/respite.conf:ro" "$IMAGE" \
    >"$WORK/run.log" 2>&1
if wait_pong "$port" 10 &&
   [ "$(redis-cli -p "$port" config get databases | tail -n 1)" = 3 ] &&
   [ "$(redis-cli -p "$port" config get hz | tail -n 1)" = 20 ]; then
    ok "mounted /etc/respite.conf is used"
else
    cat "$WORK/run.log"; podman logs "$c" 2>&1 | tail -n 20
    bad "mounted /etc/respite.conf is used"
fi
podman rm -f -t 0 "$c" >/dev/null 2>&1

# CONFIG REWRITE of a single file bind-mounted read-write: the image's
# user cannot create a file in /etc, and rename cannot replace a mount
# point, so the file is written in place.
printf 'databases 3\n# kept\n' >"$WORK/rewrite.conf"
chmod 666 "$WORK/rewrite.conf"
port=$(free_port)
c=$TAG-rewrite
podman run -d --name "$c" -p "127.0.0.1:$port:6379" \
    -v "$WORK/rewrite.conf:/etc/respite.conf" "$IMAGE" >"$WORK/run.log" 2>&1
if wait_pong "$port" 10 &&
   [ "$(redis-cli -p "$port" config set hz 30)" = OK ] &&
   [ "$(redis-cli -p "$port" config rewrite)" = OK ] &&
   [ "$(head -n 2 "$WORK/rewrite.conf")" = "$(printf 'databases 3\n# kept')" ] &&
   grep -qx 'hz 30' "$WORK/rewrite.conf" &&
   grep -qx 'bind 0.0.0.0' "$WORK/rewrite.conf"; then
    ok "CONFIG REWRITE writes a bind-mounted /etc/respite.conf in place"
else
    cat "$WORK/run.log" "$WORK/rewrite.conf"; podman logs "$c" 2>&1 | tail -n 20
    bad "CONFIG REWRITE writes a bind-mounted /etc/respite.conf in place"
fi
podman rm -f -t 0 "$c" >/dev/null 2>&1

# Snapshots go to /data, which the image's user can write: SAVE there,
# then the same container, restarted, loads the file back.
port=$(free_port)
c=$TAG-data
podman run -d --name "$c" -p "127.0.0.1:$port:6379" "$IMAGE" \
    >"$WORK/run.log" 2>&1
if wait_pong "$port" 10 &&
   [ "$(redis-cli -p "$port" config get dir | tail -n 1)" = /data ] &&
   [ "$(redis-cli -p "$port" set kept yes)" = OK ] &&
   [ "$(redis-cli -p "$port" save)" = OK ] &&
   podman restart -t 2 "$c" >>"$WORK/run.log" 2>&1 &&
   wait_pong "$port" 10 &&
   [ "$(redis-cli -p "$port" get kept)" = yes ]; then
    ok "SAVE writes /data/dump.rdb; the restarted container loads it"
else
    cat "$WORK/run.log"; podman logs "$c" 2>&1 | tail -n 20
    bad "SAVE writes /data/dump.rdb; the restarted container loads it"
fi
podman rm -f -t 0 "$c" >/dev/null 2>&1

# With shutdown-on-sigterm save and no save points, the stop's SIGTERM
# takes the snapshot that the restarted container loads.
port=$(free_port)
c=$TAG-stopsave
podman run -d --name "$c" -p "127.0.0.1:$port:6379" "$IMAGE" \
    --shutdown-on-sigterm save >"$WORK/run.log" 2>&1
if wait_pong "$port" 10 &&
   [ "$(redis-cli -p "$port" set kept-at-stop yes)" = OK ] &&
   podman stop -t 10 "$c" >>"$WORK/run.log" 2>&1 &&
   podman start "$c" >>"$WORK/run.log" 2>&1 &&
   wait_pong "$port" 10 &&
   [ "$(redis-cli -p "$port" get kept-at-stop)" = yes ]; then
    ok "shutdown-on-sigterm save: docker stop saves, the next start loads"
else
    cat "$WORK/run.log"; podman logs "$c" 2>&1 | tail -n 20
    bad "shutdown-on-sigterm save: docker stop saves, the next start loads"
fi
podman rm -f -t 0 "$c" >/dev/null 2>&1

# ---------------------------------------------------------------------------
# 6. docker-compose.yml through podman-compose
# ---------------------------------------------------------------------------
t0=$SECONDS
export RESPITE_PORT
RESPITE_PORT=$(free_port)
compose=(podman-compose -p "$PROJECT" -f docker-compose.yml)
if "${compose[@]}" up -d >"$WORK/compose.log" 2>&1; then
    app=${PROJECT}_app_1
    code=$(timeout 180 podman wait "$app" 2>>"$WORK/compose.log")
    if [ "$code" = 0 ]; then
        ok "podman-compose up -d: example app exited 0 ($((SECONDS - t0))s)"
    else
        tail -n 30 "$WORK/compose.log"; podman logs "$app" 2>&1 | tail -n 30
        bad "podman-compose: example app exit status '$code'"
    fi
    srv=${PROJECT}_respite_1
    if wait_pong "$RESPITE_PORT" 10 -a devpass --no-auth-warning &&
       podman healthcheck run "$srv" >"$WORK/health.log" 2>&1; then
        ok "compose respite healthy and published on 127.0.0.1:$RESPITE_PORT"
    else
        cat "$WORK/health.log"; podman logs "$srv" 2>&1 | tail -n 20
        bad "compose respite healthy and published on 127.0.0.1:$RESPITE_PORT"
    fi
    "${compose[@]}" down >>"$WORK/compose.log" 2>&1
else
    tail -n 40 "$WORK/compose.log"
    bad "podman-compose up -d (log build/image/compose.log)"
fi

finish
