"""Slow I/O, seen (issue 11 point 8): the trace's disk requests and
completions, ps's "disk" wait, and the protocol table of a read that
blocks on the disk, drawn by tools/render_trace.py from a real run.

A request must be slow for a process to be seen waiting: QEMU's null-co
driver answers every request after a fixed delay (100 ms here, reads give
zeros), where the window between the driver's submission and the
reader's sleep is microseconds."""
import importlib.util
import os
import re
import sys

import harness
from harness import ARCH, host_test, test

sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
import render_trace  # noqa: E402

# tools/trace.py, make trace's recorder (by path: "trace" is also a module
# of Python's own)
_spec = importlib.util.spec_from_file_location("trace_tool", os.path.join(harness.ROOT, "tools", "trace.py"))
trace_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(trace_tool)

DIR = os.path.join(harness.ROOT, "build", "test-disks")
OUT = os.path.join(harness.ROOT, "build", "test-slowio")
DATA = os.path.join(harness.ROOT, "tests", "data", "disk_read.trace")
SLOW = "driver=null-co,size=16M,latency-ns=100000000,read-zeroes=on"
READ = "dd if=/dev/vda of=/dev/null bs=4096 count=1 skip=3000"


def events(out):
    """tracedump's EV lines, as dicts."""
    evs = []
    for m in filter(None, map(render_trace.EV_RE.fullmatch, out.splitlines())):
        evs.append(dict(time=int(m.group(1)), hart=int(m.group(2)), pid=int(m.group(3)), type=m.group(4),
                        a=int(m.group(5)), b=int(m.group(6)), c=int(m.group(7)), d=int(m.group(8)),
                        name=m.group(9)))
    return evs


def blank_image(name, mib=16):
    os.makedirs(DIR, exist_ok=True)
    path = os.path.join(DIR, name + ".img")
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return path


def failing_disk():
    """A blank image behind blkdebug: reads of block 3300 fail with EIO."""
    path = blank_image("slowio-eio")
    cfg = os.path.join(DIR, "slowio-eio.cfg")
    with open(cfg, "w") as f:
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\nonce = "off"\n' % (3300 * 8))
    return {"disk": "file=blkdebug:%s:%s,format=raw" % (cfg, path)}


@test(setup=lambda: {"disk": SLOW}, timeout=120)
def slowio_ps_shows_disk(g):
    """A reader waiting for the disk is sleeping, and ps says on what."""
    m = re.match(r"\[(\d+)\]\n$", g.run("dd if=/dev/vda of=/dev/null bs=4096 count=2000 &"))
    assert m
    pid = m.group(1)
    row = re.compile(r"^ +%s +\d+ +0 sleeping dd +\d+ +\d+ +\d+ +\d+ +0 disk$" % pid, re.M)
    seen = []
    # 2000 blocks at 100 ms a request (8 in flight) take 25 s: dd is
    # asleep on the disk for nearly all of it; poll to a deadline.
    assert harness.wait_for(lambda: seen.append(g.run("ps")) or row.search(seen[-1]), timeout=20, step=0.2), \
        seen[-1:]
    g.run("kill %s; wait" % pid, timeout=30)


@test(args="trace=record", setup=failing_disk, timeout=120)
def slowio_trace_records_requests_and_completions(g):
    """A read, two writes (dd conv=fsync) and a failing read, each as a
    diskreq (block, count, how, the pid it is for) and a diskdone with
    its status, in that order."""
    g.run(READ, timeout=30)
    out = g.run("dd if=/dev/vda of=/dev/vda bs=4096 count=2 skip=3100 seek=3200 conv=fsync", timeout=30)
    assert "2+0 records out" in out, out
    out = g.run("dd if=/dev/vda of=/dev/null bs=4096 count=1 skip=3300", timeout=30)
    assert "dd: read: I/O error" in out, out
    evs = events(g.run("tracedump -s", timeout=120))
    dds = {e["a"] for e in evs if e["type"] == "exec" and e["name"] == "dd"}
    assert len(dds) == 3, dds

    def req_done(block, write):
        reqs = [e for e in evs if e["type"] == "diskreq" and e["a"] == block]
        assert len(reqs) == 1, (block, reqs)
        r = reqs[0]
        assert r["b"] == 1 and r["c"] == write and r["d"] in dds and r["name"] == "dd", r
        assert r["pid"] == r["d"], r  # submitted by the process it is for
        done = [e for e in evs if e["type"] == "diskdone" and e["a"] == block]
        assert len(done) == 1 and done[0]["time"] >= r["time"] and done[0]["c"] == write, (r, done)
        assert done[0]["d"] == r["d"], (r, done)
        return r, done[0]

    r, d = req_done(3000, 0)
    assert d["b"] == 0, d
    for blk in (3200, 3201):
        r, d = req_done(blk, 1)
        assert d["b"] == 0, d
    r, d = req_done(3300, 0)
    assert d["b"] == -5, d  # -EIO
    # the interrupt comes first, then the completion it reports
    irqs = [e for e in evs if e["type"] == "irq" and e["time"] <= d["time"] and e["hart"] == d["hart"]]
    disk_irq = int(re.search(r"virtio-blk: /dev/vda at \S+ irq (\d+)", g.out).group(1))
    assert irqs and irqs[-1]["a"] == disk_irq, irqs[-1:]


# The rows of a blocking read's table, in the order they must come, in the
# words of the machine the trace is from (RISC-V's for the recorded one).
def table_rows(arch):
    x86 = arch == "x86_64"
    return [
        r"Process A: \*\*dd \(pid (\d+)\)\*\*<br>Call system call `read\(\)`<br>\*\*trap\*\* into OS "
        + (r"\(`syscall`, rax = 0\)" if x86 else r"\(`ecall`, a7 = 5\)"),
        r"save regs\(A\) → k-stack\(A\) " + (r"\(`syscall`: rip → rcx, rflags → r11; `syscall_entry` fills"
                                           if x86 else r"\(`trap_entry` fills the trapframe\)"),
        r"`sys_read` → `blkdev_read` → `bread\(3000\)`: the block is not in the buffer cache<br>"
        r"\*\*start the I/O\*\*: `disk_start` puts the request \(read of block 3000\)",
        r"the disk works on the request by itself",
        r"A \*\*sleeps on the disk queue\*\*: `sleep\(&b->wq\)` \(the queue `ps` shows as `disk`\)",
        r"\*\*dispatcher switches\*\*: `swtch\(&A->context, &B->context\)` to B = [\w.-]+ \(pid \d+\)",
        r"Process B: \*\*[\w.-]+ \(pid \d+\)\*\* runs \(user mode\) while A waits",
        r"\*\*device interrupt\*\* \(%s\): B interrupted in user mode"
        % (r"vector (\d+): IOAPIC input \d+, the disk" if x86 else r"`scause` 9, PLIC source \d+: the disk"),
        r"`disk_intr\(\)`: the used ring says the request for block 3000 is done \(status OK\)<br>"
        r"`bio_done` → `wakeup\(&b->wq\)`: A \*\*becomes ready\*\*",
        r"the \*\*dispatcher switches\*\* to A: A returns from `sleep` in `bread`",
        r"\*\*return-from-trap\*\* with the result in %s: `read\(3, 0x[0-9a-f]+, 0x1000\) = 4096`"
        % ("rax" if x86 else "a0"),
        r"restore regs\(A\) ← k-stack\(A\)%s<br>move to user mode %s"
        % ((r" \(`syscall_return`\)", r"\(`sysretq`\)") if x86 else ("", r"\(`sret`\)")),
        r"Process A: \*\*dd \(pid \d+\)\*\*<br>`read\(\)` returns 4096"]


def check_disk_table(md, arch="riscv"):
    """The blocking read's section of a rendered .md: every row, in order,
    with times that never go back.  B, the process that runs while dd
    waits, is whichever the ready queue holds: spin, or the shell that
    started both when it has not yet gone back to waiting for them, or
    init (seen once on x86-64, its slice not yet used up at that moment)."""
    m = re.search(r"^## Run: a read blocks on the disk: A = dd \(pid \d+\) waits, B = [\w.-]+ \(pid \d+\) runs\n\n"
                  r"(\|.*\n)+", md, re.M)
    assert m, md[-3000:]
    rows = [l for l in m.group(0).splitlines() if re.match(r"\| \d+ \|", l)]
    at = 0
    for pat in table_rows(arch):
        i = next((k for k in range(at, len(rows)) if re.search(pat, rows[k])), None)
        assert i is not None, (pat, rows[at:])
        at = i + 1
    times = [float(t) for r in rows for t in re.findall(r"^\| \d+ \| t = ([\d.]+) ms", r)]
    assert times == sorted(times) and len(times) >= 9, times


@test(boot=False, timeout=180)
def slowio_protocol_table_from_a_real_run(g):
    """make trace's recorder and generator, on a run where dd reads a block
    from a slow disk while spin is ready: the table tells the story."""
    g.close()  # the recorder boots its own QEMU, with the disk
    args, _ = trace_tool.boot_args("")
    lines, console, _ = trace_tool.record(["spin 1 & " + READ], 1, args, 60, disk=SLOW)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "disk.trace")
    with open(path, "w") as f:
        f.write("\n".join(trace_tool.meta_lines(["spin 1 & " + READ], "", "trace=record", args, 1, SLOW) + lines) + "\n")
    tr, an, md, page = render_trace.render(path, OUT, "disk")
    assert an.m.name == ARCH, an.m.name  # its tables in this machine's words
    check_disk_table(open(md).read(), ARCH)
    html = open(page).read()
    assert 'id="tl-disk"' in html and 'class="dreq"' in html and 'class="dwait"' in html, "no disk lane"


@host_test()
def slowio_table_from_the_recorded_trace():
    """The same, on the run recorded in tests/data/disk_read.trace."""
    tr, an, md, page = render_trace.render(DATA, OUT, "disk_read")
    check_disk_table(open(md).read())
    st = an.disk_story()
    assert st and st["req"].block == 3000 and st["other"] > 0, st
    # the timeline: the request, dd asleep on the disk, and the interrupt
    html = open(page).read()
    lane = html[html.index('id="tl-disk"'):]
    lane = lane[:lane.index("</svg>")]
    assert re.search(r'class="dreq"[^>]*><title>disk: read of block 3000 for dd \(pid \d+\)', lane), lane[:2000]
    assert re.search(r'class="dwait" data-pid="%d"' % st["pid"], lane), lane[:2000]
    assert re.search(r'class="dmark"[^>]*><title>disk interrupt at [\d.]+ ms on hart 0: read of block 3000 done, '
                     r'dd \(pid %d\) becomes ready' % st["pid"], lane), lane[:2000]


@host_test()
def slowio_table_needs_the_whole_story():
    """A trace whose read never slept (the block came in time) has no
    blocking-read table: the table is drawn only from what happened."""
    with open(DATA) as f:
        text = f.read()
    lines = text.splitlines()
    pid = render_trace.Analysis(render_trace.Trace(text)).disk_story()["pid"]
    # drop the reader's sleep: its state change to sleeping and back
    cut = [l for l in lines if not re.match(r"EV \d+ \d+ -?\d+ state %d [24] " % pid, l)]
    an = render_trace.Analysis(render_trace.Trace("\n".join(cut)))
    assert an.disk_story() is None
    md = render_trace.render_md(an, "t", {})
    assert "read blocks on the disk" not in md
