#!/usr/bin/python3
"""The protected actions of Redis 7.0 beside DEBUG (test_debug.py):
enable-protected-configs, which lets CONFIG SET change dir and
dbfilename, and enable-module-command, which lets MODULE LOAD, LOADEX and
UNLOAD through to fail as they do in a Redis that cannot load the library
(Respite loads none). Each is "no", "yes" or "local" (unix socket,
127.0.0.1 and ::1 clients), fixed at start. Every test passes against
redis-server 7.0 too (RESPITE_BIN=/usr/bin/redis-server)."""

import os
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

PROTECTED = (b"-ERR CONFIG SET failed (possibly related to argument '%s') - "
             b"can't set protected config\r\n")
IMMUTABLE = (b"-ERR CONFIG SET failed (possibly related to argument '%s') - "
             b"can't set immutable config\r\n")
MODULE_REFUSED = (b"-ERR MODULE command not allowed. If the "
                  b"enable-module-command option is set to \"local\", you "
                  b"can run it from a local connection, otherwise you need "
                  b"to set this option in the configuration file, and then "
                  b"restart the server.\r\n")
LOAD_FAILED = (b"-ERR Error loading the extension. Please check the server "
               b"logs.\r\n")
NO_SUCH_MODULE = (b"-ERR Error unloading module: no such module with that "
                  b"name\r\n")
OK = b"+OK\r\n"


def bulk(s):
    return b"$%d\r\n%s\r\n" % (len(s), s)


@test
def protected_configs_refused_by_default():
    with h.Server() as s, s.conn() as c:
        for name in (b"dir", b"dbfilename"):
            assert_eq(c.call("CONFIG", "SET", name, "x"), PROTECTED % name)
        assert_eq(c.call("CONFIG", "GET", "enable-protected-configs"),
                  b"*2\r\n" + bulk(b"enable-protected-configs") + bulk(b"no"))
        assert_eq(c.call("CONFIG", "SET", "enable-protected-configs", "yes"),
                  IMMUTABLE % b"enable-protected-configs")


@test
def protected_configs_set_where_enabled():
    d = os.path.realpath(tempfile.mkdtemp(dir=h.scratch_dir()))
    for mode in ("yes", "local"):
        with h.Server("--enable-protected-configs", mode) as s, \
                s.conn() as c:
            assert_eq(c.call("CONFIG", "SET", "dir", d), OK, mode)
            assert_eq(c.call("CONFIG", "SET", "dbfilename", "other.rdb"), OK)
            assert_eq(c.call("CONFIG", "GET", "dir"),
                      b"*2\r\n" + bulk(b"dir") + bulk(d.encode()))
            # The next save goes where they now say.
            assert_eq(c.call("SET", "k", "v"), OK)
            assert_eq(c.call("SAVE"), OK)
            assert os.path.exists(os.path.join(d, "other.rdb")), mode
            os.unlink(os.path.join(d, "other.rdb"))
            # Still checked as a value: a directory that is not there.
            got = c.call("CONFIG", "SET", "dir", os.path.join(d, "nosuch"))
            assert got.startswith(b"-ERR CONFIG SET failed (possibly related "
                                  b"to argument 'dir') - No such file"), got


@test
def module_command_refused_by_default():
    with h.Server() as s, s.conn() as c:
        assert_eq(c.call("MODULE", "LOAD", "/nonexistent/m.so"),
                  MODULE_REFUSED)
        assert_eq(c.call("MODULE", "UNLOAD", "m"), MODULE_REFUSED)
        assert_eq(c.call("MODULE", "LIST"), b"*0\r\n")


@test
def module_command_fails_to_load_where_enabled():
    for mode in ("yes", "local"):
        with h.Server("--enable-module-command", mode) as s, s.conn() as c:
            assert_eq(c.call("MODULE", "LOAD", "/nonexistent/m.so", "a"),
                      LOAD_FAILED, mode)
            assert_eq(c.call("MODULE", "LOADEX", "/nonexistent/m.so",
                             "CONFIG", "a", "b", "ARGS", "x"), LOAD_FAILED)
            assert_eq(c.call("MODULE", "UNLOAD", "m"), NO_SUCH_MODULE)
            assert_eq(c.call("MODULE", "LIST"), b"*0\r\n")
            assert b"Module /nonexistent/m.so failed to load" in \
                s.log_bytes(), s.log_tail()


@test
def local_is_127_0_0_1_not_all_of_loopback():
    """"local" admits the unix socket, 127.0.0.1 and ::1, as Redis's
    islocalClient does, not a client from elsewhere in 127.0.0.0/8."""
    # (protected-mode no: Redis's would refuse 127.0.0.2 anything at all)
    with h.Server("--enable-protected-configs", "local", "--protected-mode",
                  "no") as s:
        other = socket.socket()
        try:
            other.bind(("127.0.0.2", 0))
        except OSError as e:
            other.close()
            h.skip("no 127.0.0.2 to connect from: %s" % e)
        other.connect(("127.0.0.1", s.port))
        other.sendall(h.encode("CONFIG", "SET", "dbfilename", "x.rdb"))
        reply = b""
        while not reply.endswith(b"\r\n"):
            reply += other.recv(4096)
        other.close()
        assert_eq(reply, PROTECTED % b"dbfilename", "from 127.0.0.2")
        with s.conn() as c:
            assert_eq(c.call("CONFIG", "SET", "dbfilename", "x.rdb"), OK,
                      "from 127.0.0.1")


if __name__ == "__main__":
    h.run()
