"""harness.py: what test files import: @test, guest_test and helpers."""
import os
import re
import threading
import time

from guest import ARCH, BUILD, GuestError  # noqa: F401 (ARCH, BUILD: for the tests)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGISTRY = []
# The build directory of the architecture under test (build/ for RISC-V,
# build/x86_64/ for make test ARCH=x86_64), absolute.
BDIR = os.path.join(ROOT, BUILD)


def per_arch(**values):
    """The value for the architecture under test: an expectation that is
    legitimately the machine's (a banner, an address, a cause's name),
    e.g. per_arch(riscv="store page fault", x86_64="page fault")."""
    return values[ARCH]


class Test:
    def __init__(self, name, fn=None, cpus=1, mem="128M", args="", timeout=60, boot=True, program=None,
                 host=False, arch=None):
        self.name, self.fn, self.cpus, self.mem = name, fn, cpus, mem
        self.args, self.timeout, self.boot, self.program = args, timeout, boot, program
        self.host = host
        # arch: None for a test of both architectures, or the one it is
        # about ("riscv": its CSRs, SBI, PLIC, ...): make test ARCH=...
        # runs only those it applies to
        self.arch = arch


class Skip(Exception):
    """Raised by a test that cannot run here (a missing optional tool):
    reported as SKIP with the reason, counted neither passed nor failed."""


def RAM_ROOT():
    """setup= for a test of the RAM file system itself (its accounting, the
    initramfs in it): no disk, so the root is in RAM with ROOT=disk too."""
    return {"disk": False}


def test(cpus=1, mem="128M", args="", timeout=60, boot=True, name=None, icount=None, setup=None, arch=None):
    """Decorator: fn(g) gets a booted Guest (boot=False: not yet booted).
    icount=N boots with -icount shift=N,sleep=off (deterministic time).
    setup(): runs on the host before QEMU starts and returns more keyword
    arguments for Guest (initrd=a scratch initramfs, extra=QEMU options).
    arch="riscv" (or "x86_64"): a test about that machine alone."""
    def wrap(fn):
        t = Test(name or fn.__name__, fn, cpus, mem, args, timeout, boot, arch=arch)
        t.icount = icount  # tests made otherwise have none (test.py: getattr)
        t.setup = setup
        REGISTRY.append(t)
        return fn
    return wrap


def host_test(timeout=120, name=None, arch=None):
    """Decorator: fn() runs on the host alone, no QEMU is booted (tests of
    the host tools, e.g. tools/render_trace.py).  arch: as for @test."""
    def wrap(fn):
        REGISTRY.append(Test(name or fn.__name__, fn, timeout=timeout, boot=False, host=True, arch=arch))
        return fn
    return wrap


def guest_test(program, cpus=1, mem="128M", args="", timeout=120, name=None, icount=None, setup=None,
               arch=None):
    """An in-guest test program; each 'ok - x' / 'not ok - x' line counts.
    icount=N runs it under -icount shift=N,sleep=off (time is instructions).
    setup: as for @test (RAM_ROOT: the root in RAM even with ROOT=disk).
    arch: as for @test."""
    base = name or "%s%s" % (os.path.basename(program.split()[0]), "" if cpus == 1 else "@%dcpu" % cpus)
    t = Test(base, None, cpus, mem, args, timeout, True, program, arch=arch)
    t.icount = icount
    t.setup = setup
    REGISTRY.append(t)


RESULT = re.compile(r"^(not ok|ok)\b\s*\d*\s*-?\s*(.*)$", re.M)
PLAN = re.compile(r"^1\.\.(\d+)$", re.M)


def run_guest_program(g, program, timeout):
    """Run program at the shell; collect its ok / not ok lines.  The
    program must end by printing a line 'done' (after its results).  If
    it prints a TAP plan, "1..N" (user/tests/tap.h), it must print exactly
    N results: a run that took another path, or stopped early, fails."""
    base = os.path.basename(program.split()[0])
    out = g.run(program + "; echo \"exit=$?\"", timeout=timeout)
    return guest_results(base, out)


def guest_results(base, out):
    """The results of one guest program's output (see run_guest_program)."""
    results = []
    for m in RESULT.finditer(out):
        results.append(("%s: %s" % (base, m.group(2).strip()), m.group(1) == "ok", m.group(0)))
    plans = [int(n) for n in PLAN.findall(out)]
    if len(plans) > 1:
        results.append((base + ": plan", False, "%d plan lines: %s" % (len(plans), plans)))
    elif plans and plans[0] != len(results):
        results.append((base + ": plan", False, "planned %d results, printed %d" % (plans[0], len(results))))
    st = re.search(r"exit=(\d+)", out)
    if not results:
        results.append((base, False, "printed no results"))
    if not st or st.group(1) != "0":
        results.append((base + ": exit status", False, "exit status %s" % (st.group(1) if st else "?")))
    return results


_guards = {}


def deadline_guard(g, timeout):
    """Kill QEMU if the test runs past its timeout, whatever it is doing."""
    t = threading.Timer(timeout + 30, g.close)
    t.daemon = True
    t.start()
    _guards[id(g)] = t


def cancel_guard(g):
    t = _guards.pop(id(g), None)
    if t:
        t.cancel()


def lines(out):
    return [l for l in out.splitlines() if l.strip()]


def wait_for(pred, timeout=10, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return False
