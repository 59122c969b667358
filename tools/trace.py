#!/usr/bin/env python3
"""trace.py: record a run of Trapdoor and draw it (make trace CMD="...").

Boots Trapdoor in QEMU with trace=record, types the commands at the shell,
waits for background jobs, runs tracedump and keeps its lines:

    OUT/NAME.trace     the events (tracedump's lines, with # key: value
                       lines saying how they were made)
    OUT/NAME.console   everything the console printed
    OUT/NAME.md        the protocol tables          } tools/render_trace.py
    OUT/NAME.html      tables and timeline          }
    OUT/NAME.png       a picture of the page (--png, needs Chromium)

    python3 tools/trace.py --cmd "spin 1 & echo hi" [--cpus 2] [--tick 10ms] [--disk build/disk.img]
                           [--arch x86_64]   (make trace ARCH=x86_64: build/x86_64/trace/)

With a disk, a read of /dev/vda that misses the cache blocks: e.g.
    --cmd "spin 1 & dd if=/dev/vda of=/dev/null bs=4096 count=1 skip=3000"
gives the table of a read that sleeps on the disk while spin runs.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# guest.py reads the architecture when it is imported (as tools/test.py)
for _i, _a in enumerate(sys.argv):
    if _a == "--arch" and _i + 1 < len(sys.argv):
        os.environ["TRAPDOOR_ARCH"] = sys.argv[_i + 1]
    elif _a.startswith("--arch="):
        os.environ["TRAPDOOR_ARCH"] = _a.split("=", 1)[1]
from guest import ARCH, BUILD, Guest, GuestError  # noqa: E402
import render_trace  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def boot_args(asked):
    """(the line the kernel boots with, the words this tool added to the
    user's): trace=record, and a tick and a slice unless the user set them."""
    words = asked.split()
    keys = [w.split("=", 1)[0] for w in words]
    added = []
    if "trace" in keys:
        # The kernel keeps the last trace= word: record goes into the user's.
        i = len(keys) - 1 - keys[::-1].index("trace")
        if "record" not in words[i].split("=", 1)[1].split(","):
            words[i] += ",record"
            added.append("record (in %s)" % words[i])
    else:
        added.append("trace=record")
    if "tick" not in keys:
        added.append("tick=10ms")
    if "slice" not in keys:
        added.append("slice=1")
    booted = [w for w in added if "=" in w and " " not in w] + words
    return " ".join(booted), " ".join(added)


def meta_lines(cmds, asked, added, booted, cpus, disk=None):
    """The # lines at the head of a .trace: the page shows the user's own
    boot arguments, and apart from them those the tool added; the disk,
    whose speed the disk's part of the run depends on; the machine."""
    return ["# trace: recorded by tools/trace.py; render with tools/render_trace.py",
            "# arch: %s" % ARCH,
            "# cmd: %s" % "; ".join(cmds),
            "# args: %s" % re.sub(r"\s+", " ", asked).strip(),
            "# added: %s" % added,
            "# booted: %s" % booted,
            "# cpus: %d" % cpus] + (["# disk: %s" % disk] if disk else [])


def record(cmds, cpus=1, boot_args="trace=record", timeout=60, log=None, disk=None):
    """Boot, run cmds, dump the rings; return (trace lines, console text).
    disk: an image for /dev/vda, or Guest's -drive options."""
    g = Guest(cpus=cpus, args=boot_args, disk=disk)
    try:
        g.boot(timeout=30)
        for c in cmds:
            if log:
                log("$ " + c)
            g.run(c, timeout=timeout)
        # Background jobs (spin 1 &) finish first, so their output cannot
        # cut into tracedump's lines.
        g.run("wait", timeout=timeout)
        out = g.run("tracedump -s", timeout=max(timeout, 120))
        console = g.out
    finally:
        g.close()
    lines = out.splitlines()
    try:
        first = next(i for i, l in enumerate(lines) if l.startswith("TRACE-BEGIN"))
        last = next(i for i, l in enumerate(lines) if l.startswith("TRACE-END"))
    except StopIteration:
        raise GuestError("tracedump printed no complete trace:\n" + "\n".join(lines[-10:]))
    kept = [l for l in lines[first:last + 1]
            if render_trace.EV_RE.fullmatch(l) or l.startswith("TRACE-")]
    return kept, console, boot_args


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", action="append", default=[],
                    help="a shell command line (repeat for several); default: spin 1 & echo hi")
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--tick", help="timer period (tick= boot argument; default 10ms)")
    ap.add_argument("--slice", type=int, help="ticks per time slice (default 1)")
    ap.add_argument("--args", default="", help="more boot arguments (sched=coop, ...)")
    ap.add_argument("--arch", default=ARCH, choices=("riscv", "x86_64"),
                    help="the machine to boot (make trace ARCH=...; default riscv)")
    ap.add_argument("--out", default=os.path.join(ROOT, BUILD, "trace"), help="output directory")
    ap.add_argument("--name", default="run", help="base name of the output files")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per command")
    ap.add_argument("--png", action="store_true", help="also take a picture of the page (Chromium)")
    ap.add_argument("--disk", help="a disk image for /dev/vda (make trace: DISK, default build/disk.img)")
    a = ap.parse_args()
    cmds = [c for c in a.cmd if c.strip()] or ["spin 1 & echo hi"]
    # --tick and --slice are the user's words as much as --args is
    asked = " ".join(a.args.split() + (["tick=%s" % a.tick] if a.tick else []) +
                     (["slice=%d" % a.slice] if a.slice is not None else []))
    args, added = boot_args(asked)
    for f in (os.path.join(BUILD, "kernel.elf"), os.path.join(BUILD, "initrd.cpio")):
        if not os.path.exists(os.path.join(ROOT, f)):
            print("trace: %s is missing: run make%s first (or make trace CMD=...)"
                  % (f, "" if ARCH == "riscv" else " ARCH=" + ARCH), file=sys.stderr)
            return 1
    try:
        lines, console, boot_line = record(cmds, a.cpus, args, a.timeout,
                                           log=lambda s: print("trace: " + s, file=sys.stderr), disk=a.disk)
    except GuestError as e:
        print("trace: %s" % e, file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, a.name)
    meta = meta_lines(cmds, asked, added, boot_line, a.cpus, a.disk)
    with open(base + ".trace", "w") as f:
        f.write("\n".join(meta + lines) + "\n")
    with open(base + ".console", "w") as f:
        f.write(console)
    tr, an, md, page = render_trace.render(base + ".trace", a.out, a.name)
    for w in render_trace.warnings(tr, base + ".trace"):
        print("trace: warning: %s" % w, file=sys.stderr)
    if a.png:
        ok, why = render_trace.screenshot(page, base + ".png")
        if ok:
            # again, now that the picture exists, so the Markdown links it
            render_trace.render(base + ".trace", a.out, a.name)
        else:
            print("trace: no picture: %s" % why, file=sys.stderr)
    lost = tr.dropped + max(tr.missing, 0)
    print("trace: %d events%s in %s.trace" % (len(tr.events), " (%d lost)" % lost if lost else "", base))
    print("trace: protocol tables %s" % os.path.relpath(md))
    print("trace: timeline %s%s" % (os.path.relpath(page), " and .png" if a.png and os.path.exists(base + ".png") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
