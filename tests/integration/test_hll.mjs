// HyperLogLog from Node: node-redis 6 (RESP3 by default; pfAdd's 1 or 0
// reply, pfCount over several keys, pfMerge) and ioredis 6 (RESP2:
// pipelines, MULTI, the value read back as a Buffer and SET back, the
// error texts a caller would match). Covers unique visitors per page
// merged into a site-wide count. Passes on redis-server too.
// Run: node tests/integration/test_hll.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

// PFADD k a on Redis 7.0: sparse, register 12711 set to 2, count stale.
const ONE_A = Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x71\xa6\x84\x4e\x57', 'latin1');

test('node-redis: unique visitors per page and site', (s) => withNodeRedis(s, async (c) => {
  const pages = { home: 3000, about: 500, blog: 1200 };
  for (const [page, n] of Object.entries(pages)) {
    const ids = Array.from({ length: n }, (_, i) => `visitor:${i}`);
    assertEq(await c.pfAdd(`uv:${page}`, ids), 1, page);
    assertEq(await c.pfAdd(`uv:${page}`, ids.slice(0, 10)), 0, `${page} again`);
  }
  const home = await c.pfCount('uv:home');
  if (Math.abs(home - 3000) > 3000 * 0.025) throw new Error(`home counted ${home}`);
  const all = await c.pfCount(['uv:home', 'uv:about', 'uv:blog']);
  assertEq(all, home, 'every visitor saw home');
  assertEq(await c.pfMerge('uv:site', ['uv:home', 'uv:about', 'uv:blog']), 'OK');
  assertEq(await c.pfCount('uv:site'), all);
  assertEq(await c.pfCount('nosuch'), 0);
}));

test('ioredis: pipeline, MULTI, Buffers and errors', (s) => withIoredis(s, async (c) => {
  const res = await c.pipeline()
    .pfadd('h', 'a')
    .pfadd('h', 'a')
    .getBuffer('h')
    .pfcount('h')
    .getBuffer('h')
    .exec();
  const cached = Buffer.from(ONE_A);
  cached[8] = 1;
  cached[15] = 0;
  assertEq(res.map(([e, v]) => (e ? e.message : v)), [1, 0, ONE_A, 1, cached]);
  await c.set('copy', ONE_A);
  const [[, n], [, m], [, k]] = await c.multi()
    .pfcount('copy')
    .pfmerge('both', 'copy', 'h')
    .pfcount('both', 'copy')
    .exec();
  assertEq([n, m, k], [1, 'OK', 1]);
  await c.set('s', 'plain');
  await assertRejects(c.pfadd('s', 'x'), /^WRONGTYPE Key is not a valid HyperLogLog string value\.$/);
  await c.set('bad', Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x3f', 'latin1'));
  await assertRejects(c.pfcount('bad'), /^INVALIDOBJ Corrupted HLL object detected$/);
  await c.lpush('l', 'x');
  await assertRejects(c.pfcount('l'), /^WRONGTYPE Operation against a key holding the wrong kind of value$/);
}));

run();
