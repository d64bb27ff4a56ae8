"""bench_lfu.py - the cache workload of scripts/bench-lfu.sh.

    /usr/bin/python3 scripts/bench_lfu.py PORT OPS [SEED]

A read-through cache on 127.0.0.1:PORT: each operation GETs a key and,
on a miss, SETs it to a 100-byte value, as an application fills a cache.
Keys come from a seeded mix, the same for every server: HOT_SHARE of the
operations read one of HOT keys chosen with a skew (key i with weight
about 1/(i+1), so a few keys are read very often and many rarely), the
rest read a key never seen before and never read again (a scan, a crawler,
a one-off report). An LRU cache lets the one-off keys push out the rarely
read part of the hot set; an LFU cache keeps what is read often.

Operations go in batches of BATCH: the batch's GETs in one pipeline, then
the SETs of its misses in another. Prints one line: "ops N hits H
hit_ratio R seconds S". Standard library only.
"""

import random
import socket
import sys
import time

HOT = 50000
HOT_SHARE = 0.7
BATCH = 500
VALUE = b"v" * 100


def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Replies:
    """Reads RESP replies of GET (bulk or null) and SET (simple, error)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def skip(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("connection closed by the server")
            self.buf += chunk
        self.buf = self.buf[n:]

    def get_hit(self):
        """Reads one GET reply: True for a value, False for nil."""
        line = self.line()
        if line.startswith(b"$-1") or line == b"_":
            return False
        if not line.startswith(b"$"):
            raise ValueError("unexpected GET reply %r" % line[:100])
        self.skip(int(line[1:]) + 2)
        return True

    def set_ok(self):
        line = self.line()
        if not line.startswith(b"+"):
            raise ValueError("unexpected SET reply %r" % line[:100])


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    port, ops = int(sys.argv[1]), int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 1)
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rd = Replies(sock)
    hits = done = 0
    fresh = 0
    start = time.monotonic()
    while done < ops:
        n = min(BATCH, ops - done)
        keys = []
        for _ in range(n):
            if rnd.random() < HOT_SHARE:
                # 1/(i+1) weights: i = HOT^u - 1 for u uniform in [0, 1).
                i = int(HOT ** rnd.random()) - 1
                keys.append(b"hot:%d" % i)
            else:
                fresh += 1
                keys.append(b"once:%d" % fresh)
        sock.sendall(b"".join(cmd(b"GET", k) for k in keys))
        missed = [k for k in keys if not rd.get_hit()]
        hits += n - len(missed)
        if missed:
            sock.sendall(b"".join(cmd(b"SET", k, VALUE) for k in missed))
            for _ in missed:
                rd.set_ok()
        done += n
    elapsed = time.monotonic() - start
    sock.close()
    print("ops %d hits %d hit_ratio %.4f seconds %.1f"
          % (ops, hits, hits / ops, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
