#!/usr/bin/python3
"""rename-command, as a hardened redis.conf uses it: a command renamed or
taken away ("") answers, or not, under the new name on the wire, in
MULTI and in scripts; ACL rules and COMMAND's replies keep its own name;
COMMAND COUNT and LIST leave out a removed one; a bad rename stops
start-up with Redis's reason; CONFIG REWRITE keeps the lines. Each reply
is compared byte for byte with redis-server 7.0's started the same way,
so the file passes against redis-server too."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
RENAMES = ["--rename-command", "FLUSHALL", "",
           "--rename-command", "config", "myconfig",
           "--rename-command", "myconfig", "Cfg2",
           "--rename-command", "lpush", "lpush",
           "--rename-command", "getdel", "grab"]

CALLS = [
    ["FLUSHALL"], ["flushall", "ASYNC"], ["CONFIG", "GET", "maxmemory"],
    ["myconfig", "GET", "maxmemory"], ["CFG2", "GET", "maxmemory"],
    ["cfg2", "GET", "hz"], ["cfg2", "nosuch"], ["cfg2"],
    ["LPUSH", "l", "a"], ["GRAB", "l"], ["getdel", "l"],
    ["COMMAND", "INFO", "flushall", "config", "getdel"],
    ["COMMAND", "INFO", "grab"], ["COMMAND", "GETKEYS", "grab", "k"],
    ["COMMAND", "GETKEYS", "getdel", "k"],
    ["COMMAND", "GETKEYS", "cfg2", "get", "x"],
    ["COMMAND", "INFO", "cfg2|get"], ["COMMAND", "INFO", "config|get"],
    ["EVAL", "return redis.call('flushall')", "0"],
    ["EVAL", "return redis.call('cfg2', 'get', 'hz')", "0"],
    ["EVAL", "return redis.pcall('config', 'get', 'hz')", "0"],
    ["MULTI"], ["FLUSHALL"], ["CFG2", "GET", "hz"], ["EXEC"],
    # One command a user: redis-server lists several in a per-process
    # order.
    ["ACL", "SETUSER", "u", "+flushall"], ["ACL", "SETUSER", "u", "+cfg2"],
    ["ACL", "SETUSER", "v", "+config|get"], ["ACL", "GETUSER", "u"],
    ["ACL", "GETUSER", "v"], ["ACL", "DRYRUN", "v", "config", "get", "hz"],
    ["ACL", "DRYRUN", "v", "cfg2", "get", "hz"],
]


def both(*args):
    """Our server and redis-server, started with the same directives."""
    ours = h.Server(*args).start()
    ref = h.Server(*args, binary=REF_BIN, name="reference").start()
    return ours, ref


@test
def renamed_and_removed_commands_answer_as_in_redis():
    ours, ref = both(*RENAMES)
    with ours.conn() as a, ref.conn() as b:
        for call in CALLS:
            assert_eq((call, a.call(*call)), (call, b.call(*call)))
        for c in (a, b):
            c.call("HELLO", "3")
        for call in CALLS[:17]:
            assert_eq((call, a.call(*call)), (call, b.call(*call)))
        # A container's own name in COMMAND INFO and DOCS (the order of
        # its subcommands is Redis's dict's, and the docs' text ours).
        for c in (a, b):
            info = h.parse(c.call("COMMAND", "INFO", "cfg2"))[0]
            assert_eq(info[:2], [b"config", -2])
            first = h.parse(c.call("COMMAND", "DOCS", "cfg2"))[0]
            assert_eq(first[0] if isinstance(first, tuple) else first,
                      b"config")


@test
def command_count_and_list_leave_out_removed_commands():
    plain, plain_ref = both()
    ours, ref = both(*RENAMES)
    counts = []
    for s in (plain, ours, plain_ref, ref):
        with s.conn() as c:
            counts.append(h.parse(c.call("COMMAND", "COUNT")))
            names = set(h.parse(c.call("COMMAND", "LIST")))
            docs = h.parse(c.call("COMMAND", "DOCS"))
            assert_eq(len(docs) // 2, counts[-1])
            everything = h.parse(c.call("COMMAND"))
            assert_eq(len(everything), counts[-1])
        if s in (ours, ref):
            assert b"flushall" not in names, s.binary
            assert b"config" in names and b"config|get" in names, s.binary
            assert b"cfg2" not in names, s.binary
    assert_eq(counts[0] - counts[1], 1)
    assert_eq(counts[2] - counts[3], 1)


def start_fails(binary, *args, config=None):
    p = subprocess.run([binary] + ([config] if config else []) +
                       ["--port", str(h.free_port()),
                        "--bind", "127.0.0.1", "--save", ""] + list(args),
                       capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL, cwd=h.scratch_dir())
    out = (p.stdout + p.stderr).decode("utf-8", "replace").strip()
    return p.returncode, out.splitlines()[-1] if out else ""


@test
def a_bad_rename_stops_start_up_with_redis_reason():
    for args, reason in (
            (["--rename-command", "nosuch", "x"],
             "No such command in rename-command"),
            (["--rename-command", "get", "set"],
             "Target command name already exists"),
            (["--rename-command", "get"],
             "wrong number of arguments")):
        code, last = start_fails(h.server_bin(), *args)
        assert_eq(code, 1, args)
        assert reason.lower() in last.lower(), (args, last)
        if reason != "wrong number of arguments":
            assert_eq(start_fails(REF_BIN, *args)[1], reason)
            if not h.is_redis():
                assert last.startswith("command line: rename-command"), last


@test(respite_only=True, reason="redis-server words its error otherwise")
def a_bad_rename_names_its_file_and_line():
    """The error gives where the rename was read, as a bad value does:
    the file and line, an included file's own."""
    d = tempfile.mkdtemp(dir=h.scratch_dir())
    inc, main = os.path.join(d, "inc.conf"), os.path.join(d, "main.conf")
    with open(inc, "w") as f:
        f.write("# renames\nrename-command nosuch x\n")
    with open(main, "w") as f:
        f.write("hz 10\nrename-command get g\ninclude %s\n" % inc)
    code, last = start_fails(h.server_bin(), config=main)
    assert_eq(code, 1)
    assert_eq(last, "%s:2: rename-command 'nosuch' 'x': No such command in "
              "rename-command" % inc)
    with open(main, "w") as f:
        f.write("hz 10\n\nrename-command get set\n")
    assert_eq(start_fails(h.server_bin(), config=main)[1],
              "%s:3: rename-command 'get' 'set': Target command name "
              "already exists" % main)


@test
def config_rewrite_keeps_rename_lines():
    d = tempfile.mkdtemp(dir=h.scratch_dir())
    path = os.path.join(d, "app.conf")
    lines = 'rename-command FLUSHDB ""\nrename-command config myconfig\n'
    with open(path, "w") as f:
        f.write(lines + "hz 10\n")
    s = h.Server(config_file=path).start()
    with s.conn() as c:
        assert_eq(c.call("MYCONFIG", "SET", "hz", "12"), b"+OK\r\n")
        assert_eq(c.call("MYCONFIG", "REWRITE"), b"+OK\r\n")
    with open(path) as f:
        text = f.read()
    assert text.startswith(lines + "hz 12\n"), text
    s.stop()
    again = h.Server(config_file=path).start()
    with again.conn() as c:
        assert c.call("FLUSHDB").startswith(b"-ERR unknown command"), c
        assert_eq(c.call("MYCONFIG", "GET", "hz"),
                  b"*2\r\n$2\r\nhz\r\n$2\r\n12\r\n")


if __name__ == "__main__":
    h.run()
