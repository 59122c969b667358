"""Render: tools/render_trace.py on traces recorded earlier (tests/data/).
Host tests: no QEMU.  The last one looks at the page in headless Chromium."""
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import harness
from harness import host_test

sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
import render_trace  # noqa: E402

DATA = os.path.join(harness.ROOT, "tests", "data")
OUT = os.path.join(harness.ROOT, "build", "test-render")
# Recorded with tools/trace.py (see the "# cmd:" lines in each file).
ONE = os.path.join(DATA, "spin_echo_1cpu.trace")      # spin 1 & echo hi
TWO = os.path.join(DATA, "two_harts_kmem.trace")      # 2 harts, spin x2, echo, kmem
COOP = os.path.join(DATA, "coop.trace")               # sched=coop: no preemption


def raw_events(path):
    """The EV lines, split by hand: an oracle independent of the parser."""
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("EV "):
                w = line.split()
                out.append(dict(time=int(w[1]), hart=int(w[2]), pid=int(w[3]), type=w[4],
                                a=int(w[5]), b=int(w[6]), c=int(w[7]), d=int(w[8]), name=w[9]))
    return out


def render_to(path, name=None):
    return render_trace.render(path, OUT, name)


@host_test()
def render_parses_recorded_traces():
    for path in (ONE, TWO, COOP):
        tr = render_trace.load(path)
        raw = raw_events(path)
        assert len(tr.events) == len(raw) == tr.expected, (path, len(tr.events), len(raw), tr.expected)
        assert tr.dropped == 0 and tr.bad_lines == 0 and tr.missing == 0, path
        assert tr.timebase == 10000000, tr.timebase
        assert tr.meta.get("cmd"), tr.meta
        times = [e.time for e in tr.events]
        assert times == sorted(times), path
    assert sorted({e.hart for e in render_trace.load(TWO).events}) == [0, 1]


@host_test()
def render_survives_console_noise():
    """A raw console capture: CRs, other output around and inside the dump,
    a line cut in two by another process's write."""
    with open(ONE) as f:
        lines = f.read().splitlines()
    evs = [i for i, l in enumerate(lines) if l.startswith("EV ")]
    cut = evs[len(evs) // 2]
    noisy = ["OpenSBI v1.2", "$ tracedump -s"] + [l + "\r" for l in lines]
    noisy[cut + 2] = noisy[cut + 2][:20] + "spin: 123 loops"   # one line cut short
    noisy.insert(cut + 3, "[3] done, status 0")
    tr = render_trace.Trace("\n".join(noisy))
    assert len(tr.events) == len(evs) - 1, (len(tr.events), len(evs))
    assert tr.missing == 1, tr.missing
    an = render_trace.Analysis(tr)
    assert an.timer_switch() is not None


@host_test()
def render_timeline_accounts_for_every_moment():
    for path in (ONE, TWO):
        tr = render_trace.load(path)
        an = render_trace.Analysis(tr)
        for h, segs in an.segments.items():
            assert segs, h
            for a, b in zip(segs, segs[1:]):
                assert a.end == b.start, (h, a.end, b.start)
                assert a.mode in ("user", "kernel", "idle")
            assert segs[-1].end == an.end
        # spin 1 busy-waits one second of its own: ~1 s in user mode
        spins = [p for p in an.procs.values() if p.name == "spin"]
        assert spins
        for p in spins:
            assert 0.95 < p.user / tr.timebase < 1.2, (p.pid, p.user)
            assert p.kernel < p.user / 20, (p.pid, p.kernel)


@host_test()
def render_protocol_tables_come_from_the_events():
    raw = raw_events(ONE)
    # The oracle: the first switch with why = 1 (time slice used up).
    sw = next(e for e in raw if e["type"] == "switch" and e["c"] == 1 and e["a"] > 0 and e["b"] > 0)
    names = {}
    for e in raw:
        if e["type"] in ("exec", "state"):
            names[e["a"]] = e["name"]
    a, b = sw["a"], sw["b"]
    assert names[a] == "spin" and names[b] == "echo", names
    tr, an, md_path, html_path = render_to(ONE)
    md = open(md_path).read()
    assert "| OS (kernel mode) | Hardware | Program (user mode) |" in md
    assert "**initialize trap table**" in md and "**start interrupt timer**" in md
    assert "## Run: a timer interrupt switches from A = spin (pid %d) to B = echo (pid %d)" % (a, b) in md, md
    assert "t = %.3f ms" % (sw["time"] / 10000.0) in md
    assert "time slice is used up" in md
    # the system call story: echo's write, its number and dispatch, exit and reaping
    assert "## Run: a process and one system call (echo, pid %d)" % b in md
    assert "number 16 is `write`" in md and "`write(1, 0x" in md and ", 3) = 3`" in md
    assert "**return-from-trap**" in md and "**trap** (via `exit(0)`)" in md
    assert re.search(r"Remove from process list: sh \(pid \d+\) reaps it", md), md
    # every table row has the five columns
    for line in md.splitlines():
        if line.startswith("| ") and "Step" not in line and "PID" not in line and line[2].isdigit():
            assert line.count(" | ") >= 3, line


@host_test()
def render_without_a_timer_switch():
    tr, an, md_path, html_path = render_to(COOP)
    md = open(md_path).read()
    assert "No process lost the CPU to the timer" in md
    assert "## Run: a process and one system call (echo" in md


@host_test()
def render_two_harts_and_a_killed_process():
    tr, an, md_path, html_path = render_to(TWO)
    page = open(html_path).read()
    assert "hart 0" in page and "hart 1" in page
    kmem = next(p for p in an.procs.values() if p.name == "kmem")
    assert kmem.killed and kmem.exit and kmem.exit.b & 0x7f == 11
    assert "killed by SIGSEGV" in open(md_path).read()


@host_test()
def render_html_is_self_contained():
    for path in (ONE, TWO):
        tr, an, md_path, html_path = render_to(path)
        page = open(html_path).read()
        assert page.startswith("<!DOCTYPE html>")
        # nothing fetched from anywhere: no scripts, stylesheets, images or fonts by address
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page), "network resource"
        assert "<link" not in page and "<script" not in page and "@import" not in page
        assert "url(" not in page
        svgs = re.findall(r"<svg.*?</svg>", page, re.S)
        assert len(svgs) >= 3, len(svgs)  # the whole run, the system call, the timer switch
        for s in svgs:
            root = ET.fromstring(s)  # well-formed XML
            titles = root.findall(".//{http://www.w3.org/2000/svg}title")
            assert len(titles) > 3, len(titles)  # hover details
        assert "swtch at" in page and "timer interrupt at" in page and "system call at" in page
        assert "user mode" in page and "kernel mode" in page


@host_test()
def render_cli_runs():
    r = subprocess.run([sys.executable, os.path.join(harness.ROOT, "tools", "render_trace.py"), ONE, "--out", OUT,
                        "--name", "cli"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert r.returncode == 0, r.stdout
    assert os.path.exists(os.path.join(OUT, "cli.md")) and os.path.exists(os.path.join(OUT, "cli.html"))
    r = subprocess.run([sys.executable, os.path.join(harness.ROOT, "tools", "render_trace.py"), "/dev/null"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert r.returncode == 1 and b"no events" in r.stdout, r.stdout


def png_pixels(path):
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) with zlib alone:
    (width, height, rows of bytes, bytes per pixel)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = hdr[:4]
    assert depth == 8 and ctype in (2, 6), hdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


@host_test(timeout=400)
def render_page_in_chromium():
    if not render_trace.find_chromium():
        # optional: try to install it (Debian package), skip if we cannot
        subprocess.run(["sh", os.path.join(harness.ROOT, "tools", "deps.sh"), "--chromium"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    if not render_trace.find_chromium():
        raise harness.Skip("Chromium is not installed and could not be (apt-get install chromium)")
    tr, an, md_path, html_path = render_to(ONE)
    png = os.path.join(OUT, "spin_echo_1cpu.png")
    ok, why = render_trace.screenshot(html_path, png, size=(1200, 1600))
    assert ok, why
    size = os.path.getsize(png)
    assert size > 30000, "picture suspiciously small: %d bytes" % size
    w, h, rows, bpp = png_pixels(png)
    assert (w, h) == (1200, 1600), (w, h)
    # Not blank: plenty of non-white pixels and many colours (the lanes,
    # the process colours, the tables' backgrounds, the text).
    colours, inked = set(), 0
    for y in range(0, h, 4):
        r = rows[y]
        for x in range(0, w * bpp, 4 * bpp):
            px = r[x:x + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                inked += 1
    total = (h // 4) * (w // 4)
    assert inked > total * 0.05, "mostly blank: %d of %d sampled pixels inked" % (inked, total)
    assert len(colours) > 30, "only %d colours" % len(colours)
    # The timeline is in the top part: the lanes hold the process colours.
    top = set()
    for y in range(100, 300, 2):
        for x in range(0, w * bpp, 2 * bpp):
            top.add(rows[y][x:x + 3])
    pal = {bytes.fromhex(c[1:]) for c in render_trace.PALETTE}
    assert top & pal, "no process colour in the timeline"
