// ACL users from Node: node-redis 4's createClient({url:
// 'redis://user:pass@host:port'}) and ioredis's username option
// authenticate as the user (AUTH user pass / HELLO 3 AUTH), get NOPERM
// errors for what the user may not do, and a wrong password fails to
// connect. Run: node tests/integration/test_acl.mjs

import { createRequire } from 'node:module';
import path from 'node:path';
import { assertEq, assertRejects, ROOT, run, test } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const { createClient } = require('redis');
const Redis = require('ioredis');

// Creates user app (password "s3cret", keys app:*, strings only) through
// a default-user client.
async function setup(s) {
  const admin = createClient({ url: `redis://127.0.0.1:${s.port}` });
  admin.on('error', () => {});
  await admin.connect();
  await admin.sendCommand(['ACL', 'SETUSER', 'app', 'reset', 'on', '>s3cret',
    '~app:*', '+@string', '+@connection', '+info', '+acl|whoami']);
  return admin;
}

test('node-redis: user and password in the URL', async (s) => {
  const admin = await setup(s);
  const c = createClient({ url: `redis://app:s3cret@127.0.0.1:${s.port}` });
  c.on('error', () => {});
  await c.connect();
  try {
    assertEq(await c.sendCommand(['ACL', 'WHOAMI']), 'app');
    assertEq(await c.set('app:1', 'v'), 'OK');
    assertEq(await c.get('app:1'), 'v');
    await assertRejects(c.get('other'), /NOPERM.*keys/, 'key outside ~app:*');
    await assertRejects(c.hSet('app:h', 'f', 'v'), /NOPERM.*'hset' command/,
      'a hash command');
  } finally {
    c.destroy();
    admin.destroy();
  }
});

test('node-redis: a wrong password does not connect', async (s) => {
  const admin = await setup(s);
  const c = createClient({ url: `redis://app:wrong@127.0.0.1:${s.port}`,
    socket: { reconnectStrategy: false } });
  c.on('error', () => {});
  try {
    await assertRejects(c.connect(), /WRONGPASS/, 'connect');
  } finally {
    try { c.destroy(); } catch (e) { /* never connected */ }
    admin.destroy();
  }
});

test('ioredis: username option', async (s) => {
  const admin = await setup(s);
  const c = new Redis({ host: '127.0.0.1', port: s.port, username: 'app',
    password: 's3cret', lazyConnect: true });
  c.on('error', () => {});
  await c.connect();
  try {
    assertEq(await c.call('ACL', 'WHOAMI'), 'app');
    assertEq(await c.set('app:2', 'x'), 'OK');
    await assertRejects(c.del('app:2'), /NOPERM.*'del' command/, 'DEL');
    await assertRejects(c.get('nope'), /NOPERM/, 'key outside ~app:*');
  } finally {
    c.disconnect();
    admin.destroy();
  }
});

await run();
