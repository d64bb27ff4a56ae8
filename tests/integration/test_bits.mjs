// Bitmaps from Node: node-redis 6 (RESP3 by default; its builders for
// BITCOUNT ranges, BITPOS, BITOP, BITFIELD operation lists with OVERFLOW,
// and BITFIELD_RO) and ioredis 6 (RESP2: bitfield() with nil for a
// failed OVERFLOW FAIL step, pipelines, MULTI, Buffer replies). Covers
// online-user bitmaps per minute merged with BITOP, counters in one
// string, and the error texts a caller would match. Passes on
// redis-server too. Run: node tests/integration/test_bits.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

test('node-redis: online users per minute', (s) => withNodeRedis(s, async (c) => {
  const minutes = [[1, 5, 9, 200], [5, 9, 10], [9, 300]];
  for (const [m, ids] of minutes.entries()) {
    for (const id of ids) assertEq(await c.setBit(`on:${m}`, id, 1), 0, 'new bit');
  }
  assertEq(await c.getBit('on:0', 200), 1);
  assertEq(await c.getBit('on:0', 201), 0);
  assertEq(await c.bitCount('on:0'), 4);
  assertEq(await c.bitCount('on:0', { start: 0, end: 9, mode: 'BIT' }), 3, 'BIT range');
  assertEq(await c.bitCount('on:0', { start: 1, end: -1 }), 2, 'BYTE range');
  assertEq(await c.bitOp('OR', 'on:any', ['on:0', 'on:1', 'on:2']), 38);
  assertEq(await c.bitCount('on:any'), 6);
  assertEq(await c.bitOp('AND', 'on:all', ['on:0', 'on:1', 'on:2']), 38);
  assertEq(await c.bitPos('on:all', 1), 9, 'online every minute');
  assertEq(await c.bitPos('on:all', 1, 2), -1);
  assertEq(await c.bitPos('on:any', 0), 0);
  assertEq(await c.bitOp('AND', 'on:none', ['nosuch']), 0);
  assertEq(await c.exists('on:none'), 0, 'empty result deletes');
}));

test('node-redis: BITFIELD and BITFIELD_RO', (s) => withNodeRedis(s, async (c) => {
  const got = await c.bitField('ctr', [
    { operation: 'SET', encoding: 'u8', offset: '#0', value: 250 },
    { operation: 'OVERFLOW', behavior: 'SAT' },
    { operation: 'INCRBY', encoding: 'u8', offset: '#0', increment: 10 },
    { operation: 'OVERFLOW', behavior: 'FAIL' },
    { operation: 'INCRBY', encoding: 'u8', offset: '#0', increment: 1 },
    { operation: 'INCRBY', encoding: 'i16', offset: '#1', increment: -2 },
  ]);
  assertEq(got, [0, 255, null, -2]);
  assertEq(await c.bitFieldRo('ctr', [
    { encoding: 'u8', offset: 0 },
    { encoding: 'i16', offset: '#1' },
    { encoding: 'u4', offset: 100 },
  ]), [255, -2, 0]);
  await assertRejects(c.sendCommand(['BITFIELD_RO', 'ctr', 'SET', 'u8', '0', '1']),
    /^ERR BITFIELD_RO only supports the GET subcommand$/);
  await assertRejects(c.bitField('ctr', [{ operation: 'GET', encoding: 'u64', offset: 0 }]),
    /^ERR Invalid bitfield type\. Use something like i16 u8\. Note that u64 is not supported but i64 is\.$/);
}));

test('ioredis: pipeline, MULTI and Buffers', (s) => withIoredis(s, async (c) => {
  const res = await c.pipeline()
    .setbit('b', 7, 1)
    .setbit('b', 7, 1)
    .setbit('b', 15, 1)
    .getBuffer('b')
    .bitcount('b')
    .bitpos('b', 1, 1)
    .exec();
  assertEq(res.map(([e, v]) => (e ? e.message : v)),
    [0, 1, 0, Buffer.from([1, 1]), 2, 15]);
  const [[, f], [, g], [, n]] = await c.multi()
    .bitfield('b', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', 0, 5, 'INCRBY', 'u2', 0, 3)
    .bitfield('b', 'GET', 'u8', 0)
    .bitop('NOT', 'nb', 'b')
    .exec();
  assertEq([f, g, n], [[null, 3], [193], 2]);
  assertEq(await c.getBuffer('nb'), Buffer.from([0x3e, 0xfe]));
  await assertRejects(c.setbit('b', -1, 1), /^ERR bit offset is not an integer or out of range$/);
  await assertRejects(c.setbit('b', 1, 2), /^ERR bit is not an integer or out of range$/);
  await assertRejects(c.bitpos('b', 2), /^ERR The bit argument must be 1 or 0\.$/);
  await assertRejects(c.bitop('NOT', 'd', 'b', 'b'), /^ERR BITOP NOT must be called with a single source key\.$/);
  await c.lpush('l', 'x');
  await assertRejects(c.getbit('l', 0), /^WRONGTYPE /);
}));

run();
