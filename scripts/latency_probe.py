#!/usr/bin/python3
"""latency_probe.py - how long one client waits for PING replies (the probe
behind scripts/bench-growth-latency.sh).

    latency_probe.py PORT READY_FILE [MAX_SECONDS]

Connects to 127.0.0.1:PORT over a raw socket (no client library, so its own
cost is one send and one recv a request), then sends PING and waits for
+PONG, one at a time, without pause, recording each round trip with the
monotonic clock. Only one request is ever in flight: a server stall of
50 ms shows as one 50 ms wait, not as a queue of late replies. It creates
READY_FILE after the first reply, so the caller can start the load knowing
the probe is already measuring.

It stops on SIGTERM or SIGINT, or after MAX_SECONDS (default 900), and
prints one line of integers, times in microseconds:

    <count> <p99> <p99.9> <p99.99> <max> <over 1 ms> <over 5 ms> <max at ms>

Percentiles are nearest-rank; "max at" is when the slowest wait began,
in milliseconds after the first PING. A reply that does not come within
TIMEOUT seconds (default 60) counts as one wait of that length and ends
the run. Exits 1 (printing nothing) if it cannot connect or the server
closes the connection."""

import array
import math
import os
import signal
import socket
import sys
import time

PING = b"*1\r\n$4\r\nPING\r\n"
PONG = b"+PONG\r\n"
TIMEOUT = float(os.environ.get("TIMEOUT", "60"))

stop = False


def on_signal(_signum, _frame):
    global stop
    stop = True


def round_trip(sock):
    """Sends one PING; returns once its whole +PONG has arrived."""
    sock.sendall(PING)
    got = b""
    while len(got) < len(PONG):
        chunk = sock.recv(64)
        if not chunk:
            raise ConnectionError("server closed the connection")
        got += chunk
    if got != PONG:
        raise ConnectionError("unexpected reply %r" % got[:40])


def percentile(ordered, q):
    """Nearest-rank percentile of an ascending sequence."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(waits, max_at_ns):
    ordered = sorted(waits)
    us = [percentile(ordered, q) // 1000 for q in (0.99, 0.999, 0.9999)]
    return "%d %d %d %d %d %d %d %d" % (
        len(ordered), us[0], us[1], us[2], ordered[-1] // 1000,
        sum(1 for w in ordered if w > 1000000),
        sum(1 for w in ordered if w > 5000000), max_at_ns // 1000000)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.split("\n\n")[1])
    port, ready = int(sys.argv[1]), sys.argv[2]
    max_ns = int(float(sys.argv[3] if len(sys.argv) == 4 else 900) * 1e9)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    round_trip(sock)
    with open(ready, "w"):
        pass

    # An array of int64 keeps millions of samples compact and out of the
    # garbage collector's way; no allocation-heavy work happens per PING.
    waits = array.array("q")
    clock = time.monotonic_ns
    start = clock()
    max_ns_seen, max_at = -1, 0
    while not stop:
        t0 = clock()
        if t0 - start > max_ns:
            break
        timed_out = False
        try:
            round_trip(sock)
            w = clock() - t0
        except socket.timeout:
            w, timed_out = int(TIMEOUT * 1e9), True
            print("latency_probe: no reply within %g s" % TIMEOUT,
                  file=sys.stderr)
        waits.append(w)
        if w > max_ns_seen:
            max_ns_seen, max_at = w, t0 - start
        if timed_out:
            break
    sock.close()
    if not waits:
        sys.exit("latency_probe: no samples")
    print(summary(waits, max_at))


if __name__ == "__main__":
    try:
        main()
    except (OSError, ConnectionError) as e:
        sys.exit("latency_probe: %s" % e)
