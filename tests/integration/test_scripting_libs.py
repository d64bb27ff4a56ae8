#!/usr/bin/python3
"""The cmsgpack and struct libraries of scripts, through redis-py.

Scenarios: a BullMQ-style script that cmsgpack.unpack()s job options a
client packed into ARGV and writes them to a hash; a script that packs a
reply the client decodes; packed values kept in a key and unpacked by a
later EVALSHA; struct records stored, read back with GETRANGE and
unpacked by offset; the library tables read-only; and random MessagePack
input (valid, truncated and corrupted) and random Lua values replayed on
redis-server side by side, compared byte for byte.
"""

import os
import random
import struct as pystruct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

import redis  # noqa: E402


# ---------------------------------------------------------------------------
# A small MessagePack codec (the client side; Debian's python3 has none).
# ---------------------------------------------------------------------------

def mp_pack(v):
    if v is None:
        return b"\xc0"
    if v is True or v is False:
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        if 0 <= v <= 0x7f:
            return bytes([v])
        if -32 <= v < 0:
            return pystruct.pack("b", v)
        if 0 <= v <= 0xffffffff:
            return b"\xce" + pystruct.pack(">I", v)
        return b"\xd3" + pystruct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + pystruct.pack(">d", v)
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        if len(v) < 32:
            return bytes([0xa0 | len(v)]) + v
        return b"\xdb" + pystruct.pack(">I", len(v)) + v
    if isinstance(v, list):
        return (b"\xdd" + pystruct.pack(">I", len(v)) +
                b"".join(mp_pack(x) for x in v))
    if isinstance(v, dict):
        return (b"\xdf" + pystruct.pack(">I", len(v)) +
                b"".join(mp_pack(k) + mp_pack(x) for k, x in v.items()))
    raise TypeError(type(v))


def mp_unpack(b, i=0):
    """The value at b[i:] and the offset after it (the types Redis
    packs)."""
    t = b[i]
    if t <= 0x7f:
        return t, i + 1
    if t >= 0xe0:
        return t - 256, i + 1
    if 0xa0 <= t <= 0xbf:
        n = t & 0x1f
        return b[i + 1:i + 1 + n], i + 1 + n
    if 0x80 <= t <= 0x9f:
        return _items(b, i + 1, t & 0x0f, t < 0x90)
    fixed = {0xcc: ">B", 0xcd: ">H", 0xce: ">I", 0xcf: ">Q", 0xd0: ">b",
             0xd1: ">h", 0xd2: ">i", 0xd3: ">q", 0xca: ">f", 0xcb: ">d"}
    if t in fixed:
        n = pystruct.calcsize(fixed[t])
        return pystruct.unpack(fixed[t], b[i + 1:i + 1 + n])[0], i + 1 + n
    if t in (0xc0, 0xc2, 0xc3):
        return {0xc0: None, 0xc2: False, 0xc3: True}[t], i + 1
    if t in (0xd9, 0xda, 0xdb):
        f = {0xd9: ">B", 0xda: ">H", 0xdb: ">I"}[t]
        w = pystruct.calcsize(f)
        n = pystruct.unpack(f, b[i + 1:i + 1 + w])[0]
        return b[i + 1 + w:i + 1 + w + n], i + 1 + w + n
    if t in (0xdc, 0xdd, 0xde, 0xdf):
        f = ">H" if t in (0xdc, 0xde) else ">I"
        w = pystruct.calcsize(f)
        n = pystruct.unpack(f, b[i + 1:i + 1 + w])[0]
        return _items(b, i + 1 + w, n, t >= 0xde)
    raise ValueError("type 0x%02x" % t)


def _items(b, i, n, is_map):
    out = {} if is_map else []
    for _ in range(n):
        if is_map:
            k, i = mp_unpack(b, i)
            out[k], i = mp_unpack(b, i)
        else:
            v, i = mp_unpack(b, i)
            out.append(v)
    return out, i


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

# As BullMQ's addStandardJob: the job's options come packed in ARGV, the
# script reads them with cmsgpack.unpack and stores the job as a hash.
ADD_JOB = """
local opts = cmsgpack.unpack(ARGV[2])
local id = ARGV[1]
local key = KEYS[1] .. ':' .. id
redis.call('HSET', key, 'name', ARGV[3], 'delay', opts['delay'] or 0,
           'priority', opts['priority'] or 0,
           'attempts', opts['attempts'] or 1,
           'backoff', opts['backoff'].type .. '/' .. opts['backoff'].delay,
           'lifo', tostring(opts['lifo'] == true),
           'tags', table.concat(opts['tags'] or {}, ','))
if (opts['delay'] or 0) > 0 then
    redis.call('ZADD', KEYS[1] .. ':delayed', opts['delay'], id)
else
    redis.call('LPUSH', KEYS[1] .. ':wait', id)
end
return id
"""


@test
def bullmq_style_job_options():
    r = h.flushed(decode_responses=True)
    add = r.register_script(ADD_JOB)
    opts = {"delay": 0, "priority": 3, "attempts": 5,
            "backoff": {"type": "exponential", "delay": 1000},
            "lifo": False, "tags": ["a", "b"]}
    assert_eq(add(keys=["bull:q"], args=["1", mp_pack(opts), "email"]), "1")
    assert_eq(r.hgetall("bull:q:1"), {
        "name": "email", "delay": "0", "priority": "3", "attempts": "5",
        "backoff": "exponential/1000", "lifo": "false",
        "tags": "a,b"})
    assert_eq(r.lrange("bull:q:wait", 0, -1), ["1"])
    delayed = {"delay": 2500, "lifo": True,
               "backoff": {"type": "fixed", "delay": 5}}
    assert_eq(add(keys=["bull:q"], args=["2", mp_pack(delayed), "later"]),
              "2")
    assert_eq(r.zrange("bull:q:delayed", 0, -1, withscores=True),
              [("2", 2500.0)])
    assert_eq(r.hget("bull:q:2", "lifo"), "true")


@test
def script_packs_reply_for_client():
    r = h.flushed()
    r.hset("job", mapping={"id": "7", "progress": "42", "name": "resize"})
    raw = r.eval("local t = redis.call('HGETALL', KEYS[1]) local m = {} "
                 "for i = 1, #t, 2 do m[t[i]] = tonumber(t[i + 1]) or "
                 "t[i + 1] end return cmsgpack.pack(m, #t / 2, 0.5, "
                 "{1, 2, 3}, true)", 1, "job")
    values, i = [], 0
    while i < len(raw):
        v, i = mp_unpack(raw, i)
        values.append(v)
    assert_eq(values, [{b"id": 7, b"progress": 42, b"name": b"resize"}, 3,
                       0.5, [1, 2, 3], True])


@test
def packed_value_in_a_key():
    r = h.flushed()
    store = r.script_load("redis.call('SET', KEYS[1], cmsgpack.pack("
                          "{ARGV[1], tonumber(ARGV[2]), {k = ARGV[3]}})) "
                          "return redis.call('STRLEN', KEYS[1])")
    load = r.script_load("local t = cmsgpack.unpack(redis.call('GET', "
                         "KEYS[1])) return {t[1], t[2], t[3].k}")
    assert_eq(r.evalsha(store, 1, "blob", b"bin\x00\xff", "-70000", "v"),
              17)
    assert_eq(mp_unpack(r.get("blob"))[0],
              [b"bin\x00\xff", -70000, {b"k": b"v"}])
    assert_eq(r.evalsha(load, 1, "blob"), [b"bin\x00\xff", -70000, b"v"])


@test
def unpack_one_walks_a_stream():
    r = h.flushed()
    r.set("s", b"".join(mp_pack(v) for v in (1, "two", [3], {"4": 4})))
    got = r.eval("local s = redis.call('GET', KEYS[1]) local off, out = 0, "
                 "{} repeat local v off, v = cmsgpack.unpack_one(s, off) "
                 "out[#out + 1] = cjson.encode(v) until off == -1 "
                 "return out", 1, "s")
    assert_eq(got, [b"1", b'"two"', b"[3]", b'{"4":4}'])


@test
def struct_records():
    r = h.flushed()
    for i, (name, score) in enumerate([("ann", 9.5), ("bob", -1.25)]):
        r.eval("redis.call('APPEND', KEYS[1], struct.pack('>I4 c8 d', "
               "ARGV[1], ARGV[2], ARGV[3]))", 1, "recs", i, name.ljust(8),
               score)
    assert_eq(r.strlen("recs"), 40)
    raw = r.get("recs")
    assert_eq(pystruct.unpack(">I8sd", raw[20:]), (1, b"bob     ", -1.25))
    got = r.eval("local s = redis.call('GET', KEYS[1]) local size = "
                 "struct.size('>I4 c8 d') local pos, out = 1, {} while pos "
                 "<= #s do local id, name, score id, name, score, pos = "
                 "struct.unpack('>I4 c8 d', s, pos) out[#out + 1] = id .. "
                 "'/' .. name .. '/' .. score end return {size, out}", 1,
                 "recs")
    assert_eq(got, [20, [b"0/ann     /9.5", b"1/bob     /-1.25"]])


@test
def library_tables_are_read_only():
    r = h.flushed()
    for lib in ("cmsgpack", "struct"):
        assert_raises_text(lambda: r.eval(lib + ".pack = function() "
                                          "return 'x' end", 0),
                           "user_script:1: Attempt to modify a readonly "
                           "table")
        assert_raises_text(lambda: r.eval(lib + " = {}", 0),
                           "user_script:1: Attempt to modify a readonly "
                           "table")
        assert_eq(r.eval("return type(" + lib + ".pack)", 0), b"function")
    assert_eq(r.eval("return cmsgpack.pack(1)", 0), b"\x01")


# ---------------------------------------------------------------------------
# Differential test against redis-server.
# ---------------------------------------------------------------------------

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")

DUMP = ("local function d(v) local t = type(v) if t == 'table' then "
        "local k = {} for a, b in pairs(v) do k[#k + 1] = d(a) .. '=' .. "
        "d(b) end table.sort(k) return '{' .. table.concat(k, ',') .. '}' "
        "elseif t == 'number' then return string.format('%.17g', v) "
        "elseif t == 'string' then return string.format('%q', v) else "
        "return tostring(v) end end ")
UNPACK = DUMP + ("local r = {pcall(cmsgpack.unpack, ARGV[1])} for i = 1, "
                 "#r do r[i] = d(r[i]) end return r")
UNPACK_ONE = DUMP + ("local r = {pcall(cmsgpack.unpack_limit, ARGV[1], "
                     "tonumber(ARGV[2]), tonumber(ARGV[3]))} for i = 1, #r "
                     "do r[i] = d(r[i]) end return r")


def rand_value(rnd, depth=0):
    k = rnd.randrange(10 if depth < 4 else 7)
    if k == 0:
        return rnd.choice([None, True, False])
    if k in (1, 2):
        bits = rnd.choice([5, 7, 8, 15, 16, 31, 32, 52, 62])
        return rnd.randrange(-(1 << bits), 1 << bits)
    if k == 3:
        return rnd.choice([0.5, -0.1, 1e300, 3.25, float(1 << 60)])
    if k in (4, 5, 6):
        return bytes(rnd.randrange(256) for _ in range(rnd.choice(
            [0, 1, 5, 31, 32, 40, 300])))
    if k in (7, 8):
        return [rand_value(rnd, depth + 1) for _ in range(rnd.randrange(20))]
    return {rnd.choice([b"a", b"b", 1, 2, True]): rand_value(rnd, depth + 1)
            for _ in range(rnd.randrange(18))}


def rand_packed(rnd):
    """Valid MessagePack, often truncated or with a byte changed."""
    b = bytearray(b"".join(mp_pack(rand_value(rnd))
                           for _ in range(rnd.randrange(1, 4))))
    # Our codec writes the wide forms; Redis's narrow ones come from
    # cmsgpack.pack itself in the other half of the test.
    k = rnd.randrange(4)
    if k == 1:
        b = b[:rnd.randrange(len(b) + 1)]
    elif k == 2 and b:
        b[rnd.randrange(len(b))] = rnd.randrange(256)
    return bytes(b)


def lua_expr(rnd, depth=0):
    k = rnd.randrange(9 if depth < 5 else 6)
    if k == 0:
        return rnd.choice(["nil", "true", "false", "function() end"])
    if k == 1:
        return repr(rnd.choice([0, 1, -1, 127, 128, -32, -33, 255, 256,
                                65535, 65536, -32769, 2 ** 32, -2 ** 31 - 1,
                                2 ** 53, -2 ** 63]))
    if k == 2:
        return rnd.choice(["0.5", "-0.1", "1/0", "-1/0", "1e40", "2^63",
                           "16777217", "3.4e38", "-0.0", "1e-300"])
    if k == 3:
        return "string.rep('s', %d)" % rnd.choice([0, 3, 31, 32, 255, 256,
                                                   65535, 65536])
    if k in (4, 5):
        return repr(str(rnd.randrange(1000)))
    if k in (6, 7):
        n = rnd.randrange(18)
        return "{" + ", ".join(lua_expr(rnd, depth + 1)
                               for _ in range(n)) + "}"
    items = ["[%s] = %s" % (rnd.choice(["'a'", "'b'", "1", "2", "3", "0",
                                        "1.5", "true"]),
                            lua_expr(rnd, depth + 1))
             for _ in range(rnd.randrange(6))]
    return "{" + ", ".join(items) + "}"


_ref = {}


def random_pair():
    """(reference client, client of the server under test, a Random, its
    seed): the reference redis-server is started once for the file; SEED
    in the environment repeats a run."""
    if not os.path.exists(REF_BIN):
        h.skip("no " + REF_BIN)
    if "s" not in _ref:
        _ref["s"] = h.file_server(binary=REF_BIN, name="reference")
    seed = int(os.environ.get("SEED", random.randrange(1 << 30)))
    return (_ref["s"].client(), h.shared_server().client(),
            random.Random(seed), seed)


@test
def random_against_redis():
    a, b, rnd, seed = random_pair()
    for i in range(300):
        data = rand_packed(rnd)
        assert_eq(b.eval(UNPACK, 0, data), a.eval(UNPACK, 0, data),
                  "seed %d step %d unpack %r" % (seed, i, data))
        lim, off = rnd.randrange(-1, 4), rnd.randrange(-1, len(data) + 2)
        assert_eq(b.eval(UNPACK_ONE, 0, data, lim, off),
                  a.eval(UNPACK_ONE, 0, data, lim, off),
                  "seed %d step %d unpack_limit %r %d %d"
                  % (seed, i, data, lim, off))
    for i in range(200):
        args = ", ".join(lua_expr(rnd) for _ in range(rnd.randrange(1, 4)))
        script = "return cmsgpack.pack(%s)" % args
        want = a.eval(script, 0)
        assert_eq(b.eval(script, 0), want, "seed %d: %s" % (seed, script))
        again = DUMP + ("local r = {cmsgpack.unpack(ARGV[1])} for i = 1, "
                        "#r do r[i] = d(r[i]) end return r")
        assert_eq(b.eval(again, 0, want), a.eval(again, 0, want),
                  "seed %d: unpack of %s" % (seed, script))
    a.close()
    b.close()


# struct: random formats, arguments and data through pack, unpack and
# size (errors caught in the script, so their texts are compared too).
STRUCT = DUMP + """
local args = {}
for i = 3, #ARGV do
    local kind, v = string.sub(ARGV[i], 1, 1), string.sub(ARGV[i], 2)
    if kind == 'n' then v = tonumber(v)
    elseif kind == 'e' then v = loadstring('return ' .. v)() end
    args[#args + 1] = v
end
local out = {}
for _, r in ipairs({{pcall(struct.pack, ARGV[1], unpack(args))},
                    {pcall(struct.unpack, ARGV[1], ARGV[2])},
                    {pcall(struct.unpack, ARGV[1], ARGV[2], #ARGV[2] % 3)},
                    {pcall(struct.size, ARGV[1])}}) do
    for i = 1, #r do r[i] = d(r[i]) end
    out[#out + 1] = table.concat(r, ' ')
end
return out
"""


def rand_format(rnd):
    """A random format and arguments that mostly fit it."""
    parts, args = [], []
    for _ in range(rnd.randrange(1, 7)):
        k = rnd.randrange(20)
        if k < 3:
            parts.append(rnd.choice(["<", ">", "!", " ", "x"]))
        elif k < 5:
            parts.append("!" + rnd.choice(["1", "2", "4", "8", "3", "0",
                                           "16"]))
        elif k < 12:
            parts.append(rnd.choice("bBhHlLTfd"))
            args.append(rand_number(rnd))
        elif k < 15:
            parts.append(rnd.choice("iI") + rnd.choice(
                ["", "1", "2", "3", "4", "5", "7", "8", "9", "12", "16",
                 "33"]))
            args.append(rand_number(rnd))
        elif k < 19:
            parts.append(rnd.choice(["c", "c0", "c1", "c2", "c5", "s"]))
            args.append("s" + "".join(rnd.choice("ab\x00") for _ in
                                      range(rnd.randrange(6))))
        else:
            parts.append(rnd.choice(["y", "#", "z", "9"]))
    if rnd.randrange(8) == 0 and args:
        args.pop(rnd.randrange(len(args)))
    return "".join(parts), args


def rand_number(rnd):
    """An argument: n (a number), e (a Lua expression) or s (a string)."""
    k = rnd.randrange(12)
    if k == 0:
        return "e" + rnd.choice(["0/0", "1/0", "-1/0", "2^63", "2^64",
                                 "-2^63", "-2^64", "1e300", "-0.5"])
    if k == 1:
        return "s" + rnd.choice(["12", "x", ""])
    bits = rnd.choice([7, 8, 15, 16, 31, 32, 53, 63, 64, 70])
    v = rnd.randrange(-(1 << bits), 1 << bits)
    if rnd.randrange(4) == 0:
        return "n%d.%d" % (v, rnd.randrange(10))
    return "n%d" % v


@test
def random_struct_against_redis():
    a, b, rnd, seed = random_pair()
    oks = 0
    for i in range(400):
        fmt, args = rand_format(rnd)
        data = bytes(rnd.randrange(256) if rnd.randrange(3) else 0
                     for _ in range(rnd.randrange(40)))
        want = a.eval(STRUCT, 0, fmt, data, *args)
        assert_eq(b.eval(STRUCT, 0, fmt, data, *args), want,
                  "seed %d step %d: %r %r %r" % (seed, i, fmt, data, args))
        oks += want[0].startswith(b"true")
    assert oks > 100, "only %d packs succeeded" % oks
    a.close()
    b.close()


# Odd inputs: random bytes, deep nesting, huge counts and lengths, many
# values, offsets and limits past the int range, NaN or huge; struct
# formats with huge counts ('c4294967295', 'i99999999') and odd positions.
# Arguments after the data are Lua expressions; struct's are E and an
# expression or S and a string.
UNPACK_ANY = DUMP + """
local f = cmsgpack[ARGV[1]]
local a = {ARGV[2]}
for i = 3, #ARGV do a[#a + 1] = loadstring('return ' .. ARGV[i])() end
local r = {pcall(f, unpack(a, 1, #ARGV - 1))}
for i = 1, #r do r[i] = d(r[i]) end
return r
"""
STRUCT_ANY = DUMP + """
local f = struct[ARGV[1]]
local a = {}
for i = 2, #ARGV do
    local v = ARGV[i]:sub(2)
    if ARGV[i]:sub(1, 1) == 'E' then v = loadstring('return ' .. v)() end
    a[#a + 1] = v
end
local r = {pcall(f, unpack(a, 1, #ARGV - 1))}
for i = 1, #r do r[i] = d(r[i]) end
return r
"""


def odd_packed(rnd):
    k = rnd.randrange(5)
    if k == 0:
        return bytes(rnd.randrange(256) for _ in range(rnd.randrange(30)))
    if k == 1:
        op = rnd.choice([b"\x91", b"\x81\x01", b"\x81", b"\xdc\x00\x01",
                         b"\xde\x00\x01\xa1k", b"\x92\x01"])
        return op * rnd.choice([10, 1000, 4000, 8000, 20000]) + \
            rnd.choice([b"", b"\x01"])
    if k == 2:
        return bytes([rnd.choice([0xdc, 0xdd, 0xde, 0xdf, 0xd9, 0xda,
                                  0xdb])]) + b"\xff" * rnd.randrange(1, 5)
    if k == 3:
        return rnd.choice([b"\x01", b"\xc0", b"\x90"]) * rnd.choice(
            [100, 7999, 8000, 10000])
    b = bytearray()
    for _ in range(rnd.randrange(1, 20)):
        b.append(rnd.randrange(256))
        b += bytes(rnd.randrange(256) for _ in range(rnd.choice([0, 1, 8])))
    return bytes(b)


def odd_number(rnd, n):
    return rnd.choice(["0", "1", "-1", str(n), str(n + 1), "2^31", "2^32",
                       "2^32+1", "-2^31", "2^53", "1e300", "0/0", "0.5",
                       "-2^63", "'3'", "nil", str(rnd.randrange(-3, n + 3))])


def odd_format(rnd):
    parts = []
    for _ in range(rnd.randrange(1, 8)):
        k = rnd.randrange(8)
        if k < 3:
            parts.append(rnd.choice("bBhHlLTfdxsc<>! iI"))
        elif k < 6:
            parts.append(rnd.choice("ciI!") + rnd.choice(
                ["0", "3", "8", "32", "33", "99999999", "4294967295",
                 "2147483647", "2147483648", "1073741824"]))
        elif k < 7:
            parts.append(chr(rnd.randrange(1, 128)))
        else:
            parts.append(rnd.choice(["bc0", "dc0", "!4i3", ">i7", "<I9"]))
    return "".join(parts)


def odd_struct_args(rnd):
    fmt = odd_format(rnd)
    k = rnd.randrange(3)
    if k == 0:
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(40)))
        pos = rnd.choice([[], ["E0"], ["E-1"], ["E2^32"], ["E-2^63"],
                          ["E1e300"], ["E0/0"], ["E2^64"],
                          ["E%d" % rnd.randrange(50)]])
        return ["unpack", "S" + fmt, b"S" + data] + pos
    if k == 1:
        return ["size", "S" + fmt]
    return ["pack", "S" + fmt] + [rnd.choice(
        ["E1", "E-1", "E2^63", "E2^64", "E1e300", "E0/0", "E1/0", "E-3.7",
         "Estring.rep('x', 40)", "Sabc", "S", "E65536", "E1e40"])
        for _ in range(rnd.randrange(8))]


@test
def random_odd_inputs_against_redis():
    a, b, rnd, seed = random_pair()
    for i in range(500):
        data = odd_packed(rnd)
        fn = rnd.choice(["unpack", "unpack_one", "unpack_limit"])
        extra = []
        if fn == "unpack_one" and rnd.randrange(4):
            extra = [odd_number(rnd, len(data))]
        elif fn == "unpack_limit":
            extra = [odd_number(rnd, 4)] + (
                [odd_number(rnd, len(data))] if rnd.randrange(3) else [])
        assert_eq(b.eval(UNPACK_ANY, 0, fn, data, *extra),
                  a.eval(UNPACK_ANY, 0, fn, data, *extra),
                  "seed %d step %d: %s %r %r" % (seed, i, fn, data, extra))
        args = odd_struct_args(rnd)
        assert_eq(b.eval(STRUCT_ANY, 0, *args), a.eval(STRUCT_ANY, 0, *args),
                  "seed %d step %d: struct %r" % (seed, i, args))
    a.close()
    b.close()


@test
def pack_cycles_depth_and_width():
    # Tables past 16 levels pack as nil, so a cycle ends; Lua's stack
    # limit bounds the arguments. Compared with redis-server.
    a, b, _, _ = random_pair()
    for script in [
            "local t = {} t[1] = t return cmsgpack.pack(t)",
            "local t = {} t.a = t t.b = t return #cmsgpack.pack(t)",
            "local t = {} local u = t for i = 1, 10000 do u[1] = {} "
            "u = u[1] end return cmsgpack.pack(t)",
            "local t = {} local u = t for i = 1, 10000 do local n = {} "
            "u[n] = n u = n end return cmsgpack.pack(t)",
            "return {pcall(cmsgpack.pack, unpack({}, 1, 7000))}",
            "return #cmsgpack.pack(unpack({}, 1, 3000))",
            "local t = {} for i = 1, 70000 do t['k' .. i] = 0 end "
            "return #cmsgpack.pack(t)"]:
        assert_eq(b.eval(script, 0), a.eval(script, 0), script)
    a.close()
    b.close()


if __name__ == "__main__":
    h.run()
