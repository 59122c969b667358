#!/usr/bin/env python3
"""xv6run.py: build xv6-riscv's own user programs unmodified and run them.

    python3 tools/xv6run.py [--xv6 PATH] [--cpus 4] [--quick] [test ...]
    make xv6 XV6=PATH [CPUS=4] [XV6TESTS="copyin sbrkbasic"]

PATH is an xv6-riscv checkout or a bare git repository of one (default:
$XV6, else the mirror in /work/.mirror).  Its user/*.c are compiled against
Trapdoor's compatibility headers in user/xv6/ into build/xv6/ (nothing of
xv6 enters the source tree) and put in an initramfs of their own as
/xv6/NAME.  The runner boots it, runs each usertests test on its own
(`usertests NAME`, with a timeout: a hanging test is reported, not waited
for), then forktest, zombie, stressfs, grind and xv6's sh, ls, cat, grep,
wc, echo, ln, mkdir, rm and kill, and prints a summary.  Tests whose
premise is an xv6 limit Trapdoor does not share are listed in docs/xv6.md;
they are reported as "differs", not as failures.  The exit status is 0 if
nothing else failed.
"""
import argparse
import fcntl
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import ARCH, BUILD, Guest, GuestError, ROOT  # noqa: E402

MIRROR = "/work/.mirror/mit-pdos+xv6-riscv/repo"
DOC = os.path.join(ROOT, "docs/xv6.md")
# the usertests that take minutes on xv6 too (usertests.c: slowtests)
SLOW_TIMEOUT = 400


def find_xv6(path):
    """An xv6 source directory holding user/usertests.c, or None."""
    for p in [path, os.environ.get("XV6"), MIRROR]:
        if p and os.path.isdir(p):
            return p
    return None


def prepare(src):
    """A directory with xv6's user/ sources: src itself, or for a bare git
    repository, its HEAD's user/ extracted under build/xv6/src."""
    if os.path.isfile(os.path.join(src, "user", "usertests.c")):
        return os.path.abspath(src)
    if os.path.isfile(os.path.join(src, "HEAD")) and os.path.isdir(os.path.join(src, "objects")):
        out = os.path.join(ROOT, "build/xv6/src")
        head = subprocess.run(["git", "--git-dir", src, "rev-parse", "HEAD"], check=True,
                              stdout=subprocess.PIPE, text=True).stdout.strip()
        # extracted afresh only when HEAD moved: make then rebuilds nothing
        stamp = os.path.join(out, ".head")
        if not os.path.exists(stamp) or open(stamp).read() != head:
            arch = subprocess.run(["git", "--git-dir", src, "archive", head, "user", "README"], check=True,
                                  stdout=subprocess.PIPE).stdout
            subprocess.run(["rm", "-rf", out], check=True)
            os.makedirs(out)
            subprocess.run(["tar", "-x", "-C", out], input=arch, check=True)
            open(stamp, "w").write(head)
        return out
    raise SystemExit("xv6run: %s is neither an xv6 checkout nor a git repository of one" % src)


def locked(fn):
    """fn() with build/xv6 to itself: make test may run two of these."""
    os.makedirs(os.path.join(ROOT, "build/xv6"), exist_ok=True)
    with open(os.path.join(ROOT, "build/xv6/.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return fn()


def build(src):
    r = subprocess.run(["make", "-s", "-j2", "xv6-build", "XV6=" + src, "ARCH=" + ARCH], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        sys.stdout.write(r.stdout)
        raise SystemExit("xv6run: building xv6's programs failed")
    return src


def usertests_names(src):
    """(quick, slow): the test names, in usertests.c's order."""
    text = open(os.path.join(src, "user/usertests.c")).read()

    def table(name):
        m = re.search(r"\b%s\[\]\s*=\s*\{(.*?)\n\};" % name, text, re.S)
        return re.findall(r"\{\s*\w+\s*,\s*\"(\w+)\"\s*\}", m.group(1)) if m else []
    return table("quicktests"), table("slowtests")


def documented():
    """{test: reason} from docs/xv6.md's table of differences."""
    out = {}
    if os.path.exists(DOC):
        text = open(DOC).read()
        text = text[text.find("## Where xv6's tests and Trapdoor differ"):]
        for m in re.finditer(r"^\| `(\w+)` \| (.+?) \|$", text, re.M):
            out[m.group(1)] = m.group(2)
    return out


class Runner:
    def __init__(self, cpus, mem, verbose):
        self.cpus, self.mem, self.verbose = cpus, mem, verbose
        self.g = None

    def guest(self):
        if self.g is None or not self.g.alive():
            self.g = Guest(cpus=self.cpus, mem=self.mem, initrd=os.path.join(BUILD, "xv6/initrd.cpio"))
            self.g.boot(timeout=60)
            self.g.run("cd /")  # usertests works in / (rmdot: chdir("/"), unlink("dots"))
        return self.g

    def reboot(self):
        if self.g:
            self.g.close()
        self.g = None

    def run(self, cmd, timeout):
        """(output, None) or (output so far, why it did not finish)."""
        g = self.guest()
        start = len(g.out)
        try:
            # xv6's sh prompts "$ " too: wait for a marker, not the prompt
            g.pos = max(g.pos, start)
            g.send(cmd + "; echo @@end=$?@@\n")
            g.expect(r"@@end=(\d+)@@\n", timeout)
            text = g.out[start:g.pos]
            text = text[text.find("\n") + 1:]  # the echoed command line
            return text.replace("@@end=", "exit=").replace("@@\n", "\n"), None
        except GuestError as e:
            out = g.out[start:]
            why = "panic" if "panic" in out else "timeout after %ds" % timeout if "timed out" in str(e) else str(e)
            self.reboot()
            return out, why

    def close(self):
        self.reboot()


def usertest(r, name, timeout):
    out, why = r.run("/xv6/usertests %s" % name, timeout)
    if why:
        return False, why, out
    if "lost some free pages" in out:
        m = re.search(r"lost some free pages (\d+) \(out of (\d+)\)", out)
        return False, "pages lost: %s of %s" % (m.group(1), m.group(2)) if m else "pages lost", out
    # "test NAME: OK" may be split by a console line of the kernel's
    # (kernmem's children are killed as they should be): the verdict is
    # usertests' last line and exit status
    if "ALL TESTS PASSED" in out and "exit=0" in out:
        return True, "", out
    # the first line the test printed (countfree's child, which sbrk()s
    # until memory runs out, may be killed on the way: not the test's)
    m = re.search(r"test %s: (.*)$" % name, out, re.M)
    return False, (m.group(1).strip() if m and m.group(1).strip() else "failed")[:100], out


def check(cond, what):
    if not cond:
        raise AssertionError(what)


# The other programs: (name, commands, check(outputs)).
def prog_forktest(r):
    out, why = r.run("/xv6/forktest", 120)
    check(not why, why)
    # Trapdoor has no fixed process table: fork does not fail by 1000
    # (docs/xv6.md); anything else is a failure.
    check("fork test OK" in out or "fork claimed to work N times" in out, out)
    return "fork test OK" in out, out


def prog_zombie(r):
    out, why = r.run("/xv6/zombie", 30)
    check(not why and "exit=0" in out, why or out)
    # the child, reparented to init when zombie exits, is reaped: soon ps
    # (PID PPID UID STATE NAME ...) lists no process named zombie
    gone = poll(r, lambda o: not re.search(r"^\s*\d+\s+\d+\s+\d+\s+\S+\s+zombie\b", o, re.M))
    check(gone, "zombie's child was never reaped")
    return True, out


def poll(r, done, seconds=30):
    """Run ps until done(its output): whatever the scheduler's order, a
    process that is going away is gone within a few seconds (a deadline
    in time, not a count of tries: on a loaded host ps itself is slow)."""
    deadline = time.time() + seconds
    while True:
        out, why = r.run("ps", 20)
        if not why and done(out):
            return True
        if time.time() > deadline:
            return False
        time.sleep(0.25)


def prog_stressfs(r):
    out, why = r.run("cd /tmp; /xv6/stressfs", 120)
    r.run("cd /", 20)
    check(not why and "exit=0" in out and "read" in out, why or out)
    return True, out


def prog_grind(r, seconds=20):
    """grind never ends: run it for a while, then kill it; it must not have
    reported a failure, and the system must still answer."""
    g = r.guest()
    start = len(g.out)
    g.send("/xv6/grind\n")
    time.sleep(seconds)
    g.send("\x03")  # Ctrl-C: the shell's foreground group
    out, why = r.run("echo alive", 60)
    text = g.out[start:] if r.g else out
    check(not why and "alive" in out, "system did not answer after grind: %s" % why)
    # grind checks that an i-number is at most 200, the size of xv6's
    # inode table; Trapdoor's numbers only grow (docs/xv6.md)
    bad = [l for l in text.splitlines() if l.startswith("grind:") and "crazy i-number" not in l]
    check(not bad, "\n".join(bad[:5]))
    return True, text[-400:]


def prog_tools(r):
    cmds = [
        ("echo hello xv6 world", lambda o: o == "hello xv6 world\n"),
        ("echo hello xv6 world | wc", lambda o: o.split() == ["1", "3", "16", ""] or o.split()[:3] == ["1", "3", "16"]),
        ("echo alpha > /tmp/x6; echo beta >> /tmp/x6; cat /tmp/x6 | grep be", lambda o: o == "beta\n"),
        ("mkdir /tmp/x6d; ln /tmp/x6 /tmp/x6d/y; cat /tmp/x6d/y", lambda o: o == "alpha\nbeta\n"),
        ("ls /tmp/x6d", lambda o: re.search(r"^\.\s+1 \d+ \d+$", o, re.M) and re.search(r"^y\s+2 \d+ 11$", o, re.M)),
        ("rm /tmp/x6d/y; ls /tmp/x6d | wc", lambda o: o.split()[:1] == ["2"]),
        ("rm /tmp/x6d; ls /tmp/x6d", lambda o: "cannot open" in o),
    ]
    results = []
    for cmd, ok in cmds:
        # xv6's echo, wc, cat ... from /xv6 (the shell is Trapdoor's: it
        # finds them in the working directory first, as xv6's sh does)
        full = re.sub(r"(^|[|;&] ?)(echo|wc|cat|grep|mkdir|ln|ls|rm|kill)\b", r"\1/xv6/\2", cmd)
        out, why = r.run(full, 30)
        out = re.sub(r"exit=\d+\n$", "", out)
        results.append((cmd, not why and bool(ok(out)), out if not why else why))
    # xv6's kill of a background process
    out, why = r.run("/bin/spin 100 &", 20)
    m = re.search(r"\[(\d+)\]", out)
    if m:
        out, why = r.run("/xv6/kill %s" % m.group(1), 20)
    gone = bool(m) and not why and poll(r, lambda o: " spin " not in o)
    results.append(("spin 100 & kill PID", gone, why or out))
    return results


def prog_sh(r):
    """xv6's sh reading a script on stdin: pipes, redirection, lists, &."""
    script = ["cd /xv6", "echo one two | wc", "echo three > /tmp/sh6", "cat < /tmp/sh6", "echo a ; echo b",
              "(echo sub)", "ls /tmp/sh6"]
    r.run("rm -f /tmp/sh6.in", 10)
    for line in script:
        r.run("/bin/echo '%s' >> /tmp/sh6.in" % line, 10)
    out, why = r.run("/xv6/sh < /tmp/sh6.in", 30)
    check(not why, why)
    want = ["1 2 8", "three", "a", "b", "sub"]
    lines = [re.sub(r"^(\$ )*", "", l).strip() for l in out.splitlines()]  # after its prompts
    for w in want:
        check(w in lines, "xv6 sh: missing %r in %r" % (w, out))
    check(any(re.match(r"sh6 +2 \d+ 6$", l) for l in lines) and "exit=0" in out, out)
    return True, out


def verdict(ok, name, docs):
    """ok, FAIL, or diff: fails as docs/xv6.md says it must."""
    return "ok" if ok else "diff" if name in docs else "FAIL"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xv6", help="xv6-riscv checkout or bare git repo (default $XV6, then %s)" % MIRROR)
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per quick test (default 120)")
    ap.add_argument("--quick", action="store_true", help="usertests' quick tests only, not the slow ones")
    ap.add_argument("--no-programs", action="store_true", help="usertests only")
    ap.add_argument("--programs-only", action="store_true", help="no usertests")
    ap.add_argument("-v", action="store_true", help="print each test's output")
    ap.add_argument("tests", nargs="*", help="usertests test names (default: all)")
    a = ap.parse_args()
    src = find_xv6(a.xv6)
    if not src:
        raise SystemExit("xv6run: no xv6 tree: give --xv6 PATH or set XV6")
    src = locked(lambda: build(prepare(src)))
    quick, slow = usertests_names(src)
    docs = documented()
    names = a.tests or ([] if a.programs_only else quick + ([] if a.quick else slow))
    r = Runner(a.cpus, a.mem, a.v)
    rows = []  # (name, ok, detail)
    t0 = time.time()
    try:
        for name in names:
            t = time.time()
            ok, why, out = usertest(r, name, SLOW_TIMEOUT if name in slow else a.timeout)
            rows.append(("usertests " + name, ok, why))
            print("%-4s usertests %s%s (%.0fs)" % (verdict(ok, name, docs), name, "" if ok else ": " + why,
                                                    time.time() - t))
            if a.v or (not ok and name not in docs):
                print("     | " + "\n     | ".join(out.strip().splitlines()[-8:]))
            sys.stdout.flush()
        if (not a.tests or a.programs_only) and not a.no_programs:
            for fn in (prog_forktest, prog_zombie, prog_stressfs, prog_sh, prog_tools, prog_grind):
                pname = fn.__name__[5:]
                try:
                    res = fn(r)
                    if isinstance(res, list):
                        for cmd, ok, out in res:
                            rows.append((cmd, ok, "" if ok else out.strip()[:200]))
                            print("%-4s %s%s" % ("ok" if ok else "FAIL", cmd, "" if ok else ": %r" % out[:200]))
                        continue
                    ok, out = res
                    if pname == "forktest" and not ok:
                        rows.append(("forktest", False, "fork claimed to work N times"))
                    else:
                        rows.append((pname, True, ""))
                except (AssertionError, GuestError) as e:
                    rows.append((pname, False, str(e)[:300]))
                print("%-4s %s%s" % (verdict(rows[-1][1], pname, docs), rows[-1][0],
                                     "" if rows[-1][1] else ": " + rows[-1][2]))
                sys.stdout.flush()
    finally:
        r.close()
    passed = [n for n, ok, _ in rows if ok]
    differs = [n for n, ok, _ in rows if not ok and n.split()[-1] in docs]
    failed = [(n, d) for n, ok, d in rows if not ok and n.split()[-1] not in docs]
    print("# xv6 on Trapdoor, %d hart%s, %s, %.0fs" % (a.cpus, "" if a.cpus == 1 else "s", a.mem, time.time() - t0))
    for n in differs:
        print("# differs (docs/xv6.md): %s: %s" % (n, docs[n.split()[-1]]))
    for n, d in failed:
        print("# FAILED: %s: %s" % (n, d))
    print("%d passed, %d differ as documented, %d failed" % (len(passed), len(differs), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
