"""Device interrupts with every CPU busy: the console UART and the disk
answer on four CPUs while spinning programs keep all of them, the boot CPU
among them, in user mode.  On x86-64 the lines are also spread over the
CPUs (arch.c's irq_spread), which the boot line shows.

No timing luck: eight spinners that never block on four CPUs leave no CPU
idle for as long as they live, so whichever CPU a line goes to is running
a spinner when the interrupt comes; each step below waits for an answer
that only that interrupt can bring (a typed line, a finished write)."""
import os
import re
import shutil
import subprocess

import harness
from harness import test

SPINNERS = 8


def ext2_image(name):
    """setup=: a fresh 16 MiB ext2 image as the disk (mounted on /mnt),
    one per test (tests run at once, and QEMU locks its image)."""
    return lambda: make_image(name)


def make_image(name):
    mke2fs = shutil.which("mke2fs") or next((p for p in ("/sbin/mke2fs", "/usr/sbin/mke2fs") if os.path.exists(p)),
                                            None)
    if not mke2fs:
        raise harness.Skip("mke2fs not installed (e2fsprogs: sh tools/deps.sh)")
    d = os.path.join(harness.ROOT, "build", "test-disks")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "%s-%s.img" % (name, harness.ARCH))
    with open(path, "wb") as f:
        f.truncate(16 << 20)
    subprocess.run([mke2fs, "-q", "-F", "-t", "ext2", "-r", "1", "-b", "4096", path], check=True)
    return {"disk": path}


@test(cpus=4, args="root=mnt", setup=ext2_image("irqbusy"), timeout=240)
def console_and_disk_answer_with_every_cpu_spinning(g):
    for _ in range(SPINNERS):
        g.run("spin &")
    out = g.run("ps")
    assert len(re.findall(r"\bspin\b", out)) == SPINNERS, out
    # the console: each of these lines reached the shell by UART interrupts
    for i in range(5):
        assert g.run("echo line %d" % i) == "line %d\n" % i
    # the disk: writes that must complete (sync sleeps until the device's
    # interrupt), then reads of blocks nothing has read yet (misses)
    out = g.run("dd if=/bin/sh of=/mnt/sh bs=4096; sync; echo status=$?", timeout=120)
    assert "status=0" in out, out
    out = g.run("wc -c /bin/sh /mnt/sh", timeout=60)
    sizes = re.findall(r"^\s*(\d+)\s+/\S+$", out, re.M)
    assert len(sizes) >= 2 and sizes[0] == sizes[1] and int(sizes[0]) > 0, out
    out = g.run("dd if=/dev/vda of=/dev/null bs=4096 skip=2048 count=512; echo status=$?", timeout=120)
    assert "status=0" in out and "512+0 records in" in out, out
    out = g.run("ps")
    assert len(re.findall(r"\bspin\b", out)) == SPINNERS, out  # they ran all along


@test(cpus=4, setup=ext2_image("irqlines"), args="root=mnt", arch="x86_64")
def x86_device_lines_spread_over_the_cpus(g):
    """On 4 CPUs the UART's line stays on CPU 0 and the disk's moves to
    CPU 1 (the order the drivers enabled them)."""
    m = re.search(r"^irq: com1 4 -> cpu 0, disk (\d+) -> cpu 1$", g.out, re.M)
    assert m, g.tail()
    assert re.search(r"^virtio-blk: /dev/vda at 0x[0-9a-f]+ irq %s," % m.group(1), g.out, re.M), g.tail()
