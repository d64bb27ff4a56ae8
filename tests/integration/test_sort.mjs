// SORT and LCS from Node: node-redis 6 (its SORT option builder: BY,
// LIMIT, GET patterns, DIRECTION, ALPHA; sortRo and sortStore; lcs,
// lcsLen and lcsIdxWithMatchLen, whose reply it reshapes from RESP2 or
// takes as RESP3's map) and ioredis 6 (sort's flat arguments, with STORE,
// in a pipeline; LCS IDX through call). Passes on redis-server too.
// Run: node tests/integration/test_sort.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

// Users 1..4: ids in a list, a score key and a hash each. node: the
// client is node-redis (camelCase methods), else ioredis.
async function seed(c, node) {
  const users = [['ann', 30], ['bob', 10], ['cid', 50], ['dee', 20]];
  for (const [i, [name, score]] of users.entries()) {
    const id = String(i + 1);
    await c.set(`score:${id}`, String(score));
    await (node ? c.hSet(`user:${id}`, 'name', name) : c.hset(`user:${id}`, 'name', name));
    await (node ? c.rPush('ids', id) : c.rpush('ids', id));
  }
}

test('node-redis: SORT builder, SORT_RO, SORT STORE', (s) => withNodeRedis(s, async (c) => {
  await seed(c, true);
  assertEq(await c.sort('ids', { BY: 'score:*' }), ['2', '4', '1', '3']);
  assertEq(await c.sort('ids', {
    BY: 'score:*', LIMIT: { offset: 0, count: 2 }, GET: ['#', 'user:*->name'], DIRECTION: 'DESC',
  }), ['3', 'cid', '1', 'ann']);
  assertEq(await c.sortRo('ids', { BY: 'user:*->name', ALPHA: true, GET: 'user:*->name' }),
    ['ann', 'bob', 'cid', 'dee']);
  assertEq(await c.sortStore('ids', 'top', { BY: 'score:*', DIRECTION: 'DESC', GET: 'user:*->name' }), 4);
  assertEq(await c.lRange('top', 0, -1), ['cid', 'ann', 'dee', 'bob']);
  assertEq(await c.sort('ids', { GET: 'nokey:*', LIMIT: { offset: 0, count: 1 } }), [null]);
  await c.rPush('ids', 'x');
  await assertRejects(c.sort('ids'), /^ERR One or more scores can't be converted into double$/);
}));

test('node-redis: LCS, LEN and IDX WITHMATCHLEN', (s) => withNodeRedis(s, async (c) => {
  await c.mSet({ a: 'ohmytext', b: 'mynewtext' });
  assertEq(await c.lcs('a', 'b'), 'mytext');
  assertEq(await c.lcsLen('a', 'b'), 6);
  const idx = await c.lcsIdxWithMatchLen('a', 'b', { MINMATCHLEN: 4 });
  assertEq(idx.len, 6);
  assertEq(idx.matches, [[[4, 7], [5, 8], 4]]);
}));

test('ioredis: sort arguments, STORE in a pipeline, LCS IDX', (s) => withIoredis(s, async (c) => {
  await seed(c, false);
  assertEq(await c.sort('ids', 'BY', 'score:*', 'GET', 'user:*->name'), ['bob', 'dee', 'ann', 'cid']);
  const res = await c.pipeline()
    .sort('ids', 'BY', 'score:*', 'LIMIT', 1, 2, 'STORE', 'mid')
    .lrange('mid', 0, -1)
    .sort('nosuch', 'STORE', 'mid')
    .exists('mid')
    .exec();
  assertEq(res, [[null, 2], [null, ['4', '1']], [null, 0], [null, 0]]);
  await c.mset('a', 'ohmytext', 'b', 'mynewtext');
  assertEq(await c.call('LCS', 'a', 'b', 'IDX'),
    ['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
  await c.set('str', 'v');
  await assertRejects(c.sort('str'), /^WRONGTYPE /);
  await assertRejects(c.call('LCS', 'ids', 'a'), /^ERR The specified keys must contain string values$/);
}));

run();
