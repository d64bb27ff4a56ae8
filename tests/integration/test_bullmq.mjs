// A real BullMQ (tests/package.json pins it) Queue and Worker on Respite:
// BullMQ runs its queue logic as Lua scripts that cmsgpack.unpack() the
// options it packs into ARGV, so this is the end-to-end check of the
// scripting libraries. Jobs: plain, delayed, prioritized, and one that
// fails and is retried before it completes; the worker must see every job
// in the order BullMQ promises and getJobCounts must add up. A second
// test covers a job that exhausts its attempts, removal, pause/resume
// and bulk adds; a third flows (a parent after its children), a job
// scheduler, deduplication, a rate-limited worker with metrics, and the
// global concurrency setting.
// Passes on redis-server too (RESPITE_BIN=/usr/bin/redis-server).
// Run: node tests/integration/test_bullmq.mjs

import { createRequire } from 'node:module';
import path from 'node:path';

import { ROOT, assertEq, run, test, until } from './harness.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'package.json'));
const { FlowProducer, Queue, Worker, QueueEvents } = require('bullmq');

const connection = (s) => ({ host: '127.0.0.1', port: s.port, maxRetriesPerRequest: null });

// Runs fn with a fresh queue named name and closes what fn opened
// (closing(x) registers x); an 'error' event from any of them (a failed
// command or script inside BullMQ) fails the test.
async function withQueue(s, name, fn) {
  const queue = new Queue(name, { connection: connection(s) });
  const errors = [];
  const watch = (x) => x.on('error', (e) => errors.push(String(e && e.message)));
  watch(queue);
  const closers = [];
  try {
    await queue.obliterate({ force: true });
    await fn(queue, (c) => { closers.push(c); watch(c); return c; });
  } finally {
    for (const c of closers.reverse()) await c.close();
    await queue.close();
  }
  assertEq(errors, [], 'error events');
}

test('plain, delayed, prioritized and retried jobs complete', (s) => withQueue(s, 'mixed', async (queue, closing) => {
  const events = closing(new QueueEvents('mixed', { connection: connection(s) }));
  await events.waitUntilReady();
  const seen = [];
  let flakyTries = 0;
  const worker = closing(new Worker('mixed', async (job) => {
    seen.push(job.name);
    if (job.name === 'flaky' && ++flakyTries < 3) throw new Error(`try ${flakyTries} failed`);
    return { double: job.data.n * 2 };
  }, { connection: connection(s), autorun: false, concurrency: 1 }));

  const added = Date.now();
  const plain = await queue.add('plain', { n: 1 });
  const delayed = await queue.add('delayed', { n: 2 }, { delay: 400 });
  const low = await queue.add('low', { n: 3 }, { priority: 10 });
  const high = await queue.add('high', { n: 4 }, { priority: 1 });
  const flaky = await queue.add('flaky', { n: 5 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
  assertEq(await queue.getJobCounts('wait', 'delayed', 'prioritized'),
    { wait: 2, delayed: 1, prioritized: 2 }, 'counts before the worker');
  assertEq(await delayed.getState(), 'delayed');
  assertEq(await high.getState(), 'prioritized');

  const done = new Set();
  events.on('completed', ({ jobId }) => done.add(jobId));
  worker.run();
  await until(() => done.size === 5, 'five completed jobs', 20000);

  // Unprioritized jobs first (FIFO), then by priority; the delayed job
  // after its delay; the flaky one ran three times.
  assertEq(seen.filter((n) => n !== 'flaky' && n !== 'delayed'), ['plain', 'high', 'low']);
  assertEq(seen.filter((n) => n === 'flaky').length, 3, 'flaky attempts');
  const d = await queue.getJob(delayed.id);
  if (d.processedOn - added < 400) throw new Error(`delayed job ran after ${d.processedOn - added} ms`);
  for (const [job, n] of [[plain, 1], [delayed, 2], [low, 3], [high, 4], [flaky, 5]]) {
    const j = await queue.getJob(job.id);
    assertEq(j.returnvalue, { double: n * 2 }, `${job.name} result`);
    assertEq(await j.getState(), 'completed', `${job.name} state`);
  }
  const f = await queue.getJob(flaky.id);
  assertEq(f.attemptsMade, 3, 'flaky attemptsMade');
  assertEq(f.stacktrace.length, 2, 'two failures recorded');
  assertEq(await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed'),
    { wait: 0, active: 0, delayed: 0, prioritized: 0, completed: 5, failed: 0 }, 'counts at the end');
}));

test('failed jobs, removal, pause and bulk adds', (s) => withQueue(s, 'more', async (queue, closing) => {
  await queue.pause();
  const bulk = await queue.addBulk([1, 2, 3, 4].map((n) => ({ name: 'bulk', data: { n } })));
  const doomed = await queue.add('doomed', {}, { attempts: 2, backoff: 10 });
  const gone = await queue.add('gone', {});
  await gone.remove();
  assertEq(await queue.getJob(gone.id), undefined, 'removed job');
  assertEq(await queue.isPaused(), true);
  assertEq(await queue.getJobCounts('wait'), { wait: 5 }, 'waiting while paused');

  const sum = [];
  const worker = closing(new Worker('more', async (job) => {
    if (job.name === 'doomed') throw new Error('always fails');
    await job.updateProgress(50);
    sum.push(job.data.n);
    return job.data.n;
  }, { connection: connection(s), concurrency: 2 }));
  await worker.waitUntilReady();
  await queue.resume();
  await until(async () => {
    const c = await queue.getJobCounts('completed', 'failed');
    return c.completed === 4 && c.failed === 1;
  }, 'four completed and one failed', 20000);
  assertEq(sum.sort(), [1, 2, 3, 4]);
  const d = await queue.getJob(doomed.id);
  assertEq([await d.getState(), d.attemptsMade, d.failedReason], ['failed', 2, 'always fails']);
  assertEq((await queue.getJob(bulk[0].id)).progress, 50, 'progress');
  const failed = await queue.getFailed();
  assertEq(failed.map((j) => j.id), [doomed.id]);
  await d.retry();
  await until(async () => (await queue.getJob(doomed.id)).attemptsMade >= 3, 'the retried job to fail again', 20000);
  assertEq(await queue.getJobCounts('completed', 'failed', 'wait', 'active'),
    { completed: 4, failed: 1, wait: 0, active: 0 });
  await queue.clean(0, 10, 'completed');
  assertEq(await queue.getJobCounts('completed'), { completed: 0 }, 'after clean');
}));

test('flows, job schedulers, deduplication, limiter and metrics', (s) => withQueue(s, 'flows', async (queue, closing) => {
  const flows = closing(new FlowProducer({ connection: connection(s) }));
  const tree = await flows.add({
    name: 'parent', queueName: 'flows', data: {},
    children: [1, 2, 3].map((v) => ({ name: 'child', queueName: 'flows', data: { v } })),
  });
  assertEq(await tree.job.getState(), 'waiting-children');
  await queue.upsertJobScheduler('every', { every: 150 }, { name: 'tick', data: {} });
  const first = await queue.add('dedup', {}, { deduplication: { id: 'same' } });
  const second = await queue.add('dedup', {}, { deduplication: { id: 'same' } });
  assertEq(second.id, first.id, 'deduplicated id');
  assertEq(await queue.setGlobalConcurrency(2), 1);
  assertEq(await queue.getGlobalConcurrency(), 2);

  const seen = [];
  closing(new Worker('flows', async (job) => {
    seen.push(job.name);
    if (job.name === 'parent') {
      const values = Object.values(await job.getChildrenValues());
      return values.reduce((a, b) => a + b, 0);
    }
    return job.name === 'child' ? job.data.v * 10 : 1;
  }, { connection: connection(s), limiter: { max: 100, duration: 1000 }, metrics: { maxDataPoints: 10 } }));
  await until(async () => (await tree.job.getState()) === 'completed', 'the parent to complete', 20000);
  assertEq((await queue.getJob(tree.job.id)).returnvalue, 60, 'sum of the children');
  assertEq(seen.indexOf('parent') > seen.lastIndexOf('child'), true, 'parent after its children');
  await until(() => seen.filter((n) => n === 'tick').length >= 3, 'three scheduled ticks', 20000);
  assertEq((await queue.getJobSchedulers()).map((j) => j.key), ['every']);
  await queue.removeJobScheduler('every');
  assertEq(await queue.getJobSchedulers(), []);
  assertEq(seen.filter((n) => n === 'dedup').length, 1, 'one deduplicated job ran');
  const metrics = await queue.getMetrics('completed');
  if (!(metrics.meta.count >= 5)) throw new Error(`metrics count ${metrics.meta.count}`);
  assertEq(await queue.getJobCounts('failed', 'waiting-children'), { failed: 0, 'waiting-children': 0 });
}));

run();
