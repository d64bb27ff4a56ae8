// Hashes and sets from Node: node-redis 6 (RESP3 by default, so HGETALL
// arrives as a map and SMEMBERS as a set) and ioredis 6 (hgetall as an
// object, smembers as an array, pipelines). Run:
// node tests/integration/test_hashes_sets.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

const sorted = (a) => [...a].sort();

test('node-redis: hashes (HGETALL map)', (s) => withNodeRedis(s, async (c) => {
  assertEq(await c.hSet('user:1', { name: 'ada', age: '36' }), 2);
  assertEq(await c.hGet('user:1', 'name'), 'ada');
  assertEq(await c.hGetAll('user:1'), { name: 'ada', age: '36' }, 'HGETALL');
  assertEq(await c.hGetAll('missing'), {}, 'HGETALL on a missing key');
  assertEq(await c.hIncrBy('user:1', 'age', 1), 37);
  assertEq(await c.hIncrByFloat('user:1', 'score', 2.5), '2.5');
  assertEq(await c.hmGet('user:1', ['name', 'nope']), ['ada', null]);
  assertEq(sorted(await c.hKeys('user:1')), ['age', 'name', 'score']);
  assertEq(await c.hLen('user:1'), 3);
  assertEq(await c.hDel('user:1', ['name', 'age', 'score']), 3);
  assertEq(await c.exists('user:1'), 0, 'emptied hash is gone');
  await c.set('str', 'v');
  await assertRejects(c.hSet('str', 'f', 'v'), /^WRONGTYPE/, 'HSET on a string');
}));

test('node-redis: sets (SMEMBERS set)', (s) => withNodeRedis(s, async (c) => {
  assertEq(await c.sAdd('a', ['1', '2', '3']), 3);
  assertEq(await c.sAdd('b', ['2', '3', '4']), 3);
  assertEq(sorted(await c.sMembers('a')), ['1', '2', '3'], 'SMEMBERS');
  assertEq(sorted(await c.sInter(['a', 'b'])), ['2', '3'], 'SINTER');
  assertEq(sorted(await c.sUnion(['a', 'b'])), ['1', '2', '3', '4']);
  assertEq(await c.sDiff(['a', 'b']), ['1']);
  assertEq(await c.sIsMember('a', '1'), 1);
  assertEq(await c.smIsMember('a', ['1', '9']), [1, 0]);
  assertEq(await c.sInterCard(['a', 'b']), 2);
  const seen = [];
  for await (const m of c.sScanIterator('a')) seen.push(m);
  assertEq(sorted(seen.flat()), ['1', '2', '3'], 'sScanIterator');
  assertEq(await c.type('a'), 'set');
}));

test('ioredis: hashes and sets', (s) => withIoredis(s, async (c) => {
  await c.hset('h', 'a', '1', 'b', '2');
  assertEq(await c.hgetall('h'), { a: '1', b: '2' }, 'hgetall');
  assertEq(await c.hsetnx('h', 'a', 'x'), 0);
  const res = await c.pipeline().sadd('s', 'x', 'y').scard('s').srem('s', 'x')
    .smembers('s').exec();
  assertEq(res.map(([err, v]) => v), [2, 2, 1, ['y']], 'pipeline');
  assertEq(await c.smove('s', 't', 'y'), 1);
  assertEq(await c.exists('s'), 0);
  assertEq(await c.sunionstore('u', 't', 'nosuch'), 1);
  const [cur, items] = await c.hscan('h', 0);
  assertEq(cur, '0');
  assertEq(items, ['a', '1', 'b', '2'], 'hscan');
  await assertRejects(c.get('h'), /^WRONGTYPE/, 'GET on a hash');
}));

run();
