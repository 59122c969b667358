"""test_docs.py: every program that README.md and docs/*.md show is built,
and run where the doc shows what it prints.

The convention (written for authors in docs/tour.md, "Programs in the docs"):
- A program is a fenced ```c block that defines main (a line `int main(`).
  Other ```c blocks are fragments and are not compiled.
- Its file is the last `user/bin/NAME.c` or `user/tests/NAME.c` named in the
  text between the previous fenced block and this one; without one it is
  user/bin/docLINE.c.  If that file is in the tree, the block must be
  exactly its contents (the doc shows the real file).
- It is compiled in a scratch directory, build/scratch/, by the Makefile's
  rule for it: the flags and libraries of every /bin program, -Werror too.
- Its session is the first fenced block after it, before the next heading
  or ```c block, whose first line starts with "$ ".  That session runs in a
  freshly booted Trapdoor whose initramfs has the program as /bin/NAME (or
  /test/NAME): each "$ " line is typed at the shell, and the lines after it,
  up to the next "$ " line, must be exactly what the command prints.
  A session block whose info string names an architecture (```riscv,
  ```x86_64) is that machine's own, where the two print differently (an
  address): make test ARCH=... runs the one of its machine, or else the
  untagged one.  Tagged blocks come before any untagged one.
"""
import os
import re
import shutil
import subprocess

import harness
from harness import host_test, test

ROOT = harness.ROOT
SCRATCH = os.path.join(harness.BDIR, "scratch")
FENCE = re.compile(r"^```(\S*)\s*$")
NAMED = re.compile(r"\buser/(bin|tests)/([A-Za-z0-9_-]+)\.c\b")
MAIN = re.compile(r"^\s*int\s+main\s*\(", re.M)


class Program:
    def __init__(self, doc, line, dirname, name, code, named):
        self.doc, self.line, self.dir, self.name, self.code = doc, line, dirname, name, code
        self.named = named    # the doc names the file (else it got docLINE)
        self.session = None   # [(command, [expected lines])]: this architecture's
        self.session_line = None
        self.sessions = {}    # info string ("" or an architecture) -> (session, line)

    def where(self):
        return "%s:%d" % (self.doc, self.line)

    def path_in_tree(self):
        return os.path.join(ROOT, "user", self.dir, self.name + ".c")

    def guest_path(self):
        return "/%s/%s" % ("bin" if self.dir == "bin" else "test", self.name)


def doc_files():
    docs = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    return [d for d in docs if os.path.isfile(os.path.join(ROOT, d))]


def blocks(text):
    """(info string, first line number, body, text before it since the last block)"""
    out, prose, body, info, start = [], [], None, None, 0
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if body is None:
            if m:
                body, info, start = [], m.group(1), n + 1
            else:
                prose.append(line)
        elif m and not m.group(1):
            out.append((info, start, "\n".join(body) + "\n", "\n".join(prose)))
            body, prose = None, []
        else:
            body.append(line)
    return out


def parse_session(body):
    session = []
    for line in body.splitlines():
        if line.startswith("$ "):
            session.append((line[2:], []))
        elif session:
            session[-1][1].append(line.rstrip())
    return session


def programs(doc):
    found = []
    with open(os.path.join(ROOT, doc)) as f:
        text = f.read()
    for info, line, body, prose in blocks(text):
        if found and found[-1].open:
            p = found[-1]
            if re.search(r"^#", prose, re.M) or info == "c":
                p.open = False
            elif body.startswith("$ ") and info in ("", "riscv", "x86_64") and info not in p.sessions:
                p.sessions[info] = (parse_session(body), line)
                p.open = info != ""  # an untagged session ends the program's
                mine = p.sessions.get(harness.ARCH) or p.sessions.get("")
                if mine:
                    p.session, p.session_line = mine
        if info == "c" and MAIN.search(body):
            names = NAMED.findall(prose)
            dirname, name = names[-1] if names else ("bin", "doc%d" % line)
            p = Program(doc, line, dirname, name, body, bool(names))
            p.open = True
            found.append(p)
    return found


def all_programs():
    return [p for d in doc_files() for p in programs(d)]


def build(p):
    """Compile p in the architecture's build/scratch/ by the Makefile's rule; return the binary."""
    if p.named and os.path.exists(p.path_in_tree()):
        with open(p.path_in_tree()) as f:
            assert f.read() == p.code, "%s shows user/%s/%s.c, but not as it is in the tree" % (
                p.where(), p.dir, p.name)
    d = os.path.join(SCRATCH, "%s-%d" % (re.sub(r"\W", "_", p.doc), p.line))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, p.name + ".c"), "w") as f:
        f.write(p.code)
    target = os.path.relpath(os.path.join(d, p.name), ROOT)
    # not the jobserver of a `make test` around us: this make is on its own
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    r = subprocess.run(["make", "-s", "ARCH=" + harness.ARCH, target], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    assert r.returncode == 0, "the program at %s (user/%s/%s.c) does not build:\n%s" % (
        p.where(), p.dir, p.name, r.stdout[-3000:])
    return d, os.path.join(d, p.name)


def initrd_with(p):
    """A scratch initramfs: build/rootfs plus p's program; Guest arguments."""
    d, binary = build(p)
    rootfs = os.path.join(d, "rootfs")
    shutil.copytree(os.path.join(harness.BDIR, "rootfs"), rootfs)
    dest = os.path.join(rootfs, p.guest_path()[1:])
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copy(binary, dest)
    files = subprocess.run("find . -mindepth 1 | LC_ALL=C sort", shell=True, cwd=rootfs,
                           stdout=subprocess.PIPE, check=True).stdout
    initrd = os.path.join(d, "initrd.cpio")
    with open(initrd, "wb") as out:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=rootfs, input=files,
                       stdout=out, check=True)
    return {"initrd": initrd}


def test_name(p):
    return "doc_%s_%s" % (re.sub(r"\W", "_", os.path.basename(p.doc)[:-3]), p.name)


def register(p):
    if p.session is None:
        @host_test(name=test_name(p) + "_builds", timeout=300)
        def builds():
            build(p)
        return

    @test(name=test_name(p) + "_runs", setup=lambda: initrd_with(p), timeout=120)
    def runs(g):
        for cmd, want in p.session:
            got = [l.rstrip() for l in g.run(cmd, timeout=60).splitlines()]
            assert got == want, "%s:%d: `%s` printed\n%s\nwhere the doc shows\n%s" % (
                p.doc, p.session_line, cmd, "\n".join(got), "\n".join(want))


for prog in all_programs():
    register(prog)


@host_test()
def doc_programs_found():
    """The convention finds the README's example and the tour's seed 003
    example, each with its session: a doc edit cannot silently drop them."""
    progs = all_programs()
    readme = [p for p in progs if p.doc == "README.md"]
    assert readme and all(p.session for p in readme), [(p.where(), p.session) for p in readme]
    tour = [p for p in progs if p.doc == "docs/tour.md"]
    assert any("SYS_getpid" in p.code and p.session for p in tour), [p.where() for p in tour]
