"""test_gdb.py: debugging like xv6 works for real.  QEMU starts halted with
its gdb stub; gdb-multiarch, in batch mode with the .gdbinit the Makefile
generates from .gdbinit.tmpl, breaks in sys_write, and the backtrace and the
trapframe of the running process print.  SKIP only if gdb-multiarch is not
installed and tools/deps.sh --gdb cannot install it."""
import os
import re
import shutil
import socket
import subprocess

import harness
from harness import host_test, test

ROOT = harness.ROOT
GDBINIT = os.path.join("build", "scratch", "gdb", "gdbinit")
_port = {}


def make(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "-s"] + list(args), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)


def setup():
    if not shutil.which("gdb-multiarch"):
        r = subprocess.run(["sh", "tools/deps.sh", "--gdb"], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
        if r.returncode != 0 or not shutil.which("gdb-multiarch"):
            raise harness.Skip("gdb-multiarch is not installed (tools/deps.sh --gdb: %s)" % r.stdout.strip())
    # A port free now, not the per-user one: a session of the user's own
    # (make qemu-gdb) may be using that.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if os.path.exists(os.path.join(ROOT, GDBINIT)):
        os.remove(os.path.join(ROOT, GDBINIT))  # no stale port: make must write it
    r = make(GDBINIT, "GDBINIT=" + GDBINIT, "GDBPORT=%d" % port)
    assert r.returncode == 0, r.stdout
    _port["port"] = port
    return {"extra": ["-S", "-gdb", "tcp:127.0.0.1:%d" % port]}


@test(boot=False, setup=setup, timeout=120, arch="riscv")  # RISC-V's trapframe, gdb-multiarch's riscv
def gdb_breaks_in_sys_write(g):
    with open(os.path.join(ROOT, GDBINIT)) as f:
        init = f.read()
    assert "target remote 127.0.0.1:%d" % _port["port"] in init, init
    cmds = ["break sys_write", "continue", "bt", "tf", "p (char *)$t->tf->a1", "usersyms sh",
            "info symbol $t->tf->epc"]
    argv = ["gdb-multiarch", "-batch", "-nx", "-x", GDBINIT]
    for c in cmds:
        argv += ["-ex", c]
    r = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=90)
    out = r.stdout
    hit = re.search(r"^Breakpoint 1, sys_write \(a0=(\d+), a1=(\d+), a2=(\d+)", out, re.M)
    assert hit, "gdb did not stop in sys_write:\n" + out
    frames = re.findall(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\w+) ", out, re.M)
    names = [f[1] for f in frames]
    assert names and names[0] == "sys_write" and "usertrap" in names, "bt:\n" + out
    # tf (.gdbinit.tmpl): which process, then its trapframe: the user's
    # registers, a7 the system-call number (write is 16), a0..a2 the
    # arguments sys_write was called with
    who = re.search(r"^hart 0: pid (\d+) \((\w+)\), running$", out, re.M)
    assert who, "tf did not name the running process:\n" + out
    tf = dict(re.findall(r"^\s+(\w+) = (0x[0-9a-f]+),?$", out, re.M))
    for field in ("epc", "ra", "sp", "a0", "a1", "a2", "a7", "sstatus"):
        assert field in tf, "trapframe field %s missing:\n%s" % (field, out)
    assert int(tf["a7"], 16) == 16, tf
    assert [int(tf[r], 16) for r in ("a0", "a1", "a2")] == [int(x) for x in hit.groups()], (tf, hit.groups())
    # the user's buffer, read through the process's page table
    buf = re.search(r'^\$\d+ = (0x[0-9a-f]+) "(.*)"$', out, re.M)
    assert buf and int(buf.group(1), 16) == int(hit.group(2)), out
    assert len(buf.group(2).encode().decode("unicode_escape")) == int(hit.group(3)), buf.group(2)
    # with the writer's own symbols, its pc is inside the write() stub
    if who.group(2) == "sh":
        assert re.search(r"^write \+ \d+ in section \.text", out, re.M), out
    # gdb detached: the system runs on to the shell
    g.boot(timeout=30)
    assert g.run("echo after gdb") == "after gdb\n"


@host_test()
def gdb_port_is_per_user():
    """make qemu-gdb and make gdb use xv6's per-user port, uid % 5000 + 25000."""
    port = os.getuid() % 5000 + 25000
    for target in ("qemu-gdb", "gdb"):
        r = make("-n", target)
        assert r.returncode == 0, r.stdout
        assert "-gdb tcp:127.0.0.1:%d" % port in r.stdout, r.stdout
