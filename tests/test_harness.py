"""The harness itself: a guest program's results must add up to its TAP
plan, so that `make test` counts the same tests on every run."""
import os
import re

import harness
from harness import host_test


def names(results):
    return [(n, ok) for n, ok, _ in results]


@host_test()
def harness_holds_programs_to_their_plan():
    good = "1..2\nok - a\nnot ok - b\nexit=1\n"
    assert names(harness.guest_results("t", good)) == [("t: a", True), ("t: b", False), ("t: exit status", False)]
    # one result fewer than planned (another path through the test, or a
    # crash half-way): a failure of its own, named after the plan
    short = harness.guest_results("t", "1..3\nok - a\nok - b\nexit=0\n")
    assert ("t: plan", False) in names(short), short
    assert [d for n, _, d in short if n == "t: plan"] == ["planned 3 results, printed 2"], short
    assert ("t: plan", False) in names(harness.guest_results("t", "1..1\nok - a\nok - b\nexit=0\n"))
    # a child that printed the plan again from a copied stdio buffer
    assert ("t: plan", False) in names(harness.guest_results("t", "1..1\n1..1\nok - a\nexit=0\n"))
    # without a plan, results count as they come (programs not of ours)
    assert names(harness.guest_results("t", "ok - a\nexit=0\n")) == [("t: a", True)]


@host_test()
def harness_every_test_program_declares_a_plan():
    """Each in-guest test (user/tests/*.c printing checks) calls plan(N)
    once before its checks, so the harness can hold it to N."""
    tdir = os.path.join(harness.ROOT, "user/tests")
    missing = []
    for n in sorted(os.listdir(tdir)):
        if not n.endswith(".c"):
            continue
        src = open(os.path.join(tdir, n)).read()
        if re.search(r"\bcheck\(", src) and not re.search(r"\bplan\([^;]+\);", src):
            missing.append(n)
    assert not missing, "no plan(N) in: %s" % ", ".join(missing)
