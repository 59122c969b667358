"""POSIX threads (issue 10): the in-guest pthreadtest on 1 and 4 harts
(mutexes, conditions, once, keys, detach, per-thread errno, malloc and
stdio from many threads, guard pages, exit from a thread, no system call
on the uncontended paths), the guard page's kill message, seed 003's
experiment (/bin/sameaddr) and the primes demo.
"""
import re

from harness import guest_test, test

guest_test("/test/pthreadtest", cpus=1, timeout=240)
guest_test("/test/pthreadtest", cpus=4, timeout=240)


@test(cpus=2, timeout=60)
def pthread_guard_message(g):
    """A thread writing the guard page below its stack: the process is
    killed with the kernel's message, naming the program, the thread and the address
    the thread printed just before."""
    out = g.run("/test/pthreadtest guard; echo status=$?", timeout=30)
    m = re.search(r"# guard page at (0x[0-9a-f]+)", out)
    assert m, out
    guard = int(m.group(1), 16)
    assert "the guard page was written" not in out, out
    assert "status=139" in out, out  # 128 + SIGSEGV
    kill = [l for l in out.splitlines() if "(pthreadtest)" in l and "killed (SIGSEGV)" in l]
    assert kill, out
    assert re.search(r"pid \d+ \(pthreadtest\) thread \d+: ", kill[0]), "the message does not name the thread: %r" % kill[0]
    addrs = [int(a, 16) for a in re.findall(r"at (0x[0-9a-f]+)", kill[0])]
    assert guard + 100 in addrs, "the message does not name the guard page's address %#x: %r" % (guard + 100, kill[0])


def sameaddr(g):
    out = g.run("sameaddr", timeout=30)
    lines = out.splitlines()
    assert len(lines) == 4, out
    t = [re.match(r"thread (\d+) (writes|reads ) (\d) at (0x[0-9a-f]+)", l) for l in lines[:2]]
    p = [re.match(r"process (\d+) (writes|reads ) (\d) at (0x[0-9a-f]+)", l) for l in lines[2:]]
    assert all(t) and all(p), out
    # the threads: two ids, one address, the value the other wrote
    assert t[0].group(1) != t[1].group(1) and t[0].group(4) == t[1].group(4), out
    assert t[0].group(3) == "2" and t[1].group(3) == "2", out
    # the processes: two pids, the same address, each its own value
    assert p[0].group(1) != p[1].group(1) and p[0].group(4) == p[1].group(4) == t[0].group(4), out
    assert p[0].group(3) == "2" and p[1].group(3) == "1", out


@test(cpus=1, timeout=60)
def sameaddr_threads_share_processes_do_not(g):
    sameaddr(g)


@test(cpus=4, timeout=60, name="sameaddr_threads_share_processes_do_not@4cpu")
def sameaddr4(g):
    sameaddr(g)


@test(cpus=4, timeout=180)
def primes_demo_on_four_harts(g):
    """The demo counts the primes below 200000 with 4 threads (17984 of
    them); in the background, ps lists its five threads under it."""
    g.run("primes 4 3000000 > /tmp/big &", timeout=10)
    ps = ""
    for _ in range(100):  # until all four workers are there (a deadline, not a sleep)
        ps = g.run("ps", timeout=10)
        rows = ps.splitlines()
        at = [i for i, l in enumerate(rows) if l.split()[4:5] == ["primes"]]
        tids = [l for l in rows[at[0] + 1:] if re.match(r"^\s+\w+\s+tid \d+", l)] if at else []
        if len(tids) == 5 or "primes below" in g.run("cat /tmp/big", timeout=10):
            break
    assert len(tids) == 5, "ps does not list primes' 5 threads:\n" + ps
    g.run("wait", timeout=150)
    assert "216816 primes below 3000000, 4 threads" in g.run("cat /tmp/big", timeout=10)
    out = g.run("primes 4 200000", timeout=100)
    assert "17984 primes below 200000, 4 threads" in out, out
    assert len(re.findall(r"^thread \d \(tid \d+\): \d+ blocks, \d+ primes$", out, re.M)) == 4, out
    found = sum(int(n) for n in re.findall(r"blocks, (\d+) primes", out))
    assert found == 17984, out

# thread-local variables start initialized, in every thread (x86-64: the auxv)
guest_test("/test/tlsinit")
