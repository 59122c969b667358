#!/usr/bin/env python3
"""profile.py: where the instructions of one benchmark operation go.

Boots Trapdoor under `-icount shift=0,sleep=off` (as make bench does),
runs `bench --profile METRIC N`, and once bench says it is ready (its
setup done) switches QEMU to one instruction per translation block and
logs every block executed (`singlestep on`, `log exec,nochain`, through
QMP).  Then it counts the logged instructions by kernel function.  bench
brackets its timed loop with two uptime() calls; the window is from the
return-to-user after the first to the trap entry of the second, so it
holds N operations and nothing else.

    tools/profile.py null_syscall            flat profile, per operation
    tools/profile.py fork_exit_wait -n 20    20 operations (default: a
                                             window of about 1M instructions)
    tools/profile.py pipe_roundtrip --annotate pipewrite
                                             per instruction, with the code
    tools/profile.py fork_exec_wait --callers memcpy
                                             who calls memcpy, how often,
                                             and its instructions per caller
    tools/profile.py timer_tick --kernel-only
                                             log kernel code only (-dfilter):
                                             the loop there is 25M user
                                             instructions

User-mode instructions are one bucket, "(user)": bench, its children and
the programs they run share addresses.  M-mode (OpenSBI) is "(opensbi)".
The log is large (about 90 bytes per instruction) and is deleted after.
"""
import argparse
import bisect
import collections
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Guest  # noqa: E402
import bench  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.path.join(ROOT, "build", "kernel.elf")
CROSS = os.environ.get("CROSS", "riscv64-unknown-elf-")
KERNEL_BASE = 0xffffffc000000000
FIRMWARE = (0x80000000, 0x80200000)  # OpenSBI runs untranslated here

# Operations per profile: about a million instructions each.
DEFAULT_N = {
    "null_call": 10000, "null_syscall": 1000, "raw_syscall": 1000, "yield_roundtrip": 200,
    "pipe_roundtrip": 200, "fork_exit_wait": 20, "fork_exec_wait": 10, "spawn_wait": 10,
    "sbrk_touch_1m": 2, "timer_tick": 2, "pipe_roundtrip_1000": 200, "fork_exit_wait_1000": 5, "fork_exit_wait_16m": 1,
}

TRACE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")


def symbols():
    """Sorted (address, name) of the kernel's code symbols."""
    out = subprocess.run([CROSS + "nm", "-n", "--defined-only", KERNEL], capture_output=True,
                         text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        addr, kind, name = line.split()[:3]
        if kind in "tT" and not name.startswith(".L"):
            syms.append((int(addr, 16), name))
    return syms


def disassembly():
    """{address: instruction text} for the whole kernel."""
    out = subprocess.run([CROSS + "objdump", "-d", "--no-show-raw-insn", KERNEL], capture_output=True,
                         text=True, check=True).stdout
    code = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s+(.*)$", line)
        if m:
            code[int(m.group(1), 16)] = m.group(2).strip()
    return code


class Qmp:
    """Just enough QMP to type monitor commands."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.f = self.sock.makefile("rw")
        self.f.readline()  # greeting
        self.execute("qmp_capabilities")

    def execute(self, cmd, **args):
        self.f.write(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}) + "\n")
        self.f.flush()
        while True:  # skip asynchronous events
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (cmd, r["error"]))

    def hmp(self, line):
        return self.execute("human-monitor-command", **{"command-line": line})


def trace(metric, n, kernel_only, args):
    """Run bench --profile under the logger; return (log path, console)."""
    tmp = tempfile.mkdtemp(prefix="trapdoor-profile-")
    sock, log = os.path.join(tmp, "qmp.sock"), os.path.join(tmp, "exec.log")
    extra = ["-qmp", "unix:%s,server=on,wait=off" % sock, "-D", log]
    if kernel_only:
        extra += ["-dfilter", "0x%x..0xffffffffffffffff" % KERNEL_BASE]
    # bench's scratch disk, as make bench attaches it (the disk and ext2
    # metrics need it; the others boot the same way as under make bench)
    disk = bench.make_disk(bench.DISK)
    with Guest(cpus=1, args=args, icount=0, extra=extra, disk=disk) as g:
        g.boot()
        q = Qmp(sock)
        start = len(g.out)
        g.send("bench --profile %s %d; echo bench-exit=$?\n" % (metric, n))
        g.expect(r"# profile: ready", 600)
        q.hmp("singlestep on")
        q.hmp("log exec,nochain")
        g.send("\n")
        g.expect(r"bench-exit=\d+", 1200)
        q.hmp("log none")
        out = g.out[start:]
    os.unlink(sock)
    return log, out


def window(log, uptime, sret, entry):
    """The logged pcs between bench's two uptime() markers."""
    pcs, state = [], 0
    with open(log, errors="replace") as f:
        for line in f:
            m = TRACE.match(line)
            if not m:
                continue
            pc = int(m.group(1), 16)
            if state == 0:  # before the first marker
                if uptime[0] <= pc < uptime[1]:
                    state = 1
            elif state == 1:  # in the first marker: wait for its sret
                if pc == sret:
                    state = 2
            else:
                if uptime[0] <= pc < uptime[1]:
                    state = 3
                    break
                pcs.append(pc)
    if state != 3:
        raise SystemExit("profile: the markers were not both found in the log")
    # Drop the second marker's own trap entry and dispatch.
    cut = max(i for i, pc in enumerate(pcs) if pc == entry)
    return pcs[:cut]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("metric")
    ap.add_argument("-n", type=int, default=0, help="operations to trace")
    ap.add_argument("--top", type=int, default=25, help="functions to list")
    ap.add_argument("--annotate", metavar="FUNC", action="append", default=[],
                    help="also list FUNC instruction by instruction")
    ap.add_argument("--callers", metavar="FUNC", action="append", default=[],
                    help="also split FUNC's own instructions by the function that called it")
    ap.add_argument("--kernel-only", action="store_true", help="log kernel addresses only")
    ap.add_argument("--args", default=bench.ARGS, help="kernel command line (default %s, as make bench)" % bench.ARGS)
    ap.add_argument("--keep", action="store_true", help="keep the log")
    a = ap.parse_args()

    syms = symbols()
    addrs = [s[0] for s in syms]
    byname = {name: addr for addr, name in syms}
    code = disassembly()
    up = byname["sys_uptime"]
    uptime = (up, addrs[addrs.index(up) + 1])
    tr = byname["trap_return"]
    sret = min(pc for pc, ins in code.items() if pc >= tr and ins.startswith("sret"))

    n = a.n or DEFAULT_N.get(a.metric, 10)
    log, out = trace(a.metric, n, a.kernel_only, a.args)
    if not re.search(r"bench-exit=0", out):
        raise SystemExit("profile: bench failed:\n" + out)
    try:
        pcs = window(log, uptime, sret, byname["trap_entry"])
    finally:
        if not a.keep:
            os.unlink(log)
            os.rmdir(os.path.dirname(log))
        else:
            print("log kept: %s" % log)
    m = re.search(r"^%s: (\d+)$" % a.metric, out, re.M)

    def func(pc):
        if pc < KERNEL_BASE:
            return "(opensbi)" if FIRMWARE[0] <= pc < FIRMWARE[1] else "(user)"
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i][1] if i >= 0 else "?"

    counts = collections.Counter(func(pc) for pc in pcs)
    per_pc = collections.Counter(pcs)
    total = len(pcs)
    print("%s: %d operation(s), %d instructions logged in the window, %.1f per operation%s"
          % (a.metric, n, total, total / n, " (kernel only)" if a.kernel_only else ""))
    if m:
        print("bench measured %s per operation in this run (loop overhead subtracted)" % m.group(1))
    print()
    print("%9s  %6s  %s" % ("per op", "share", "function"))
    for name, c in counts.most_common(a.top):
        print("%9.1f  %5.1f%%  %s" % (c / n, c * 100.0 / total, name))
    rest = total - sum(c for _, c in counts.most_common(a.top))
    if rest:
        print("%9.1f  %5.1f%%  (%d more functions)" % (rest / n, rest * 100.0 / total, len(counts) - a.top))
    for f in a.callers:
        # A call enters f at its first instruction from outside f: the
        # instruction before is the call site.  f's own instructions until
        # it is left go to that caller (f's callees are not counted).
        if f not in byname:
            print("\nno function %s" % f)
            continue
        lo = byname[f]
        hi = addrs[addrs.index(lo) + 1]
        calls, instrs = collections.Counter(), collections.Counter()
        caller = "?"
        for prev, pc in zip([0] + pcs, pcs):
            if lo <= pc < hi:
                if pc == lo and not lo <= prev < hi:
                    caller = func(prev)
                    calls[caller] += 1
                instrs[caller] += 1
        print("\n%s by caller, per operation:" % f)
        print("%9s  %9s  %s" % ("calls", "instrs", "caller"))
        for c, k in instrs.most_common():
            print("%9.2f  %9.1f  %s" % (calls[c] / n, k / n, c))
    for f in a.annotate:
        if f not in byname:
            print("\nno function %s" % f)
            continue
        lo = byname[f]
        hi = addrs[addrs.index(lo) + 1]
        print("\n%s, per operation:" % f)
        for pc in sorted(p for p in code if lo <= p < hi):
            c = per_pc.get(pc, 0)
            print("%9.2f  %x  %s" % (c / n, pc, code[pc]))


if __name__ == "__main__":
    main()
