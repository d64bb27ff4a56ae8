"""readme_section.py - rewrites one generated part of README.md, the text
between a BEGIN and an END marker line, for scripts/gen-commands.py and
scripts/gen-directives.py. With check set it only compares."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def update(begin, end, body, what, script, check):
    """Puts begin + body + end in place of README.md's section between the
    markers. Returns 0, or 1 when check is set and the README differs."""
    path = os.path.join(ROOT, "README.md")
    with open(path) as f:
        readme = f.read()
    start, stop = readme.index(begin), readme.index(end) + len(end)
    fresh = readme[:start] + begin + "\n" + body + "\n" + end + readme[stop:]
    if check:
        if fresh != readme:
            print("README.md %s is stale: run %s" % (what, script))
            return 1
        print("README.md %s matches %s" % (what, script))
        return 0
    with open(path, "w") as f:
        f.write(fresh)
    return 0
