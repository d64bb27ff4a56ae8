"""harness.py - the shared part of Respite's Python integration tests.

Three things live here, all with the standard library only:

* Server: starts a server binary (RESPITE_BIN, default bin/respite) on a
  free 127.0.0.1 port with "--port N --bind 127.0.0.1" plus any extra
  directives, waits until it answers PING, and stops it by PID (SIGTERM,
  then SIGKILL after a grace period). Its stderr and stdout go to a log
  file under build/test-logs/ that is printed when a test fails.
  Pointing RESPITE_BIN at Debian's redis-server works too; the harness
  then adds "--save '' --appendonly no" so nothing touches the disk.

* Conn: a raw TCP connection with a real RESP2/RESP3 reply reader.
  read_raw() returns the exact bytes of one complete reply (so tests can
  compare bytes), parse() turns raw bytes into Python values.

* A tiny test runner: @test registers a function, run() calls each one,
  prints "ok  name" / "FAIL name" with the traceback (and the tail of the
  server log), "skip name (reason)" for respite-only tests when the binary
  is redis-server, and a last line "RESULT <passed> <failed>" that
  scripts/run-tests.sh adds up. Skipped tests count in neither number.

Run the test files with /usr/bin/python3, which has Debian's redis-py.
"""

import atexit
import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOG_DIR = os.path.join(ROOT, "build", "test-logs")


def server_bin():
    """The binary under test: $RESPITE_BIN or bin/respite, as an absolute
    path (servers run in a scratch directory)."""
    b = os.environ.get("RESPITE_BIN") or os.path.join(ROOT, "bin", "respite")
    if os.sep not in b:
        import shutil
        return shutil.which(b) or b
    return os.path.abspath(b)


_is_redis_cache = {}


def is_redis(binary=None):
    """True when the binary is a real redis-server (it answers --version
    with "Redis server v="), so respite-only features must be skipped."""
    binary = binary or server_bin()
    if binary not in _is_redis_cache:
        try:
            out = subprocess.run([binary, "--version"], capture_output=True,
                                 timeout=10).stdout
        except OSError:
            out = b""
        _is_redis_cache[binary] = out.startswith(b"Redis server v=")
    return _is_redis_cache[binary]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now: one the
    system picks, or with RESPITE_TEST_PORTS=LOW-HIGH set (17000-17499 on
    a shared machine) a random one of that range."""
    span = os.environ.get("RESPITE_TEST_PORTS")
    if not span:
        candidates = [0]
    else:
        low, high = (int(x) for x in span.split("-"))
        candidates = random.sample(range(low, high + 1), high - low + 1)
    for port in candidates:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]
        except OSError:
            if port == 0:
                raise
        finally:
            s.close()
    raise ServerError("no free port in RESPITE_TEST_PORTS=%s" % span)


# ---------------------------------------------------------------------------
# Server process
# ---------------------------------------------------------------------------

_scratch = []


def scratch_dir():
    """An empty directory of this process's own for servers to run in,
    removed when the process exits."""
    if not _scratch:
        _scratch.append(tempfile.mkdtemp(prefix="respite-test-"))
        atexit.register(shutil.rmtree, _scratch[0], True)
    return _scratch[0]


class ServerError(Exception):
    pass


class PortTaken(ServerError):
    """Another process answered on the port picked for a new server."""


class Server:
    """One server process on a free port. Use start()/stop() or `with`."""

    def __init__(self, *directives, binary=None, name="server",
                 debug_command=True, start_timeout=10.0, tracked=True,
                 config_file=None, cwd=None):
        self.binary = os.path.abspath(binary) if binary else server_bin()
        self.config_file = config_file
        self.cwd = cwd              # None: scratch_dir()
        self.directives = [str(d) for d in directives]
        self.name = name
        self.debug_command = debug_command
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None
        self.log_path = None
        self.returncode = None
        # A tracked server is stopped (and its log checked for sanitizer
        # reports) when the current test ends.
        self.tracked = tracked

    @property
    def redis(self):
        return is_redis(self.binary)

    def argv(self, port):
        argv = [self.binary]
        if self.config_file:
            argv.append(self.config_file)
        argv += ["--port", str(port), "--bind", "127.0.0.1"]
        if self.redis:
            argv += ["--save", "", "--appendonly", "no"]
        if self.debug_command:
            argv += ["--enable-debug-command", "yes"]
        return argv + self.directives

    def start(self):
        if self.tracked:
            _servers.append(self)
        if not os.access(self.binary, os.X_OK):
            raise ServerError("no executable %s (run make, or set RESPITE_BIN)"
                              % self.binary)
        os.makedirs(LOG_DIR, exist_ok=True)
        last_err = None
        for _attempt in range(3):   # another process may grab the port
            self.port = free_port()
            fd, self.log_path = tempfile.mkstemp(
                prefix="%s-%d-" % (self.name, self.port), suffix=".log",
                dir=LOG_DIR)
            with os.fdopen(fd, "wb") as log:
                # In a scratch directory so a stray dump file never lands
                # in the work tree, and a redis-server never loads one that
                # something else left in /tmp.
                self.proc = subprocess.Popen(
                    self.argv(self.port), stdout=log, stderr=log,
                    stdin=subprocess.DEVNULL, cwd=self.cwd or scratch_dir())
            try:
                self._wait_ready()
                return self
            except ServerError as e:
                last_err = e
                self.kill()
                if not isinstance(e, PortTaken) and \
                        b"ddress already in use" not in self.log_bytes():
                    break
        raise ServerError("%s did not start: %s\n%s" % (
            self.binary, last_err, self.log_tail()))

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError("exited with status %d" % self.proc.returncode)
            try:
                with Conn(self.port, timeout=1.0) as c:
                    reply = c.call("PING")
                    if reply == b"+PONG\r\n":
                        self._check_pid(c)
                        return
                    # NOAUTH also proves it is up and serving.
                    if reply.startswith(b"-NOAUTH"):
                        return
            except (OSError, ConnectionError):
                pass
            time.sleep(0.02)
        raise ServerError("no PING reply within %.0fs" % self.start_timeout)

    def _check_pid(self, c):
        """Raises PortTaken unless INFO's process_id is this server's: a
        process of another test may have bound the port between
        free_port and the start, and answered the PING."""
        m = re.search(rb"process_id:(\d+)", c.call("INFO", "server"))
        if m and int(m.group(1)) != self.proc.pid:
            raise PortTaken("port %d answered by pid %s" % (
                self.port, m.group(1).decode()))

    def wait_exit(self, timeout=10.0):
        """Waits for the process to exit by itself; returns its status."""
        self.returncode = self.proc.wait(timeout=timeout)
        return self.returncode

    def stop(self, grace=10.0):
        """SIGTERM, then SIGKILL after `grace` seconds. Returns the exit
        status (negative for a signal, as subprocess reports it)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        return self.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_bytes(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()
        except (OSError, TypeError):
            return b""

    def log_tail(self, lines=40):
        text = self.log_bytes().decode("utf-8", "replace").splitlines()
        return "\n".join("    | " + l for l in text[-lines:])

    def sanitizer_report(self):
        """The first sanitizer or crash line in the log, or None."""
        for line in self.log_bytes().decode("utf-8", "replace").splitlines():
            if ("ERROR: AddressSanitizer" in line
                    or "ERROR: LeakSanitizer" in line
                    or "runtime error:" in line
                    or "=== REDIS BUG REPORT" in line
                    or "=== RESPITE BUG REPORT" in line):
                return line.strip()
        return None

    def client(self, **kw):
        """A redis-py client for this server (decode_responses off).

        It reads replies with redis-py's own parser even when
        python3-hiredis is installed: redis-py would then use Debian's
        hiredis 0.14, which refuses replies nested deeper than 7 levels,
        and redis-server's COMMAND DOCS goes 11 deep."""
        import redis
        from redis.connection import PythonParser
        single = kw.pop("single_connection_client", False)
        r = redis.Redis(host="127.0.0.1", port=self.port,
                        socket_timeout=kw.pop("socket_timeout", 30), **kw)
        r.connection_pool.connection_kwargs["parser_class"] = PythonParser
        if single:
            r.single_connection_client = True
            r.connection = r.connection_pool.get_connection("_")
        return r

    def conn(self, timeout=10.0):
        return Conn(self.port, timeout=timeout)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------
# Raw RESP connection
# ---------------------------------------------------------------------------

def encode(*args):
    """Encodes one command as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        elif isinstance(a, float):
            a = repr(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class ProtocolError(Exception):
    pass


# Reply types whose payload is one line, and those that are length-prefixed.
_LINE_TYPES = b"+-:_,#("
_BULK_TYPES = b"$!="
_AGG_TYPES = b"*~>"     # count elements
_MAP_TYPES = b"%|"      # count pairs


class Conn:
    """A raw socket speaking RESP. All replies come back as raw bytes."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def settimeout(self, t):
        self.sock.settimeout(t)

    def send(self, data):
        self.sock.sendall(data)

    def call(self, *args):
        """Sends one command, returns the raw bytes of its reply."""
        self.send(encode(*args))
        return self.read_raw()

    def _fill(self):
        if self.pos:
            self.buf = self.buf[self.pos:]
            self.pos = 0
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i + 2]
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n:
            self._fill()
        data = self.buf[self.pos:self.pos + n]
        self.pos += n
        return data

    def _one(self, out):
        line = self._line()
        out.append(line)
        t = line[:1]
        if not t:
            raise ProtocolError("empty reply line")
        if t in _LINE_TYPES:
            return
        try:
            n = int(line[1:-2])
        except ValueError:
            raise ProtocolError("bad length in %r" % line)
        if t in _BULK_TYPES:
            if n >= 0:
                data = self._exact(n + 2)
                if data[-2:] != b"\r\n":
                    raise ProtocolError("bulk not terminated by CRLF")
                out.append(data)
            return
        if t in _AGG_TYPES or t in _MAP_TYPES:
            count = n * 2 if t in _MAP_TYPES else n
            for _ in range(max(count, 0)):
                self._one(out)
            if t == b"|":       # an attribute precedes the real reply
                self._one(out)
            return
        raise ProtocolError("unknown reply type %r in %r" % (t, line))

    def read_raw(self):
        """Reads exactly one complete reply; returns its bytes."""
        out = []
        self._one(out)
        return b"".join(out)

    def read_n(self, n):
        return [self.read_raw() for _ in range(n)]

    def is_closed(self, timeout=5.0):
        """True when the server closed the connection (EOF or reset) with
        nothing more buffered, waiting up to `timeout` seconds."""
        if self.pos < len(self.buf):
            return False
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1)
            if data:
                self.buf += data
                return False
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(old)


def parse(raw):
    """Parses one complete raw reply into Python values: bytes for strings,
    int, float, bool, None, list, set (as a list), dict (as a list of
    pairs), and RespError for errors. Verbatim strings keep their prefix."""
    val, pos = _parse(raw, 0)
    if pos != len(raw):
        raise ProtocolError("trailing bytes after reply")
    return val


class RespError(Exception):
    def __eq__(self, other):
        return isinstance(other, RespError) and self.args == other.args

    def __hash__(self):
        return hash(self.args)


class Push(list):
    pass


def _parse(raw, pos):
    end = raw.index(b"\r\n", pos)
    t, body = raw[pos:pos + 1], raw[pos + 1:end]
    pos = end + 2
    if t == b"+":
        return body, pos
    if t in b"-":
        return RespError(body.decode("utf-8", "replace")), pos
    if t == b":":
        return int(body), pos
    if t == b"_":
        return None, pos
    if t == b",":
        return float(body), pos
    if t == b"#":
        return body == b"t", pos
    if t == b"(":
        return int(body), pos
    if t in b"$!=":
        n = int(body)
        if n < 0:
            return None, pos
        data = raw[pos:pos + n]
        if t == b"!":
            return RespError(data.decode("utf-8", "replace")), pos + n + 2
        return data, pos + n + 2
    if t in b"*~>":
        n = int(body)
        if n < 0:
            return None, pos
        items = Push() if t == b">" else []
        for _ in range(n):
            v, pos = _parse(raw, pos)
            items.append(v)
        return items, pos
    if t in b"%|":
        n = int(body)
        pairs = []
        for _ in range(n):
            k, pos = _parse(raw, pos)
            v, pos = _parse(raw, pos)
            pairs.append((k, v))
        if t == b"|":
            return _parse(raw, pos)
        return pairs, pos
    raise ProtocolError("unknown type %r" % t)


# ---------------------------------------------------------------------------
# Test runner
# ---------------------------------------------------------------------------

_tests = []
_servers = []       # servers whose log is shown when a test fails
_current = {"server": None}


class Skip(Exception):
    pass


def test(fn=None, *, respite_only=False, reason=None):
    """Registers a test. respite_only=True skips it against redis-server
    (e.g. it needs DEBUG JUMP-CLOCK)."""
    def wrap(f):
        f._respite_only = respite_only
        f._reason = reason or "needs a respite-only feature"
        _tests.append(f)
        return f
    return wrap(fn) if fn is not None else wrap


def skip(reason):
    raise Skip(reason)


_shared = {}


def shared_server():
    """One server for the whole file, started on first use. Tests that use
    it should start from flushed() so they do not see each other's keys."""
    if "s" not in _shared:
        _shared["s"] = Server(name="shared", tracked=False).start()
    return _shared["s"]


class KeyEvents:
    """A raw subscriber to the keyspace notification channels matching
    pattern, plus a fence channel: collect() PUBLISHes on the fence and
    returns the (channel, message) pairs that came before it, so a test
    reads exactly the events its commands caused, without sleeping."""

    def __init__(self, server, pattern="__key*__:*"):
        self.c = server.conn()
        self.c.send(encode("PSUBSCRIBE", pattern))
        self.c.read_raw()
        self.c.send(encode("SUBSCRIBE", "fence"))
        self.c.read_raw()

    def collect(self, r):
        """Events since the last call; r is a redis-py client."""
        return [(ch.decode("latin-1"), msg.decode("latin-1"))
                for ch, msg in messages_until_fence(r, self.c)]

    def keyevents(self, r):
        """collect() of __keyevent@<db>__ channels as (event, key)."""
        return keyevents_until_fence(r, self.c)

    def close(self):
        self.c.close()


_file_servers = []  # untracked servers a file started for all its tests


def file_server(**kw):
    """An untracked server (Server's keywords) that lives until the end of
    run(), which stops it: for a reference redis-server that several tests
    of a file share."""
    s = Server(tracked=False, **kw).start()
    _file_servers.append(s)
    return s


def flushed(**kw):
    """A redis-py client on the shared server after FLUSHALL."""
    r = shared_server().client(**kw)
    r.flushall()
    return r


def blocked_count(r):
    """INFO blocked_clients of the server behind redis-py client r."""
    return r.info("clients")["blocked_clients"]


def wait_for(pred, what, timeout=10.0):
    """Polls pred() (a server-side fact) until true; bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)


def wait_blocked(r, n, timeout=5.0):
    """Waits until exactly n clients are blocked (the server has seen the
    blocking commands), or fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while blocked_count(r) != n:
        if time.monotonic() > deadline:
            raise AssertionError("blocked_clients %d, want %d"
                                 % (blocked_count(r), n))
        time.sleep(0.005)


@contextlib.contextmanager
def conns(n, server=None):
    """A list of n raw Conns to server (the shared one by default), all
    closed when the with block ends."""
    server = server or shared_server()
    cs = [server.conn() for _ in range(n)]
    try:
        yield cs
    finally:
        for c in cs:
            c.close()


def send_blocked(r, conn, n, *args):
    """Sends command args on raw Conn conn and waits until n clients are
    blocked (args is the blocking command, so conn is the n-th)."""
    conn.send(encode(*args))
    wait_blocked(r, n)


def held_by_write_pause(pauser, other, *args):
    """1 if command args from redis-py client other waits out a 300 ms
    CLIENT PAUSE WRITE that client pauser sets (a command that may write
    is held; a read-only one runs at once)."""
    pauser.execute_command("CLIENT", "PAUSE", 300, "WRITE")
    t0 = time.monotonic()
    other.execute_command(*args)
    waited = time.monotonic() - t0
    pauser.execute_command("CLIENT", "UNPAUSE")
    return waited > 0.2


class Bg(threading.Thread):
    """Runs fn(client) in a thread on its own redis-py client of the shared
    server (made with **kw); get() returns what fn returned or raises what
    it raised."""

    def __init__(self, fn, **kw):
        super().__init__(daemon=True)
        self.fn, self.kw, self.result, self.error = fn, kw, None, None
        self.start()

    def run(self):
        try:
            self.result = self.fn(shared_server().client(**self.kw))
        except Exception as e:  # reported by get()
            self.error = e

    def get(self, timeout=10.0):
        self.join(timeout)
        if self.is_alive():
            raise AssertionError("background client still blocked")
        if self.error:
            raise self.error
        return self.result


def messages_until_fence(r, sub):
    """Publishes to "fence" with redis-py client r and returns the
    (channel, message) pairs, as bytes, of the pattern messages raw Conn
    sub received before that message (sub must be subscribed to both)."""
    r.publish("fence", "end")
    got = []
    while True:
        m = parse(sub.read_raw())
        if m[0] == b"message":
            return got
        got.append((m[2], m[3]))


def keyevents_until_fence(r, sub):
    """messages_until_fence for __keyevent@<db>__:* as (event, key)."""
    return [(ch.decode().split(":", 1)[1], msg.decode())
            for ch, msg in messages_until_fence(r, sub)]


def no_reply(conn, wait=0.1):
    """True if nothing arrives on raw Conn conn within wait seconds."""
    conn.settimeout(wait)
    try:
        conn.sock.recv(1, socket.MSG_PEEK)
        return False
    except socket.timeout:
        return True
    finally:
        conn.settimeout(10.0)


def _clip(v, n=300):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def assert_eq(got, want, what=""):
    if got == want:
        return
    if isinstance(got, set) and isinstance(want, set):
        raise AssertionError("%s: sets differ: extra %s, missing %s" % (
            what or "value", _clip(sorted(got - want)),
            _clip(sorted(want - got))))
    raise AssertionError("%s: got %s, want %s" % (
        what or "value", _clip(got), _clip(want)))


def assert_raises_text(fn, prefix):
    """Calls fn and checks it raises a redis-py error whose text starts
    with prefix (the code word dropped, as redis-py does for ERR)."""
    import redis
    try:
        fn()
    except redis.exceptions.ResponseError as e:
        text = str(e)
        if not text.startswith(prefix):
            raise AssertionError("error %r does not start with %r" % (text, prefix))
        return e
    raise AssertionError("no error raised, wanted %r" % prefix)


def _stop_tracked():
    """Stops the servers the current test tracked; returns (log, report)
    for the first one whose log has a sanitizer report, else None."""
    bad = None
    for s in _servers:
        if s.proc is not None and s.proc.poll() is None:
            s.stop()
        report = s.sanitizer_report()
        if report and bad is None:
            bad = (s.log_path, report)
    return bad


def run():
    """Runs every registered test, prints the RESULT line, exits."""
    passed = failed = 0
    only = set(sys.argv[1:])
    for f in _tests:
        name = f.__name__
        if only and name not in only:
            continue
        if f._respite_only and is_redis():
            print("skip %s (%s)" % (name, f._reason), flush=True)
            continue
        del _servers[:]
        t0 = time.monotonic()
        err = None
        try:
            f()
        except Skip as e:
            print("skip %s (%s)" % (name, e), flush=True)
            _stop_tracked()
            continue
        except Exception:
            err = traceback.format_exc()
        # Servers a test started itself are stopped here; a sanitizer
        # report in their log fails the test even if its asserts passed.
        bad = _stop_tracked()
        if err is None and bad:
            err = "server %s: %s\n" % bad
        if err is None:
            passed += 1
            print("ok   %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
        else:
            failed += 1
            print("FAIL %s" % name, flush=True)
            sys.stdout.write(err)
            for s in _servers + list(_shared.values()):
                print("  server log %s (port %s):" % (s.log_path, s.port))
                print(s.log_tail())
            sys.stdout.flush()
    for s in _file_servers:
        s.stop()
    # The shared server must shut down cleanly and without a sanitizer
    # report: one more test, so a leak or UB found at exit fails the suite.
    if "s" in _shared:
        s = _shared.pop("s")
        status = s.stop()
        report = s.sanitizer_report()
        if status == 0 and report is None:
            passed += 1
            print("ok   shared server exited cleanly", flush=True)
        else:
            failed += 1
            print("FAIL shared server exited cleanly: status %s, %s" % (
                status, report or "no sanitizer report"), flush=True)
            print(s.log_tail())
    print("RESULT %d %d" % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)
