// node-redis 6 with default options (it opens with HELLO 3 and sends
// CLIENT SETINFO): strings with TTL, multi/exec, pipelines, WATCH,
// scanIterator, SELECT through the URL, error texts, OBJECT and MEMORY
// (node-redis parses MEMORY STATS itself), OBJECT FREQ under allkeys-lfu.
// Run: node tests/integration/test_node_redis.mjs

import { createRequire } from 'node:module';
import path from 'node:path';
import { assertEq, assertRejects, ROOT, run, test } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const { createClient, WatchError } = require('redis');

async function client(server, db = 0, opts = {}) {
  const c = createClient({ url: server.url(db), ...opts });
  c.on('error', () => {});      // surfaced through the failing command instead
  await c.connect();
  return c;
}

async function withClient(server, fn, db = 0) {
  const c = await client(server, db);
  try {
    await c.flushAll();
    return await fn(c);
  } finally {
    c.destroy();
  }
}

test('connects with HELLO 3', (s) => withClient(s, async (c) => {
  const hello = await c.hello();
  assertEq(hello.proto, 3, 'proto');
  assertEq(await c.ping(), 'PONG');
  assertEq(await c.get('missing'), null, 'RESP3 null is null');
}));

test('set/get with TTL', (s) => withClient(s, async (c) => {
  assertEq(await c.set('k', 'v', { EX: 100 }), 'OK');
  assertEq(await c.get('k'), 'v');
  assertEq(await c.ttl('k'), 100);
  assertEq(await c.set('k', 'w', { NX: true }), null, 'SET NX on existing');
  assertEq(await c.set('k', 'w', { KEEPTTL: true, GET: true }), 'v', 'SET KEEPTTL GET');
  assertEq(await c.ttl('k'), 100, 'TTL kept');
  const pttl = await c.pTTL('k');
  if (!(pttl > 99000 && pttl <= 100000)) throw new Error(`PTTL ${pttl}`);
  assertEq(await c.expire('k', 50, 'GT'), 0, 'EXPIRE GT smaller');
  assertEq(await c.expire('k', 50, 'LT'), 1, 'EXPIRE LT smaller');
  assertEq(await c.persist('k'), 1);
  assertEq(await c.ttl('k'), -1);
  assertEq(await c.setEx('e', 10, 'x'), 'OK');
  assertEq(await c.getEx('e', { type: 'PERSIST' }), 'x');
  assertEq(await c.ttl('e'), -1);
  assertEq(await c.ttl('missing'), -2);
}));

test('counters and string commands', (s) => withClient(s, async (c) => {
  assertEq(await c.incr('n'), 1);
  assertEq(await c.incrBy('n', 9), 10);
  assertEq(await c.decrBy('n', 3), 7);
  assertEq(await c.incrByFloat('f', 1.25), '1.25');
  assertEq(await c.append('s', 'abc'), 3);
  assertEq(await c.getRange('s', -2, -1), 'bc');
  assertEq(await c.mSet({ a: '1', b: '2' }), 'OK');
  assertEq(await c.mGet(['a', 'nope', 'b']), ['1', null, '2']);
  assertEq(await c.exists(['a', 'b', 'nope']), 2);
  assertEq(await c.type('a'), 'string');
  assertEq(await c.del(['a', 'b']), 2);
  assertEq(await c.getDel('s'), 'abc');
  assertEq(await c.dbSize(), 2);
}));

test('binary values round trip as Buffers', (s) => withClient(s, async (c) => {
  const bin = Buffer.from([0, 13, 10, 255, 128, 0]);
  await c.set('bin', bin);
  const { RESP_TYPES } = require('redis');
  const got = await c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('bin');
  assertEq(Buffer.compare(got, bin), 0, 'binary value');
  const big = Buffer.alloc(2 * 1024 * 1024, 7);
  await c.set('big', big);
  assertEq(await c.strLen('big'), big.length);
}));

test('multi/exec and exec-time errors', (s) => withClient(s, async (c) => {
  const res = await c.multi().set('a', '1').incr('a').get('a').exec();
  assertEq(res, ['OK', 2, '2']);
  await c.set('str', 'abc');
  const e = await assertRejects(c.multi().set('x', '1').incr('str').set('y', '2').exec(),
    /1 commands failed/, 'INCR on a string inside MULTI');
  assertEq(e.errorIndexes, [1], 'failed command index');
  assertEq(e.replies[0], 'OK');
  assertEq(String(e.replies[1].message), 'ERR value is not an integer or out of range');
  assertEq(await c.mGet(['x', 'y']), ['1', '2'], 'the other commands ran');
}));

test('pipeline (execAsPipeline) of 10000 commands', (s) => withClient(s, async (c) => {
  const m = c.multi();
  for (let i = 0; i < 10000; i++) m.set(`k${i}`, String(i));
  const res = await m.execAsPipeline();
  assertEq(res.length, 10000);
  assertEq(await c.dbSize(), 10000);
  // and implicit pipelining: many commands in flight at once
  const gets = await Promise.all(Array.from({ length: 5000 }, (_, i) => c.get(`k${i}`)));
  assertEq(gets[4999], '4999');
}));

test('WATCH conflict surfaces WatchError', (s) => withClient(s, async (c) => {
  const other = await client(s);
  try {
    await c.set('w', '1');
    // WATCH state is per connection: use a dedicated client for it.
    const iso = await client(s);
    let err;
    try {
      await iso.watch('w');
      await other.set('w', '2');
      await iso.multi().set('w', '3').exec();
    } catch (e) {
      err = e;
    } finally {
      iso.destroy();
    }
    if (!(err instanceof WatchError)) throw new Error(`wanted WatchError, got ${err}`);
    assertEq(await c.get('w'), '2', 'the conflicting transaction did not run');
  } finally {
    other.destroy();
  }
}));

test('scanIterator visits every key', (s) => withClient(s, async (c) => {
  const m = c.multi();
  for (let i = 0; i < 1500; i++) m.set(`scan:${i}`, 'x');
  for (let i = 0; i < 100; i++) m.set(`other:${i}`, 'x');
  await m.execAsPipeline();
  const seen = new Set();
  for await (const keys of c.scanIterator({ MATCH: 'scan:*', COUNT: 100 })) {
    for (const k of keys) seen.add(k);
  }
  assertEq(seen.size, 1500, 'keys found by SCAN MATCH');
  const all = new Set();
  for await (const keys of c.scanIterator({ TYPE: 'string' })) keys.forEach((k) => all.add(k));
  assertEq(all.size, 1600);
}));

test('SELECT via URL and SWAPDB', async (s) => {
  const c0 = await client(s, 0);
  const c7 = await client(s, 7);
  try {
    await c0.flushAll();
    await c7.set('k', 'seven');
    assertEq(await c0.get('k'), null);
    assertEq(await c0.swapDb(0, 7), 'OK');
    assertEq(await c0.get('k'), 'seven');
    await assertRejects(c0.select(16), /DB index is out of range/);
  } finally {
    c0.destroy();
    c7.destroy();
  }
});

test('error texts surface', (s) => withClient(s, async (c) => {
  await c.set('s', 'x');
  await assertRejects(c.incr('s'), /^ERR value is not an integer or out of range$/);
  await assertRejects(c.sendCommand(['NOSUCHCMD', 'a']),
    /^ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' $/);
  await assertRejects(c.sendCommand(['GET']), /^ERR wrong number of arguments for 'get' command$/);
  await assertRejects(c.sendCommand(['SET', 'a', 'b', 'NX', 'XX']), /^ERR syntax error$/);
  await assertRejects(c.rename('nope', 'x'), /^ERR no such key$/);
  await assertRejects(c.sendCommand(['HELLO', '4']), /^NOPROTO unsupported protocol version$/);
  assertEq(await c.ping(), 'PONG', 'connection still usable after errors');
}));

test('auth with password', async () => {
  const { Server } = await import('./harness.mjs');
  const s = await new Server(['--requirepass', 'pw'], 'node_redis_auth').start();
  try {
    const bad = createClient({ url: `redis://:wrong@127.0.0.1:${s.port}`,
      socket: { reconnectStrategy: false } });
    bad.on('error', () => {});
    await assertRejects(bad.connect(), /WRONGPASS/, 'wrong password');
    await bad.destroy();
    const good = await client(s, 0, { password: 'pw' });
    assertEq(await good.set('k', 'v'), 'OK');
    good.destroy();
  } finally {
    const st = await s.stop();
    assertEq(st, 0, 'auth server exit status');
  }
});

test('OBJECT and MEMORY through the client (RESP3 and RESP2)', (s) => withClient(s, async (c) => {
  await c.set('n', '123');
  await c.set('s', 'x'.repeat(100));
  await c.rPush('l', ['a', 'b']);
  assertEq(await c.objectEncoding('n'), 'int', 'encoding of 123');
  assertEq(await c.objectEncoding('s'), 'raw', 'encoding of 100 bytes');
  assertEq(await c.objectEncoding('l'), 'quicklist', 'encoding of a list');
  assertEq(await c.objectEncoding('missing'), null, 'encoding of nothing');
  assertEq(await c.objectRefCount('n'), 2147483647, 'shared integer');
  assertEq(await c.objectRefCount('s'), 1, 'refcount');
  const usage = await c.memoryUsage('s');
  assertEq(typeof usage === 'number' && usage > 100, true, `usage ${usage}`);
  assertEq(await c.memoryUsage('missing'), null, 'usage of nothing');
  assertEq(await c.memoryUsage('s', { SAMPLES: 0 }), usage, 'SAMPLES 0');
  // node-redis parses MEMORY STATS itself: a map in RESP3, pairs in RESP2.
  const st3 = await c.memoryStats();
  assertEq(st3['keys.count'], 3, 'keys.count (RESP3)');
  const r2 = await client(s, 0, { RESP: 2 });
  try {
    const st2 = await r2.memoryStats();
    assertEq(st2['keys.count'], 3, 'keys.count (RESP2)');
    assertEq(typeof st2['dataset.percentage'], 'number', 'a ratio is a number');
    assertEq(await r2.objectEncoding('n'), 'int', 'encoding (RESP2)');
  } finally {
    r2.destroy();
  }
}));

test('OBJECT FREQ under allkeys-lfu', async () => {
  const { Server } = await import('./harness.mjs');
  const s = await new Server(['--maxmemory-policy', 'allkeys-lfu',
    '--lfu-log-factor', '0', '--lfu-decay-time', '0'], 'node_redis_lfu').start();
  try {
    const c = await client(s);
    await c.set('k', 'v');
    for (let i = 0; i < 10; i++) await c.get('k');
    assertEq(await c.objectFreq('k'), 15, 'one a read with lfu-log-factor 0');
    await assertRejects(c.objectIdleTime('k'), /An LFU maxmemory policy is selected/,
      'IDLETIME under LFU');
    c.destroy();
  } finally {
    assertEq(await s.stop(), 0, 'lfu server exit status');
  }
});

test('TTL expiry with DEBUG JUMP-CLOCK', (s) => withClient(s, async (c) => {
  await c.set('k', 'v', { PX: 1500 });
  assertEq(await c.sendCommand(['DEBUG', 'JUMP-CLOCK', '2000']), 'OK');
  assertEq(await c.get('k'), null);
}), { respiteOnly: true, reason: 'needs DEBUG JUMP-CLOCK' });

run();
