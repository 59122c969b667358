"""System-call fuzzing (issue "Trapdoor core"): 20000 seeded random calls
with hostile arguments; the kernel must not panic or hang, and must still
work afterwards.  On 1 hart, and on 4 with 4 workers at once.
"""
from harness import test, guest_test

guest_test("/test/fuzz run 20000 1", cpus=1, timeout=300, name="fuzz_seed1")
guest_test("/test/fuzz run 20000 2 4", cpus=4, timeout=300, name="fuzz_seed2@4cpu")
guest_test("/test/fuzz run 20000 3 2", cpus=2, timeout=300, name="fuzz_seed3@2cpu")


@test(cpus=4, timeout=400)
def fuzz_then_proctest(g):
    """After fuzzing, the process calls still all behave."""
    out = g.run("/test/fuzz run 10000 4 4; echo exit=$?", timeout=300)
    assert "ok - survived" in out and "exit=0" in out, out[-3000:]
    assert "panic" not in out, out[-3000:]
    out = g.run("/test/proctest; echo exit=$?", timeout=120)
    assert "not ok" not in out and "exit=0" in out, out[-3000:]
