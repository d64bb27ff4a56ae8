// What apps do with Respite, through ioredis 6 with its default options:
// the ten scenarios of issue 8, each a real assertion against a real
// server. The same ones run through redis-py (test_scenarios.py) and
// node-redis (scenarios_node_redis.mjs).
//
//  1 cache with TTLs         6 rate limit shared by two clients
//  2 prefix listing          7 a lock only its owner releases
//  3 config watch            8 secondary indexes with SINTER
//  4 event bus               9 a queue with two BRPOP workers
//  5 event store, groups    10 connection by URL with a password
//
// RESPITE_BIN=/usr/bin/redis-server runs them against Redis too; the two
// that need Respite's own commands (RATELIMIT, DELEX) are skipped there.
// Run: node tests/scenarios/scenarios_ioredis.mjs

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  ROOT, Server, assertEq, assertRejects, inbox, run, sleep, test, until, waitBlocked,
} from '../integration/harness.mjs';
import { checkSharedLimiter } from './shared_limiter.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const Redis = require('ioredis');

// Registers a scenario. fn gets app(url) (a client as an app makes it:
// new Redis(url), default options), dup(client) (its own connection, for
// blocking reads and subscribers) and the server; the database starts
// empty and every client is closed at the end.
function scenario(name, fn, opts) {
  test(`ioredis: ${name}`, async (server) => {
    const open = [];
    const track = (c) => {
      c.on('error', () => {});
      open.push(c);
      return c;
    };
    const app = (url = server.url()) => track(new Redis(url));
    const dup = (c) => track(c.duplicate());
    try {
      await app().flushall();
      await fn({ app, dup, server });
    } finally {
      for (const c of open) c.disconnect();
    }
  }, opts);
}

scenario('1 cache with TTLs, read-through', async ({ app }) => {
  const r = app();
  const loadUser = async (id) => {
    const cached = await r.get(`cache:user:${id}`);
    if (cached !== null) return [cached, 'hit'];
    const value = `user-${id}-from-db`;
    await r.set(`cache:user:${id}`, value, 'PX', 200);
    return [value, 'miss'];
  };
  assertEq(await loadUser(7), ['user-7-from-db', 'miss']);
  assertEq(await loadUser(7), ['user-7-from-db', 'hit']);
  const pttl = await r.pttl('cache:user:7');
  if (!(pttl > 0 && pttl <= 200)) throw new Error(`PTTL ${pttl}`);
  await r.set('cache:page', 'html', 'EX', 60);
  assertEq(await r.ttl('cache:page'), 60);
  // The entry goes away on time: poll, never sleep past the TTL.
  const start = Date.now();
  await until(async () => (await r.get('cache:user:7')) === null, 'expiry', 1000);
  if (Date.now() - start > 500) throw new Error(`expired after ${Date.now() - start} ms`);
  assertEq(await r.pttl('cache:user:7'), -2, 'PTTL of a gone key');
  assertEq((await loadUser(7))[1], 'miss');
});

scenario('2 key-value store with prefix listing', async ({ app }) => {
  const r = app();
  for (const key of ['logs/app.log', 'logs/error.log', 'configs/app.json']) {
    await r.set(key, `contents of ${key}`);
  }
  for (let i = 0; i < 300; i++) await r.set(`other/${i}`, i);
  const list = async (prefix) => {
    const keys = [];
    for await (const page of r.scanStream({ match: `${prefix}*` })) keys.push(...page);
    return keys.sort();
  };
  assertEq(await list('logs/'), ['logs/app.log', 'logs/error.log']);
  assertEq(await list('configs/'), ['configs/app.json']);
  assertEq(await list('nothing/'), []);
});

scenario('3 config watch through keyspace notifications', async ({ app, dup }) => {
  const r = app();
  await r.config('SET', 'notify-keyspace-events', 'KEA');
  try {
    const watcher = dup(r);
    const events = inbox();
    watcher.on('message', events.push);
    assertEq(await watcher.subscribe('__keyspace@0__:config:app'), 1);
    await r.set('config:app', '{"feature": true}');
    assertEq(await events.take(1), [['__keyspace@0__:config:app', 'set']]);
    await r.del('config:app');
    assertEq(await events.take(1), [['__keyspace@0__:config:app', 'del']]);
  } finally {
    await r.config('SET', 'notify-keyspace-events', '');
  }
});

scenario('4 event bus: channel and pattern subscribers, binary payloads', async ({ app, dup }) => {
  const pub = app();
  const bySub = inbox();
  const byPattern = inbox();
  const subscriber = dup(pub);
  const psubscriber = dup(pub);
  // The ...Buffer events carry payloads as Buffers, byte for byte.
  subscriber.on('messageBuffer', bySub.push);
  psubscriber.on('pmessageBuffer', (pattern, ...rest) => byPattern.push(...rest));
  await subscriber.subscribe('orders');
  await psubscriber.psubscribe('order*');
  const payloads = [
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Buffer.from('\x00\r\n\xff*3\r\n', 'latin1'),
    Buffer.alloc(0),
    Buffer.from('été'),
  ];
  for (const p of payloads) assertEq(await pub.publish('orders', p), 2, 'receivers');
  for (const box of [bySub, byPattern]) {
    const got = await box.take(payloads.length);
    got.forEach(([channel, msg], i) => {
      assertEq(channel.toString(), 'orders');
      assertEq(msg.equals(payloads[i]), true, `payload ${i} intact`);
    });
  }
});

scenario('5 event store: streams, paging, replay, live, consumer group', async ({ app, dup }) => {
  const r = app();
  // Per-user streams; the ms part of an ID is the event time.
  for (let i = 1; i <= 25; i++) await r.xadd('user-1', `${1000 + i}-0`, 'type', 'click', 'n', i);
  await r.xadd('user-2', '1001-0', 'type', 'view');
  // Pages of 10: the next page starts after the last ID seen.
  const pages = [];
  let cursor = '-';
  for (;;) {
    const page = await r.xrange('user-1', cursor, '+', 'COUNT', 10);
    if (page.length === 0) break;
    pages.push(page.length);
    cursor = `(${page[page.length - 1][0]}`;
  }
  assertEq(pages, [10, 10, 5], 'page sizes');
  // A time range.
  const range = await r.xrange('user-1', '1010', '1012');
  assertEq(range, [['1010-0', ['type', 'click', 'n', '10']], ['1011-0', ['type', 'click', 'n', '11']],
    ['1012-0', ['type', 'click', 'n', '12']]]);
  assertEq((await r.xrange('user-2', '-', '+')).length, 1, 'user-2 is separate');
  // Replay from 0, then follow live entries.
  const [[, replay]] = await r.xread('STREAMS', 'user-1', '0');
  assertEq(replay.length, 25, 'replayed');
  const follower = dup(r);
  const live = follower.xread('BLOCK', 5000, 'STREAMS', 'user-1', '$');
  await waitBlocked(r, 1);
  await r.xadd('user-1', '2000-0', 'type', 'buy');
  assertEq(await live, [['user-1', [['2000-0', ['type', 'buy']]]]]);

  // A consumer group: alice crashes holding 3 jobs, bob recovers them.
  await r.xgroup('CREATE', 'jobs', 'workers', '0', 'MKSTREAM');
  for (let i = 0; i < 6; i++) await r.xadd('jobs', '*', 'job', i);
  const alice = app();
  const bob = app();
  const read = async (c, name) =>
    (await c.xreadgroup('GROUP', 'workers', name, 'COUNT', 3, 'STREAMS', 'jobs', '>'))[0][1];
  const crashed = await read(alice, 'alice');
  alice.disconnect();                       // never acknowledges
  const mine = await read(bob, 'bob');
  assertEq(await bob.xack('jobs', 'workers', ...mine.map(([id]) => id)), 3);
  assertEq((await bob.xpending('jobs', 'workers'))[0], 3, 'alice\'s jobs pending');
  await sleep(50);                          // they have been idle 20 ms
  const [, claimed] = await bob.xautoclaim('jobs', 'workers', 'bob', 20, '0-0');
  assertEq(claimed, crashed, 'claimed');
  assertEq(await bob.xack('jobs', 'workers', ...claimed.map(([id]) => id)), 3);
  assertEq((await bob.xpending('jobs', 'workers'))[0], 0, 'nothing pending');
});

scenario('6 rate limit: 100 a minute, two concurrent clients', async ({ app }) => {
  const clients = [app(), app()];
  const limit = (c) => c.call('RATELIMIT', 'rl:user:42', 100, 60000);
  await checkSharedLimiter(clients, limit);
}, { respiteOnly: true, reason: 'RATELIMIT is Respite\'s' });

scenario('7 lock: acquire NX PX, only the owner releases', async ({ app }) => {
  const owner = app();
  const other = app();
  const mine = randomUUID();
  assertEq(await owner.set('lock:job42', mine, 'PX', 30000, 'NX'), 'OK');
  assertEq(await other.set('lock:job42', randomUUID(), 'PX', 30000, 'NX'), null);
  assertEq(await other.call('DELEX', 'lock:job42', 'IFEQ', 'not-the-token'), 0, 'a stranger cannot release');
  assertEq(await other.get('lock:job42'), mine, 'still held');
  // Extend: only while still ours.
  assertEq(await owner.call('SET', 'lock:job42', mine, 'PX', 30000, 'IFEQ', mine), 'OK');
  assertEq(await owner.call('DELEX', 'lock:job42', 'IFEQ', mine), 1, 'owner releases');
  assertEq(await owner.exists('lock:job42'), 0);
}, { respiteOnly: true, reason: 'DELEX is Redis 8.4\'s' });

scenario('8 secondary indexes: hashes, sets by type and day, SINTER', async ({ app }) => {
  const r = app();
  const model = new Map();                  // "type day" -> event ids
  const pipe = r.pipeline();
  for (let id = 0; id < 300; id++) {
    const type = ['click', 'view', 'buy'][id % 3];
    const day = `2026-11-0${1 + (id % 7)}`;
    pipe.hset(`event:${id}`, { type, day, user: id % 11 });
    pipe.sadd(`idx:type:${type}`, id);
    pipe.sadd(`idx:day:${day}`, id);
    const k = `${type} ${day}`;
    model.set(k, [...(model.get(k) || []), String(id)]);
  }
  const results = await pipe.exec();
  assertEq(results.every(([err]) => err === null), true, 'pipeline');
  for (const [k, ids] of model) {
    const [type, day] = k.split(' ');
    const got = await r.sinter(`idx:type:${type}`, `idx:day:${day}`);
    assertEq(got.sort(), ids.sort(), k);
  }
  // Query, then fetch the events themselves.
  const buys = await r.sinter('idx:type:buy', 'idx:day:2026-11-03');
  const events = await Promise.all(buys.map((id) => r.hgetall(`event:${id}`)));
  assertEq(events.every((e) => e.type === 'buy' && e.day === '2026-11-03'), true, 'fetched events');
  assertEq(await r.sinter('idx:type:buy', 'idx:day:2030-01-01'), [], 'no such day');
});

scenario('9 queue: one producer, two BRPOP workers', async ({ app, dup }) => {
  const producer = app();
  // A blocked connection answers nothing else: each worker has its own.
  const work = async (c) => {
    const done = [];
    for (;;) {
      const job = await c.brpop('jobs', 5);
      if (job === null) throw new Error('no job for 5 s');
      if (job[1] === 'stop') return done;
      done.push(job[1]);
    }
  };
  const workers = [work(dup(producer)), work(dup(producer))];
  await waitBlocked(producer, 2);
  for (let i = 0; i < 200; i++) await producer.lpush('jobs', `job:${i}`);
  await producer.lpush('jobs', 'stop', 'stop');
  const [a, b] = await Promise.all(workers);
  const all = [...a, ...b].sort();
  assertEq(all, Array.from({ length: 200 }, (_, i) => `job:${i}`).sort(), 'each job once');
  assertEq(a.length > 0 && b.length > 0, true, 'both workers worked');
  const num = (j) => Number(j.slice(4));
  for (const w of [a, b]) assertEq(w.every((j, i) => i === 0 || num(j) > num(w[i - 1])), true, 'FIFO');
});

scenario('10 connection by URL with a password and a database', async ({ app }) => {
  const srv = await new Server(['--requirepass', 'pw'], 'scenarios-url').start();
  try {
    const base = `redis://:pw@127.0.0.1:${srv.port}`;
    const c = app(`${base}/2`);
    assertEq(await c.set('greeting', 'hello'), 'OK');
    assertEq(await c.get('greeting'), 'hello');
    const other = app(`${base}/0`);
    assertEq(await other.get('greeting'), null, 'not in db 0');
    if (!/^db2:keys=1,/m.test(await other.info('keyspace'))) throw new Error('db2 not in INFO keyspace');
    await other.select(2);
    assertEq(await other.get('greeting'), 'hello', 'in db 2');
    const stranger = app(`redis://:wrong@127.0.0.1:${srv.port}/2`);
    await assertRejects(stranger.get('greeting'), /^WRONGPASS/, 'wrong password');
    for (const x of [c, other, stranger]) x.disconnect();
  } finally {
    srv.status = await srv.stop();
  }
  assertEq([srv.status, srv.sanitizerReport()], [0, null], 'server exit');
});

run();
