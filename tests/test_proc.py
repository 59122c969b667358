"""Processes (issue "Trapdoor core"): the in-guest proctest (fork, exec,
wait, exit, kill, sbrk, sleep, bad calls), cowtest (copy-on-write fork),
fputest (per-process FPU registers) and regtest (every user register
survives system calls, switches, timer interrupts and fork).

Each runs on one hart and on four, where the parent and its children
really run at the same time.
"""
from harness import guest_test, test

guest_test("/test/proctest", cpus=1)
guest_test("/test/proctest", cpus=4)
guest_test("/test/cowtest", cpus=1)
guest_test("/test/cowtest", cpus=4)
guest_test("/test/fputest", cpus=1)
guest_test("/test/fputest", cpus=4)
# x86-64's other FPU mode (fpu.c): saved and restored at every switch
guest_test("/test/fputest", cpus=1, args="fpu=eager", name="fputest_eager", arch="x86_64")
guest_test("/test/fputest", cpus=4, args="fpu=eager", name="fputest_eager@4cpu", arch="x86_64")
# each machine's own (user/tests/regtest.c, user/arch/x86_64/tests/regtest.c)
guest_test("/test/regtest", cpus=1)
guest_test("/test/regtest", cpus=4)


@test(args="fpu=eager", arch="x86_64")
def fpu_eager_on_the_boot_line(g):
    """fpu=eager is taken (no warning) and the boot line says so; without
    it the switching is lazy."""
    assert "fpu: xsave, " in g.out and ", eager (" in g.out, g.tail()
    assert "unknown argument" not in g.out, g.tail()


# --- kill 1 (issue 9, item 3): no one may signal init, root included ---
import time  # noqa: E402

from harness import test  # noqa: E402


def init_survives(g, cmd):
    out = g.run("%s; echo status=$?" % cmd, timeout=20)
    assert "status=1" in out, "%s: kill did not fail: %r" % (cmd, out)
    assert "kill: 1: " in out and "powering off" not in out, "%s: %r" % (cmd, out)
    return out


@test(cpus=2, timeout=60)
def kill_init_refused(g):
    """kill 1 with any signal, as root and as uid 1000, fails with EPERM;
    init stays, the shell and new processes keep working."""
    msg = None
    for sig in ("-9", "-KILL", "", "-TERM", "-INT", "-SEGV"):
        out = init_survives(g, "kill %s 1" % sig if sig else "kill 1")
        msg = msg or out
        assert g.run("echo alive", timeout=10) == "alive\n", "after kill %s 1" % sig
    # as an ordinary user (it could never signal root's init: EPERM too)
    for sig in ("-9", "-TERM"):
        out = init_survives(g, "/test/runas 1000 kill %s 1" % sig)
        assert out.splitlines()[0] == msg.splitlines()[0], "uid 1000 sees another error: %r" % out
    assert "Operation not permitted" in msg or "Not owner" in msg, msg
    # init is still pid 1 and still reaps: an orphan's parent dies first
    out = g.run("ps", timeout=10)
    assert any(l.split()[:1] == ["1"] and "init" in l for l in out.splitlines()), out
    out = g.run("sh -c 'sleep 1 &'; sleep 2; hello; echo status=$?", timeout=20)
    assert "hello" in out and "status=0" in out, out
    # the orphan (its parent sh gone, init its parent now) is reaped: no
    # zombie stays (asked until a deadline, not after a fixed sleep)
    deadline = time.time() + 30
    while True:
        out = g.run("ps", timeout=10)
        left = [l for l in out.splitlines() if l.split()[4:5] == ["sleep"] or " zombie " in l]
        if not left or time.time() > deadline:
            break
        time.sleep(0.5)
    assert not left, "init did not reap the orphan:\n" + out
    assert g.alive(), "QEMU is gone"


# Reference counts a user can drive up (issue 9, item 1): a file page
# mapped 65,535 times by one ELF, 73,000 times by 1,000 processes, an open
# file in 12,600 descriptors, 2,000 links and subdirectories.
guest_test("/test/refs", cpus=1, timeout=300)
guest_test("/test/refs", cpus=4, timeout=300)
# The same counts with refmax=1000 (the limit within reach): link, mkdir,
# open, rename, fork, dup and dup2 are refused, exec copies a full page.
guest_test("/test/refs limits 1000", cpus=1, args="refmax=1000", timeout=300, name="refs_limits")
guest_test("/test/refs limits 1000", cpus=4, args="refmax=1000", timeout=300, name="refs_limits@4cpu")
