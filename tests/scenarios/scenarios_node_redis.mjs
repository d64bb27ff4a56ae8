// What apps do with Respite, through node-redis 6 (the `redis` package)
// with its default options: the ten scenarios of issue 8, each a real
// assertion against a real server. The same ones run through redis-py
// (test_scenarios.py) and ioredis (scenarios_ioredis.mjs).
//
//  1 cache with TTLs         6 rate limit shared by two clients
//  2 prefix listing          7 a lock only its owner releases
//  3 config watch            8 secondary indexes with SINTER
//  4 event bus               9 a queue with two BRPOP workers
//  5 event store, groups    10 connection by URL with a password
//
// RESPITE_BIN=/usr/bin/redis-server runs them against Redis too; the two
// that need Respite's own commands (RATELIMIT, DELEX) are skipped there.
// Run: node tests/scenarios/scenarios_node_redis.mjs

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  ROOT, Server, assertEq, assertRejects, inbox, run, sleep, test, until, waitBlocked,
} from '../integration/harness.mjs';
import { checkSharedLimiter } from './shared_limiter.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const { createClient } = require('redis');

// Registers a scenario. fn gets app(url) (a connected client as an app
// makes it: createClient({ url }), default options), dup(client) (its own
// connection, for blocking reads and subscribers) and the server; the
// database starts empty and every client is closed at the end.
function scenario(name, fn, opts) {
  test(`node-redis: ${name}`, async (server) => {
    const open = [];
    const connect = async (c) => {
      c.on('error', () => {});
      await c.connect();
      open.push(c);
      return c;
    };
    const app = (url = server.url()) => connect(createClient({ url }));
    const dup = (c) => connect(c.duplicate());
    try {
      await (await app()).flushAll();
      await fn({ app, dup, server });
    } finally {
      for (const c of open) if (c.isOpen) c.destroy();
    }
  }, opts);
}

scenario('1 cache with TTLs, read-through', async ({ app }) => {
  const r = await app();
  const loadUser = async (id) => {
    const cached = await r.get(`cache:user:${id}`);
    if (cached !== null) return [cached, 'hit'];
    const value = `user-${id}-from-db`;
    await r.set(`cache:user:${id}`, value, { expiration: { type: 'PX', value: 200 } });
    return [value, 'miss'];
  };
  assertEq(await loadUser(7), ['user-7-from-db', 'miss']);
  assertEq(await loadUser(7), ['user-7-from-db', 'hit']);
  const pttl = await r.pTTL('cache:user:7');
  if (!(pttl > 0 && pttl <= 200)) throw new Error(`PTTL ${pttl}`);
  await r.set('cache:page', 'html', { expiration: { type: 'EX', value: 60 } });
  assertEq(await r.ttl('cache:page'), 60);
  // The entry goes away on time: poll, never sleep past the TTL.
  const start = Date.now();
  await until(async () => (await r.get('cache:user:7')) === null, 'expiry', 1000);
  if (Date.now() - start > 500) throw new Error(`expired after ${Date.now() - start} ms`);
  assertEq(await r.pTTL('cache:user:7'), -2, 'PTTL of a gone key');
  assertEq((await loadUser(7))[1], 'miss');
});

scenario('2 key-value store with prefix listing', async ({ app }) => {
  const r = await app();
  for (const key of ['logs/app.log', 'logs/error.log', 'configs/app.json']) {
    await r.set(key, `contents of ${key}`);
  }
  for (let i = 0; i < 300; i++) await r.set(`other/${i}`, String(i));
  const list = async (prefix) => {
    const keys = [];
    for await (const page of r.scanIterator({ MATCH: `${prefix}*` })) keys.push(...page);
    return keys.sort();
  };
  assertEq(await list('logs/'), ['logs/app.log', 'logs/error.log']);
  assertEq(await list('configs/'), ['configs/app.json']);
  assertEq(await list('nothing/'), []);
});

scenario('3 config watch through keyspace notifications', async ({ app, dup }) => {
  const r = await app();
  await r.configSet('notify-keyspace-events', 'KEA');
  try {
    const watcher = await dup(r);
    const events = inbox();
    await watcher.subscribe('__keyspace@0__:config:app', events.push);
    await r.set('config:app', '{"feature": true}');
    assertEq(await events.take(1), [['set', '__keyspace@0__:config:app']]);
    await r.del('config:app');
    assertEq(await events.take(1), [['del', '__keyspace@0__:config:app']]);
  } finally {
    await r.configSet('notify-keyspace-events', '');
  }
});

scenario('4 event bus: channel and pattern subscribers, binary payloads', async ({ app, dup }) => {
  const pub = await app();
  const bySub = inbox();
  const byPattern = inbox();
  // true: buffer mode, so payloads arrive as Buffers, byte for byte.
  await (await dup(pub)).subscribe('orders', bySub.push, true);
  await (await dup(pub)).pSubscribe('order*', byPattern.push, true);
  const payloads = [
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Buffer.from('\x00\r\n\xff*3\r\n', 'latin1'),
    Buffer.alloc(0),
    Buffer.from('été'),
  ];
  for (const p of payloads) assertEq(await pub.publish('orders', p), 2, 'receivers');
  for (const box of [bySub, byPattern]) {
    const got = await box.take(payloads.length);
    got.forEach(([msg, channel], i) => {
      assertEq(channel.toString(), 'orders');
      assertEq(msg.equals(payloads[i]), true, `payload ${i} intact`);
    });
  }
});

scenario('5 event store: streams, paging, replay, live, consumer group', async ({ app, dup }) => {
  const r = await app();
  // Per-user streams; the ms part of an ID is the event time.
  for (let i = 1; i <= 25; i++) {
    await r.xAdd('user-1', `${1000 + i}-0`, { type: 'click', n: String(i) });
  }
  await r.xAdd('user-2', '1001-0', { type: 'view' });
  // Pages of 10: the next page starts after the last ID seen.
  const pages = [];
  let cursor = '-';
  for (;;) {
    const page = await r.xRange('user-1', cursor, '+', { COUNT: 10 });
    if (page.length === 0) break;
    pages.push(page.length);
    cursor = `(${page[page.length - 1].id}`;
  }
  assertEq(pages, [10, 10, 5], 'page sizes');
  // A time range.
  const range = await r.xRange('user-1', '1010', '1012');
  assertEq(range.map((e) => e.id), ['1010-0', '1011-0', '1012-0']);
  assertEq(range[0].message, { type: 'click', n: '10' });
  assertEq((await r.xRange('user-2', '-', '+')).length, 1, 'user-2 is separate');
  // Replay from 0, then follow live entries.
  const [replay] = await r.xRead({ key: 'user-1', id: '0' });
  assertEq(replay.messages.length, 25, 'replayed');
  const follower = await dup(r);
  const live = follower.xRead({ key: 'user-1', id: '$' }, { BLOCK: 5000 });
  await waitBlocked(r, 1);
  await r.xAdd('user-1', '2000-0', { type: 'buy' });
  assertEq(await live, [{ name: 'user-1', messages: [{ id: '2000-0', message: { type: 'buy' } }] }]);

  // A consumer group: alice crashes holding 3 jobs, bob recovers them.
  await r.xGroupCreate('jobs', 'workers', '0', { MKSTREAM: true });
  for (let i = 0; i < 6; i++) await r.xAdd('jobs', '*', { job: String(i) });
  const alice = await app();
  const bob = await app();
  const read = async (c, name) =>
    (await c.xReadGroup('workers', name, { key: 'jobs', id: '>' }, { COUNT: 3 }))[0].messages;
  const crashed = await read(alice, 'alice');
  alice.destroy();                          // never acknowledges
  const mine = await read(bob, 'bob');
  assertEq(await bob.xAck('jobs', 'workers', mine.map((m) => m.id)), 3);
  assertEq((await bob.xPending('jobs', 'workers')).pending, 3, 'alice\'s jobs pending');
  await sleep(50);                          // they have been idle 20 ms
  const claim = await bob.xAutoClaim('jobs', 'workers', 'bob', 20, '0-0');
  assertEq(claim.messages.map((m) => m.id), crashed.map((m) => m.id), 'claimed');
  assertEq(claim.messages.map((m) => m.message.job), ['0', '1', '2']);
  assertEq(await bob.xAck('jobs', 'workers', claim.messages.map((m) => m.id)), 3);
  assertEq((await bob.xPending('jobs', 'workers')).pending, 0, 'nothing pending');
});

scenario('6 rate limit: 100 a minute, two concurrent clients', async ({ app }) => {
  const clients = [await app(), await app()];
  const limit = (c) => c.sendCommand(['RATELIMIT', 'rl:user:42', '100', '60000']);
  await checkSharedLimiter(clients, limit);
}, { respiteOnly: true, reason: 'RATELIMIT is Respite\'s' });

scenario('7 lock: acquire NX PX, only the owner releases', async ({ app }) => {
  const owner = await app();
  const other = await app();
  const mine = randomUUID();
  const px30s = { expiration: { type: 'PX', value: 30000 } };
  const ifEq = (token) => ({ condition: 'IFEQ', matchValue: token });
  assertEq(await owner.set('lock:job42', mine, { condition: 'NX', ...px30s }), 'OK');
  assertEq(await other.set('lock:job42', randomUUID(), { condition: 'NX', ...px30s }), null);
  assertEq(await other.delEx('lock:job42', ifEq('not-the-token')), 0, 'a stranger cannot release');
  assertEq(await other.get('lock:job42'), mine, 'still held');
  // Extend: only while still ours.
  assertEq(await owner.set('lock:job42', mine, { ...ifEq(mine), ...px30s }), 'OK');
  assertEq(await owner.delEx('lock:job42', ifEq(mine)), 1, 'owner releases');
  assertEq(await owner.exists('lock:job42'), 0);
}, { respiteOnly: true, reason: 'DELEX is Redis 8.4\'s' });

scenario('8 secondary indexes: hashes, sets by type and day, SINTER', async ({ app }) => {
  const r = await app();
  const model = new Map();                  // "type day" -> event ids
  const tx = r.multi();
  for (let id = 0; id < 300; id++) {
    const type = ['click', 'view', 'buy'][id % 3];
    const day = `2026-11-0${1 + (id % 7)}`;
    tx.hSet(`event:${id}`, { type, day, user: String(id % 11) });
    tx.sAdd(`idx:type:${type}`, String(id));
    tx.sAdd(`idx:day:${day}`, String(id));
    const k = `${type} ${day}`;
    model.set(k, [...(model.get(k) || []), String(id)]);
  }
  await tx.exec();
  for (const [k, ids] of model) {
    const [type, day] = k.split(' ');
    const got = await r.sInter([`idx:type:${type}`, `idx:day:${day}`]);
    assertEq(got.sort(), ids.sort(), k);
  }
  // Query, then fetch the events themselves.
  const buys = await r.sInter(['idx:type:buy', 'idx:day:2026-11-03']);
  const events = await Promise.all(buys.map((id) => r.hGetAll(`event:${id}`)));
  assertEq(events.every((e) => e.type === 'buy' && e.day === '2026-11-03'), true, 'fetched events');
  assertEq(await r.sInter(['idx:type:buy', 'idx:day:2030-01-01']), [], 'no such day');
});

scenario('9 queue: one producer, two BRPOP workers', async ({ app, dup }) => {
  const producer = await app();
  // A blocked connection answers nothing else: each worker has its own.
  const work = async (c) => {
    const done = [];
    for (;;) {
      const job = await c.brPop('jobs', 5);
      if (job === null) throw new Error('no job for 5 s');
      if (job.element === 'stop') return done;
      done.push(job.element);
    }
  };
  const workers = [work(await dup(producer)), work(await dup(producer))];
  await waitBlocked(producer, 2);
  for (let i = 0; i < 200; i++) await producer.lPush('jobs', `job:${i}`);
  await producer.lPush('jobs', ['stop', 'stop']);
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
    const c = await app(`${base}/2`);
    assertEq(await c.set('greeting', 'hello'), 'OK');
    assertEq(await c.get('greeting'), 'hello');
    const other = await app(`${base}/0`);
    assertEq(await other.get('greeting'), null, 'not in db 0');
    if (!/^db2:keys=1,/m.test(await other.info('keyspace'))) throw new Error('db2 not in INFO keyspace');
    await other.select(2);
    assertEq(await other.get('greeting'), 'hello', 'in db 2');
    // Without the password the handshake fails (by default node-redis
    // would retry for ever; reconnectStrategy: false surfaces the error).
    const stranger = createClient({ url: `redis://127.0.0.1:${srv.port}/2`,
      socket: { reconnectStrategy: false } });
    stranger.on('error', () => {});
    await assertRejects(stranger.connect(), /^NOAUTH/, 'no password');
    c.destroy();
    other.destroy();
  } finally {
    srv.status = await srv.stop();
  }
  assertEq([srv.status, srv.sanitizerReport()], [0, null], 'server exit');
});

run();
