"""Trace: strace, live trace lines, recorded events, Ctrl-P (seeing LDE work)."""
import os
import re
import sys
import time

import harness
from harness import ARCH, per_arch, test, host_test, guest_test

sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
import render_trace  # noqa: E402
import syscalls  # noqa: E402


# --- strace -----------------------------------------------------------------
EXEC = per_arch(riscv="exec", x86_64="execve")
EXIT = per_arch(riscv="exit", x86_64="exit_group")
# waitpid(pid, status, 0) is Linux's wait4(pid, status, 0, NULL) with musl
# (PID: the regex of its first argument)
WAITPID = per_arch(riscv=r"waitpid\(PID, 0x[0-9a-f]+, 0\)", x86_64=r"wait4\(PID, 0x[0-9a-f]+, 0, 0x0\)")
# what a program's printf becomes: write on RISC-V; with musl, whose stdio
# hands its buffer and the new bytes to one writev, writev
WRITE = per_arch(riscv="write", x86_64="writev")
# The numbers the seed lab's usertrap line prints, from the one list
NUMBER = {r["name"]: r[per_arch(riscv="rv", x86_64="x86")] for r in syscalls.rows()
          if ARCH == "x86_64" or r["kind"] == "SYSCALL"}


def write_re(text, ret=None):
    """A regex of the strace line of a write of text to fd 1: write() on
    RISC-V; on x86-64 musl's writev of two iovecs, the bytes split between
    them anywhere, each shown with its bytes as Linux's strace does."""
    def q(b):
        return re.escape(b.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"'))
    ret = ret or str(len(text))
    if ARCH == "riscv":
        return r'write\(1, "%s", %d\) = %s' % (q(text), len(text), ret)
    splits = "|".join(r'\[\{iov_base="%s", iov_len=%d\}, \{iov_base="%s", iov_len=%d\}\]'
                      % (q(text[:k]), k, q(text[k:]), len(text) - k) for k in range(len(text) + 1))
    return r"writev\(1, (?:%s), 2\) = %s" % (splits, ret)


@test()
def strace_echo_shows_write_and_exit(g):
    out = g.run("strace echo hi; echo status=$?")
    # the calls' names are the ABI's: Trapdoor's on RISC-V, Linux's on
    # x86-64, where musl's stdio writes with writev and exit is exit_group
    # (writev's bytes are shown, as Linux's strace shows them)
    assert re.search("^%s$" % write_re("hi\n"), out, re.M), out
    assert "+++ exited with 0 +++" in out, out
    assert re.search(r'^%s\("/bin/echo", \["echo", "hi"\], .*\) = 2$' % EXEC, out, re.M), out
    assert "%s(0) = ?" % EXIT in out, out
    assert "status=0" in out, out
    # the program's own output is there too
    assert len(re.findall(r"^hi$", out, re.M)) == 1, out


@test()
def strace_failing_calls_show_errno(g):
    out = g.run('strace sh -c "cd /nonexistent"; echo status=$?')
    assert 'chdir("/nonexistent") = -1 ENOENT' in out, out
    assert "+++ exited with 1 +++" in out and "status=1" in out, out
    out = g.run("strace sh /nonexistent")
    assert 'open("/nonexistent", O_RDONLY) = -1 ENOENT' in out, out
    out = g.run("strace nosuchprogram; echo status=$?")
    assert re.search(r'%s\("/bin/nosuchprogram", \["nosuchprogram"\], .*\) = -1 ENOENT' % EXEC, out), out
    assert "status=127" in out, out


@test()
def strace_output_file(g):
    out = g.run("strace -o /st.txt echo hi")
    assert out == "hi\n", out  # the trace went to the file
    # No cat here: let strace show the shell reading the file.
    out = g.run("strace sh /st.txt")
    # (picolibc reads 512 bytes at a time, musl 1024; strace shows 32
    # characters, so execve's line is cut sooner than exec's)
    assert re.search(r'^read\(3, "%s\(\\"/bin/echo\\", \[\\"echo\\", \\"hi(?:\\"\])?"\.\.\., \d+\) = \d+$' % EXEC,
                     out, re.M), out
    # and the shell runs each line once, as a command not found, and
    # ends (it used to read its script again after each forked child)
    assert len(re.findall(r"^read\(3, .* = [1-9]\d*$", out, re.M)) == 1, out
    assert "+++ exited with 127 +++" in out, out


# strace(fd) on a descriptor opened read-only is EBADF: the fuzzer, as
# root, once had the trace written over /bin/echo's bytes that way.
guest_test("/test/stracero", cpus=1)


@test()
def strace_follows_children(g):
    out = g.run('strace -f sh -c "echo a | echo b"')
    pids = set(re.findall(r"^\[pid (\d+)\] ", out, re.M))
    assert len(pids) == 3, out  # the shell and its two children
    forks = re.findall(r"^\[pid (\d+)\] fork\(\) = (\d+)$", out, re.M)
    assert len(forks) == 2 and {c for _, c in forks} | {forks[0][0]} == pids, out
    assert re.search(r"^\[pid \d+\] %s$" % write_re("b\n"), out, re.M), out
    # If echo b has already exited, nobody reads the pipe: echo a's write
    # fails and SIGPIPE kills it, as on any Unix.  Both endings are right.
    a = re.search(r"^\[pid \d+\] %s$" % write_re("a\n", ret="(2|-1 EPIPE)"), out, re.M)
    assert a, out
    exited = len(re.findall(r"^\[pid \d+\] \+\+\+ exited with 0 \+\+\+$", out, re.M))
    piped = len(re.findall(r"^\[pid \d+\] \+\+\+ killed by SIGPIPE \+\+\+$", out, re.M))
    assert (exited, piped) == ((3, 0) if a.group(1) == "2" else (2, 1)), out
    assert re.search(r"^\[pid \d+\] %s = \d+$" % WAITPID.replace("PID", r"\d+"), out, re.M), out
    # without -f the children are not traced
    out = g.run('strace sh -c "echo a | echo b"')
    assert "[pid" not in out and not re.search(write_re("a\n", ret=r"\S+"), out), out
    assert re.search(r"^fork\(\) = \d+$", out, re.M), out


@test()
def strace_killed_process(g):
    out = g.run("strace kmem; echo status=$?")
    assert 'write(1, "kmem: read\\n", 11) = 11' in out, out
    assert "+++ killed by SIGSEGV +++" in out, out
    assert "exited with" not in out, out
    assert "status=139" in out, out


@test()
def strace_blocking_call_keeps_its_arguments(g):
    """A call that sleeps while other traced processes make system calls
    on the same hart is printed, when it returns, with its own arguments."""
    out = g.run("strace -f sh -c \"sh -c 'echo y; echo z'; echo w\"")
    waits = re.findall(r"^\[pid (\d+)\] %s = (\d+)$" % WAITPID.replace("PID", r"(-?\d+)"), out, re.M)
    # the outer shell waits for the inner one and for echo w, the inner
    # one for echo y and echo z: each waitpid names the child it reaped
    assert len(waits) == 4, out
    assert all(w[1] == w[2] for w in waits), waits
    assert len({w[0] for w in waits}) == 2, waits


# --- live trace lines ---------------------------------------------------------

@test()
def trace_live_syscall_lines_on_and_off(g):
    assert g.run("trace") == "trace: off\n"
    out = g.run("trace syscall")
    assert "trace: syscall (lines for every process)" in out, out
    out = g.run("echo hi")
    assert re.search(r"^syscall: pid \d+ \(echo\) %s$" % write_re("hi\n"), out, re.M), out
    assert re.search(r'^syscall: pid \d+ \(sh\) read\(0, "echo hi\\n", \d+\) = 8$', out, re.M), out
    assert re.search(r"^syscall: pid \d+ \(echo\) %s\(0\) = \?$" % EXIT, out, re.M), out
    g.run("trace off")
    out = g.run("echo bye")
    assert out == "bye\n", out
    assert g.run("trace") == "trace: off\n"


@test()
def trace_live_usertrap_lines_like_the_lab(g):
    g.run("trace trap")
    out = g.run("echo hi")
    # the seed lab's first printf, in usertrap: on RISC-V number 16 is
    # write (as in xv6); on x86-64 musl's printf is writev, Linux's 20
    assert re.search(r"^usertrap: syscall from pid \d+ \(echo\), number %d \(%s\)$" % (NUMBER[WRITE], WRITE),
                     out, re.M), out
    # the shell's read traps before the command is typed: after the prompt
    # (read is 5 on RISC-V, Linux's 0 on x86-64)
    assert re.search(r"\$ usertrap: syscall from pid \d+ \(sh\), number %d \(read\)\n" % NUMBER["read"], g.out), \
        g.tail()
    g.run("trace off")
    out = g.run("kmem")
    assert "usertrap:" not in out, out


@test(timeout=60)
def trace_trap_names_faults_and_skips_ticks(g):
    g.run("trace trap")
    out = g.run("kmem null; kmem text")
    # RISC-V's scause tells a load from a store; x86-64's vector 14 is
    # one page fault for both (the error code says which: the kill line)
    for fault in per_arch(riscv=("load page fault", "store page fault"), x86_64=("page fault", "page fault")):
        assert re.search(r"^usertrap: %s from pid \d+ \(kmem\) at pc 0x[0-9a-f]+$" % fault, out, re.M), out
    assert len(re.findall(r"^usertrap: (load |store )?page fault from pid \d+ \(kmem\)", out, re.M)) == 2, out
    # a second of spinning takes about 100 timer interrupts: trace timer's
    # business, not one line here
    out = g.run("spin 1", timeout=30)
    # (with the root on the disk, the disk's interrupt for spin's last
    # read-ahead may land in it: a device interrupt, not a tick)
    # (and on x86-64 a thread's first FPU instruction after another
    # thread had the FPU traps, #NM: the lazy FPU switch, not a tick)
    rest = [l for l in out.splitlines() if "usertrap: syscall" not in l and "usertrap: device interrupt" not in l
            and "usertrap: device not available" not in l]
    assert "usertrap:" not in "\n".join(rest), out
    g.run("trace off")


@host_test(arch="riscv")  # RISC-V's scause numbering
def trace_trap_filter_keeps_exception_5():
    """The filter that leaves timer interrupts out of trace trap must not
    drop exception 5, load access fault, which has the timer's number
    without the interrupt bit.  No user program can take one on QEMU virt
    (every page the kernel maps is RAM, and OpenSBI's PMP lets S and U
    reach all of it), so the predicate is checked here, compiled by the
    host's C compiler, and trace.c must use it (as arch_trap_is_timer,
    which RISC-V's machine.h defines as it)."""
    import shutil
    import subprocess
    import tempfile
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise harness.Skip("no host C compiler")
    src = r"""
#include "riscv.h"
int main(void)
{
	return (!scause_is_timer(SCAUSE_INTR | IRQ_STIMER)) | scause_is_timer(EXC_LOAD_ACCESS) << 1 |
	       scause_is_timer(IRQ_STIMER) << 2 | scause_is_timer(SCAUSE_INTR | IRQ_SEXT) << 3;
}
"""
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "t.c"), "w").write(src)
        k = os.path.join(harness.ROOT, "kernel")
        subprocess.run([cc, "-std=gnu11", "-Wall", "-Werror", "-I", k, "-I", os.path.join(k, "arch/riscv"),
                        "-o", os.path.join(d, "t"), os.path.join(d, "t.c")], check=True)
        r = subprocess.run([os.path.join(d, "t")])
        assert r.returncode == 0, "scause_is_timer wrong (bits %d)" % r.returncode
    trace_c = open(os.path.join(harness.ROOT, "kernel/trace.c")).read()
    body = re.search(r"void trace_trap_slow\(.*?\n}", trace_c, re.S).group(0)
    assert "!arch_trap_is_timer(cause)" in body and "0xff" not in body, body
    machine_h = open(os.path.join(harness.ROOT, "kernel/arch/riscv/machine.h")).read()
    assert re.search(r"int arch_trap_is_timer\(u64 cause\) \{ return scause_is_timer\(cause\); \}", machine_h)


@test()
def trace_pid_filter_and_add_remove(g):
    out = g.run("trace -p 1 syscall")
    assert "lines for pid 1 only" in out, out
    out = g.run("echo quiet")
    assert out == "quiet\n", out  # init (pid 1) sleeps in wait: no lines
    out = g.run("trace -p all +switch")
    assert "trace: syscall switch (lines for every process)" in out, out
    out = g.run("trace -syscall")
    assert "trace: switch (lines for every process)" in out, out
    out = g.run("echo x")
    # sh leaves the CPU to echo when it blocks in waitpid, or earlier if a
    # tick ends its slice between spawn and waitpid (host load decides)
    assert re.search(r"^swtch: hart 0 pid \d+ \(sh\) -> pid \d+ \(echo\): (blocked|time slice used up)$", out,
                     re.M), out
    g.run("trace off")
    out = g.run("trace bogus")
    assert "unknown 'bogus'" in out, out


# --- trace proc: the seeds' state diagram ---------------------------------------

PROC_LINE = re.compile(r"proc: pid (\d+) \(([^)]*)\) (\w+) -> (\w+)(?:: (\w+) by pid (\d+)|: by the kernel)?")
# Every arrow of the diagram, and nothing else: created (unused -> embryo),
# made ready, dispatched, preempted or yielding, blocking, woken, exiting,
# reaped; and a fork that failed before the child ever ran (embryo -> unused).
DIAGRAM = {("unused", "embryo"), ("embryo", "runnable"), ("runnable", "running"), ("running", "runnable"),
           ("running", "sleeping"), ("sleeping", "runnable"), ("running", "zombie"), ("zombie", "unused"),
           ("embryo", "unused")}


def proc_histories(text):
    """Per pid, its transitions in order [(old, new, how, by)], checking that
    each one starts in the state the previous one ended in: a change that
    bypassed the hook breaks the chain.  Only processes made after tracing
    began must start at unused."""
    hist = {}
    # the console may be read in the middle of a line ("runnable -> r"):
    # only whole lines count
    text = text[:text.rfind("\n") + 1]
    for m in PROC_LINE.finditer(text):
        pid, old, new = int(m.group(1)), m.group(3), m.group(4)
        assert old != new, "an X -> X line: %s" % m.group(0)
        assert (old, new) in DIAGRAM, "not in the state diagram: %s" % m.group(0)
        h = hist.setdefault(pid, [])
        assert not h or h[-1][1] == old, "pid %d: %s after %s" % (pid, m.group(0), h[-1])
        h.append((old, new, m.group(5), m.group(6), m.group(2)))
    return hist


def trace_proc_lifecycles(g, cpus):
    sh = int(g.run("echo $$"))
    out = g.run("trace proc")
    assert "trace: proc (lines for every process)" in out, out
    start = len(g.out)
    # spawn (a lone command), fork + exec (a pipeline), sleep and wakeup
    # (sleep, wait), preemption (one spinner more than there are harts),
    # exit and wait for all of them
    spins = " ".join(["spin 1 &"] * (cpus + 1))
    g.run("%s sleep 0.2; echo a | cat; wait" % spins, timeout=60)
    text = g.out[start:]  # (trace off's own process is not done before tracing stops)
    g.run("trace off")
    hist = proc_histories(text)
    new = {pid: h for pid, h in hist.items() if h[0][0] == "unused"}
    for pid, h in new.items():
        # created, ready, dispatched ... exited, reaped: the whole life
        assert [x[:2] for x in h[:3]] == [("unused", "embryo"), ("embryo", "runnable"), ("runnable", "running")], h
        assert [x[:2] for x in h[-2:]] == [("running", "zombie"), ("zombie", "unused")], h
    made = {(h[0][4], h[0][2]) for h in new.values() if h[0][3] == str(sh)}
    assert ("spin", "spawn") in made and ("sleep", "spawn") in made, made
    assert ("sh", "fork") in made, made  # the pipeline's children, forked
    forked = [pid for pid, h in new.items() if h[0][2] == "fork" and h[0][3] == str(sh)]
    assert len(forked) == 2, new
    for pid in forked:  # each child of the fork execs its command
        assert re.search(r"proc: pid %d \(sh\) exec /bin/(echo|cat)\n" % pid, text), text
    spun = [h for h in new.values() if h[0][4] == "spin"]
    assert len(spun) == cpus + 1, spun
    # spin makes no system call: leaving the CPU ready, it was preempted
    assert any(("running", "runnable") in [x[:2] for x in h] for h in spun), spun
    slept = [h for h in new.values() if h[0][4] == "sleep"]
    assert len(slept) == 1 and ("running", "sleeping") in [x[:2] for x in slept[0]] \
        and ("sleeping", "runnable") in [x[:2] for x in slept[0]], slept
    # the shell itself: woken by the console and by its children's exits
    assert ("sleeping", "runnable") in [x[:2] for x in hist[sh]], hist[sh]


test(name="trace_proc_lifecycles", cpus=1, timeout=90)(lambda g: trace_proc_lifecycles(g, 1))
test(name="trace_proc_lifecycles@4cpu", cpus=4, timeout=90)(lambda g: trace_proc_lifecycles(g, 4))


@test(args="trace=proc")
def trace_proc_from_boot(g):
    """init is made by the kernel, and its first exec is shown."""
    hist = proc_histories(g.out)
    assert [x[:2] for x in hist[1][:3]] == [("unused", "embryo"), ("embryo", "runnable"), ("runnable", "running")], \
        hist[1]
    assert "proc: pid 1 (init) unused -> embryo: by the kernel" in g.out, g.out
    assert re.search(r"proc: pid 2 \(init\) unused -> embryo: fork by pid 1\b", g.out), g.out


@host_test()
def proc_state_has_one_writer():
    """t->state is const in struct thread and written once, in
    thread_setstate(): no state change can skip the trace hook."""
    src = {}
    for d in ("kernel", "kernel/arch/riscv"):
        for n in os.listdir(os.path.join(harness.ROOT, d)):
            if n.endswith((".c", ".h")):
                src[os.path.join(d, n)] = open(os.path.join(harness.ROOT, d, n)).read()
    assert re.search(r"^\s*const enum procstate state;", src["kernel/thread.h"], re.M)
    writes = [(f, m.group(0)) for f, t in src.items() for m in re.finditer(r"\(enum procstate \*\)[^;]*;", t)]
    assert len(writes) == 1 and writes[0][0] == "kernel/thread.h", writes
    body = re.search(r"static inline void thread_setstate\(.*?\n}", src["kernel/thread.h"], re.S).group(0)
    assert "trace_state(" in body and writes[0][1] in body, body


# -icount: guest time follows the instructions run, so "1 s of spinning"
# holds about ten 100 ms ticks however loaded the host is.
@test(args="trace=timer tick=100ms", timeout=300, icount=0)
def trace_timer_lines_at_boot(g):
    g.expect(r"clockintr: hart 0 tick \d+, idle", 10)
    # With the root on the disk (make test ROOT=disk) the first exec of
    # spin reads it from the disk, and under -icount an idle hart's clock
    # jumps from tick to tick while the host does the I/O: on a loaded
    # host that once outlasted the timeout (600 idle ticks).  So spin is
    # read once first, and "spin 1", a billion instructions, has as long
    # as a loaded host needs (40 s with six guests on two cores).
    g.run("spin 0", timeout=120)
    out = g.run("spin 1", timeout=120)
    hits = re.findall(r"^clockintr: hart 0 tick (\d+), pid \d+ \(spin\) interrupted$", out, re.M)
    # 1 s of spinning at 100 ms a tick: about 10 interrupts
    assert 6 <= len(hits) <= 14, out
    ticks = [int(t) for t in hits]
    assert ticks == sorted(ticks), ticks
    g.run("trace off")
    time.sleep(0.5)
    assert "clockintr" not in g.run("echo done")


@test(args="sched=coop", timeout=60)
def trace_ctrl_p_with_a_hog_in_coop(g):
    """Cooperative scheduling: spin never makes a system call, so the shell
    never runs again; the kernel still takes device interrupts, and Ctrl-P
    prints the process table from inside the interrupt handler."""
    g.send("spin &\n")
    g.expect(r"\[\d+\]", 10)
    # Ctrl-P until spin has been charged 20 ticks (a loaded host gives the
    # guest fewer ticks per second of host time, so no fixed sleep)
    deadline = time.time() + 30
    while True:
        time.sleep(0.3)
        g.send("\x10")
        m = g.expect(r"PID\s+PPID\s+UID\s+STATE\s+NAME.*\n((?:.*\n){3})", 10)
        table = m.group(1)
        row = re.search(r"^\d+\s+\d+\s+\d+\s+running\s+spin\s+(\d+)", table, re.M)
        if not row or int(row.group(1)) > 20 or time.time() > deadline:
            break
    assert re.search(r"^\d+\s+\d+\s+\d+\s+running\s+spin\s+\d+", table, re.M), table
    assert re.search(r"^\d+\s+\d+\s+\d+\s+sleeping\s+sh\b", table, re.M), table
    # spin charged many ticks and was never switched out
    row = re.search(r"^\d+\s+\d+\s+\d+\s+running\s+spin\s+(\d+)\s+\d+\s+(\d+)\s+(\d+)", table, re.M)
    assert int(row.group(1)) > 20 and row.group(3) == "0", table


# --- recording ----------------------------------------------------------------

def dump(g, timeout=60):
    """Run tracedump; return the parsed trace and the raw output."""
    out = g.run("tracedump -s", timeout=timeout)
    return render_trace.Trace(out), out


@test(args="trace=record", timeout=90)
def trace_record_switch_for_used_up_slice(g):
    g.run("spin 1 & echo hi", timeout=30)
    g.run("wait", timeout=30)
    tr, out = dump(g)
    assert tr.missing == 0 and tr.dropped == 0 and tr.bad_lines == 0, out[-500:]
    an = render_trace.Analysis(tr)
    spin = [p.pid for p in an.procs.values() if p.name == "spin"]
    assert len(spin) == 1, [(p.pid, p.name) for p in an.procs.values()]
    sw = [e for e in tr.events if e.type == "switch" and e.a == spin[0] and e.b > 0 and e.b != spin[0]]
    slice_sw = [e for e in sw if render_trace.WHY[e.c] == "time slice used up"]
    assert slice_sw, [repr(e) for e in sw]
    # the switch came from a timer interrupt on spin while in user mode
    st = an.timer_switch()
    assert st and st["trap"] and st["trap"].pid == st["a"], st
    # and the boot is in the recording
    assert [e.a for e in tr.events if e.type == "boot"] == [1, 2, 3]


@test(args="trace=record", timeout=60)
def trace_tracedump_lines_parse(g):
    g.run("echo hi")
    tr, out = dump(g)
    lines = [l for l in out.splitlines() if l.startswith("EV ")]
    assert lines and all(render_trace.EV_RE.fullmatch(l) for l in lines), out[-500:]
    assert len(lines) == tr.expected == len(tr.events)
    # the timebase is the machine's clock: virt's 10 MHz, x86-64's TSC rate
    # (and the machine, whose words render_trace.py's tables use)
    m = re.match(r"TRACE-BEGIN v1 timebase=(\d+) mask=0x1 arch=(\w+)$", out.splitlines()[0])
    assert m and (int(m.group(1)) == 10000000 if ARCH == "riscv" else int(m.group(1)) > 10000000), out[:200]
    assert m.group(2) == ARCH and render_trace.machine_of(tr).name == ARCH, out[:200]
    kinds = {e.type for e in tr.events}
    assert {"boot", "syscall", "sysret", "user", "switch", "state", "exec", "exit", "timer"} <= kinds, kinds
    # recording was stopped by -s; a second dump is empty
    out = g.run("tracedump")
    assert "TRACE-END events=0 dropped=0" in out, out
    assert g.run("trace") == "trace: off\n"


@test(cpus=2, args="trace=record", timeout=90)
def trace_record_two_harts(g):
    g.run("spin 1 & spin 1", timeout=30)
    g.run("wait", timeout=30)
    tr, out = dump(g)
    harts = {e.hart for e in tr.events}
    assert harts == {0, 1}, harts
    an = render_trace.Analysis(tr)
    spins = [p for p in an.procs.values() if p.name == "spin"]
    assert len(spins) == 2 and all(p.user > 0.9 * tr.timebase for p in spins), [(p.pid, p.user) for p in spins]
