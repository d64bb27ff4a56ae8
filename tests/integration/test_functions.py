#!/usr/bin/python3
"""Redis 7 functions (FUNCTION, FCALL, FCALL_RO) through redis-py, as
applications use them.

Covers: function_load / fcall / fcall_ro / function_list / function_delete
/ function_flush / function_dump / function_restore of redis-py; a
library's functions keeping state between calls (upvalues of the load);
FCALL_RO refusing a function that may write and a no-writes function
refusing writes; errors raised as ResponseError with the function's name
and line; RESP3 replies on a HELLO 3 connection; DUMP payloads exchanged
with a reference redis-server both ways (byte-identical dumps, compressed
or not); over maxmemory, a function that may write refused before it
runs, allow-oom and no-writes ones let through; MONITOR (the FCALL, then
its commands); CLIENT PAUSE WRITE holding FCALL of a function that may
write only; a load that loops forever stopped after 500 ms; INFO memory's
function counts.

Every test passes on redis-server 7.0 too
(RESPITE_BIN=/usr/bin/redis-server); the replies were found there."""

import os
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

LIB = """#!lua name=mylib
local calls = 0
local function count(keys, args)
    calls = calls + 1
    return calls
end
redis.register_function('count', count)
redis.register_function('set_get', function(keys, args)
    redis.call('SET', keys[1], args[1])
    return redis.call('GET', keys[1])
end)
redis.register_function{
    function_name = 'peek',
    callback = function(keys, args) return redis.call('GET', keys[1]) end,
    flags = {'no-writes'},
    description = 'reads a key',
}
redis.register_function{
    function_name = 'sneaky',
    callback = function(keys, args) return redis.call('SET', keys[1], 'x') end,
    flags = {'no-writes'},
}
redis.register_function('boom', function(keys, args)
    return redis.call('INCR', keys[1])
end)
"""


def fresh():
    r = h.flushed()
    r.function_flush()
    return r


@test
def load_call_list_delete():
    r = fresh()
    assert_eq(r.function_load(LIB), b"mylib")
    assert_eq(r.fcall("count", 0), 1)
    assert_eq(r.fcall("COUNT", 0), 2)      # function names: any case
    assert_eq(r.fcall("set_get", 1, "k", "v1"), b"v1")
    assert_eq(r.fcall_ro("peek", 1, "k"), b"v1")
    libs = r.function_list()
    assert_eq(len(libs), 1)
    lib = dict(zip(libs[0][::2], libs[0][1::2]))
    assert_eq(lib[b"library_name"], b"mylib")
    assert_eq(lib[b"engine"], b"LUA")
    funcs = {}
    for f in lib[b"functions"]:
        d = dict(zip(f[::2], f[1::2]))
        funcs[d[b"name"]] = d
    assert_eq(sorted(funcs), [b"boom", b"count", b"peek", b"set_get",
                              b"sneaky"])
    assert_eq(funcs[b"peek"][b"description"], b"reads a key")
    assert_eq(funcs[b"peek"][b"flags"], [b"no-writes"])
    assert_eq(funcs[b"count"][b"description"], None)
    code = r.function_list(library="MY*", withcode=True)[0]
    assert_eq(code[-2:], [b"library_code", LIB.encode()])
    assert_eq(r.function_list(library="other*"), [])
    # Replacing the library resets its state.
    h.assert_raises_text(lambda: r.function_load(LIB),
                         "Library 'mylib' already exists")
    assert_eq(r.function_load(LIB, replace=True), b"mylib")
    assert_eq(r.fcall("count", 0), 1)
    assert r.function_delete("mylib")
    h.assert_raises_text(lambda: r.fcall("count", 0), "Function not found")
    h.assert_raises_text(lambda: r.function_delete("mylib"),
                         "Library not found")


@test
def read_only_rules_and_errors():
    r = fresh()
    r.function_load(LIB)
    h.assert_raises_text(lambda: r.fcall_ro("set_get", 1, "k", "v"),
                         "Can not execute a script with write flag using "
                         "*_ro command.")
    h.assert_raises_text(lambda: r.fcall("sneaky", 1, "k"),
                         "Write commands are not allowed from read-only "
                         "scripts. script: sneaky, on @user_function:")
    r.set("n", "x")
    h.assert_raises_text(lambda: r.fcall("boom", 1, "n"),
                         "value is not an integer or out of range script: "
                         "boom, on @user_function:24.")
    h.assert_raises_text(lambda: r.fcall("count", "x"),
                         "Bad number of keys provided")
    h.assert_raises_text(lambda: r.fcall("count", 2, "a"),
                         "Number of keys can't be greater than number of "
                         "args")
    assert_eq(r.get("k"), None)


@test
def load_errors_leave_nothing():
    r = fresh()
    h.assert_raises_text(
        lambda: r.function_load("#!lua name=bad\nredis.call('SET', 'k', 1)"),
        "Error registering functions: ERR user_function:2: Script attempted "
        "to access nonexistent global variable 'call'")
    h.assert_raises_text(lambda: r.function_load("#!lua name=x\nreturn 1"),
                         "No functions registered")
    h.assert_raises_text(lambda: r.function_load("return 1"),
                         "Missing library metadata")
    t0 = time.monotonic()
    h.assert_raises_text(
        lambda: r.function_load("#!lua name=loop\nwhile true do end"),
        "Error registering functions: ERR FUNCTION LOAD timeout")
    assert time.monotonic() - t0 < 3, "the load ran on"
    assert_eq(r.function_list(), [])
    assert_eq(r.get("k"), None)
    assert_eq(r.ping(), True)


@test
def resp3_replies():
    r = fresh()
    r.function_load("#!lua name=r3\n"
                    "redis.register_function('h', function(keys)\n"
                    "  redis.setresp(3) return redis.call('HGETALL', keys[1])\n"
                    "end)")
    r.hset("hh", mapping={"a": "1"})
    with h.shared_server().conn() as c:
        c.call("HELLO", 3)
        c.send(h.encode("FCALL", "h", 1, "hh"))
        assert_eq(c.read_raw(), b"%1\r\n$1\r\na\r\n$1\r\n1\r\n")
        c.send(h.encode("FUNCTION", "STATS"))
        assert_eq(c.read_raw(),
                  b"%2\r\n$14\r\nrunning_script\r\n_\r\n"
                  b"$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n%2\r\n"
                  b"$15\r\nlibraries_count\r\n:1\r\n"
                  b"$15\r\nfunctions_count\r\n:1\r\n")
    r.function_flush()


@test
def dump_and_restore_with_redis_server():
    ref = h.file_server(binary="/usr/bin/redis-server", name="ref")
    a, b = h.shared_server().client(), ref.client()
    big = "#!lua name=big\n" + "\n".join(
        "redis.register_function('g%d', function() return %d end)" % (i, i)
        for i in range(200))
    for code in (LIB, big, "#!lua name=s\nredis.register_function('s', "
                 "function() end)"):
        for r in (a, b):
            r.function_flush()
            r.function_load(code)
        da, db = a.function_dump(), b.function_dump()
        assert_eq(da, db, "DUMP payload of %r" % code[:20])
        a.function_flush()
        b.function_flush()
        assert a.function_restore(db)
        assert b.function_restore(da)
        assert_eq(a.function_dump(), da)
    assert_eq(a.fcall("s", 0), None)
    # Policies: APPEND refuses a library that exists, REPLACE takes it,
    # FLUSH drops the others.
    a.function_load(LIB)
    h.assert_raises_text(lambda: a.function_restore(da),
                         "Library s already exists")
    assert a.function_restore(da, "REPLACE")
    assert_eq(len(a.function_list()), 2)
    assert a.function_restore(da, "FLUSH")
    assert_eq(len(a.function_list()), 1)
    h.assert_raises_text(lambda: a.function_restore(da[:-1] + b"x"),
                         "DUMP payload version or checksum are wrong")
    a.function_flush()
    b.function_flush()


@test
def maxmemory_and_functions():
    s = h.Server("--maxmemory-policy", "noeviction", name="fn-oom").start()
    try:
        r = s.client()
        r.function_load(
            "#!lua name=m\n"
            "redis.register_function('w', function() "
            "return redis.call('SET', 'a', 'b') end)\n"
            "redis.register_function{function_name='oomok', callback="
            "function() return redis.call('SET', 'a', 'c') end, "
            "flags={'allow-oom'}}\n"
            "redis.register_function{function_name='r', callback="
            "function() return redis.call('GET', 'a') end, "
            "flags={'no-writes'}}")
        r.config_set("maxmemory", 1)
        try:
            r.fcall("w", 0)
            raise AssertionError("a function that may write ran")
        except redis.exceptions.ResponseError as e:
            assert "OOM command not allowed" in str(e) or \
                "used memory > 'maxmemory'" in str(e), str(e)
        assert_eq(r.fcall("oomok", 0), b"OK")
        assert_eq(r.fcall("r", 0), b"c")
        r.config_set("maxmemory", 0)
    finally:
        s.stop()


@test
def monitor_shows_fcall_then_its_commands():
    r = fresh()
    r.function_load(LIB)
    with h.shared_server().conn() as mon:
        mon.call("MONITOR")
        r.fcall("set_get", 1, "mk", "v")
        lines = [h.parse(mon.read_raw()) for _ in range(3)]
    lines = [ln.decode() if isinstance(ln, bytes) else str(ln) for ln in lines]
    assert lines[0].endswith('"FCALL" "set_get" "1" "mk" "v"'), lines[0]
    assert lines[1].endswith('[0 lua] "SET" "mk" "v"'), lines[1]
    assert lines[2].endswith('[0 lua] "GET" "mk"'), lines[2]


@test
def client_pause_write_holds_functions_that_may_write():
    r = fresh()
    r.function_load(LIB)
    other = h.shared_server().client()

    def held(*args):
        return h.held_by_write_pause(r, other, *args)

    assert held("FCALL", "count", 0), "a function that may write ran"
    assert not held("FCALL", "peek", 1, "k")
    assert not held("FCALL_RO", "peek", 1, "k")


@test
def info_counts_functions():
    r = fresh()
    mem = r.info("memory")
    assert_eq((mem["number_of_functions"], mem["number_of_libraries"]), (0, 0))
    r.function_load(LIB)
    mem = r.info("memory")
    assert_eq((mem["number_of_functions"], mem["number_of_libraries"]), (5, 1))
    assert mem["used_memory_vm_functions"] > 0, mem
    assert_eq(mem["used_memory_vm_total"],
              mem["used_memory_vm_eval"] + mem["used_memory_vm_functions"])
    assert mem["used_memory_functions"] > 0, mem
    r.function_flush()


@test(respite_only=True, reason="redis-server 7.0.15 crashes on it")
def error_table_whose_fields_raise():
    # An error object whose __index raises (or gives a table) was read
    # outside protected mode: Lua's panic ended the server.
    r = fresh()
    raising = ("setmetatable({}, {__index = function() "
               "error('boom') end})")
    r.function_load("#!lua name=e\nredis.register_function('e', "
                    "function() error(%s) end)" % raising)
    h.assert_raises_text(lambda: r.fcall("e", 0), "unknown error")
    h.assert_raises_text(lambda: r.eval("error(%s)" % raising, 0),
                         "unknown error")
    h.assert_raises_text(
        lambda: r.eval("error(setmetatable({}, {__index = function() "
                       "return {} end}))", 0), "unknown error script:")
    # Fields an __index gives are still read, as Redis reads them.
    h.assert_raises_text(
        lambda: r.eval("error(setmetatable({}, {__index = function(t, k) "
                       "return k == 'err' and 'ERR custom' or nil end}))",
                       0), "custom script:")
    assert_eq(r.ping(), True)
    r.function_flush()


if __name__ == "__main__":
    h.run()
