#!/usr/bin/python3
"""redis-cli (Debian's redis-tools) against the server: plain commands,
formatted and raw output, -3 (RESP3) rendering, -n, --scan, stdin
commands, --pipe mass insert of 100k SETs, INFO keyspace."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def cli(*args, stdin=None, timeout=120):
    """Runs redis-cli against the shared server; returns the process."""
    s = h.shared_server()
    # Without commands on stdin, stdin is /dev/null (CI may run with none).
    io = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(s.port)]
                          + [str(a) for a in args], capture_output=True,
                          timeout=timeout, **io)


def out(*args, **kw):
    """stdout of a redis-cli run that must succeed with nothing on stderr."""
    p = cli(*args, **kw)
    assert_eq(p.stderr, b"", "redis-cli stderr for %r" % (args,))
    assert_eq(p.returncode, 0, "redis-cli exit status for %r" % (args,))
    return p.stdout


@test
def ping_and_basic():
    h.flushed()
    assert_eq(out("ping"), b"PONG\n")
    assert_eq(out("set", "k", "v"), b"OK\n")
    assert_eq(out("get", "k"), b"v\n")
    assert_eq(out("get", "nope"), b"\n", "raw nil")
    assert_eq(out("--no-raw", "get", "nope"), b"(nil)\n")
    assert_eq(out("--no-raw", "get", "k"), b'"v"\n')
    assert_eq(out("--no-raw", "mget", "k", "nope"), b'1) "v"\n2) (nil)\n')
    assert_eq(out("--no-raw", "incr", "n"), b"(integer) 1\n")
    assert_eq(out("--no-raw", "incrbyfloat", "f", "1.5"), b'"1.5"\n')
    assert_eq(out("--no-raw", "incr", "k"),
              b"(error) ERR value is not an integer or out of range\n")
    assert_eq(out("--no-raw", "nosuchcmd"),
              b"(error) ERR unknown command 'nosuchcmd', with args beginning "
              b"with: \n")
    assert_eq(out("--no-raw", "keys", "zzz*"), b"(empty array)\n")


@test
def resp3_mode():
    h.flushed()
    hello = out("-3", "--no-raw", "hello", "3").decode()
    assert re.fullmatch(
        r'1# "server" => "[^"]+"\n'
        r'2# "version" => "\d+\.\d+\.\d+"\n'
        r'3# "proto" => \(integer\) 3\n'
        r'4# "id" => \(integer\) \d+\n'
        r'5# "mode" => "standalone"\n'
        r'6# "role" => "master"\n'
        r'7# "modules" => \(empty array\)\n', hello), hello
    assert_eq(out("-3", "--no-raw", "get", "nope"), b"(nil)\n", "RESP3 null")
    assert_eq(out("-3", "--no-raw", "mget", "nope", "nope"),
              b"1) (nil)\n2) (nil)\n")
    assert_eq(out("-3", "--no-raw", "config", "get", "maxclients"),
              b'1# "maxclients" => "10000"\n', "RESP3 map from CONFIG GET")
    assert_eq(out("-3", "--no-raw", "exists", "nope"), b"(integer) 0\n")
    assert_eq(out("-3", "--no-raw", "hello", "4"),
              b"(error) NOPROTO unsupported protocol version\n")


@test
def select_db_and_scan():
    h.flushed()
    assert_eq(out("-n", "3", "set", "in3", "x"), b"OK\n")
    assert_eq(out("-n", "3", "dbsize"), b"1\n")
    assert_eq(out("dbsize"), b"0\n")
    for i in range(300):
        h.shared_server().client().set("scan:%d" % i, i)
    keys = out("--scan", "--pattern", "scan:1*").split()
    assert_eq(sorted(keys), sorted(b"scan:%d" % i for i in range(300)
                                   if str(i).startswith("1")))
    assert_eq(out("-n", "3", "--scan").split(), [b"in3"])


@test
def commands_from_stdin():
    h.flushed()
    assert_eq(out(stdin=b'set x 1\nincr x\nget x\nset y "a b"\nget y\n'),
              b"OK\n2\n2\nOK\na b\n")


@test
def pipe_mass_insert():
    h.flushed()
    n = 100000
    data = b"".join(h.encode("SET", "key:%d" % i, "value:%d" % i)
                    for i in range(n))
    o = out("--pipe", stdin=data, timeout=240)
    assert re.search(rb"errors: 0, replies: %d\b" % n, o), o
    assert_eq(out("dbsize"), b"%d\n" % n)
    assert_eq(out("get", "key:99999"), b"value:99999\n")
    keyspace = out("info", "keyspace")
    assert re.search(rb"^db0:keys=%d,expires=0,avg_ttl=0\r?$" % n, keyspace,
                     re.M), keyspace
    assert keyspace.startswith(b"# Keyspace"), keyspace


@test
def pipe_reports_errors():
    h.flushed()
    data = (h.encode("SET", "a", "x") + h.encode("INCR", "a")
            + h.encode("NOSUCH") + h.encode("GET", "a"))
    p = cli("--pipe", stdin=data)
    assert re.search(rb"errors: 2, replies: 4\b", p.stdout), p.stdout
    assert_eq(p.stderr, b"ERR value is not an integer or out of range\n"
              b"ERR unknown command 'NOSUCH', with args beginning with: \n")
    assert_eq(p.returncode, 1, "redis-cli --pipe exit status with errors")


@test
def info_keyspace_with_expires():
    h.flushed()
    r = h.shared_server().client()
    r.set("a", "1")
    r.set("b", "1", ex=1000)
    r.execute_command("SELECT", 0)
    h.shared_server().client(db=5).set("c", "1")
    ks = out("info", "keyspace")
    assert re.search(rb"^db0:keys=2,expires=1,avg_ttl=\d+\r?$", ks, re.M), ks
    assert re.search(rb"^db5:keys=1,expires=0,avg_ttl=0\r?$", ks, re.M), ks
    assert b"db1:" not in ks, "empty databases are not listed"


@test
def cli_with_password():
    s = h.Server("--requirepass", "pw", name="cliauth").start()
    p = subprocess.run(["redis-cli", "-p", str(s.port), "--no-auth-warning",
                        "-a", "pw", "ping"], capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert_eq(p.stdout, b"PONG\n")
    p = subprocess.run(["redis-cli", "-p", str(s.port), "ping"],
                       capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert_eq(p.stdout, b"NOAUTH Authentication required.\n\n")


if __name__ == "__main__":
    h.run()
