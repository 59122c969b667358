"""Boot cost: the instructions from the trap table to the timer, where
the page allocator and the initramfs's unpacking run (docs/design.md)."""
import os
import sys

import harness
from harness import RAM_ROOT, test

sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
import render_trace  # noqa: E402


# Under -icount shift=0 guest time is instructions: 1 ns each.  The
# kernel's own boot stages are in the recording (trace_boot), and
# between the trap table (stage 1) and the timer (stage 2) run the
# devices, the buffer cache and mount_root, which unpacks the initramfs
# (17 MB on RISC-V, 6.4 MB on x86-64).  Its file data was only 4-byte
# aligned in the archive, and memcpy copied it byte by byte: 55.6 M
# instructions on RISC-V, 31.1 M on x86-64.  Now tools/mkinitrd.py
# page-aligns it and the kernel takes the pages in place: 1.5 M and
# 10.6 M (10 M of those on x86-64 are the LAPIC timer's calibration,
# 10 ms of TSC, under TCG, whose CPU has no TSC-deadline mode).
@test(args="trace=record", icount=0, setup=RAM_ROOT, timeout=120)
def boot_unpacks_the_initramfs_in_few_instructions(g):
    out = g.run("tracedump -s", timeout=60)
    tr = render_trace.Trace(out)
    boot = {e.a: e for e in tr.events if e.type == "boot"}
    assert 1 in boot and 2 in boot, out[-500:]
    hz = boot[1].d  # the event's timebase: the clock's ticks per second
    ns = (boot[2].time - boot[1].time) * 10**9 // hz
    assert 0 < ns < 20000000, "%d instructions from the trap table to the timer" % ns
