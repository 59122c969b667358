"""Render: tools/render_trace.py on traces recorded earlier (tests/data/).
Host tests: no QEMU.  The last two load the page in headless Chromium: a
picture of it, and its zoom and pan driven by the page's own self-test."""
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
X86 = os.path.join(DATA, "x86_spin_echo_kmem.trace")  # x86-64: spin 1 & echo hi; kmem null


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
    """Render into OUT under a name of the calling test's own: the tests
    run in parallel, and one must not read a page another is writing."""
    import inspect
    if name is None:
        name = "%s-%s" % (os.path.splitext(os.path.basename(path))[0], inspect.stack()[1].function)
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
        assert "<link" not in page and "@import" not in page
        # one script, written into the page (zoom and pan), none by address
        assert page.count("<script>") == 1 and "<script " not in page, "external script"
        assert not re.search(r"url\((?!#)", page), "url() of something outside the page"
        svgs = re.findall(r'<svg[^>]*class="timeline".*?</svg>', page, re.S)
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
    tr, an, md_path, html_path = render_to(ONE, "spin_echo_1cpu")
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
    # The whole run's timeline follows the boot table: its lanes hold the
    # process colours.
    top = set()
    for y in range(400, 900, 2):
        for x in range(0, w * bpp, 2 * bpp):
            top.add(rows[y][x:x + 3])
    pal = {bytes.fromhex(c[1:]) for c in render_trace.PALETTE}
    assert top & pal, "no process colour in the timeline"


SVG_NS = "{http://www.w3.org/2000/svg}"


def timelines(page):
    """Each timeline of a page: (its div's attributes, its <svg> parsed)."""
    out = []
    for m in re.finditer(r'<div class="tl" ([^>]*)>.*?(<svg[^>]*class="timeline".*?</svg>)', page, re.S):
        attrs = dict(re.findall(r'(data-[a-z0-9]+)="([^"]*)"', m.group(1)))
        out.append((attrs, ET.fromstring(m.group(2))))
    return out


def plot_marks(svg):
    """The class of every mark and shade drawn in a timeline's plot."""
    plot = next(g for g in svg.iter(SVG_NS + "g") if g.get("class") == "plot")
    return {el.get("class").split()[0] for el in plot if el.tag != SVG_NS + "text"}


@host_test()
def render_legend_names_every_mark():
    """The legend lists every mark and shade the timeline can draw (the
    kill marker and the kernel-mode shade too), drawn the same way, and
    every process with its pid."""
    every = {cls for cls, _ in render_trace.MARKS}
    assert {"user", "kernel", "idle", "tmark", "smark", "wmark", "kmark"} <= every, every
    for path in (ONE, TWO):
        tr, an, md_path, html_path = render_to(path)
        page = open(html_path).read()
        legend = page[page.index('<div class="legend">'):page.index('<div class="tl"')]
        keyed = set(re.findall(r'data-mark="([a-z]+)"', legend))
        assert keyed == every, (path, every - keyed)
        for cls in every:  # the key shows the mark itself, with the timeline's class
            key = re.search(r'data-mark="%s">(<svg.*?</svg>)' % cls, legend).group(1)
            assert 'class="%s"' % cls in key, (cls, key)
        drawn = set()
        for attrs, svg in timelines(page):
            drawn |= plot_marks(svg)
        assert drawn <= every, drawn - every
        assert {"user", "kernel", "tmark", "smark", "wmark"} <= drawn, drawn
        ran = {p.pid for p in an.procs.values() if p.user or p.kernel}
        for pid in ran:
            assert re.search(r'data-pid="%d">.*?\(pid %d\)</span>' % (pid, pid), legend), pid
    assert "kmark" in drawn  # TWO: kmem is killed


def many_processes_trace(n):
    """A made-up trace: the shell spawns n programs, one after the other."""
    lines = ["TRACE-BEGIN v1 timebase=10000000 mask=0x1", "EV 100 0 0 boot 1 10000 1 10000000 stvec"]
    t = 1000
    for i in range(n):
        pid = 3 + i
        lines += ["EV %d 0 2 syscall 39 0 0 0 spawn" % t,
                  "EV %d 0 2 state %d 2 1 0 prog%d" % (t + 10, pid, i),
                  "EV %d 0 2 sysret 39 %d 0 0 spawn" % (t + 20, pid),
                  "EV %d 0 2 switch 2 %d 3 0 prog%d" % (t + 30, pid, i),
                  "EV %d 0 %d user %d 65536 0 0 -" % (t + 40, pid, pid),
                  "EV %d 0 %d syscall 2 0 0 0 exit" % (t + 5000, pid),
                  "EV %d 0 %d exit %d 0 0 0 prog%d" % (t + 5100, pid, pid, i),
                  "EV %d 0 %d switch %d 2 4 0 sh" % (t + 5200, pid, pid),
                  "EV %d 0 2 user 2 65600 0 0 -" % (t + 5300)]
        t += 6000
    lines.append("TRACE-END events=%d dropped=0" % (len(lines) - 1))
    return "\n".join(lines) + "\n"


@host_test()
def render_forty_processes_each_look_different():
    """Colours alone repeat after 12: colour and pattern together give
    every one of 40 processes its own look, the legend and the lanes
    name each pid."""
    path = os.path.join(OUT, "forty.trace")
    os.makedirs(OUT, exist_ok=True)
    with open(path, "w") as f:
        f.write(many_processes_trace(40))
    tr, an, md_path, html_path = render_to(path)
    looks = render_trace.looks(an)
    progs = [p for p in an.procs.values() if p.name.startswith("prog")]
    assert len(progs) == 40, len(progs)
    assert len({looks[p.pid] for p in progs}) == 40, "two processes look the same"
    assert all(p.how == "spawn" and p.parent == 2 for p in progs)
    page = open(html_path).read()
    # every look is defined once, and each process's rectangles use its own
    for p in progs:
        colour, pattern = looks[p.pid]
        pat = re.search(r'<pattern id="proc-%d"[^>]*><rect [^>]*fill="([^"]+)"/>(.*?)</pattern>' % p.pid, page)
        assert pat and pat.group(1) == colour, p.pid
        assert pat.group(2) == render_trace.PATTERNS[pattern]
        assert re.search(r'data-pid="%d">.*?prog\d+ \(pid %d\)</span>' % (p.pid, p.pid), page), p.pid
    attrs, svg = timelines(page)[0]
    fills = {}
    for el in svg.iter(SVG_NS + "rect"):
        if el.get("data-pid"):
            fills.setdefault(int(el.get("data-pid")), set()).add(el.get("fill"))
    assert all(fills[p.pid] == {"url(#proc-%d)" % p.pid} for p in progs), fills
    labels = [el.text for el in svg.iter(SVG_NS + "text") if (el.get("class") or "").startswith("seg")]
    assert "prog39 · pid 42" in labels, labels[-3:]


@host_test()
def render_copes_with_runnable_to_running_and_fixed_fork_events():
    """trace proc now records runnable -> running, and fork no longer
    says embryo -> embryo: the tables tell the same story either way
    (fork or spawn comes from the parent's system call)."""
    with open(ONE) as f:
        lines = f.read().splitlines()
    new = []
    for line in lines:
        w = line.split()
        if line.startswith("EV ") and w[4] == "state" and w[6] == "1" and w[7] == "1":
            continue  # embryo -> embryo, gone
        if line.startswith("EV ") and w[4] == "switch" and int(w[6]) > 0:
            new.append("EV %s %s %s state %s 3 2 0 %s" % (w[1], w[2], w[3], w[6], w[9]))
        new.append(line)
    end = [i for i, l in enumerate(new) if l.startswith("TRACE-END")][0]
    new[end] = "TRACE-END events=%d dropped=0" % sum(1 for l in new if l.startswith("EV "))
    old_an = render_trace.Analysis(render_trace.load(ONE))
    an = render_trace.Analysis(render_trace.Trace("\n".join(new)))
    for pid, p in old_an.procs.items():
        q = an.procs[pid]
        assert (q.how, q.parent, q.name) == (p.how, p.parent, p.name), (pid, q.how, p.how)
    assert any(p.how == "fork" for p in an.procs.values()) and any(p.how == "spawn" for p in an.procs.values())
    def story(a):  # all but the count of events
        return [l for l in render_trace.render_md(a, "t", {}).splitlines() if not l.startswith("Events:")]
    assert story(an) == story(old_an)


@host_test()
def render_warns_about_unknown_event_lines():
    """An event type this tool does not know is not dropped in silence:
    a warning with the line number on stderr, and a count on the page."""
    with open(ONE) as f:
        lines = f.read().splitlines()
    at = [i for i, l in enumerate(lines) if l.startswith("EV ")][10]
    lines.insert(at, "EV 400000 0 1 wakeup 2 0 0 0 sh")
    lines.insert(at + 5, "EV 400100 0 1 migrate 2 1 0 0 sh")
    path = os.path.join(OUT, "unknown.trace")
    os.makedirs(OUT, exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    r = subprocess.run([sys.executable, os.path.join(harness.ROOT, "tools", "render_trace.py"), path, "--out", OUT],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, universal_newlines=True)
    assert r.returncode == 0, r.stderr
    assert "unknown.trace:%d: unknown event type 'wakeup'" % (at + 1) in r.stderr, r.stderr
    assert "unknown.trace:%d: unknown event type 'migrate'" % (at + 6) in r.stderr, r.stderr
    page = open(os.path.join(OUT, "unknown.html")).read()
    md = open(os.path.join(OUT, "unknown.md")).read()
    note = "2 event lines of an unknown type ignored (lines %d, %d)" % (at + 1, at + 6)
    assert note in page and note in md, md[:600]


@host_test()
def render_names_only_flags_that_exist():
    """Every flag of deps.sh that a tool or a document tells the user to
    pass is one deps.sh knows."""
    deps = open(os.path.join(harness.ROOT, "tools", "deps.sh")).read()
    # the flags deps.sh tests for: [ "$1" = "--x" ] or a case label --x)
    known = set(re.findall(r'"\$1" = "(--[a-z-]+)"', deps))
    for label in re.findall(r"^\s*(--[a-z|-]+)\)", deps, re.M):
        known |= set(label.split("|"))
    assert known, "no flags found in deps.sh"
    for rel in ("tools/render_trace.py", "tools/trace.py", "tools/harness.py", "tests/test_render.py",
                "docs/tour.md", "README.md"):
        path = os.path.join(harness.ROOT, rel)
        if os.path.exists(path):
            for flag in re.findall(r"deps\.sh (--[a-z-]+)", open(path).read()):
                assert flag in known, (rel, flag, known)


@host_test()
def render_header_shows_the_users_boot_arguments():
    """make trace ARGS=tick=100ms: the page shows tick=100ms as the
    user's, and apart from it what tools/trace.py added (no tick=10ms)."""
    sys.path.insert(0, os.path.join(harness.ROOT, "tools"))
    import trace as trace_tool  # tools/trace.py
    booted, added = trace_tool.boot_args("tick=100ms sched=coop")
    assert booted.split() == ["trace=record", "slice=1", "tick=100ms", "sched=coop"], booted
    assert added == "trace=record slice=1", added
    booted, added = trace_tool.boot_args("")
    assert (booted, added) == ("trace=record tick=10ms slice=1", "trace=record tick=10ms slice=1")
    booted, added = trace_tool.boot_args("trace=syscall slice=3")
    assert booted == "tick=10ms trace=syscall,record slice=3", booted
    with open(ONE) as f:
        events = [l for l in f.read().splitlines() if not l.startswith("#")]
    booted, added = trace_tool.boot_args("tick=100ms")
    path = os.path.join(OUT, "asked.trace")
    os.makedirs(OUT, exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(trace_tool.meta_lines(["echo hi"], "tick=100ms", added, booted, 1) + events) + "\n")
    tr, an, md_path, html_path = render_to(path)
    page, md = open(html_path).read(), open(md_path).read()
    assert "boot arguments you gave: <code>tick=100ms</code>" in page, page[:2000]
    assert "added by tools/trace.py: <code>trace=record slice=1</code>" in page
    assert "Boot arguments you gave: `tick=100ms`; added by tools/trace.py: `trace=record slice=1`" in md, md[:800]
    assert "tick=10ms" not in page.split("<h2>")[0] and "tick=10ms" not in md


@host_test()
def render_page_puts_at_boot_first():
    """As in the seeds: the OS @ boot table, then the run."""
    tr, an, md_path, html_path = render_to(ONE)
    page = open(html_path).read()
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert heads[0] == "At boot" and heads[1] == "The whole run", heads


def chromium_or_skip():
    if not render_trace.find_chromium():
        # optional: try to install it (Debian package), skip if we cannot
        subprocess.run(["sh", os.path.join(harness.ROOT, "tools", "deps.sh"), "--chromium"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    if not render_trace.find_chromium():
        raise harness.Skip("Chromium is not installed and could not be (apt-get install chromium)")


def selftest_in_chromium(page, width):
    """Open page#selftest in headless Chromium at width px; the page's
    script drives its own controls and reports what it measured."""
    import json
    r = subprocess.run([render_trace.find_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--no-first-run", "--window-size=%d,1600" % width, "--dump-dom",
                        "file://%s#selftest" % os.path.abspath(page)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    dom = r.stdout.decode("utf-8", "replace")
    m = re.search(r'<pre id="selftest">(.*?)</pre>', dom, re.S)
    assert m and m.group(1).strip(), "the page's self-test did not run: %s" % r.stderr.decode()[-400:]
    import html as htmlmod
    return json.loads(htmlmod.unescape(m.group(1)))


@host_test(timeout=400)
def render_timeline_zooms_and_pans_in_chromium():
    """Wheel, the zoom button, dragging, reset: the visible time range
    narrows, moves, and the axis is relabelled; the timeline fits a
    600-pixel window without being cut off or its text shrunk."""
    chromium_or_skip()
    tr, an, md_path, html_path = render_to(TWO)
    for width in (1200, 600, 500):  # 500: the narrowest window headless Chromium makes
        r = selftest_in_chromium(html_path, width)
        full = (r["initial"]["v0"], r["initial"]["v1"])
        assert full == (an.start, an.end), (full, an.start, an.end)

        def span(s):
            return s["v1"] - s["v0"]
        w = r["wheel"]
        assert span(w) < span(r["initial"]) * 0.5, (width, w)                  # wheel up zooms in
        mid = (full[0] + full[1]) / 2                                           # about the pointer
        assert w["v0"] < mid < w["v1"], w
        assert w["axis"] != r["initial"]["axis"] and len(w["axis"]) >= 2, (r["initial"]["axis"], w["axis"])
        assert w["rects"] < r["initial"]["rects"]
        b = r["button"]
        assert abs(span(b) - span(w) / 2) < 2, (span(b), span(w))              # + halves it
        d = r["drag"]
        assert abs(span(d) - span(b)) < 2 and d["v0"] > b["v0"] + span(b) * 0.2, (b, d)  # drag left: later
        deep = r["deep"]
        assert span(deep) < tr.timebase // 10000, span(deep)                   # under 100 µs
        assert deep["named"] >= 1, deep                                        # the lanes name the pid
        assert abs(span(r["key"]) - 2 * span(deep)) < 2, (r["key"], deep)      # the - key zooms out
        assert r["reset"]["v0"] == full[0] and r["reset"]["v1"] == full[1]
        assert r["reset"]["axis"] == r["initial"]["axis"]
        # fits the window: nothing wider than it, the SVGs inside it, text at its size
        assert r["scrollWidth"] <= r["innerWidth"], (width, r["scrollWidth"], r["innerWidth"])
        for s in r["svgs"]:
            assert s["left"] >= 0 and s["right"] <= r["innerWidth"] + 0.5, (width, s)
            assert s["font"] >= 13, (width, s)  # 13px labels, not scaled down


@host_test()
def render_speaks_the_machines_words():
    """The tables of an x86-64 trace say what the seeds' x86 says: the IDT
    loaded with lidt, the TSS's rsp0, the syscall instruction with rax,
    iretq and sysretq, vectors, the LAPIC timer, the IOAPIC, CR2; and none
    of RISC-V's words.  A RISC-V trace keeps its own."""
    tr, an, md_path, html_path = render_to(X86)
    assert an.m.name == "x86_64" and tr.arch == "x86_64"
    md = open(md_path).read()
    for word in ("IDT", "`lidt`", "TSS", "`rsp0`", "`iretq`", "`sysretq`", "LAPIC", "IOAPIC", "vector 0xf0",
                 "`syscall_entry`", "`x86_trap()`", "`lapic_timer_init()`", "`ioapic_init()`",
                 "**trap** into OS (`syscall`, rax = 20)", "number 20 is `writev`", "result in rax",
                 "(via `exit_group(0)`)", "one lane per cpu"):
        assert word in md, (word, md)
    for word in ("scause", "stvec", "`sret`", "sepc", "PLIC", "ecall", "a7 =", "in a0", "hart"):
        assert word not in md, (word, md)
    page = open(html_path).read()
    assert "cpu idle, waiting for an interrupt (hlt)" in page and "system call (syscall)" in page
    assert "hart" not in page and "wfi" not in page
    # kmem's page fault, as the table tells a killed process: the vector
    # and the address the CPU left in CR2
    p = next(p for p in an.procs.values() if p.name == "kmem")
    assert p.killed and p.killed.c == 14, p.killed
    story = dict(proc=p, call=None, exit_call=None, first_user=an.first_user(p.pid, p.execs[-1].time))
    rows = render_trace.syscall_rows(an, story)
    assert any("page fault (vector 14) at 0x0 (CR2): killed by the kernel" in r[3] for r in rows), rows
    # and a RISC-V trace (an older tracedump: no arch= on its first line)
    tr, an, md_path, html_path = render_to(ONE)
    md = open(md_path).read()
    assert an.m.name == "riscv" and tr.arch is None
    assert "`stvec`" in md and "`sret`" in md and "scause" in md
    for word in ("IDT", "lidt", "iretq", "sysretq", "rax", "LAPIC", "IOAPIC"):
        assert word not in md, (word, md)
