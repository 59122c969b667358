"""test_threads.py: the kernel's threads (kernel/thread.c), with the raw calls.

threadk covers create/join/detach, the errnos, futex wait/wake, and the
edges of exit, faults, kill, fork and exec in a process with threads;
the tests here check what the console, ps and strace show of them.
"""
import os
import re
import sys
import time

from harness import guest_test, test

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import render_trace  # noqa: E402

guest_test("/test/threadk", cpus=1, timeout=180)
guest_test("/test/threadk", cpus=4, timeout=180)


@test(cpus=4, timeout=120)
def thread_fault_names_the_thread(g):
    """A fault in a second thread kills the whole process; the console line
    keeps its usual form and names the thread after the process."""
    out = g.run("/test/threadk fault; echo status=$?", timeout=60)
    m = re.search(r"^pid (\d+) \(threadk\) thread (\d+): store page fault at 0x10, pc 0x[0-9a-f]+: "
                  r"killed \(SIGSEGV\)$", out, re.M)
    assert m and m.group(1) != m.group(2), out
    assert "status=139" in out, out


def parked_threads(g):
    """Start threadk park in the background: its first thread sleeps,
    one thread waits on a futex, one reads a pipe.  Returns its pid and ps
    output once all three are asleep where they should be."""
    g.send("/test/threadk park &\n")
    pid = g.expect(r"parked (\d+)", 30).group(1)
    deadline = time.time() + 30
    while True:
        out = g.run("ps")
        waits = re.findall(r"^ +sleeping +tid (\d+) .*\d+  (\w[\w ]*)$", out, re.M)
        if len(waits) == 3 or time.time() > deadline:
            return pid, out, waits
        time.sleep(0.2)


@test(cpus=2, timeout=120)
def ps_and_ctrl_p_show_threads(g):
    pid, out, waits = parked_threads(g)
    # the process line as ever, then a line per thread with what it waits for
    assert re.search(r"^ *%s +\d+ +0 +sleeping +threadk " % pid, out, re.M), out
    assert sorted(w for _, w in waits) == ["futex", "pipe read", "sleep"], out
    assert pid in [t for t, _ in waits], out  # the first thread's tid is the pid
    # Ctrl-P, from the kernel: the same lines under the process
    g.send("\x10")
    m = g.expect(r"PID +PPID +UID +STATE +NAME +TICKS +SYSCALLS +VOLSW +INVSW +HART +WAIT\n((?:.*\n)*?)1 +0 +0 +\w+ +init .*\n",
                 10)
    table = m.group(1)
    assert re.search(r"^%s +\d+ +0 +sleeping +threadk " % pid, table, re.M), table
    kinds = re.findall(r"^ +sleeping +tid \d+ .* (futex|pipe read|sleep)$", table, re.M)
    assert sorted(kinds) == ["futex", "pipe read", "sleep"], table
    g.run("kill %s" % pid)
    g.run("wait")
    assert "threadk" not in g.run("ps")


@test(cpus=4, timeout=120)
def strace_marks_threads(g):
    """strace -f: a multithreaded process's lines say which thread made
    each call, [pid TID] as Linux's strace does; thread_exit ends in = ?."""
    out = g.run("strace -f /test/threadk strace", timeout=60)
    create = re.search(r"^\[pid (\d+)\] thread_create\(0x[0-9a-f]+, 0x0, 0x[0-9a-f]+, 0x[0-9a-f]+\) = (\d+)$",
                       out, re.M)
    assert create, out
    pid, tid = create.groups()
    assert pid != tid, out
    assert re.search(r'^\[pid %s\] write\(1, "from a thread\\n", 14\) = 14$' % tid, out, re.M), out
    assert re.search(r"^\[pid %s\] thread_exit\(0x0\) = \?$" % tid, out, re.M), out
    assert re.search(r"^\[pid %s\] thread_join\(%s, 0x0\) = 0$" % (pid, tid), out, re.M), out


@test(cpus=2, args="trace=record", timeout=120)
def trace_names_threads(g):
    """The recording says which thread ran (tracedump's t<tid>), so that
    make trace draws each thread of a process as its own row and colour."""
    g.run("/test/threadk strace", timeout=60)
    out = g.run("tracedump -s", timeout=60)
    tr = render_trace.Trace(out)
    assert tr.missing == 0 and tr.bad_lines == 0, out[-500:]
    an = render_trace.Analysis(tr)
    mine = [p for p in an.procs.values() if p.name == "threadk"]
    assert len(mine) == 2, [(p.pid, p.name) for p in an.procs.values()]
    thread = [p for p in mine if p.how == "thread_create"]
    assert len(thread) == 1 and thread[0].parent in [p.pid for p in mine], [(p.pid, p.how, p.parent) for p in mine]
    # the thread made system calls of its own (write, thread_exit)
    assert any(e.type == "syscall" and e.pid == thread[0].pid and e.name == "write" for e in tr.events)
