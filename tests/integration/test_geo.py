#!/usr/bin/python3
"""Geospatial commands through redis-py against a real server.

Scenarios: a store locator (GEOADD stores, GEOSEARCH by radius and box
with distances and coordinates, nearest-N with COUNT), GEOSEARCHSTORE and
GEORADIUS STORE/STOREDIST results read back as sorted sets, GEOADD's
NX/XX/CH and its ZADD identity (ZSCORE shows the geohash, the event is
"zadd"), the store forms' events, WATCH invalidated by GEOADD, BZPOPMIN
woken by GEOSEARCHSTORE, errors and WRONGTYPE, and random points and
searches replayed on redis-server side by side, compared byte for byte
in RESP2 and RESP3 (unsorted searches included: both servers scan the
same boxes in the same score order; shared points give equal distances,
ordered under COUNT as Redis's partial quicksort does).
"""

import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, assert_raises_text, test  # noqa: E402

import redis  # noqa: E402

STORES = {
    "louvre": (2.3376, 48.8606),
    "eiffel": (2.2945, 48.8584),
    "notre-dame": (2.3499, 48.8530),
    "versailles": (2.1204, 48.8049),
    "orly": (2.3795, 48.7262),
    "lyon": (4.8357, 45.7640),
}


def haversine(a, b):
    r = 6372797.560856
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    u = math.sin((lat2 - lat1) / 2)
    v = math.sin((lon2 - lon1) / 2)
    return 2 * r * math.asin(math.sqrt(u * u + math.cos(lat1) *
                                       math.cos(lat2) * v * v))


@test
def store_locator():
    r = h.flushed(decode_responses=True)
    args = []
    for name, (lon, lat) in STORES.items():
        args += [lon, lat, name]
    assert_eq(r.geoadd("stores", args), len(STORES))
    here = (2.3522, 48.8566)   # Paris centre
    near = r.geosearch("stores", longitude=here[0], latitude=here[1],
                       radius=5, unit="km", sort="ASC", withdist=True)
    want = sorted((n for n, p in STORES.items()
                   if haversine(here, p) <= 5000),
                  key=lambda n: haversine(here, STORES[n]))
    assert_eq([n for n, _ in near], want, "within 5 km")
    for n, d in near:
        assert abs(d - haversine(here, STORES[n]) / 1000) < 0.01, (n, d)
    two = r.geosearch("stores", longitude=here[0], latitude=here[1],
                      radius=50, unit="km", count=2)
    assert_eq(two, want[:2], "nearest two")
    box = r.geosearch("stores", member="eiffel", width=30, height=20,
                      unit="km", sort="DESC")
    # Orly is 14.7 km south of the Eiffel tower: outside a 20 km high box.
    assert_eq(set(box), {"louvre", "eiffel", "notre-dame", "versailles"},
              "box")
    assert_eq(box[-1], "eiffel", "DESC ends at the centre")
    pos = r.geopos("stores", "lyon", "nowhere")
    assert abs(pos[0][0] - 4.8357) < 1e-5 and abs(pos[0][1] - 45.764) < 1e-5
    assert_eq(pos[1], None)
    d = r.geodist("stores", "louvre", "lyon", unit="km")
    assert abs(d - haversine(STORES["louvre"], STORES["lyon"]) / 1000) < .01
    assert_eq(r.geodist("stores", "louvre", "nowhere"), None)
    assert_eq(len(r.geohash("stores", "louvre")[0]), 11)


@test
def search_store_results():
    r = h.flushed(decode_responses=True)
    for name, (lon, lat) in STORES.items():
        r.geoadd("stores", [lon, lat, name])
    before = r.info("persistence")["rdb_changes_since_last_save"]
    n = r.geosearchstore("near", "stores", longitude=2.35, latitude=48.85,
                         radius=10, unit="km")
    assert_eq(n, 3)
    # Redis counts one change per member stored.
    assert_eq(r.info("persistence")["rdb_changes_since_last_save"] - before,
              3, "dirty")
    assert_eq(r.zscore("near", "louvre"), r.zscore("stores", "louvre"),
              "hash scores copied")
    n = r.geosearchstore("dist", "stores", longitude=2.35, latitude=48.85,
                         radius=10, unit="km", storedist=True)
    assert_eq(n, 3)
    assert r.zscore("dist", "notre-dame") < 1, "distance in km"
    n = r.georadius("stores", 2.35, 48.85, 500, unit="km",
                    store_dist="far", count=1)
    assert_eq(n, 1)
    assert_eq(r.zrange("far", 0, -1), ["notre-dame"])
    # No match, or no source: the destination goes away.
    assert_eq(r.geosearchstore("near", "stores", longitude=-70,
                               latitude=1, radius=1, unit="m"), 0)
    assert_eq(r.exists("near"), 0)
    r.set("dist", "x")
    assert_eq(r.geosearchstore("dist", "nokey", longitude=1, latitude=1,
                               radius=1, unit="m"), 0)
    assert_eq(r.exists("dist"), 0)


@test
def geoadd_is_zadd():
    r = h.flushed(decode_responses=True)
    r.config_set("notify-keyspace-events", "KEA")
    ev = h.KeyEvents(h.shared_server(), "__keyevent@0__:*")
    assert_eq(r.geoadd("g", [13.361389, 38.115556, "Palermo"]), 1)
    assert_eq(r.zscore("g", "Palermo"), 3479099956230698.0)
    assert_eq(r.geoadd("g", [15, 37, "Palermo"], nx=True), 0)
    assert_eq(r.geoadd("g", [15, 37, "Palermo"], xx=True, ch=True), 1)
    assert_eq(r.geoadd("g", [15, 37, "Catania"], xx=True), 0)
    assert_eq(r.zcard("g"), 1)
    # "new" is class n, which A does not include.
    assert_eq(ev.keyevents(r), [("zadd", "g"), ("zadd", "g")], "events")
    r.config_set("notify-keyspace-events", "")
    ev.close()
    # WATCH sees a GEOADD.
    w = h.shared_server().client(decode_responses=True)
    pipe = w.pipeline()
    pipe.watch("g")
    r.geoadd("g", [1, 1, "x"])
    pipe.multi()
    pipe.get("g")
    try:
        pipe.execute()
        raise AssertionError("EXEC ran after a GEOADD on a watched key")
    except redis.WatchError:
        pass


@test
def store_events():
    srv = h.shared_server()
    r = h.flushed()
    r.config_set("notify-keyspace-events", "KEAn")
    ev = h.KeyEvents(srv, "__keyevent@0__:*")
    r.geoadd("g", [13.361389, 38.115556, "Palermo"])
    r.geoadd("g", [13.361389, 38.115556, "Palermo"])      # no change
    r.geosearchstore("d", "g", longitude=13, latitude=38, radius=100,
                     unit="km")
    r.georadius("g", 13, 38, 100, unit="km", store="e")
    r.georadius("g", 13, 38, 100, unit="km", store="e")   # overwrite
    r.georadius("g", 0, 1, 1, unit="km", store="e")       # empty: del
    r.geosearchstore("d", "nosuch", longitude=13, latitude=38, radius=1,
                     unit="km")                            # del
    r.geosearch("g", longitude=13, latitude=38, radius=100, unit="km")
    want = ["new:g", "zadd:g", "new:d", "geosearchstore:d", "new:e",
            "georadiusstore:e", "georadiusstore:e", "del:e", "del:d"]
    got = ["%s:%s" % e for e in ev.keyevents(r)]
    assert_eq(got, want, "events")
    r.config_set("notify-keyspace-events", "")
    ev.close()


@test
def bzpopmin_woken_by_geosearchstore():
    r = h.flushed(decode_responses=True)
    r.geoadd("g", [13.361389, 38.115556, "Palermo",
                   15.087269, 37.502669, "Catania"])
    bg = h.Bg(lambda c: c.bzpopmin("near", 5), decode_responses=True)
    h.wait_blocked(r, 1)
    assert_eq(r.geosearchstore("near", "g", longitude=15, latitude=37,
                               radius=100, unit="km", storedist=True), 1)
    key, member, score = bg.get()
    assert_eq((key, member), ("near", "Catania"), "woken")
    assert abs(score - 56.4413) < 1e-4, score


@test
def errors():
    r = h.flushed(decode_responses=True)
    r.set("s", "x")
    assert_raises_text(lambda: r.geoadd("s", [1, 1, "a"]), "WRONGTYPE")
    assert_raises_text(lambda: r.geopos("s", "a"), "WRONGTYPE")
    assert_raises_text(lambda: r.execute_command("GEOADD", "g", 181, 0, "a"),
                       "invalid longitude,latitude pair 181.000000,0.000000")
    assert_raises_text(lambda: r.execute_command("GEODIST", "g", "a", "b",
                                                 "parsec"),
                       "unsupported unit provided. please use M, KM, FT, MI")
    r.geoadd("g", [1, 1, "a"])
    assert_raises_text(lambda: r.execute_command(
        "GEOSEARCH", "g", "FROMMEMBER", "zz", "BYRADIUS", 1, "km"),
        "could not decode requested zset member")
    assert_raises_text(lambda: r.execute_command(
        "GEOSEARCH", "g", "BYRADIUS", 1, "km", "ASC", "ASC"),
        "exactly one of FROMMEMBER or FROMLONLAT can be specified for "
        "GEOSEARCH")
    assert_raises_text(lambda: r.execute_command(
        "GEOSEARCH", "g", "FROMLONLAT", 1, 1, "ANY", "ASC"),
        "exactly one of BYRADIUS and BYBOX")
    assert_raises_text(lambda: r.execute_command(
        "GEOSEARCH", "g", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "m", "ANY"),
        "the ANY argument requires COUNT argument")
    assert_raises_text(lambda: r.execute_command(
        "GEORADIUS", "g", 1, 1, 1, "m", "WITHDIST", "STORE", "x"),
        "STORE option in GEORADIUS is not compatible")


# ---------------------------------------------------------------------------
# Differential test against redis-server.
# ---------------------------------------------------------------------------

REF_BIN = os.environ.get("REDIS_REF_BIN", "/usr/bin/redis-server")
UNITS = ["m", "km", "ft", "mi", "KM"]


def random_point(rnd, centre=None):
    if centre and rnd.random() < .8:
        lon = centre[0] + rnd.uniform(-2, 2)
        lat = centre[1] + rnd.uniform(-2, 2)
        lon = max(-180, min(180, lon if abs(lon) <= 180 else -lon))
        lat = max(-85.05112878, min(85.05112878, lat))
        return lon, lat
    return rnd.uniform(-180, 180), rnd.uniform(-85.05, 85.05)


def random_search(rnd, centres, members):
    c = rnd.choice(centres)
    lon, lat = random_point(rnd, c)
    unit = rnd.choice(UNITS)
    scale = {"m": 1, "km": 1000, "ft": .3048, "mi": 1609.34, "KM": 1000}
    size = rnd.choice([1, 10, 1e3, 5e4, 2e5, 1e6, 5e6, 2e7]) / scale[unit]
    size = "%.3f" % (size * rnd.uniform(.5, 1.5))
    opts = []
    for o in ("WITHDIST", "WITHCOORD", "WITHHASH"):
        if rnd.random() < .4:
            opts.append(o)
    if rnd.random() < .6:
        opts.append(rnd.choice(["ASC", "DESC"]))
    if rnd.random() < .4:
        opts += ["COUNT", str(rnd.randint(1, 20))]
        if rnd.random() < .3:
            opts.append("ANY")
    kind = rnd.randrange(5)
    if kind == 0:
        return ["GEORADIUS", "g", "%.6f" % lon, "%.6f" % lat, size,
                unit] + opts
    if kind == 1:
        return ["GEORADIUSBYMEMBER_RO", "g", rnd.choice(members), size,
                unit] + opts
    frm = (["FROMMEMBER", rnd.choice(members)] if rnd.random() < .4 else
           ["FROMLONLAT", "%.6f" % lon, "%.6f" % lat])
    by = (["BYRADIUS", size, unit] if kind == 2 else
          ["BYBOX", size, "%.3f" % (float(size) * rnd.uniform(.2, 3)),
           unit])
    if rnd.random() < .2:
        store = ["STOREDIST"] if rnd.random() < .5 else []
        return ["GEOSEARCHSTORE", "dst", "g"] + frm + by + [
            o for o in opts if not o.startswith("WITH")] + store
    return ["GEOSEARCH", "g"] + frm + by + opts


@test
def differential_against_redis():
    if not os.path.exists(REF_BIN):
        h.skip("no " + REF_BIN)
    ref = h.Server(binary=REF_BIN, name="reference").start()
    srv = h.shared_server()
    for seed, proto in ((1, 2), (2, 3)):
        rnd = random.Random(seed)
        a, b = ref.conn(), srv.conn()
        for conn in (a, b):
            conn.call("FLUSHALL")
            if proto == 3:
                conn.call("HELLO", "3")
        centres = [(2.35, 48.85), (179.9, 0), (-179.9, 10), (0, 84.9),
                   (0, -84.9), (13.36, 38.11), (-122.4, 37.8)]
        members, points = [], []
        for i in range(600):
            c = rnd.choice(centres)
            lon, lat = random_point(rnd, c)
            # Shared points make equal distances, which COUNT must order
            # as Redis's (unstable) partial sort does.
            if points and rnd.random() < .25:
                lon, lat = rnd.choice(points)
            points.append((lon, lat))
            m = "m%d" % i
            members.append(m)
            cmd = ["GEOADD", "g", repr(lon), repr(lat), m]
            assert_eq(b.call(*cmd), a.call(*cmd), " ".join(cmd))
        for edge in ("180 0 e1", "-180 0 e2", "0 85.05112878 e3",
                     "0 -85.05112878 e4", "180 85.05112878 e5"):
            cmd = ["GEOADD", "g"] + edge.split()
            assert_eq(b.call(*cmd), a.call(*cmd), " ".join(cmd))
        members += ["e1", "e2", "e3", "e4", "e5", "nosuch"]
        for i in range(700):
            cmd = random_search(rnd, centres, members)
            assert_eq(b.call(*cmd), a.call(*cmd), "seed %d RESP%d step %d: "
                      "%s" % (seed, proto, i, " ".join(cmd)))
            if cmd[0] == "GEOSEARCHSTORE":
                z = ["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
                assert_eq(b.call(*z), a.call(*z), "stored")
        for cmd in (["GEOPOS", "g"] + members[:50] + members[-6:],
                    ["GEOHASH", "g"] + members[:50] + members[-6:],
                    ["ZRANGE", "g", "0", "-1", "WITHSCORES"]):
            assert_eq(b.call(*cmd), a.call(*cmd), cmd[0])
        for i in range(200):
            m1, m2 = rnd.choice(members), rnd.choice(members)
            cmd = ["GEODIST", "g", m1, m2, rnd.choice(UNITS)]
            assert_eq(b.call(*cmd), a.call(*cmd), " ".join(cmd))
        a.close()
        b.close()
    ref.stop()


if __name__ == "__main__":
    h.run()
