// Sorted sets from Node: node-redis 6 (RESP3 by default: scores arrive as
// numbers, WITHSCORES as {value, score} objects) and ioredis 6 (RESP2:
// scores as strings, flat WITHSCORES arrays, pipelines, MULTI). Covers a
// leaderboard, a delay queue, a sliding-window limiter inside MULTI,
// BZPOPMIN woken by a ZADD from another client, conversion past 128
// members, ZSCAN, TYPE / COPY / RENAME. Run:
// node tests/integration/test_zsets.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

test('node-redis: leaderboard', (s) => withNodeRedis(s, async (c) => {
  const model = new Map();
  for (let i = 0; i < 300; i++) {
    const p = `p${(i * 7) % 40}`;
    const pts = (i % 9) + 1;
    model.set(p, (model.get(p) || 0) + pts);
    assertEq(await c.zIncrBy('board', pts, p), model.get(p), 'ZINCRBY');
  }
  const ranking = [...model.entries()].sort((a, b) => b[1] - a[1] ||
    (a[0] < b[0] ? 1 : -1));
  const top = await c.zRangeWithScores('board', 0, 4, { REV: true });
  assertEq(top, ranking.slice(0, 5).map(([value, score]) => ({ value, score })),
    'top 5');
  assertEq(await c.zRevRank('board', ranking[0][0]), 0);
  assertEq(await c.zScore('board', ranking[3][0]), ranking[3][1]);
  assertEq(await c.zCard('board'), model.size);
  assertEq(await c.zScore('board', 'nobody'), null);
  assertEq(await c.zmScore('board', [ranking[0][0], 'nobody']),
    [ranking[0][1], null], 'ZMSCORE');
  assertEq(await c.zScore('board', 'x'), null);
  await c.zAdd('f', { score: 1.1, value: 'a' });
  assertEq(await c.zScore('f', 'a'), 1.1, 'RESP3 double');
}));

test('node-redis: delay queue', (s) => withNodeRedis(s, async (c) => {
  const now = 5000;
  for (let i = 0; i < 50; i++)
    await c.zAdd('delayed', { score: now + i * 10, value: `job:${i}` });
  const done = [];
  for (;;) {
    const due = await c.zRangeByScore('delayed', '-inf', now + 245,
      { LIMIT: { offset: 0, count: 7 } });
    if (due.length === 0) break;
    for (const j of due)
      if (await c.zRem('delayed', j) === 1) done.push(j);
  }
  assertEq(done.length, 25, 'due jobs');
  assertEq(done[0], 'job:0');
  assertEq(await c.zCard('delayed'), 25);
}));

test('node-redis: BZPOPMIN woken by ZADD', (s) => withNodeRedis(s, async (c) => {
  const other = c.duplicate();
  other.on('error', () => {});
  await other.connect();
  try {
    const waiting = other.bzPopMin('q', 5);
    await new Promise((r) => setTimeout(r, 100));
    await c.zAdd('q', [{ score: 2, value: 'b' }, { score: 1, value: 'a' }]);
    assertEq(await waiting, { key: 'q', value: 'a', score: 1 }, 'woken');
    assertEq(await other.bzPopMax('nosuch', 0.1), null, 'timeout');
  } finally {
    other.destroy();
  }
}));

test('node-redis: conversion, ZSCAN, TYPE, COPY, RENAME', (s) => withNodeRedis(s, async (c) => {
  const members = [];
  for (let i = 0; i < 200; i++) members.push({ score: i, value: `m${i}` });
  assertEq(await c.zAdd('z', members), 200);
  assertEq(await c.zRank('z', 'm150'), 150);
  assertEq(await c.zRange('z', 198, -1), ['m198', 'm199']);
  const seen = new Map();
  // Each step yields a page (an array) in this node-redis version.
  for await (const page of c.zScanIterator('z', { COUNT: 30 }))
    for (const { value, score } of [page].flat()) seen.set(value, score);
  assertEq(seen.size, 200, 'ZSCAN saw every member');
  assertEq(seen.get('m42'), 42);
  assertEq(await c.type('z'), 'zset');
  assertEq(await c.copy('z', 'z2'), 1);
  await c.rename('z2', 'z3');
  assertEq(await c.zCard('z3'), 200);
  await c.set('str', 'v');
  await assertRejects(c.zAdd('str', { score: 1, value: 'a' }), /^WRONGTYPE/);
}));

test('ioredis: sliding-window limiter in MULTI', (s) => withIoredis(s, async (c) => {
  const hit = async (t, id) => {
    const res = await c.multi()
      .zremrangebyscore('rl', '-inf', `(${t - 1000}`)
      .zadd('rl', t, id)
      .zcard('rl')
      .pexpire('rl', 1000)
      .exec();
    return res[2][1] <= 3;
  };
  const allowed = [];
  for (let i = 0; i < 12; i++) allowed.push(await hit(1000 + i * 250, `r${i}`));
  assertEq(allowed.slice(0, 4), [true, true, true, false], 'window');
  assertEq(await c.zcard('rl'), 5);
  const ttl = await c.pttl('rl');
  if (!(ttl > 0 && ttl <= 1000)) throw new Error(`pttl ${ttl}`);
}));

test('ioredis: replies in RESP2', (s) => withIoredis(s, async (c) => {
  assertEq(await c.zadd('z', 1, 'a', 2.5, 'b', 3, 'c'), 3);
  assertEq(await c.zrange('z', 0, -1, 'WITHSCORES'),
    ['a', '1', 'b', '2.5', 'c', '3'], 'flat WITHSCORES');
  assertEq(await c.zscore('z', 'b'), '2.5');
  assertEq(await c.zincrby('z', 0.1, 'a'), '1.1000000000000001', '%.17g');
  assertEq(await c.zpopmin('z'), ['a', '1.1000000000000001']);
  assertEq(await c.zpopmax('z', 5), ['c', '3', 'b', '2.5']);
  assertEq(await c.exists('z'), 0, 'emptied');
  const res = await c.pipeline().zadd('p', 'NX', 1, 'x').zadd('p', 'XX', 'CH', 5, 'x')
    .zadd('p', 'GT', 'CH', 2, 'x').zrangebyscore('p', '(1', '+inf').exec();
  assertEq(res.map(([, v]) => v), [1, 1, 0, ['x']], 'pipeline');
  await c.zadd('u1', 1, 'a', 2, 'b');
  await c.sadd('u2', 'b', 'c');
  assertEq(await c.zunionstore('out', 2, 'u1', 'u2', 'WEIGHTS', 1, 10), 3);
  assertEq(await c.zrange('out', 0, -1, 'WITHSCORES'),
    ['a', '1', 'c', '10', 'b', '12']);
  assertEq(await c.zinterstore('out', 2, 'u1', 'u2'), 1);
  await assertRejects(c.zadd('z', 'nan', 'a'), /not a valid float/);
}));

run();
