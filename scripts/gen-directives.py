#!/usr/bin/python3
"""Writes the README's directive reference from conf/respite.conf.

conf/respite.conf lists every directive at its default, under a comment
that says what it does (a unit test keeps it complete and in the order of
conf/defs.c's table). This script turns it into one table per section and
rewrites the part of README.md between the DIRECTIVES markers; with
--check it only compares and exits 1 when the README is stale
(scripts/run-tests.sh runs that, so the two cannot drift)."""
import os
import re
import sys

import readme_section

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- DIRECTIVES BEGIN (scripts/gen-directives.py) -->"
END = "<!-- DIRECTIVES END -->"
SECTION = re.compile(r"^#{3,}\s*(.*?)\s*#{3,}$")


def blocks(path):
    """Yields (section, comment, [directive lines]) in file order: each
    run of directive lines with the comment just above it."""
    section, comment, lines = None, [], []
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = SECTION.match(line)
            if m or not line.strip():
                if lines:
                    yield section, comment, lines
                    comment, lines = [], []
                if m:
                    section, comment = m.group(1), []
                continue
            if line.startswith("#"):
                if lines:
                    yield section, comment, lines
                    comment, lines = [], []
                comment.append(line.lstrip("#").strip())
            else:
                lines.append(line.strip())
    if lines:
        yield section, comment, lines


def cell(text):
    """text for a table cell: no | breaking the row, no <word> read as
    HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return text.replace(">", "&gt;").replace("|", "\\|")


def render(path):
    out, current = [], None
    for section, comment, lines in blocks(path):
        if section is None:
            continue
        if section != current:
            current = section
            out += ["", "**%s**" % section.capitalize(), "",
                    "| Directive and default | What it does |", "|---|---|"]
        names = "<br>".join("`%s`" % cell(l) for l in lines)
        out.append("| %s | %s |" % (names, cell(" ".join(comment))))
    return "\n".join(out[1:])


def main():
    body = render(os.path.join(ROOT, "conf", "respite.conf"))
    return readme_section.update(BEGIN, END, body, "directive reference",
                                 "scripts/gen-directives.py",
                                 "--check" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
