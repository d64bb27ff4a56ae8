// Redis 7 functions through Node clients: node-redis's functionLoad /
// fCall / fCallRo / functionList / functionDump / functionRestore /
// functionStats (RESP2, and RESP3 where the replies are maps and sets),
// and ioredis's generic function / fcall commands in a pipeline and a
// MULTI. Passes on redis-server too (RESPITE_BIN=/usr/bin/redis-server).
// Run: node tests/integration/test_functions.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

const LIB = `#!lua name=counters
redis.register_function('bump', function(keys, args)
  return redis.call('INCRBY', keys[1], args[1] or 1)
end)
redis.register_function{
  function_name = 'peek',
  callback = function(keys) return redis.call('GET', keys[1]) end,
  flags = {'no-writes'},
  description = 'reads a counter',
}`;

test('node-redis: load, call, list, delete', (s) => withNodeRedis(s, async (c) => {
  await c.functionFlush();
  assertEq(await c.functionLoad(LIB), 'counters');
  assertEq(await c.fCall('bump', { keys: ['n'], arguments: ['5'] }), 5);
  assertEq(await c.fCallRo('peek', { keys: ['n'] }), '5');
  await assertRejects(c.fCallRo('bump', { keys: ['n'] }), /write flag/);
  await assertRejects(c.functionLoad(LIB), /Library 'counters' already exists/);
  assertEq(await c.functionLoad(LIB, { REPLACE: true }), 'counters');
  const list = await c.functionList({ LIBRARYNAME: 'count*' });
  assertEq(list.length, 1);
  assertEq(list[0].library_name, 'counters');
  assertEq(list[0].engine, 'LUA');
  const peek = list[0].functions.find((f) => f.name === 'peek');
  assertEq(peek.description, 'reads a counter');
  assertEq([...peek.flags], ['no-writes']);
  assertEq(await c.functionDelete('counters'), 'OK');
  await assertRejects(c.fCall('bump', { keys: ['n'] }), /Function not found/);
}));

test('node-redis RESP3: stats and list as maps', (s) => withNodeRedis(s, async (c) => {
  await c.functionFlush();
  await c.functionLoad(LIB);
  const stats = await c.functionStats();
  assertEq(stats.running_script, null);
  assertEq(stats.engines.LUA, { libraries_count: 1, functions_count: 2 });
  const [lib] = await c.functionList();
  assertEq(lib.library_name, 'counters');
  await c.functionFlush();
}, 0, { RESP: 3 }));

test('node-redis: dump and restore', (s) => withNodeRedis(s, async (c) => {
  await c.functionFlush();
  await c.functionLoad(LIB);
  const dump = await c.withTypeMapping({ [36]: Buffer }).functionDump();
  await c.functionFlush();
  assertEq(await c.functionRestore(dump), 'OK');
  assertEq(await c.fCall('bump', { keys: ['m'] }), 1);
  await assertRejects(c.functionRestore(dump), /Library counters already exists/);
  assertEq(await c.functionRestore(dump, { mode: 'REPLACE' }), 'OK');
  await c.functionFlush();
}));

test('ioredis: FUNCTION and FCALL in a pipeline and a MULTI', (s) => withIoredis(s, async (c) => {
  await c.function('FLUSH');
  assertEq(await c.function('LOAD', LIB), 'counters');
  const piped = await c.pipeline().fcall('bump', 1, 'p', 2).fcall_ro('peek', 1, 'p').exec();
  assertEq(piped, [[null, 2], [null, '2']]);
  const multi = await c.multi().fcall('bump', 1, 'p').fcall('nosuch', 0).exec();
  assertEq(multi[0], [null, 3]);
  if (!/Function not found/.test(String(multi[1][0]))) throw new Error(`got ${multi[1]}`);
  await c.function('FLUSH');
}));

run();
