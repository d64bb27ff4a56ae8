#!/usr/bin/python3
"""PHP's two Redis clients, phpredis (Debian's php-redis 5.3.7, the C
extension behind `new Redis()`) and Predis (Debian's php-predis 1.1.10,
pure PHP), run on the server as PHP apps use them, on their own and under
Laravel's and Symfony's own classes (Debian's php-illuminate-redis,
-cache and -queue 8.83, php-symfony-lock 5.4): short PHP scripts, started
by the test with the server's address in their environment, call the
client or the library and print what it returned, one line of JSON each;
the test compares that with PHP's own types (false, null, "1", 1 and 1.0
stay apart) and reads the server's side back with redis-py. The
connection code and what the scripts share is
tests/integration/php/app.php; the Lua scripts are the libraries' own,
run from the installed packages.

Covers strings with TTL options, cache-aside with phpredis's serializers
(php, igbinary) and key prefix and with Laravel's cache store on Predis,
Laravel's cache locks and Symfony's locks (SET NX EX, Lua release,
exclusive and shared locks in a sorted set, blocking), four processes
racing for one lock, Laravel's rate limiter, concurrency limiter and
queue (EVAL, EVALSHA, SCRIPT LOAD, Predis's EVALSHA falling back to EVAL,
cjson), MULTI/EXEC, pipelines and WATCH losing to a second connection,
pipelines of 80 MB each way, hashes, lists, sets and sorted sets with the
shapes each client returns, SCAN with MATCH (phpredis's SCAN_RETRY and
SCAN_PREFIX, Predis's iterators), streams and consumer groups, pub/sub
subscribers in their own process, PHP sessions in phpredis's session
handler with its locking, errors, and AUTH (a password, an ACL user) and
SELECT. A test that needs a package that is missing is skipped, naming
it. tests/integration/test_sidekiq.py does the same for Ruby. Passes
against redis-server too."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, test  # noqa: E402

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "php", "app.php")

def resolves(path):
    """A PHP one-liner that exits 0 when path is on PHP's include path."""
    return 'exit(stream_resolve_include_path("%s") ? 0 : 1);' % path


# What each library needs, checked by a PHP one-liner that exits 0, and
# the Debian package that brings it.
PROBES = {
    "phpredis": ('exit(extension_loaded("redis") ? 0 : 1);', "php-redis"),
    "predis": (resolves("Predis/autoload.php"), "php-predis"),
    "illuminate-redis": (resolves("Illuminate/Redis/autoload.php"),
                         "php-illuminate-redis"),
    "illuminate-cache": (resolves("Illuminate/Cache/autoload.php"),
                         "php-illuminate-cache"),
    "illuminate-queue": (resolves("Illuminate/Queue/autoload.php"),
                         "php-illuminate-queue"),
    "symfony-lock": (resolves("Symfony/Component/Lock/autoload.php"),
                     "php-symfony-lock"),
}

_missing = {}


def missing(lib):
    """Why `lib` (a name in PROBES) cannot run here, or None (checked once
    each)."""
    if lib not in _missing:
        probe, package = PROBES[lib]
        if not shutil.which("php"):
            _missing[lib] = "php-cli is not installed (make deps)"
        elif subprocess.run(["php", "-r", probe],
                            capture_output=True, timeout=30).returncode:
            _missing[lib] = "%s is not installed (make deps)" % package
        else:
            _missing[lib] = None
    return _missing[lib]


def need(*libs):
    """Skips the test unless PHP and every one of libs can run."""
    for lib in libs:
        if missing(lib):
            h.skip(missing(lib))


def flushed(*libs, **kw):
    """A decoding redis-py client on the flushed shared server; skips the
    test unless PHP and libs can run."""
    need(*libs)
    return h.flushed(decode_responses=True, **kw)


def php_env(server):
    """The scripts' environment: server's address (the shared server's by
    default)."""
    return dict(os.environ, REDIS_HOST="127.0.0.1",
                REDIS_PORT=str((server or h.shared_server()).port))


def php_argv(code, args, ini):
    """The command line that runs code with app.php loaded."""
    argv = ["php"]
    for name, value in (ini or {}).items():
        argv += ["-d", "%s=%s" % (name, value)]
    return argv + ["-r", 'require "%s";\n%s' % (APP, code), "--"] + \
        [str(a) for a in args]


def php(code, *args, server=None, ini=None, timeout=30):
    """Runs code as a PHP script with app.php loaded and args in $argv[1..]
    against server (the shared one by default), with php.ini settings
    ini; returns the values it printed with out(), one a line of JSON."""
    p = subprocess.run(php_argv(code, args, ini),
                       env=php_env(server),
                       capture_output=True, text=True, timeout=timeout,
                       cwd=h.scratch_dir())
    if p.returncode != 0:
        raise AssertionError("php exited with %d:\n%s%s" % (
            p.returncode, p.stdout, p.stderr))
    return [json.loads(line) for line in p.stdout.splitlines()]


def spawn(code, *args, ini=None):
    """Starts code as a PHP script in the background (see php()); the
    caller reads its output with finish()."""
    return subprocess.Popen(php_argv(code, args, ini),
                            env=php_env(None),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True,
                            cwd=h.scratch_dir())


def finish(p, timeout=15):
    """Waits for a spawned script (killing it after timeout seconds) and
    returns what it printed, as php() does."""
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise AssertionError("php still running after %ds:\n%s%s"
                             % (timeout, out, err))
    if p.returncode != 0:
        raise AssertionError("php exited with %d:\n%s%s" % (
            p.returncode, out, err))
    return [json.loads(line) for line in out.splitlines()]


def same(got, want):
    """True if got equals want with the same JSON type all through, dict
    keys in the same order: PHP's false, null, 0, 0.0 and "0" differ."""
    if type(got) is not type(want):
        return False
    if isinstance(want, dict):
        return list(got) == list(want) and \
            all(same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return len(got) == len(want) and \
            all(same(g, w) for g, w in zip(got, want))
    return got == want


def assert_php(got, want, what=""):
    """assert_eq for what a PHP script printed, types included."""
    if not same(got, want):
        raise AssertionError("%s: got %s, want %s" % (
            what or "value", json.dumps(got), json.dumps(want)))


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


# ---------------------------------------------------------------------------
# Strings and TTLs
# ---------------------------------------------------------------------------

@test
def phpredis_strings_and_ttls():
    r = flushed("phpredis")
    got = php("""
        $r = phpredis();
        // Laravel's session and cache stores: SET with an options array.
        out($r->set('session:a', 'v1', ['nx', 'px' => 1500]));
        out($r->set('session:a', 'v2', ['nx', 'px' => 1500]));
        out($r->set('session:b', 'v', ['xx', 'ex' => 60]));
        out($r->set('session:a', 'v3', ['xx', 'keepttl']));
        out($r->setex('page:home', 100, '<html>'));
        out($r->psetex('page:tmp', 300, 'x'));
        out($r->set('hits', '0'));
        out([$r->ttl('page:home'), $r->ttl('hits'), $r->ttl('nope'),
             $r->pttl('nope')]);
        out($r->pttl('session:a'));
        out([$r->get('session:a'), $r->get('nope'),
             $r->mget(['session:a', 'nope', 'page:home'])]);
        out([$r->incr('hits'), $r->incrBy('hits', 10),
             $r->incrByFloat('hits', 0.5), $r->decr('fresh')]);
        out([$r->setnx('hits', 'x'), $r->exists('hits', 'nope', 'fresh'),
             $r->expire('hits', 30), $r->ttl('hits')]);
        out([$r->persist('hits'), $r->persist('hits'), $r->ttl('hits')]);
        out([$r->append('page:home', '!'), $r->strlen('page:home'),
             $r->getRange('page:home', 1, 4)]);
        out([$r->getSet('hits', '7'), $r->del('fresh', 'nope')]);
    """)
    assert_php(got[:6], [True, False, False, True, True, True])
    assert_php(got[6], True)
    assert 99 <= got[7][0] <= 100, got[7]
    assert_php(got[7][1:], [-1, -2, -2], "ttl, pttl")
    assert 1000 < got[8] <= 1500, got[8]
    assert_php(got[9], ["v3", False, ["v3", False, "<html>"]],
               "get, mget")
    assert_php(got[10], [1, 11, 11.5, -1], "incr, incrBy, float, decr")
    assert_php(got[11][:3], [False, 2, True], "setnx, exists, expire")
    assert 29 <= got[11][3] <= 30, got[11]
    assert_php(got[12], [True, False, -1], "persist")
    assert_php(got[13], [7, 7, "html"], "append, strlen, getRange")
    assert_php(got[14], ["11.5", 1], "getSet, del")

    # The server's side: KEEPTTL kept the PX of the first SET.
    assert_eq(r.get("session:a"), "v3")
    assert 0 < r.pttl("session:a") <= 1500, r.pttl("session:a")
    assert_eq(r.exists("session:b"), 0)
    assert 99 <= r.ttl("page:home") <= 100, r.ttl("page:home")
    assert_eq((r.get("hits"), r.ttl("hits")), ("7", -1))
    assert 0 < r.pttl("page:tmp") <= 300, r.pttl("page:tmp")
    # PSETEX's 300 ms run out: the client sees the key gone.
    h.wait_for(lambda: r.exists("page:tmp") == 0, "page:tmp to expire", 5)
    assert_php(php("""
        $r = phpredis();
        out([$r->get('page:tmp'), $r->exists('page:tmp'),
             $r->ttl('page:tmp')]);
    """), [[False, 0, -2]])


@test
def predis_strings_and_ttls():
    r = flushed("predis")
    got = php("""
        $c = predis();
        out($c->set('session:a', 'v1', 'PX', 1500, 'NX'));
        out($c->set('session:a', 'v2', 'PX', 1500, 'NX'));
        out($c->set('session:b', 'v', 'EX', 60, 'XX'));
        out($c->setex('page:home', 100, '<html>'));
        out($c->psetex('page:tmp', 300, 'x'));
        $c->set('hits', '0');
        out([$c->ttl('page:home'), $c->ttl('hits'), $c->ttl('nope')]);
        out($c->pttl('session:a'));
        out([$c->get('session:a'), $c->get('nope'),
             $c->mget('session:a', 'nope', 'page:home')]);
        out([$c->incr('hits'), $c->incrby('hits', 10),
             $c->incrbyfloat('hits', 0.5), $c->decr('fresh')]);
        out([$c->setnx('hits', 'x'), $c->exists('hits'),
             $c->expire('hits', 30), $c->ttl('hits'), $c->persist('hits')]);
        out($c->mset(['m1' => 'a', 'm2' => 'b']));
        out([$c->getset('hits', '7'), $c->del(['fresh', 'nope', 'm2'])]);
    """)
    # Predis returns a status reply as an object (here {"status": "OK"})
    # and a nil as null.
    ok = {"status": "OK"}
    assert_php(got[:5], [ok, None, None, ok, ok])
    assert 99 <= got[5][0] <= 100, got[5]
    assert_php(got[5][1:], [-1, -2], "ttl")
    assert 1000 < got[6] <= 1500, got[6]
    assert_php(got[7], ["v1", None, ["v1", None, "<html>"]], "get, mget")
    # INCRBYFLOAT's bulk reply comes back as the string it is.
    assert_php(got[8], [1, 11, "11.5", -1], "incr, incrby, float, decr")
    assert_php(got[9][:3] + got[9][4:], [0, 1, 1, 1],
               "setnx, exists, expire, persist")
    assert 29 <= got[9][3] <= 30, got[9]
    assert_php(got[10], ok, "mset")
    assert_php(got[11], ["11.5", 2], "getset, del")

    assert_eq(r.get("session:a"), "v1")
    assert 0 < r.pttl("session:a") <= 1500, r.pttl("session:a")
    assert_eq(r.exists("session:b", "fresh", "m2"), 0)
    assert_eq((r.get("hits"), r.ttl("hits"), r.get("m1")), ("7", -1, "a"))
    assert 99 <= r.ttl("page:home") <= 100, r.ttl("page:home")
    h.wait_for(lambda: r.exists("page:tmp") == 0, "page:tmp to expire", 5)
    assert_php(php("""
        $c = predis();
        out([$c->get('page:tmp'), $c->exists('page:tmp')]);
    """), [[None, 0]])


# ---------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------

USER = {"id": 7, "name": "Ada", "roles": ["admin", "dev"], "score": 9.5,
        "active": True, "manager": None}
# PHP's serialize() of USER, as phpredis's SERIALIZER_PHP stores it.
USER_PHP = (b'a:6:{s:2:"id";i:7;s:4:"name";s:3:"Ada";s:5:"roles";'
            b'a:2:{i:0;s:5:"admin";i:1;s:3:"dev";}s:5:"score";d:9.5;'
            b's:6:"active";b:1;s:7:"manager";N;}')

# The app's user loader: what a cache miss computes, and counts.
LOADER = """
    $loads = 0;
    $load = function ($id) use (&$loads) {
        $loads++;
        return ['id' => (int) $id, 'name' => $id == 7 ? 'Ada' : 'Bob',
                'roles' => $id == 7 ? ['admin', 'dev'] : [],
                'score' => 9.5, 'active' => true, 'manager' => null];
    };
"""


@test
def phpredis_cache_aside_serialized_and_prefixed():
    r = flushed("phpredis")
    raw = h.shared_server().client()
    got = php(LOADER + """
        // Cache-aside: GET, on a miss compute and SETEX. The serializer
        // makes any PHP value cacheable; the prefix keeps the app's keys
        // apart from other apps' on the same server.
        function remember(Redis $r, string $key, int $ttl, callable $fn)
        {
            $v = $r->get($key);
            if ($v !== false) {
                return [$v, 'hit'];
            }
            $v = $fn();
            $r->setex($key, $ttl, $v);
            return [$v, 'miss'];
        }
        $r = phpredis(0, [Redis::OPT_SERIALIZER => Redis::SERIALIZER_PHP,
                          Redis::OPT_PREFIX => 'app:cache:']);
        out(remember($r, 'user:7', 600, fn () => $load(7)));
        out(remember($r, 'user:7', 600, fn () => $load(7)));
        out(remember($r, 'user:8', 60, fn () => $load(8)));
        // A cached 0 is a hit, not a miss: it is stored as "i:0;".
        out(remember($r, 'count:empty', 60, fn () => 0));
        out(remember($r, 'count:empty', 60, fn () => 99));
        out($loads);
        out($r->mget(['user:7', 'nope', 'count:empty']));
        out([$r->exists('user:8'), $r->del('user:8'), $r->get('user:8')]);
        out(serialize($load(7)));

        // igbinary, a compact binary serializer, where it is built in.
        if (defined('Redis::SERIALIZER_IGBINARY')) {
            $ig = phpredis(0, [
                Redis::OPT_SERIALIZER => Redis::SERIALIZER_IGBINARY,
                Redis::OPT_PREFIX => 'app:ig:']);
            out($ig->set('user:7', $load(7)));
            out($ig->get('user:7'));
            out(bin2hex(igbinary_serialize($load(7))));
        } else {
            out(null);
        }
    """)
    user8 = dict(USER, id=8, name="Bob", roles=[])
    assert_php(got[0], [USER, "miss"], "first remember")
    assert_php(got[1], [USER, "hit"], "second remember")
    assert_php(got[2], [user8, "miss"])
    assert_php(got[3:6], [[0, "miss"], [0, "hit"], 2], "cached 0")
    assert_php(got[6], [USER, False, 0], "mget")
    assert_php(got[7], [1, 1, False], "exists, del, get")
    assert_eq(got[8].encode(), USER_PHP, "PHP's own serialize()")

    # The server holds PHP's serialize() bytes under the prefixed name.
    assert_eq(raw.get("app:cache:user:7"), USER_PHP)
    assert_eq(raw.get("app:cache:count:empty"), b"i:0;")
    assert 595 <= r.ttl("app:cache:user:7") <= 600, r.ttl("app:cache:user:7")
    expected = {"app:cache:user:7", "app:cache:count:empty"}
    if got[9] is not None:
        assert_php(got[9:11], [True, USER], "igbinary set, get")
        ig = raw.get("app:ig:user:7")
        # igbinary's format 2 header, then the same bytes PHP makes.
        assert_eq(ig[:4], b"\x00\x00\x00\x02")
        assert_eq(ig.hex(), got[11])
        assert_eq(r.ttl("app:ig:user:7"), -1)
        expected.add("app:ig:user:7")
    assert_eq(set(r.keys("*")), expected)


@test
def predis_laravel_cache_store():
    r = flushed("predis", "illuminate-redis", "illuminate-cache")
    raw = h.shared_server().client()
    got = php(LOADER + """
        // Laravel's cache (Cache::remember() and the rest) on its
        // RedisStore on Predis: the connection's prefix option
        // ("laravel_database_") and the store's own prefix
        // ("laravel_cache:"); values serialize()d except numbers, which
        // stay plain so that INCRBY works on them.
        use Illuminate\\Cache\\RedisStore;
        use Illuminate\\Cache\\Repository;
        $redis = laravel_redis(
            ['cache' => predis([], ['prefix' => 'laravel_database_'])]);
        $store = new RedisStore($redis, 'laravel_cache', 'cache');
        $cache = new Repository($store);
        out([$cache->remember('user:7', 600, fn () => $load(7)), $loads]);
        out([$cache->remember('user:7', 600, fn () => $load(7)), $loads]);
        // putMany: SETEX each in one MULTI; many: one MGET.
        out($cache->putMany(['user:8' => $load(8), 'hits' => 1], 60));
        out($cache->many(['user:7', 'user:8', 'nope', 'hits']));
        out([$cache->increment('hits', 2), $cache->decrement('hits')]);
        // add: a Lua script (EVAL) that SETEXes only a missing key.
        out([$cache->add('hits', 5, 60), $cache->add('fresh', 'yes', 30)]);
        out([$cache->forever('config', ['debug' => false]),
             $cache->forget('user:8'), $cache->get('user:8'),
             $cache->get('nope', 'default')]);
        out($store->connection()->keys('*'));
    """)
    user8 = dict(USER, id=8, name="Bob", roles=[])
    assert_php(got[0:2], [[USER, 1], [USER, 1]], "remember: miss, hit")
    assert_php(got[2], True, "putMany")
    # Predis prefixes MGET's keys and hands back values in key order; a
    # number comes back as the string the server holds.
    assert_php(got[3], {"user:7": USER, "user:8": user8, "nope": None,
                        "hits": "1"}, "many")
    assert_php(got[4], [3, 2], "increment, decrement")
    assert_php(got[5], [False, True], "add")
    assert_php(got[6], [True, True, None, "default"], "forever, forget")
    # KEYS returns names as the server has them, with Predis's prefix.
    key = "laravel_database_laravel_cache:"
    assert_eq(sorted(got[7]), [key + "config", key + "fresh", key + "hits",
                               key + "user:7"])

    assert_eq(raw.get(key + "user:7"), USER_PHP)
    assert_eq(raw.get(key + "hits"), b"2")
    assert_eq(raw.get(key + "fresh"), b's:3:"yes";')
    assert_eq(raw.get(key + "config"), b'a:1:{s:5:"debug";b:0;}')
    assert 595 <= r.ttl(key + "user:7") <= 600, r.ttl(key + "user:7")
    assert 55 <= r.ttl(key + "hits") <= 60, r.ttl(key + "hits")
    assert 25 <= r.ttl(key + "fresh") <= 30, r.ttl(key + "fresh")
    assert_eq(r.ttl(key + "config"), -1)


# ---------------------------------------------------------------------------
# Locks, rate limits and Laravel's queue: the libraries' Lua scripts
# ---------------------------------------------------------------------------

LOCK = "laravel_cache:lock:report"


@test
def laravel_cache_locks():
    r = flushed("phpredis", "predis", "illuminate-redis",
                "illuminate-cache")
    got = php("""
        // Cache::lock() in two workers, one on each client: Laravel's
        // RedisStore hands out a PhpRedisLock on phpredis and a RedisLock
        // on Predis. Both take the lock with SET NX EX and give it back
        // with a Lua script (EVAL) that deletes it only for its owner.
        use Illuminate\\Cache\\RedisStore;
        $redis = laravel_redis(['a' => phpredis(), 'b' => predis()]);
        $a = new RedisStore($redis, 'laravel_cache', 'a');
        $b = new RedisStore($redis, 'laravel_cache', 'b');
        $mine = $a->lock('lock:report', 10, 'owner-a');
        $theirs = $b->lock('lock:report', 10, 'owner-b');
        out([get_class($mine), get_class($theirs)]);
        out([$mine->get(), $theirs->get()]);
        $owned = fn ($lock) =>
            call_protected($lock, 'isOwnedByCurrentProcess');
        out([$owned($mine), $owned($theirs)]);
        // Releasing someone else's lock does nothing.
        out([$theirs->release(),
             $a->connection()->get('laravel_cache:lock:report')]);
        // The owner's token releases it from another process and client
        // (Cache::restoreLock()); after that, releasing again is a no-op.
        out([$b->restoreLock('lock:report', 'owner-a')->release(),
             $mine->release()]);
        out($theirs->get());

        // get() with a callback: held (random owner, 5 s) while it runs,
        // released after.
        out($a->lock('lock:job', 5)->get(function () use ($a) {
            $c = $a->connection();
            return [$c->ttl('laravel_cache:lock:job'),
                    strlen($c->get('laravel_cache:lock:job'))];
        }));
        out($a->connection()->exists('laravel_cache:lock:job'));

        // block(): retry every 50 ms; a lock held for 10 s is not had
        // within 0 s, one held for 1 s is within 3 s.
        out($b->lock('lock:busy', 10)->get());
        out(attempt(fn () => $a->lock('lock:busy', 10)
            ->betweenBlockedAttemptsSleepFor(50)->block(0)));
        out($b->lock('lock:short', 1, 'holder')->get());
        $t0 = microtime(true);
        out([$a->lock('lock:short', 5, 'waiter')
               ->betweenBlockedAttemptsSleepFor(50)->block(3),
             microtime(true) - $t0]);
    """)
    assert_php(got[0], ["Illuminate\\Cache\\PhpRedisLock",
                        "Illuminate\\Cache\\RedisLock"], "lock classes")
    assert_php(got[1:6], [[True, False], [True, False], [False, "owner-a"],
                          [True, False], True], "get, owner, release")
    assert_php(got[6:8], [[5, 16], 0], "get() with a callback")
    assert_php(got[8:11], [True, {
        "exception": "Illuminate\\Contracts\\Cache\\LockTimeoutException",
        "message": ""}, True], "block(0) on a taken lock")
    acquired, waited = got[11]
    assert_php(acquired, True, "block() acquired")
    assert 0.5 <= waited < 3, waited

    assert_eq(r.get(LOCK), "owner-b")
    assert 9 <= r.ttl(LOCK) <= 10, r.ttl(LOCK)
    assert_eq(r.get("laravel_cache:lock:short"), "waiter")
    assert 4 <= r.ttl("laravel_cache:lock:short") <= 5
    assert_eq(sorted(r.keys("*")), ["laravel_cache:lock:busy", LOCK,
                                    "laravel_cache:lock:short"])


@test
def symfony_locks():
    r = flushed("phpredis", "predis", "symfony-lock")
    t0 = time.time()
    got = php("""
        // Symfony's LockFactory on its RedisStore, one worker on each
        // client. The store keeps a lock as a sorted set of owners' tokens
        // (plus "__write__" for an exclusive lock) scored by expiry in ms,
        // all in Lua scripts (EVAL) that read the server's TIME. No
        // release on exit (autoRelease false): the test reads them after.
        use Symfony\\Component\\Lock\\Key;
        use Symfony\\Component\\Lock\\LockFactory;
        use Symfony\\Component\\Lock\\Store\\RedisStore;
        $a = new LockFactory(new RedisStore(phpredis()));
        $b = new LockFactory(new RedisStore(predis()));
        $key = new Key('sf:lock');
        $mine = $a->createLockFromKey($key, 30, false);
        $theirs = $b->createLock('sf:lock', 30, false);
        out([$mine->acquire(), $theirs->acquire()]);
        out($key->getState(RedisStore::class));
        out([$mine->isAcquired(), $theirs->isAcquired()]);
        // Only the owner extends or releases it.
        out(attempt(fn () => $theirs->refresh(60)));
        out(attempt(fn () => $theirs->release()));
        $mine->refresh(60);
        out([$mine->isAcquired(), round($mine->getRemainingLifetime())]);

        // Shared (read) locks: two readers, on either client, keep the
        // writer out until both are gone.
        $read1 = $a->createLock('sf:report', 30, false);
        $read2 = $b->createLock('sf:report', 30, false);
        $write = $a->createLock('sf:report', 30, false);
        out([$read1->acquireRead(), $read2->acquireRead(), $write->acquire()]);
        $read1->release();
        out([$write->acquire(), $read2->release(), $write->acquire()]);

        // A blocking acquire waits out a holder's 300 ms.
        out($b->createLock('sf:short', 0.3, false)->acquire());
        $t0 = microtime(true);
        out([$a->createLock('sf:short', 5, false)->acquire(true),
             microtime(true) - $t0]);
    """)
    t1 = time.time()
    assert_php(got[0], [True, False], "acquire")
    token = got[1]
    assert_eq(len(token), 44, "a base64 token of 32 bytes")
    assert_php(got[2], [True, False], "isAcquired")
    assert_php(got[3], {"exception": "Symfony\\Component\\Lock\\Exception\\"
                                     "LockConflictedException",
                        "message": ""}, "refresh by another owner")
    assert_php(got[4], None, "release by another owner")
    assert_php(got[5], [True, 60.0], "refresh(60)")
    assert_php(got[6:8], [[True, True, False], [False, None, True]],
               "read locks")
    acquired, waited = got[9]
    assert_php([got[8], acquired], [True, True], "blocking acquire")
    assert 0.2 <= waited < 3, waited

    assert_eq(r.type("sf:lock"), "zset")
    members = r.zrange("sf:lock", 0, -1, withscores=True)
    assert_eq(sorted(m for m, _ in members), sorted([token, "__write__"]))
    # Scores: the server's time in ms plus the 60 s of refresh(60).
    for _, score in members:
        assert t0 * 1000 + 59000 <= score <= t1 * 1000 + 61000, members
    assert 55000 < r.pttl("sf:lock") <= 60000, r.pttl("sf:lock")
    # The writer's token and "__write__": the readers' tokens are gone.
    report = r.zrange("sf:report", 0, -1)
    assert_eq(len(report), 2)
    assert "__write__" in report, report
    assert 25000 < r.pttl("sf:report") <= 30000, r.pttl("sf:report")
    assert_eq(r.zcard("sf:short"), 2)
    assert 3000 < r.pttl("sf:short") <= 5000, r.pttl("sf:short")


@test
def laravel_rate_limiter():
    r = flushed("phpredis", "predis", "illuminate-redis")
    t0 = time.time()
    got = php("""
        // Laravel's DurationLimiter (Redis::throttle()), 3 admits per
        // 10 s, called in turn from both clients as two web workers
        // would: acquire() (EVAL), Laravel's evalsha() (SCRIPT LOAD, then
        // EVALSHA) and Predis's ScriptCommand, which sends EVALSHA and
        // falls back to EVAL on NOSCRIPT, all with the limiter's own
        // script.
        use Illuminate\\Redis\\Limiters\\DurationLimiter;
        class AcquireCommand extends Predis\\Command\\ScriptCommand
        {
            public function getKeysCount()
            {
                return 1;
            }

            public function getScript()
            {
                return call_protected(new DurationLimiter(null, '', 0, 0),
                                      'luaScript');
            }
        }
        $a = laravel_connection(phpredis());
        $b = laravel_connection(predis());
        $b->client()->getProfile()->defineCommand('acquire', 'AcquireCommand');
        $key = 'limiter:api:42';
        $la = new DurationLimiter($a, $key, 3, 10);
        $lb = new DurationLimiter($b, $key, 3, 10);
        $state = fn ($l, $admitted) =>
            [$admitted, $l->decaysAt, $l->remaining];
        out($state($la, $la->acquire()));
        $now = $la->decaysAt - 10;
        out($state($lb, $lb->acquire()));
        $script = call_protected($la, 'luaScript');
        $sha = sha1($script);
        out($sha);
        // The script's arguments as acquire() makes them, for time $t.
        $args = fn ($t) => [$key, microtime(true) + ($t - $now), $t, 10, 3];
        out($a->evalsha($script, 1, ...$args($now)));
        out($b->script('flush'));
        out($a->script('exists', $sha));
        out($b->acquire(...$args($now)));
        out($a->script('exists', $sha));
        out($state($la, $la->acquire()));
        out([$la->tooManyAttempts(), $la->decaysAt, $la->remaining]);
        // A request 20 s later (the time comes from the client) starts a
        // new window.
        out($b->evalsha($sha, 1, ...$args($now + 20)));
        // An unknown script: NOSCRIPT, false on phpredis and an exception
        // on Predis.
        $none = sha1('return "not loaded"');
        out([$a->client()->evalSha($none, [$key], 1),
             last_error($a->client())]);
        out(attempt(fn () => $b->evalsha($none, 0)));

        // Redis::throttle() as an app writes it: once a minute, not
        // waiting for a free turn.
        $mail = fn ($c) => $c->throttle('limiter:mail')->allow(1)->every(60)
            ->block(0)->then(fn () => 'sent', fn ($e) => get_class($e));
        out([$mail($a), $mail($b)]);
    """)
    t1 = time.time()
    # The first call sets the window up and returns numbers; later calls
    # in the window return HGET's end as a string, and a refusal's Lua
    # false comes back as a nil: false on phpredis, null on Predis.
    admitted, end, left = got[0]
    now = end - 10
    assert int(t0) <= now <= int(t1), (t0, now, t1)
    assert_php(got[0], [True, end, 2], "1st: new window")
    assert_php(got[1], [True, str(end), 1], "2nd")
    sha = got[2]
    assert_php(got[3], [1, str(end), 0], "3rd (Laravel's evalsha)")
    assert_php(got[4:6], [{"status": "OK"}, [0]], "SCRIPT FLUSH")
    assert_php(got[6], [None, str(end), -1], "4th (Predis, refused)")
    # Predis's fallback EVAL cached the script again.
    assert_php(got[7], [1], "SCRIPT EXISTS after the fallback")
    # acquire() shows no fewer than 0 left, tooManyAttempts() the count.
    assert_php(got[8], [False, str(end), 0], "5th (phpredis, refused)")
    assert_php(got[9], [True, str(end), -2], "tooManyAttempts")
    assert_php(got[10], [1, now + 30, 2], "a request 20 s later")
    assert_php(got[11], [False, "NOSCRIPT No matching script. "
                                "Please use EVAL."])
    assert_eq(got[12]["exception"], "Predis\\Response\\ServerException")
    assert got[12]["message"].startswith("NOSCRIPT"), got[12]
    assert_php(got[13], ["sent", "Illuminate\\Contracts\\Redis\\"
                                 "LimiterTimeoutException"], "throttle()")

    assert_eq(r.hgetall("limiter:api:42"),
              {"start": str(now + 20), "end": str(now + 30), "count": "1"})
    assert 19 <= r.ttl("limiter:api:42") <= 20, r.ttl("limiter:api:42")
    assert_eq(r.script_exists(sha), [True])
    mail = r.hgetall("limiter:mail")
    assert_eq((mail["count"], int(mail["end"]) - int(mail["start"])),
              ("2", 60))
    assert 119 <= r.ttl("limiter:mail") <= 120, r.ttl("limiter:mail")


@test
def laravel_funnel():
    r = flushed("phpredis", "predis", "illuminate-redis")
    got = php("""
        // Laravel's ConcurrencyLimiter (Redis::funnel()) with two slots,
        // taken in turn by workers on either client: its acquire script
        // takes the first free slot (MGET, SET EX), its release script
        // deletes a slot only for its holder. Both are protected; the
        // test calls them one at a time with the holders' ids it picks.
        use Illuminate\\Redis\\Limiters\\ConcurrencyLimiter;
        $a = laravel_connection(phpredis());
        $b = laravel_connection(predis());
        $fa = new ConcurrencyLimiter($a, 'funnel:exports', 2, 60);
        $fb = new ConcurrencyLimiter($b, 'funnel:exports', 2, 60);
        $take = fn ($l, $id) => call_protected($l, 'acquire', $id);
        $give = fn ($l, $slot, $id) => call_protected($l, 'release', $slot,
                                                      $id);
        out($take($fa, 'job-a'));
        out($take($fb, 'job-b'));
        // Both slots taken: a nil, false on phpredis and null on Predis.
        out($take($fa, 'job-c'));
        out($take($fb, 'job-c'));
        $give($fb, 'funnel:exports1', 'job-x');
        out($a->get('funnel:exports1'));
        $give($fa, 'funnel:exports1', 'job-a');
        out($a->get('funnel:exports1'));
        out($take($fb, 'job-c'));

        // As an app writes it: no free slot, no waiting.
        out($a->funnel('funnel:exports')->limit(2)->block(0)
              ->then(fn () => 'ran', fn ($e) => get_class($e)));
        // One slot: a job holds it while it runs, so the same job on the
        // other client finds none; the slot is free again afterwards.
        out($a->funnel('funnel:mail')->limit(1)->releaseAfter(30)->block(0)
              ->then(function () use ($a, $b) {
                  return [$b->funnel('funnel:mail')->limit(1)->block(0)
                            ->then(fn () => 'ran', fn () => 'busy'),
                          $a->ttl('funnel:mail1'),
                          strlen($a->get('funnel:mail1'))];
              }));
        out($a->exists('funnel:mail1'));
    """)
    assert_php(got[:7], ["funnel:exports1", "funnel:exports2", False, None,
                         "job-a", None, "funnel:exports1"], "slots")
    assert_php(got[7:], ["Illuminate\\Contracts\\Redis\\"
                         "LimiterTimeoutException", ["busy", 30, 20], 0],
               "funnel()")
    assert_eq(r.mget("funnel:exports1", "funnel:exports2"),
              ["job-c", "job-b"])
    assert 59 <= r.ttl("funnel:exports1") <= 60, r.ttl("funnel:exports1")
    assert_eq(sorted(r.keys("*")), ["funnel:exports1", "funnel:exports2"])


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                  r"[0-9a-f]{12}$")


@test
def laravel_queue():
    r = flushed("phpredis", "illuminate-redis", "illuminate-queue")
    q = "queues:default"
    t0 = time.time()
    got = php("""
        // Laravel's RedisQueue on phpredis, its jobs reserved for 90 s:
        // push (Lua: RPUSH onto the queue and its notify list), later
        // (ZADD), size, a worker's pop (Lua: move the due jobs, then LPOP
        // one, count the attempt with cjson and keep it in the reserved
        // set), release, delete, bulk and clear.
        use Illuminate\\Container\\Container;
        use Illuminate\\Queue\\RedisQueue;
        $redis = laravel_redis(['default' => phpredis()]);
        $r = $redis->connection()->client();
        $queue = new RedisQueue($redis, 'default', null, 90);
        $queue->setContainer(new Container());
        $queue->setConnectionName('redis');
        $q = 'queues:default';
        $ids = [$queue->push('App\\Jobs\\SendMail@handle',
                             ['to' => 'ada@example.com']),
                $queue->push('App\\Jobs\\Resize@handle', ['width' => 640])];
        out($ids);
        // 150 jobs due now (more than the script's chunk of 100), one in
        // an hour.
        foreach (range(1, 150) as $i) {
            $queue->later(0, 'App\\Jobs\\Report@handle', ['n' => $i]);
        }
        out($queue->later(3600, 'App\\Jobs\\Later@handle'));
        out($queue->size());
        $due = $r->zRange("$q:delayed", 0, 149);
        $moved = $queue->migrateExpiredJobs("$q:delayed", $q);
        out([count($moved), $moved === $due, $r->lRange($q, 2, -1) === $due]);
        out([$r->lLen($q), $r->lLen("$q:notify"), $queue->size()]);

        $job = $queue->pop();
        out([get_class($job), $job->getJobId(), $job->attempts(),
             $job->getName(), $job->getQueue()]);
        out([$job->getRawBody(), $job->getReservedJob()]);
        out($r->zScore("$q:reserved", $job->getReservedJob()));
        // The worker gives it back, to run again in 30 s.
        $job->release(30);
        out([$r->zCard("$q:reserved"),
             $r->zScore("$q:delayed", $job->getReservedJob())]);
        $job = $queue->pop();
        out([$job->getJobId(), $job->attempts()]);
        $job->delete();
        out([$job->isDeleted(), $r->zCard("$q:reserved")]);
        $n = 0;
        while ($job = $queue->pop()) {
            $job->delete();
            $n++;
        }
        out($n);
        // An empty queue: pop()'s script returns Lua's {false, false},
        // two nils, which phpredis makes two falses.
        out([$queue->pop(), call_protected($queue, 'retrieveNextJob', $q)]);

        // bulk(): the pushes in one MULTI, in one pipeline; clear().
        $queue->bulk(['App\\Jobs\\A@handle', 'App\\Jobs\\B@handle',
                      'App\\Jobs\\C@handle'], '', 'emails');
        out([$queue->size('emails'), $r->lLen('queues:emails'),
             $queue->clear('emails')]);
    """)
    t1 = time.time()
    ids = got[0]
    for i in ids + [got[1]]:
        assert len(i) == 32 and i.isalnum(), i
    assert_eq(len(set(ids + [got[1]])), 3, "distinct job ids")
    assert_php(got[2], 153, "size")
    # ZRANGEBYSCORE's order, moved in chunks, onto the queue behind the
    # two pushed jobs; one notification each.
    assert_php(got[3:5], [[150, True, True], [152, 152, 153]], "migrated")
    assert_php(got[5], ["Illuminate\\Queue\\Jobs\\RedisJob", ids[0], 1,
                        "App\\Jobs\\SendMail@handle", "default"], "pop")
    body, reserved = (json.loads(s) for s in got[6])
    assert_eq({k: body[k] for k in ("displayName", "job", "data", "id",
                                    "attempts", "maxTries")},
              {"displayName": "App\\Jobs\\SendMail",
               "job": "App\\Jobs\\SendMail@handle",
               "data": {"to": "ada@example.com"}, "id": ids[0],
               "attempts": 0, "maxTries": None}, "payload")
    assert UUID.match(body["uuid"]), body
    # The script's cjson round trip: the same job, one attempt more.
    assert_eq(reserved, dict(body, attempts=1), "reserved")
    assert int(t0) + 90 <= got[7] <= int(t1) + 90, got[7]
    reserved_count, release_at = got[8]
    assert_eq(reserved_count, 0)
    assert int(t0) + 30 <= release_at <= int(t1) + 30, release_at
    assert_php(got[9:12], [[ids[1], 1], [True, 0], 150], "pop, delete")
    assert_php(got[12], [None, [False, False]], "pop of an empty queue")
    assert_php(got[13], [3, 3, 3], "bulk, size, clear")

    # Left: the released job and the one due in an hour, both delayed.
    assert_eq(r.keys("*"), [q + ":delayed"])
    delayed = r.zrange(q + ":delayed", 0, -1, withscores=True)
    jobs = [json.loads(m) for m, _ in delayed]
    assert_eq([(j["id"], j["attempts"]) for j in jobs],
              [(ids[0], 1), (got[1], 0)])
    assert_eq(jobs[0], reserved)
    assert_eq(delayed[0][1], release_at)
    assert int(t0) + 3600 <= delayed[1][1] <= int(t1) + 3600, delayed


# ---------------------------------------------------------------------------
# Transactions and pipelines
# ---------------------------------------------------------------------------

@test
def phpredis_multi_pipeline_and_watch():
    r = flushed("phpredis")
    got = php("""
        $r = phpredis();
        $other = phpredis();
        // MULTI/EXEC: each reply in its PHP shape; a command that fails
        // inside (LPUSH on a string) is false, the others still ran.
        out($r->multi()->set('a', '1')->incr('a')->get('a')
              ->lPush('a', 'x')->incr('n')->exec());
        out($r->pipeline()->set('b', 'x')->get('b')->hSet('h', 'f', 'v')
              ->hGetAll('h')->zAdd('z', 1.5, 'm')->exec());
        out($r->multi(Redis::PIPELINE)->incr('c')->incr('c')->exec());
        $r->multi();
        $r->set('d', 'never');
        out([$r->discard(), $r->get('d')]);

        // Optimistic locking: another connection writes the watched key
        // between WATCH and EXEC, so EXEC returns false and nothing runs.
        $r->set('balance', '100');
        out($r->watch('balance'));
        $balance = (int) $r->get('balance');
        $other->incrBy('balance', 5);
        out($r->multi()->set('balance', $balance - 30)->exec());
        out($r->get('balance'));
        // Retried without a write in between, it goes through.
        $r->watch('balance');
        $balance = (int) $r->get('balance');
        out($r->multi()->set('balance', $balance - 30)->exec());
        // UNWATCH forgets the other's write.
        $r->watch('balance');
        $other->incr('balance');
        $r->unwatch();
        out($r->multi()->incr('balance')->exec());

        // Symfony's cache saves many entries in one pipeline.
        $p = $r->pipeline();
        for ($i = 0; $i < 1000; $i++) {
            $p->setex("cache:$i", 60, str_repeat(chr(97 + $i % 26), 100));
        }
        $res = $p->exec();
        out([count($res), count(array_filter($res))]);
    """)
    assert_php(got[0], [True, 2, "2", False, 1], "MULTI")
    assert_php(got[1], [True, "x", 1, {"f": "v"}, 1], "pipeline")
    assert_php(got[2], [1, 2], "multi(Redis::PIPELINE)")
    assert_php(got[3], [True, False], "discard")
    assert_php(got[4:7], [True, False, "105"], "EXEC after a conflict")
    assert_php(got[7], [True], "EXEC without a conflict")
    assert_php(got[8], [77], "EXEC after UNWATCH")
    assert_php(got[9], [1000, 1000], "1000 SETEX in a pipeline")

    assert_eq(r.mget("a", "n", "c", "d", "balance"),
              ["2", "1", "2", None, "77"])
    assert_eq(r.zscore("z", "m"), 1.5)
    assert_eq(len(r.keys("cache:*")), 1000)
    assert_eq(r.get("cache:999"), "l" * 100)
    assert 55 <= r.ttl("cache:500") <= 60, r.ttl("cache:500")


@test
def predis_pipeline_transaction_and_cas():
    r = flushed("predis")
    got = php("""
        $c = predis();
        $other = predis();
        out($c->pipeline(function ($p) {
            $p->set('a', '1');
            $p->incr('a');
            $p->get('a');
            $p->hset('h', 'f', 'v');
            $p->hgetall('h');
        }));
        out($c->transaction(function ($tx) {
            $tx->incr('c');
            $tx->incr('c');
            $tx->get('c');
        }));
        out($c->transaction()->set('x', '1')->get('x')->execute());
        // A command that fails inside MULTI: Predis throws the error
        // after EXEC, and the commands around it ran.
        out(attempt(fn () => $c->transaction(function ($tx) {
            $tx->set('s', 'str');
            $tx->lpush('s', 'x');
            $tx->incr('n');
        })));
        out([$c->get('s'), $c->get('n')]);

        // Check-and-set: WATCH, read, MULTI, write. Another connection
        // writes in between, so EXEC aborts; with retries the second
        // attempt reads the new value and goes through.
        $c->set('balance', '100');
        $attempts = 0;
        $cas = function ($retry) use ($c, $other, &$attempts) {
            $attempts = 0;
            return $c->transaction(
                ['cas' => true, 'watch' => 'balance', 'retry' => $retry],
                function ($tx) use ($other, &$attempts) {
                    $balance = (int) $tx->get('balance');
                    if ($attempts++ === 0) {
                        $other->incrby('balance', 5);
                    }
                    $tx->multi();
                    $tx->set('balance', $balance - 30);
                });
        };
        out(attempt(fn () => $cas(0)));
        out([$attempts, $c->get('balance')]);
        out($cas(2));
        out([$attempts, $c->get('balance')]);

        $res = $c->pipeline(function ($p) {
            for ($i = 0; $i < 1000; $i++) {
                $p->rpush('big', "item-$i");
            }
        });
        out([count($res), $res[0], $res[999]]);
    """)
    ok = {"status": "OK"}
    assert_php(got[0], [ok, 2, "2", 1, {"f": "v"}], "pipeline")
    assert_php(got[1], [1, 2, "2"], "transaction")
    assert_php(got[2], [ok, "1"], "fluent transaction")
    assert_php(got[3], {"exception": "Predis\\Response\\ServerException",
                        "message": WRONGTYPE}, "error inside MULTI")
    assert_php(got[4], ["str", "1"])
    assert_php(got[5], {"exception":
                        "Predis\\Transaction\\AbortedMultiExecException",
                        "message": "The current transaction has been "
                                   "aborted by the server."}, "CAS conflict")
    assert_php(got[6], [1, "105"])
    assert_php(got[7:9], [[ok], [2, "80"]], "CAS retried")
    assert_php(got[9], [1000, 1, 1000], "1000 RPUSH in a pipeline")

    assert_eq(r.mget("a", "c", "x", "s", "n", "balance"),
              ["2", "2", "1", "str", "1", "80"])
    assert_eq(r.lrange("big", 0, 1) + r.lrange("big", -1, -1),
              ["item-0", "item-1", "item-999"])


@test
def pipelines_that_write_and_read_a_lot():
    r = flushed("phpredis", "predis")
    got = php("""
        // A batch job: 800 entries of 100 KB written and read back in one
        // pipeline, 80 MB each way. Both clients send the whole pipeline
        // before they read a reply, so the server must go on reading
        // while the replies pile up. Reads and writes time out after 3 s.
        $value = str_repeat('v', 100000);
        $check = fn ($res) => [count($res), strlen($res[1]),
                               strlen($res[1599]),
                               count(array_filter($res, fn ($x) => $x === true
                                                 || $x == 'OK'))];
        $r = phpredis(0, [Redis::OPT_READ_TIMEOUT => 3]);
        out(attempt(function () use ($r, $value, $check) {
            $p = $r->pipeline();
            for ($i = 0; $i < 800; $i++) {
                $p->set("batch:a:$i", $value);
                $p->get("batch:a:$i");
            }
            return $check($p->exec());
        }));
        $c = predis(['read_write_timeout' => 3]);
        out(attempt(fn () => $check($c->pipeline(function ($p) use ($value) {
            for ($i = 0; $i < 800; $i++) {
                $p->set("batch:b:$i", $value);
                $p->get("batch:b:$i");
            }
        }))));
    """)
    assert_php(got, [[1600, 100000, 100000, 800]] * 2)
    assert_eq(r.dbsize(), 1600)
    assert_eq(r.strlen("batch:b:799"), 100000)


# ---------------------------------------------------------------------------
# Hashes, lists, sets and sorted sets
# ---------------------------------------------------------------------------

@test
def phpredis_data_types():
    r = flushed("phpredis")
    got = php("""
        $r = phpredis();
        out([$r->hSet('user:1', 'name', 'Ada'),
             $r->hSet('user:1', 'name', 'Ada L.'),
             $r->hMSet('user:1', ['email' => 'ada@example.com',
                                  'visits' => 0]),
             $r->hIncrBy('user:1', 'visits', 3),
             $r->hIncrByFloat('user:1', 'balance', 2.5),
             $r->hSetNx('user:1', 'name', 'x')]);
        out([$r->hGet('user:1', 'name'), $r->hGet('user:1', 'nope'),
             $r->hGet('nope', 'name')]);
        out($r->hMGet('user:1', ['name', 'nope', 'visits']));
        out($r->hGetAll('user:1'));
        out([$r->hExists('user:1', 'email'), $r->hExists('user:1', 'x'),
             $r->hLen('user:1'), $r->hDel('user:1', 'email', 'nope'),
             $r->hKeys('user:1'), $r->hVals('user:1')]);
        out($r->hGetAll('nope'));

        out([$r->rPush('jobs', 'a', 'b', 'c'), $r->lPush('jobs', 'z')]);
        out($r->lRange('jobs', 0, -1));
        out([$r->lPop('jobs'), $r->rPop('jobs'), $r->lLen('jobs'),
             $r->lIndex('jobs', 0), $r->lIndex('jobs', 9), $r->lPop('nope')]);
        out([$r->lSet('jobs', 1, 'B'), $r->lInsert('jobs', Redis::BEFORE,
             'B', 'a2'), $r->lRem('jobs', 'a', 0), $r->lRange('jobs', 0, -1)]);
        out($r->blPop(['empty', 'jobs'], 1));
        out($r->rPoplPush('jobs', 'done'));
        // A blocking pop that times out (1 s): an empty array.
        out($r->brPop(['empty'], 1));

        out([$r->sAdd('tags', 'php', 'redis', 'php'), $r->sAdd('more', 'php',
             'go'), $r->sIsMember('tags', 'php'), $r->sIsMember('tags', 'go'),
             $r->sCard('tags'), $r->sInter('tags', 'more'),
             $r->sRem('tags', 'php', 'nope'), $r->sMembers('tags'),
             $r->sMembers('nope')]);

        out([$r->zAdd('board', 10, 'ada', 7.5, 'bob', 12, 'cy'),
             $r->zAdd('board', ['NX'], 1, 'ada'),
             $r->zAdd('board', ['XX', 'CH'], 11, 'cy'),
             $r->zIncrBy('board', 2.5, 'bob'),
             $r->zScore('board', 'ada'), $r->zScore('board', 'nope'),
             $r->zRank('board', 'cy'), $r->zRevRank('board', 'cy'),
             $r->zRank('board', 'nope')]);
        out($r->zRange('board', 0, -1));
        out($r->zRange('board', 0, -1, true));
        out($r->zRevRange('board', 0, 0, true));
        out($r->zRangeByScore('board', '(10', '+inf', ['withscores' => true]));
        out($r->zRangeByScore('board', '-inf', '+inf', ['limit' => [1, 1]]));
        out([$r->zCard('board'), $r->zCount('board', 10, 10),
             $r->zRem('board', 'ada', 'nope'), $r->zRange('nope', 0, -1)]);
    """)
    assert_php(got[0], [1, 0, True, 3, 2.5, False], "hash writes")
    assert_php(got[1], ["Ada L.", False, False], "hGet")
    assert_php(got[2], {"name": "Ada L.", "nope": False, "visits": "3"},
               "hMGet")
    assert_php(got[3], {"name": "Ada L.", "email": "ada@example.com",
                        "visits": "3", "balance": "2.5"}, "hGetAll")
    assert_php(got[4], [True, False, 4, 1, ["name", "visits", "balance"],
                        ["Ada L.", "3", "2.5"]])
    assert_php(got[5], [], "hGetAll of no key")

    assert_php(got[6], [3, 4], "rPush, lPush")
    assert_php(got[7], ["z", "a", "b", "c"], "lRange")
    assert_php(got[8], ["z", "c", 2, "a", False, False], "pops, lIndex")
    assert_php(got[9], [True, 3, 1, ["a2", "B"]], "lSet, lInsert, lRem")
    assert_php(got[10], ["jobs", "a2"], "blPop")
    assert_php(got[11], "B", "rPoplPush")
    assert_php(got[12], [], "brPop timing out")

    tags = got[13]
    assert_php(tags[:5], [2, 2, True, False, 2], "sets")
    assert_php([tags[5], tags[6], tags[7], tags[8]],
               [["php"], 1, ["redis"], []], "sInter, sRem, sMembers")

    assert_php(got[14], [3, 0, 1, 10.0, 10.0, False, 2, 0, False],
               "zsets")
    # ada and bob tie at 10: ZRANGE orders them by name.
    assert_php(got[15], ["ada", "bob", "cy"], "zRange")
    assert_php(got[16], {"ada": 10.0, "bob": 10.0, "cy": 11.0},
               "zRange with scores (floats)")
    assert_php(got[17], {"cy": 11.0}, "zRevRange")
    assert_php(got[18], {"cy": 11.0}, "zRangeByScore (10")
    assert_php(got[19], ["bob"], "zRangeByScore LIMIT 1 1")
    assert_php(got[20], [3, 2, 1, []], "zCard, zCount, zRem")

    assert_eq(r.hgetall("user:1"),
              {"name": "Ada L.", "visits": "3", "balance": "2.5"})
    assert_eq((r.exists("jobs"), r.lrange("done", 0, -1)), (0, ["B"]))
    assert_eq(r.smembers("tags"), {"redis"})
    assert_eq(r.zrange("board", 0, -1, withscores=True),
              [("bob", 10.0), ("cy", 11.0)])
    assert_eq({k: r.type(k) for k in r.keys("*")},
              {"user:1": "hash", "done": "list", "tags": "set",
               "more": "set", "board": "zset"})


@test
def predis_data_types():
    r = flushed("predis")
    got = php("""
        $c = predis();
        out([$c->hset('user:1', 'name', 'Ada'),
             $c->hmset('user:1', ['email' => 'ada@example.com',
                                  'visits' => 0]),
             $c->hincrby('user:1', 'visits', 3),
             $c->hincrbyfloat('user:1', 'balance', 2.5)]);
        out([$c->hget('user:1', 'name'), $c->hget('user:1', 'nope')]);
        out($c->hmget('user:1', ['name', 'nope', 'visits']));
        out($c->hgetall('user:1'));
        out([$c->hexists('user:1', 'email'), $c->hlen('user:1'),
             $c->hdel('user:1', ['email', 'nope']), $c->hkeys('user:1')]);
        out($c->hgetall('nope'));

        out([$c->rpush('jobs', ['a', 'b', 'c']), $c->lpush('jobs', 'z'),
             $c->lrange('jobs', 0, -1), $c->lpop('jobs'), $c->rpop('jobs'),
             $c->llen('jobs'), $c->lpop('nope')]);
        out($c->blpop(['empty', 'jobs'], 1));
        // A blocking pop that times out (1 s): null.
        out($c->brpop(['empty'], 1));

        out([$c->sadd('tags', ['php', 'redis', 'php']),
             $c->sismember('tags', 'php'), $c->sismember('tags', 'go'),
             $c->scard('tags'), $c->srem('tags', 'php'),
             $c->smembers('tags')]);

        out([$c->zadd('board', ['ada' => 10, 'bob' => 7.5, 'cy' => 12]),
             $c->zincrby('board', 2.5, 'bob'), $c->zscore('board', 'ada'),
             $c->zscore('board', 'nope'), $c->zrank('board', 'cy'),
             $c->zrank('board', 'nope')]);
        out($c->zrange('board', 0, -1));
        out($c->zrange('board', 0, -1, ['withscores' => true]));
        out($c->zrevrangebyscore('board', '+inf', '(10',
                                 ['withscores' => true]));
        out($c->zrangebyscore('board', '-inf', '+inf',
                              ['limit' => [1, 1]]));
        out([$c->zcard('board'), $c->zrem('board', 'ada'),
             $c->zrange('nope', 0, -1)]);
    """)
    assert_php(got[0], [1, {"status": "OK"}, 3, "2.5"], "hash writes")
    assert_php(got[1], ["Ada", None], "hget")
    assert_php(got[2], ["Ada", None, "3"], "hmget is a list")
    assert_php(got[3], {"name": "Ada", "email": "ada@example.com",
                        "visits": "3", "balance": "2.5"}, "hgetall")
    assert_php(got[4], [1, 4, 1, ["name", "visits", "balance"]])
    assert_php(got[5], [], "hgetall of no key")
    assert_php(got[6], [3, 4, ["z", "a", "b", "c"], "z", "c", 2, None],
               "lists")
    assert_php(got[7], ["jobs", "a"], "blpop")
    assert_php(got[8], None, "brpop timing out")
    assert_php(got[9], [2, 1, 0, 2, 1, ["redis"]], "sets")
    # Predis leaves scores as the strings the server sent.
    assert_php(got[10], [3, "10", "10", None, 2, None], "zsets")
    assert_php(got[11], ["ada", "bob", "cy"], "zrange")
    assert_php(got[12], {"ada": "10", "bob": "10", "cy": "12"},
               "zrange withscores")
    assert_php(got[13], {"cy": "12"}, "zrevrangebyscore")
    assert_php(got[14], ["bob"], "zrangebyscore LIMIT 1 1")
    assert_php(got[15], [3, 1, []], "zcard, zrem")

    assert_eq(r.hgetall("user:1"),
              {"name": "Ada", "visits": "3", "balance": "2.5"})
    assert_eq(r.lrange("jobs", 0, -1), ["b"])
    assert_eq(r.zrange("board", 0, -1, withscores=True),
              [("bob", 10.0), ("cy", 12.0)])


# ---------------------------------------------------------------------------
# SCAN
# ---------------------------------------------------------------------------

def fill_for_scan(r):
    """500 cache keys under app:cache:, 200 other keys, and a hash, a set
    and a sorted set of 300 members each (past the compact encodings),
    with redis-py."""
    p = r.pipeline(transaction=False)
    for i in range(500):
        p.set("app:cache:%d" % i, i)
    for i in range(200):
        p.set("other:%d" % i, i)
    p.hset("big:hash", mapping={"f%d" % i: i for i in range(300)})
    p.sadd("big:set", *["m%d" % i for i in range(300)])
    p.zadd("big:zset", {"m%d" % i: i for i in range(300)})
    p.execute()


# Members of the 300 whose names start with "f1"/"m1": 1, 10-19, 100-199.
ONES = 1 + 10 + 100


@test
def phpredis_scan_with_match():
    r = flushed("phpredis")
    fill_for_scan(r)
    got = php("""
        // SCAN_RETRY: scan() goes on by itself past empty pages, so each
        // batch but the last has keys, and false means the end.
        $r = phpredis(0, [Redis::OPT_SCAN => Redis::SCAN_RETRY]);
        $it = null;
        $seen = [];
        $batches = [];
        while (($keys = $r->scan($it, 'app:cache:*', 50)) !== false) {
            $batches[] = count($keys);
            foreach ($keys as $k) {
                $seen[$k] = true;
            }
        }
        out([count($seen), min(array_slice($batches, 0, -1)) > 0,
             count($batches) > 1, $it]);
        $names = array_keys($seen);
        sort($names);
        out(array_slice($names, 0, 3));

        // SCAN_NORETRY: empty pages come back as empty arrays.
        $r->setOption(Redis::OPT_SCAN, Redis::SCAN_NORETRY);
        $it = null;
        $n = 0;
        do {
            $keys = $r->scan($it, 'other:*', 10);
            $n += $keys === false ? 0 : count($keys);
        } while ($it > 0);
        out($n);

        // With a key prefix and SCAN_PREFIX the pattern gets the prefix.
        $p = phpredis(0, [Redis::OPT_PREFIX => 'app:',
                          Redis::OPT_SCAN => Redis::SCAN_RETRY]);
        $p->setOption(Redis::OPT_SCAN, Redis::SCAN_PREFIX);
        $it = null;
        $n = 0;
        while (($keys = $p->scan($it, 'cache:1*', 100)) !== false) {
            $n += count($keys);
        }
        out($n);

        $it = null;
        $fields = [];
        while (($batch = $r->hScan('big:hash', $it, 'f1*', 20)) !== false) {
            $fields += $batch;
        }
        ksort($fields);
        out([count($fields), $fields['f150']]);
        $it = null;
        $members = [];
        while (($batch = $r->sScan('big:set', $it, 'm1*', 20)) !== false) {
            $members = array_merge($members, $batch);
        }
        out(count(array_unique($members)));
        $it = null;
        $scores = [];
        while (($batch = $r->zScan('big:zset', $it, 'm1*', 20)) !== false) {
            $scores += $batch;
        }
        out([count($scores), $scores['m150']]);

        // Symfony's cache clear(): SCAN the namespace, DEL each batch.
        $r->setOption(Redis::OPT_SCAN, Redis::SCAN_RETRY);
        $it = null;
        $deleted = 0;
        while (($keys = $r->scan($it, 'app:cache:*', 100)) !== false) {
            $deleted += $r->del($keys);
        }
        out($deleted);
    """)
    assert_php(got[0], [500, True, True, 0], "SCAN_RETRY over app:cache:*")
    assert_php(got[1], ["app:cache:0", "app:cache:1", "app:cache:10"])
    assert_php(got[2], 200, "SCAN_NORETRY over other:*")
    # cache:1, cache:10-19, cache:100-199 of 0-499.
    assert_php(got[3], ONES, "SCAN_PREFIX")
    assert_php(got[4], [ONES, "150"], "hScan")
    assert_php(got[5], ONES, "sScan")
    assert_php(got[6], [ONES, 150.0], "zScan scores are floats")
    assert_php(got[7], 500, "clear()")
    assert_eq(r.keys("app:*"), [])
    assert_eq(r.dbsize(), 203)


@test
def predis_scan_iterators():
    r = flushed("predis")
    fill_for_scan(r)
    got = php("""
        use Predis\\Collection\\Iterator;
        $c = predis();
        $seen = [];
        foreach (new Iterator\\Keyspace($c, 'app:cache:*', 50) as $k) {
            $seen[$k] = true;
        }
        out(count($seen));
        $fields = [];
        foreach (new Iterator\\HashKey($c, 'big:hash', 'f1*', 20)
                 as $f => $v) {
            $fields[$f] = $v;
        }
        out([count($fields), $fields['f150']]);
        $members = [];
        foreach (new Iterator\\SetKey($c, 'big:set', 'm1*', 20) as $m) {
            $members[$m] = true;
        }
        out(count($members));
        $scores = [];
        foreach (new Iterator\\SortedSetKey($c, 'big:zset', 'm1*', 20)
                 as $m => $s) {
            $scores[$m] = $s;
        }
        out([count($scores), $scores['m150']]);
        // An iterator over nothing.
        out(iterator_to_array(new Iterator\\Keyspace($c, 'nope:*')));
    """)
    # Unlike ZRANGE's, the ZSCAN iterator's scores are floats.
    assert_php(got, [500, [ONES, "150"], ONES, [ONES, 150.0], []])


# ---------------------------------------------------------------------------
# Streams
# ---------------------------------------------------------------------------

@test
def phpredis_streams_and_consumer_groups():
    r = flushed("phpredis")
    got = php("""
        $r = phpredis();
        $ids = [];
        foreach ([['order' => '1', 'total' => '9.99'],
                  ['order' => '2', 'total' => '5.00'],
                  ['order' => '3', 'total' => '1.50']] as $fields) {
            $ids[] = $r->xAdd('orders', '*', $fields);
        }
        out($ids);
        out([$r->xLen('orders'), $r->xRange('orders', '-', '+'),
             $r->xRevRange('orders', '+', '-', 1)]);
        out([$r->xGroup('CREATE', 'orders', 'billing', '0'),
             $r->xGroup('CREATE', 'orders', 'billing', '0'),
             last_error($r)]);
        // Two consumers share the group's entries.
        out($r->xReadGroup('billing', 'worker-1', ['orders' => '>'], 2));
        out($r->xReadGroup('billing', 'worker-2', ['orders' => '>'], 10));
        // Nothing new, even after blocking 100 ms.
        out($r->xReadGroup('billing', 'worker-1', ['orders' => '>'], 10, 100));
        out($r->xPending('orders', 'billing'));
        out($r->xAck('orders', 'billing', [$ids[0], $ids[1]]));
        out($r->xPending('orders', 'billing'));
        // worker-1's own history is empty now; worker-2 still has one.
        out($r->xReadGroup('billing', 'worker-1', ['orders' => '0'], 10));
        // worker-1 claims worker-2's entry.
        out($r->xClaim('orders', 'billing', 'worker-1', 0, [$ids[2]]));
        out($r->xPending('orders', 'billing', '-', '+', 10, 'worker-1'));
        // A capped stream (MAXLEN 2, exact) and XDEL.
        $id = $r->xAdd('orders', '*', ['order' => '4'], 2);
        out([$id, $r->xLen('orders'), $r->xDel('orders', [$ids[2]]),
             array_keys($r->xRange('orders', '-', '+'))]);
        // MKSTREAM makes an empty stream for a group.
        out($r->xGroup('CREATE', 'events', 'g', '$', true));
        out($r->xRead(['orders' => '0-0', 'events' => '0-0'], 10));
    """)
    ids = got[0]
    assert_eq(len(set(ids)), 3)
    first = {ids[0]: {"order": "1", "total": "9.99"},
             ids[1]: {"order": "2", "total": "5.00"}}
    third = {ids[2]: {"order": "3", "total": "1.50"}}
    assert_php(got[1], [3, dict(first, **third), third], "xLen, xRange")
    assert_php(got[2], [True, False, "BUSYGROUP Consumer Group name "
                                     "already exists"], "xGroup CREATE")
    assert_php(got[3], {"orders": first}, "worker-1 reads two")
    assert_php(got[4], {"orders": third}, "worker-2 reads the third")
    assert_php(got[5], [], "nothing new")
    assert_php(got[6], [3, ids[0], ids[2], [["worker-1", "2"],
                                            ["worker-2", "1"]]], "XPENDING")
    assert_php(got[7], 2, "xAck")
    assert_php(got[8], [1, ids[2], ids[2], [["worker-2", "1"]]])
    assert_php(got[9], {"orders": []}, "worker-1's history")
    assert_php(got[10], third, "xClaim")
    (pid, owner, idle, deliveries), = got[11]
    assert_php([pid, owner, deliveries], [ids[2], "worker-1", 2])
    fourth = got[12][0]
    assert_php(got[12][1:], [2, 1, [fourth]], "MAXLEN 2, xDel")
    assert_php(got[13], True, "MKSTREAM")
    assert_php(got[14], {"orders": {fourth: {"order": "4"}}},
               "xRead of two streams, one empty")

    assert_eq(r.type("events"), "stream")
    assert_eq(r.xlen("events"), 0)
    assert_eq(r.xlen("orders"), 1)
    (group,) = r.xinfo_groups("orders")
    assert_eq((group["name"], group["consumers"], group["pending"],
               group["last-delivered-id"]), ("billing", 2, 1, ids[2]))


# ---------------------------------------------------------------------------
# Pub/sub
# ---------------------------------------------------------------------------

PHPREDIS_SUBSCRIBER = """
    // A worker listening for events: subscribe() (or psubscribe()) runs
    // a callback per message until the callback closes the connection;
    // a read times out after 10 s, so a lost message fails the test
    // instead of hanging it.
    $r = phpredis();
    $print = function ($redis, ...$m) {
        $msg = end($m);
        out(array_merge(array_slice($m, 0, -1),
                        [strlen($msg) > 100 ? md5($msg) : $msg]));
        if ($msg === 'quit') {
            $redis->close();
        }
    };
    try {
        if ($argv[1] === 'subscribe') {
            $r->subscribe(explode(',', $argv[2]), $print);
        } else {
            $r->psubscribe(explode(',', $argv[2]), $print);
        }
    } catch (RedisException $e) {
        out($e->getMessage());
    }
"""


def subscribed(r, channels=(), patterns=0):
    """True when each of channels has a subscriber and the server counts
    `patterns` pattern subscriptions."""
    return all(n == 1 for _, n in r.pubsub_numsub(*channels)) and \
        r.pubsub_numpat() == patterns


@test
def phpredis_subscribers():
    r = flushed("phpredis")
    subs = spawn(PHPREDIS_SUBSCRIBER, "subscribe", "orders.created,alerts")
    psubs = spawn(PHPREDIS_SUBSCRIBER, "psubscribe", "orders.*")
    try:
        h.wait_for(lambda: subscribed(r, ["orders.created", "alerts"], 1),
                   "the two subscribers")
        big = "x" * 100000
        # PUBLISH answers how many clients received the message.
        assert_eq([r.publish("orders.created", "o1"),
                   r.publish("orders.paid", "o1 paid"),
                   r.publish("alerts", "disk 91% ✓"),
                   r.publish("nobody", "lost"),
                   r.publish("orders.created", big),
                   r.publish("alerts", "quit"),
                   r.publish("orders.quit", "quit")], [2, 1, 1, 0, 2, 1, 1])
        got_subs, got_psubs = finish(subs), finish(psubs)
    finally:
        for p in (subs, psubs):
            if p.poll() is None:
                p.kill()
                p.wait()
    digest = hashlib.md5(big.encode()).hexdigest()
    assert_php(got_subs, [["orders.created", "o1"], ["alerts", "disk 91% ✓"],
                          ["orders.created", digest], ["alerts", "quit"],
                          "Connection closed"])
    assert_php(got_psubs, [["orders.*", "orders.created", "o1"],
                           ["orders.*", "orders.paid", "o1 paid"],
                           ["orders.*", "orders.created", digest],
                           ["orders.*", "orders.quit", "quit"],
                           "Connection closed"])
    # Both gone: the server forgot their subscriptions.
    h.wait_for(lambda: r.pubsub_numpat() == 0 and
               r.pubsub_numsub("orders.created", "alerts") ==
               [("orders.created", 0), ("alerts", 0)],
               "the subscriptions to go")


@test
def predis_pubsub_loop():
    r = flushed("predis")
    sub = spawn("""
        // Predis's consumer: a loop over the messages, confirmations
        // included, that ends when the last subscription is dropped.
        $loop = predis()->pubSubLoop();
        $loop->subscribe('alerts');
        $loop->psubscribe('orders.*');
        foreach ($loop as $m) {
            out([$m->kind, $m->channel, $m->payload,
                 $m->kind === 'pmessage' ? $m->pattern : null]);
            if ($m->payload === 'stop') {
                $loop->unsubscribe();
                $loop->punsubscribe();
            }
        }
        out('loop ended');
    """)
    try:
        h.wait_for(lambda: subscribed(r, ["alerts"], 1), "the subscriber")
        assert_eq([r.publish("alerts", "a1"),
                   r.publish("orders.paid", "o1"),
                   r.publish("other", "lost"),
                   r.publish("alerts", "stop")], [1, 1, 0, 1])
        got = finish(sub)
    finally:
        if sub.poll() is None:
            sub.kill()
            sub.wait()
    # Confirmations carry the count of subscriptions left.
    assert_php(got, [["subscribe", "alerts", 1, None],
                     ["psubscribe", "orders.*", 2, None],
                     ["message", "alerts", "a1", None],
                     ["pmessage", "orders.paid", "o1", "orders.*"],
                     ["message", "alerts", "stop", None],
                     ["unsubscribe", "alerts", 1, None],
                     ["punsubscribe", "orders.*", 0, None],
                     "loop ended"])
    assert_eq(r.pubsub_numpat(), 0)


SESSION_REQUEST = """
    // One web request with PHP's session in Redis: phpredis's own session
    // handler (session.save_handler=redis), locking on, so that two
    // requests of one session take turns. argv: the session id (empty for
    // a new one), then how long the request works with the session open,
    // in microseconds.
    if ($argv[1] !== '') {
        session_id($argv[1]);
    }
    $t0 = microtime(true);
    session_start();
    $waited = microtime(true) - $t0;
    $_SESSION['views'] = ($_SESSION['views'] ?? 0) + 1;
    $_SESSION['user'] = ['id' => 7, 'name' => 'Ada'];
    out([session_id(), $_SESSION['views'], $waited]);
    usleep((int) $argv[2]);
    session_write_close();
"""


@test
def phpredis_session_handler():
    r = flushed("phpredis", db=2)
    ini = {"session.save_handler": "redis",
           # Quoted: php.ini syntax gives "?" and "=" meanings of their own.
           "session.save_path": '"tcp://127.0.0.1:%d?database=2"'
                                % h.shared_server().port,
           "session.gc_maxlifetime": 600,
           "redis.session.locking_enabled": 1,
           # Up to 2 s of retries, 10 ms apart, for a taken lock.
           "redis.session.lock_retries": 200,
           "redis.session.lock_wait_time": 10000}
    (sid, views, _), = php(SESSION_REQUEST, "", 0, ini=ini)
    key = "PHPREDIS_SESSION:" + sid
    assert_eq(views, 1)
    # PHP's session encoding, in database 2, for gc_maxlifetime.
    assert_eq(r.get(key), 'views|i:1;user|a:2:{s:2:"id";i:7;'
                          's:4:"name";s:3:"Ada";}')
    assert 595 <= r.ttl(key) <= 600, r.ttl(key)
    assert_eq(r.keys("*"), [key])
    assert_eq(h.shared_server().client().dbsize(), 0)

    # A slow request holds the session (SET <id>_LOCK NX) for 800 ms; a
    # second request of the same session waits for it (SET NX again and
    # again), then sees its write: no update is lost.
    slow = spawn(SESSION_REQUEST, sid, 800000, ini=ini)
    try:
        h.wait_for(lambda: r.exists(key + "_LOCK"), "the session lock")
        (_, fast_views, waited), = php(SESSION_REQUEST, sid, 0, ini=ini)
        (_, slow_views, _), = finish(slow)
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
    assert_eq((slow_views, fast_views), (2, 3))
    assert 0.1 < waited < 2, waited
    assert_eq(r.get(key), 'views|i:3;user|a:2:{s:2:"id";i:7;'
                          's:4:"name";s:3:"Ada";}')
    # The lock was released (by phpredis's Lua script comparing owners).
    assert_eq(r.keys("*"), [key])

    assert_php(php("""
        session_id($argv[1]);
        session_start();
        out(session_destroy());
    """, sid, ini=ini), [True])
    assert_eq(r.exists(key), 0)


# ---------------------------------------------------------------------------
# Errors, AUTH and SELECT
# ---------------------------------------------------------------------------

@test
def errors_surface_in_each_client():
    r = flushed("phpredis", "predis")
    got = php("""
        // phpredis answers an error reply with false and keeps the text
        // for getLastError(); an error with a code it does not know
        // (not ERR, WRONGTYPE, NOSCRIPT, BUSYGROUP...) throws instead.
        $r = phpredis();
        $r->set('name', 'Ada');
        out([$r->lPush('name', 'x'), last_error($r)]);
        $r->clearLastError();
        out(last_error($r));
        out([$r->hGet('name', 'f'), last_error($r)]);
        out([$r->incr('name'), last_error($r)]);
        out([$r->rawCommand('NOSUCHCMD', 'a'), last_error($r)]);
        out([$r->eval('return redis.call("lpush", KEYS[1], "x")',
                      ['name'], 1), last_error($r)]);
        out(attempt(fn () => $r->eval(
            'return redis.error_reply("LIMITED too many")')));
        out($r->multi()->set('k', 'v')->sAdd('name', 'x')->exec());
        out($r->get('name'));

        // Predis throws a ServerException with the code as its type;
        // with 'exceptions' => false it returns an Error instead.
        $c = predis();
        try {
            $c->lpush('name', 'x');
        } catch (Predis\\Response\\ServerException $e) {
            out([$e->getErrorType(), $e->getMessage()]);
        }
        out(predis([], ['exceptions' => false])->lpush('name', 'x'));
        out(attempt(fn () => $c->eval('return redis.error_reply("LIMITED x")',
                                      0)));
        out($c->get('name'));
    """)
    assert_php(got[0], [False, WRONGTYPE], "phpredis lPush")
    assert_php(got[1], None, "clearLastError")
    assert_php(got[2], [False, WRONGTYPE], "phpredis hGet")
    assert_php(got[3], [False, "ERR value is not an integer or out of range"])
    false, text = got[4]
    assert_php(false, False)
    assert text.startswith("ERR unknown command 'NOSUCHCMD'"), text
    false, text = got[5]
    assert_php(false, False)
    # Redis adds where the script failed; the code word comes first.
    assert text.startswith(WRONGTYPE), text
    assert_php(got[6], {"exception": "RedisException",
                        "message": "LIMITED too many"})
    assert_php(got[7], [True, False], "error inside MULTI")
    assert_php(got[8], "Ada")
    assert_php(got[9], ["WRONGTYPE", WRONGTYPE], "Predis")
    assert_php(got[10], {"error": WRONGTYPE}, "Predis without exceptions")
    assert_php(got[11], {"exception": "Predis\\Response\\ServerException",
                         "message": "LIMITED x"})
    assert_php(got[12], "Ada")
    assert_eq((r.type("name"), r.get("name"), r.get("k")),
              ("string", "Ada", "v"))


PASS = "s3cret-php"


@test
def auth_and_select_with_a_password():
    need("phpredis", "predis")
    s = h.Server("--requirepass", PASS, name="php-auth").start()
    admin = s.client(password=PASS, decode_responses=True)
    admin.execute_command("ACL", "SETUSER", "app", "on", ">app-pw",
                          "~app:*", "+@all")
    got = php("""
        $pass = $argv[1];
        // phpredis: no AUTH yet, then a wrong password, then the right
        // one. NOAUTH and WRONGPASS are codes phpredis throws for.
        $r = new Redis();
        $r->connect(getenv('REDIS_HOST'), (int) getenv('REDIS_PORT'), 5.0);
        out(attempt(fn () => $r->get('tenant')));
        out(attempt(fn () => $r->auth('wrong')));
        out([$r->auth($pass), $r->select(2), $r->getDBNum()]);
        out([$r->set('tenant', 'two'), $r->get('tenant')]);
        // The ACL form, user and password.
        $u = new Redis();
        $u->connect(getenv('REDIS_HOST'), (int) getenv('REDIS_PORT'), 5.0);
        out([$u->auth(['default', $pass]), $u->get('tenant'),
             $u->select(2), $u->get('tenant')]);
        // The helper as an app uses it: password and database from config.
        out(phpredis(3, [], $pass)->set('tenant', 'three'));

        // Predis sends AUTH and SELECT itself when it connects.
        $c = predis(['password' => $pass, 'database' => 5]);
        out([$c->set('tenant', 'five'), $c->get('tenant')]);
        $c->select(2);
        out($c->get('tenant'));
        out(attempt(fn () => predis(['password' => 'wrong'])->get('x')));
        out(attempt(fn () => predis()->get('x')));

        // An ACL user that may touch only app:* keys, on both clients.
        $app = new Redis();
        $app->connect(getenv('REDIS_HOST'), (int) getenv('REDIS_PORT'), 5.0);
        out([$app->auth(['app', 'app-pw']), $app->set('app:x', '1')]);
        out(attempt(fn () => $app->set('other', '1')));
        $c = predis(['username' => 'app', 'password' => 'app-pw']);
        out($c->set('app:y', '2'));
        out(attempt(fn () => $c->set('other', '1')));
    """, PASS, server=s)
    assert_php(got[0], {"exception": "RedisException",
                        "message": "NOAUTH Authentication required."})
    assert_eq(got[1]["exception"], "RedisException")
    assert got[1]["message"].startswith("WRONGPASS"), got[1]
    assert_php(got[2], [True, True, 2], "auth, select, getDBNum")
    assert_php(got[3], [True, "two"])
    assert_php(got[4], [True, False, True, "two"], "AUTH default pass")
    assert_php(got[5], True)
    assert_php(got[6], [{"status": "OK"}, "five"], "Predis database 5")
    assert_php(got[7], "two", "Predis after SELECT 2")
    # A wrong password fails Predis's connection setup, a missing one
    # the first command.
    assert_eq(got[8]["exception"], "Predis\\Connection\\ConnectionException")
    assert "WRONGPASS" in got[8]["message"], got[8]
    assert_php(got[9], {"exception": "Predis\\Response\\ServerException",
                        "message": "NOAUTH Authentication required."})

    # NOPERM is one more code phpredis throws for.
    assert_eq(got[10], [True, True])
    assert_eq(got[11]["exception"], "RedisException")
    assert got[11]["message"].startswith("NOPERM"), got[11]
    assert_php(got[12], {"status": "OK"})
    assert_eq(got[13]["exception"], "Predis\\Response\\ServerException")
    assert got[13]["message"].startswith("NOPERM"), got[13]
    assert_eq(admin.mget("app:x", "app:y", "other"), ["1", "2", None])

    def tenant(db):
        return s.client(password=PASS, db=db, decode_responses=True) \
            .get("tenant")
    assert_eq([tenant(db) for db in (0, 2, 3, 5)],
              [None, "two", "three", "five"])


if __name__ == "__main__":
    h.run()
