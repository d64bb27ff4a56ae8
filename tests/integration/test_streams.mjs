// Streams from Node: node-redis 6 (RESP3, so XREAD's reply is a map that
// the client turns into [{name, messages}]) and ioredis 6 (raw arrays,
// pipelines). The event-store pattern (user-<id> streams, paging with a
// cursor, a time range by ID, replay then block for live entries), a
// work queue with two consumers, a crash and XAUTOCLAIM recovery, and
// blocking reads woken by another connection or timing out. Run:
// node tests/integration/test_streams.mjs

import {
  assertEq, assertRejects, run, sleep, test, withIoredis, withNodeRedis,
} from './harness.mjs';


async function waitBlocked(c, n) {
  for (let i = 0; i < 500; i++) {
    const info = await c.info('clients');
    if (new RegExp(`blocked_clients:${n}\\r?\\n`).test(info)) return;
    await sleep(5);
  }
  throw new Error(`blocked_clients never reached ${n}`);
}

test('node-redis: event store pages, time range, replay then follow', (s) => withNodeRedis(s, async (c) => {
  for (let n = 0; n < 120; n++) {
    for (const u of [1, 2, 3]) {
      await c.xAdd(`user-${u}`, `${1000 + n * 10}-${u}`, { type: n % 2 ? 'click' : 'view', n: String(n) });
    }
  }
  assertEq(await c.xLen('user-2'), 120, 'XLEN');
  // Pages of 25 with an exclusive cursor.
  const seen = [];
  let cursor = '-';
  for (;;) {
    const page = await c.xRange('user-2', cursor, '+', { COUNT: 25 });
    seen.push(...page.map((e) => e.id));
    if (page.length < 25) break;
    cursor = `(${page[page.length - 1].id}`;
  }
  assertEq(seen.length, 120, 'paged');
  assertEq(seen[119], '2190-2');
  // Time range by ID (ms only).
  const range = await c.xRange('user-3', '1500', '1590');
  assertEq(range.map((e) => e.id), ['1500-3', '1510-3', '1520-3', '1530-3', '1540-3', '1550-3',
    '1560-3', '1570-3', '1580-3', '1590-3'], 'time range');
  assertEq(range[0].message, { type: 'view', n: '50' });
  const rev = await c.xRevRange('user-3', '+', '-', { COUNT: 2 });
  assertEq(rev.map((e) => e.id), ['2190-3', '2180-3']);
  // Replay from 0 in batches, then block on the last ID for live events.
  let last = '0';
  let replayed = 0;
  for (;;) {
    const res = await c.xRead({ key: 'user-1', id: last }, { COUNT: 50 });
    if (!res) break;
    replayed += res[0].messages.length;
    last = res[0].messages[res[0].messages.length - 1].id;
  }
  assertEq(replayed, 120, 'replayed');
  const reader = c.duplicate();
  reader.on('error', () => {});
  await reader.connect();
  try {
    const pending = reader.xRead([{ key: 'user-1', id: last }, { key: 'user-9', id: '$' }], { BLOCK: 5000 });
    await waitBlocked(c, 1);
    await c.xAdd('user-1', '5000-1', { type: 'buy', n: 'live' });
    const res = await pending;
    assertEq(res, [{ name: 'user-1', messages: [{ id: '5000-1', message: { type: 'buy', n: 'live' } }] }], 'live');
    // Timeout: null.
    assertEq(await reader.xRead({ key: 'user-1', id: '$' }, { BLOCK: 50 }), null, 'timeout');
  } finally {
    reader.destroy();
  }
  assertEq(await c.type('user-1'), 'stream');
}));

test('node-redis: work queue, crash and XAUTOCLAIM', (s) => withNodeRedis(s, async (c) => {
  await c.xGroupCreate('jobs', 'workers', '$', { MKSTREAM: true });
  for (let n = 1; n <= 10; n++) await c.xAdd('jobs', '*', { job: String(n) });
  const take = async (w, count) => {
    const res = await c.xReadGroup('workers', w, { key: 'jobs', id: '>' }, { COUNT: count });
    return res ? res[0].messages : [];
  };
  const a = await take('w1', 3);
  assertEq(await c.xAck('jobs', 'workers', a.map((m) => m.id)), 3, 'XACK');
  const crashed = await take('w2', 3);      // w2 never acknowledges
  const b = await take('w1', 10);
  assertEq(b.length, 4);
  await c.xAck('jobs', 'workers', b.map((m) => m.id));
  const p = await c.xPending('jobs', 'workers');
  assertEq(p.pending, 3, 'pending after the crash');
  assertEq(p.consumers, [{ name: 'w2', deliveriesCounter: 3 }]);
  await sleep(60);
  const claim = await c.xAutoClaim('jobs', 'workers', 'w1', 50, '0-0', { COUNT: 10 });
  assertEq(claim.nextId, '0-0');
  assertEq(claim.messages.map((m) => m.id), crashed.map((m) => m.id), 'claimed');
  assertEq(claim.messages.map((m) => m.message.job), ['4', '5', '6']);
  assertEq(claim.deletedMessages, []);
  const range = await c.xPendingRange('jobs', 'workers', '-', '+', 10);
  assertEq(range.map((e) => [e.consumer, e.deliveriesCounter]), [['w1', 2], ['w1', 2], ['w1', 2]]);
  await c.xAck('jobs', 'workers', crashed.map((m) => m.id));
  const groups = await c.xInfoGroups('jobs');
  assertEq([groups[0].pending, groups[0].lag, groups[0]['entries-read']], [0, 0, 10], 'XINFO GROUPS');
  await assertRejects(c.xGroupCreate('jobs', 'workers', '$'), /^BUSYGROUP/, 'BUSYGROUP');
  await assertRejects(c.xReadGroup('nope', 'w', { key: 'jobs', id: '>' }), /^NOGROUP/, 'NOGROUP');
}));

test('ioredis: streams, blocking reads, pipeline', (s) => withIoredis(s, async (c) => {
  const res = await c.pipeline()
    .xadd('s', '1-1', 'a', '1')
    .xadd('s', 'MAXLEN', '2', '2-1', 'a', '2')
    .xadd('s', 'MAXLEN', '2', '3-1', 'a', '3')
    .xlen('s')
    .xrange('s', '-', '+')
    .exec();
  assertEq(res.map(([, v]) => v), ['1-1', '2-1', '3-1', 2, [['2-1', ['a', '2']], ['3-1', ['a', '3']]]],
    'pipeline');
  assertEq(await c.xdel('s', '2-1', '9-9'), 1);
  assertEq(await c.xtrim('s', 'MAXLEN', 0), 1);
  assertEq(await c.exists('s'), 1, 'an empty stream stays');
  // Several blocked readers, one disconnecting, woken by one XADD.
  const readers = [c.duplicate(), c.duplicate(), c.duplicate()];
  readers.forEach((r) => r.on('error', () => {}));
  try {
    const waits = readers.map((r) => r.xread('BLOCK', 0, 'STREAMS', 's', '$'));
    waits[1].catch(() => {});  // its connection is closed below
    await waitBlocked(c, 3);
    readers[1].disconnect();
    await waitBlocked(c, 2);
    await c.xadd('s', '7-7', 'k', 'v');
    const want = [['s', [['7-7', ['k', 'v']]]]];
    assertEq(await waits[0], want, 'reader 0');
    assertEq(await waits[2], want, 'reader 2');
    // Group read blocked, served by XADD.
    await c.xgroup('CREATE', 's', 'g', '$');
    const g = readers[0].xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>');
    await waitBlocked(c, 1);
    await c.xadd('s', '8-8', 'k', 'w');
    assertEq(await g, [['s', [['8-8', ['k', 'w']]]]], 'XREADGROUP woken');
    assertEq(await c.xpending('s', 'g'), [1, '8-8', '8-8', [['c', '1']]], 'XPENDING');
    assertEq(await c.xclaim('s', 'g', 'c2', 0, '8-8', 'JUSTID'), ['8-8'], 'XCLAIM');
    assertEq(await c.xack('s', 'g', '8-8'), 1);
    assertEq(await readers[2].xread('BLOCK', 30, 'STREAMS', 's', '$'), null, 'timeout');
  } finally {
    readers.forEach((r) => r.disconnect());
  }
  await c.set('str', 'x');
  await assertRejects(c.xadd('str', '*', 'a', '1'), /^WRONGTYPE/, 'XADD on a string');
}));

run();
