"""test_params.py: boot arguments are checked (kernel/params.c): a misspelt
name or a value the name does not take is ignored with a console warning
that names it and what is valid; valid arguments boot without a warning."""
import os
import re

import harness
from harness import test


def boot_console(g):
    """The console from the kernel's banner to the first prompt."""
    out = g.out
    return out[out.find("Trapdoor:"):out.find("\n$ ")]


def warnings(g):
    return [l for l in boot_console(g).splitlines() if l.startswith("boot:")]


def timer_line(g):
    m = re.search(r"^timer: every (\d+) us, slice (\d+) tick\(s\), (\w+) scheduling", boot_console(g), re.M)
    assert m, boot_console(g)
    return int(m.group(1)), int(m.group(2)), m.group(3)


BAD = [
    # (argument, what the warning must say besides the argument itself)
    ("tikc=1s", ["unknown argument", "did you mean tick=?", "valid: tick= slice= sched= trace= tracepid= init="]),
    ("sched=cooperative", ["sched= takes coop or preempt"]),
    ("trace=timr", ["trace= takes", "syscall,timer,trap,switch,proc,record,all"]),
    ("slice=two", ["slice= takes a number"]),
    ("tick=5x", ["tick= takes a period"]),
    ("verbose", ["unknown argument", "valid: tick="]),
]


def bad_arg_test(arg, says):
    name = "bootarg_warns_" + re.sub(r"\W", "_", arg)

    @test(args=arg, name=name)
    def fn(g):
        w = warnings(g)
        assert len(w) == 1, "expected one warning for %r, got %r" % (arg, w)
        assert "'%s'" % arg in w[0] and "ignored" in w[0], w[0]
        for s in says:
            assert s in w[0], "warning for %r does not say %r: %s" % (arg, s, w[0])
        # ignored means ignored: the defaults are still in force
        assert timer_line(g) == (10000, 1, "preemptive"), timer_line(g)
        assert "clockintr:" not in g.out and "syscall:" not in g.out
    return fn


for arg, says in BAD:
    bad_arg_test(arg, says)


@test(args="tikc=1s trace=syscall,timr sched=coop")
def bootarg_warns_each_and_keeps_the_good_ones(g):
    w = warnings(g)
    assert len(w) == 2 and "'tikc=1s'" in w[0] and "'trace=syscall,timr'" in w[1], w
    assert timer_line(g) == (10000, 1, "cooperative"), timer_line(g)


@test(args="tick=20ms slice=2 sched=coop trace=syscall,record tracepid=1 init=/bin/init quiet=0")
def bootarg_valid_ones_give_no_warning(g):
    assert warnings(g) == [], warnings(g)
    assert timer_line(g) == (20000, 2, "cooperative"), timer_line(g)
    assert g.run("trace") .startswith("trace: syscall record"), g.run("trace")


@test(args="tick=500us sched=preempt trace=all tracepid=1")
def bootarg_valid_ones_give_no_warning_2(g):
    assert warnings(g) == [], warnings(g)
    assert timer_line(g) == (500, 1, "preemptive"), timer_line(g)


def doc_warnings():
    """The boot: warning lines README.md and docs/tour.md show, as
    {(doc, argument): line}."""
    lines = {}
    for doc in ("README.md", "docs/tour.md"):
        for l in open(os.path.join(harness.ROOT, doc)).read().splitlines():
            m = re.match(r"^\s*(boot: .*'([^']+)' ignored.*)$", l)
            if m:
                lines[(doc, m.group(2))] = m.group(1)
    return lines


@test(args="tikc=1s trace=timr sched=cooperative")
def bootarg_warnings_read_as_the_docs_show(g):
    """The warnings quoted in README.md and docs/tour.md are the ones a boot
    prints, word for word (the list of valid names grows with params.c)."""
    docs = doc_warnings()
    assert len(docs) >= 3, docs
    got = {re.search(r"'([^']+)'", w).group(1): w for w in warnings(g)}
    for (doc, arg), line in docs.items():
        assert arg in got, "%s quotes a warning for %r the test did not boot with" % (doc, arg)
        assert got[arg] == line, "%s shows\n  %s\na boot prints\n  %s" % (doc, line, got[arg])
