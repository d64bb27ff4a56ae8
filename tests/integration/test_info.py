#!/usr/bin/python3
"""INFO's counters as monitoring tools read them: errorstats, error
replies of every origin, blocked commands counted once, and the order of
the sections. Each test passes on redis-server 7.0 too
(RESPITE_BIN=/usr/bin/redis-server); tests/compat/diff_info.py compares
the two at random."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import assert_eq, encode, test  # noqa: E402


def info(conn, *sections):
    """INFO's text as {section title: {field: value}} plus the titles in
    order under the key None."""
    raw = h.parse(conn.call("INFO", *sections)).decode()
    out, titles, cur = {}, [], None
    for line in raw.split("\r\n"):
        if line.startswith("# "):
            cur = out.setdefault(line[2:], {})
            titles.append(line[2:])
        elif line:
            k, _, v = line.partition(":")
            cur[k] = v
    out[None] = titles
    return out


def reset():
    """A connection to the shared server after FLUSHALL and RESETSTAT."""
    c = h.shared_server().conn()
    c.call("FLUSHALL")
    c.call("CONFIG", "RESETSTAT")
    return c


@test
def keyspace_comes_after_commandstats_and_errorstats():
    with reset() as c:
        c.call("SET", "k", "v")
        c.call("NOSUCH")
        for args in (["everything"], ["all"]):
            titles = info(c, *args)[None]
            mine = [t for t in titles
                    if t in ("Commandstats", "Errorstats", "Keyspace")]
            assert_eq(mine, ["Commandstats", "Errorstats", "Keyspace"],
                      "INFO %s sections" % args[0])
        titles = info(c)[None]
        assert "Errorstats" in titles and "Commandstats" not in titles, \
            titles
        assert_eq(titles[-1], "Keyspace", "INFO's last section")
        assert_eq(info(c, "stats", "errorstats")[None],
                  ["Stats", "Errorstats"], "INFO stats errorstats")


@test
def errorstats_count_by_code_in_byte_order():
    with reset() as c:
        c.call("RPUSH", "l", "x")
        c.call("GET", "l")                  # WRONGTYPE
        c.call("NOSUCH")                    # ERR, rejected
        c.call("GET")                       # ERR, wrong arity
        c.call("INCR", "l")                 # WRONGTYPE
        c.call("XGROUP", "CREATECONSUMER", "l", "g", "c")   # WRONGTYPE
        i = info(c, "errorstats", "stats")
        assert_eq(list(i["Errorstats"].items()),
                  [("errorstat_ERR", "count=2"),
                   ("errorstat_WRONGTYPE", "count=3")], "errorstats")
        assert_eq(i["Stats"]["total_error_replies"], "5",
                  "total_error_replies")
        assert_eq(i["Stats"]["unexpected_error_replies"], "0",
                  "unexpected_error_replies")
        stats = list(i["Stats"])
        assert_eq(stats.index("unexpected_error_replies") + 1,
                  stats.index("total_error_replies"), "their order")
        c.call("CONFIG", "RESETSTAT")
        assert_eq(info(c, "errorstats")["Errorstats"], {},
                  "errorstats after RESETSTAT")


@test
def errors_inside_exec_and_rejected_ones_count():
    with reset() as c:
        c.call("RPUSH", "l", "x")
        c.send(encode("MULTI") + encode("GET", "l") + encode("LLEN", "l")
               + encode("EXEC"))
        c.read_n(4)
        c.send(encode("MULTI") + encode("NOSUCH") + encode("EXEC"))
        c.read_n(3)
        i = info(c, "errorstats", "stats")
        assert_eq(dict(i["Errorstats"]),
                  {"errorstat_WRONGTYPE": "count=1",
                   "errorstat_ERR": "count=1",
                   "errorstat_EXECABORT": "count=1"}, "errorstats")
        assert_eq(i["Stats"]["total_error_replies"], "3",
                  "total_error_replies")


@test
def protocol_error_counts_as_an_error_reply():
    with reset() as c:
        with h.shared_server().conn() as bad:
            bad.send(b"*1\r\n$abc\r\n")
            assert bad.read_raw().startswith(b"-ERR Protocol error")
        i = info(c, "errorstats", "stats")
        assert_eq(i["Stats"]["total_error_replies"], "1",
                  "total_error_replies")
        assert_eq(i["Errorstats"], {"errorstat_ERR": "count=1"},
                  "errorstats")


def cmdstat(c, name):
    line = info(c, "commandstats")["Commandstats"].get("cmdstat_" + name)
    if line is None:
        return None
    d = dict(p.split("=") for p in line.split(","))
    return (int(d["calls"]), int(d["failed_calls"]))


@test
def a_blocked_command_counts_one_call():
    with reset() as c, h.shared_server().conn() as w:
        w.send(encode("BLPOP", "q", "0"))
        h.wait_blocked(h.shared_server().client(), 1)
        before = int(info(c, "stats")["Stats"]["total_commands_processed"])
        assert_eq(cmdstat(c, "blpop"), (1, 0), "BLPOP blocked")
        c.call("RPUSH", "q", "a")
        assert_eq(h.parse(w.read_raw()), [b"q", b"a"], "BLPOP's reply")
        assert_eq(cmdstat(c, "blpop"), (1, 0), "BLPOP served")
        after = int(info(c, "stats")["Stats"]["total_commands_processed"])
        # INFO stats, INFO commandstats, RPUSH, INFO commandstats.
        assert_eq(after - before, 4, "commands processed meanwhile")
        w.call("BLPOP", "q", "0.01")
        assert_eq(cmdstat(c, "blpop"), (2, 0), "BLPOP timed out")


@test
def client_unblock_error_fails_the_blocked_command():
    with reset() as c, h.shared_server().conn() as w:
        wid = h.parse(w.call("CLIENT", "ID"))
        w.send(encode("BZPOPMIN", "z", "0"))
        h.wait_blocked(h.shared_server().client(), 1)
        assert_eq(c.call("CLIENT", "UNBLOCK", wid, "ERROR"), b":1\r\n",
                  "CLIENT UNBLOCK")
        assert w.read_raw().startswith(b"-UNBLOCKED"), "waiter's reply"
        assert_eq(cmdstat(c, "bzpopmin"), (1, 1), "BZPOPMIN's stats")
        i = info(c, "errorstats")
        assert_eq(i["Errorstats"], {"errorstat_UNBLOCKED": "count=1"},
                  "errorstats")


@test
def clients_in_timeout_table_counts_waits_with_a_timeout():
    with reset() as c, h.shared_server().conn() as w1, \
            h.shared_server().conn() as w2:
        r = h.shared_server().client()
        h.send_blocked(r, w1, 1, "BLPOP", "q1", "0")
        h.send_blocked(r, w2, 2, "BLPOP", "q2", "30")
        i = info(c, "clients")["Clients"]
        assert_eq((i["blocked_clients"], i["clients_in_timeout_table"]),
                  ("2", "1"), "blocked, of them with a timeout")


# What monitoring tools read and Respite fills: the values Redis shows
# with nothing persisted, replicated, forked or evicted.
CONSTANTS = {
    "Server": {"io_threads_active": "0"},
    "Clients": {"cluster_connections": "0"},
    "Memory": {"maxmemory_human": "0B"},
    "Persistence": {"rdb_last_bgsave_status": "ok", "rdb_saves": "0",
                    "rdb_last_bgsave_time_sec": "-1",
                    "aof_last_bgrewrite_status": "ok",
                    "aof_last_write_status": "ok", "aof_rewrites": "0"},
    "Stats": {"evicted_clients": "0", "total_forks": "0",
              "latest_fork_usec": "0"},
    "Replication": {"master_failover_state": "no-failover",
                    "master_repl_offset": "0", "repl_backlog_active": "0"},
}


@test
def fields_monitoring_tools_read():
    with reset() as c:
        i = info(c, "everything")
        for title, fields in CONSTANTS.items():
            got = {k: i[title].get(k) for k in fields}
            assert_eq(got, fields, title)
        m = i["Memory"]
        assert int(m["total_system_memory"]) > 0, m
        assert float(m["mem_fragmentation_ratio"]) > 0, m
        int(m["mem_fragmentation_bytes"])
        for k in ("used_cpu_sys_children", "used_cpu_user_main_thread"):
            float(i["CPU"][k])
        last_save = int(i["Persistence"]["rdb_last_save_time"])
        up = int(i["Server"]["uptime_in_seconds"])
        now = int(i["Server"]["server_time_usec"]) // 1000000
        assert abs(now - up - last_save) <= 2, (now, up, last_save)


@test
def used_memory_peak_keeps_the_high_water_mark():
    """The peak is at least used_memory, and what a load added stays in it
    after FLUSHALL gave the memory back (both servers sample it on their
    100 ms timer, so the test waits for a tick)."""
    s = h.Server(name="peak").start()
    c = s.conn()
    val = b"p" * 1000
    for i in range(0, 4000, 500):
        c.send(b"".join(h.encode("SET", "k%d" % j, val)
                        for j in range(i, i + 500)))
        c.read_n(500)
    loaded = int(info(c, "memory")["Memory"]["used_memory"])
    time.sleep(0.3)
    assert_eq(c.call("FLUSHALL"), b"+OK\r\n", "FLUSHALL")
    m = info(c, "memory")["Memory"]
    used, peak = int(m["used_memory"]), int(m["used_memory_peak"])
    assert peak >= loaded > used + 3000000, (peak, loaded, used)
    perc = float(m["used_memory_peak_perc"].rstrip("%"))
    assert abs(perc - used * 100.0 / peak) < 1, (perc, used, peak)
    assert m["used_memory_peak_human"].endswith("M"), m
    s.stop()


@test
def instantaneous_rates_follow_the_traffic():
    """instantaneous_ops_per_sec and the kbps figures: the mean rate of
    the last 1.6 s, sampled every 100 ms; they rise under a steady load
    and are back to 0 once it has stopped that long."""
    with reset() as c:
        batch = b"".join(h.encode("SET", "k", "v" * 100)
                         for _ in range(200))
        end = time.monotonic() + 2.0
        sent = 0
        t0 = time.monotonic()
        while time.monotonic() < end:
            c.send(batch)
            c.read_n(200)
            sent += 200
            time.sleep(0.01)
        rate = sent / (time.monotonic() - t0)
        st = info(c, "stats")["Stats"]
        ops = int(st["instantaneous_ops_per_sec"])
        assert rate / 4 < ops < rate * 2, (ops, rate)
        kin = float(st["instantaneous_input_kbps"])
        assert rate * 100 / 1024 / 4 < kin < rate * 130 / 1024 * 2, \
            (kin, rate)
        assert float(st["instantaneous_output_kbps"]) > 0, st
        assert_eq(st["instantaneous_input_repl_kbps"], "0.00", "repl in")
        time.sleep(2.0)
        st = info(c, "stats")["Stats"]
        assert_eq(st["instantaneous_ops_per_sec"], "0", "idle ops/s")
        assert_eq(st["instantaneous_input_kbps"], "0.00", "idle input")
        lru = int(info(c, "server")["Server"]["lru_clock"])
        assert abs(lru - int(time.time()) % (1 << 24)) <= 1, lru


@test
def avg_ttl_estimates_the_ttls_left():
    """Keyspace's avg_ttl: the sweeper's estimate from the keys it samples
    (ms), as Redis's; 0 while no key has a TTL."""
    with reset() as c:
        c.send(b"".join(h.encode("SET", "t%d" % i, "v", "PX",
                                 str(90000 + i * 20)) for i in range(1000)))
        c.read_n(1000)
        c.call("SET", "plain", "v")
        time.sleep(0.5)
        ks = info(c, "keyspace")["Keyspace"]["db0"]
        fields = dict(x.split("=") for x in ks.split(","))
        assert_eq(fields["expires"], "1000", "expires")
        assert 80000 < int(fields["avg_ttl"]) < 110000, ks
        c.call("FLUSHALL")
        c.call("SET", "plain", "v")
        time.sleep(0.3)
        ks = info(c, "keyspace")["Keyspace"]["db0"]
        assert ks.endswith(",expires=0,avg_ttl=0"), ks


@test
def avg_ttl_starts_over_after_a_flush():
    """FLUSHALL and FLUSHDB zero avg_ttl, as Redis's: it is a running
    average, and the flushed keys' TTLs (Sidekiq's 5-year stats keys, say)
    must not stand in for the new keys' for the next hundred sweeps."""
    for flush in (("FLUSHALL",), ("FLUSHDB",)):
        with reset() as c:
            c.call("SET", "long", "v", "EX", "157680000")
            time.sleep(0.3)
            ks = info(c, "keyspace")["Keyspace"]["db0"]
            assert int(ks.split("avg_ttl=")[1]) > 10 ** 11, ks
            c.call(*flush)
            c.call("SET", "short", "v", "EX", "100")
            for _ in range(3):
                ks = info(c, "keyspace")["Keyspace"]["db0"]
                assert int(ks.split("avg_ttl=")[1]) <= 100000, (flush, ks)
                time.sleep(0.15)


@test
def memory_breakdown_adds_up():
    """used_memory is the overhead (start-up, clients, the keyspace's
    tables) plus the dataset, and the dataset grows with the data, as
    MEMORY STATS shows it; dataset_perc is of what start-up left."""
    with reset() as c:
        before = info(c, "memory")["Memory"]
        c.send(b"".join(h.encode("SET", "k%d" % i, "v" * 200)
                        for i in range(5000)))
        c.read_n(5000)
        m = info(c, "memory")["Memory"]
        used, over = int(m["used_memory"]), int(m["used_memory_overhead"])
        start, data = int(m["used_memory_startup"]), \
            int(m["used_memory_dataset"])
        assert_eq(over + data, used, "overhead + dataset")
        assert start <= over, (start, over)
        assert data - int(before["used_memory_dataset"]) > 5000 * 200, \
            (before["used_memory_dataset"], data)
        perc = float(m["used_memory_dataset_perc"].rstrip("%"))
        assert abs(perc - data * 100.0 / (used - start)) < 0.1, (perc, m)
        assert_eq(m["mem_aof_buffer"], "0", "mem_aof_buffer")
        st = h.parse(c.call("MEMORY", "STATS"))
        stats = dict(zip(st[::2], st[1::2]))
        assert_eq(int(stats[b"startup.allocated"]), start, "startup")


@test
def reads_and_writes_processed_count_socket_calls():
    """total_reads_processed / total_writes_processed: one read and one
    write a request when a client waits for each reply."""
    with reset() as c:
        st = info(c, "stats")["Stats"]
        r0, w0 = int(st["total_reads_processed"]), \
            int(st["total_writes_processed"])
        for _ in range(100):
            assert_eq(c.call("PING"), b"+PONG\r\n", "PING")
        st = info(c, "stats")["Stats"]
        # The 100 PINGs and the second INFO's read; the first INFO's write.
        assert_eq(int(st["total_reads_processed"]) - r0, 101, "reads")
        assert_eq(int(st["total_writes_processed"]) - w0, 101, "writes")
        assert_eq(st["io_threaded_reads_processed"], "0", "io threads")


@test
def recent_max_client_buffers():
    """client_recent_max_input_buffer / _output_buffer: the largest
    request being read and reply waiting to go, seen in the last seconds
    (sampled every 100 ms)."""
    with reset() as c:
        c.call("SET", "big", "x" * (16 << 20))
        s = h.shared_server()
        with s.conn() as writer, s.conn() as reader:
            # Half of a 1 MB argument, the rest never sent.
            writer.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n" +
                        b"y" * (600 << 10))
            # A 16 MB reply that nobody reads (the kernel takes a few MB).
            reader.send(h.encode("GET", "big"))
            time.sleep(0.5)
            cl = info(c, "clients")["Clients"]
        assert int(cl["client_recent_max_input_buffer"]) >= 600 << 10, cl
        assert int(cl["client_recent_max_output_buffer"]) >= 1 << 20, cl


@test
def used_memory_is_steady_across_identical_cycles():
    """The same 5000 SETs and DELs, three times: from the second cycle on,
    used_memory grows by the same bytes and comes back where it began
    (within 32 KB; redis-server: 11 KB). Counting the blocks jemalloc's
    thread cache holds as used made it swing by 70 to 100 KB, enough to
    push a small maxmemory into OOM with nothing left to evict."""
    s = h.Server(name="memory").start()
    c = s.conn()

    def used():
        return int(info(c, "memory")["Memory"]["used_memory"])

    cycles = []
    for _ in range(3):
        before = used()
        c.send(b"".join(encode("SET", "key:%d" % i, "v" * 100)
                        for i in range(5000)))
        for _ in range(5000):
            c.read_raw()
        grown = used() - before
        c.send(b"".join(encode("DEL", "key:%d" % i) for i in range(5000)))
        for _ in range(5000):
            c.read_raw()
        cycles.append((grown, used() - before))
    (g2, left2), (g3, left3) = cycles[1], cycles[2]
    assert abs(g2 - g3) < 32768, cycles
    assert abs(left2) < 32768 and abs(left3) < 32768, cycles
    c.close()


if __name__ == "__main__":
    h.run()
