// harness.mjs - the Node side of the integration harness (see harness.py,
// which this mirrors): start a server binary ($RESPITE_BIN, default
// bin/respite) on a free 127.0.0.1 port, wait until it answers PING, stop
// it by PID (SIGTERM, then SIGKILL), keep its output in build/test-logs/,
// and a tiny runner printing "ok  name" / "FAIL name" and "RESULT p f".

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');

// The Node clients under test, from tests/node_modules (pinned versions).
const requireClient = createRequire(path.join(ROOT, 'tests', 'package.json'));

// Runs fn with a connected node-redis client on database db of server,
// after FLUSHALL, and closes it. Connection errors surface through the
// failing command instead of an 'error' event.
export async function withNodeRedis(server, fn, db = 0, opts = {}) {
  const { createClient } = requireClient('redis');
  const c = createClient({ url: server.url(db), ...opts });
  c.on('error', () => {});
  await c.connect();
  try {
    await c.flushAll();
    return await fn(c);
  } finally {
    c.destroy();
  }
}

// The same with an ioredis client.
export async function withIoredis(server, fn, db = 0, opts = {}) {
  const Redis = requireClient('ioredis');
  const c = new Redis(server.url(db), { lazyConnect: true, ...opts });
  c.on('error', () => {});
  await c.connect();
  try {
    await c.flushall();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}
const LOG_DIR = path.join(ROOT, 'build', 'test-logs');

// An absolute path: servers run in a scratch directory.
export function serverBin() {
  const b = process.env.RESPITE_BIN || path.join(ROOT, 'bin', 'respite');
  if (!b.includes(path.sep)) {
    const r = spawnSync('sh', ['-c', `command -v "${b}"`]);
    const found = r.stdout ? r.stdout.toString().trim() : '';
    return found || b;
  }
  return path.resolve(b);
}

let isRedisCache;
export function isRedis() {
  if (isRedisCache === undefined) {
    const r = spawnSync(serverBin(), ['--version'], { timeout: 10000 });
    isRedisCache = !!(r.stdout && r.stdout.toString().startsWith('Redis server v='));
  }
  return isRedisCache;
}

// Whether port (0: one the system picks) can be bound on 127.0.0.1; the
// port bound, or null.
function tryPort(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const bound = srv.address().port;
      srv.close(() => resolve(bound));
    });
  });
}

// A free port: one the system picks, or with RESPITE_TEST_PORTS=LOW-HIGH
// set (as harness.py reads it) a random free one of that range.
async function freePort() {
  const span = process.env.RESPITE_TEST_PORTS;
  if (!span) {
    const port = await tryPort(0);
    if (port === null) throw new Error('no free port');
    return port;
  }
  const [low, high] = span.split('-').map(Number);
  const ports = [];
  for (let p = low; p <= high; p++) ports.push(p);
  for (let i = ports.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ports[i], ports[j]] = [ports[j], ports[i]];
  }
  for (const p of ports) {
    if ((await tryPort(p)) !== null) return p;
  }
  throw new Error(`no free port in RESPITE_TEST_PORTS=${span}`);
}

// Sends one inline PING on a fresh socket; resolves to the first reply line
// or null on any failure.
function pingOnce(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (v) => { sock.destroy(); resolve(v); };
    sock.setTimeout(1000, () => done(null));
    sock.on('error', () => done(null));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(buf.slice(0, i));
    });
  });
}

// An empty directory of this process's own for servers to run in, so a
// redis-server never loads a dump file something else left in /tmp;
// removed when the process exits.
let scratch = null;
function scratchDir() {
  if (scratch === null) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'respite-test-'));
    process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
  }
  return scratch;
}

export class Server {
  constructor(directives = [], name = 'node') {
    this.directives = directives.map(String);
    this.name = name;
  }

  async start() {
    const bin = serverBin();
    if (!fs.existsSync(bin)) throw new Error(`no executable ${bin} (run make, or set RESPITE_BIN)`);
    fs.mkdirSync(LOG_DIR, { recursive: true });
    this.port = await freePort();
    this.logPath = path.join(LOG_DIR, `${this.name}-${this.port}-${process.pid}.log`);
    const log = fs.openSync(this.logPath, 'w');
    const argv = ['--port', String(this.port), '--bind', '127.0.0.1'];
    if (isRedis()) argv.push('--save', '', '--appendonly', 'no');
    argv.push('--enable-debug-command', 'yes', ...this.directives);
    this.proc = spawn(bin, argv, { stdio: ['ignore', log, log], cwd: scratchDir() });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, sig) => resolve({ code, sig })));
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) break;
      const rep = await pingOnce(this.port);
      if (rep === '+PONG' || (rep && rep.startsWith('-NOAUTH'))) return this;
      await new Promise((r) => setTimeout(r, 20));
    }
    this.kill();
    throw new Error(`${bin} did not start on port ${this.port}\n${this.logTail()}`);
  }

  url(db = 0) {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  kill() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
    }
  }

  // SIGTERM, SIGKILL after 10 s; resolves to the exit code (or the signal name).
  async stop() {
    if (!this.proc) return null;
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.kill(), 10000);
      const r = await this.exited;
      clearTimeout(t);
      return r.code ?? r.sig;
    }
    const r = await this.exited;
    return r.code ?? r.sig;
  }

  logTail(lines = 40) {
    try {
      const text = fs.readFileSync(this.logPath, 'utf8').split('\n');
      return text.slice(-lines).map((l) => '    | ' + l).join('\n');
    } catch {
      return '    | (no log)';
    }
  }

  sanitizerReport() {
    try {
      const text = fs.readFileSync(this.logPath, 'utf8');
      const m = text.match(/.*(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:).*/);
      return m ? m[0] : null;
    } catch {
      return null;
    }
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls until pred() (sync or async) is true; fails after ms milliseconds.
export async function until(pred, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// Waits until client c's server reports n blocked clients.
export const waitBlocked = (c, n) => until(
  async () => (await c.info('clients')).includes(`blocked_clients:${n}\r\n`),
  `${n} blocked clients`);

// A message inbox: push is the listener, take(n) the next n messages.
export function inbox() {
  const got = [];
  return {
    push: (...msg) => got.push(msg),
    async take(n) {
      await until(() => got.length >= n, `${n} messages (have ${got.length})`);
      return got.splice(0, n);
    },
  };
}

export function assertEq(got, want, what = 'value') {
  const g = JSON.stringify(got, (k, v) => (typeof v === 'bigint' ? v.toString() : v));
  const w = JSON.stringify(want, (k, v) => (typeof v === 'bigint' ? v.toString() : v));
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

export async function assertRejects(promise, re, what = 'error') {
  try {
    await promise;
  } catch (e) {
    if (!re.test(String(e && e.message))) {
      throw new Error(`${what}: error ${JSON.stringify(e && e.message)} does not match ${re}`);
    }
    return e;
  }
  throw new Error(`${what}: no error, wanted ${re}`);
}

const tests = [];
export function test(name, fn, opts = {}) {
  tests.push({ name, fn, opts });
}

// Runs the tests against one shared server (passed to each test), then
// checks the server exits 0 on SIGTERM with no sanitizer report.
export async function run(directives = []) {
  let passed = 0;
  let failed = 0;
  let server;
  try {
    server = await new Server(directives, path.basename(process.argv[1], '.mjs')).start();
  } catch (e) {
    console.log(`FAIL server start\n${e.stack}`);
    console.log('RESULT 0 1');
    process.exit(1);
  }
  for (const t of tests) {
    if (t.opts.respiteOnly && isRedis()) {
      console.log(`skip ${t.name} (${t.opts.reason || 'respite only'})`);
      continue;
    }
    const t0 = Date.now();
    let timer;
    let err = null;
    // An error a library throws where nobody awaits it (an event handler,
    // a rejected promise inside it) fails the test, reported before what
    // it led to, instead of ending the process with its servers running.
    const stray = [];
    const keep = (e) => stray.push(e);
    process.on('uncaughtException', keep);
    process.on('unhandledRejection', keep);
    try {
      await Promise.race([
        t.fn(server),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('test timed out after 60 s')), 60000); }),
      ]);
    } catch (e) {
      err = e;
    } finally {
      clearTimeout(timer);
      process.off('uncaughtException', keep);
      process.off('unhandledRejection', keep);
    }
    if (stray.length) {
      const then = err ? `\nthen: ${err.message}` : '';
      err = new Error(`uncaught in a library: ${stray[0] && stray[0].stack}${then}`);
    }
    if (!err) {
      passed++;
      console.log(`ok   ${t.name} (${((Date.now() - t0) / 1000).toFixed(2)}s)`);
    } else {
      failed++;
      console.log(`FAIL ${t.name}\n${err.stack ? err.stack : err}`);
      console.log(`  server log ${server.logPath}:\n${server.logTail()}`);
    }
  }
  const status = await server.stop();
  const report = server.sanitizerReport();
  if (status === 0 && !report) {
    passed++;
    console.log('ok   shared server exited cleanly');
  } else {
    failed++;
    console.log(`FAIL shared server exited cleanly: status ${status}, ${report || 'no sanitizer report'}`);
    console.log(server.logTail());
  }
  console.log(`RESULT ${passed} ${failed}`);
  process.exit(failed ? 1 : 0);
}
