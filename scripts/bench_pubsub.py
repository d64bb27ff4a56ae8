#!/usr/bin/python3
"""bench_pubsub.py - pub/sub fan-out throughput of one server (the driver
behind scripts/bench-pubsub.sh).

    bench_pubsub.py PORT SUBSCRIBERS MESSAGES [PAYLOAD_BYTES]

SUBSCRIBERS connections SUBSCRIBE to channel "bench", spread over up to
two receiver processes (each watches its sockets with selectors and only
counts bytes: every frame has the same size, so MESSAGES frames are
MESSAGES * frame bytes, and no parsing cost hides the server's). Once all
are subscribed, one publisher connection pipelines MESSAGES
"PUBLISH bench <payload>" commands from a writer thread while the main
thread drains the ":<n>" replies. The clock runs from the first byte the
publisher sends until the last subscriber has received its last frame.

Prints one line: "<delivered> <seconds> <delivered per second>", where
delivered = SUBSCRIBERS * MESSAGES. Exits 1 on a short count or timeout
(bounded by TIMEOUT seconds, default 300)."""

import multiprocessing as mp
import os
import selectors
import socket
import sys
import threading
import time

CHANNEL = b"bench"
TIMEOUT = float(os.environ.get("TIMEOUT", "300"))


def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def frame(payload):
    return (b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
            % (len(CHANNEL), CHANNEL, len(payload), payload))


def receiver(port, n, want, ready, done_q):
    """Subscribes n sockets, reports ready, then counts bytes until every
    socket has want bytes; puts its finish time (monotonic) on done_q."""
    socks = []
    confirm = b"*3\r\n$9\r\nsubscribe\r\n$5\r\nbench\r\n:1\r\n"
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.sendall(cmd(b"SUBSCRIBE", CHANNEL))
        got = b""
        while len(got) < len(confirm):
            got += s.recv(len(confirm) - len(got))
        if got != confirm:
            done_q.put(("error", "bad confirmation %r" % got))
            return
        s.setblocking(False)
        socks.append(s)
    ready.wait()
    sel = selectors.DefaultSelector()
    left = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        left[s] = want
    buf = bytearray(1 << 20)
    deadline = time.monotonic() + TIMEOUT
    while left and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            try:
                k = s.recv_into(buf)
            except BlockingIOError:
                continue
            if k == 0:
                done_q.put(("error", "subscriber closed by server"))
                return
            left[s] -= k
            if left[s] <= 0:
                sel.unregister(s)
                del left[s]
    if left:
        done_q.put(("error", "timeout with %d subscribers short" % len(left)))
        return
    done_q.put(("done", time.monotonic()))
    for s in socks:
        s.close()


def main():
    port, nsubs, msgs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    payload = b"m" * (int(sys.argv[4]) if len(sys.argv) > 4 else 16)
    want = len(frame(payload)) * msgs
    nproc = 1 if nsubs < 10 else 2
    ready = mp.Event()
    done_q = mp.Queue()
    procs = []
    for i in range(nproc):
        share = nsubs // nproc + (1 if i < nsubs % nproc else 0)
        p = mp.Process(target=receiver, args=(port, share, want, ready,
                                              done_q))
        p.start()
        procs.append(p)
    pub = socket.create_connection(("127.0.0.1", port))
    # Wait until the server reports every subscriber.
    deadline = time.monotonic() + 60
    probe = cmd(b"PUBSUB", b"NUMSUB", CHANNEL)
    while True:
        pub.sendall(probe)
        r = pub.recv(1000)
        n = int(r.split(b"\r\n")[3][1:])
        if n == nsubs:
            break
        if time.monotonic() > deadline:
            print("subscribers did not all connect (%d)" % n, file=sys.stderr)
            return 1
        time.sleep(0.01)
    one = cmd(b"PUBLISH", CHANNEL, payload)
    reply = b":%d\r\n" % nsubs
    batch = one * 10000
    full, rest = divmod(msgs, 10000)

    def writer():
        for _ in range(full):
            pub.sendall(batch)
        pub.sendall(one * rest)

    ready.set()
    t0 = time.monotonic()
    w = threading.Thread(target=writer, daemon=True)
    w.start()
    need = len(reply) * msgs
    got = 0
    pub.settimeout(TIMEOUT)
    while got < need:
        chunk = pub.recv(1 << 20)
        if not chunk:
            print("publisher connection closed", file=sys.stderr)
            return 1
        got += len(chunk)
    t_end = t0
    for _ in procs:
        kind, v = done_q.get(timeout=TIMEOUT)
        if kind != "done":
            print(v, file=sys.stderr)
            return 1
        t_end = max(t_end, v)
    for p in procs:
        p.join()
    w.join()
    secs = t_end - t0
    delivered = nsubs * msgs
    print("%d %.3f %.0f" % (delivered, secs, delivered / secs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
