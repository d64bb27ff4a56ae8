#!/bin/sh
# Installs what building and testing Respite needs on Debian 12: the four
# libraries and Lua 5.1 with its cjson and bitop modules (scripting), the
# reference redis-server and its tools, Python's redis client,
# clang for the fuzzer, and the pinned npm clients (tests/package-lock.json).
# Does nothing that is already done, so `make test` stays quick on a warm machine.
set -e
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config libuv1-dev libhiredis-dev libjemalloc-dev
libxxhash-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev redis-server redis-tools python3-redis nodejs npm"
# liblzf: FUNCTION DUMP's compression, as redis-server's.
PKGS="$PKGS liblzf-dev"
# python3-rq: a real Python job queue the tests run on Respite (test_rq.py).
PKGS="$PKGS python3-rq"
# Apps' libraries the tests run on Respite as their users run them:
# Celery's Redis broker and result backend (test_celery.py), Sidekiq on
# Ruby's redis gem (test_sidekiq.py), the limits rate limiter and
# cachelib's RedisCache (test_limits_cache.py).
PKGS="$PKGS python3-celery ruby-sidekiq ruby-redis python3-limits python3-cachelib"
# Django's cache, sessions and Channels layer (test_django.py); PHP's two
# clients, phpredis and Predis, under Laravel's Redis, cache and queue
# components and Symfony's lock (test_php.py).
PKGS="$PKGS python3-django-redis python3-django-redis-sessions python3-channels-redis"
PKGS="$PKGS php-cli php-redis php-predis php-illuminate-redis php-illuminate-cache"
PKGS="$PKGS php-illuminate-queue php-symfony-lock"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
# nodejs may come from elsewhere than Debian; a working node+npm is enough.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -vxE 'nodejs|npm' | tr '\n' ' ')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
    echo "deps: installing$missing"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

# npm ci leaves its own lock in node_modules: without it (an empty or
# half-deleted directory) or older than ours, install again.
installed=tests/node_modules/.package-lock.json
if [ -f tests/package-lock.json ] && \
   { [ ! -f $installed ] || [ tests/package-lock.json -nt $installed ]; }; then
    echo "deps: npm ci (tests/)"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
    touch $installed
fi
