// Hash field expiration from Node, ioredis 5's call(): the reply shapes of
// HEXPIRE, HTTL, HPERSIST (arrays of integers), an error, and a field
// expiring on its own. Respite only (redis-server 7.0 lacks the commands).
// Run: node tests/integration/test_hash_ttl.mjs

import { assertEq, assertRejects, run, test, withIoredis } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const only = { respiteOnly: true };

test('ioredis: HEXPIRE / HTTL / HPERSIST shapes', (s) => withIoredis(s, async (c) => {
  await c.hset('session', 'token', 't1', 'user', 'ada');
  assertEq(await c.call('HEXPIRE', 'session', 60, 'FIELDS', 2, 'token', 'nope'),
    [1, -2], 'HEXPIRE');
  assertEq(await c.call('HTTL', 'session', 'FIELDS', 2, 'token', 'user'), [60, -1], 'HTTL');
  assertEq(await c.call('HEXPIRE', 'session', 30, 'GT', 'FIELDS', 1, 'token'), [0], 'GT');
  assertEq(await c.call('HPERSIST', 'session', 'FIELDS', 1, 'token'), [1], 'HPERSIST');
  assertEq(await c.call('HTTL', 'missing', 'FIELDS', 1, 'f'), [-2], 'missing key');
  await assertRejects(c.call('HEXPIRE', 'session', 10, 'FIELDS', 2, 'token'),
    /The `numfields` parameter must match the number of arguments/, 'numfields');
  const res = await c.pipeline().call('HPEXPIRE', 'session', 5000, 'FIELDS', 1, 'user')
    .call('HPTTL', 'session', 'FIELDS', 1, 'user').exec();
  assertEq(res[0], [null, [1]], 'pipelined HPEXPIRE');
  if (!(res[1][1][0] > 4000 && res[1][1][0] <= 5000)) throw new Error('HPTTL ' + res[1][1]);
}), only);

test('ioredis: a field expires on its own', (s) => withIoredis(s, async (c) => {
  await c.hset('cache', 'hot', '1', 'cold', '2');
  assertEq(await c.call('HPEXPIRE', 'cache', 40, 'FIELDS', 1, 'cold'), [1]);
  for (let i = 0; i < 200 && (await c.hlen('cache')) !== 1; i++) await sleep(10);
  assertEq(await c.hgetall('cache'), { hot: '1' }, 'after expiry');
}), only);

run();
