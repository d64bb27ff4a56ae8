// npm libraries that real Node apps put on Redis, unchanged, on a real
// server (versions pinned in tests/package.json):
// - rate-limiter-flexible 11: RateLimiterRedis on ioredis (its Lua script
//   by EVALSHA, and MULTI for get, block and set) and on node-redis (EVAL);
//   points per window, msBeforeNext, blockDuration, block(), two limiters
//   on one key, concurrent consumes admitting exactly the limit, the
//   black and white list wrapper and the insurance limiter taking over
//   when the script fails.
// - redlock 5 on ioredis: acquire, extend, release by the owner only, a
//   second acquirer refused while the lock is held, using() extending on
//   its own, multi-resource locks all or nothing, and the quorum over
//   three servers with one and then two of them stopped.
// - @socket.io/redis-adapter 8 between two socket.io 4 servers on two
//   loopback ports sharing this server: the classic adapter (PUBLISH,
//   PSUBSCRIBE, PUBSUB NUMSUB) on node-redis (RESP3 push frames, and
//   RESP2 subscriber mode) and on ioredis, the sharded one (SPUBLISH,
//   SSUBSCRIBE, PUBSUB SHARDNUMSUB) on ioredis: room broadcasts reaching
//   the other server's clients (binary, a burst of 300 in order, 1 MB),
//   fetchSockets, remote emit, socketsJoin, disconnectSockets,
//   serverSideEmit with acks.
// - connect-redis 9 + express-session: the session a JSON key whose TTL
//   is the cookie's maxAge, touch, destroy, expiry, clear.
// Each test reads what the library left on the server with a plain client
// (keys, values, TTLs, subscriptions). Time is real, with short sleeps
// (about 3 s in all): the libraries keep time on the Node side too (lock
// expiry and extension timers, msBeforeNext), which a server clock jump
// would not move. These pass on redis-server too
// (RESPITE_BIN=/usr/bin/redis-server).
// Run: node tests/integration/test_node_apps.mjs

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  assertEq, assertRejects, inbox, ROOT, run, Server, sleep, test, until, withIoredis,
} from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const Redis = require('ioredis');
const { createClient } = require('redis');
const {
  RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperBlackAndWhite,
} = require('rate-limiter-flexible');
const { default: Redlock, ExecutionError, Lock, ResourceLockedError } = require('redlock');
const { Server: IoServer } = require('socket.io');
const { io: ioClient } = require('socket.io-client');
const { createAdapter, createShardedAdapter } = require('@socket.io/redis-adapter');
const session = require('express-session');
const { RedisStore } = require('connect-redis');

// Runs fn(open) and then closes, last first, everything fn opened:
// open(x, close) registers close (an async function) and returns x.
async function scoped(fn) {
  const closers = [];
  try {
    return await fn((x, close) => { closers.push(close); return x; });
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

// A test: fn(s, plain, open) with s the shared server, plain an ioredis
// client of it after FLUSHALL (withIoredis) to read the server's state,
// and open as scoped() gives it. (An error a library throws where nobody
// awaits it, a rejected subscribe inside the socket.io adapter, fails the
// test: harness.mjs's run() catches it.)
function app(fn) {
  return (s) => withIoredis(s, (plain) => scoped((open) => fn(s, plain, open)));
}

// An ioredis client of server, connected; closed by open's scope (QUIT,
// so replies still in flight arrive first).
async function ioredis(server, open, opts = {}) {
  const c = new Redis(server.url(), { lazyConnect: true, ...opts });
  c.on('error', () => {});
  await c.connect();
  return open(c, async () => { if (c.status === 'ready') await c.quit(); else c.disconnect(); });
}

// The same with node-redis (close() waits for pending replies).
async function nodeRedis(server, open, opts = {}) {
  const c = createClient({ url: server.url(), ...opts });
  c.on('error', () => {});
  await c.connect();
  return open(c, async () => { if (c.isOpen) await c.close(); });
}

// What a rejected promise rejected with (a RateLimiterRes when a limiter
// refuses); fails if it resolved.
async function rejection(promise, what) {
  let v;
  try {
    v = await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`${what}: resolved with ${v}`);
}

// Throws unless lo < v <= hi.
function assertIn(v, lo, hi, what) {
  if (!(typeof v === 'number' && v > lo && v <= hi)) throw new Error(`${what}: ${v} not in (${lo}, ${hi}]`);
}

const res = (r) => [r.consumedPoints, r.remainingPoints, r.isFirstInDuration];

// ---------------------------------------------------------------------------
// rate-limiter-flexible
// ---------------------------------------------------------------------------

test('rate-limiter-flexible: consume, get, penalty, reward and delete', app(async (s, plain, open) => {
  const rl = new RateLimiterRedis({
    storeClient: await ioredis(s, open), keyPrefix: 'login', points: 5, duration: 10,
  });
  const seen = [];
  for (let i = 0; i < 5; i++) {
    const r = await rl.consume('alice');
    seen.push(res(r));
    assertIn(r.msBeforeNext, 9000, 10000, `msBeforeNext of consume ${i + 1}`);
  }
  assertEq(seen, [[1, 4, true], [2, 3, false], [3, 2, false], [4, 1, false], [5, 0, false]], 'five consumes');
  const refused = await rejection(rl.consume('alice'), 'sixth consume');
  if (!(refused instanceof RateLimiterRes)) throw refused;
  assertEq(res(refused), [6, 0, false], 'sixth consume');
  assertIn(refused.msBeforeNext, 9000, 10000, 'msBeforeNext when refused');

  // The window is one key holding the count, with the window's TTL.
  assertEq(await plain.get('login:alice'), '6', 'counter on the server');
  const pttl = await plain.pttl('login:alice');
  assertIn(pttl, 9000, 10000, 'PTTL of the counter');
  const got = await rl.get('alice');
  assertEq(res(got), [6, 0, false], 'get');
  assertIn(got.msBeforeNext, pttl - 1000, pttl, 'get msBeforeNext');

  assertEq(res(await rl.penalty('alice', 2)), [8, 0, false], 'penalty 2');
  assertEq(res(await rl.reward('alice', 5)), [3, 2, false], 'reward 5');
  assertEq(await plain.get('login:alice'), '3', 'counter after penalty and reward');
  assertIn(await plain.pttl('login:alice'), 8000, pttl, 'penalty and reward keep the window');

  assertEq(res(await rl.consume('bob', 3)), [3, 2, true], 'consume 3 points');
  assertEq(res(await rejection(rl.consume('bob', 3), 'over the limit')), [6, 0, false], 'consume 3 more');
  assertEq(await rl.get('nobody'), null, 'get of an unknown key');
  assertEq((await plain.keys('*')).sort(), ['login:alice', 'login:bob'], 'keys');

  assertEq(await rl.delete('alice'), true, 'delete');
  assertEq(await rl.delete('alice'), false, 'delete again');
  assertEq(await rl.get('alice'), null, 'get after delete');
  assertEq(await plain.keys('*'), ['login:bob'], 'keys after delete');
  assertEq(res(await rl.consume('alice')), [1, 4, true], 'a new window after delete');
}));

test('rate-limiter-flexible: the window ends; duration 0; set()', app(async (s, plain, open) => {
  const client = await ioredis(s, open);
  const rl = new RateLimiterRedis({ storeClient: client, keyPrefix: 'win', points: 2, duration: 1 });
  await rl.consume('k');
  await rl.consume('k');
  const refused = await rejection(rl.consume('k'), 'third consume');
  assertEq(res(refused), [3, 0, false], 'third consume');
  assertIn(refused.msBeforeNext, 0, 1000, 'msBeforeNext');
  await sleep(refused.msBeforeNext + 30);
  assertEq(await plain.exists('win:k'), 0, 'counter expired');
  assertEq(res(await rl.consume('k')), [1, 1, true], 'a new window');
  assertIn(await plain.pttl('win:k'), 500, 1000, 'new window PTTL');

  // duration 0: a counter that never expires (INCRBY and PTTL in MULTI).
  const forever = new RateLimiterRedis({ storeClient: client, keyPrefix: 'ever', points: 3, duration: 0 });
  const r = await forever.consume('k', 2);
  assertEq([...res(r), r.msBeforeNext], [2, 1, true, -1], 'consume with no duration');
  assertEq([await plain.get('ever:k'), await plain.ttl('ever:k')], ['2', -1], 'counter without TTL');

  // set(): SET EX in MULTI.
  const set = await rl.set('z', 7, 30);
  assertEq([set.consumedPoints, set.msBeforeNext], [7, 30000], 'set result');
  assertEq(await plain.get('win:z'), '7', 'set value');
  assertIn(await plain.pttl('win:z'), 29000, 30000, 'set PTTL');
}));

test('rate-limiter-flexible: blockDuration and block()', app(async (s, plain, open) => {
  const rl = new RateLimiterRedis({
    storeClient: await ioredis(s, open), keyPrefix: 'blk', points: 2, duration: 5, blockDuration: 30,
  });
  await rl.consume('k');
  await rl.consume('k');
  const first = await rejection(rl.consume('k'), 'third consume');
  assertEq([first.consumedPoints, first.msBeforeNext], [3, 30000], 'the consume over the limit blocks');
  assertEq(await plain.get('blk:k'), '3', 'blocked counter');
  const blocked = await plain.pttl('blk:k');
  assertIn(blocked, 29000, 30000, 'PTTL is the block duration, not the window');
  const again = await rejection(rl.consume('k'), 'fourth consume');
  assertEq(again.consumedPoints, 4, 'fourth consume counted');
  assertIn(again.msBeforeNext, blocked - 1000, blocked, 'the block is not renewed');

  const b = await rl.block('other', 60);
  assertEq([b.consumedPoints, b.msBeforeNext], [3, 60000], 'block()');
  assertEq(await plain.get('blk:other'), '3', 'block() stores points + 1');
  assertIn(await plain.pttl('blk:other'), 59000, 60000, 'block() PTTL');
  assertEq((await rejection(rl.consume('other'), 'consume while blocked')).consumedPoints, 4);
  await rl.delete('other');
  assertEq(res(await rl.consume('other')), [1, 1, true], 'consume after delete');
}));

test('rate-limiter-flexible: shared key; concurrent consumes admit the limit', app(async (s, plain, open) => {
  const opts = { keyPrefix: 'api', points: 20, duration: 30 };
  const a = new RateLimiterRedis({ storeClient: await ioredis(s, open), ...opts });
  const b = new RateLimiterRedis({ storeClient: await ioredis(s, open), ...opts });
  // node-redis takes the EVAL path (no defineCommand).
  const n = new RateLimiterRedis({ storeClient: await nodeRedis(s, open), useRedisPackage: true, ...opts });
  for (let i = 0; i < 3; i++) await a.consume('u');
  assertEq(res(await b.consume('u')), [4, 16, false], 'b sees a\'s consumes');
  assertEq(res(await n.consume('u', 2)), [6, 14, false], 'node-redis sees both');
  assertEq(res(await n.get('u')), [6, 14, false], 'get through node-redis');
  assertEq(await plain.get('api:u'), '6');
  assertEq(res(await b.reward('u', 6)), [0, 20, false], 'reward to zero');
  assertEq(await a.delete('u'), true);

  const limiters = [a, b, n];
  const outcomes = await Promise.allSettled(
    Array.from({ length: 150 }, (_, i) => limiters[i % 3].consume('u')));
  const admitted = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.consumedPoints);
  const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.consumedPoints);
  const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  assertEq(admitted.sort((x, y) => x - y), range(1, 20), 'admitted counts');
  assertEq(refused.sort((x, y) => x - y), range(21, 150), 'refused counts');
  assertEq(await plain.get('api:u'), '150', 'one counter for all');
  assertIn(await plain.pttl('api:u'), 28000, 30000, 'one window for all');
}));

test('rate-limiter-flexible: black and white lists, insurance limiter', app(async (s, plain, open) => {
  const client = await ioredis(s, open);
  const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: 'bw', points: 1, duration: 10 });
  const bw = new RLWrapperBlackAndWhite({ limiter, blackList: ['6.6.6.6'], whiteList: ['127.0.0.1'] });
  const black = await rejection(bw.consume('6.6.6.6'), 'blacklisted');
  assertEq(black.msBeforeNext, Number.MAX_SAFE_INTEGER, 'blacklisted msBeforeNext');
  for (let i = 0; i < 3; i++) {
    assertEq((await bw.consume('127.0.0.1')).remainingPoints, Number.MAX_SAFE_INTEGER, 'whitelisted');
  }
  await bw.consume('10.0.0.1');
  assertEq((await rejection(bw.consume('10.0.0.1'), 'second consume')).consumedPoints, 2);
  assertEq(await plain.keys('*'), ['bw:10.0.0.1'], 'only the listed-nowhere key is stored');
  // runActionAnyway: the blacklisted key is refused but still counted.
  const counting = new RLWrapperBlackAndWhite({ limiter, blackList: ['6.6.6.6'], runActionAnyway: true });
  await rejection(counting.consume('6.6.6.6'), 'blacklisted, counted');
  await until(async () => (await plain.get('bw:6.6.6.6')) === '1', 'the counted blacklisted key');

  // A key of another type makes the script's INCRBY fail (WRONGTYPE):
  // the error reaches the caller, or the insurance limiter takes over.
  await plain.hset('bw:broken', 'f', 'v');
  await assertRejects(limiter.consume('broken'), /WRONGTYPE/, 'consume on a hash');
  const insured = new RateLimiterRedis({
    storeClient: client, keyPrefix: 'bw', points: 1, duration: 10,
    insuranceLimiter: new RateLimiterMemory({ points: 1, duration: 10 }),
  });
  assertEq(res(await insured.consume('broken')), [1, 0, true], 'insurance consume');
  assertEq((await rejection(insured.consume('broken'), 'insurance refuses')).consumedPoints, 2);
  assertEq([await plain.type('bw:broken'), await plain.hgetall('bw:broken')], ['hash', { f: 'v' }],
    'hash untouched');
}));

// ---------------------------------------------------------------------------
// redlock
// ---------------------------------------------------------------------------

test('redlock: acquire, refuse, extend, release by the owner only', app(async (s, plain, open) => {
  await plain.script('FLUSH');
  const one = new Redlock([await ioredis(s, open)], { retryCount: 0 });
  const two = new Redlock([await ioredis(s, open)], { retryCount: 2, retryDelay: 30, retryJitter: 0 });
  const lock = await one.acquire(['lock:a'], 2000);
  assertEq(await plain.get('lock:a'), lock.value, 'the lock key holds the owner\'s value');
  assertIn(await plain.pttl('lock:a'), 1500, 2000, 'lock PTTL');
  // EVALSHA missed (NOSCRIPT), then EVAL cached the script.
  assertEq(await plain.script('EXISTS', one.scripts.acquireScript.hash, one.scripts.releaseScript.hash),
    [1, 0], 'scripts cached');

  const refused = await rejection(two.acquire(['lock:a'], 2000), 'second acquirer');
  if (!(refused instanceof ExecutionError)) throw refused;
  assertEq(refused.attempts.length, 3, 'tries of the second acquirer');
  const stats = await refused.attempts[2];
  const against = [...stats.votesAgainst.values()].map((e) => e instanceof ResourceLockedError);
  assertEq([stats.votesFor.size, against], [0, [true]], 'its votes: one against, the resource locked');
  assertEq(await plain.get('lock:a'), lock.value, 'the refused acquirer left the lock alone');

  const longer = await lock.extend(5000);
  assertEq(longer.value, lock.value, 'extend keeps the value');
  assertIn(await plain.pttl('lock:a'), 4000, 5000, 'PTTL after extend');
  await assertRejects(lock.extend(5000), /already-expired/, 'extending the replaced lock');

  // Another value (someone who lost the lock) neither releases nor extends it.
  // (release() zeroes the Lock's expiration, so extend first.)
  const stranger = new Lock(two, ['lock:a'], 'not-the-owner', [], Date.now() + 5000);
  await assertRejects(two.extend(stranger, 9000, { retryCount: 0 }), /quorum/, 'extend by another value');
  await assertRejects(two.release(stranger, { retryCount: 0 }), /quorum/, 'release by another value');
  assertEq(await plain.get('lock:a'), lock.value, 'still the owner\'s');
  assertIn(await plain.pttl('lock:a'), 3000, 5000, 'PTTL not changed by the stranger');

  await longer.release();
  assertEq(await plain.exists('lock:a'), 0, 'released');
  const next = await two.acquire(['lock:a'], 2000);
  assertEq(await plain.get('lock:a'), next.value, 'the second acquirer gets it now');
  await next.release();

  // A waiting acquirer gets the lock once the holder releases it.
  const held = await one.acquire(['lock:b'], 5000);
  const waiting = new Redlock([await ioredis(s, open)], { retryCount: 50, retryDelay: 20, retryJitter: 0 });
  const pending = waiting.acquire(['lock:b'], 5000);
  await sleep(100);
  await held.release();
  const taken = await pending;
  assertEq(await plain.get('lock:b'), taken.value, 'taken after release');
  if (!(taken.attempts.length > 1)) throw new Error(`waiter took it in ${taken.attempts.length} attempt(s)`);
  await taken.release();

  // A lock left to expire frees its key.
  const short = await one.acquire(['lock:c'], 200);
  await until(async () => (await plain.exists('lock:c')) === 0, 'the lock to expire', 2000);
  if (Date.now() < short.expiration) throw new Error('key gone before the lock\'s own expiration');
  await (await two.acquire(['lock:c'], 1000)).release();
}));

test('redlock: multi-resource locks are all or nothing; using() extends', app(async (s, plain, open) => {
  const redlock = new Redlock([await ioredis(s, open)], { retryCount: 0 });
  const both = await redlock.acquire(['res:1', 'res:2'], 3000);
  assertEq([await plain.get('res:1'), await plain.get('res:2')], [both.value, both.value], 'both keys');
  await both.release();
  assertEq(await plain.exists('res:1', 'res:2'), 0, 'both released');

  const r2 = await redlock.acquire(['res:2'], 3000);
  await rejection(redlock.acquire(['res:1', 'res:2', 'res:3'], 3000), 'overlapping lock');
  assertEq(await plain.keys('res:*'), ['res:2'], 'nothing half-locked');
  assertEq(await plain.get('res:2'), r2.value);
  await r2.release();

  // using(): an 800 ms lock held for 2 s, extended 400 ms before it
  // would run out; sampled every 50 ms.
  let value = null;
  let gaps = 0;
  let aborted = null;
  const out = await redlock.using(['job'], 800, { automaticExtensionThreshold: 400 }, async (signal) => {
    value = await plain.get('job');
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      const [v, pttl] = [await plain.get('job'), await plain.pttl('job')];
      if (v !== value || !(pttl > 0 && pttl <= 800)) gaps++;
      await sleep(50);
    }
    aborted = signal.aborted;
    return 'done';
  });
  assertEq(out, 'done');
  if (typeof value !== 'string' || value.length !== 32) throw new Error(`lock value ${value}`);
  assertEq([gaps, aborted], [0, false], 'held throughout, never aborted');
  assertEq(await plain.exists('job'), 0, 'released after the routine');
}));

test('redlock: quorum over three servers', app(async (s, plain, open) => {
  const extra = [];
  for (let i = 0; i < 2; i++) {
    const srv = await new Server([], 'test_node_apps-redlock').start();
    extra.push(srv);
    open(srv, async () => { srv.kill(); });
  }
  // No reconnects or queueing: a stopped server's client fails at once.
  const opts = { enableOfflineQueue: false, retryStrategy: () => null, maxRetriesPerRequest: 0 };
  const clients = [];
  for (const n of [s, ...extra]) clients.push(await ioredis(n, open, opts));
  const peeks = [plain];
  for (const n of extra) peeks.push(await ioredis(n, open, opts));
  const values = (key, n = 3) => Promise.all(peeks.slice(0, n).map((p) => p.get(key)));
  const votes = async (attempt) => {
    const st = await attempt;
    return [st.votesFor.size, st.votesAgainst.size];
  };
  const stop = async (i) => {
    assertEq(await extra[i].stop(), 0, `server ${i + 1} exit status`);
    assertEq(extra[i].sanitizerReport(), null, `server ${i + 1} sanitizer report`);
    await until(() => clients[i + 1].status === 'end', `the client of stopped server ${i + 1}`);
  };

  // Redlock settles once a quorum voted; votes() waits for the rest. A
  // release inside a failed operation is not awaited that way: until().
  const redlock = new Redlock(clients, { retryCount: 0 });
  const lock = await redlock.acquire(['q'], 5000);
  assertEq(await votes(lock.attempts[0]), [3, 0], 'acquire votes');
  assertEq(await values('q'), [lock.value, lock.value, lock.value], 'on all three');

  // The lock lost on one server: a rival wins that one vote only, no
  // quorum, and takes its key back; the owner still extends on two.
  await plain.del('q');
  const rival = await rejection(redlock.acquire(['q'], 5000), 'rival with one vote');
  assertEq(await votes(rival.attempts[0]), [1, 2], 'rival votes');
  await until(async () => (await plain.exists('q')) === 0, 'the rival to release its one key');
  assertEq(await values('q'), [null, lock.value, lock.value], 'the owner\'s two keys');
  const longer = await lock.extend(8000);
  assertEq(await votes(longer.attempts[0]), [2, 1], 'extend votes');
  assertEq(await values('q'), [null, lock.value, lock.value], 'extend sets no missing key');
  for (const p of peeks.slice(1)) assertIn(await p.pttl('q'), 7000, 8000, 'PTTL after extend');

  // One server down: two of three is still a quorum.
  await stop(1);
  const p = await redlock.acquire(['p'], 5000);
  assertEq(await votes(p.attempts[0]), [2, 1], 'acquire votes with a server down');
  assertEq(await values('p', 2), [p.value, p.value], 'on the two live servers');
  await p.release();
  assertEq(await values('p', 2), [null, null], 'released on both');
  // q is now held on one live server only: its release is outvoted.
  await rejection(longer.release(), 'release held on one server');
  await until(async () => (await peeks[1].exists('q')) === 0, 'the live copy deleted anyway');

  // Two down: no quorum, and the one key taken is given back.
  await stop(0);
  const alone = await rejection(redlock.acquire(['r'], 5000), 'acquire with two servers down');
  if (!(alone instanceof ExecutionError)) throw alone;
  assertEq(await votes(alone.attempts[0]), [1, 2], 'votes with two down');
  await until(async () => (await plain.exists('r')) === 0, 'no key left on the live server');
}));

// ---------------------------------------------------------------------------
// socket.io with @socket.io/redis-adapter
// ---------------------------------------------------------------------------

// A socket.io server with adapter on a free 127.0.0.1 port; a connecting
// socket joins the room in its query (if any) and keeps its name in data.
// io.close() (closing the adapter) when open's scope ends.
async function ioServer(adapter, open) {
  const http = createServer();
  const io = new IoServer(http, { adapter });
  io.on('connection', (socket) => {
    const { room, name } = socket.handshake.query;
    socket.data.name = name;
    if (room) socket.join(room);
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  io.port = http.address().port;
  return open(io, () => io.close());
}

// A socket.io client of io connected over WebSocket as name, in room.
async function ioConnect(io, name, room, open) {
  const query = room ? { name, room } : { name };
  const c = ioClient(`http://127.0.0.1:${io.port}`, {
    transports: ['websocket'], forceNew: true, reconnection: false, timeout: 5000, query,
  });
  open(c, async () => { c.disconnect(); });
  await new Promise((resolve, reject) => {
    c.once('connect', resolve);
    c.once('connect_error', reject);
  });
  return c;
}

// Events ev of client c, in an inbox; box.all keeps every one received.
function listen(c, ev) {
  const box = inbox();
  box.all = [];
  c.on(ev, (...msg) => { box.all.push(msg); box.push(...msg); });
  return box;
}

const names = (sockets) => sockets.map((x) => x.data.name).sort();

// The adapter's pub and sub clients, as its docs show them: a node-redis
// client and its duplicate() (RESP3 by default: messages arrive as push
// frames; or RESP2 and its classic subscriber mode), or two ioredis ones.
async function nodeRedisPair(s, open, opts) {
  const pub = await nodeRedis(s, open, opts);
  const sub = pub.duplicate();
  sub.on('error', () => {});
  await sub.connect();
  open(sub, async () => { if (sub.isOpen) await sub.close(); });
  return [pub, sub];
}

const adapterClients = {
  'node-redis': (s, open) => nodeRedisPair(s, open, {}),
  'node-redis RESP2': (s, open) => nodeRedisPair(s, open, { RESP: 2 }),
  async ioredis(s, open) {
    return [await ioredis(s, open), await ioredis(s, open)];
  },
};

for (const kind of Object.keys(adapterClients)) {
  test(`socket.io redis adapter (${kind}): rooms, fetchSockets, serverSideEmit`, classicAdapter(kind));
}

// Two socket.io servers through the classic adapter with kind's clients.
function classicAdapter(kind) {
  return app(async (s, plain, open) => {
    const servers = [];
    for (let i = 0; i < 2; i++) {
      const [pub, sub] = await adapterClients[kind](s, open);
      servers.push(await ioServer(createAdapter(pub, sub), open));
    }
    const [A, B] = servers;
    const a1 = await ioConnect(A, 'a1', 'r', open);
    const b1 = await ioConnect(B, 'b1', 'r', open);
    const b2 = await ioConnect(B, 'b2', null, open);

    // Each adapter subscribed to the request channel and the broadcast
    // pattern (one pattern: NUMPAT counts distinct patterns).
    assertEq(await plain.pubsub('NUMSUB', 'socket.io-request#/#', 'socket.io-response#/#'),
      ['socket.io-request#/#', 2, 'socket.io-response#/#', 2], 'PUBSUB NUMSUB');
    assertEq(await plain.pubsub('NUMPAT'), 1, 'PUBSUB NUMPAT');
    const channels = (await plain.pubsub('CHANNELS', 'socket.io-response#/#*')).sort();
    assertEq(channels, [`socket.io-response#/#`, `socket.io-response#/#${A.of('/').adapter.uid}#`,
      `socket.io-response#/#${B.of('/').adapter.uid}#`].sort(), 'response channels');

    // A room broadcast from A (text and binary) reaches the room on B too.
    const got = [a1, b1, b2].map((c) => listen(c, 'news'));
    const all = [a1, b1, b2].map((c) => listen(c, 'all'));
    A.to('r').emit('news', 'hello', Buffer.from([0, 1, 2, 255]), { n: 1 });
    for (const [i, box] of [[0, got[0]], [1, got[1]]]) {
      const [[text, bin, obj]] = await box.take(1);
      assertEq([text, Buffer.from(bin).toString('hex'), obj], ['hello', '000102ff', { n: 1 }],
        `news at client ${i}`);
    }
    // Then one to all from A: b2 gets it, and got no news before it (one
    // publisher, one subscriber connection: Redis keeps the order).
    A.emit('all', 2);
    for (const box of all) assertEq(await box.take(1), [[2]], 'broadcast to all');
    assertEq(got[2].all, [], 'b2 (outside the room) got no news');

    // A burst of 300 arrives whole and in order; so does a 1 MB binary.
    const burst = listen(b1, 'seq');
    for (let i = 0; i < 300; i++) A.to('r').emit('seq', i, Buffer.alloc(100, i % 256));
    const seq = await burst.take(300);
    assertEq(seq.map(([i]) => i), Array.from({ length: 300 }, (_, i) => i), 'burst order');
    const intact = seq.every(([i, b]) => Buffer.from(b).equals(Buffer.alloc(100, i % 256)));
    assertEq(intact, true, 'burst payloads');
    const blob = randomBytes(1 << 20);
    const big = listen(b1, 'big');
    A.to('r').emit('big', blob);
    const [[gotBlob]] = await big.take(1);
    assertEq(Buffer.from(gotBlob).equals(blob), true, '1 MB payload intact');

    // fetchSockets asks the other server (NUMSUB counts who answers).
    assertEq(names(await A.fetchSockets()), ['a1', 'b1', 'b2'], 'all sockets from A');
    const inRoom = await B.in('r').fetchSockets();
    assertEq(names(inRoom), ['a1', 'b1'], 'room r from B');
    const remoteA1 = inRoom.find((x) => x.data.name === 'a1');
    assertEq([remoteA1.id, [...remoteA1.rooms].sort()], [a1.id, [a1.id, 'r'].sort()], 'a1 seen from B');
    const direct = listen(a1, 'direct');
    remoteA1.emit('direct', 42);
    assertEq(await direct.take(1), [[42]], 'emit to a remote socket');

    // socketsJoin from A puts b2 (on B) in a room; A's broadcast reaches it.
    await A.in(b2.id).socketsJoin('late');
    await until(() => B.of('/').adapter.rooms.has('late'), 'b2 in room late on B');
    const late = listen(b2, 'late');
    A.to('late').emit('late', 'x');
    assertEq(await late.take(1), [['x']], 'room joined remotely');
    const rooms = await A.of('/').adapter.allRooms();
    for (const r of ['r', 'late', a1.id, b1.id, b2.id]) {
      if (!rooms.has(r)) throw new Error(`allRooms lacks ${r}: ${[...rooms]}`);
    }

    // serverSideEmit with acks: each other server answers.
    B.on('whoami', (q, ack) => ack(`B:${q}:${B.of('/').sockets.size}`));
    assertEq(await A.serverSideEmitWithAck('whoami', 'q'), ['B:q:2'], 'server-side ack');
    const heard = inbox();
    A.on('note', heard.push);
    B.serverSideEmit('note', { from: 'B' });
    assertEq(await heard.take(1), [[{ from: 'B' }]], 'server-side emit');

    // disconnectSockets from A closes B's sockets in the room.
    const gone = new Promise((resolve) => b1.once('disconnect', resolve));
    A.in('r').disconnectSockets(true);
    assertEq(await gone, 'io server disconnect', 'b1 disconnected by A');
    await until(async () => names(await A.fetchSockets()).join() === 'b2', 'only b2 left');

    for (const io of servers) await io.close();
    await until(async () => (await plain.pubsub('NUMPAT')) === 0
      && (await plain.pubsub('NUMSUB', 'socket.io-request#/#'))[1] === 0, 'the adapters to unsubscribe');
  });
}

test('socket.io sharded redis adapter (ioredis): dynamic room channels', app(async (s, plain, open) => {
  const servers = [];
  for (let i = 0; i < 2; i++) {
    const pub = await ioredis(s, open);
    const sub = await ioredis(s, open);
    servers.push(await ioServer(createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' }), open));
  }
  const [A, B] = servers;
  const a1 = await ioConnect(A, 'a1', null, open);
  const b1 = await ioConnect(B, 'b1', 'room1', open);
  const shardNumSub = async (...ch) => plain.pubsub('SHARDNUMSUB', ...ch);
  // The main channel, each server's response channel and, in dynamic
  // mode, one per room ("room1" only on B; socket-id rooms not).
  await until(async () => (await shardNumSub('socket.io#/#room1#'))[1] === 1, 'B on the room1 channel');
  const mine = `socket.io#/#${A.of('/').adapter.uid}#`;
  assertEq(await shardNumSub('socket.io#/#', mine, 'socket.io#/#room1#'),
    ['socket.io#/#', 2, mine, 1, 'socket.io#/#room1#', 1], 'PUBSUB SHARDNUMSUB');
  assertEq(await plain.pubsub('SHARDCHANNELS', `socket.io#/#${b1.id}#`), [],
    'no channel for socket-id rooms');

  const news = listen(b1, 'news');
  const aNews = listen(a1, 'news');
  A.to('room1').emit('news', 'sharded', Buffer.from('bin'));
  const [[text, bin]] = await news.take(1);
  assertEq([text, Buffer.from(bin).toString()], ['sharded', 'bin'], 'room broadcast from A at B');
  assertEq(names(await A.fetchSockets()), ['a1', 'b1'], 'fetchSockets across');
  assertEq(names(await A.in('room1').fetchSockets()), ['b1'], 'room1 across');
  B.on('ask', (q, ack) => ack(q * 2));
  assertEq(await A.serverSideEmitWithAck('ask', 21), [42], 'serverSideEmitWithAck');
  const everyone = [a1, b1].map((c) => listen(c, 'all'));
  A.emit('all', 'x');
  for (const box of everyone) assertEq(await box.take(1), [['x']], 'broadcast to all');
  assertEq(aNews.all, [], 'a1 (outside room1) got no news');

  // The room's channel goes when its last socket leaves.
  b1.disconnect();
  await until(async () => (await shardNumSub('socket.io#/#room1#'))[1] === 0, 'room1 channel unsubscribed');
  // (The adapter's close() does not wait for SUNSUBSCRIBE's reply: until.)
  for (const io of servers) await io.close();
  await until(async () => (await plain.pubsub('SHARDCHANNELS')).length === 0, 'no shard channels after close');
}));

// ---------------------------------------------------------------------------
// connect-redis + express-session
// ---------------------------------------------------------------------------

test('connect-redis + express-session: TTL is the cookie maxAge', app(async (s, plain, open) => {
  const store = new RedisStore({ client: await nodeRedis(s, open), prefix: 'sess:' });
  const mw = session({
    store, secret: 'test secret', resave: false, saveUninitialized: false, cookie: { maxAge: 60000 },
  });
  const http = createServer((req, res) => mw(req, res, () => {
    if (req.url === '/inc') {
      req.session.n = (req.session.n || 0) + 1;
      res.end(String(req.session.n));
    } else if (req.url === '/logout') {
      req.session.destroy(() => res.end('bye'));
    } else {
      res.end(String(req.session.n ?? 'none'));
    }
  }));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  open(http, () => new Promise((resolve) => { http.closeAllConnections(); http.close(resolve); }));
  const base = `http://127.0.0.1:${http.address().port}`;
  // A GET with cookie; [body, the cookie set if any].
  const get = async (url, cookie) => {
    const r = await fetch(base + url, { headers: cookie ? { cookie } : {} });
    const set = r.headers.get('set-cookie');
    return [await r.text(), set ? set.split(';')[0] : null];
  };
  const sidOf = (cookie) => decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];

  assertEq(await get('/peek'), ['none', null], 'no session yet');
  assertEq(await plain.dbsize(), 0, 'nothing saved uninitialized');
  const [one, cookie] = await get('/inc');
  assertEq(one, '1');
  const key = `sess:${sidOf(cookie)}`;
  const stored = JSON.parse(await plain.get(key));
  assertEq([stored.n, stored.cookie.httpOnly], [1, true], 'stored session');
  assertIn(stored.cookie.originalMaxAge, 59000, 60000, 'stored maxAge');
  assertIn(await plain.ttl(key), 57, 60, 'TTL from the cookie maxAge');
  assertEq((await get('/inc', cookie))[0], '2', 'second request');
  assertEq(JSON.parse(await plain.get(key)).n, 2, 'stored n');

  // An unchanged session is touched: EXPIRE back to the maxAge.
  await plain.expire(key, 5);
  assertEq((await get('/peek', cookie))[0], '2');
  await until(async () => (await plain.ttl(key)) > 50, 'the touch to renew the TTL');

  const [, other] = await get('/inc');
  const length = await new Promise((resolve, reject) => store.length((e, n) => (e ? reject(e) : resolve(n))));
  assertEq(length, 2, 'store.length (callback style)');
  assertEq((await store.ids()).sort(), [sidOf(cookie), sidOf(other)].sort(), 'store.ids');
  assertEq((await store.all()).map((x) => [x.id, x.n]).sort(),
    [[sidOf(cookie), 2], [sidOf(other), 1]].sort(), 'store.all (MGET)');

  // Destroy deletes the key; an expired key is no session.
  assertEq((await get('/logout', cookie))[0], 'bye');
  assertEq(await plain.exists(key), 0, 'destroyed');
  assertEq((await get('/peek', cookie))[0], 'none', 'after logout');
  await plain.pexpire(`sess:${sidOf(other)}`, 1);
  await sleep(10);
  assertEq((await get('/peek', other))[0], 'none', 'after expiry');

  await get('/inc');
  await get('/inc');
  await plain.set('unrelated', 'x');
  assertEq(await plain.keys('sess:*').then((k) => k.length), 2, 'two sessions');
  await store.clear();
  assertEq(await plain.keys('*'), ['unrelated'], 'clear deletes the sessions only');
}));

run();
