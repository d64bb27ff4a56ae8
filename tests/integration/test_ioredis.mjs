// ioredis 6 with default options (HELLO 3, CLIENT SETINFO, then an INFO
// ready check): strings with TTL, pipeline and multi, WATCH, scanStream,
// db in the URL, error texts, maxmemory (OOM errors, evicted events).
// Run: node tests/integration/test_ioredis.mjs

import { createRequire } from 'node:module';
import path from 'node:path';
import { assertEq, assertRejects, ROOT, run, Server, test } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const Redis = require('ioredis');

function client(server, db = 0, opts = {}) {
  const c = new Redis(server.url(db), { lazyConnect: true, ...opts });
  c.on('error', () => {});
  return c;
}

async function withClient(server, fn) {
  const c = client(server);
  await c.connect();
  try {
    await c.flushall();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

test('ready check passes and RESP3 is on', (s) => withClient(s, async (c) => {
  assertEq(c.status, 'ready');
  assertEq(await c.ping(), 'PONG');
  assertEq(await c.get('missing'), null);
  const info = await c.info('server');
  if (!/redis_version:|# Server/.test(info)) throw new Error(`INFO server: ${info.slice(0, 200)}`);
}));

test('set/get with TTL', (s) => withClient(s, async (c) => {
  assertEq(await c.set('k', 'v', 'EX', 100), 'OK');
  assertEq(await c.ttl('k'), 100);
  assertEq(await c.set('k', 'v2', 'PX', 5000, 'XX'), 'OK');
  const pttl = await c.pttl('k');
  if (!(pttl > 4000 && pttl <= 5000)) throw new Error(`PTTL ${pttl}`);
  assertEq(await c.set('k', 'v3', 'KEEPTTL', 'GET'), 'v2');
  assertEq(await c.expire('k', 10, 'NX'), 0);
  assertEq(await c.expireat('k', 4102444800), 1);
  assertEq(await c.expiretime('k'), 4102444800);
  assertEq(await c.getex('k', 'PERSIST'), 'v3');
  assertEq(await c.ttl('k'), -1);
  assertEq(await c.psetex('p', 60000, 'x'), 'OK');
  assertEq(await c.copy('p', 'p2'), 1);
  const ttl2 = await c.pttl('p2');
  if (!(ttl2 > 59000 && ttl2 <= 60000)) throw new Error(`COPY PTTL ${ttl2}`);
}));

test('counters, ranges, binary', (s) => withClient(s, async (c) => {
  assertEq(await c.incrby('n', 5), 5);
  assertEq(await c.decr('n'), 4);
  assertEq(await c.incrbyfloat('f', '0.1'), '0.1');
  assertEq(await c.incrbyfloat('f', '0.2'), '0.3');
  assertEq(await c.setrange('s', 3, 'abc'), 6);
  assertEq(await c.getrangeBuffer('s', 0, -1), Buffer.from('\0\0\0abc'));
  const bin = Buffer.from([0, 1, 2, 13, 10, 255]);
  await c.set(Buffer.from('k\0ey'), bin);
  assertEq(Buffer.compare(await c.getBuffer(Buffer.from('k\0ey')), bin), 0);
  assertEq(await c.msetnx('m1', 'a', 'm2', 'b'), 1);
  assertEq(await c.mget('m1', 'm2', 'none'), ['a', 'b', null]);
}));

test('pipeline of 10000 commands', (s) => withClient(s, async (c) => {
  const p = c.pipeline();
  for (let i = 0; i < 10000; i++) p.incr('counter');
  const res = await p.exec();
  assertEq(res.length, 10000);
  assertEq(res[9999], [null, 10000]);
  assertEq(await c.get('counter'), '10000');
}));

test('multi/exec and errors inside', (s) => withClient(s, async (c) => {
  const res = await c.multi().set('a', '1').incr('a').get('a').exec();
  assertEq(res, [[null, 'OK'], [null, 2], [null, '2']]);
  await c.set('str', 'x');
  const res2 = await c.multi().incr('str').set('b', '1').exec();
  assertEq(String(res2[0][0] && res2[0][0].message), 'ERR value is not an integer or out of range');
  assertEq(res2[1], [null, 'OK']);
  // a queue-time error aborts the transaction
  await assertRejects(c.multi().set('c', '1').call('NOSUCHCMD').exec(), /EXECABORT/);
  assertEq(await c.exists('c'), 0);
}));

test('WATCH conflict gives a null EXEC', (s) => withClient(s, async (c) => {
  const other = client(s);
  await other.connect();
  try {
    await c.set('w', '1');
    await c.watch('w');
    await other.set('w', '2');
    const res = await c.multi().set('w', '3').exec();
    assertEq(res, null, 'EXEC result after a WATCH conflict');
    assertEq(await c.get('w'), '2');
    await c.watch('w');
    assertEq(await c.multi().set('w', '4').exec(), [[null, 'OK']]);
  } finally {
    other.disconnect();
  }
}));

test('scanStream returns every key', (s) => withClient(s, async (c) => {
  const p = c.pipeline();
  for (let i = 0; i < 1200; i++) p.set(`u:${i}`, '1');
  p.set('zz', '1');
  await p.exec();
  const seen = new Set();
  await new Promise((resolve, reject) => {
    const st = c.scanStream({ match: 'u:*', count: 50 });
    st.on('data', (keys) => keys.forEach((k) => seen.add(k)));
    st.on('end', resolve);
    st.on('error', reject);
  });
  assertEq(seen.size, 1200);
}));

test('db in the URL', async (s) => {
  const c3 = client(s, 3);
  const c0 = client(s, 0);
  await c3.connect();
  await c0.connect();
  try {
    await c0.flushall();
    await c3.set('k', 'three');
    assertEq(await c0.get('k'), null);
    assertEq(await c0.move('k', 3), 0, 'MOVE of a key not in db 0');
    assertEq(await c3.move('k', 0), 1);
    assertEq(await c0.get('k'), 'three');
  } finally {
    c3.disconnect();
    c0.disconnect();
  }
});

test('error texts surface', (s) => withClient(s, async (c) => {
  await c.set('s', 'x');
  await assertRejects(c.incr('s'), /^ERR value is not an integer or out of range$/);
  await assertRejects(c.call('GET'), /^ERR wrong number of arguments for 'get' command$/);
  await assertRejects(c.call('NOSUCH', 'x', 'y'),
    /^ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' $/);
  await assertRejects(c.select(100), /^ERR DB index is out of range$/);
  await assertRejects(c.setex('k', 0, 'v'), /^ERR invalid expire time in 'setex' command$/);
  await assertRejects(c.incrbyfloat('s', 1), /^ERR value is not a valid float$/);
  assertEq(await c.ping(), 'PONG');
}));

test('maxmemory: OOM surfaces as an error, evictions as events', async () => {
  const s = await new Server(['--maxmemory-policy', 'noeviction'], 'ioredis_oom').start();
  const c = client(s);
  const sub = client(s);
  try {
    await c.connect();
    await sub.connect();
    await c.set('keep', 'v');
    await c.set('vol', 'v', 'EX', 1000);
    assertEq(await c.config('SET', 'maxmemory', '1'), 'OK');
    const oom = /^OOM command not allowed when used memory > 'maxmemory'\.$/;
    await assertRejects(c.set('k', 'v'), oom, 'SET over the limit');
    await assertRejects(c.lpush('l', 'a'), oom, 'LPUSH over the limit');
    assertEq(await c.get('keep'), 'v', 'GET still answers');
    await assertRejects(c.multi().get('keep').exec(), /EXECABORT/, 'MULTI over the limit');
    // volatile-lru takes the key with a TTL only, and says so.
    await c.config('SET', 'notify-keyspace-events', 'Ee');
    const events = [];
    sub.on('message', (ch, msg) => events.push(`${ch} ${msg}`));
    await sub.subscribe('__keyevent@0__:evicted');
    await c.config('SET', 'maxmemory-policy', 'volatile-lru');
    assertEq(await c.ping(), 'PONG');
    assertEq(await c.exists('vol', 'keep'), 1);
    assertEq(await c.get('keep'), 'v');
    await assertRejects(c.set('k', 'v'), oom, 'SET once nothing is left to evict');
    for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assertEq(events, ['__keyevent@0__:evicted vol'], 'evicted events');
    assertEq(await c.config('SET', 'maxmemory', '0'), 'OK');
    assertEq(await c.set('k', 'v'), 'OK');
  } finally {
    c.disconnect();
    sub.disconnect();
    assertEq(await s.stop(), 0, 'oom server exit status');
  }
});

test('password and wrong password', async () => {
  const s = await new Server(['--requirepass', 'pw'], 'ioredis_auth').start();
  try {
    const bad = new Redis(s.port, '127.0.0.1', { password: 'no', lazyConnect: true,
      retryStrategy: () => null, maxRetriesPerRequest: 0 });
    const errors = [];
    bad.on('error', (e) => errors.push(String(e && e.message)));
    await assertRejects(bad.connect(), /./, 'connect with a wrong password');
    bad.disconnect();
    if (!errors.some((m) => /WRONGPASS invalid username-password pair/.test(m))) {
      throw new Error(`no WRONGPASS error event: ${JSON.stringify(errors)}`);
    }
    const good = new Redis(s.port, '127.0.0.1', { password: 'pw', lazyConnect: true });
    good.on('error', () => {});
    await good.connect();
    assertEq(await good.set('k', 'v'), 'OK');
    good.disconnect();
  } finally {
    assertEq(await s.stop(), 0, 'auth server exit status');
  }
});

test('TTL expiry with DEBUG JUMP-CLOCK', (s) => withClient(s, async (c) => {
  await c.set('k', 'v', 'EX', 5);
  assertEq(await c.call('DEBUG', 'JUMP-CLOCK', '5001'), 'OK');
  assertEq(await c.exists('k'), 0);
  assertEq(await c.ttl('k'), -2);
}), { respiteOnly: true, reason: 'needs DEBUG JUMP-CLOCK' });

run();
