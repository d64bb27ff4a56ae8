<?php
// app.php - the PHP side of tests/integration/test_php.py: how a PHP app
// (Laravel, Symfony) connects, plus the helpers the test's short scripts
// share. Each script is `php -r 'require "app.php"; ...'`, run by the
// test with the server in REDIS_HOST and REDIS_PORT. A script prints what
// it saw with out(), one line of JSON each, which the test reads back and
// compares, PHP types included.
//
// Both of PHP's Redis clients are used as Debian ships them: phpredis
// (the C extension, `new Redis()`) and Predis (pure PHP, from
// /usr/share/php). Any PHP warning or notice is turned into an exception,
// so a script that goes wrong exits non-zero instead of printing a
// half-right answer.

// Predis 1.1.10 predates PHP 8.2 and hits its deprecations (a "static::"
// callable in KeyPrefixProcessor); those are left out, as an app's
// production settings leave them out.
error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);
// Predis is loaded up front when it is there, so that a script can
// declare a class extending one of its own (a ScriptCommand). So are the
// parts of Laravel (Debian's php-illuminate-redis, -cache, -queue) and of
// Symfony (php-symfony-lock) that talk to Redis: the scripts run their
// classes as an app does, and the test skips the scripts that need one
// that is missing.
foreach (['Predis', 'Illuminate/Redis', 'Illuminate/Cache', 'Illuminate/Queue',
          'Symfony/Component/Lock'] as $library) {
    if (stream_resolve_include_path("$library/autoload.php")) {
        require_once "$library/autoload.php";
    }
}
set_error_handler(function ($no, $str, $file, $line) {
    if (!(error_reporting() & $no)) {
        return true;
    }
    throw new ErrorException($str, 0, $no, $file, $line);
});

// The value of one JSON line; PHP values map to JSON one to one, with
// floats kept as floats (1.0, not 1) so the test can tell them from
// integers. Predis's reply objects and exceptions become small arrays:
// {"status": "OK"}, {"error": "..."}, {"exception": class, "message": ...}.
function plain($v)
{
    if (is_array($v)) {
        return array_map('plain', $v);
    }
    if ($v instanceof Predis\Response\Status) {
        return ['status' => $v->getPayload()];
    }
    if ($v instanceof Predis\Response\Error) {
        return ['error' => $v->getMessage()];
    }
    if ($v instanceof Throwable) {
        return ['exception' => get_class($v), 'message' => $v->getMessage()];
    }
    return $v;
}

// Prints one value as a line of JSON for the test.
function out($v)
{
    echo json_encode(plain($v), JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES
                     | JSON_PRESERVE_ZERO_FRACTION), "\n";
}

// What fn() returned, or the exception it threw, as plain() shows it.
function attempt(callable $fn)
{
    try {
        return $fn();
    } catch (Throwable $e) {
        return $e;
    }
}

// A phpredis connection as Laravel's PhpRedisConnector makes one:
// connect with a timeout, AUTH when there is a password, SELECT the
// database, then the options. Reads time out after 10 s, so a script
// waiting for a reply that never comes fails instead of hanging.
function phpredis(int $db = 0, array $options = [], ?string $password = null)
{
    $r = new Redis();
    $r->connect(getenv('REDIS_HOST'), (int) getenv('REDIS_PORT'), 5.0);
    if ($password !== null && !$r->auth($password)) {
        throw new RuntimeException('AUTH failed: ' . $r->getLastError());
    }
    if ($db && !$r->select($db)) {
        throw new RuntimeException('SELECT failed: ' . $r->getLastError());
    }
    $r->setOption(Redis::OPT_READ_TIMEOUT, 10);
    foreach ($options as $option => $value) {
        $r->setOption($option, $value);
    }
    return $r;
}

// phpredis's getLastError(): the text of the last error reply, or null.
// phpredis 5.3.7 keeps a NUL byte after the text of most commands' errors
// (LPUSH, INCR, HGET..., not HGETALL's), with redis-server as with
// Respite; that byte is dropped here, as it is the client's doing.
function last_error(Redis $r)
{
    $e = $r->getLastError();
    return $e === null ? null : rtrim($e, "\0");
}

// A Predis client as Laravel's PredisConnector makes one: the connection
// parameters (with 'password' and 'database', Predis sends AUTH and
// SELECT itself when it connects) and the client options, e.g.
// ['prefix' => 'app:'].
function predis(array $params = [], array $options = [])
{
    $params += [
        'scheme' => 'tcp',
        'host' => getenv('REDIS_HOST'),
        'port' => (int) getenv('REDIS_PORT'),
        'timeout' => 5.0,
        'read_write_timeout' => 10.0,
    ];
    return new Predis\Client($params, $options);
}

// Laravel's connection (Illuminate\Redis\Connections) around one of our
// clients, the object its cache store, queue and limiters send commands
// through: PhpRedisConnection for phpredis, PredisConnection for Predis.
function laravel_connection($client)
{
    return $client instanceof Redis
        ? new Illuminate\Redis\Connections\PhpRedisConnection($client)
        : new Illuminate\Redis\Connections\PredisConnection($client);
}

// What Laravel's cache store and queue take to find their connection by
// name (Illuminate\Contracts\Redis\Factory, which the app's RedisManager
// implements from its config): here a map of names to our clients, each
// wrapped by laravel_connection(); no name means the first.
function laravel_redis(array $clients)
{
    $connections = array_map('laravel_connection', $clients);
    return new class ($connections) implements
        Illuminate\Contracts\Redis\Factory
    {
        private $connections;

        public function __construct(array $connections)
        {
            $this->connections = $connections;
        }

        public function connection($name = null)
        {
            $name = $name ?? array_key_first($this->connections);
            return $this->connections[$name];
        }
    };
}

// Calls a protected method of a library's object: the way to run code
// that the library keeps to itself (a limiter's single acquire, a lock's
// owner check) on its own.
function call_protected(object $object, string $method, ...$args)
{
    return (new ReflectionMethod($object, $method))->invoke($object, ...$args);
}
