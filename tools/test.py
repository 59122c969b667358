#!/usr/bin/env python3
"""test.py: Trapdoor's test harness (make test).

Boots QEMU headless for each test, under a hard timeout, and checks what a
user would see on the console.  Tests live in tests/test_*.py:

    from harness import test, guest_test

    @test(cpus=1, args="", timeout=60)
    def shell_echo(g):             # g: a booted tools/guest.Guest
        out = g.run("echo hi")
        assert out == "hi\\n", out

    guest_test("/test/forktest", cpus=4)   # in-guest program: every
                                           # "ok - what" / "not ok - what"
                                           # line it prints is one result

    @host_test()                   # no QEMU: tests of the host tools
    def render_works():            # (--host runs only these)
        raise harness.Skip("why")  # SKIP: cannot run here, not a failure

    @test(arch="riscv")            # about one machine (its CSRs, SBI, ...):
    def sbi_works(g): ...          # only make test ARCH=riscv runs it

Every test applies to both architectures unless it says arch=.  --arch
x86_64 (make test ARCH=x86_64) boots the x86-64 kernel (tools/guest.py
says how) and leaves out the tests that tests/excluded-x86_64.txt lists,
each with its reason (--all runs them anyway).

On a failure the last console lines are shown, and the names of the
failed tests are listed again just before the last line, which is
"N passed, N failed" (", N skipped" if any were); the exit status is
non-zero if anything failed.
"""
import argparse
import concurrent.futures
import importlib.util
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# guest.py reads the architecture when it is imported
for i, a in enumerate(sys.argv):
    if a == "--arch" and i + 1 < len(sys.argv):
        os.environ["TRAPDOOR_ARCH"] = sys.argv[i + 1]
    elif a.startswith("--arch="):
        os.environ["TRAPDOOR_ARCH"] = a.split("=", 1)[1]
import harness  # noqa: E402
import guest  # noqa: E402
from guest import Guest, GuestError  # noqa: E402

ROOT = harness.ROOT


def load_tests():
    tdir = os.path.join(ROOT, "tests")
    for name in sorted(os.listdir(tdir)):
        if name.startswith("test_") and name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(tdir, name))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
    return harness.REGISTRY


def excluded(arch):
    """tests/excluded-<arch>.txt: name -> why (a line 'name  # why')."""
    path = os.path.join(ROOT, "tests", "excluded-%s.txt" % arch)
    out = {}
    if os.path.exists(path):
        for line in open(path):
            name, _, why = line.partition("#")
            if name.strip():
                out[name.strip()] = why.strip()
    return out


def run_one(t):
    """Run test t; return (name, [(subname, ok, detail)], console, seconds)."""
    start = time.time()
    g = None
    results = []
    if t.host:
        try:
            t.fn()
            results = [(t.name, True, "")]
        except harness.Skip as e:
            results = [(t.name, None, str(e))]
        except AssertionError as e:
            results = [(t.name, False, "assertion failed: %s" % (e if str(e) else traceback.format_exc(limit=2)))]
        except Exception:
            results = [(t.name, False, traceback.format_exc(limit=3))]
        return t.name, results, "", time.time() - start
    try:
        setup = getattr(t, "setup", None)
        more = setup() if setup else {}
        g = Guest(cpus=t.cpus, mem=t.mem, args=t.args, icount=getattr(t, "icount", None), **more)
        if t.boot:
            g.boot(timeout=min(30, t.timeout))
        harness.deadline_guard(g, t.timeout)
        if t.program:
            results = harness.run_guest_program(g, t.program, t.timeout)
        else:
            t.fn(g)
            results = [(t.name, True, "")]
    except harness.Skip as e:
        results.append((t.name, None, str(e)))
    except AssertionError as e:
        results.append((t.name, False, "assertion failed: %s" % (e if str(e) else traceback.format_exc(limit=2))))
    except GuestError as e:
        results.append((t.name, False, str(e)))
    except Exception:
        results.append((t.name, False, traceback.format_exc(limit=3)))
    finally:
        console = g.tail(60) if g else ""
        if g:
            harness.cancel_guard(g)
            g.close()
    return t.name, results, console, time.time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", help="only tests whose name contains this")
    ap.add_argument("-j", type=int, default=2, help="QEMUs at once (default 2)")
    ap.add_argument("-v", action="store_true", help="show the console of passing tests too")
    ap.add_argument("--host", action="store_true", help="only the host tests (no QEMU)")
    ap.add_argument("--root", choices=("ram", "disk"), default=os.environ.get("TRAPDOOR_ROOT", "ram"),
                    help="where the guests' root file system is: ram (the initramfs, default) or disk "
                         "(an ext2 image of build/rootfs, see tools/guest.py)")
    ap.add_argument("--arch", choices=("riscv", "x86_64"), default=harness.ARCH,
                    help="the guest's architecture (default riscv)")
    ap.add_argument("--all", action="store_true", help="run the excluded tests too (tests/excluded-ARCH.txt)")
    a = ap.parse_args()
    os.environ["TRAPDOOR_ROOT"] = a.root
    tests = [t for t in load_tests() if (not a.k or a.k in t.name) and (t.host or not a.host)
             and t.arch in (None, a.arch)]
    out = {} if a.all else excluded(a.arch)
    for t in tests:
        if t.name in out:
            print("EXCLUDED %s: %s" % (t.name, out[t.name]))
    nex = sum(1 for t in tests if t.name in out)
    tests = [t for t in tests if t.name not in out]
    if a.arch == "x86_64":
        print("# x86-64 guests under %s" % ("TCG" if guest.accel(quiet=False) == "tcg" else "KVM"))
    passed = failed = skipped = 0
    failed_names = []
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        futures = [ex.submit(run_one, t) for t in tests]
        for f in concurrent.futures.as_completed(futures):
            name, results, console, secs = f.result()
            bad = [r for r in results if r[1] is False]
            for sub, ok, detail in results:
                if ok is None:
                    skipped += 1
                    print("SKIP %s: %s" % (sub, detail))
                elif ok:
                    passed += 1
                    print("PASS %s" % sub)
                else:
                    failed += 1
                    failed_names.append(sub)
                    print("FAIL %s: %s" % (sub, detail))
            if (bad or a.v) and console:
                print("---- console of %s (last lines, %.1fs) ----" % (name, secs))
                print(console)
                print("----")
            sys.stdout.flush()
    print("# %d tests in %.0fs" % (passed + failed + skipped, time.time() - t0))
    if failed_names:
        # again at the end, where a `tail` of the log sees them
        print("# failed: %s" % ", ".join(sorted(set(failed_names))))
    print("%d passed, %d failed%s%s" % (passed, failed, ", %d skipped" % skipped if skipped else "",
                                        ", %d excluded (tests/excluded-%s.txt)" % (nex, a.arch) if nex else ""))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
