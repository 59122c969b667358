"""Crash safety of ext2 (issue 11, point 6): QEMU killed mid-workload.

At each kill point a guest boots (root=mnt: the root in RAM, a fresh
small ext2 image on /mnt), runs user/tests/crashload.c (create, write,
append, rename, unlink, mkdir/rmdir, O_TRUNC, some fsyncs), and QEMU is
killed at a random moment after the workload starts.  Then on the host:
e2fsck -p must repair the image without questions (exit 0 or 1),
e2fsck -fn must find it clean after, and every file the guest reported
"fsynced NAME LEN CHECKSUM" for reads back (debugfs) with that length and
checksum.  The kill points come from a seeded RNG whose seed is printed:
CRASH_SEED=N replays a run, CRASH_POINTS=N sets how many kill points
each of the three tests makes (default 9: 27 in all)."""
import os
import random
import re
import shutil
import subprocess
import threading
import time

import harness
from harness import test
from guest import Guest

DIR = os.path.join(harness.ROOT, "build", "test-crash")
SEED = int(os.environ.get("CRASH_SEED", "0")) or random.SystemRandom().randrange(1, 1 << 30)
POINTS = int(os.environ.get("CRASH_POINTS", "9"))
FSYNCED = re.compile(r"fsynced (\S+) (\d+) (\d+)\n")
LOCK = threading.Lock()


def tool(name):
    path = shutil.which(name) or next((p for p in ("/sbin/" + name, "/usr/sbin/" + name) if os.path.exists(p)), None)
    if not path:
        raise harness.Skip("%s not installed (e2fsprogs: sh tools/deps.sh)" % name)
    return path


def fnv(data):
    h = 2166136261
    for c in data:
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h


def base_image():
    """A small image with a few files of its own (mke2fs -d)."""
    os.makedirs(DIR, exist_ok=True)
    path = os.path.join(DIR, "base.img")
    with LOCK:
        if not os.path.exists(path):
            make_base(path)
    return path


def make_base(path):
    if True:
        tree = os.path.join(DIR, "tree")
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(os.path.join(tree, "old"))
        for k in range(5):
            with open(os.path.join(tree, "old", "file%d" % k), "wb") as f:
                f.write(bytes(range(256)) * (k * 40 + 1))
        tmp = path + ".tmp"
        subprocess.run([tool("mke2fs"), "-q", "-F", "-t", "ext2", "-r", "1", "-b", "4096", "-d", tree, tmp, "16M"],
                       check=True, capture_output=True)
        os.replace(tmp, path)
        shutil.rmtree(tree)


def kill_point(name, rng):
    """One crash: boot, run crashload, kill at a random moment, check."""
    path = os.path.join(DIR, name + ".img")
    shutil.copyfile(base_image(), path)
    seed = rng.randrange(1 << 20)
    delay = rng.uniform(0, 2.5)
    cpus = rng.choice((1, 1, 2))
    where = "%s (workload seed %d, kill %.2fs after start, %d harts)" % (name, seed, delay, cpus)
    with Guest(disk=path, args="root=mnt", cpus=cpus) as g:
        g.boot(timeout=60)
        assert "ext2: /dev/vda mounted on /mnt" in g.out, g.tail()
        g.send("/test/crashload /mnt/w %d 600\n" % seed)
        g.expect(r"\nstart\n", timeout=30)
        time.sleep(delay)
        g.close()
        out = g.out
    assert "panic" not in out, "%s: %s" % (where, out[-2000:])
    r = subprocess.run([tool("e2fsck"), "-p", path], capture_output=True, text=True, timeout=60)
    assert r.returncode in (0, 1), "%s: e2fsck -p exit %d (not repaired silently):\n%s%s" % (
        where, r.returncode, r.stdout[-3000:], r.stderr[-3000:])
    r = subprocess.run([tool("e2fsck"), "-fn", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, "%s: e2fsck -fn after -p: exit %d\n%s" % (where, r.returncode, r.stdout[-3000:])
    synced = FSYNCED.findall(out)
    for fname, length, sum_ in synced:
        inside = fname[len("/mnt"):]
        r = subprocess.run([tool("debugfs"), "-R", "cat " + inside, path], capture_output=True, timeout=60)
        assert len(r.stdout) == int(length) and fnv(r.stdout) == int(sum_), \
            "%s: %s was fsynced with %s bytes, reads back %d bytes (%s): %s" % (
                where, fname, length, len(r.stdout), "same sum" if fnv(r.stdout) == int(sum_) else "differs",
                r.stderr.decode()[-300:])
    os.remove(path)
    return len(synced)


def crash_run(part):
    def run(g):
        g.close()
        rng = random.Random(SEED * 10 + part)
        print("crash_%d: CRASH_SEED=%d, %d kill points" % (part, SEED, POINTS), flush=True)
        synced = 0
        for k in range(POINTS):
            synced += kill_point("c%d-%d" % (part, k), rng)
        print("crash_%d: %d fsynced files read back intact" % (part, synced), flush=True)
        assert synced > 0, "no file was fsynced before any kill: the test checked nothing"
    run.__name__ = "crash_%d" % part
    run.__doc__ = "ext2 after QEMU is killed mid-workload: e2fsck -p repairs, fsynced files intact (part %d)" % part
    return run


for _part in (1, 2, 3):
    test(boot=False, timeout=600)(crash_run(_part))


@test(boot=False, timeout=200)
def crash_truncate_reuse(g):
    """A crash just after blocks freed by O_TRUNC went to a file whose
    inode lives in another inode-table block (crashload reuse): e2fsck -p
    must not find both inodes claiming them (the truncated inode reaches
    the disk before its blocks can be reused)."""
    g.close()
    path = os.path.join(DIR, "reuse.img")
    shutil.copyfile(base_image(), path)
    with Guest(disk=path, args="root=mnt") as h:
        h.boot(timeout=60)
        h.send("/test/crashload reuse /mnt/r\n")
        h.expect(r"\nwindow\n", timeout=60)
        h.close()
        out = h.out
    assert "not ok" not in out, out[-1500:]
    r = subprocess.run([tool("e2fsck"), "-p", path], capture_output=True, text=True, timeout=60)
    assert r.returncode in (0, 1), "e2fsck -p exit %d:\n%s%s" % (r.returncode, r.stdout[-3000:], r.stderr[-2000:])
    r = subprocess.run([tool("e2fsck"), "-fn", path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, "e2fsck -fn after -p: exit %d\n%s" % (r.returncode, r.stdout[-3000:])
    os.remove(path)
