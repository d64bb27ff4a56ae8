#!/usr/bin/python3
"""redis-cli (Debian's redis-tools) against the server: plain commands,
formatted and raw output, -3 (RESP3) rendering, -n, --scan, stdin
commands, --pipe mass insert of 100k SETs, INFO keyspace; --csv and
--json, -e, -x, -X, -d/-D, --quoted-input, --eval, the key samplers
(--bigkeys, --memkeys, --hotkeys), --latency, --cluster check, ACL users
by --user/--pass and by -u URL, -s, RESP3 pushes of client tracking,
subscribe and monitor modes. Every expected output here is redis-server
7.0.15's too, except in the respite-only tests. (--ldb and
--ldb-sync-mode are test_script_debug.py's; --rdb, --functions-rdb and
--replica test_sync.py's.)"""

import os
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402


def cli(*args, stdin=None, timeout=120, server=None, where=None):
    """Runs redis-cli against server (default: the shared one), or with
    the connection options in where; returns the process."""
    if where is None:
        s = server or h.shared_server()
        where = ["-h", "127.0.0.1", "-p", str(s.port)]
    # Without commands on stdin, stdin is /dev/null (CI may run with none).
    io = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run(["redis-cli"] + where + [str(a) for a in args],
                          capture_output=True, timeout=timeout, **io)


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


@test
def csv_and_json_output():
    h.flushed()
    r = h.shared_server().client()
    r.hset("h", "f1", "v1")
    r.zadd("z", {"a": 1, "b": 2.5})
    r.rpush("l", "a", 'b"c')
    r.set("bin", b"x\x01y")
    assert_eq(out("--csv", "lrange", "l", 0, -1), b'"a","b\\"c"\n')
    assert_eq(out("--csv", "zrange", "z", 0, -1, "withscores"),
              b'"a","1","b","2.5"\n')
    assert_eq(out("--csv", "-3", "zrange", "z", 0, -1, "withscores"),
              b'"a",1,"b",2.5\n', "RESP3 doubles are bare in CSV")
    assert_eq(out("--csv", "get", "nope"), b"NULL\n")
    assert_eq(out("--csv", "incr", "l"), b'ERROR,"WRONGTYPE Operation '
              b'against a key holding the wrong kind of value"\n')
    # --json is RESP3 unless -2 says otherwise: a map, doubles, null.
    assert_eq(out("--json", "hgetall", "h"), b'{"f1":"v1"}\n')
    assert_eq(out("-2", "--json", "hgetall", "h"), b'["f1","v1"]\n')
    assert_eq(out("--json", "zrange", "z", 0, -1, "withscores"),
              b'[["a",1],["b",2.5]]\n')
    assert_eq(out("--json", "zscore", "z", "b"), b"2.5\n")
    assert_eq(out("-2", "--json", "zscore", "z", "b"), b'"2.5"\n')
    assert_eq(out("--json", "get", "nope"), b"null\n")
    assert_eq(out("--json", "get", "bin"), b'"x\\u0001y"\n')
    assert_eq(out("--quoted-json", "get", "bin"), b'"x\\\\x01y"\n')


@test
def exit_status_stdin_args_and_delimiters():
    h.flushed()
    h.shared_server().client().rpush("l", "a", "b", "c")
    p = cli("-e", "incr", "l")
    assert_eq((p.returncode, p.stdout, p.stderr), (1, b"", b"WRONGTYPE "
              b"Operation against a key holding the wrong kind of value\n"))
    p = cli("incr", "l")
    assert_eq(p.returncode, 0, "without -e an error reply exits 0")
    assert_eq(out("-x", "set", "fromstdin", stdin=b"line1\nline2"), b"OK\n")
    assert_eq(out("get", "fromstdin"), b"line1\nline2\n")
    # -X puts stdin where its tag is: DUMP's bytes back through RESTORE.
    dump = out("-D", "", "--raw", "dump", "l")
    assert_eq(out("-X", "tag", "restore", "l2", 0, "tag", stdin=dump),
              b"OK\n")
    assert_eq(out("lrange", "l2", 0, -1), b"a\nb\nc\n")
    assert_eq(out("-d", "|", "-D", ";", "lrange", "l", 0, -1), b"a|b|c;")
    assert_eq(out("--quoted-input", "set", '"q\\x00k"', '"a\\nb"'), b"OK\n")
    assert_eq(out("--quoted-input", "strlen", '"q\\x00k"'), b"3\n")
    assert_eq(out("-r", 3, "incr", "n"), b"1\n2\n3\n")


@test
def eval_mode():
    h.flushed()
    d = h.scratch_dir()
    scripts = {
        "keys_args.lua": "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], "
                         "#KEYS, #ARGV}",
        "incr.lua": 'return redis.call("incr", KEYS[1])',
        "err.lua": 'return redis.error_reply("MYERR boom")',
        "broken.lua": "return 1 +",
    }
    for name, body in scripts.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(body + "\n")
    path = lambda name: os.path.join(d, name)  # noqa: E731
    assert_eq(out("--eval", path("keys_args.lua"), "k1", "k2", ",", "a1",
                  "a2"), b"k1\nk2\na1\na2\n2\n2\n")
    assert_eq(out("--eval", path("incr.lua"), "n"), b"1\n")
    assert_eq(out("--no-raw", "--eval", path("incr.lua"), "n"),
              b"(integer) 2\n")
    assert_eq(out("--eval", path("err.lua")), b"MYERR boom\n\n")
    assert_eq(out("--eval", path("broken.lua")),
              b"ERR Error compiling script (new function): user_script:2: "
              b"unexpected symbol near '<eof>'\n\n")


def summary(o):
    """The lines of a key sampler's summary that do not hold sizes in
    bytes (those are the server's own) or the keys' order of discovery."""
    tail = o.split(b"-------- summary -------", 1)[1]
    return [ln for ln in tail.splitlines() if ln and b"bytes" not in ln]


@test
def key_samplers():
    h.flushed()
    r = h.shared_server().client()
    r.set("s", "hello")
    r.rpush("l", *range(10))
    r.sadd("set", "x", "y")
    r.hset("h", "f", "v")
    r.zadd("z", {"a": 1})
    r.xadd("st", {"f": "v"})
    assert_eq(summary(out("--bigkeys")), [
        b"Sampled 6 keys in the keyspace!",
        b"Biggest   list found '\"l\"' has 10 items",
        b"Biggest   hash found '\"h\"' has 1 fields",
        b"Biggest stream found '\"st\"' has 1 entries",
        b"Biggest    set found '\"set\"' has 2 members",
        b"Biggest   zset found '\"z\"' has 1 members",
        b"1 lists with 10 items (16.67% of keys, avg size 10.00)",
        b"1 hashs with 1 fields (16.67% of keys, avg size 1.00)",
        b"1 streams with 1 entries (16.67% of keys, avg size 1.00)",
        b"1 sets with 2 members (16.67% of keys, avg size 2.00)",
        b"1 zsets with 1 members (16.67% of keys, avg size 1.00)"])
    mem = out("--memkeys", "--memkeys-samples", 5)
    assert_eq(summary(mem), [b"Sampled 6 keys in the keyspace!"])
    for kind, key in ((b"  list", b"l"), (b"  hash", b"h"), (b"string", b"s"),
                      (b"stream", b"st"), (b"   set", b"set"),
                      (b"  zset", b"z")):
        assert re.search(rb"^Biggest %s found '\"%s\"' has [1-9]\d* bytes$"
                         % (kind, key), mem, re.M), (kind, mem)
    # --hotkeys needs an LFU policy; without one it stops at the first key.
    p = cli("--hotkeys")
    assert_eq(p.returncode, 1)
    assert_eq(p.stderr, b"Error: ERR An LFU maxmemory policy is not "
              b"selected, access frequency not tracked. Please note that "
              b"when switching between policies at runtime LRU and LFU "
              b"data will take some time to adjust.\n")
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        for _ in range(50):
            r.get("s")
        hot = out("--hotkeys")
    finally:
        r.config_set("maxmemory-policy", "noeviction")
    tail = hot.split(b"-------- summary -------", 1)[1]
    assert b"Sampled 6 keys in the keyspace!" in tail, hot
    assert re.search(rb'hot key found with counter: \d+\tkeyname: "s"\n',
                     tail), hot


@test
def latency_modes():
    o = out("--latency", "-i", "0.2").decode()
    assert re.fullmatch(r"\d+ \d+ \d+\.\d\d \d+\n", o), o
    o = out("--latency", "--csv", "-i", "0.2").decode()
    assert re.fullmatch(r"\d+,\d+,\d+\.\d\d,\d+\n", o), o


@test
def cluster_manager_on_a_plain_node():
    s = h.shared_server()
    p = cli("--cluster", "check", "127.0.0.1:%d" % s.port, where=[])
    assert_eq(p.returncode, 1)
    assert_eq(p.stdout, b"\x1b[31;1m[ERR] Node 127.0.0.1:%d is not "
              b"configured as a cluster node.\n\x1b[0m" % s.port)
    assert_eq(out("cluster", "info"),
              b"ERR This instance has cluster support disabled\n")


@test
def acl_users_urls_and_unix_socket():
    sock = os.path.join(h.scratch_dir(), "cli-%d.sock" % os.getpid())
    s = h.Server("--unixsocket", sock, name="cliacl").start()
    r = s.client()
    r.execute_command("ACL", "SETUSER", "alice", "on", ">secret", "~a*",
                      "+get", "+set", "+select", "+ping")
    r.set("a1", "one")
    r.execute_command("SELECT", 3)
    r.set("a3", "three")
    quiet = ["--no-auth-warning"]
    assert_eq(cli(*quiet, "--user", "alice", "--pass", "secret", "get", "a1",
                  server=s).stdout, b"one\n")
    assert_eq(cli(*quiet, "--user", "alice", "-a", "secret", "-n", 3, "get",
                  "a3", server=s).stdout, b"three\n")
    assert_eq(cli(*quiet, "--user", "alice", "-a", "secret", "get", "b",
                  server=s).stdout, b"NOPERM this user has no permissions "
              b"to access one of the keys used as arguments\n\n")
    # A refused AUTH is reported, and the command goes on as default.
    p = cli(*quiet, "--user", "alice", "-a", "wrong", "ping", server=s)
    assert_eq((p.stdout, p.stderr), (b"PONG\n", b"AUTH failed: WRONGPASS "
              b"invalid username-password pair or user is disabled.\n"))
    p = cli("--user", "alice", "--askpass", "get", "a1", server=s,
            stdin=b"secret\n")
    assert_eq(p.stdout, b"one\n", "--askpass reads the password from stdin")
    url = "redis://alice:secret@127.0.0.1:%d/3" % s.port
    assert_eq(cli(*quiet, "get", "a3", where=["-u", url]).stdout, b"three\n")
    p = cli("get", "a3", where=["-u", url])
    assert_eq(p.stderr, b"Warning: Using a password with '-a' or '-u' "
              b"option on the command line interface may not be safe.\n")
    assert_eq(cli("-n", 3, "get", "a3", where=["-s", sock]).stdout,
              b"three\n")


@test
def resp3_tracking_pushes():
    h.flushed()
    h.shared_server().client().set("k", "v1")
    cmds = b"client tracking on\nget k\nset k v2\nget k\nping\n"
    assert_eq(out("-3", "--show-pushes", "yes", "--no-raw", stdin=cmds),
              b'OK\n"v1"\nOK\n-> invalidate: \'k\'\n"v2"\nPONG\n')
    # k holds v2 from the first run now; no push is printed, none left
    # unread to be taken for a reply.
    assert_eq(out("-3", "--show-pushes", "no", stdin=cmds),
              b"OK\nv2\nOK\nv2\nPONG\n")


def start_cli(*args):
    """Starts redis-cli in a mode that never ends (subscribe, monitor) on
    the shared server; read_until() collects its output."""
    s = h.shared_server()
    return subprocess.Popen(["redis-cli", "-p", str(s.port)] + list(args),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def read_until(p, want, timeout=10.0):
    """Reads p's output until it holds want (or the timeout passes), then
    ends p and returns what it printed."""
    got = b""
    deadline = time.monotonic() + timeout
    while want not in got and time.monotonic() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            got += chunk
    p.terminate()
    p.communicate(timeout=10)
    return got


@test
def subscribe_and_monitor_modes():
    h.flushed()
    r = h.shared_server().client()
    sub = start_cli("--no-raw", "subscribe", "ch")
    psub = start_cli("-3", "--csv", "psubscribe", "c*")
    mon = start_cli("monitor")
    h.wait_for(lambda: r.execute_command("PUBSUB", "NUMSUB", "ch")[1] == 1
               and r.execute_command("PUBSUB", "NUMPAT") == 1,
               "redis-cli subscribed")
    h.wait_for(lambda: any("O" in c["flags"] for c in r.client_list()),
               "redis-cli monitoring")
    r.publish("ch", "hello world")
    r.set("mk", 'a b"c')
    assert_eq(read_until(sub, b"hello world\"\n"),
              b'Reading messages... (press Ctrl-C to quit)\n'
              b'1) "subscribe"\n2) "ch"\n3) (integer) 1\n'
              b'1) "message"\n2) "ch"\n3) "hello world"\n')
    assert_eq(read_until(psub, b"hello world\"\n"),
              b'Reading messages... (press Ctrl-C to quit)\n'
              b'"psubscribe","c*",1\n"pmessage","c*","ch","hello world"\n')
    m = read_until(mon, b'"mk"')
    assert m.startswith(b"OK\n"), m
    assert re.search(rb'^\d+\.\d+ \[0 127\.0\.0\.1:\d+\] "SET" "mk" '
                     rb'"a b\\"c"$', m, re.M), m


if __name__ == "__main__":
    h.run()
