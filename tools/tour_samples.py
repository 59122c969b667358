#!/usr/bin/env python3
"""tour_samples.py: the console samples of docs/tour.md, from a real run.

A sample is a code block right after a marker line naming the commands:

    <!-- sample: trace trap | hello | trace off -->
    ```
    (what the console printed, written here by this tool)
    ```

Each sample boots Trapdoor afresh (one hart), types the commands at the
shell and keeps the console from the first prompt to the last, so pids
and the shell's own system calls are what a student sees.  It boots with
sched=coop: a process keeps the hart until it blocks, so the shell's
calls after a spawn always come before the child's (under the default
scheduler a timer tick now and then lets the child go first: the same
lines, another order).  tests/test_tour.py checks every sample against
a new run.

    python3 tools/tour_samples.py [--check] [FILE]   (default docs/tour.md)
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Guest, GuestError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOUR = os.path.join(ROOT, "docs", "tour.md")
MARK_RE = re.compile(r"^<!-- sample: (.*?) -->\n```\n(.*?)```\n", re.M | re.S)


def samples(text):
    """[(commands, the block's text, (start, end) of the text)]."""
    return [([c.strip() for c in m.group(1).split("|") if c.strip()], m.group(2), m.span(2))
            for m in MARK_RE.finditer(text)]


def transcript(g, cmds, timeout=30):
    """Type cmds at g's prompt; the console from that prompt on, as seen."""
    start = g.out.rfind("$ ")
    for c in cmds:
        g.run(c, timeout=timeout)
    text = g.out[start:]
    if text.endswith("$ "):
        text = text[:-2]
    return text.rstrip("\n") + "\n"


ARGS = "sched=coop"


def run(cmds, timeout=30):
    g = Guest(cpus=1, args=ARGS)
    try:
        g.boot(timeout=30)
        return transcript(g, cmds, timeout)
    finally:
        g.close()


PROC_RE = re.compile(r"\bpid (\d+) \(")
# An interrupt (the console's, as the keys arrive) taken in user mode:
# when it lands is up to the host, not the program.
ASYNC_RE = re.compile(r"^usertrap: [a-z ]*interrupt from pid")


def streams(text):
    """A transcript as one list of lines per process (the lines naming a
    pid) and one of the rest.  Within each, the order is the program's;
    between them it is the scheduler's (and the console's echo comes
    when the keys arrive)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("$ "):  # the prompt, and what followed it
            out.setdefault("-", []).append("$")
            line = line[2:]
        if ASYNC_RE.search(line):
            continue
        m = PROC_RE.search(line)
        out.setdefault(m.group(1) if m else "-", []).append(line)
    return out


def same(a, b):
    return streams(a) == streams(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=TOUR)
    ap.add_argument("--check", action="store_true", help="only compare; exit status 1 if a sample is out of date")
    a = ap.parse_args()
    text = open(a.file).read()
    found = samples(text)
    if not found:
        print("tour_samples: no samples in %s" % a.file, file=sys.stderr)
        return 1
    stale, pieces, pos = 0, [], 0
    for cmds, old, (s, e) in found:
        try:
            new = run(cmds)
        except GuestError as err:
            print("tour_samples: %s: %s" % (" | ".join(cmds), err), file=sys.stderr)
            return 1
        if not same(old, new):
            stale += 1
            print("tour_samples: %s: %s" % (" | ".join(cmds), "out of date" if a.check else "updated"))
        pieces += [text[pos:s], old if same(old, new) else new]
        pos = e
    pieces.append(text[pos:])
    if a.check:
        return 1 if stale else 0
    with open(a.file, "w") as f:
        f.write("".join(pieces))
    print("tour_samples: %d sample(s), %d updated" % (len(found), stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
