#!/usr/bin/python3
"""Writes the README's command list from the server's own command table.

The table in server/commands.c is the only place that knows which commands
exist; this script starts bin/respite, asks COMMAND DOCS, and rewrites the
part of README.md between the COMMANDS markers. With --check it only
compares and exits 1 when the README is stale (the integration suite runs
that, so the list can not drift)."""
import os
import subprocess
import sys
import time

import redis

import readme_section

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import free_port  # noqa: E402  (RESPITE_TEST_PORTS too)
BEGIN = "<!-- COMMANDS BEGIN (scripts/gen-commands.py) -->"
END = "<!-- COMMANDS END -->"
GROUP_TITLES = {
    "connection": "Connection", "server": "Server",
    "transactions": "Transactions", "string": "Strings",
    "bitmap": "Bitmaps", "hyperloglog": "HyperLogLog",
    "generic": "Keys", "pubsub": "Pub/Sub", "hash": "Hashes",
    "set": "Sets", "sorted-set": "Sorted sets", "geo": "Geospatial",
    "list": "Lists",
    "stream": "Streams", "scripting": "Scripting",
}


def fetch_docs(binary):
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind",
                             "127.0.0.1"], stderr=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port, decode_responses=True)
        # COMMAND DOCS nests deeper than python3-hiredis's parser reads.
        from redis.connection import PythonParser
        r.connection_pool.connection_kwargs["parser_class"] = PythonParser
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        # Straight off the connection: redis-py's COMMAND reply parser
        # expects COMMAND INFO's shape.
        conn = r.connection_pool.get_connection("COMMAND")
        conn.send_command("COMMAND", "DOCS")
        raw = conn.read_response()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    if isinstance(raw, dict):
        return raw
    docs = {}
    for i in range(0, len(raw), 2):
        fields = raw[i + 1]
        docs[raw[i]] = dict(zip(fields[::2], fields[1::2]))
    return docs


def render(docs):
    groups = {}
    for name, d in docs.items():
        groups.setdefault(d["group"], []).append((name.upper(), d["summary"]))
    lines = [""]
    for group in sorted(groups, key=lambda g: list(GROUP_TITLES).index(g)
                        if g in GROUP_TITLES else 99):
        lines.append("**%s**: " % GROUP_TITLES.get(group, group.title())
                     + ", ".join(sorted(n for n, _ in groups[group])))
        lines.append("")
    lines.append("%d commands." % len(docs))
    return "\n".join(lines)


def main():
    binary = os.environ.get("RESPITE_BIN", os.path.join(ROOT, "bin/respite"))
    return readme_section.update(BEGIN, END, render(fetch_docs(binary)),
                                 "command list", "scripts/gen-commands.py",
                                 "--check" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
