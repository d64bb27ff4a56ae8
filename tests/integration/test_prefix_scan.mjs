// node-redis 6 scanIterator over prefix patterns (store/prefix.c): MATCH
// with a literal prefix, with and without TYPE, small and large COUNT,
// keys deleted and added while iterating, and KEYS prefix*.
// Run: node tests/integration/test_prefix_scan.mjs

import { assertEq, run, test, withNodeRedis } from './harness.mjs';

// n keys "user:<i>" and 3n around them ("use", "user;<i>", "users:<i>").
async function fill(c, n) {
  const m = c.multi();
  for (let i = 0; i < n; i++) {
    m.set(`user:${i}`, 'x');
    m.set(`user;${i}`, 'x');
    m.set(`users:${i}`, 'x');
  }
  m.set('use', 'x');
  await m.execAsPipeline();
}

async function collect(c, opts) {
  const seen = [];
  for await (const keys of c.scanIterator(opts)) seen.push(...keys);
  return seen;
}

const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

test('scanIterator MATCH prefix*', (s) => withNodeRedis(s, async (c) => {
  await fill(c, 1200);
  for (const COUNT of [1, 10, 1000]) {
    const seen = new Set(await collect(c, { MATCH: 'user:*', COUNT }));
    assertEq(seen.size, 1200, `COUNT ${COUNT}`);
    for (const k of seen) {
      if (!k.startsWith('user:')) throw new Error(`stray key ${k}`);
    }
  }
  const some = new Set(await collect(c, { MATCH: 'user:11*', COUNT: 50 }));
  assertEq([...some].sort(), ['user:11', ...range(10, (i) => `user:11${i}`),
    ...range(100, (i) => `user:11${String(i).padStart(2, '0')}`)].sort());
}));

test('scanIterator with TYPE', (s) => withNodeRedis(s, async (c) => {
  await fill(c, 300);
  const strings = new Set(await collect(c, { MATCH: 'user:*', TYPE: 'string', COUNT: 40 }));
  assertEq(strings.size, 300, 'TYPE string');
  const hashes = await collect(c, { MATCH: 'user:*', TYPE: 'hash', COUNT: 40 });
  assertEq(hashes, [], 'TYPE hash');
}));

test('keys deleted and added while iterating', (s) => withNodeRedis(s, async (c) => {
  await fill(c, 1000);
  const throughout = new Set(range(1000, (i) => `user:${i}`));
  const seen = new Set();
  let step = 0;
  for await (const keys of c.scanIterator({ MATCH: 'user:*', COUNT: 20 })) {
    keys.forEach((k) => seen.add(k));
    step++;
    const m = c.multi();
    for (let j = 0; j < 10; j++) {
      const i = (step * 37 + j * 101) % 2000;
      if (j % 2) {
        m.del(`user:${i}`);
        throughout.delete(`user:${i}`);
      } else {
        m.set(`user:${i}`, 'new value');
      }
    }
    await m.execAsPipeline();
  }
  const missing = [...throughout].filter((k) => !seen.has(k));
  assertEq(missing, [], 'keys present throughout that were skipped');
}));

test('sorted by bytes, COUNT keys examined a call', (s) => withNodeRedis(s, async (c) => {
  await fill(c, 50);
  const [first, keys] = await c.sendCommand(['SCAN', '0', 'MATCH', 'user:*', 'COUNT', '8']);
  if (first === '0') throw new Error('ended after 8 of 50');
  assertEq(keys, [...keys].sort(), 'byte order');
  assertEq(keys.length, 8);
  assertEq(keys.slice(0, 3), ['user:0', 'user:1', 'user:10']);
}), { respiteOnly: true, reason: 'byte order is Respite\'s' });

test('KEYS prefix*', (s) => withNodeRedis(s, async (c) => {
  await fill(c, 200);
  assertEq((await c.keys('user:*')).length, 200);
  assertEq((await c.keys('user:19?')).sort(), range(10, (i) => `user:19${i}`));
  assertEq(await c.keys('user:7'), ['user:7']);
  assertEq(await c.keys('user:'), []);
}));

await run();
