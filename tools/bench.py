#!/usr/bin/env python3
"""bench.py: run the in-guest benchmark and judge its numbers (make bench).

Boots Trapdoor on one hart under `-icount shift=0,sleep=off`, where the
guest's instret counts instructions exactly, runs /bin/bench, and prints a
table: instructions per operation, the target, whether it is met, and the
change against the committed baseline (bench/baseline.json).  The numbers
go to build/bench.json.  Every run boots twice and checks that both runs
printed the same numbers: under icount they must.

    make bench                 instructions per operation (icount shift=0)
    make bench ICOUNT=0        wall clock instead: no -icount, ns per
                               operation from the guest's clock (noisy; no
                               targets, no baseline, build/bench_wall.json)
    make bench ICOUNT=N        -icount shift=N: instret is then 2^N per
                               instruction and is scaled back
    tools/bench.py --update-baseline
                               make this run the new baseline

Also measured: boot_ms, the wall-clock time from starting QEMU to the
shell prompt (median of three plain boots, no icount).  It is shown but
never compared: it depends on the host.

The disk's metrics read and write a scratch disk (build/bench-disk.img,
made afresh for each boot by make_disk) as /dev/vda: an ext2 file system
(host mke2fs) with a 16 MiB file in its first part, mounted on /mnt
(kernel argument root=mnt: the root stays in RAM for the other metrics),
and raw blocks after it.  Those that wait for the device
(REPORT_ONLY: the cold reads, write + fsync, create + delete) are CPU
instructions with the harts' idle time taken out, which still varies a
little between runs: shown with every run's figure, never put in the
baseline; ext2_read_cold_pct, raw cold read over ext2 cold read, is judged
all the same (>= 80).  With ICOUNT=0 they are wall-clock ns per 4 KiB,
idle included: the throughput, and the percentage a throughput ratio.

Exit status 1 if the benchmark itself failed or two runs differed; with
--strict also if a target is missed or a metric regressed by over 10%.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Guest, GuestError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "bench", "baseline.json")

# Every metric bench prints, in its order (tests/test_bench.py uses this).
METRICS = [
    "null_call", "null_syscall", "raw_syscall", "yield_roundtrip", "pipe_roundtrip",
    "fork_exit_wait", "fork_exec_wait", "spawn_wait", "sbrk_touch_1m", "timer_tick",
    "pipe_roundtrip_1000", "fork_exit_wait_1000", "thread_create_join", "futex_pingpong",
    "mutex_uncontended", "fork_exit_wait_16m",
    "ramfile_read_4k", "disk_read_cold_4k", "disk_read_warm_4k", "disk_write_fsync_4k",
    "ext2_read_cold_4k", "ext2_read_cold_pct", "ext2_read_warm_4k", "ext2_write_fsync_4k",
    "ext2_create_delete",
]
# Printed, never judged, kept out of the determinism check and the
# baseline: they wait for the disk, and even with the idle time taken out
# (bench.c) their instruction counts vary a little from run to run.
REPORT_ONLY = {"disk_read_cold_4k", "disk_write_fsync_4k", "ext2_read_cold_4k", "ext2_read_cold_pct",
               "ext2_write_fsync_4k", "ext2_create_delete"}
# The scratch disk bench's disk metrics read and write (/dev/vda), made
# afresh for every boot, so that its first read is cold: an ext2 file
# system in its first EXT2_MIB with one 16 MiB file without holes (the
# ext2 metrics, on /mnt: the kernel boots with root=mnt), raw blocks
# after it (the /dev/vda metrics: bench.c's DISK_READ_AT, DISK_WRITE_AT).
DISK = os.path.join(ROOT, "build", "bench-disk.img")
DISK_MIB = 88
EXT2_MIB = 48
BIG_FILE = "bench-16m"
ARGS = "tick=10ms root=mnt"

# Instructions per operation the kernel should reach (issue "Measure and
# make it fast").  a _1000 metric is judged against the same metric without its 1000 sleepers.
TARGETS = {
    "null_syscall": 120,
    "yield_roundtrip": 800,
    "pipe_roundtrip": 1500,
    "timer_tick": 250,
    "fork_exit_wait": 15000,
    "fork_exit_wait_16m": 150000,
    "fork_exec_wait": 60000,
    "spawn_wait": 30000,
    "mutex_uncontended": 30,  # lock + unlock: no system call (issue 10)
}
# Targets from below: metric >= this.  ext2_read_cold_pct: a cold read
# through ext2 costs at most 1/0.8 of the raw read of as many blocks
# (issue 11).  Judged though report-only: it waits for the device.
AT_LEAST = {"ext2_read_cold_pct": 80}
# Targets relative to another metric: metric <= other * num / den + plus.
# A warm read from the buffer cache should cost no more than twice the
# same read from the in-RAM file system (issue 11's goal for ext2's warm
# re-read).
RELATIVE = {
    "thread_create_join": ("fork_exit_wait", 1, 3, 0),  # a third of a process (issue 10)
    "futex_pingpong": ("yield_roundtrip", 1, 1, 300),   # a yield round trip + 300 (issue 10)
    "disk_read_warm_4k": ("ramfile_read_4k", 2, 1, 0),  # twice the in-RAM read (issue 11)
    "ext2_read_warm_4k": ("ramfile_read_4k", 2, 1, 0),  # the same through ext2 (issue 11)
}
SCALING_SLACK = 0.05  # a _1000 metric within 5% of the metric without sleepers
REGRESSION = 0.10     # slower than the baseline by more than this: called out

LINE = re.compile(r"^(\w+): (-?\d+)$", re.M)


def make_disk(path):
    """bench's scratch disk at path: ext2 (made by the host's mke2fs, as
    make disk does) in the first EXT2_MIB holding BIG_FILE, 16 MiB of a
    pattern (zeros would become holes), sparse zeros after it."""
    tree = path + "-tree"
    os.makedirs(tree, exist_ok=True)
    block = bytes((i * 7 + 1) & 0xff for i in range(4096))
    with open(os.path.join(tree, BIG_FILE), "wb") as f:
        for _ in range(4096):
            f.write(block)
    if os.path.exists(path):
        os.unlink(path)
    env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/sbin:/usr/sbin")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-r", "1", "-b", "4096", "-E", "root_owner=0:0",
                    "-d", tree, path, "%dM" % EXT2_MIB], check=True, env=env, stdout=subprocess.DEVNULL)
    with open(path, "r+b") as f:
        f.truncate(DISK_MIB << 20)
    return path


def run_bench(wall, shift, args, timeout):
    """Boot, run bench, return ({metric: value}, console text).  wall:
    no icount, bench --time; else icount with this shift."""
    make_disk(DISK)  # afresh: a fresh boot caches none of it
    with Guest(cpus=1, args=args, icount=None if wall else shift, disk=DISK) as g:
        g.boot()
        out = g.run("bench%s; echo bench-exit=$?" % (" --time" if wall else ""), timeout=timeout)
    st = re.search(r"bench-exit=(\d+)", out)
    if not st or st.group(1) != "0":
        raise GuestError("bench failed (exit %s):\n%s" % (st.group(1) if st else "?", out))
    vals = {m.group(1): int(m.group(2)) for m in LINE.finditer(out)}
    if not wall and shift:  # shift=N: instret advances 2^N per instruction
        vals = {k: round(v / (1 << shift)) for k, v in vals.items()}
    return vals, out


def boot_ms(args, boots=3):
    """Wall-clock ms from starting QEMU to the first shell prompt."""
    times = []
    for _ in range(boots):
        t0 = time.monotonic()
        with Guest(cpus=1, args=args) as g:
            g.boot()
            times.append((time.monotonic() - t0) * 1000)
    return round(statistics.median(times))


def target_of(metric, vals):
    """(text, met?) for metric's target, or ("", None) if it has none."""
    if metric.endswith("_1000"):
        plain = metric[:-len("_1000")]
        base = vals.get(plain)
        if base is None:
            return "", None
        limit = base * (1 + SCALING_SLACK)
        return "<= %d (%s +5%%)" % (limit, plain), vals[metric] <= limit
    if metric in AT_LEAST:
        return ">= %d" % AT_LEAST[metric], vals[metric] >= AT_LEAST[metric]
    if metric in REPORT_ONLY:
        return "report only", None
    if metric in RELATIVE:
        other, num, den, plus = RELATIVE[metric]
        if other not in vals:
            return "", None
        limit = vals[other] * num // den + plus
        how = "%s%s%s%s" % ("%d x " % num if num != 1 else "", other, " / %d" % den if den != 1 else "",
                            " + %d" % plus if plus else "")
        return "<= %d (%s)" % (limit, how), vals[metric] <= limit
    if metric in TARGETS:
        return "<= %d" % TARGETS[metric], vals[metric] <= TARGETS[metric]
    return "", None


def table(vals, unit, baseline, judge):
    """Print the table; return (missed targets, regressions)."""
    rows = [("metric", unit, "target", "met?", "baseline", "change")]
    missed, regressed = [], []
    for m in METRICS + ["boot_ms"]:
        if m not in vals:
            rows.append((m, "n/a", "", "", "", ""))
            continue
        v = vals[m]
        tgt, met = target_of(m, vals) if judge and m != "boot_ms" else ("", None)
        if met is False:
            missed.append(m)
        base, change = "", ""
        if baseline and m in baseline and m != "boot_ms" and m not in REPORT_ONLY:
            b = baseline[m]
            base = str(b)
            if b > 0:
                pct = (v - b) * 100.0 / b
                change = "%+.1f%%" % pct
                if v > b * (1 + REGRESSION):
                    change += " REGRESSION"
                    regressed.append(m)
        if m == "boot_ms":
            base, change = "", "(wall clock, ms)"
        rows.append((m, str(v), tgt, {True: "yes", False: "NO", None: ""}[met], base, change))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) if j in (0, 2, 3, 5) else c.rjust(w)
                        for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return missed, regressed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--icount", type=int, default=None,
                    help="omit: icount shift=0 (instructions); 0: wall clock; N: icount shift=N")
    ap.add_argument("--args", default=ARGS, help="kernel command line (default %s)" % ARGS)
    ap.add_argument("--runs", type=int, default=None,
                    help="boots of the benchmark, all must agree (default 2; 1 for wall clock)")
    ap.add_argument("--baseline", default=BASELINE, help="baseline JSON (default bench/baseline.json)")
    ap.add_argument("--update-baseline", action="store_true", help="write this run's numbers as the baseline")
    ap.add_argument("--strict", action="store_true", help="fail on missed targets and regressions")
    ap.add_argument("--timeout", type=int, default=600, help="seconds for one bench run in the guest")
    a = ap.parse_args()

    wall = a.icount == 0
    icount = 0 if a.icount is None else a.icount
    runs = a.runs or (1 if wall else 2)
    mode = "wall clock (no -icount)" if wall else "-icount shift=%d,sleep=off" % icount
    print("bench: 1 hart, %s, kernel args %r, %d run(s)" % (mode, a.args, runs))
    sys.stdout.flush()

    results = []
    try:
        for i in range(runs):
            t0 = time.monotonic()
            vals, _ = run_bench(wall, icount, a.args, a.timeout)
            results.append(vals)
            print("run %d: %d metrics in %.1fs" % (i + 1, len(vals), time.monotonic() - t0))
            sys.stdout.flush()
        vals = dict(results[0])
        vals["boot_ms"] = boot_ms(a.args)
    except GuestError as e:
        print("bench: %s" % e)
        return 1

    status = 0
    missing = [m for m in METRICS if m not in vals and not (wall and m == "timer_tick")]
    if missing:
        print("bench: no result for %s" % ", ".join(missing))
        status = 1
    differ = sorted(m for r in results[1:] for m in set(r) | set(results[0])
                    if r.get(m) != results[0].get(m) and m not in REPORT_ONLY)
    if runs > 1:
        if differ:
            print("bench: NOT deterministic, runs differ in: %s" % ", ".join(sorted(set(differ))))
            for m in sorted(set(differ)):
                print("  %s: %s" % (m, " ".join(str(r.get(m)) for r in results)))
            status = 1
        else:
            print("bench: deterministic: all %d runs printed identical numbers (but the report-only %s)"
                  % (runs, ", ".join(sorted(REPORT_ONLY))))
            for m in sorted(REPORT_ONLY):
                print("  %s: %s" % (m, " ".join(str(r.get(m)) for r in results)))

    baseline = None
    if not wall and os.path.exists(a.baseline) and not a.update_baseline:
        with open(a.baseline) as f:
            baseline = json.load(f)
    print()
    missed, regressed = table(vals, "ns/op" if wall else "instr/op", baseline, judge=not wall)
    print()

    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    out = os.path.join(ROOT, "build", "bench_wall.json" if wall else "bench.json")
    with open(out, "w") as f:
        json.dump(vals, f, indent=1)
        f.write("\n")
    print("wrote %s" % os.path.relpath(out, ROOT))

    if wall:
        print("wall clock: no targets or baseline (they are instruction counts)")
        return status
    if a.update_baseline:
        os.makedirs(os.path.dirname(a.baseline), exist_ok=True)
        with open(a.baseline, "w") as f:
            json.dump({m: vals[m] for m in METRICS if m in vals and m not in REPORT_ONLY}, f, indent=1)
            f.write("\n")
        print("wrote baseline %s" % os.path.relpath(a.baseline, ROOT))
    print("targets: %s" % ("all met" if not missed else "missed by " + ", ".join(missed)))
    if baseline is not None:
        print("baseline: %s" % ("no regression over 10%" if not regressed
                                else "REGRESSED over 10%: " + ", ".join(regressed)))
    if a.strict and (missed or regressed):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
