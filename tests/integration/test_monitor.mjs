// MONITOR and SLOWLOG through the Node clients: ioredis 6's monitor()
// (its own connection, RESP3 by default, parsing each status line into
// time, args, source and db) and node-redis 6's client.monitor(), a
// binary argument, a transaction and redacted AUTH; and SLOWLOG GET as
// both return it. Passes on redis-server 7.0 too.
// Run: node tests/integration/test_monitor.mjs

import { assertEq, inbox, run, test, withIoredis, withNodeRedis } from './harness.mjs';

test('ioredis monitor() sees other clients\' commands', (s) => withIoredis(s, async (c) => {
  const mon = await c.monitor();
  const got = inbox();
  mon.on('monitor', got.push);
  try {
    await c.set('k', 'a "quoted" value\n');
    await c.multi().incr('n').get('n').exec();
    await c.select(2);
    await c.call('AUTH', 'nobody');
  } catch (e) {
    // AUTH without a password configured fails; it is still shown.
  }
  const lines = await got.take(6);
  const args = lines.map((l) => l[1]);
  // ioredis undoes the quoting but leaves escapes such as \n as sent.
  assertEq(args, [['set', 'k', 'a "quoted" value\\n'], ['multi'], ['incr', 'n'],
                  ['get', 'n'], ['exec'], ['select', '2']]);
  for (const [time, , source, db] of lines) {
    if (!/^\d+\.\d{6}$/.test(time)) throw new Error(`time ${time}`);
    if (!/^127\.0\.0\.1:\d+$/.test(source)) throw new Error(`source ${source}`);
    if (db !== '0' && db !== '2') throw new Error(`db ${db}`);
  }
  assertEq(lines[5][3], '2', 'SELECT shows the database it selected');
  const [auth] = await got.take(1);
  assertEq(auth[1], ['AUTH', '(redacted)']);
  mon.disconnect();
}));

test('node-redis monitor() and SLOWLOG GET', (s) => withNodeRedis(s, async (c) => {
  const mon = c.duplicate();
  mon.on('error', () => {});
  await mon.connect();
  const got = inbox();
  await mon.monitor(got.push);
  await c.set('bin', Buffer.from([0, 0xff, 0x22, 0x5c]));
  const [[line]] = await got.take(1);
  if (!line.endsWith(' "SET" "bin" "\\x00\\xff\\"\\\\"')) {
    throw new Error(`monitor line ${JSON.stringify(line)}`);
  }
  mon.destroy();

  await c.configSet('slowlog-log-slower-than', '0');
  await c.sendCommand(['SLOWLOG', 'RESET']);
  await c.get('k');
  const entries = await c.sendCommand(['SLOWLOG', 'GET', '1']);
  assertEq(entries.length, 1);
  const [id, time, us, argv, addr, name] = entries[0];
  assertEq(argv, ['GET', 'k']);
  if (typeof id !== 'number' || typeof us !== 'number' || us < 0) {
    throw new Error(`entry ${JSON.stringify(entries[0])}`);
  }
  if (Math.abs(time - Date.now() / 1000) > 10) throw new Error(`time ${time}`);
  if (!/^127\.0\.0\.1:\d+$/.test(addr)) throw new Error(`addr ${addr}`);
  assertEq(name, '');
  assertEq(await c.sendCommand(['SLOWLOG', 'LEN']), 3);
  await c.configSet('slowlog-log-slower-than', '10000');
}));

run();
