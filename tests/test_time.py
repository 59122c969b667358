"""The time of day (issue 11's clock): the Goldfish RTC read at boot,
clock_gettime/clock_settime, picolibc's time calls, `date`.

QEMU's RTC starts at the host's time in UTC unless told otherwise
(-rtc base=...), so the guest can be checked against the host's clock and
against a date of our choosing."""
import os
import re
import subprocess
import time

import harness
from harness import guest_test, test

guest_test("/test/timetest")
guest_test("/test/timetest", cpus=4)

BASE = ["-rtc", "base=2001-02-03T04:05:06"]
# the clock the boot line names: virt's Goldfish RTC, the PC's CMOS clock
RTC = harness.per_arch(riscv="goldfish", x86_64="cmos")


@test(timeout=60)
def time_of_day_is_the_hosts(g):
    """`date +%s` in the guest is the host's time within a few seconds
    (the time QEMU takes to start and the shell to answer, on a loaded
    host, is what the margin is for)."""
    before = time.time()
    out = g.run("date +%s")
    after = time.time()
    guest = int(out.strip())
    assert before - 5 <= guest <= after + 5, (before, guest, after)
    m = re.search(r"^rtc: %s at 0x[0-9a-f]+: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$" % RTC, g.out, re.M)
    assert m, g.tail()
    booted = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) - time.timezone
    assert abs(booted - before) < 60, (m.group(1), before)


@test(timeout=60, setup=lambda: {"extra": BASE})
def date_from_a_chosen_rtc_base(g):
    """With -rtc base=2001-02-03T04:05:06 the boot line and `date` say
    that date (a few seconds later at most)."""
    assert "rtc: %s at " % RTC in g.out and ": 2001-02-03 04:05:" in g.out, g.tail()
    out = g.run("date")
    assert re.fullmatch(r"Sat Feb  3 04:05:(0[6-9]|[1-5]\d) UTC 2001\n", out), out
    out = g.run("date -u +%Y-%m-%dT%H:%M")
    assert out == "2001-02-03T04:05\n", out


@test(timeout=60, setup=lambda: {"extra": BASE})
def date_sets_the_time_as_root_only(g):
    out = g.run("/test/runas 1000 date -s @5; echo status=$?")
    # EPERM's message is the C library's: picolibc's on RISC-V, musl's on x86-64
    eperm = harness.per_arch(riscv="Not owner", x86_64="Operation not permitted")
    assert "date: cannot set the time: %s" % eperm in out and "status=1" in out, out
    out = g.run("date -s @1000000000 +%s; echo status=$?")
    assert out == "usage: date [-u] [+FORMAT] | date -s @SECONDS\nstatus=1\n", out
    out = g.run("date -s @1000000000; echo status=$?")
    assert re.fullmatch(r"Sun Sep  9 01:46:4\d UTC 2001\nstatus=0\n", out), out
    out = g.run("date +%Y; date x; echo status=$?")
    assert out == "2001\nusage: date [-u] [+FORMAT] | date -s @SECONDS\nstatus=1\n", out


def no_rtc_dtb():
    """setup=: QEMU's own device tree for this machine (dumpdtb), with the
    RTC's compatible string renamed, so the kernel finds no RTC."""
    d = os.path.join(harness.ROOT, "build", "test-disks")
    os.makedirs(d, exist_ok=True)
    dtb, patched = os.path.join(d, "virt.dtb"), os.path.join(d, "virt-nortc.dtb")
    subprocess.run(["qemu-system-riscv64", "-machine", "virt,dumpdtb=" + dtb, "-cpu", "rv64", "-smp", "1",
                    "-m", "128M", "-display", "none", "-bios", "default"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(dtb, "rb") as f:
        blob = f.read()
    assert blob.count(b"google,goldfish-rtc") == 1, "no RTC node in QEMU's device tree"
    with open(patched, "wb") as f:
        f.write(blob.replace(b"google,goldfish-rtc", b"google,goldfish-xxx"))
    return {"extra": ["-dtb", patched]}


@test(timeout=60, setup=no_rtc_dtb, arch="riscv")  # a device tree without virt's Goldfish RTC
def time_without_an_rtc(g):
    """The RTC is found through the device tree, not at a fixed address:
    without its node the boot says so and the time of day starts at the
    epoch; the clocks still run."""
    assert "rtc: no real-time clock in the device tree; the time of day starts at 1970-01-01" in g.out, g.tail()
    out = g.run("date -u +%Y-%m-%d; date +%s")
    day, secs = out.split()
    assert day == "1970-01-01" and 0 <= int(secs) < 120, out
    out = g.run("sleep 1.5; date +%s")
    assert int(out) >= int(secs) + 1, (secs, out)
