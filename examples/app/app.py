#!/usr/bin/python3
"""A tiny app that uses Respite as its sidecar through redis-py (Debian's
python3-redis), the way docker-compose.yml runs it: a cache entry with a
TTL, a read-through miss and hit, a per-user rate limit, an owner-safe
lock, a prefix listing and a pub/sub round trip. Each step checks its
result; the exit status is 0 when every step passed, 1 otherwise.

REDIS_URL (default redis://127.0.0.1:6379/0) says where the server is.
The server may still be starting (not every compose implementation waits
for `condition: service_healthy`), so the first connection is retried for
up to 30 seconds."""

import os
import sys
import time

import redis

URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def connect():
    deadline = time.monotonic() + 30
    while True:
        try:
            r = redis.Redis.from_url(URL, socket_timeout=10)
            r.ping()
            return r
        except redis.exceptions.ConnectionError as e:
            if time.monotonic() > deadline:
                raise
            print("waiting for the server: %s" % e, flush=True)
            time.sleep(0.5)


def check(what, got, want):
    ok = got == want
    print("%s %s: %r" % ("ok  " if ok else "FAIL", what, got), flush=True)
    if not ok:
        print("     wanted %r" % (want,), flush=True)
    return ok


def main():
    r = connect()
    ok = True
    r.delete("cache:user:1", "rl:user:1", "lock:report",
             "logs/app.log", "logs/error.log", "configs/app.json")

    # Cache: a miss, the load, then hits until the TTL ends it.
    ok &= check("cache miss", r.get("cache:user:1"), None)
    r.set("cache:user:1", b'{"name": "Ada"}', px=60000)
    ok &= check("cache hit", r.get("cache:user:1"), b'{"name": "Ada"}')
    ok &= check("cache TTL set", 0 < r.pttl("cache:user:1") <= 60000, True)

    # Rate limit: 3 requests per minute; the 4th is denied.
    replies = [r.execute_command("RATELIMIT", "rl:user:1", 3, 60000)
               for _ in range(4)]
    ok &= check("rate limit allowed flags", [x[0] for x in replies],
                [1, 1, 1, 0])

    # Lock: acquire with NX PX; a second owner cannot take it.
    ok &= check("lock acquired", r.set("lock:report", "owner-a", nx=True,
                                       px=10000), True)
    ok &= check("lock held", r.set("lock:report", "owner-b", nx=True,
                                   px=10000), None)
    ok &= check("lock released by owner",
                r.execute_command("DELEX", "lock:report", "IFEQ", "owner-a"),
                1)

    # Key-value data listed by prefix.
    for k in ("logs/app.log", "logs/error.log", "configs/app.json"):
        r.set(k, "x")
    ok &= check("prefix listing", sorted(r.scan_iter(match="logs/*")),
                [b"logs/app.log", b"logs/error.log"])

    # Pub/sub: a subscriber sees what is published.
    p = r.pubsub()
    p.subscribe("events")
    p.get_message(timeout=5)                   # the subscribe confirmation
    ok &= check("publish reached 1 subscriber",
                r.publish("events", "user 1 signed in"), 1)
    msg = p.get_message(timeout=5)
    ok &= check("message received", msg and msg["data"], b"user 1 signed in")
    p.close()

    print("example app: %s" % ("all checks passed" if ok else "FAILED"),
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
