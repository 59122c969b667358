"""Benchmark (issue "Measure and make it fast"): bench --short works.
Every operation runs and every metric line is printed; no timing checks.
On x86-64, /bin/bench is the TSC benchmark of issue 12 (user/arch/x86_64/
bin/bench.c, tools/bench_x86.py): its --quick mode, under icount and not.
"""
import re

import os

import harness
import bench_x86
from bench import METRICS, ARGS, make_disk
from harness import test


def bench_disk(name):
    """setup=: the scratch disk for the disk metrics, as make bench has
    (ext2 with a 16 MiB file in its first part, raw blocks after it)."""
    def make():
        d = os.path.join(harness.ROOT, "build", "test-disks")
        os.makedirs(d, exist_ok=True)
        return {"disk": make_disk(os.path.join(d, name + ".img"))}
    return make

LINE = re.compile(r"^(\w+): (-?\d+)$", re.M)


def metrics(out):
    return {m.group(1): int(m.group(2)) for m in LINE.finditer(out)}


def x86_quick(g):
    """x86-64's bench --quick: {metric: {median, min, samples, batch}},
    every metric there, each median positive and at least its minimum."""
    out = g.run("bench --quick; echo status=$?", timeout=120)
    assert "FAIL" not in out and "status=0" in out, out
    vals, notes, _ = bench_x86.parse(out)
    for m in bench_x86.METRICS:
        assert m in vals, "no %s line:\n%s" % (m, out)
        v = vals[m]
        assert 0 < v["min"] <= v["median"] and v["samples"] > 0 and v["batch"] > 0, (m, v, out)
    # the TSC's notes: its properties and its rate against the clock
    assert "tsc" in notes and int(notes["tsc_mhz"]) > 0, out
    return vals


def x86_every_metric(g):
    """Under icount the TSC follows the instructions run, so what each
    operation contains orders the cycles: a round trip is more than one
    call, an exec more than a fork that only exits."""
    vals = {m: v["median"] for m, v in x86_quick(g).items()}
    assert vals["raw_syscall"] < vals["pipe_roundtrip"], vals
    assert vals["raw_syscall"] < vals["yield_roundtrip"], vals
    assert vals["fork_exit_wait"] < vals["fork_exec_wait"], vals


# As make bench runs it: icount, where instret counts instructions (and
# on x86-64 the TSC ticks once per instruction: tsc_mhz reads 1000).
@test(icount=0, args=ARGS, timeout=120, setup=bench_disk("bench-short"))
def bench_short_every_metric(g):
    harness.per_arch(riscv=riscv_every_metric, x86_64=x86_every_metric)(g)


def riscv_every_metric(g):
    out = g.run("bench --short; echo status=$?", timeout=120)
    assert "FAIL" not in out, out
    assert "status=0" in out, out
    vals = metrics(out)
    for m in METRICS:
        assert m in vals, "no %s line:\n%s" % (m, out)
        assert vals[m] > 0, "%s: %d\n%s" % (m, vals[m], out)
    # The disk metrics that wait: the harts idled meanwhile (meminfo's
    # idle_ns says how long), and that time is not counted as work.
    for m in ("disk_read_cold_4k", "disk_write_fsync_4k", "ext2_read_cold_4k", "ext2_write_fsync_4k",
              "ext2_create_delete"):
        note = re.search(r"^# %s: (\d+) per 4 KiB with the harts' idle time, of which (\d+) idle$" % m, out, re.M)
        assert note, out
        total, idle = int(note.group(1)), int(note.group(2))
        assert idle > 0 and abs(vals[m] - (total - idle)) <= 5, (m, vals[m], total, idle)  # less the loop's cost
    # the cold read through ext2 came from the disk (the file has no
    # holes), read ahead: --short reads 64 blocks
    io = re.search(r"^# ext2_read_cold_4k: (\d+) reads \((\d+) of them read-ahead\)", out, re.M)
    assert io and int(io.group(1)) >= 64 and int(io.group(2)) >= 32, out
    assert 0 < vals["ext2_read_cold_pct"] <= 200, out


# Wall clock (make bench ICOUNT=0): ns from clock_ns, so the values are
# noise-prone (a tiny operation minus the loop's cost may come out 0 or
# below) and only their presence is checked; timer_tick is left out.
# On x86-64 the TSC is the wall clock already: the same --quick run, in
# real time (under TCG here, KVM elsewhere).
@test(args=ARGS, timeout=120, setup=bench_disk("bench-short-wall"))
def bench_short_wall_clock(g):
    harness.per_arch(riscv=riscv_wall_clock, x86_64=x86_quick)(g)


def riscv_wall_clock(g):
    out = g.run("bench --short --time; echo status=$?", timeout=120)
    assert "FAIL" not in out and "status=0" in out, out
    vals = metrics(out)
    for m in METRICS:
        if m != "timer_tick":
            assert m in vals, "no %s line:\n%s" % (m, out)
