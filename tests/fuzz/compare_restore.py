#!/usr/bin/python3
"""compare_restore.py - RESTOREs each fuzz input (a payload without its
trailer, as tests/fuzz/fuzz_restore.c reads them) on Respite and on
Debian's redis-server 7.0 with sanitize-dump-payload yes, and prints the
inputs on which the replies differ, grouped by type byte and outcome.

    /usr/bin/python3 tests/fuzz/compare_restore.py DIR... [--limit N]

Redis 7.0 does not know the hash types with field TTLs (24, 25): those
inputs are skipped. A reply is "OK" or the error text; where both servers
accept, the contents (test_dump.content) are compared too, and a value
Redis keeps though it breaks its type (test_dump.broken_on_reference) is
reported as such: README's differences from Redis list those. A reference
server that dies on an input (Redis asserts on some corrupt values even
when sanitizing) is restarted and the input reported as "crash"."""

import argparse
import collections
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import test_dump  # noqa: E402
from payload import seal  # noqa: E402

REF_BIN = "/usr/bin/redis-server"


class Side:
    def __init__(self, binary, *directives):
        self.binary, self.directives = binary, directives
        self.start()

    def start(self):
        self.server = h.Server(*self.directives, binary=self.binary,
                               name="compare", tracked=False).start()
        self.r = self.server.client()

    def restore(self, p):
        try:
            return self.r.restore("t", 0, p, replace=True).decode()
        except Exception as e:     # an error reply, or the server died
            if self.server.proc.poll() is not None:
                self.start()
                return "crash"
            return str(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    files = sorted(os.path.join(d, f) for d in args.dirs
                   for f in os.listdir(d))
    if args.limit:
        files = files[:args.limit]
    res = Side(h.server_bin())
    ref = Side(REF_BIN, "--sanitize-dump-payload", "yes")
    diffs = collections.defaultdict(list)
    same = collections.Counter()
    try:
        for path in files:
            body = open(path, "rb").read()
            if not body or body[0] in (24, 25):
                continue
            p = seal(body)
            a, b = res.restore(p), ref.restore(p)
            if a == b == "OK":
                ca, cb = (test_dump.content(res.r, "t"),
                          test_dump.content(ref.r, "t"))
                if ca != cb:
                    a = "OK, other content"
            # What the README lists: Respite sorts a sorted set Redis
            # keeps out of order, refuses a stream that breaks its
            # invariants, and counts a stream's entries itself.
            if b == "OK" and a != b and test_dump.broken_on_reference(ref.r):
                b = "OK, broken value"
            if a != b:
                diffs[(body[0], a, b)].append(path)
            else:
                same[a] += 1
    finally:
        res.server.stop()
        ref.server.stop()
    print("alike: %s" % ", ".join("%d %r" % (n, a)
                                  for a, n in same.most_common()))
    for (t, a, b), paths in sorted(diffs.items()):
        print("type %d: respite %r, redis %r: %d, e.g. %s" %
              (t, a, b, len(paths), paths[0]))


if __name__ == "__main__":
    main()
