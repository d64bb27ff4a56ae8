// node-redis 6 client-side caching (RESP3 + clientSideCache): the client
// turns CLIENT TRACKING on, serves repeated GETs from its cache, and drops
// an entry when the server's invalidation push arrives after another
// client's SET (or everything after FLUSHALL).
// Run: node tests/integration/test_tracking.mjs

import { createRequire } from 'node:module';
import path from 'node:path';
import { assertEq, ROOT, run, test, until } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const { createClient, BasicClientSideCache } = require('redis');

async function connect(server, opts = {}) {
  const c = createClient({ url: server.url(), ...opts });
  c.on('error', () => {});
  await c.connect();
  return c;
}

// A caching client, its cache, the keys its cache was told to drop, and
// a plain writer.
async function setup(server) {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const dropped = [];
  cache.on('invalidate', (key) => dropped.push(key === null ? null : key.toString()));
  // Flushed before the reader connects, so its null is not counted.
  const writer = await connect(server);
  await writer.flushAll();
  const reader = await connect(server, { RESP: 3, clientSideCache: cache });
  return { cache, dropped, reader, writer };
}

test('a cached GET is invalidated by another client\'s SET', async (s) => {
  const { cache, dropped, reader, writer } = await setup(s);
  try {
    await writer.set('user:1', 'alice');
    assertEq(await reader.get('user:1'), 'alice', 'first read');
    assertEq(await reader.get('user:1'), 'alice', 'cached read');
    assertEq(cache.stats().hitCount, 1, 'hits after the second GET');
    assertEq(cache.size(), 1, 'entries');
    const info = await reader.sendCommand(['CLIENT', 'TRACKINGINFO']);
    assertEq(info.flags, ['on'], 'TRACKINGINFO flags');
    await writer.set('user:1', 'bob');
    await until(() => dropped.includes('user:1'), 'the invalidation push');
    assertEq(cache.size(), 0, 'entries after the push');
    assertEq(await reader.get('user:1'), 'bob', 'read after the SET');
    assertEq(cache.stats().missCount, 2, 'misses');
  } finally {
    reader.destroy();
    writer.destroy();
  }
});

test('expiry and FLUSHALL reach the cache too', async (s) => {
  const { cache, dropped, reader, writer } = await setup(s);
  try {
    await writer.set('short', '1', { PX: 50 });
    await writer.set('long', '2');
    assertEq(await reader.get('short'), '1', 'short before expiry');
    assertEq(await reader.get('long'), '2', 'long');
    await until(() => dropped.includes('short'), 'the expiry push');
    assertEq(await reader.get('short'), null, 'short after expiry');
    assertEq(dropped.includes(null), false, 'a null before FLUSHALL');
    await writer.flushAll();
    await until(() => dropped.includes(null), 'the flush push');
    assertEq(cache.size(), 0, 'entries after FLUSHALL');
    assertEq(await reader.get('long'), null, 'long after FLUSHALL');
  } finally {
    reader.destroy();
    writer.destroy();
  }
});

await run();
