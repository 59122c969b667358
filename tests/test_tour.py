"""Tour: the console samples in docs/tour.md are what a real run prints
(tools/tour_samples.py wrote them; run it again when one goes stale)."""
import os
import sys

import harness
from harness import host_test, test

sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
import tour_samples  # noqa: E402

SAMPLES = tour_samples.samples(open(tour_samples.TOUR).read())


@host_test()
def trace_tour_has_real_samples():
    """The samples of trace trap and trace syscall are whole: the shell's
    own calls around the program's, not two lines picked out."""
    by = {" | ".join(c): text for c, text, _ in SAMPLES}
    for cmds in ("trace trap | hello | trace off", "trace syscall | hello | trace off"):
        assert cmds in by, (cmds, list(by))
        lines = by[cmds].splitlines()
        assert len(lines) >= 12, (cmds, lines)
        assert any("(sh)" in l for l in lines) and any("(hello)" in l for l in lines), lines


def sample_test(cmds, old):
    def fn(g):
        new = tour_samples.transcript(g, cmds)
        assert tour_samples.same(old, new), (
            "docs/tour.md's sample of %r is out of date (python3 tools/tour_samples.py rewrites it); "
            "a run prints:\n%s" % (" | ".join(cmds), new))
    return fn


for i, (cmds, old, _) in enumerate(SAMPLES):
    name = "trace_tour_sample_%d_%s" % (i + 1, "_".join(cmds[0].split()[:2]))
    # the tour's samples are RISC-V's console (its addresses, its calls)
    test(timeout=90, args=tour_samples.ARGS, name=name, arch="riscv")(sample_test(cmds, old))
