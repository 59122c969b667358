"""Tour: the console samples in docs/tour.md are what a real run prints
(tools/tour_samples.py wrote them; run it again when one goes stale), and
its table of the seeds' ideas on both machines names what is there."""
import os
import re
import sys

import harness
from harness import host_test, test

sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
import tour_samples  # noqa: E402

SAMPLES = tour_samples.samples(open(tour_samples.TOUR).read())


@host_test()
def trace_tour_has_real_samples():
    """The samples of trace trap and trace syscall are whole: the shell's
    own calls around the program's, not two lines picked out."""
    by = {" | ".join(c): text for c, text, _ in SAMPLES}
    for cmds in ("trace trap | hello | trace off", "trace syscall | hello | trace off"):
        assert cmds in by, (cmds, list(by))
        lines = by[cmds].splitlines()
        assert len(lines) >= 12, (cmds, lines)
        assert any("(sh)" in l for l in lines) and any("(hello)" in l for l in lines), lines


def sample_test(cmds, old):
    def fn(g):
        new = tour_samples.transcript(g, cmds)
        assert tour_samples.same(old, new), (
            "docs/tour.md's sample of %r is out of date (python3 tools/tour_samples.py rewrites it); "
            "a run prints:\n%s" % (" | ".join(cmds), new))
    return fn


for i, (cmds, old, _) in enumerate(SAMPLES):
    name = "trace_tour_sample_%d_%s" % (i + 1, "_".join(cmds[0].split()[:2]))
    # the tour's samples are RISC-V's console (its addresses, its calls)
    test(timeout=90, args=tour_samples.ARGS, name=name, arch="riscv")(sample_test(cmds, old))


def defined_in(name, text):
    """Is name a function, macro or label defined in this source text?"""
    return bool(re.search(r"^(?:[\w*]+[ \t*]+)+%s\(|^#define %s\(|^%s:|^LINUX_CALL\(%s\)" % ((name,) * 4),
                          text, re.M))


@host_test()
def tour_machine_table_names_what_is_there():
    """The tour's table of each seed idea on RISC-V and on x86-64: every
    file it names exists, every function `f()` it places `in` a file is
    defined there (else in that architecture's directory or the portable
    kernel), and every other name it quotes occurs in that code."""
    tour = open(tour_samples.TOUR).read()
    sec = re.search(r"^## The same ideas on x86-64\n(.*?)^## ", tour, re.S | re.M)
    assert sec, "no x86-64 section in docs/tour.md"
    rows = [r for r in sec.group(1).splitlines() if r.startswith("| ") and not r.startswith("| seed")]
    assert len(rows) >= 12, rows

    def read(path):
        with open(os.path.join(harness.ROOT, path)) as f:
            return f.read()

    def tree(*dirs):
        out = {}
        for d in dirs:
            for n in sorted(os.listdir(os.path.join(harness.ROOT, d))):
                if n.endswith((".c", ".h", ".S")):
                    out[os.path.join(d, n)] = read(os.path.join(d, n))
        return out

    ideas = set()
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) == 3, row
        ideas.add(cells[0])
        for arch, cell in (("riscv", cells[1]), ("x86_64", cells[2])):
            code = tree("kernel/arch/" + arch, "kernel")
            everything = "\n".join(code.values())
            for path in re.findall(r"`((?:kernel|user|include)/[\w/.]+)`", cell):
                assert os.path.exists(os.path.join(harness.ROOT, path)), (arch, path)
                if path.endswith((".c", ".h", ".S")):
                    everything += "\n" + read(path)
            placed = dict(re.findall(r"`(\w+)\(\)` in `([\w/.]+)`", cell))
            for fn in re.findall(r"`(\w+)\(\)`", cell):
                if fn in placed:
                    assert defined_in(fn, read(placed[fn])), "%s: %s() is not defined in %s" % (arch, fn, placed[fn])
                else:
                    assert defined_in(fn, everything), "%s: %s() is defined nowhere in its code" % (arch, fn)
            for tok in [t for t in re.findall(r"`([^`]*)`", cell) if "(" not in t and "/" not in t]:
                for word in re.findall(r"[A-Za-z_]\w+", tok.replace("struct ", "").replace("t->", "")):
                    assert re.search(r"\b%s\b" % word, everything), "%s: %r is not in its code" % (arch, word)
    # the seed ideas the tour's sections are about, each with its row
    for idea in ("trap table", "trap instruction", "hardware saves", "kernel stack", "return-from-trap",
                 "dispatch", "timer interrupt", "swtch"):
        assert any(idea in i for i in ideas), (idea, ideas)
