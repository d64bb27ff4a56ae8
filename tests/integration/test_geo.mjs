// Geospatial commands from Node: node-redis 6 (RESP3: GEOPOS coordinates
// arrive as doubles, WITHDIST as strings) and ioredis 6 (RESP2: strings
// throughout). A store locator with GEOADD, GEOSEARCH by radius and box
// with distances and coordinates, GEOSEARCHSTORE, GEOPOS / GEODIST /
// GEOHASH, and GEORADIUS with STORE in a pipeline. Run:
// node tests/integration/test_geo.mjs

import { assertEq, assertRejects, run, test, withIoredis, withNodeRedis } from './harness.mjs';

const STORES = [
  { longitude: 2.3376, latitude: 48.8606, member: 'louvre' },
  { longitude: 2.2945, latitude: 48.8584, member: 'eiffel' },
  { longitude: 2.3499, latitude: 48.8530, member: 'notre-dame' },
  { longitude: 2.1204, latitude: 48.8049, member: 'versailles' },
  { longitude: 4.8357, latitude: 45.7640, member: 'lyon' },
];

test('node-redis: store locator', (s) => withNodeRedis(s, async (c) => {
  assertEq(await c.geoAdd('stores', STORES), 5, 'GEOADD');
  const here = { longitude: 2.3522, latitude: 48.8566 };
  assertEq(await c.geoSearch('stores', here, { radius: 5, unit: 'km' },
    { SORT: 'ASC' }), ['notre-dame', 'louvre', 'eiffel'], 'within 5 km');
  const near = await c.geoSearchWith('stores', here, { radius: 5, unit: 'km' },
    ['WITHDIST', 'WITHCOORD'], { SORT: 'ASC', COUNT: 2 });
  assertEq(near.map((r) => r.member), ['notre-dame', 'louvre'], 'nearest two');
  assertEq(near[0].distance, 0.4343, 'distance, %.4f');
  assertEq(Math.round(Number(near[1].coordinates.longitude) * 1e4), 23376);
  assertEq(await c.geoSearch('stores', 'eiffel',
    { width: 30, height: 20, unit: 'km' }, { SORT: 'DESC' }),
  ['versailles', 'notre-dame', 'louvre', 'eiffel'], 'box');
  assertEq(await c.geoSearchStore('near', 'stores', here,
    { radius: 10, unit: 'km' }), 3, 'GEOSEARCHSTORE');
  assertEq(await c.zCard('near'), 3);
  const pos = await c.geoPos('stores', ['louvre', 'nowhere']);
  assertEq(pos[1], null, 'missing member');
  assertEq(Math.round(Number(pos[0].latitude) * 1e4), 488606, 'GEOPOS');
  assertEq(await c.geoDist('stores', 'louvre', 'lyon', 'km'), 392.5232,
    'GEODIST');
  assertEq(await c.geoHash('stores', 'louvre'), ['u09tvny1w50'], 'GEOHASH');
}));

test('ioredis: replies in RESP2', (s) => withIoredis(s, async (c) => {
  const args = STORES.flatMap((p) => [p.longitude, p.latitude, p.member]);
  assertEq(await c.geoadd('stores', ...args), 5);
  assertEq(await c.geopos('stores', 'louvre'),
    [['2.33760148286819458', '48.86059932033873565']], 'GEOPOS strings');
  assertEq(await c.geodist('stores', 'louvre', 'eiffel'), '3163.6189');
  assertEq(await c.georadius('stores', 2.35, 48.85, 3, 'km', 'WITHDIST',
    'ASC'), [['notre-dame', '0.3338'], ['louvre', '1.4877']], 'WITHDIST');
  const res = await c.pipeline()
    .georadiusbymember('stores', 'eiffel', 20, 'km', 'STOREDIST', 'd')
    .zrange('d', 0, 0, 'WITHSCORES').exec();
  assertEq(res.map(([, v]) => v), [4, ['eiffel', '0']], 'pipeline');
  await assertRejects(c.geoadd('stores', 200, 0, 'x'),
    /invalid longitude,latitude pair 200\.000000,0\.000000/);
  await assertRejects(c.geodist('stores', 'a', 'b', 'parsec'),
    /unsupported unit provided/);
}));

run();
