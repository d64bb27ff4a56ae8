#!/usr/bin/python3
"""make_corpus.py - writes the seed corpora of tests/fuzz/fuzz_restore.c
into tests/fuzz/corpus_restore/: real DUMP payloads of every type and
encoding, without their 10-byte trailer (the target adds it back); and of
fuzz_function_restore.c into tests/fuzz/corpus_function/: FUNCTION DUMP
payloads, likewise.

The same commands run on Debian's redis-server 7.0 and on Respite
(RESPITE_BIN or bin/respite), each in a scratch directory (harness.py),
and each server's DUMP becomes one file, "<server>-<name>". The older
encodings Redis 7.0 still reads (ziplists, zipmap, plain types, version-1
streams...) come from tests/integration/test_dump.py's builders, and
Redis 7.4's hashes with field TTLs from Respite alone. Values stay small
so the fuzzer's inputs do too. The "found-*" files are inputs the fuzzer
or the comparison with Redis found wrongly handled (tests/unit/
test_restore.c has them too); this script leaves them alone.

    /usr/bin/python3 tests/fuzz/make_corpus.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402
import test_dump  # noqa: E402

OUT = os.path.join(HERE, "corpus_restore")
OUT_FN = os.path.join(HERE, "corpus_function")
REF_BIN = "/usr/bin/redis-server"


def fields(n, vlen=None):
    out = []
    for i in range(n):
        out += ["f%d" % i, "v" * vlen if vlen else str(i * 37 - 500)]
    return out


# (key, commands): each key's value is dumped after its commands ran.
VALUES = [
    ("str-int", [("SET", "str-int", "-1234")]),
    ("str-int32", [("SET", "str-int32", "2147483647")]),
    ("str-raw", [("SET", "str-raw", "hello\r\nworld")]),
    ("str-lzf", [("SET", "str-lzf", "abcd" * 40)]),
    ("str-empty", [("SET", "str-empty", "")]),
    ("hash-listpack", [("HSET", "hash-listpack", "a", "1", "b", "hello",
                        "c", "-5000", "d", "x" * 60,
                        "e", "-9223372036854775808")]),
    ("hash-table", [("HSET", "hash-table", *fields(3, 70))]),
    ("set-intset", [("SADD", "set-intset", "1", "-5", "300", "70000")]),
    ("set-intset64", [("SADD", "set-intset64", "1", "10000000000")]),
    ("set-listpack", [("SADD", "set-listpack", "a", "b", "1")]),
    ("set-table", [("SADD", "set-table", *["m%d" % i for i in range(140)])]),
    ("zset-listpack", [("ZADD", "zset-listpack", "1.5", "a", "2", "b",
                        "-inf", "c", "3e20", "d")]),
    ("zset-skiplist", [("ZADD", "zset-skiplist", "1", "a" * 70, "2", "b",
                        "inf", "c")]),
    ("list-small", [("RPUSH", "list-small", "a", "1", "-2", "x" * 70)]),
    ("list-nodes", [("RPUSH", "list-nodes", *["e" * 2000] * 6)]),
    ("list-plain", [("RPUSH", "list-plain", "a", "p" * 9000, "b")]),
    ("stream", [("XADD", "stream", "1-1", "a", "1", "b", "x"),
                ("XADD", "stream", "2-1", "a", "2", "b", "y"),
                ("XADD", "stream", "3-5", "c", "z"),
                ("XDEL", "stream", "2-1")]),
    ("stream-groups", [("XADD", "stream-groups", "%d-1" % i, "f", str(i))
                       for i in range(1, 8)] +
                      [("XGROUP", "CREATE", "stream-groups", "g1", "0"),
                       ("XGROUP", "CREATE", "stream-groups", "g2", "$"),
                       ("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3",
                        "STREAMS", "stream-groups", ">"),
                       ("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2",
                        "STREAMS", "stream-groups", ">"),
                       ("XGROUP", "CREATECONSUMER", "stream-groups", "g1",
                        "zed"),
                       ("XACK", "stream-groups", "g1", "2-1")]),
    ("stream-empty", [("XADD", "stream-empty", "1-1", "a", "1"),
                      ("XDEL", "stream-empty", "1-1")]),
]

# Respite only: Redis 7.4's hash types with field TTLs (24 and 25).
HFE_VALUES = [
    ("hash-ttl-listpack", [("HSET", "hash-ttl-listpack", "a", "1", "b", "2"),
                           ("HPEXPIREAT", "hash-ttl-listpack",
                            "9999999999999", "FIELDS", "1", "a")]),
    ("hash-ttl-table", [("HSET", "hash-ttl-table", *fields(3, 70)),
                        ("HPEXPIREAT", "hash-ttl-table", "9999999999999",
                         "FIELDS", "2", "f0", "f2")]),
]


LIBS = [
    "#!lua name=one\nredis.register_function('f1', function() return 1 end)",
    "#!lua name=two\nlocal function g(keys, args) return args[1] end\n"
    "redis.register_function{function_name='g2', callback=g, "
    "flags={'no-writes'}, description='" + "x" * 40 + "'}",
]


def write(name, payload, out=OUT):
    with open(os.path.join(out, name), "wb") as f:
        f.write(payload[:-10])


def dump_functions(label, server):
    r = server.client()
    r.function_flush()
    for i, code in enumerate(LIBS):
        r.function_load(code)
        write("%s-%d-libs" % (label, i + 1), r.function_dump(), OUT_FN)


def dump_all(label, server, values):
    r = server.client()
    r.flushall()
    for key, cmds in values:
        for c in cmds:
            r.execute_command(*c)
        write("%s-%s" % (label, key), r.dump(key))


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(OUT_FN, exist_ok=True)
    ref = h.Server(binary=REF_BIN, name="corpus-ref", tracked=False).start()
    res = h.Server(name="corpus-respite", tracked=False).start()
    try:
        dump_all("redis", ref, VALUES)
        dump_all("respite", res, VALUES + HFE_VALUES)
        dump_functions("redis", ref)
        dump_functions("respite", res)
    finally:
        ref.stop()
        res.stop()
    for name, p in test_dump.old_payloads():
        write("old-" + name.replace(" ", "-"), p)
    # Redis 7.0's release candidates: name, engine, no description, code.
    pre_ga = (b"\xf6" + test_dump.rstr("pre") + test_dump.rstr("LUA") +
              b"\x00" + test_dump.rstr("redis.register_function('p', "
                                       "function() return 1 end)"))
    write("old-pre-ga", pre_ga + b"\x00" * 10, OUT_FN)
    for d in (OUT, OUT_FN):
        print("%d files in %s" % (len(os.listdir(d)), d))


if __name__ == "__main__":
    main()
