// Lua scripting through Node clients, the way libraries use it: ioredis's
// defineCommand (EVALSHA first, EVAL on NOSCRIPT, here after SCRIPT
// FLUSH), a token-checked lock release and a fixed-window rate limiter
// written as scripts (as redlock and rate-limiter-flexible do), scripts in
// a MULTI, errors, and node-redis's scripts (SCRIPT LOAD + EVALSHA).
// Passes on redis-server too (RESPITE_BIN=/usr/bin/redis-server).
// Run: node tests/integration/test_scripting.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

const LIMIT = `local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return {0, n} end
return {1, n}`;

test('ioredis defineCommand: EVALSHA, and EVAL after SCRIPT FLUSH', (s) => withIoredis(s, async (c) => {
  c.defineCommand('release', { numberOfKeys: 1, lua: RELEASE });
  await c.set('lock', 'token-a');
  assertEq(await c.release('lock', 'token-b'), 0, 'wrong token');
  assertEq(await c.get('lock'), 'token-a');
  await c.script('FLUSH');
  assertEq(await c.release('lock', 'token-a'), 1, 'right token after flush');
  assertEq(await c.exists('lock'), 0);
  const [exists] = await c.script('EXISTS', c.scriptsSet.release.sha);
  assertEq(exists, 1, 'cached again by the EVAL fallback');
}));

test('a rate limiter script', (s) => withIoredis(s, async (c) => {
  c.defineCommand('hit', { numberOfKeys: 1, lua: LIMIT });
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await c.hit('rl:user', 3, 60000));
  assertEq(got, [[1, 1], [1, 2], [1, 3], [0, 4], [0, 5]]);
  const ttl = await c.pttl('rl:user');
  if (!(ttl > 59000 && ttl <= 60000)) throw new Error(`pttl ${ttl}`);
}));

test('scripts in MULTI and a pipeline', (s) => withIoredis(s, async (c) => {
  c.defineCommand('incrTwice', {
    numberOfKeys: 1,
    lua: "redis.call('incr', KEYS[1]); return redis.call('incr', KEYS[1])",
  });
  const res = await c.multi().incrTwice('n').incrTwice('n').get('n').exec();
  assertEq(res, [[null, 2], [null, 4], [null, '4']]);
  const piped = await c.pipeline().incrTwice('n').eval('return #ARGV', 0, 'a', 'b').exec();
  assertEq(piped, [[null, 6], [null, 2]]);
}));

test('errors reach ioredis with their text', (s) => withIoredis(s, async (c) => {
  await c.set('s', 'abc');
  await assertRejects(c.eval("return redis.call('incr', 's')", 0),
    /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/);
  await assertRejects(c.eval("return redis.error_reply('LIMITED try later')", 0), /^LIMITED try later$/);
  await assertRejects(c.evalsha('0'.repeat(40), 0), /^NOSCRIPT No matching script/);
  await assertRejects(c.eval('return +', 0), /^ERR Error compiling script \(new function\): user_script:1: /);
}));

test('node-redis: SCRIPT LOAD, EVALSHA, EVAL', (s) => withNodeRedis(s, async (c) => {
  const sha = await c.scriptLoad(LIMIT);
  assertEq(await c.evalSha(sha, { keys: ['rl'], arguments: ['1', '1000'] }), [1, 1]);
  assertEq(await c.evalSha(sha, { keys: ['rl'], arguments: ['1', '1000'] }), [0, 2]);
  assertEq(await c.eval('return {KEYS[1], ARGV[1]}', { keys: ['k'], arguments: ['v'] }), ['k', 'v']);
  assertEq(await c.scriptExists(sha), [1]);
  assertEq(await c.scriptFlush(), 'OK');
  assertEq(await c.scriptExists(sha), [0]);
}));

run();
