"""Benchmark (issue "Measure and make it fast"): bench --short works.
Every operation runs and every metric line is printed; no timing checks.
"""
import re

from bench import METRICS
from harness import test

LINE = re.compile(r"^(\w+): (-?\d+)$", re.M)


def metrics(out):
    return {m.group(1): int(m.group(2)) for m in LINE.finditer(out)}


# As make bench runs it: icount, where instret counts instructions.
@test(icount=0, args="tick=10ms", timeout=120)
def bench_short_every_metric(g):
    out = g.run("bench --short; echo status=$?", timeout=120)
    assert "FAIL" not in out, out
    assert "status=0" in out, out
    vals = metrics(out)
    for m in METRICS:
        assert m in vals, "no %s line:\n%s" % (m, out)
        assert vals[m] > 0, "%s: %d\n%s" % (m, vals[m], out)


# Wall clock (make bench ICOUNT=0): ns from clock_ns, so the values are
# noise-prone (a tiny operation minus the loop's cost may come out 0 or
# below) and only their presence is checked; timer_tick is left out.
@test(args="tick=10ms", timeout=120)
def bench_short_wall_clock(g):
    out = g.run("bench --short --time; echo status=$?", timeout=120)
    assert "FAIL" not in out and "status=0" in out, out
    vals = metrics(out)
    for m in METRICS:
        if m != "timer_tick":
            assert m in vals, "no %s line:\n%s" % (m, out)
