// Lists from Node: node-redis 6 (RESP3 by default) and ioredis 6. A job
// queue with two workers on BRPOP and a producer (every job processed
// exactly once), blocking timeouts, a wake-up by a push from another
// client, first-blocked first-served order, a blocked client that
// disconnects, INFO blocked_clients, BLMOVE, and the plain list commands.
// Blocking commands get connections of their own (duplicate()), since a
// blocked connection answers nothing else. Run:
// node tests/integration/test_lists.mjs

import {
  assertEq, assertRejects, run, sleep, test, withIoredis, withNodeRedis,
} from './harness.mjs';


async function blockedClients(info) {
  const m = /blocked_clients:(\d+)/.exec(await info());
  return m ? Number(m[1]) : -1;
}

// Waits until INFO reports n blocked clients; info() returns INFO's text.
async function waitBlocked(info, n) {
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    if (await blockedClients(info) === n) return;
    await sleep(5);
  }
  throw new Error(`blocked_clients never reached ${n} (is ${await blockedClients(info)})`);
}

async function dup(c) {
  const d = c.duplicate();
  d.on('error', () => {});
  await d.connect();
  return d;
}

test('node-redis: list commands', (s) => withNodeRedis(s, async (c) => {
  assertEq(await c.rPush('l', ['a', 'b', 'c']), 3);
  assertEq(await c.lPush('l', ['z', '7']), 5);
  assertEq(await c.lRange('l', 0, -1), ['7', 'z', 'a', 'b', 'c']);
  assertEq(await c.lLen('l'), 5);
  assertEq(await c.lIndex('l', -1), 'c');
  assertEq(await c.lIndex('l', 99), null);
  assertEq(await c.lPos('l', 'a'), 2);
  assertEq(await c.lPosCount('l', 'b', 0), [3]);
  assertEq(await c.lInsert('l', 'BEFORE', 'a', 'x'), 6);
  assertEq(await c.lSet('l', 0, '8'), 'OK');
  assertEq(await c.lRem('l', 0, 'x'), 1);
  assertEq(await c.lPopCount('l', 2), ['8', 'z']);
  assertEq(await c.rPopCount('l', 2), ['c', 'b']);
  assertEq(await c.lPopCount('nosuch', 2), null);
  assertEq(await c.lMove('l', 'm', 'LEFT', 'RIGHT'), 'a');
  assertEq(await c.exists('l'), 0, 'emptied list is gone');
  assertEq(await c.rPushX('l', 'q'), 0);
  await c.rPush('l', ['1', '2', '3', '4']);
  assertEq(await c.lTrim('l', 1, 2), 'OK');
  assertEq(await c.lRange('l', 0, -1), ['2', '3']);
  assertEq(await c.lmPop(['nosuch', 'l'], 'RIGHT', { COUNT: 5 }), ['l', ['3', '2']]);
  assertEq(await c.lmPop(['nosuch'], 'LEFT'), null);
  assertEq(await c.type('m'), 'list');
  await c.set('str', 'v');
  await assertRejects(c.lPush('str', 'x'), /^WRONGTYPE/, 'LPUSH on a string');
}));

test('node-redis: job queue with two workers on BRPOP', (s) => withNodeRedis(s, async (c) => {
  const w1 = await dup(c);
  const w2 = await dup(c);
  const done = [];
  const worker = async (w, name) => {
    const mine = [];
    for (;;) {
      const item = await w.brPop('queue', 5);
      if (item === null) throw new Error(`${name} timed out`);
      if (item.element === 'stop') break;
      mine.push(Number(item.element));
    }
    done.push(...mine);
    return mine;
  };
  const runs = [worker(w1, 'w1'), worker(w2, 'w2')];
  await waitBlocked(() => c.info('clients'), 2);
  const N = 1000;
  for (let i = 0; i < N; i += 50) {
    const batch = [];
    for (let j = i; j < i + 50; j++) batch.push(String(j));
    await c.lPush('queue', batch);
    await sleep(1);
  }
  await c.lPush('queue', ['stop', 'stop']);
  const [a, b] = await Promise.all(runs);
  assertEq(done.length, N, 'jobs processed');
  assertEq([...done].sort((x, y) => x - y), [...Array(N).keys()], 'each job once');
  assertEq(a, [...a].sort((x, y) => x - y), 'worker 1 in queue order');
  assertEq(b, [...b].sort((x, y) => x - y), 'worker 2 in queue order');
  w1.destroy();
  w2.destroy();
}));

test('node-redis: timeout, wake-up and FIFO order', (s) => withNodeRedis(s, async (c) => {
  const b = await dup(c);
  const t0 = Date.now();
  assertEq(await b.blPop('nosuch', 0.1), null, 'BLPOP times out');
  if (Date.now() - t0 < 80) throw new Error('BLPOP returned before its timeout');
  assertEq(await b.blMove('nosuch', 'd', 'LEFT', 'RIGHT', 0.05), null);
  // Wake-up by a push from another client.
  const p = b.blPop(['k1', 'k2'], 5);
  await waitBlocked(() => c.info('clients'), 1);
  await c.rPush('k2', 'v');
  assertEq(await p, { key: 'k2', element: 'v' });
  // Three clients blocked in order get the elements in that order.
  const cs = [await dup(c), await dup(c), await dup(c)];
  const ps = [];
  for (let i = 0; i < 3; i++) {
    ps.push(cs[i].blPop('q', 5));
    await waitBlocked(() => c.info('clients'), i + 1);
  }
  await c.rPush('q', ['a', 'b', 'c']);
  assertEq((await Promise.all(ps)).map((r) => r.element), ['a', 'b', 'c']);
  for (const x of [b, ...cs]) x.destroy();
}));

test('ioredis: blocking commands and disconnects', (s) => withIoredis(s, async (c) => {
  const b = c.duplicate();
  b.on('error', () => {});
  const info = () => c.info('clients');
  // BLMOVE served by a later push.
  const p = b.blmove('src', 'dst', 'RIGHT', 'LEFT', 5);
  await waitBlocked(info, 1);
  assertEq(await c.rpush('src', 'x', 'y'), 2);
  assertEq(await p, 'y');
  assertEq(await c.lrange('dst', 0, -1), ['y']);
  assertEq(await b.brpoplpush('src', 'dst', 1), 'x');
  assertEq(await c.exists('src'), 0);
  assertEq(await b.blpop('nosuch', 0.05), null);
  assertEq(await b.call('BLMPOP', '0.05', '1', 'nosuch', 'LEFT'), null);
  // A blocked client that goes away leaves the element to others.
  const gone = c.duplicate();
  gone.on('error', () => {});
  gone.blpop('q', 0).catch(() => {});
  await waitBlocked(info, 1);
  gone.disconnect();
  await waitBlocked(info, 0);
  await c.rpush('q', 'kept');
  assertEq(await c.lrange('q', 0, -1), ['kept']);
  // Pipelined pushes and pops.
  const res = await c.pipeline().rpush('l', 'a', 'b', 'c').lpop('l').rpop('l', 2)
    .exists('l').exec();
  assertEq(res.map(([, v]) => v), [3, 'a', ['c', 'b'], 0], 'pipeline');
  assertEq(await c.call('LMPOP', '1', 'q', 'LEFT', 'COUNT', '3'), ['q', ['kept']]);
  // Inside MULTI a blocking pop answers at once.
  const tx = await c.multi().blpop('nosuch', 0).rpush('m', '1').blpop('m', 0).exec();
  assertEq(tx.map(([, v]) => v), [null, 1, ['m', '1']], 'MULTI');
  assertEq(await blockedClients(info), 0);
  b.disconnect();
}));

run();
