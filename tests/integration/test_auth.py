#!/usr/bin/python3
"""requirepass: NOAUTH before AUTH, WRONGPASS, AUTH and HELLO ... AUTH,
redis-py with a password and a password in the URL."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

import redis  # noqa: E402

PASS = "s3cret pass"    # a space, to check argument handling

NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = (b"-WRONGPASS invalid username-password pair or user is "
             b"disabled.\r\n")


def server():
    return h.Server("--requirepass", PASS, name="auth").start()


@test
def noauth_before_auth():
    s = server()
    with s.conn() as c:
        assert_eq(c.call("GET", "k"), NOAUTH)
        assert_eq(c.call("PING"), NOAUTH)
        assert_eq(c.call("SET", "k", "v"), NOAUTH)
        assert_eq(c.call("MULTI"), NOAUTH)
        assert_eq(c.call("SELECT", "1"), NOAUTH)
        c.send(b"GET k\r\n")
        assert_eq(c.read_raw(), NOAUTH, "inline command before AUTH")
        # Like a wrong arity, a container's unknown subcommand or
        # subcommand arity is refused before authentication is asked.
        assert_eq(c.call("CONFIG", "GET", "x"), NOAUTH)
        assert_eq(c.call("CONFIG", "FOO"),
                  b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n")
        assert_eq(c.call("XGROUP", "SETID"),
                  b"-ERR wrong number of arguments for 'xgroup|setid' "
                  b"command\r\n")
        # Redis 7.0.15's text, byte for byte (later versions say
        # "HELLO <proto> AUTH").
        assert_eq(c.call("HELLO", "3"),
                  b"-NOAUTH HELLO must be called with the client already "
                  b"authenticated, otherwise the HELLO AUTH <user> <pass> "
                  b"option can be used to authenticate the client and "
                  b"select the RESP protocol version at the same time\r\n",
                  "HELLO without AUTH before authenticating")
        assert_eq(c.call("QUIT"), b"+OK\r\n", "QUIT is allowed")


@test
def wrongpass_then_auth():
    s = server()
    with s.conn() as c:
        assert_eq(c.call("AUTH", "bad"), WRONGPASS)
        assert_eq(c.call("AUTH", "default", "bad"), WRONGPASS)
        assert_eq(c.call("GET", "k"), NOAUTH, "still not authenticated")
        assert_eq(c.call("AUTH", "a", "b", "c"), b"-ERR syntax error\r\n")
        assert_eq(c.call("AUTH", PASS), b"+OK\r\n")
        assert_eq(c.call("SET", "k", "v"), b"+OK\r\n")
        assert_eq(c.call("AUTH", "wrong"), WRONGPASS)
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n",
                  "a failed AUTH keeps the earlier login")
    with s.conn() as c:
        assert_eq(c.call("AUTH", "default", PASS), b"+OK\r\n")
        assert_eq(c.call("GET", "k"), b"$1\r\nv\r\n")


@test
def hello_with_auth():
    s = server()
    with s.conn() as c:
        assert_eq(c.call("HELLO", "3", "AUTH", "default", "bad"), WRONGPASS)
        assert_eq(c.call("PING"), NOAUTH)
        rep = h.parse(c.call("HELLO", "3", "AUTH", "default", PASS))
        assert_eq(dict(rep)[b"proto"], 3)
        assert_eq(c.call("GET", "nope"), b"_\r\n", "RESP3 after HELLO AUTH")
    with s.conn() as c:
        rep = h.parse(c.call("HELLO", "2", "AUTH", "default", PASS, "SETNAME",
                             "n1"))
        assert_eq(rep[5], 2)
        assert_eq(c.call("CLIENT", "GETNAME"), b"$2\r\nn1\r\n")


@test
def redis_py_with_password():
    s = server()
    try:
        s.client().get("k")
    except redis.exceptions.AuthenticationError as e:
        assert_eq(str(e), "Authentication required.")
    else:
        raise AssertionError("GET without a password succeeded")
    assert_raises_text(lambda: s.client(password="nope").ping(),
                       "WRONGPASS invalid username-password pair")
    r = s.client(password=PASS)
    assert_eq(r.set("k", "v"), True)
    url = "redis://:%s@127.0.0.1:%d/3" % (PASS.replace(" ", "%20"), s.port)
    r3 = redis.from_url(url)
    assert_eq(r3.set("k", "db3"), True)
    assert_eq(r.get("k"), b"v")
    assert_eq(s.client(password=PASS, db=3).get("k"), b"db3")
    assert_eq(r3.dbsize(), 1)


@test
def config_get_requirepass():
    s = server()
    r = s.client(password=PASS)
    assert_eq(r.config_get("requirepass"), {"requirepass": PASS})


@test
def auth_without_password_configured():
    s = h.shared_server()
    with s.conn() as c:
        assert_eq(c.call("AUTH", "x"),
                  b"-ERR AUTH <password> called without any password "
                  b"configured for the default user. Are you sure your "
                  b"configuration is correct?\r\n")
        assert_eq(c.call("PING"), b"+PONG\r\n")


@test
def binary_password_in_acl_setuser():
    """A password with a NUL byte is kept whole: its first part fails."""
    s = h.Server(name="auth").start()
    with s.conn() as c:
        assert_eq(c.call("ACL", "SETUSER", "u", "on", b">abc\x00def",
                         "+@all"), b"+OK\r\n")
        assert_eq(c.call("AUTH", "u", "abc"), WRONGPASS)
        assert_eq(c.call("AUTH", "u", b"abc\x00def"), b"+OK\r\n")


@test(respite_only=True, reason="Redis keeps a NUL byte in requirepass; "
      "Respite's directives are C strings and refuse one")
def config_set_refuses_a_nul_byte_rather_than_cut_there():
    s = h.Server(name="auth").start()
    with s.conn() as c:
        assert_eq(c.call("CONFIG", "SET", "requirepass", b"abc\x00def"),
                  b"-ERR CONFIG SET failed (possibly related to argument "
                  b"'requirepass') - a NUL byte is not supported in a "
                  b"value\r\n")
        assert_eq(c.call("CONFIG", "SET", b"maxmemory\x00x", "1"),
                  b"-ERR Unknown option or number of arguments for CONFIG "
                  b"SET - 'maxmemory'\r\n")
        assert_eq(h.parse(c.call("CONFIG", "GET", "requirepass")),
                  [b"requirepass", b""])
        assert_eq(h.parse(c.call("CONFIG", "GET", "maxmemory")),
                  [b"maxmemory", b"0"])
        assert_eq(c.call("PING"), b"+PONG\r\n")


if __name__ == "__main__":
    h.run()
