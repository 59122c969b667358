"""Anonymous memory mappings (issue 10: memory for thread stacks, and
musl's malloc to come): mmap, munmap and mprotect of any page range,
demand-zero pages, fork and exec, RLIMIT_AS, free pages back to the
baseline (user/tests/mmaptest.c, on 1 and 4 harts); and the kernel's
console line when a program touches a hole it unmapped or a PROT_NONE
guard page."""
import re
from harness import guest_test, test

guest_test("/test/mmaptest", cpus=1, timeout=180)
guest_test("/test/mmaptest", cpus=4, timeout=180)

LINE = r"pid (\d+) \((\w+)\): (.*) at 0x([0-9a-f]+), pc 0x([0-9a-f]+): killed \((SIG\w+)\)"


def killed_at(g, cmd, what):
    out = g.run(cmd + "; echo status=$?", timeout=30)
    where = re.search(r"at (0x[0-9a-f]+)", out)
    assert where, out
    m = re.search(LINE, out)
    assert m, "no kill message: %r" % out
    assert m.group(2) == "mmaptest" and m.group(3) == what and m.group(6) == "SIGSEGV", out
    addr = int(m.group(4), 16)
    assert int(where.group(1), 16) <= addr < int(where.group(1), 16) + 4096, (where.group(1), hex(addr))
    assert "still alive" not in out and "status=139" in out, out
    assert g.run("echo next") == "next\n"


@test(cpus=1)
def mmap_hole_faults(g):
    """A page unmapped from the middle of a mapping: a load there is a
    load page fault, named with its address."""
    killed_at(g, "/test/mmaptest hole", "load page fault")


@test(cpus=4)
def mmap_guard_page_faults(g):
    """A PROT_NONE page: the kernel says so."""
    killed_at(g, "/test/mmaptest guard", "access to a PROT_NONE page")


@test(cpus=4, timeout=240)
def mmap_tlb_shootdown(g):
    """Issue 10, point 5: a thread on one hart keeps reading a page of a
    mapping (or of the heap) while another thread, on another hart, unmaps
    it (or shrinks the heap) and fills new memory.  Every round the reader is killed by a load page fault at that
    very page, named as the thread it is; no round reads the new contents
    (mmaptest shoot; its TAP line counts the rounds that did)."""
    n = 40
    out = g.run("/test/mmaptest shoot %d; echo exit=$?" % n, timeout=200)
    assert re.search(r"^ok - shootdown: %d rounds, 0 read the reused page, 0 never faulted" % n, out, re.M), out
    assert "exit=0" in out, out
    pages = re.findall(r"^page at (0x[0-9a-f]+)$", out, re.M)
    kills = re.findall(r"pid \d+ \(mmaptest\) thread \d+: load page fault at (0x[0-9a-f]+), pc 0x[0-9a-f]+: "
                       r"killed \(SIGSEGV\)", out)
    assert len(pages) == n and kills == pages, (pages, kills)
