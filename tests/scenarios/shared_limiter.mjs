// The rate-limit scenario's checks, the same for every client library:
// given two clients of one app and limit(client), which sends
// RATELIMIT rl:user:42 100 60000 the library's way and resolves to its
// five integers, two concurrent clients share one limiter of 100 a minute.
import { assertEq } from '../integration/harness.mjs';

export async function checkSharedLimiter(clients, limit) {
  // 75 calls from each client at the same time: 150 in all.
  const t0 = Date.now();
  const allowed = await Promise.all(clients.map(async (c) => {
    let n = 0;
    for (let i = 0; i < 75; i++) n += (await limit(c))[0];
    return n;
  }));
  // 100 at once, then one more every 600 ms: a machine slow enough to
  // take that long over the 150 calls sees one more admitted each time.
  const ms = Date.now() - t0;
  const total = allowed[0] + allowed[1];
  if (total < 100 || total > 100 + Math.floor(ms / 600)) {
    throw new Error(`allowed ${total} in ${ms} ms`);
  }
  let reply = await limit(clients[0]);
  for (let i = 0; i < 5 && reply[0] === 1; i++) reply = await limit(clients[0]);
  const [ok, lim, remaining, retryAfter, resetAfter] = reply;
  assertEq([ok, lim, remaining], [0, 100, 0], 'denied reply');
  if (!(retryAfter > 0 && retryAfter <= 600 && resetAfter > 0 && resetAfter <= 60000)) {
    throw new Error(`retry-after ${retryAfter}, reset-after ${resetAfter}`);
  }
}
