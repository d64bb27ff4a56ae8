"""bench_mem.py - bulk loader for the memory table of scripts/bench.sh.

    /usr/bin/python3 scripts/bench_mem.py PORT KEYS [BATCH]

Connects to 127.0.0.1:PORT and SETs KEYS keys, "key:%09d" (13 bytes) to
"value:%026d" (32 bytes), as pipelined RESP: BATCH commands are written in
one go (default 1000), then their BATCH replies are read before the next
batch. That is what a client library's pipeline does, and it keeps the
server's input buffer at one batch, so the memory measured afterwards is
the dataset's, not a transient copy of the whole load in a query buffer.

Prints one line, "replies N errors E seconds S", and the first error
reply if there was one. Exits 1 on a connection problem or a short count.
Standard library only; every loop is bounded by KEYS.
"""

import socket
import sys
import time


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    port, keys = int(sys.argv[1]), int(sys.argv[2])
    batch = int(sys.argv[3]) if len(sys.argv) == 4 else 1000
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cmd = b"*3\r\n$3\r\nSET\r\n$13\r\nkey:%09d\r\n$32\r\nvalue:%026d\r\n"
    replies = errors = 0
    first_error = None
    buf = b""
    start = time.monotonic()
    for lo in range(1, keys + 1, batch):
        hi = min(lo + batch, keys + 1)
        sock.sendall(b"".join(cmd % (i, i) for i in range(lo, hi)))
        want = hi - lo
        # Every reply to SET is one line (+OK or -ERR ...), so count lines.
        while want > 0:
            chunk = sock.recv(1 << 16)
            if not chunk:
                print("replies %d errors %d: connection closed by server"
                      % (replies, errors))
                return 1
            buf += chunk
            lines = buf.split(b"\r\n")
            buf = lines.pop()
            for line in lines:
                replies += 1
                want -= 1
                if not line.startswith(b"+"):
                    errors += 1
                    if first_error is None:
                        first_error = line[:200].decode("latin-1")
    elapsed = time.monotonic() - start
    sock.close()
    print("replies %d errors %d seconds %.1f" % (replies, errors, elapsed))
    if first_error is not None:
        print("first error: %s" % first_error)
    return 0 if replies == keys else 1


if __name__ == "__main__":
    sys.exit(main())
