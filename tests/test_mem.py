"""Memory accounting (issue 9, items 6 and 7): meminfo comes back exactly
to its baseline after files and heaps grow and shrink (membase), and the
file system fills up to its size, fsmax=, in seconds, ending in ENOSPC
with the rest of memory left to processes (diskfull)."""
import re
from harness import RAM_ROOT, guest_test, per_arch, test

guest_test("/test/membase", cpus=1)
guest_test("/test/membase", cpus=4)
# an exec that runs out of memory part way gives back all it took (xv6's execout)
guest_test("/test/execoom", timeout=180)
guest_test("/test/diskfull", cpus=1, timeout=180)
guest_test("/test/diskfull", cpus=4, timeout=180)
# fsmax= set small, but with room for the initramfs (some 16 MiB when
# the xv6 usertests are in it): files that do not fit are not loaded.
guest_test("/test/diskfull 32", args="fsmax=32M", timeout=180, name="diskfull@fsmax=32M")


def meminfo(g):
    """The meminfo command's lines as {name: pages}."""
    out = g.run("meminfo")
    rows = dict((m.group(1), int(m.group(2))) for m in re.finditer(r"^(\w+): +(\d+) pages", out, re.M))
    assert set(rows) == {"total", "free", "files", "fsmeta", "fsmax", "heap", "cached"}, out
    assert re.search(r"^3 processes on 1 hart$", out, re.M), out
    return rows


@test(setup=RAM_ROOT)
def meminfo_command(g):
    m = meminfo(g)
    # microvm's first MiB is not RAM (the BIOS's and the ISA hole)
    assert m["total"] == per_arch(riscv=128, x86_64=127) * 256 and m["fsmax"] == m["total"] // 2, m
    assert 0 < m["free"] < m["total"] and m["files"] > 0 and m["heap"] > 0, m
    assert m["cached"] == 0, m
    # a one-line file: a data page and the two of its index
    g.run("echo hello > /tmp/m")
    m2 = meminfo(g)
    assert m2["files"] == m["files"] + 3 and m2["free"] <= m["free"] - 3, (m, m2)
    g.run("rm /tmp/m")
    assert meminfo(g) == m
    out = g.run("meminfo x; echo $?")
    assert out == "usage: meminfo\n1\n", out


@test(args="fsmax=25%", setup=RAM_ROOT)
def fsmax_share_of_ram(g):
    m = meminfo(g)
    assert m["fsmax"] == m["total"] // 4, m
    assert re.search(r"initrd: \d+ files, \d+ KiB; files may hold %d MiB \(fsmax=\)" % per_arch(riscv=32, x86_64=31),
                     g.out), g.out


@test(args="fsmax=lots fsmax=0 fsmax=0%")
def fsmax_bad_values_warn_and_keep_the_default(g):
    for arg in ("fsmax=lots", "fsmax=0", "fsmax=0%"):
        assert re.search(r"boot: '%s' ignored: fsmax= takes a size" % arg, g.out), (arg, g.out)
    m = meminfo(g)
    assert m["fsmax"] == m["total"] // 2, m
