"""Scheduling and scale (issue "Trapdoor core"): a thousand processes in
128 MiB, preemption by the timer, and sched=coop, where only yield() and
blocking give the CPU away.
"""
import re
import time
from harness import test, guest_test
from guest import GuestError

# 1000 children blocked on a pipe at once; then fork until memory runs out.
guest_test("/test/manyproc 1000", cpus=1, timeout=120)
guest_test("/test/manyproc 1000", cpus=4, timeout=120)
guest_test("/test/manyproc untilfail", cpus=1, timeout=180, name="manyproc_untilfail")
guest_test("/test/manyproc untilfail", cpus=4, timeout=180, name="manyproc_untilfail@4cpu")

PINFO = re.compile(r"spin pid=(\d+) ppid=\d+ state=(\w+) ticks=(\d+) vsw=(\d+) isw=(\d+)")


def spin_rows(g):
    return [tuple(int(x) if x.isdigit() else x for x in m.groups()) for m in PINFO.finditer(g.run("/test/pinfo spin"))]


def spinners(g, n, timeout=30.0):
    """Wait until n spin processes have exec'd (pinfo finds them by name)
    and return their rows.  `spin &` returns at the fork, before the exec,
    so a fixed sleep on a loaded host may find fewer."""
    deadline = time.time() + timeout
    while True:
        rows = spin_rows(g)
        if len(rows) >= n or time.time() > deadline:
            return rows
        time.sleep(0.2)


def grown(g, before, ticks, isw, timeout=30.0):
    """Poll spin_rows until every spinner has at least `ticks` more timer
    ticks and `isw` more involuntary switches than in `before`.  The guest's
    timer runs on host time, so on a loaded host a fixed sleep may see fewer
    ticks; waiting for the condition (with a hard deadline) does not."""
    deadline = time.time() + timeout
    while True:
        rows = spin_rows(g)
        ok = len(rows) == len(before) and all(
            p == p2 and t1 >= t0 + ticks and i1 >= i0 + isw
            for (p, _, t0, _, i0), (p2, _, t1, _, i1) in zip(before, rows))
        if ok or time.time() > deadline:
            return rows
        time.sleep(0.2)


def answers_promptly(g, within=3.0):
    t0 = time.time()
    out = g.run("echo hi", timeout=within)
    assert out == "hi\n", out
    return time.time() - t0


@test(cpus=1)
def preemption_spin_does_not_starve_the_shell(g):
    out = g.run("spin &")
    assert re.match(r"\[\d+\]", out), out
    spinners(g, 1)
    for _ in range(5):
        answers_promptly(g)
    a = spin_rows(g)
    # Each command wakes the shell; spin then loses the CPU at the end of
    # its slice.  (With nothing else ready the timer lets it go on.)
    for _ in range(10):
        answers_promptly(g)
    b = grown(g, a, 21, 10)
    assert len(a) == 1 and len(b) == 1, (a, b)
    (pid, _, ticks_a, vsw_a, isw_a), (pid2, _, ticks_b, vsw_b, isw_b) = a[0], b[0]
    assert pid == pid2
    # spin makes no system calls: every switch away is the timer's doing
    assert vsw_a == vsw_b == 0, (a, b)
    assert isw_b >= isw_a + 10, "involuntary switches did not grow: %s -> %s" % (a, b)
    assert ticks_b > ticks_a + 20, "spin was not charged timer ticks: %s -> %s" % (a, b)


@test(cpus=1)
def preemption_two_spinners_take_turns(g):
    g.run("spin &")
    g.run("spin &")
    a = spinners(g, 2)
    b = grown(g, a, 20, 20)
    assert len(a) == 2 and len(b) == 2, (a, b)
    for (pid, _, t0, _, i0), (pid2, _, t1, _, i1) in zip(a, b):
        # one tick slices: in a second each is preempted dozens of times
        assert pid == pid2 and i1 >= i0 + 20 and t1 >= t0 + 20, (a, b)
    answers_promptly(g)


@test(cpus=4, timeout=240)  # proctest among six spinners: minutes on a loaded host under TCG
def preemption_four_spinners_on_four_harts(g):
    for _ in range(6):
        g.run("spin &")
    spinners(g, 6)
    for _ in range(5):
        answers_promptly(g)
    rows = spin_rows(g)
    assert len(rows) == 6, rows
    later = grown(g, rows, 1, 1)
    # six spinners on four harts: each one gets time and gets preempted
    for (pid, _, t0, _, i0), (pid2, _, t1, _, i1) in zip(rows, later):
        assert pid == pid2 and t1 > t0 and i1 > i0, (rows, later)
    out = g.run("/test/proctest", timeout=120)
    assert "not ok" not in out and out.count("ok - ") > 100, out[-2000:]


def yield_sequence(g, args):
    out = g.run("/test/yieldpair %s" % args, timeout=60)
    m = re.search(r"seq=([AB]+)", out)
    assert m, out
    return m.group(1)


def longest_run(s):
    return max(len(m.group(0)) for m in re.finditer(r"A+|B+", s))


@test(cpus=1, args="sched=coop")
def coop_yielders_share_the_cpu(g):
    assert "cooperative scheduling" in g.out
    s = yield_sequence(g, "100")
    assert len(s) == 200 and longest_run(s) <= 2, s
    # without yield, the first runs to the end before the second starts
    s = yield_sequence(g, "50 busy")
    assert s == "A" * 50 + "B" * 50 or s == "B" * 50 + "A" * 50, s


@test(cpus=1)
def preemptive_busy_loops_interleave(g):
    s = yield_sequence(g, "100")
    assert longest_run(s) <= 4, s
    # the timer interleaves two busy loops that never give the CPU away
    s = yield_sequence(g, "400 busy")
    assert s.find("B") < s.rfind("A") and s.find("A") < s.rfind("B"), s


@test(cpus=1, args="sched=coop", timeout=60)
def coop_spin_takes_over(g):
    assert "cooperative scheduling" in g.out
    assert g.run("echo before") == "before\n"
    g.send("spin &\n")
    g.expect(r"\[\d+\]", 5)
    time.sleep(0.5)
    g.send("echo hi\n")
    try:
        g.expect(r"\nhi\n", 4)
        raise AssertionError("the shell answered: spin did not take over")
    except GuestError:
        pass
    # The kernel itself still gets every timer interrupt and key press:
    # Ctrl-P prints the process table from inside it, spin running.
    g.send("\x10")
    g.expect(r"\d+\s+\d+\s+\d+\s+running\s+spin", 5)
    g.close()  # nothing else will ever run: stop QEMU


def ctrl_c_stops_spin(g):
    g.send("spin\n")
    time.sleep(0.5)
    g.send("\x03")
    g.expect(r"\^C", 5)
    g.expect(r"\$ ", 5)
    assert g.run("echo st=$?") == "st=130\n"  # 128 + SIGINT
    answers_promptly(g)


# The key press interrupts spin in user mode; the kernel marks it killed
# and it dies on its way back, even when the scheduler never preempts.
test(name="ctrl_c_stops_foreground_spin", cpus=1)(ctrl_c_stops_spin)
test(name="ctrl_c_stops_foreground_spin_coop", cpus=1, args="sched=coop")(ctrl_c_stops_spin)
test(name="ctrl_c_stops_foreground_spin@4cpu", cpus=4)(ctrl_c_stops_spin)


# --- which hart: ps's and Ctrl-P's HART column ---------------------------------

PS_ROW = re.compile(r"^ +(\d+) +\d+ +\d+ (\w+) +(\S+) +\d+ +\d+ +\d+ +\d+ +(\d+|-)(?: \S.*)?$", re.M)
DUMP_ROW = re.compile(r"^(\d+) +\d+ +\d+ +(\w+) +(\S+) +\d+ +\d+ +\d+ +\d+ +(\d+|-)  ", re.M)


def check_harts(rows, cpus, what):
    """rows: [(pid, state, name, hart)].  Every process here has run, so
    each shows a hart (the one it runs on, or last ran on) in range."""
    assert rows, what
    for pid, state, name, hart in rows:
        assert hart != "-" and 0 <= int(hart) < cpus, (pid, state, name, hart, what)
    return {r[2]: r for r in rows}


def hart_column(g, cpus):
    # one spinner per hart and one more: some run, one waits its turn
    for _ in range(cpus + 1):
        g.run("spin &")
    spinners(g, cpus + 1)
    out = g.run("ps")
    assert out.splitlines()[0].endswith(" INVSW HART WAIT"), out
    rows = PS_ROW.findall(out)
    assert len(rows) == len(out.splitlines()) - 1, out
    by = check_harts(rows, cpus, out)
    # procinfo copies the table under schedlock: one moment, in which the
    # processes running are on different harts, ps among them
    running = [int(r[3]) for r in rows if r[1] == "running"]
    assert len(running) == len(set(running)) and len(running) <= cpus, out
    assert by["ps"][1] == "running", out
    assert len([r for r in rows if r[2] == "spin"]) == cpus + 1, out
    if cpus == 1:
        assert {r[3] for r in rows} == {"0"}, out
    else:
        # spinners on every hart, or all but the one ps is on
        assert len({r[3] for r in rows if r[1] == "running"}) >= cpus - 1, out
    # Ctrl-P, from the kernel: the same column.  It takes no lock (it
    # must work in a panic), so the picture may be torn by switches while
    # it prints: only the range is certain.
    g.send("\x10")
    m = g.expect(r"PID +PPID +UID +STATE +NAME +TICKS +SYSCALLS +VOLSW +INVSW +HART +WAIT\n((?:.*\n){%d})"
                 % (cpus + 3), 10)
    rows = DUMP_ROW.findall(m.group(1))
    assert len(rows) == cpus + 3, m.group(1)
    check_harts(rows, cpus, m.group(1))


test(name="hart_column_ps_ctrl_p", cpus=1, timeout=60)(lambda g: hart_column(g, 1))
test(name="hart_column_ps_ctrl_p@4cpu", cpus=4, timeout=60)(lambda g: hart_column(g, 4))
