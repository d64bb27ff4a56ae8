// RATELIMIT, CL.THROTTLE and the lock commands through ioredis 6's
// call() (ioredis has no methods for them), over RESP3 as ioredis
// negotiates it. Time is moved with DEBUG JUMP-CLOCK, never slept.
// Run: node tests/integration/test_ratelimit.mjs

import { createRequire } from 'node:module';
import path from 'node:path';
import { assertEq, assertRejects, ROOT, run, test } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const Redis = require('ioredis');

const HOUR = 3600000;
const only = { respiteOnly: true, reason: 'Respite / Redis 8.4 / Valkey 9 commands' };

async function clients(server, n, fn) {
  const cs = [];
  for (let i = 0; i < n; i++) {
    const c = new Redis(server.url(0), { lazyConnect: true });
    c.on('error', () => {});
    await c.connect();
    cs.push(c);
  }
  try {
    await cs[0].flushall();
    return await fn(...cs);
  } finally {
    cs.forEach((c) => c.disconnect());
  }
}

test('a limiter shared by two clients', (s) => clients(s, 2, async (a, b) => {
  const got = [];
  for (let i = 0; i < 6; i++) {
    got.push((await (i % 2 ? a : b).call('RATELIMIT', 'user:1', 4, HOUR))[0]);
  }
  assertEq(got, [1, 1, 1, 1, 0, 0], 'admits across clients');
  const res = await a.call('RATELIMIT', 'user:1', 4, HOUR);
  assertEq(res.slice(0, 3), [0, 4, 0]);
  if (!(res[3] > HOUR / 4 - 1000 && res[3] <= HOUR / 4)) throw new Error(`retry ${res[3]}`);
  await a.call('DEBUG', 'JUMP-CLOCK', res[3]);
  assertEq((await b.call('RATELIMIT', 'user:1', 4, HOUR))[0], 1, 'admitted after retry-after');
}), only);

test('reset-after is the PTTL, for each algorithm', (s) => clients(s, 1, async (c) => {
  for (const algo of ['gcra', 'fixed', 'sliding']) {
    const [[, res], [, pttl]] = await c.multi()
      .call('RATELIMIT', `k:${algo}`, 3, 1000, 'COST', 2, 'ALGO', algo)
      .pttl(`k:${algo}`)
      .exec();
    assertEq(res[0], 1, algo);
    assertEq(pttl, res[4], `${algo} PTTL`);
  }
}), only);

test('errors name the argument and change nothing', (s) => clients(s, 1, async (c) => {
  await c.call('RATELIMIT', 'e', 5, 1000);
  const before = await c.getBuffer('e');
  await assertRejects(c.call('RATELIMIT', 'e', 0, 1000), /^ERR limit must be an integer from 1/);
  await assertRejects(c.call('RATELIMIT', 'e', 5, 'x'), /^ERR period-ms must be/);
  await assertRejects(c.call('RATELIMIT', 'e', 5, 1000, 'BURST', -1), /^ERR BURST must be/);
  await assertRejects(c.call('RATELIMIT', 'e', 5, 1000, 'COST', -1), /^ERR COST must be/);
  await assertRejects(c.call('RATELIMIT', 'e', 5, 1000, 'COST', 9), /^ERR COST must not be greater than the burst/);
  await assertRejects(c.call('RATELIMIT', 'e', 5, 1000, 'ALGO', 'x'), /^ERR ALGO must be/);
  assertEq((await c.getBuffer('e')).equals(before), true, 'state untouched');
  await c.set('plain', 'v');
  await assertRejects(c.call('RATELIMIT', 'plain', 5, 1000), /^ERR key does not hold rate limiter state/);
}), only);

test('CL.THROTTLE replies as redis-cell', (s) => clients(s, 1, async (c) => {
  assertEq(await c.call('CL.THROTTLE', 'user123', 15, 30, 60), [0, 16, 15, -1, 2]);
  assertEq(await c.call('CL.THROTTLE', 'user123', 15, 30, 60, 1), [0, 16, 14, -1, 4]);
  assertEq(await c.call('CL.THROTTLE', 'x', 0, 1, 5), [0, 1, 0, -1, 5]);
  assertEq(await c.call('CL.THROTTLE', 'x', 0, 1, 5), [1, 1, 0, 5, 5]);
}), only);

test('a lock a second client can not release', (s) => clients(s, 2, async (a, b) => {
  assertEq(await a.set('lock', 'tA', 'PX', 30000, 'NX'), 'OK');
  assertEq(await b.set('lock', 'tB', 'PX', 30000, 'NX'), null);
  assertEq(await b.call('DELEX', 'lock', 'IFEQ', 'tB'), 0);
  assertEq(await b.call('DELIFEQ', 'lock', 'tB'), 0);
  assertEq(await b.call('SET', 'lock', 'tB', 'XX', 'PX', 30000, 'IFEQ', 'tB'), null);
  assertEq(await a.call('SET', 'lock', 'tA', 'XX', 'PX', 60000, 'IFEQ', 'tA'), 'OK');
  const ttl = await a.pttl('lock');
  if (!(ttl > 30000 && ttl <= 60000)) throw new Error(`extended PTTL ${ttl}`);
  const dig = await a.call('DIGEST', 'lock');
  if (!/^[0-9a-f]{16}$/.test(dig)) throw new Error(`digest ${dig}`);
  assertEq(await b.call('DELEX', 'lock', 'IFDEQ', '0000000000000000'), 0);
  assertEq(await a.call('DELEX', 'lock', 'IFDEQ', dig.toUpperCase()), 1);
  assertEq(await a.exists('lock'), 0);
}), only);

test('SET IFEQ/IFNE, DELEX and DIGEST details', (s) => clients(s, 1, async (c) => {
  assertEq(await c.call('SET', 'k', 'v', 'IFEQ', 'x'), null);
  assertEq(await c.exists('k'), 0);
  assertEq(await c.call('SET', 'k', 'v', 'IFNE', 'x'), 'OK');
  assertEq(await c.call('SET', 'k', 'w', 'IFEQ', 'v', 'GET'), 'v');
  assertEq(await c.get('k'), 'w');
  await assertRejects(c.call('SET', 'k', 'z', 'NX', 'IFEQ', 'w'), /^ERR syntax error/);
  await assertRejects(c.call('SET', 'k', 'z', 'IFDEQ', 'abc'), /must be exactly 16 hexadecimal characters/);
  await assertRejects(c.call('DELEX', 'k', 'NOPE', 'w'), /^ERR Invalid condition/);
  await assertRejects(c.call('DELEX', 'k', 'IFEQ'), /wrong number of arguments for 'delex'/);
  await c.set('h', 'hello');
  assertEq(await c.call('DIGEST', 'h'), '9555e8555c62dcfd');
  assertEq(await c.call('DIGEST', 'nope'), null);
  assertEq(await c.call('DELEX', 'h'), 1);
}), only);

run();
