"""Memory and processes under pressure (issue 9, items 4 and 5): the
out-of-memory killer chooses the process holding the most memory and
spares init and the console's shell; per-user limits (RLIMIT_NPROC,
RLIMIT_AS) stop a user's fork bomb with EAGAIN; a user's spinning
processes do not starve root's commands.
"""
import re

import harness
from harness import guest_test, test

# A hog takes every page, then another process faults: the hog dies.
# Blocked in a read on one hart; spinning (on another hart) on four.
guest_test("/test/oomtest block", cpus=1, name="oomtest_block")
guest_test("/test/oomtest spin", cpus=4, name="oomtest_spin@4cpu")
guest_test("/test/oomtest block", cpus=4, name="oomtest_block@4cpu")
# The console's shell holds the most: a child's fault kills the child.
guest_test("/test/oomtest shell", cpus=1, name="oomtest_shell")
guest_test("/test/limittest", cpus=1)
guest_test("/test/limittest", cpus=4)
# Deterministic time (-icount): the bound is in ticks, see spinfair.c.
guest_test("/test/spinfair 60", cpus=1, icount=0, timeout=180, name="spinfair")


@test(cpus=1, timeout=120)
def oom_names_the_hog(g):
    """The console line names the victim (pid, program, pages) and why."""
    out = g.run("/test/oomtest block", timeout=100)
    m = re.search(r"# hog pid (\d+) held (\d+) pages", out)
    assert m, out
    line = re.search(r"oom: killed pid %s \(oomtest\), uid 0, holding (\d+) pages, the most of \d+ processes, "
                     r"so that pid \d+ \(oomtest\) can have memory for a page fault" % m.group(1), g.out)
    assert line, g.tail()
    assert int(line.group(1)) >= int(m.group(2)), line.group(0)


@test(cpus=1, timeout=120)
def oom_spares_the_shell(g):
    """A hog in the background holds every page; the shell (and init)
    live on, and the command typed next runs: the killer takes the hog."""
    start = len(g.out)
    before = g.run("echo $$").strip()
    g.send("/test/oomtest hold &\n")
    g.expect(r"oomtest: holding \d+ pages", timeout=60)  # after the job's prompt
    out = g.run("echo alive", timeout=60)
    assert "alive" in out.splitlines(), g.tail()  # (with the killer's line)
    assert re.search(r"oom: killed pid \d+ \(oomtest\), uid 0, holding \d+ pages, the most of \d+ processes, "
                     r"so that pid %s \(sh\) can have memory for spawn" % before, g.out), g.tail()
    assert g.run("echo $$").strip() == before, "the shell was restarted"
    assert "init:" not in g.out[start:] and "power" not in g.out[start:], g.tail()
    # the job is reported killed, and the machine still works
    out = g.run("/bin/hello", timeout=30)
    assert out == "hello\n", out
    assert "killed by signal 9" in g.out[start:], g.tail()


@test(cpus=1, timeout=60)
def ulimit_builtin(g):
    """The shell shows and sets its limits; a user cannot raise them."""
    out = g.run("ulimit -a")
    # the RAM / 16 pages: 128 MiB on virt, 127 on microvm (its first MiB is not RAM)
    assert re.search(r"max user processes\s+\(-u\) %d" % harness.per_arch(riscv=2048, x86_64=2032), out), out
    assert re.search(r"virtual memory \(kbytes\)\s+\(-v\) unlimited", out), out
    assert re.search(r"open files\s+\(-n\) 64", out), out
    assert g.run("ulimit -u 40; ulimit -u; ulimit -H -u").split() == ["40", "40"]
    out = g.run("ulimit -u 41; echo $?")
    assert "41" not in out and "0" in out.split(), out  # root may raise it again
    out = g.run("ulimit -S -u 10; ulimit -u; ulimit -H -u")
    assert out.split() == ["10", "41"], out
    out = g.run("ulimit -x")
    assert "unknown option" in out, out
    # an ordinary user may lower a hard limit, not raise it again
    out = g.run("/test/runas 1000 sh -c 'ulimit -H -u 30; ulimit -H -u 31; echo st=$?; ulimit -H -u'")
    assert re.search(r"^sh: ulimit: -u: .+$", out, re.M) and "st=1" in out.split(), out
    assert out.split()[-1] == "30", out
