// Pub/sub through the Node clients: node-redis 6 (HELLO 3, so messages
// arrive as RESP3 push frames and the subscribed connection keeps running
// ordinary commands) and, with RESP: 2, its classic subscriber mode;
// ioredis 6 subscribe/psubscribe events, binary payloads (socket.io's
// adapter sends msgpack) and sharded channels.
// Run: node tests/integration/test_pubsub.mjs

import { createRequire } from 'node:module';
import path from 'node:path';
import { assertEq, ROOT, run, test } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const { createClient } = require('redis');
const Redis = require('ioredis');

async function nodeClient(server, opts = {}) {
  const c = createClient({ url: server.url(), ...opts });
  c.on('error', () => {});
  await c.connect();
  return c;
}

// Resolves with the next n values pushed through the returned callback.
function collector(n) {
  const got = [];
  let done;
  const p = new Promise((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`only ${got.length} of ${n} messages: ${JSON.stringify(got)}`)), 10000);
  });
  const push = (...v) => {
    got.push(v.length === 1 ? v[0] : v);
    if (got.length === n) done(got);
  };
  return { push, done: p };
}

const binary = Buffer.from([0x82, 0xa3, 0x00, 0xff, 0x0d, 0x0a, 0x2a, 0x33, 0xc0, 0x93]);

test('node-redis RESP3: subscribe, pSubscribe, commands while subscribed', async (s) => {
  const pub = await nodeClient(s);
  const sub = await nodeClient(s);
  try {
    const plain = collector(2);
    const pat = collector(1);
    await sub.subscribe('news', (msg, ch) => plain.push(ch, msg));
    await sub.pSubscribe('sp*', (msg, ch) => pat.push(ch, msg));
    // RESP3: the same connection still runs ordinary commands.
    assertEq(await sub.set('k', 'v'), 'OK', 'SET while subscribed');
    assertEq(await sub.get('k'), 'v', 'GET while subscribed');
    assertEq(await sub.ping(), 'PONG', 'PING while subscribed');
    assertEq(await pub.publish('news', 'one'), 1);
    assertEq(await pub.publish('sport', 'goal'), 1);
    assertEq(await pub.publish('news', 'two'), 1);
    assertEq(await plain.done, [['news', 'one'], ['news', 'two']]);
    assertEq(await pat.done, [['sport', 'goal']]);
    assertEq(await pub.pubSubNumSub(['news', 'none']), { news: 1, none: 0 });
    assertEq(await pub.pubSubNumPat(), 1);
    await sub.unsubscribe('news');
    await sub.pUnsubscribe();
    assertEq(await pub.pubSubNumSub('news'), { news: 0 });
    assertEq(await pub.publish('news', 'late'), 0);
  } finally {
    sub.destroy();
    pub.destroy();
  }
});

test('node-redis: binary payloads in buffer mode', async (s) => {
  const pub = await nodeClient(s);
  const sub = await nodeClient(s);
  try {
    const got = collector(1);
    await sub.subscribe('bin', (msg) => got.push(msg), true);
    assertEq(await pub.publish('bin', binary), 1);
    const [msg] = await got.done;
    assertEq(Buffer.compare(msg, binary), 0, 'payload bytes');
  } finally {
    sub.destroy();
    pub.destroy();
  }
});

test('node-redis: sharded channels', async (s) => {
  const pub = await nodeClient(s);
  const sub = await nodeClient(s);
  try {
    const got = collector(1);
    await sub.sSubscribe('shard', (msg, ch) => got.push(ch, msg));
    assertEq(await pub.sPublish('shard', 'hi'), 1);
    assertEq(await pub.publish('shard', 'plain'), 0, 'separate namespace');
    assertEq(await got.done, [['shard', 'hi']]);
    assertEq(await pub.pubSubShardChannels(), ['shard']);
  } finally {
    sub.destroy();
    pub.destroy();
  }
});

test('node-redis RESP2 subscriber mode', async (s) => {
  const pub = await nodeClient(s);
  const sub = await nodeClient(s, { RESP: 2 });
  try {
    const got = collector(2);
    await sub.subscribe(['a', 'b'], (msg, ch) => got.push(ch, msg));
    assertEq(await pub.publish('a', '1'), 1);
    assertEq(await pub.publish('b', '2'), 1);
    assertEq(await got.done, [['a', '1'], ['b', '2']]);
    await sub.unsubscribe();
    assertEq(await sub.get('missing'), null, 'normal mode again');
  } finally {
    sub.destroy();
    pub.destroy();
  }
});

test('ioredis: subscribe, psubscribe, messageBuffer', async (s) => {
  const pub = new Redis(s.url());
  const sub = new Redis(s.url());
  pub.on('error', () => {});
  sub.on('error', () => {});
  try {
    const msgs = collector(2);
    const pmsgs = collector(1);
    const bufs = collector(1);
    sub.on('message', (ch, msg) => msgs.push(ch, msg));
    sub.on('pmessage', (p, ch, msg) => pmsgs.push(p, ch, msg));
    sub.on('messageBuffer', (ch, msg) => { if (ch.toString() === 'bin') bufs.push(msg); });
    assertEq(await sub.subscribe('chat', 'bin'), 2, 'subscribe count');
    assertEq(await sub.psubscribe('ch*'), 3, 'psubscribe count');
    assertEq(await pub.publish('chat', 'hello'), 2);
    assertEq(await pub.publish('bin', binary), 1);
    assertEq(await msgs.done, [['chat', 'hello'], ['bin', binary.toString()]]);
    assertEq(await pmsgs.done, [['ch*', 'chat', 'hello']]);
    const [buf] = await bufs.done;
    assertEq(Buffer.compare(buf, binary), 0, 'messageBuffer bytes');
    // Named: ioredis 6 never resolves an argument-less unsubscribe over
    // RESP3 (against redis-server too).
    assertEq(await sub.unsubscribe('chat', 'bin'), 1, 'patterns left');
    assertEq(await sub.punsubscribe('ch*'), 0);
    assertEq(await pub.pubsub('NUMSUB', 'chat'), ['chat', 0]);
  } finally {
    sub.disconnect();
    pub.disconnect();
  }
});

test('ioredis: many subscribers get every message in order', async (s) => {
  const pub = new Redis(s.url());
  pub.on('error', () => {});
  const subs = [];
  try {
    const cols = [];
    for (let i = 0; i < 20; i++) {
      const sub = new Redis(s.url());
      sub.on('error', () => {});
      const col = collector(100);
      sub.on('message', (ch, msg) => col.push(msg));
      await sub.subscribe('fan');
      subs.push(sub);
      cols.push(col);
    }
    const p = pub.pipeline();
    for (let i = 0; i < 100; i++) p.publish('fan', `m${i}`);
    const res = await p.exec();
    assertEq(res.every(([err, n]) => !err && n === 20), true, 'receivers');
    const want = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const col of cols) assertEq(await col.done, want);
  } finally {
    for (const sub of subs) sub.disconnect();
    pub.disconnect();
  }
});

run();
