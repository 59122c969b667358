#!/usr/bin/env python3
"""render_trace.py: turn a recorded Trapdoor trace into the seeds' pictures.

Input: the lines tracedump printed (a file written by tools/trace.py, or a
raw console capture: other lines are ignored).  Output:
  NAME.md    the limited-direct-execution protocol tables (OS | Hardware |
             Program), filled in from what really happened: pids, program
             and system-call names, times; with disk events, also a read
             that blocks on the disk while another process runs
  NAME.html  a self-contained page: the same tables and SVG timelines,
             one lane per hart, user and kernel time, timer interrupts,
             system calls, switches and kills, a look (colour and
             pattern) per process, and a disk lane (requests in flight,
             processes blocked on the disk); hover for details, zoom and pan with
             the page's own script (no network resources)

The tables are in the words of the machine the trace is from (tracedump's
arch=): RISC-V's stvec, scause, ecall and sret, or x86-64's IDT and lidt,
the TSS's rsp0, syscall and sysretq, iretq, vectors, the LAPIC timer and
the IOAPIC; the functions they name are those of kernel/arch/<arch>/.

Event lines of a type this tool does not know are reported on stderr with
their line numbers and counted on the page.

    python3 tools/render_trace.py build/trace/run.trace [--out DIR] [--png]
"""
import argparse
import html
import math
import os
import re
import shutil
import subprocess
import sys

# Event types, as tracedump names them (include/trapdoor/abi.h EV_*).
TYPES = ("boot", "trap", "syscall", "sysret", "timer", "switch", "state", "irq", "kill", "exec", "exit",
         "user", "diskreq", "diskdone")
DISK_WRITE, DISK_ASYNC = 1, 2   # diskreq's c (abi.h DISK_*)
SLEEPING, RUNNABLE = 4, 2       # enum procstate
WHY = ["", "time slice used up", "yielded", "blocked", "exited"]
WHY_SLICE, WHY_YIELD, WHY_BLOCK, WHY_EXIT = 1, 2, 3, 4
SCAUSE_INTR = 1 << 63
EXC_NAMES = {0: "misaligned instruction fetch", 1: "instruction access fault", 2: "illegal instruction",
             3: "breakpoint", 4: "misaligned load", 5: "load access fault", 6: "misaligned store",
             7: "store access fault", 8: "ecall from U-mode (system call)", 12: "instruction page fault",
             13: "load page fault", 15: "store page fault"}
IRQ_NAMES = {1: "software interrupt", 5: "timer interrupt", 9: "device interrupt"}
# x86-64's vectors (kernel/arch/x86_64/idt.c's names; x86.h's T_*)
X86_EXC_NAMES = {0: "divide error", 1: "debug", 3: "breakpoint", 6: "invalid opcode", 7: "device not available",
                 8: "double fault", 12: "stack fault", 13: "general protection", 14: "page fault",
                 16: "x87 FPU error", 17: "alignment check", 19: "SIMD FP exception"}
X86_T_IRQ0, X86_T_TIMER, X86_T_IPI = 32, 0xf0, 0xf1
SIGNALS = {2: "SIGINT", 4: "SIGILL", 5: "SIGTRAP", 9: "SIGKILL", 10: "SIGBUS", 11: "SIGSEGV", 12: "SIGSYS",
           13: "SIGPIPE", 15: "SIGTERM"}

# The optional t<tid> says which thread of the process was running (when
# it is not the first, whose tid is the pid).  Threads are drawn as their
# own "processes", keyed by tid: switch, user and state events already
# name tids (a = b = tid), and each thread gets its own colour.

class Machine:
    """One architecture's words for the tables: its registers and
    instructions, and the functions of kernel/arch/<arch>/ that do each
    step (each name is one a grep finds there).  RISC-V's say what the
    seeds' table says with stvec, scause and sret; x86-64's with the IDT,
    lidt, the TSS's rsp0, iretq/sysretq and the LAPIC timer."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


RISCV = Machine(
    name="riscv", cpu="hart", idle_insn="wfi", syscall_insn="ecall",
    trap_table=("**initialize trap table**<br>`trap_init()` writes `trap_entry` into `stvec`",
                "remember the address of the trap handler: one entry for system calls, faults "
                "and interrupts alike; `scause` says which"),
    irq_route=None,
    timer=("**start interrupt timer**<br>`arch_timer_init()`: every %s",
           "start timer<br>interrupt the CPU every %d µs (`stimecmp`)"),
    others="start the other harts (%d running); each installs the same trap table and starts its own timer",
    no_others="no other harts to start (1 hart)",
    first_return="**return-from-trap** (`trap_return`: `sret`, t = %s)",
    first_user=("restore regs from kernel stack (`trap_return` loads the trapframe)<br>"
                "move to user mode<br>jump to `main` (`sret` to `sepc`: the entry point, pc 0x%x)"),
    trap_insn="**trap** into OS (`ecall`, a7 = %d)",
    syscall_hw=("save regs to kernel stack: the hart keeps pc in `sepc`, `trap_entry` "
                "stores the registers in the trapframe<br>move to kernel mode<br>"
                "jump to trap handler (`stvec` = `trap_entry`), `scause` = 8: ecall from U-mode"),
    syscall_hw_short=("save regs(A) → k-stack(A) (`trap_entry` fills the trapframe)<br>move to kernel mode<br>"
                      "jump to trap handler, `scause` = 8: ecall from U-mode"),
    dispatch="Handle trap: `usertrap()` → `syscall()`",
    result="a0",
    syscall_return=("restore regs from kernel stack (`trap_return`)<br>move to user mode (`sret`)"
                    "<br>jump to PC after **trap** (pc 0x%x)"),
    timer_hw=("**timer interrupt**: %s<br>save regs(A) → k-stack(A) (`sepc`; `trap_entry` fills A's "
              "trapframe)<br>move to kernel mode<br>jump to trap handler (pc of A was 0x%x)"),
    back_hw=lambda how: ("restore regs(B) ← k-stack(B) (`trap_return` loads B's trapframe)<br>move to user mode"
                         "<br>jump to B's PC (`sret`, pc 0x%x)"),
    disk_return=("restore regs(A) ← k-stack(A)<br>move to user mode (`sret`)<br>jump to A's PC after "
                 "**trap** (pc 0x%x)"),
    idle="the hart waits for an interrupt (`wfi`)",
    disk_irq=lambda irq: "`scause` 9, PLIC source %d: the disk" % irq,
    write="write", exits=("exit",), execs=("exec",),
)

X86_64 = Machine(
    name="x86_64", cpu="cpu", idle_insn="hlt", syscall_insn="syscall",
    trap_table=("**initialize trap table**<br>`idt_init()` points the IDT's 256 gates at the stubs of "
                "`trap_vectors` (trapentry.S); `arch_trap_init()`: `lidt` loads it, LSTAR = `syscall_entry` "
                "for the `syscall` instruction; `gdt_init()`: `ltr` loads the TSS, whose `rsp0` names the "
                "kernel stack",
                "remember the address of the trap handlers: one gate per vector (exceptions 0–31, device "
                "interrupts from 32, the LAPIC timer 0xf0); the vector says which"),
    irq_route=("route device interrupts: `arch_irq_init()` → `ioapic_init()` masks every IOAPIC input; each "
               "driver routes its own (`arch_irq_enable()` → `ioapic_route()`: input n → vector 32 + n, to "
               "the boot CPU)",
               "the IOAPIC turns a device's interrupt line into a message to one CPU's local APIC"),
    timer=("**start interrupt timer**<br>`arch_timer_init()` → `lapic_timer_init()`: every %s",
           "start timer<br>interrupt the CPU every %d µs (the local APIC's timer, vector 0xf0: a TSC "
           "deadline, or a one-shot count, re-armed by `lapic_timer_arm()`)"),
    others="start the other CPUs (%d running: INIT and SIPI, `arch_start_cpus()`); each loads the same IDT "
           "(`lidt`) and TSS and starts its own LAPIC timer",
    no_others="no other CPUs to start (1 CPU)",
    first_return="**return-from-trap** (`forkret` → `trap_return`: `iretq`, t = %s)",
    first_user=("restore regs from kernel stack (`trap_return` pops the trapframe; TSS `rsp0` = the top of "
                "this kernel stack, for the next trap)<br>move to user mode<br>jump to `main` (`iretq` pops "
                "rip, cs, rflags, rsp, ss: the entry point, pc 0x%x)"),
    trap_insn="**trap** into OS (`syscall`, rax = %d)",
    syscall_hw=("save pc and flags: the CPU puts rip in rcx, rflags in r11 and masks interrupts (FMASK); "
                "it switches no stack: `syscall_entry` takes the thread's kernel stack (the one TSS `rsp0` "
                "names) and stores the registers in the trapframe<br>move to kernel mode<br>"
                "jump to trap handler (LSTAR = `syscall_entry`)"),
    syscall_hw_short=("save regs(A) → k-stack(A) (`syscall`: rip → rcx, rflags → r11; `syscall_entry` fills "
                      "the trapframe)<br>move to kernel mode<br>jump to trap handler (LSTAR = `syscall_entry`)"),
    dispatch="Handle trap: `x86_syscall()` → `syscall()`",
    result="rax",
    syscall_return=("restore regs from kernel stack (`syscall_return`)<br>move to user mode (`sysretq`: rip "
                    "from rcx, rflags from r11)<br>jump to PC after **trap** (pc 0x%x)"),
    timer_hw=("**timer interrupt**: %s<br>save regs(A) → k-stack(A): the CPU switches to the stack in TSS "
              "`rsp0` and pushes ss, rsp, rflags, cs, rip there; `alltraps` fills the rest of A's "
              "trapframe<br>move to kernel mode<br>jump to trap handler (IDT gate 0xf0 → `x86_trap()`; pc of "
              "A was 0x%x)"),
    back_hw=lambda how: ("restore regs(B) ← k-stack(B) (`%s` pops B's trapframe; TSS `rsp0` = the top of B's "
                         "kernel stack)<br>move to user mode<br>jump to B's PC (`%s`, pc 0x%%x)" % how),
    disk_return=("restore regs(A) ← k-stack(A) (`syscall_return`)<br>move to user mode (`sysretq`)<br>"
                 "jump to A's PC after **trap** (pc 0x%x)"),
    idle="the CPU waits for an interrupt (`sti; hlt` in `arch_idle()`)",
    disk_irq=lambda irq: "vector %d: IOAPIC input %d, the disk" % (X86_T_IRQ0 + irq, irq),
    write="writev", exits=("exit_group", "exit"), execs=("execve", "exec"),
)
MACHINES = {"riscv": RISCV, "x86_64": X86_64}


def machine_of(tr):
    """The architecture a trace was recorded on: tracedump says so (arch=
    on its first line), tools/trace.py's # arch: line too; an older trace
    is RISC-V's unless its boot event names x86's lidt."""
    arch = tr.arch or tr.meta.get("arch")
    if not arch:
        arch = "x86_64" if any(e.type == "boot" and e.name == "lidt" for e in tr.events) else "riscv"
    return MACHINES.get(arch, RISCV)


def is_interrupt(m, cause):
    """Is a trap's cause an interrupt (not an exception)?  RISC-V: scause's
    top bit (negative as tracedump prints it); x86-64: vectors 32 to 255."""
    if m is X86_64:
        return X86_T_IRQ0 <= cause < 256
    return bool(cause & SCAUSE_INTR) or cause < 0


EV_RE = re.compile(r"EV (\d+) (\d+) (-?\d+) ([a-z]+) (-?\d+) (-?\d+) (-?\d+) (-?\d+) (\S+)(?: t(\d+))?\s*$")
BEGIN_RE = re.compile(r"TRACE-BEGIN v1 timebase=(\d+) mask=0x([0-9a-f]+)(?: arch=(\w+))?")
END_RE = re.compile(r"TRACE-END events=(\d+) dropped=(\d+)")
META_RE = re.compile(r"^# ([a-z]+): (.*)$")


class Event:
    __slots__ = ("time", "hart", "pid", "type", "a", "b", "c", "d", "name", "idx")

    def __init__(self, m, idx):
        self.time, self.hart, self.pid = int(m.group(1)), int(m.group(2)), int(m.group(3))
        self.type = m.group(4)
        self.a, self.b, self.c, self.d = (int(m.group(i)) for i in range(5, 9))
        self.name = "" if m.group(9) == "-" else m.group(9)
        if m.group(10):
            self.pid = int(m.group(10))  # the thread, see EV_RE
        self.idx = idx

    def __repr__(self):
        return "EV %d %d %d %s %d %d %d %d %s" % (self.time, self.hart, self.pid, self.type, self.a, self.b,
                                                 self.c, self.d, self.name or "-")


class TraceError(Exception):
    pass


class Trace:
    """The events of one run, parsed and checked."""

    def __init__(self, text):
        self.meta = {}
        self.events = []
        self.timebase = None
        self.arch = None       # tracedump's arch= (None: an older tracedump)
        self.expected = None
        self.dropped = 0
        self.bad_lines = 0
        self.unknown = []      # (line number, line): EV lines of a type this tool does not know
        inside = False
        for lineno, line in enumerate(text.splitlines(), 1):
            m = META_RE.match(line)
            if m and not inside:
                self.meta[m.group(1)] = m.group(2)
                continue
            m = BEGIN_RE.search(line)
            if m:
                # A second dump continues the first: the rings were drained.
                inside = True
                self.timebase = int(m.group(1)) or self.timebase
                self.arch = m.group(3) or self.arch
                continue
            m = END_RE.search(line)
            if m:
                inside = False
                self.expected = (self.expected or 0) + int(m.group(1))
                self.dropped += int(m.group(2))
                continue
            m = EV_RE.search(line)
            if m and m.group(4) in TYPES:
                self.events.append(Event(m, len(self.events)))
            elif m:
                # A kernel newer than this tool: say so rather than draw a
                # picture with a hole in it and no hint why.
                self.unknown.append((lineno, line.strip()))
            elif inside and line.strip():
                self.bad_lines += 1  # console output that cut into a line
        if not self.events:
            raise TraceError("no events (was the kernel booted with trace=record?)")
        self.events.sort(key=lambda e: (e.time, e.idx))
        if not self.timebase:
            boots = [e.d for e in self.events if e.type == "boot" and e.d > 0]
            self.timebase = boots[0] if boots else 10000000
        self.missing = (self.expected - len(self.events)) if self.expected is not None else 0

    def ms(self, t):
        return t * 1000.0 / self.timebase

    def us(self, dt):
        return dt * 1000000.0 / self.timebase


def load(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return Trace(f.read())


def warnings(tr, path="trace"):
    """What a reader of the page should know was left out, one line each."""
    out = ["%s:%d: unknown event type %r, line ignored: %s" % (path, n, line.split()[4], line)
           for n, line in tr.unknown]
    if tr.dropped or tr.missing > 0:
        out.append("%s: %d events lost (%d dropped in the kernel, %d garbled)"
                   % (path, tr.dropped + max(tr.missing, 0), tr.dropped, max(tr.missing, 0)))
    return out


# --- analysis -----------------------------------------------------------

class Proc:
    def __init__(self, pid):
        self.pid = pid
        self.names = []        # (time, name) as it changed (fork keeps the parent's until exec)
        self.parent = None
        self.created = None    # event
        self.how = None        # "fork", "spawn" or "thread_create" (a thread: its own row and colour)
        self.execs = []        # events
        self.exit = None       # event
        self.killed = None     # event
        self.reaped = None     # event
        self.user = 0          # time units in user mode
        self.kernel = 0        # time units in the kernel (on its behalf)
        self.syscalls = []     # Syscall
        self.timers = 0
        self.switch_in = 0
        self.switch_out = {w: 0 for w in range(5)}

    def name_at(self, t):
        name = ""
        for when, n in self.names:
            if when > t and name:
                break
            name = n
        return name or "?"

    @property
    def name(self):
        return self.names[-1][1] if self.names else "?"


class Syscall:
    def __init__(self, enter):
        self.enter = enter
        self.ret = None      # sysret event, None if it never returned (exit) or is still in flight
        self.user = None     # the return-to-user event after it
        self.num, self.name = enter.a, enter.name or "syscall_%d" % enter.a
        self.args = (enter.b, enter.c, enter.d)

    @property
    def result(self):
        return self.ret.b if self.ret else None


class DiskReq:
    """One disk request: its diskreq event and, once seen, its diskdone."""

    def __init__(self, req):
        self.req, self.done = req, None
        self.block, self.how, self.pid = req.a, req.c, req.d
        self.who = req.name or "kernel"

    @property
    def write(self):
        return bool(self.how & DISK_WRITE)

    def what(self):
        return "%s of block %d%s" % ("write" if self.write else "read", self.block,
                                     " (read-ahead)" if self.how & DISK_ASYNC and not self.write else
                                     " (periodic flush)" if self.how & DISK_ASYNC else "")


class Segment:
    __slots__ = ("hart", "start", "end", "pid", "mode", "name")

    def __init__(self, hart, start, end, pid, mode, name):
        self.hart, self.start, self.end, self.pid, self.mode, self.name = hart, start, end, pid, mode, name


class Analysis:
    """Who ran where, in which mode, and the stories the tables tell."""

    def __init__(self, tr):
        self.tr = tr
        self.m = machine_of(tr)
        ev = tr.events
        self.start = ev[0].time
        self.end = ev[-1].time
        self.harts = sorted({e.hart for e in ev})
        self.procs = {}
        self.boot = [e for e in ev if e.type == "boot"]
        self.tick_us = self.boot[0].b if self.boot else None
        self._processes()
        self._segments()
        self._syscalls()
        self._disk()

    def proc(self, pid):
        if pid not in self.procs:
            self.procs[pid] = Proc(pid)
        return self.procs[pid]

    def _name(self, pid, t, name):
        if pid <= 0 or not name:
            return
        p = self.proc(pid)
        if not p.names or p.names[-1][1] != name:
            p.names.append((t, name))

    def _processes(self):
        calling = {}  # pid -> the system call it is in
        for e in self.tr.events:
            if e.pid > 0:
                self.proc(e.pid)
            if e.type == "syscall":
                calling[e.pid] = e.name
            elif e.type in ("sysret", "user"):
                calling.pop(e.pid if e.type == "sysret" else e.a, None)
            if e.type == "state":
                p = self.proc(e.a)
                self._name(e.a, e.time, e.name)
                if e.c == 1 and p.created is None:  # from EMBRYO: a new process
                    p.created = e
                    p.parent = e.pid
                    # The parent is inside the call that made it; the state
                    # events alone do not say which (and changed over time).
                    call = calling.get(e.pid)
                    p.how = call if call in ("fork", "spawn", "thread_create") else ("fork" if e.b == 1 else "spawn")
                if e.b == 0:
                    p.reaped = e
            elif e.type == "exec":
                p = self.proc(e.a)
                p.execs.append(e)
                self._name(e.a, e.time, e.name)
                if p.created is None and e.a != e.pid and e.pid > 0:
                    p.parent = e.pid
            elif e.type == "exit":
                self.proc(e.a).exit = e
                self._name(e.a, e.time, e.name)
            elif e.type == "kill":
                self.proc(e.a).killed = e
            elif e.type == "switch":
                self._name(e.b, e.time, e.name)
                if e.a > 0:
                    self.proc(e.a).switch_out[e.c if 0 <= e.c < 5 else 0] += 1
                if e.b > 0:
                    self.proc(e.b).switch_in += 1
            elif e.type == "timer" and e.a > 0:
                self.proc(e.a).timers += 1

    def _segments(self):
        """Per hart: (pid, mode) between consecutive events.  The state
        after an event is what the hart does until the next one."""
        self.segments = {h: [] for h in self.harts}
        for h in self.harts:
            evs = [e for e in self.tr.events if e.hart == h]
            segs = self.segments[h]
            pid, mode = evs[0].pid, ("kernel" if evs[0].pid else "idle")
            t = evs[0].time
            for e in evs:
                self._add(segs, h, t, e.time, pid, mode)
                t = e.time
                if e.type == "user":
                    pid, mode = e.a, "user"
                elif e.type in ("trap", "syscall"):
                    pid, mode = e.pid, "kernel"
                elif e.type == "switch":
                    pid, mode = e.b, ("kernel" if e.b > 0 else "idle")
                elif e.type == "timer" and e.pid == 0:
                    pid, mode = 0, "idle"
                elif e.pid != pid:
                    pid = e.pid
                    mode = "idle" if pid == 0 else ("kernel" if mode == "idle" else mode)
            self._add(segs, h, t, self.end, pid, mode)
        for segs in self.segments.values():
            for s in segs:
                if s.pid > 0:
                    p = self.proc(s.pid)
                    if s.mode == "user":
                        p.user += s.end - s.start
                    else:
                        p.kernel += s.end - s.start

    def _add(self, segs, hart, start, end, pid, mode):
        if end <= start:
            return
        name = self.proc(pid).name_at(start) if pid > 0 else "idle"
        if segs and segs[-1].pid == pid and segs[-1].mode == mode and segs[-1].end == start \
                and segs[-1].name == name:
            segs[-1].end = end
        else:
            segs.append(Segment(hart, start, end, pid, mode, name))

    def _syscalls(self):
        inflight = {}
        self.syscalls = []
        for e in self.tr.events:
            if e.type == "syscall":
                s = Syscall(e)
                inflight[e.pid] = s
                self.syscalls.append(s)
                self.proc(e.pid).syscalls.append(s)
            elif e.type == "sysret":
                s = inflight.get(e.pid)
                if s and s.num == e.a and not s.ret:
                    s.ret = e
            elif e.type == "user":
                s = inflight.pop(e.a, None)
                if s and s.ret:
                    s.user = e

    def _disk(self):
        """Disk requests paired with their completions (by block: one
        request per block is in flight at a time, the cache's B_BUSY sees
        to it), and the times processes slept waiting for one."""
        self.disk_reqs = []   # DiskReq
        inflight = {}
        for e in self.tr.events:
            if e.type == "diskreq":
                r = DiskReq(e)
                inflight.setdefault(e.a, []).append(r)
                self.disk_reqs.append(r)
            elif e.type == "diskdone" and inflight.get(e.a):
                inflight[e.a].pop(0).done = e
        # A process blocked on the disk: asleep after a request of its own
        # that was still in flight, until it became ready again.
        self.disk_waits = []  # (pid, sleep event, wake event or None, request)
        asleep = {}
        for e in self.tr.events:
            if e.type != "state":
                continue
            if e.b == SLEEPING:
                asleep[e.a] = e
            elif e.c == SLEEPING and e.a in asleep:
                start = asleep.pop(e.a)
                req = self._disk_req_for(e.a, start.time, e.time)
                if req:
                    self.disk_waits.append((e.a, start, e, req))
        for pid, start in asleep.items():
            req = self._disk_req_for(pid, start.time, self.end)
            if req:
                self.disk_waits.append((pid, start, None, req))

    def _disk_req_for(self, pid, t_sleep, t_wake):
        """The request of pid's that a sleep from t_sleep to t_wake waited
        for: made before the sleep, completed during it (or not at all);
        of several, the last to complete before the wakeup.  A read-ahead
        counts: it is the reader's, and the reader of that block sleeps
        until it completes."""
        best = None
        for r in self.disk_reqs:
            if r.pid != pid or r.req.time > t_sleep:
                continue
            if r.done is None:
                if t_wake >= self.end:  # asleep still when the trace ends
                    best = best or r
            elif t_sleep <= r.done.time <= t_wake and (best is None or best.done is None
                                                       or r.done.time >= best.done.time):
                best = r
        return best

    def disk_story(self):
        """A read that blocks on the disk: the process traps, the driver
        starts the I/O, the process sleeps on the disk's queue, the
        dispatcher switches, the device interrupts, the process becomes
        ready and returns from the read.  The first such read, preferring
        one during which another process ran."""
        cands = []
        for pid, sleep_ev, wake, req in self.disk_waits:
            # the reader's own request, started in this very call
            if wake is None or req.done is None or req.how & DISK_ASYNC:
                continue
            call = next((s for s in self.proc(pid).syscalls if s.enter.time <= req.req.time and s.ret
                         and s.ret.time >= wake.time), None)
            if not call:
                continue
            out = next((e for e in self.tr.events if e.type == "switch" and e.a == pid
                        and e.time >= sleep_ev.time), None)
            back = next((e for e in self.tr.events if e.type == "switch" and e.b == pid
                         and e.time >= wake.time), None)
            if not out or not back or back.time > call.ret.time:
                continue
            irq = None
            for e in self.tr.events[:self._index(req.done)][::-1]:
                if e.hart == req.done.hart and e.type == "irq":
                    irq = e
                    break
            trap = None
            if irq:
                for e in self.tr.events[:self._index(irq)][::-1]:
                    if e.hart != irq.hart or e.type in ("user", "switch", "syscall"):
                        break
                    if e.type == "trap":
                        trap = e
                        break
            cands.append(dict(pid=pid, call=call, req=req, sleep=sleep_ev, out=out, wake=wake, back=back,
                              irq=irq, trap=trap, other=out.b))
        if not cands:
            return None
        cands.sort(key=lambda c: (c["call"].name != "read", c["other"] <= 0, c["call"].enter.time))
        return cands[0]

    # --- the stories ------------------------------------------------------

    def first_user(self, pid, after):
        for e in self.tr.events:
            if e.time >= after and e.type == "user" and e.a == pid:
                return e
        return None

    def timer_switch(self):
        """The first switch from one process to another because the first
        one's time slice was used up, with the timer trap that caused it."""
        boring = {"sh", "init", "trace", "tracedump"}
        cands = [e for e in self.tr.events
                 if e.type == "switch" and e.c == WHY_SLICE and e.a > 0 and e.b > 0 and e.a != e.b]
        if not cands:
            return None
        # A program of the user's that hogs the CPU tells the story best:
        # the shell caught between two system calls is true but less clear.
        best = min(cands, key=lambda e: (self.proc(e.a).name_at(e.time) in boring,
                                         self.proc(e.b).name_at(e.time) in boring, e.time))
        trap = timer = None
        for e in reversed(self.tr.events[:self._index(best)]):
            if e.hart != best.hart:
                continue
            if e.type == "timer" and timer is None:
                timer = e
            if e.type == "trap" and is_interrupt(self.m, e.a):
                trap = e
                break
            if e.type in ("user", "switch"):
                break
        ran_since = None
        for e in reversed(self.tr.events[:self._index(trap or best)]):
            if e.hart == best.hart and e.type in ("user", "switch"):
                ran_since = e
                break
        back = self.first_user(best.b, best.time)
        # Where B was when it last left the CPU: it resumes there.
        resumed = None
        for e in reversed(self.tr.events[:self._index(best)]):
            if e.type == "switch" and e.a == best.b:
                resumed = e
                break
        return dict(switch=best, trap=trap, timer=timer, since=ran_since, back=back, resumed=resumed,
                    a=best.a, b=best.b)

    def _index(self, ev):
        for i, e in enumerate(self.tr.events):
            if e is ev:
                return i
        return len(self.tr.events)

    def stories(self):
        """The timer switch and the system call the tables tell, the same
        in every output: the call is B's if B makes one."""
        st = self.timer_switch()
        return st, self.syscall_story(prefer=st["b"] if st else None, avoid=st["a"] if st else None)

    def syscall_story(self, prefer=None, avoid=None):
        """A process from creation to reaping, with one system call: the
        seeds' "LDE protocol" table."""
        boring = {"sh", "init", "tracedump", "trace"}

        m = self.m

        def ok(p):
            return p.created and p.reaped and p.exit and any(
                s.ret and s.user and s.name not in m.execs for s in p.syscalls)

        cands = [p for p in self.procs.values() if ok(p)]
        if not cands:
            cands = [p for p in self.procs.values() if p.exit and p.syscalls]
        if not cands:
            return None
        # B of the timer story, else not A (two stories, two programs),
        # else the user's programs before the shell's helpers.
        cands.sort(key=lambda p: (p.pid != prefer, p.pid == avoid, p.name in boring,
                                  p.created.time if p.created else 0))
        p = cands[0]
        start = p.execs[-1].time if p.execs else (p.created.time if p.created else self.start)
        calls = [s for s in p.syscalls if s.enter.time >= start and s.ret and s.user and s.name not in m.execs]
        if not calls:
            calls = [s for s in p.syscalls if s.ret]
        call = next((s for s in calls if s.name == m.write), calls[0] if calls else None)
        exit_call = next((s for s in p.syscalls if s.name in m.exits), None)
        return dict(proc=p, call=call, exit_call=exit_call, first_user=self.first_user(p.pid, start))


# --- formatting helpers -------------------------------------------------

def fmt_ms(tr, t):
    return "%.3f ms" % tr.ms(t)


def fmt_dur(tr, dt):
    us = tr.us(dt)
    if us < 1000:
        return "%.1f µs" % us
    return "%.3f ms" % (us / 1000)


def fmt_cause(cause, name=True, m=None):
    if m is X86_64:
        what = ("timer interrupt (the LAPIC's)" if cause == X86_T_TIMER else "IPI" if cause == X86_T_IPI else
                "device interrupt" if X86_T_IRQ0 <= cause < 256 else X86_EXC_NAMES.get(cause, "exception"))
        text = "vector %d" % cause if cause < X86_T_IRQ0 else "vector 0x%x" % cause
        return "%s (%s)" % (what, text) if name else "%s, %s" % (text, what)
    if cause & SCAUSE_INTR or cause < 0:
        irq = cause & 0xff
        text = "scause 0x%x" % (cause & ((1 << 64) - 1))
        return "%s (%s)" % (IRQ_NAMES.get(irq, "interrupt %d" % irq), text) if name else text
    return "%s (scause %d)" % (EXC_NAMES.get(cause, "exception"), cause)


def fmt_status(st):
    if st & 0x7f:
        return "killed by %s" % SIGNALS.get(st & 0x7f, "signal %d" % (st & 0x7f))
    return "exit status %d" % ((st >> 8) & 0xff)


def fmt_call(s):
    """write(1, 0x13f30, 3) = 3 from the recorded registers (first three)."""
    args = ", ".join(("%d" % a) if -4096 < a < 4096 else "0x%x" % (a & ((1 << 64) - 1)) for a in s.args)
    text = "%s(%s)" % (s.name, args)
    if s.ret:
        r = s.result
        text += " = %d" % r if r >= -4095 else " = 0x%x" % (r & ((1 << 64) - 1))
    return text


def pname(an, pid, t=None):
    if pid <= 0:
        return "idle"
    p = an.proc(pid)
    return "%s (pid %d)" % (p.name_at(t) if t is not None else p.name, pid)


# --- the protocol tables ------------------------------------------------

def boot_rows(an):
    tr, m = an.tr, an.m
    rows = []
    by = {e.a: e for e in an.boot}
    e = by.get(1)
    if e:
        rows.append(("t = %s, %s %d" % (fmt_ms(tr, e.time), m.cpu, e.hart), m.trap_table[0], m.trap_table[1], ""))
        if m.irq_route:
            rows.append(("", m.irq_route[0], m.irq_route[1], ""))
    e = by.get(2)
    if e:
        rows.append(("t = %s" % fmt_ms(tr, e.time), m.timer[0] % fmt_dur(tr, e.b * tr.timebase // 1000000),
                     m.timer[1] % e.b, ""))
    e = by.get(3)
    if e:
        rows.append(("t = %s" % fmt_ms(tr, e.time), m.others % e.c if e.c > 1 else m.no_others, "", ""))
    return rows


def syscall_rows(an, story):
    tr, m = an.tr, an.m
    p, call = story["proc"], story["call"]
    rows = []
    parent = pname(an, p.parent, p.created.time) if p.parent else "the kernel"
    ex = p.execs[-1] if p.execs else None
    os_lines = []
    if p.created:
        os_lines.append("Create entry for process list: **pid %d**, by %s with `%s()` (t = %s)"
                        % (p.pid, parent, p.how, fmt_ms(tr, p.created.time)))
    if ex:
        os_lines.append("Allocate memory for program, load `/bin/%s` into memory (`exec`, t = %s)"
                        % (ex.name, fmt_ms(tr, ex.time)))
        os_lines.append("Set up user stack with `argv`")
    os_lines.append("Fill kernel stack with reg/PC: the trapframe at the top of pid %d's kernel stack" % p.pid)
    first_in = next((e for e in tr.events if e.type == "switch" and e.b == p.pid
                     and (not p.created or e.time >= p.created.time)), None)
    if first_in:
        os_lines.append("Put it on the ready queue; the dispatcher switches to it at t = %s (from %s%s)" % (
            fmt_ms(tr, first_in.time), pname(an, first_in.a, first_in.time),
            ": " + WHY[first_in.c] if 0 < first_in.c < 5 else ""))
    fu = story["first_user"]
    if fu:
        os_lines.append(m.first_return % fmt_ms(tr, fu.time))
    t_from = p.created.time if p.created else (ex.time if ex else None)
    when = ""
    if t_from is not None:
        when = "t = %s … %s" % (fmt_ms(tr, t_from), fmt_ms(tr, fu.time)) if fu else "t = %s" % fmt_ms(tr, t_from)
    rows.append((when, "<br>".join(os_lines), "", ""))
    if fu:
        rows.append(("t = %s" % fmt_ms(tr, fu.time), "", m.first_user % fu.b, ""))
    if call:
        e = call.enter
        rows.append(("t = %s … %s" % (fmt_ms(tr, fu.time), fmt_ms(tr, e.time)) if fu else "t = %s" % fmt_ms(tr, e.time), "", "",
                     "Run `main()` of %s<br>…<br>Call system call `%s()`<br>%s"
                     % (p.name_at(e.time), call.name, m.trap_insn % call.num)))
        rows.append(("", "", m.syscall_hw, ""))
        kt = (call.user.time if call.user else call.ret.time) - e.time
        rows.append(("t = %s … %s" % (fmt_ms(tr, e.time), fmt_ms(tr, call.ret.time)),
                     "%s: number %d is `%s`, checked and looked up in "
                     "the dispatch table `syscalls[]`<br>Do work of syscall: `%s`<br>**return-from-trap** "
                     "with the result in %s (%s in the kernel)"
                     % (m.dispatch, call.num, call.name, fmt_call(call), m.result, fmt_dur(tr, kt)), "", ""))
        if call.user:
            rows.append(("t = %s" % fmt_ms(tr, call.user.time), "", m.syscall_return % call.user.b, ""))
    ec = story["exit_call"]
    if ec or p.exit:
        t = ec.enter.time if ec else p.exit.time
        if p.killed and not ec:
            # x86-64: a page fault's address is the one the CPU left in CR2
            where = " at 0x%x (CR2)" % (p.killed.d & ((1 << 64) - 1)) if m is X86_64 and p.killed.c == 14 else ""
            prog = "…<br>%s%s: killed by the kernel (t = %s)" % (
                fmt_cause(p.killed.c, m=m), where, fmt_ms(tr, p.killed.time))
        else:
            prog = "…<br>return from `main`<br>**trap** (via `%s(%d)`)" % (ec.name if ec else "exit",
                                                                          ec.args[0] if ec else 0)
        rows.append(("t = %s" % fmt_ms(tr, t), "", "", prog))
        os_lines = []
        if p.exit:
            os_lines.append("`exit()`: close files, free memory of process, pid %d becomes a zombie (%s, t = %s)"
                            % (p.pid, fmt_status(p.exit.b), fmt_ms(tr, p.exit.time)))
        if p.reaped:
            os_lines.append("Remove from process list: %s reaps it in `wait` (t = %s)"
                            % (pname(an, p.reaped.pid, p.reaped.time), fmt_ms(tr, p.reaped.time)))
        when = ""
        if p.exit:
            when = "t = %s" % fmt_ms(tr, p.exit.time)
            if p.reaped:
                when = "t = %s … %s" % (fmt_ms(tr, p.exit.time), fmt_ms(tr, p.reaped.time))
        rows.append((when, "<br>".join(os_lines), "", ""))
    return rows


def timer_rows(an, st):
    tr, m = an.tr, an.m
    sw, trap, back = st["switch"], st["trap"], st["back"]
    a, b = st["a"], st["b"]
    na, nb = pname(an, a, sw.time), pname(an, b, sw.time)
    rows = []
    since = st["since"]
    rows.append(("t = %s … %s" % (fmt_ms(tr, since.time), fmt_ms(tr, trap.time)) if since and trap else "",
                 "", "", "Process A: **%s**<br>…" % na))
    if trap:
        rows.append(("t = %s, %s %d" % (fmt_ms(tr, trap.time), m.cpu, trap.hart), "",
                     m.timer_hw % (fmt_cause(trap.a, False, m), trap.b), ""))
    tick = st["timer"]
    where = "its own trap handler"
    r = st["resumed"]
    if r is None:
        where = "`forkret`, as a new process: its first run"
    elif r.c == WHY_SLICE:
        where = "`preempt()` in its own timer interrupt"
    elif r.c == WHY_YIELD:
        where = "`yield()`"
    elif r.c == WHY_BLOCK:
        calls = [s for s in an.proc(b).syscalls if s.enter.time <= r.time]
        where = "`sleep()` in its system call `%s`" % calls[-1].name if calls else "`sleep()`"
    os_lines = ["Handle the trap: `timer_interrupt()`%s; A's time slice is used up → `preempt()` → `sched()`"
                % (" (tick %d)" % tick.b if tick else ""),
                "Call `swtch(&A->context, &B->context)` (t = %s):" % fmt_ms(tr, sw.time),
                "&nbsp;i. save regs(A) → proc_t(A) (`struct context`)",
                "&nbsp;ii. restore regs(B) ← proc_t(B)",
                "&nbsp;iii. switch to k-stack(B); B returns from where it called `swtch`: %s" % where,
                "**return-from-trap (into B)**"]
    rows.append(("t = %s" % fmt_ms(tr, sw.time), "<br>".join(os_lines), "", ""))
    if back:
        # x86-64: B goes back by iretq from a trap (or its first run), by
        # sysretq from a system call it slept or yielded in
        how = ("syscall_return", "sysretq") if r is not None and r.c in (WHY_BLOCK, WHY_YIELD) else \
            ("trap_return", "iretq")
        rows.append(("t = %s, %s %d" % (fmt_ms(tr, back.time), m.cpu, back.hart), "", m.back_hw(how) % back.b, ""))
        rows.append(("", "", "", "Process B: **%s**<br>…" % nb))
    return rows


def handler(m, call):
    """The kernel function the call runs: sys_<name>, or sys_linux_<name>
    for a call of Linux's ABI (kernel/linux.c), by its number in the one
    list (include/trapdoor/syscalls.h)."""
    import syscalls
    key = "x86" if m is X86_64 else "rv"
    sym = next((r["sym"] for r in syscalls.rows() if r[key] == call.num), call.name)
    return "sys_" + sym


def disk_rows(an, st):
    """The blocking read, as the seeds' protocol table: A waits for the
    disk, B (or the idle hart) has the CPU meanwhile."""
    tr, m = an.tr, an.m
    call, req, pid = st["call"], st["req"], st["pid"]
    na = pname(an, pid, call.enter.time)
    other = st["other"]
    nb = pname(an, other, st["out"].time)
    e = call.enter
    rows = [("t = %s, %s %d" % (fmt_ms(tr, e.time), m.cpu, e.hart), "", "",
             "Process A: **%s**<br>Call system call `%s()`<br>%s" % (na, call.name, m.trap_insn % call.num)),
            ("", "", m.syscall_hw_short, "")]
    via = "`blkdev_read` → `bread(%d)`" % req.block if call.name == "read" else "`bread(%d)`" % req.block
    rows.append(("t = %s … %s" % (fmt_ms(tr, e.time), fmt_ms(tr, req.req.time)),
                 "Handle trap: `syscall()` → `%s` → %s: the block is not in the buffer cache<br>"
                 "**start the I/O**: `disk_start` puts the request (%s) on the virtqueue and notifies "
                 "the device" % (handler(m, call), via, req.what()), "", ""))
    # The device is done by the time it interrupts; the driver sees it after.
    irq, trap = st["irq"], st["trap"]
    t_end = (trap or irq or req.done).time
    rows.append(("t = %s … %s" % (fmt_ms(tr, req.req.time), fmt_ms(tr, t_end)), "",
                 "the disk works on the request by itself: it copies block %d into the buffer's page "
                 "(DMA) while the CPU runs other code (%s until its interrupt)"
                 % (req.block, fmt_dur(tr, t_end - req.req.time)), ""))
    rows.append(("t = %s" % fmt_ms(tr, st["sleep"].time),
                 "A **sleeps on the disk queue**: `sleep(&b->wq)` (the queue `ps` shows as `disk`), "
                 "A's state: running → sleeping; `sched()`", "", ""))
    out = st["out"]
    if other > 0:
        rows.append(("t = %s" % fmt_ms(tr, out.time),
                     "**dispatcher switches**: `swtch(&A->context, &B->context)` to B = %s, which was ready; "
                     "**return-from-trap (into B)**" % nb, "", ""))
        rows.append(("", "", "", "Process B: **%s** runs (user mode) while A waits<br>…" % nb))
    else:
        rows.append(("t = %s" % fmt_ms(tr, out.time),
                     "**dispatcher switches**: nothing else is ready, so `swtch` to the idle loop: "
                     + m.idle, "", ""))
    if irq:
        where = ("B interrupted in user mode at pc 0x%x; save regs(B) → k-stack(B)" % trap.b) if trap and trap.pid > 0 \
            else ("the idle %s wakes" % m.cpu if irq.pid == 0 else "%s interrupted in the kernel" % pname(an, irq.pid, irq.time))
        rows.append(("t = %s, %s %d" % (fmt_ms(tr, (trap or irq).time), m.cpu, irq.hart), "",
                     "**device interrupt** (%s): %s<br>move to kernel mode<br>"
                     "jump to trap handler" % (m.disk_irq(irq.a), where), ""))
    wake = st["wake"]
    rows.append(("t = %s … %s" % (fmt_ms(tr, req.done.time), fmt_ms(tr, wake.time)),
                 "Handle the trap: `device_interrupt()` → `disk_intr()`: the used ring says the request for "
                 "block %d is done (status %s)<br>`bio_done` → `wakeup(&b->wq)`: A **becomes ready** "
                 "(sleeping → runnable)" % (req.block, "OK" if req.done.b == 0 else req.done.b), "", ""))
    back = st["back"]
    why = WHY[back.c] if 0 < back.c < 5 else ""
    if other > 0 and back.a == other:
        came = "B goes on until it leaves the CPU (%s); then" % why if why else "then"
    else:
        came = "from %s%s:" % (pname(an, back.a, back.time), ": " + why if why else "")
    rows.append(("t = %s" % fmt_ms(tr, back.time),
                 "%s the **dispatcher switches** to A: A returns from `sleep` in `bread`, waits %s in all"
                 % (came[0].upper() + came[1:], fmt_dur(tr, back.time - st["sleep"].time)), "", ""))
    rows.append(("t = %s" % fmt_ms(tr, call.ret.time),
                 "copy the block to A's buffer (`copyout`)<br>**return-from-trap** with the result in %s: "
                 "`%s`" % (m.result, fmt_call(call)), "", ""))
    if call.user:
        rows.append(("t = %s" % fmt_ms(tr, call.user.time), "", m.disk_return % call.user.b, ""))
        rows.append(("", "", "", "Process A: **%s**<br>`%s()` returns %d<br>…" % (na, call.name, call.result)))
    return rows


def disk_title(an, st):
    other = st["other"]
    return "a read blocks on the disk: A = %s waits, %s" % (
        pname(an, st["pid"], st["call"].enter.time),
        "B = %s runs" % pname(an, other, st["out"].time) if other > 0 else "the %s idles" % an.m.cpu)


def md_table(rows, head):
    out = ["| Step | Time | " + " | ".join(head) + " |", "|:--:|:--|" + "|".join([":--"] * len(head)) + "|"]
    for i, r in enumerate(rows, 1):
        cells = [c if c else "—" for c in r[1:1 + len(head)]]
        out.append("| %d | %s | %s |" % (i, r[0] or "", " | ".join(cells)))
    return "\n".join(out)


HEAD3 = ("OS (kernel mode)", "Hardware", "Program (user mode)")


def story_title(an, story):
    p = story["proc"]
    return "%s, pid %d" % (p.name, p.pid)


def summary_rows(an):
    tr = an.tr
    rows = []
    for pid in sorted(an.procs):
        p = an.procs[pid]
        if not (p.user or p.kernel or p.syscalls):
            continue
        end = "%s at %s" % (fmt_status(p.exit.b), fmt_ms(tr, p.exit.time)) if p.exit else "running"
        rows.append((str(pid), " → ".join(n for _, n in p.names) or "?",
                     str(p.parent) if p.parent else "", fmt_dur(tr, p.user), fmt_dur(tr, p.kernel),
                     str(len(p.syscalls)), str(p.timers),
                     "%d (%d slice, %d blocked, %d yield)" % (sum(p.switch_out.values()), p.switch_out[1],
                                                              p.switch_out[3], p.switch_out[2]), end))
    return rows


SUMMARY_HEAD = ("PID", "Name", "Parent", "User time", "Kernel time", "Syscalls", "Timer interrupts",
                "Switched out", "End")


def render_md(an, title, files):
    tr = an.tr
    out = ["<!-- Generated by tools/render_trace.py from %s: do not edit, regenerate with make trace -->"
           % files.get("trace", "a trace"), "", "# %s" % title, ""]
    if tr.meta.get("cmd"):
        out += ["Commands run at the shell: `%s`  " % tr.meta["cmd"]]
    out += boot_args_md(tr)
    if tr.meta.get("disk"):
        out += ["Disk (/dev/vda): `%s`  " % tr.meta["disk"]]
    out += ["Events: %d over %s (timer: %d units per second)%s%s" % (
        len(tr.events), fmt_dur(tr, an.end - an.start), tr.timebase,
        "; **%d lost** (rings full or lines garbled)" % (tr.dropped + max(tr.missing, 0))
        if tr.dropped or tr.missing > 0 else "", "; **%s**" % unknown_note(tr) if tr.unknown else ""), ""]
    if files.get("html"):
        out += ["The timeline, one lane per %s: [%s](%s)%s" % (an.m.cpu,
            files["html"], files["html"], " (picture: [%s](%s))" % (files["png"], files["png"])
            if files.get("png") else ""), ""]
    out += ["## At boot", "", md_table(boot_rows(an), HEAD3[:2]) if an.boot else "(boot not recorded)", ""]
    st, story = an.stories()
    if story:
        out += ["## Run: a process and one system call (%s)" % story_title(an, story), "",
                md_table(syscall_rows(an, story), HEAD3), ""]
    if st:
        out += ["## Run: a timer interrupt switches from A = %s to B = %s" % (
            pname(an, st["a"], st["switch"].time), pname(an, st["b"], st["switch"].time)), "",
            md_table(timer_rows(an, st), HEAD3), ""]
    else:
        out += ["## Run: a timer interrupt", "", "No process lost the CPU to the timer in this run "
                "(nothing else was ready, or `sched=coop`).", ""]
    ds = an.disk_story()
    if ds:
        out += ["## Run: %s" % disk_title(an, ds), "", md_table(disk_rows(an, ds), HEAD3), ""]
    out += ["## Processes", "", "| " + " | ".join(SUMMARY_HEAD) + " |", "|" + "---|" * len(SUMMARY_HEAD)]
    for r in summary_rows(an):
        out.append("| " + " | ".join(r) + " |")
    out.append("")
    return "\n".join(out)


# --- the SVG timeline -----------------------------------------------------

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#86bc86", "#d37295", "#499894"]
# White strokes over the colour, drawn in a <pattern>: with 12 colours
# and 5 patterns, 60 processes each have a look of their own.
PATTERNS = {
    "solid": "",
    "stripes": '<path d="M-1 1 l2 -2 M0 6 l6 -6 M5 7 l2 -2" stroke="#fff" stroke-width="1.6"/>',
    "dots": '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
    "bars": '<path d="M3 0 v6" stroke="#fff" stroke-width="1.6"/>',
    "checks": '<path d="M0 0 h3 v3 h-3 z M3 3 h3 v3 h-3 z" fill="#fff" fill-opacity="0.55"/>',
}
PATTERN_ORDER = ("solid", "stripes", "dots", "bars", "checks")

# Every mark and shade a timeline can hold: the legend lists them all,
# drawn with the same classes, and the tests check nothing else is drawn.
MARKS = (
    ("user", "user mode (upper row of a hart): the process's own colour and pattern"),
    ("kernel", "kernel mode for that process (lower row): the same look, faded and outlined"),
    ("idle", "hart idle, waiting for an interrupt (wfi)"),  # (marks(): the machine's words)
    ("tmark", "timer interrupt"),
    ("smark", "system call (ecall)"),
    ("wmark", "context switch (swtch)"),
    ("kmark", "process killed by the kernel (a fault)"),
    ("dreq", "disk request in flight (disk lane, upper row): from the driver's submission to its completion"),
    ("dwait", "process blocked on the disk (disk lane, lower row): its own look, asleep on the queue ps calls disk"),
    ("dmark", "disk interrupt: the completion that makes a waiting process ready"),
)


def marks(m):
    """MARKS in the machine's words (its idle and system-call instructions)."""
    return [(cls, text.replace("hart", m.cpu).replace("(wfi)", "(%s)" % m.idle_insn)
             .replace("(ecall)", "(%s)" % m.syscall_insn)) for cls, text in MARKS]


def looks(an):
    """pid -> (colour, pattern): distinct for every process in the trace."""
    pids = sorted({s.pid for h in an.harts for s in an.segments[h] if s.pid > 0} |
                  {p for p in an.procs if p > 0})
    out = {}
    for i, pid in enumerate(pids):
        n = len(PALETTE) * len(PATTERN_ORDER)
        if i < n:
            colour = PALETTE[i % len(PALETTE)]
        else:  # past 60: new hues by the golden angle, still one look each
            colour = "hsl(%d, 55%%, 48%%)" % ((i * 137.508) % 360)
        out[pid] = (colour, PATTERN_ORDER[(i // len(PALETTE)) % len(PATTERN_ORDER)])
    return out


def fill_of(pid):
    return "url(#proc-%d)" % pid


def svg_defs(an):
    """One <pattern> per process, shared by every timeline of the page."""
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" class="defs" aria-hidden="true"><defs>']
    for pid, (colour, pat) in sorted(looks(an).items()):
        o.append('<pattern id="proc-%d" patternUnits="userSpaceOnUse" width="6" height="6">'
                 '<rect width="6" height="6" fill="%s"/>%s</pattern>' % (pid, colour, PATTERNS[pat]))
    o.append('</defs></svg>')
    return "".join(o)


def nice_step(span, target=8):
    """A round axis step (1, 2 or 5 times a power of ten) giving about
    target ticks over span."""
    raw = span / target
    if raw <= 0:
        return 1
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def seg_label(s):
    return "%s · pid %d" % (s.name, s.pid)


# Geometry shared with the script (it reads the numbers from data-*).
LEFT, RIGHT, TOP, LANE_H, ROW_H = 92, 16, 14, 70, 18


def svg_timeline(an, t0, t1, title, width=1100, marks=True, zoom=False, sid="tl"):
    """One lane per hart; in each, user mode above and kernel mode below,
    so every trap is a step down and every return-from-trap a step up.
    Every element carries its times (data-a, data-b or data-t, in timer
    units) so that the page's script can zoom and pan; the positions
    written here are those of the whole window, for a reader without it."""
    tr = an.tr
    left, right, top, lane_h, row_h = LEFT, RIGHT, TOP, LANE_H, ROW_H
    plot_w = width - left - right
    disk = bool(an.disk_reqs)  # a lane for the disk under the harts'
    nlanes = len(an.harts) + (1 if disk else 0)
    height = top + lane_h * nlanes + 40
    span = max(t1 - t0, 1)
    # Names of system calls and switches fit when a window is this narrow.
    labels_below = span if zoom else 2 * tr.timebase // 1000

    def x(t):
        return left + (min(max(t, t0), t1) - t0) * plot_w / span

    o = ['<div class="tl" id="%s" data-t0="%d" data-t1="%d" data-labels="%d" data-tb="%d" data-left="%d" '
         'data-right="%d">' % (sid, t0, t1, labels_below, tr.timebase, left, right)]
    o.append('<div class="tlbar" role="toolbar" aria-label="zoom">'
             '<button type="button" data-z="in" title="zoom in (or the mouse wheel over the timeline)">+</button>'
             '<button type="button" data-z="out" title="zoom out">−</button>'
             '<button type="button" data-z="left" title="earlier (or drag the timeline)">◀</button>'
             '<button type="button" data-z="right" title="later">▶</button>'
             '<button type="button" data-z="reset" title="the whole window again">reset</button>'
             '<span class="range">%s … %s (%s)</span></div>' % (fmt_ms(tr, t0), fmt_ms(tr, t1), fmt_dur(tr, span)))
    # The title is HTML, so that a narrow window wraps it instead of cutting it off.
    o.append('<div class="tltitle">%s</div>' % html.escape(title))
    o.append('<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="100%%" viewBox="0 0 %d %d" '
             'preserveAspectRatio="xMinYMin meet" role="img" aria-label="%s">'
             % (width, height, html.escape(title)))
    o.append('<title>%s</title>' % html.escape(title))
    o.append('<defs><clipPath id="%s-clip"><rect class="cliprect" x="%d" y="0" width="%d" height="%d"/></clipPath>'
             '</defs>' % (sid, left, plot_w, height))
    o.append('<rect class="bg" x="0" y="0" width="%d" height="%d" fill="#ffffff"/>' % (width, height))
    # time axis (the script redraws it for every zoom)
    ybase = top + lane_h * nlanes
    o.append('<g class="axis" data-top="%d" data-base="%d">' % (top, ybase))
    step_ms = nice_step(tr.ms(span))
    tick_ms = math.ceil(tr.ms(t0) / step_ms - 1e-9) * step_ms
    while tick_ms <= tr.ms(t1) + 1e-9:
        xx = x(tick_ms * tr.timebase / 1000.0)
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/>' % (xx, top, xx, ybase))
        label = ("%.3f" % tick_ms).rstrip("0").rstrip(".") if step_ms < 1 else "%g" % tick_ms
        o.append('<text x="%.1f" y="%d" class="ax" text-anchor="middle">%s</text>' % (xx, ybase + 14, label))
        tick_ms += step_ms
    o.append('</g>')
    o.append('<text x="%d" y="%d" class="ax axname" text-anchor="end">ms since boot</text>'
             % (width - right, ybase + 30))
    for i, h in enumerate(an.harts):
        y0 = top + i * lane_h
        yu, yk = y0 + 12, y0 + 12 + row_h + 4
        o.append('<text x="6" y="%d" class="lane">%s %d</text>' % (y0 + 30, an.m.cpu, h))
        o.append('<text x="%d" y="%d" class="sub" text-anchor="end">user</text>' % (left - 4, yu + 13))
        o.append('<text x="%d" y="%d" class="sub" text-anchor="end">kernel</text>' % (left - 4, yk + 13))
        o.append('<rect x="%d" y="%d" width="%d" height="%d" class="lanebg"/>' % (left, yu, plot_w, row_h * 2 + 4))
    if disk:
        y0 = top + len(an.harts) * lane_h
        yu, yk = y0 + 12, y0 + 12 + row_h + 4
        o.append('<text x="6" y="%d" class="lane">disk</text>' % (y0 + 30))
        o.append('<text x="%d" y="%d" class="sub" text-anchor="end">requests</text>' % (left - 4, yu + 13))
        o.append('<text x="%d" y="%d" class="sub" text-anchor="end">blocked</text>' % (left - 4, yk + 13))
        o.append('<rect x="%d" y="%d" width="%d" height="%d" class="lanebg"/>' % (left, yu, plot_w, row_h * 2 + 4))
    o.append('<g class="plot" clip-path="url(#%s-clip)">' % sid)
    for i, h in enumerate(an.harts):
        y0 = top + i * lane_h
        yu, yk = y0 + 12, y0 + 12 + row_h + 4
        texts = []
        for s in an.segments[h]:
            if s.end <= t0 or s.start >= t1:
                continue
            xa, xb = x(s.start), x(s.end)
            w = max(xb - xa, 0.6)
            tip = "%s: %s, %s … %s (%s)" % (
                "idle" if s.pid == 0 else "%s (pid %d)" % (s.name, s.pid),
                {"user": "user mode", "kernel": "kernel mode", "idle": "%s idle (%s)" % (an.m.cpu, an.m.idle_insn)}[s.mode],
                fmt_ms(tr, s.start), fmt_ms(tr, s.end), fmt_dur(tr, s.end - s.start))
            if s.mode == "idle":
                o.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" class="idle" data-a="%d" data-b="%d">'
                         '<title>%s</title></rect>' % (xa, yk, w, row_h, s.start, s.end, html.escape(tip)))
                continue
            y = yu if s.mode == "user" else yk
            o.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" class="%s" data-pid="%d" '
                     'data-a="%d" data-b="%d"><title>%s</title></rect>'
                     % (xa, y, w, row_h, fill_of(s.pid), s.mode, s.pid, s.start, s.end, html.escape(tip)))
            label = seg_label(s)
            fits = xb - xa > 6.5 * len(label) + 6
            texts.append('<text x="%.1f" y="%d" class="seg%s" data-a="%d" data-b="%d" data-n="%d">%s</text>' % (
                xa + 3, y + 13, "" if fits else " hide", s.start, s.end, len(label), html.escape(label)))
        # The names go over every rectangle of the lane, so none hides one.
        o.extend(texts)
        if not marks:
            continue
        evs = [e for e in tr.events if e.hart == h and t0 <= e.time <= t1]
        trapped = False  # a timer trap from user mode, whose EV_TIMER follows
        for e in evs:
            xx = x(e.time)
            timer_trap = e.type == "trap" and e.a < 0 and e.a & 0xff == 5
            if timer_trap or (e.type == "timer" and not trapped):
                # The moment the interrupt hit: the trap from user mode, or
                # the handler itself when the hart was in the kernel (idle).
                if timer_trap:
                    tip = "timer interrupt at %s: %s interrupted in user mode at pc 0x%x" % (
                        fmt_ms(tr, e.time), pname(an, e.pid, e.time), e.b)
                else:
                    tip = "timer interrupt at %s, tick %d: %s" % (
                        fmt_ms(tr, e.time), e.b, an.m.cpu + " idle" if e.a == 0 else pname(an, e.a, e.time) + " in the kernel")
                o.append('<path d="M0 %d l-4 -7 h8 z" transform="translate(%.1f,0)" class="tmark" data-t="%d">'
                         '<title>%s</title></path>' % (yu - 1, xx, e.time, html.escape(tip)))
            if e.type in ("trap", "timer", "user", "switch"):
                trapped = timer_trap
            shown = ' class="%s%s"' % ("%s", "" if zoom else " hide")
            if e.type == "syscall":
                s = next((c for c in an.proc(e.pid).syscalls if c.enter is e), None)
                tip = "system call at %s by %s: %s" % (fmt_ms(tr, e.time), pname(an, e.pid, e.time),
                                                       fmt_call(s) if s else e.name)
                if s and s.ret:
                    tip += " (%s in the kernel)" % fmt_dur(tr, (s.user or s.ret).time - e.time)
                o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="smark" data-t="%d"><title>%s</title>'
                         '</line>' % (xx, yu + row_h // 2, xx, yk + row_h // 2, e.time, html.escape(tip)))
                o.append('<text x="%.1f" y="%d"%s data-t="%d" data-dx="2">%s</text>' % (
                    xx + 2, yk + row_h + 11, shown % "slabel", e.time, html.escape(e.name)))
            elif e.type == "switch":
                tip = "swtch at %s: %s → %s%s" % (fmt_ms(tr, e.time), pname(an, e.a, e.time), pname(an, e.b, e.time),
                                                 ": " + WHY[e.c] if 0 < e.c < 5 else "")
                o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="wmark" data-t="%d"><title>%s</title>'
                         '</line>' % (xx, yu - 6, xx, yk + row_h + 2, e.time, html.escape(tip)))
                o.append('<text x="%.1f" y="%d"%s data-t="%d" data-dx="2">swtch%s</text>' % (
                    xx + 2, yu - 2, shown % "wlabel", e.time, ": " + WHY[e.c] if 0 < e.c < 5 else ""))
            elif e.type == "kill":
                tip = "%s killed: %s at 0x%x" % (pname(an, e.a, e.time), SIGNALS.get(e.b, "signal"), e.d & ((1 << 64) - 1))
                # in the kernel's row: the kernel decides, in the trap the fault caused
                o.append('<circle cx="0" cy="%d" r="4" transform="translate(%.1f,0)" class="kmark" data-t="%d">'
                         '<title>%s</title></circle>' % (yk + row_h // 2, xx, e.time, html.escape(tip)))
    if disk:
        o.extend(disk_lane(an, t0, t1, x, top + len(an.harts) * lane_h + 12, row_h))
    o.append('</g></svg></div>')
    return "\n".join(o)


def disk_lane(an, t0, t1, x, yu, row_h):
    """The disk's lane: each request from submission to completion
    (several overlap: read-ahead keeps the queue full), and below them
    each process asleep waiting for one, in its own look."""
    tr = an.tr
    yk = yu + row_h + 4
    o = []
    for r in an.disk_reqs:
        end = r.done.time if r.done else an.end
        if end < t0 or r.req.time > t1:
            continue
        tip = "disk: %s for %s%s, %s … %s" % (
            r.what(), pname(an, r.pid, r.req.time) if r.pid > 0 else "the kernel",
            "" if r.done else " (not completed in the trace)", fmt_ms(tr, r.req.time),
            fmt_ms(tr, end) + " (%s)" % fmt_dur(tr, end - r.req.time) if r.done else "the end")
        if r.done and r.done.b:
            tip += ", failed: status %d" % r.done.b
        o.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" class="dreq" data-a="%d" data-b="%d">'
                 '<title>%s</title></rect>' % (x(r.req.time), yu + 3, max(x(end) - x(r.req.time), 0.6), row_h - 6,
                                               r.req.time, end, html.escape(tip)))
    for pid, sleep_ev, wake, req in an.disk_waits:
        end = wake.time if wake else an.end
        if end < t0 or sleep_ev.time > t1:
            continue
        tip = "%s blocked on the disk (%s), %s … %s (%s)" % (
            pname(an, pid, sleep_ev.time), req.what(), fmt_ms(tr, sleep_ev.time), fmt_ms(tr, end),
            fmt_dur(tr, end - sleep_ev.time))
        o.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" class="dwait" data-pid="%d" '
                 'data-a="%d" data-b="%d"><title>%s</title></rect>'
                 % (x(sleep_ev.time), yk, max(x(end) - x(sleep_ev.time), 0.6), row_h, fill_of(pid), pid,
                    sleep_ev.time, end, html.escape(tip)))
    # The completions, on the hart that took the interrupt (its kernel row).
    for r in an.disk_reqs:
        e = r.done
        if not e or not t0 <= e.time <= t1:
            continue
        i = an.harts.index(e.hart)
        yh = TOP + i * LANE_H + 12 + row_h + 4 + row_h // 2
        woke = [w for w in an.disk_waits if w[3] is r and w[2] is not None]
        tip = "disk interrupt at %s on %s %d: %s done%s" % (
            fmt_ms(tr, e.time), an.m.cpu, e.hart, r.what(),
            ", %s becomes ready" % pname(an, woke[0][0], e.time) if woke else "")
        o.append('<path d="M0 %d l5 5 l-5 5 l-5 -5 z" transform="translate(%.1f,0)" class="dmark" data-t="%d">'
                 '<title>%s</title></path>' % (yh - 5, x(e.time), e.time, html.escape(tip)))
    return o


def mark_swatch(cls, pid=None):
    """A small picture of one mark, with the class the timeline uses."""
    if cls in ("user", "kernel"):
        fill = fill_of(pid) if pid else "#666"  # no process's colour: the key is the row and the shade
        body = '<rect x="1" y="2" width="20" height="12" fill="%s" class="%s"/>' % (fill, cls)
    elif cls == "idle":
        body = '<rect x="1" y="2" width="20" height="12" class="idle"/>'
    elif cls == "tmark":
        body = '<path d="M11 13 l-5 -9 h10 z" class="tmark"/>'
    elif cls == "smark":
        body = '<line x1="11" y1="1" x2="11" y2="15" class="smark"/>'
    elif cls == "wmark":
        body = '<line x1="11" y1="0" x2="11" y2="16" class="wmark"/>'
    elif cls == "kmark":
        body = '<circle cx="11" cy="8" r="4" class="kmark"/>'
    elif cls == "dreq":
        body = '<rect x="1" y="4" width="20" height="8" class="dreq"/>'
    elif cls == "dwait":
        body = '<rect x="1" y="2" width="20" height="12" fill="%s" class="dwait"/>' % (fill_of(pid) if pid else "#666")
    elif cls == "dmark":
        body = '<path d="M11 3 l5 5 l-5 5 l-5 -5 z" class="dmark"/>'
    else:
        raise ValueError(cls)
    return ('<svg xmlns="http://www.w3.org/2000/svg" class="sw" width="22" height="16" viewBox="0 0 22 16">%s'
            '</svg>' % body)


def legend(an):
    items = []
    for pid in sorted(looks(an)):
        if not (an.procs.get(pid) and (an.procs[pid].user or an.procs[pid].kernel)):
            continue
        items.append('<span class="key" data-pid="%d">%s%s</span>' % (pid, mark_swatch("user", pid),
                                                                      html.escape(pname(an, pid))))
    o = ['<div class="legend">', '<div class="keys procs"><b>Processes</b> (the lane names each one when '
         'zoomed in far enough): %s</div>' % "".join(items), '<div class="keys marks"><b>Marks</b>: ']
    for cls, text in marks(an.m):
        o.append('<span class="key" data-mark="%s">%s%s</span>' % (cls, mark_swatch(cls), html.escape(text)))
    o.append('</div><div class="hint">Zoom: the mouse wheel over a timeline, a double click, or the + and − '
             'buttons (keys + − ← → 0 once you clicked it); pan: drag it or ◀ ▶; hover over anything for '
             'details.</div></div>')
    return "\n".join(o)


def md_cell_html(text):
    """The Markdown used in the table cells (bold, code, <br>) as HTML."""
    t = html.escape(text, quote=False).replace("&lt;br&gt;", "<br>").replace("&amp;nbsp;", "&nbsp;")
    t = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", t)
    t = re.sub(r"`(.+?)`", r"<code>\1</code>", t)
    return t


def html_table(rows, head):
    o = ['<table class="proto"><thead><tr><th>Step</th><th>Time</th>%s</tr></thead><tbody>'
         % "".join("<th>%s</th>" % html.escape(h) for h in head)]
    for i, r in enumerate(rows, 1):
        cells = r[1:1 + len(head)]
        o.append("<tr><td class=n>%d</td><td class=t>%s</td>%s</tr>" % (
            i, html.escape(r[0] or ""), "".join('<td class="%s">%s</td>' % (("os", "hw", "prog")[j], md_cell_html(c))
                                              if c else '<td class="empty">—</td>' for j, c in enumerate(cells))))
    o.append("</tbody></table>")
    return "\n".join(o)


# The page's only script: zoom and pan, and a self-test (open the page
# with #selftest: it drives the controls and writes what it measured into
# <pre id="selftest">, which tests/test_render.py reads from Chromium).
SCRIPT = r"""
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var tls = [];
  function num(el, k) { return +el.getAttribute("data-" + k); }
  function niceStep(span, target) {
    var raw = span / target, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var ms = [1, 2, 5, 10];
    for (var i = 0; i < ms.length; i++) if (raw <= ms[i] * mag) return ms[i] * mag;
    return 10 * mag;
  }
  function fmtMs(tb, t) { return (t * 1000 / tb).toFixed(3) + " ms"; }
  function fmtDur(tb, dt) {
    var us = dt * 1e6 / tb;
    return us < 1000 ? us.toFixed(1) + " µs" : (us / 1000).toFixed(3) + " ms";
  }
  function Timeline(div) {
    var t = this;
    t.div = div; t.svg = div.querySelector("svg.timeline");
    t.t0 = num(div, "t0"); t.t1 = num(div, "t1"); t.tb = num(div, "tb");
    t.labels = num(div, "labels"); t.left = num(div, "left"); t.right = num(div, "right");
    if (!(t.t1 > t.t0)) t.t1 = t.t0 + 1;
    t.v0 = t.t0; t.v1 = t.t1;
    var vb = t.svg.getAttribute("viewBox").split(" ");
    t.W = +vb[2]; t.H = +vb[3];
    t.axis = t.svg.querySelector("g.axis");
    t.range = div.querySelector(".range");
    t.spans = []; t.points = []; t.texts = []; t.pointLabels = [];
    t.svg.querySelectorAll("g.plot [data-a]").forEach(function (el) {
      var o = { el: el, a: num(el, "a"), b: num(el, "b"), n: num(el, "n") };
      (el.tagName === "text" ? t.texts : t.spans).push(o);
    });
    t.svg.querySelectorAll("g.plot [data-t]").forEach(function (el) {
      var o = { el: el, t: num(el, "t"), dx: num(el, "dx") || 0 };
      (el.tagName === "text" ? t.pointLabels : t.points).push(o);
    });
    div.querySelectorAll("button[data-z]").forEach(function (b) {
      b.addEventListener("click", function () { t.button(b.getAttribute("data-z")); });
    });
    t.svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var line = e.deltaMode === 1 ? 33 : 1;
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {  // sideways (a touchpad): pan
        var span = t.v1 - t.v0;
        var dt = e.deltaX * line * t.scale() * span / t.plotW();
        t.show(t.v0 + dt, t.v1 + dt);
        return;
      }
      t.zoom(t.timeAt(e.clientX), Math.pow(1.0025, e.deltaY * line));
    }, { passive: false });
    t.svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      t.drag = { x: e.clientX, v0: t.v0, v1: t.v1 };
      try { t.svg.setPointerCapture(e.pointerId); } catch (err) { /* a synthetic pointer */ }
      t.svg.classList.add("dragging");
    });
    t.svg.addEventListener("pointermove", function (e) {
      if (!t.drag) return;
      var dt = (e.clientX - t.drag.x) * t.scale() * (t.drag.v1 - t.drag.v0) / t.plotW();
      t.show(t.drag.v0 - dt, t.drag.v1 - dt);
    });
    function end() { t.drag = null; t.svg.classList.remove("dragging"); }
    t.svg.addEventListener("pointerup", end);
    t.svg.addEventListener("pointercancel", end);
    t.svg.addEventListener("dblclick", function (e) { t.zoom(t.timeAt(e.clientX), 0.5); });
    t.svg.setAttribute("tabindex", "0");
    t.svg.addEventListener("keydown", function (e) {
      var z = { "+": "in", "=": "in", "-": "out", ArrowLeft: "left", ArrowRight: "right", "0": "reset" }[e.key];
      if (z) { e.preventDefault(); t.button(z); }
    });
  }
  Timeline.prototype.plotW = function () { return this.W - this.left - this.right; };
  // SVG units per CSS pixel (1 once fit() has run, more if it could not)
  Timeline.prototype.scale = function () {
    var r = this.svg.getBoundingClientRect();
    return r.width ? this.W / r.width : 1;
  };
  Timeline.prototype.timeAt = function (clientX) {
    var r = this.svg.getBoundingClientRect();
    var x = (clientX - r.left) * this.scale();
    var f = Math.min(Math.max((x - this.left) / this.plotW(), 0), 1);
    return this.v0 + f * (this.v1 - this.v0);
  };
  Timeline.prototype.zoom = function (at, f) {
    var span = Math.min(Math.max((this.v1 - this.v0) * f, 20), this.t1 - this.t0);
    var g = (at - this.v0) / (this.v1 - this.v0);
    this.show(at - g * span, at - g * span + span);
  };
  Timeline.prototype.button = function (z) {
    var span = this.v1 - this.v0, mid = (this.v0 + this.v1) / 2;
    if (z === "in") this.zoom(mid, 0.5);
    else if (z === "out") this.zoom(mid, 2);
    else if (z === "left") this.show(this.v0 - span / 4, this.v1 - span / 4);
    else if (z === "right") this.show(this.v0 + span / 4, this.v1 + span / 4);
    else this.show(this.t0, this.t1);
  };
  Timeline.prototype.show = function (a, b) {
    var span = b - a;
    if (a < this.t0) { a = this.t0; b = a + span; }
    if (b > this.t1) { b = this.t1; a = Math.max(this.t0, b - span); }
    this.v0 = a; this.v1 = b;
    // one layout per frame, however fast the wheel turns
    var t = this;
    if (!t.pending) t.pending = requestAnimationFrame(function () { t.pending = 0; t.layout(); });
  };
  Timeline.prototype.flush = function () {
    if (this.pending) { cancelAnimationFrame(this.pending); this.pending = 0; }
    this.layout();
  };
  // The drawing's width is the window's, in pixels: text keeps its size.
  Timeline.prototype.fit = function () {
    var w = Math.floor(this.div.clientWidth);
    if (w < 200) w = 200;
    this.W = w;
    this.svg.setAttribute("viewBox", "0 0 " + w + " " + this.H);
    this.svg.setAttribute("width", w);
    this.svg.setAttribute("height", this.H);
    this.svg.querySelectorAll(".bg").forEach(function (r) { r.setAttribute("width", w); });
    var pw = this.plotW();
    this.svg.querySelectorAll(".lanebg, .cliprect").forEach(function (r) { r.setAttribute("width", pw); });
    var axname = this.svg.querySelector(".axname");
    if (axname) axname.setAttribute("x", w - this.right);
    this.layout();
  };
  Timeline.prototype.layout = function () {
    var t = this, v0 = t.v0, v1 = t.v1, left = t.left, pw = t.plotW();
    var k = pw / (v1 - v0);
    function X(u) { return left + (u - v0) * k; }
    t.spans.forEach(function (o) {
      var out = o.b < v0 || o.a > v1;
      o.el.style.display = out ? "none" : "";
      if (out) return;
      var xa = Math.max(X(o.a), left - 2), xb = Math.min(X(o.b), left + pw + 2);
      o.el.setAttribute("x", xa.toFixed(2));
      o.el.setAttribute("width", Math.max(xb - xa, 0.6).toFixed(2));
    });
    t.texts.forEach(function (o) {
      var xa = Math.max(X(o.a), left), xb = Math.min(X(o.b), left + pw);
      var fits = xb - xa > 6.5 * o.n + 6;
      o.el.classList.toggle("hide", !fits);
      if (fits) o.el.setAttribute("x", (xa + 3).toFixed(1));
    });
    t.points.forEach(function (o) {
      var out = o.t < v0 || o.t > v1;
      o.el.style.display = out ? "none" : "";
      if (out) return;
      var x = X(o.t).toFixed(1);
      if (o.el.tagName === "line") { o.el.setAttribute("x1", x); o.el.setAttribute("x2", x); }
      else o.el.setAttribute("transform", "translate(" + x + ",0)");
    });
    var named = v1 - v0 <= t.labels * 1.0001, ends = {};
    t.pointLabels.forEach(function (o) {  // in time order: a name shows if it does not run into the last one
      var x = X(o.t) + o.dx, row = o.el.getAttribute("y");
      var show = named && o.t >= v0 && o.t <= v1 && !(x < ends[row]);
      o.el.classList.toggle("hide", !show);
      if (show) { o.el.setAttribute("x", x.toFixed(1)); ends[row] = x + 5.2 * o.el.textContent.length + 3; }
    });
    // the time axis, relabelled for the window shown
    var top = num(t.axis, "top"), base = num(t.axis, "base");
    while (t.axis.firstChild) t.axis.removeChild(t.axis.firstChild);
    var ms0 = v0 * 1000 / t.tb, ms1 = v1 * 1000 / t.tb;
    var step = niceStep(ms1 - ms0, Math.max(2, Math.min(10, Math.floor(pw / 90))));
    var digits = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
    for (var m = Math.ceil(ms0 / step - 1e-9) * step; m <= ms1 + 1e-9; m += step) {
      var x = X(m * t.tb / 1000);
      var ln = document.createElementNS(NS, "line");
      ln.setAttribute("x1", x.toFixed(1)); ln.setAttribute("x2", x.toFixed(1));
      ln.setAttribute("y1", top); ln.setAttribute("y2", base); ln.setAttribute("class", "grid");
      var tx = document.createElementNS(NS, "text");
      tx.setAttribute("x", x.toFixed(1)); tx.setAttribute("y", base + 14);
      tx.setAttribute("class", "ax"); tx.setAttribute("text-anchor", "middle");
      tx.textContent = m.toFixed(digits);
      t.axis.appendChild(ln); t.axis.appendChild(tx);
    }
    if (t.range) t.range.textContent = fmtMs(t.tb, v0) + " … " + fmtMs(t.tb, v1) + " (" + fmtDur(t.tb, v1 - v0) + ")";
  };

  function selftest() {
    var r = { innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, svgs: [] };
    tls.forEach(function (t) {
      var b = t.svg.getBoundingClientRect();
      r.svgs.push({ left: b.left, right: b.right, width: b.width, font: t.svg.querySelector(".lane")
                    .getBoundingClientRect().height });
    });
    var t = tls[0];
    function state() {
      t.flush();
      var labels = [];
      t.axis.querySelectorAll("text").forEach(function (x) { labels.push(x.textContent); });
      var shown = 0, named = 0;
      t.spans.forEach(function (o) { if (o.el.style.display !== "none") shown++; });
      t.texts.forEach(function (o) { if (!o.el.classList.contains("hide")) named++; });
      return { v0: t.v0, v1: t.v1, axis: labels, range: t.range.textContent, rects: shown, named: named };
    }
    var b = t.svg.getBoundingClientRect();
    var cx = b.left + b.width * 0.5, cy = b.top + b.height * 0.5;
    r.initial = state();
    t.svg.dispatchEvent(new WheelEvent("wheel", { deltaY: -600, clientX: cx, clientY: cy, bubbles: true,
                                                  cancelable: true }));
    r.wheel = state();
    t.div.querySelector('button[data-z="in"]').click();
    r.button = state();
    var opts = { clientX: cx, clientY: cy, bubbles: true, button: 0, pointerId: 1, isPrimary: true };
    t.svg.dispatchEvent(new PointerEvent("pointerdown", opts));
    opts.clientX = cx - b.width * 0.25;
    t.svg.dispatchEvent(new PointerEvent("pointermove", opts));
    t.svg.dispatchEvent(new PointerEvent("pointerup", opts));
    r.drag = state();
    for (var i = 0; i < 12; i++) t.div.querySelector('button[data-z="in"]').click();
    r.deep = state();
    t.svg.dispatchEvent(new KeyboardEvent("keydown", { key: "-", bubbles: true, cancelable: true }));
    r.key = state();
    t.div.querySelector('button[data-z="reset"]').click();
    r.reset = state();
    var out = document.getElementById("selftest");
    out.textContent = JSON.stringify(r);
    out.hidden = false;
  }
  function start() {
    document.querySelectorAll("div.tl").forEach(function (d) { tls.push(new Timeline(d)); });
    tls.forEach(function (t) { t.fit(); });
    var pending = 0;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = requestAnimationFrame(function () { pending = 0; tls.forEach(function (t) { t.fit(); }); });
    });
    document.documentElement.classList.add("js");
    // #tl-run=54.2-54.9: open a timeline at that window (ms since boot)
    var m = /^#([a-z-]+)=([0-9.]+)-([0-9.]+)$/.exec(location.hash);
    tls.forEach(function (t) {
      if (m && t.div.id === m[1]) { t.show(+m[2] * t.tb / 1000, +m[3] * t.tb / 1000); t.flush(); }
    });
    if (location.hash === "#selftest") selftest();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
"""

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #222;
       max-width: 1160px; }
@media (max-width: 700px) { body { margin: 8px; } }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; font-size: 90%; overflow-wrap: anywhere; }
.meta { color: #555; } .meta code { overflow-wrap: anywhere; }
.wide { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
table.proto td.os { background: #eef4fb; } table.proto td.hw { background: #fbf3e6; }
table.proto td.prog { background: #eef8ee; } table.proto td.empty { color: #bbb; text-align: center; }
table.proto td.t, table.proto td.n { white-space: nowrap; color: #555; }
svg.defs { position: absolute; width: 0; height: 0; }
div.tl { margin: 6px 0 14px 0; max-width: 100%; }
svg.timeline { display: block; max-width: 100%; height: auto; touch-action: none; cursor: grab;
               user-select: none; }
svg.timeline.dragging { cursor: grabbing; }
.tlbar { display: none; gap: 4px; align-items: center; font-size: 12px; margin-bottom: 2px; flex-wrap: wrap; }
.js .tlbar { display: flex; }
.tlbar button { font-size: 13px; min-width: 28px; padding: 1px 6px; }
.tlbar .range { color: #555; margin-left: 6px; }
svg text { font-family: system-ui, sans-serif; }
svg .ax { font-size: 10px; fill: #666; } svg .grid { stroke: #e6e6e6; }
svg .lane { font-size: 13px; font-weight: 600; fill: #333; } svg .sub { font-size: 10px; fill: #777; }
svg .lanebg { fill: #fafafa; stroke: #e3e3e3; }
svg .kernel { fill-opacity: 0.45; stroke: #333; stroke-width: 0.6; }
svg .idle { fill: #d9d9d9; }
svg .seg { font-size: 10px; fill: #000; pointer-events: none; paint-order: stroke; stroke: #fff;
           stroke-width: 3px; stroke-linejoin: round; }
svg .hide { display: none; }
svg .tmark { fill: #d62728; } svg .smark { stroke: #1f3fbf; stroke-width: 1; }
svg .wmark { stroke: #000; stroke-width: 1.5; } svg .kmark { fill: #000; stroke: #fff; stroke-width: 1; }
svg .dreq { fill: #8c6d31; fill-opacity: 0.35; stroke: #8c6d31; stroke-width: 0.6; }
svg .dwait { fill-opacity: 0.6; stroke: #8c6d31; stroke-width: 1; stroke-dasharray: 3 2; }
svg .dmark { fill: #8c6d31; stroke: #fff; stroke-width: 1; }
svg .slabel { font-size: 9px; fill: #1f3fbf; } svg .wlabel { font-size: 9px; fill: #000; }
svg.timeline .plot rect:hover, svg.timeline .plot path:hover, svg.timeline .plot line:hover {
    stroke: #000; stroke-width: 2; }
.legend { font-size: 12px; margin: 4px 0 10px 0; }
.keys { margin: 3px 0; }
.key { margin-right: 14px; display: inline-block; max-width: 100%; }
.key svg.sw { vertical-align: -3px; margin-right: 4px; }
.hint { color: #666; margin-top: 3px; }
.tltitle { font-size: 13px; font-weight: 600; color: #333; margin: 2px 0 0 0; padding-left: 8px; }
#selftest { font-size: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
details pre { font-size: 11px; max-height: 400px; overflow: auto; background: #f8f8f8; padding: 6px; }
"""


def window(an, t_a, t_b, min_us=200, factor=4):
    """A window around [t_a, t_b] wide enough to see it in context."""
    tr = an.tr
    width = max(t_b - t_a, 1)
    span = max(width * factor, min_us * tr.timebase // 1000000)
    mid = (t_a + t_b) // 2
    return max(an.start, mid - span // 2), min(an.end, mid + span // 2)


def boot_args_html(tr):
    """What the user asked for, and apart from it what the tool added."""
    meta = tr.meta
    if "added" not in meta:  # a trace from before tools/trace.py said which was which
        return ["boot arguments: <code>%s</code>" % html.escape(meta["args"])] if meta.get("args") else []
    asked = meta.get("args", "").strip()
    out = ["boot arguments you gave: %s" % ("<code>%s</code>" % html.escape(asked) if asked else "none")]
    if meta["added"].strip():
        out.append("added by tools/trace.py: <code>%s</code>" % html.escape(meta["added"].strip()))
    return out


def boot_args_md(tr):
    meta, cpus = tr.meta, tr.meta.get("cpus")
    harts = ", %s %s(s)" % (cpus, machine_of(tr).cpu) if cpus else ""
    if "added" not in meta:
        return ["Boot arguments: `%s`%s  " % (meta["args"], harts)] if meta.get("args") else []
    asked = meta.get("args", "").strip()
    line = "Boot arguments you gave: %s" % ("`%s`" % asked if asked else "none")
    if meta["added"].strip():
        line += "; added by tools/trace.py: `%s`" % meta["added"].strip()
    return [line + harts + "  "]


def unknown_note(tr):
    if not tr.unknown:
        return ""
    lines = ", ".join(str(n) for n, _ in tr.unknown[:10]) + (", …" if len(tr.unknown) > 10 else "")
    return "%d event line%s of an unknown type ignored (line%s %s)" % (
        len(tr.unknown), "" if len(tr.unknown) == 1 else "s", "" if len(tr.unknown) == 1 else "s", lines)


def render_html(an, title, files):
    tr = an.tr
    o = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         '<!-- Generated by tools/render_trace.py: self-contained, no network resources -->',
         '<title>%s</title><style>%s</style></head><body>' % (html.escape(title), CSS),
         svg_defs(an), '<h1>%s</h1>' % html.escape(title)]
    meta = []
    if tr.meta.get("cmd"):
        meta.append("Commands: <code>%s</code>" % html.escape(tr.meta["cmd"]))
    meta += boot_args_html(tr)
    if tr.meta.get("disk"):
        meta.append("disk (/dev/vda): <code>%s</code>" % html.escape(tr.meta["disk"]))
    meta.append("%d events over %s" % (len(tr.events), fmt_dur(tr, an.end - an.start)))
    if tr.dropped or tr.missing > 0:
        meta.append("<b>%d events lost</b>" % (tr.dropped + max(tr.missing, 0)))
    if tr.unknown:
        meta.append('<b class="unknown">%s</b>' % html.escape(unknown_note(tr)))
    o.append('<p class="meta">%s.</p>' % "; ".join(meta))
    # The seeds' order: what the kernel sets up at boot, then the run.
    if an.boot:
        o.append("<h2>At boot</h2>")
        o.append('<div class="wide">%s</div>' % html_table(boot_rows(an), HEAD3[:2]))
    o.append("<h2>The whole run</h2>")
    o.append(legend(an))
    o.append(svg_timeline(an, an.start, an.end, "Every %s, from boot to the end of the trace" % an.m.cpu, sid="tl-run"))
    st, story = an.stories()
    if story and story["call"]:
        c = story["call"]
        end = (c.user or c.ret).time
        a, b = window(an, c.enter.time, end)
        o.append("<h2>A system call: %s by %s</h2>" % (html.escape(c.name), html.escape(pname(an, c.enter.pid))))
        o.append(svg_timeline(an, a, b, "%s: trap, dispatch, return-from-trap (%s in the kernel)"
                              % (fmt_call(c), fmt_dur(tr, end - c.enter.time)), zoom=True, sid="tl-call"))
        o.append('<div class="wide">%s</div>' % html_table(syscall_rows(an, story), HEAD3))
    if st:
        sw = st["switch"]
        t_a = st["trap"].time if st["trap"] else sw.time
        t_b = st["back"].time if st["back"] else sw.time
        a, b = window(an, t_a, t_b, min_us=400, factor=6)
        o.append("<h2>A timer interrupt: switch from %s to %s</h2>" % (
            html.escape(pname(an, st["a"], sw.time)), html.escape(pname(an, st["b"], sw.time))))
        o.append(svg_timeline(an, a, b, "Timer interrupt on %s %d: A = %s loses the CPU to B = %s" % (
            an.m.cpu, sw.hart, pname(an, st["a"], sw.time), pname(an, st["b"], sw.time)), zoom=True, sid="tl-timer"))
        o.append('<div class="wide">%s</div>' % html_table(timer_rows(an, st), HEAD3))
    ds = an.disk_story()
    if ds:
        t_a, t_b = ds["call"].enter.time, (ds["call"].user or ds["call"].ret).time
        a, b = window(an, t_a, t_b, min_us=400, factor=1.6)
        o.append("<h2>%s</h2>" % html.escape(disk_title(an, ds)[0].upper() + disk_title(an, ds)[1:]))
        o.append(svg_timeline(an, a, b, "Slow I/O: %s" % disk_title(an, ds), zoom=True, sid="tl-disk"))
        o.append('<div class="wide">%s</div>' % html_table(disk_rows(an, ds), HEAD3))
    o.append('<h2>Processes</h2><div class="wide"><table><thead><tr>%s</tr></thead><tbody>' % "".join(
        "<th>%s</th>" % h for h in SUMMARY_HEAD))
    for r in summary_rows(an):
        # the process's look beside its pid, as in the timeline
        o.append("<tr><td>%s%s</td>%s</tr>" % (mark_swatch("user", int(r[0])), html.escape(r[0]),
                                              "".join("<td>%s</td>" % html.escape(c) for c in r[1:])))
    o.append("</tbody></table></div>")
    o.append("<details><summary>All %d events (tracedump lines)</summary><pre>%s</pre></details>" % (
        len(tr.events), html.escape("\n".join(repr(e) for e in tr.events[:20000]))))
    o.append('<pre id="selftest" hidden></pre>')
    o.append("<script>%s</script>" % SCRIPT)
    o.append("</body></html>")
    return "\n".join(o)


def find_chromium():
    for c in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(c)
        if path:
            return path
    return None


def screenshot(page, png, size=(1200, 2400), timeout=120):
    """Load page in headless Chromium and save a PNG of it: (ok, why not)."""
    exe = find_chromium()
    if not exe:
        return False, "Chromium is not installed (Debian package chromium; sh tools/deps.sh --chromium)"
    if os.path.exists(png):
        os.remove(png)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--screenshot=%s" % os.path.abspath(png), "--window-size=%d,%d" % size,
           "file://" + os.path.abspath(page)]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "Chromium took more than %ds" % timeout
    if not os.path.exists(png):
        return False, "Chromium wrote no picture: %s" % r.stdout.decode(errors="replace")[-500:]
    return True, ""


def render(trace_path, outdir=None, name=None, title=None):
    tr = load(trace_path)
    an = Analysis(tr)
    outdir = outdir or os.path.dirname(os.path.abspath(trace_path))
    name = name or os.path.splitext(os.path.basename(trace_path))[0]
    os.makedirs(outdir, exist_ok=True)
    title = title or "Limited direct execution in Trapdoor" + (": %s" % tr.meta["cmd"] if tr.meta.get("cmd") else "")
    files = {"trace": os.path.basename(trace_path), "html": name + ".html"}
    if os.path.exists(os.path.join(outdir, name + ".png")):
        files["png"] = name + ".png"
    md_path = os.path.join(outdir, name + ".md")
    html_path = os.path.join(outdir, name + ".html")
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(render_md(an, title, files))
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(render_html(an, title, files))
    return tr, an, md_path, html_path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--out", help="directory for NAME.md and NAME.html (default: next to the trace)")
    ap.add_argument("--name", help="base name of the outputs (default: the trace's)")
    ap.add_argument("--title")
    ap.add_argument("--png", action="store_true", help="also NAME.png, a picture of the page (Chromium)")
    a = ap.parse_args()
    try:
        tr, an, md, page = render(a.trace, a.out, a.name, a.title)
        if a.png:
            ok, why = screenshot(page, os.path.splitext(page)[0] + ".png")
            if not ok:
                print("render_trace: no picture: %s" % why, file=sys.stderr)
                return 1
            render(a.trace, a.out, a.name, a.title)  # the Markdown now links the picture
    except (OSError, TraceError) as e:
        print("render_trace: %s" % e, file=sys.stderr)
        return 1
    for w in warnings(tr, a.trace):
        print("render_trace: warning: %s" % w, file=sys.stderr)
    print("render_trace: %d events, %d hart(s) -> %s, %s" % (len(tr.events), len(an.harts), md, page))
    return 0


if __name__ == "__main__":
    sys.exit(main())
