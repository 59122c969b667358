"""Corrupted ext2 images (issue 11, point 7): never a panic, never a hang.

A small image is made by mke2fs -d from a small tree; each test copy gets
one corruption, targeted (bad magic, impossible counts and sizes, an inode
pointing outside the disk, bad rec_len, a directory loop, a block used
twice, bad indirect blocks, a huge i_size, bad symlinks...) or random
(bytes of the superblock, group descriptors, inode table, bitmaps,
directory or indirect blocks changed, from a seeded RNG whose seed is
printed: BADIMAGE_SEED=N replays it, BADIMAGE_N=N sets the images per
random test, default 60, four tests).  The guest boots with the image
on /mnt (root=mnt) and user/tests/badwalk.c as its first program: it
walks, reads and writes what it finds and powers off.  The verdict: no panic, "badwalk end" and the
poweroff within a hard timeout, and a refused mount names its reason."""
import os
import random
import re
import shutil
import struct
import subprocess
import threading

import harness
from harness import test
from guest import Guest

DIR = os.path.join(harness.ROOT, "build", "test-badimage")
SEED = int(os.environ.get("BADIMAGE_SEED", "0")) or random.SystemRandom().randrange(1, 1 << 30)
N = int(os.environ.get("BADIMAGE_N", "60"))
BS = 4096
LOCK = threading.Lock()
REASON = re.compile(r"ext2: /dev/vda (refused|corrupt|cannot read|not mounted: block size)[^\n]*\n")


def tool(name):
    path = shutil.which(name) or next((p for p in ("/sbin/" + name, "/usr/sbin/" + name) if os.path.exists(p)), None)
    if not path:
        raise harness.Skip("%s not installed (e2fsprogs: sh tools/deps.sh)" % name)
    return path


def debugfs(path, *cmds, write=False):
    r = subprocess.run([tool("debugfs")] + (["-w"] if write else []) + ["-f", "-", path],
                       input="\n".join(cmds) + "\n", capture_output=True, text=True, timeout=30)
    return r.stdout


def base():
    """The image and what the corruptions need to know of it:
    {"img", "initrd", "ino": {path: n}, "blocks": {path: [..]}, "ind", "itable"}."""
    with LOCK:
        if hasattr(base, "info"):
            return base.info
        os.makedirs(DIR, exist_ok=True)
        tree = os.path.join(DIR, "tree")
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(os.path.join(tree, "a", "b"))
        for name, size in (("small", 100), ("a/mid", 9000), ("a/big", 20 * BS + 7), ("a/b/deep", 5000)):
            with open(os.path.join(tree, name), "wb") as f:
                f.write(bytes((i * 13) & 0xff for i in range(size)))
        os.symlink("small", os.path.join(tree, "fast"))
        os.symlink("a/" + "x" * 90, os.path.join(tree, "slow"))
        img = os.path.join(DIR, "base.img")
        subprocess.run([tool("mke2fs"), "-q", "-F", "-t", "ext2", "-r", "1", "-b", str(BS), "-N", "64",
                        "-d", tree, img, "1M"], check=True, capture_output=True)
        shutil.rmtree(tree)
        # a small initramfs: the walker is all the guest runs
        rd = os.path.join(DIR, "rd")
        shutil.rmtree(rd, ignore_errors=True)
        os.makedirs(os.path.join(rd, "test"))
        shutil.copy(os.path.join(harness.BDIR, "rootfs", "test", "badwalk"), os.path.join(rd, "test"))
        cpio = os.path.join(DIR, "initrd.cpio")
        names = subprocess.run("cd %s && find . -mindepth 1 | LC_ALL=C sort" % rd, shell=True, capture_output=True,
                               text=True, check=True).stdout
        with open(cpio, "wb") as f:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=rd, input=names.encode(),
                           stdout=f, check=True)
        shutil.rmtree(rd)
        info = {"img": img, "initrd": cpio, "ino": {}, "blocks": {}}
        for p in ("/", "/small", "/a", "/a/mid", "/a/big", "/a/b", "/a/b/deep", "/fast", "/slow"):
            out = debugfs(img, "stat " + p)
            info["ino"][p] = int(re.search(r"Inode: (\d+)", out).group(1))
            info["blocks"][p] = [int(x) for x in re.findall(r"\(\d+(?:-\d+)?\):(\d+)", out)]
            m = re.search(r"\(IND\):(\d+)", out)
            if m:
                info["ind"] = int(m.group(1))
        with open(img, "rb") as f:
            f.seek(BS)
            gd = f.read(32)
        info["bbitmap"], info["ibitmap"], info["itable"] = struct.unpack_from("<III", gd, 0)
        base.info = info
        return info


def poke(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


def u32(v):
    return struct.pack("<I", v & 0xffffffff)


def u16(v):
    return struct.pack("<H", v & 0xffff)


def dirent_off(info, d, k):
    """Byte offset of the k-th entry of directory d's first block."""
    blk = info["blocks"][d][0]
    with open(info["img"], "rb") as f:
        f.seek(blk * BS)
        data = f.read(BS)
    off = 0
    for _ in range(k):
        off += struct.unpack_from("<H", data, off + 4)[0]
    return blk * BS + off


SB = 1024
TARGETED = [
    # (name, corrupt(path, info), what the console must say or None)
    ("bad magic", lambda p, i: poke(p, SB + 56, u16(0x1234)), "refused: bad magic"),
    ("blocks count past the disk", lambda p, i: poke(p, SB + 4, u32(0x7fffffff)), "refused: "),
    ("zero blocks count", lambda p, i: poke(p, SB + 4, u32(0)), "refused: "),
    ("inodes count wrong", lambda p, i: poke(p, SB + 0, u32(12345)), "refused: "),
    ("block size 1024 << 9", lambda p, i: poke(p, SB + 24, u32(9)), "refused: block size"),
    ("block size 1024", lambda p, i: poke(p, SB + 24, u32(0)), "refused: "),
    ("zero inodes per group", lambda p, i: poke(p, SB + 40, u32(0)), "refused: "),
    ("inode size 3", lambda p, i: poke(p, SB + 88, u16(3)), "refused: inode size"),
    ("more free blocks than blocks", lambda p, i: poke(p, SB + 12, u32(0xffffff)), "refused: "),
    ("inode table outside the disk", lambda p, i: poke(p, BS + 8, u32(0xfffff0)), "refused: "),
    ("root inode not a directory", lambda p, i: debugfs(p, "sif <2> mode 0100644", write=True), "corrupt"),
    ("inode pointing outside the disk", lambda p, i: debugfs(p, "sif /a/mid block[0] 999999", write=True), None),
    ("directory block outside the disk", lambda p, i: debugfs(p, "sif /a block[0] 4000000000", write=True), None),
    ("rec_len 0", lambda p, i: poke(p, dirent_off(i, "/a", 2) + 4, u16(0)), None),
    ("rec_len unaligned", lambda p, i: poke(p, dirent_off(i, "/a", 1) + 4, u16(13)), None),
    ("rec_len past the block", lambda p, i: poke(p, dirent_off(i, "/", 2) + 4, u16(8000)), None),
    ("name_len past rec_len", lambda p, i: poke(p, dirent_off(i, "/a", 2) + 6, bytes([250])), None),
    ("directory loop", lambda p, i: debugfs(p, "ln /a /a/b/up", "sif /a links_count 3", write=True), None),
    ("directory's .. at itself", lambda p, i: poke(p, dirent_off(i, "/a/b", 1), u32(i["ino"]["/a/b"])), None),
    ("block used twice", lambda p, i: debugfs(p, "sif /a/b/deep block[0] %d" % i["blocks"]["/a/mid"][0],
                                             write=True), None),
    ("file block on the inode table", lambda p, i: debugfs(p, "sif /a/mid block[1] %d" % i["itable"],
                                                          write=True), None),
    ("indirect block outside the disk", lambda p, i: debugfs(p, "sif /a/big block[IND] 77777777", write=True),
     None),
    ("indirect block full of bad numbers", lambda p, i: poke(p, i["ind"] * BS, b"\xff\xfe\xfd\x7f" * 1024), None),
    ("indirect block is the group descriptors", lambda p, i: debugfs(p, "sif /a/big block[IND] 1", write=True),
     None),
    ("i_size huge", lambda p, i: debugfs(p, "sif /a/mid size 0x7fffffffffffff", write=True), None),
    ("directory i_size huge", lambda p, i: debugfs(p, "sif /a size 0x7ffffffff000", write=True), None),
    ("directory i_size unaligned", lambda p, i: debugfs(p, "sif /a size 4095", write=True), None),
    ("fast symlink length 200", lambda p, i: debugfs(p, "sif /fast size 200", write=True), None),
    ("slow symlink length 100000", lambda p, i: debugfs(p, "sif /slow size 100000", write=True), None),
    ("slow symlink block 0", lambda p, i: debugfs(p, "sif /slow block[0] 0", write=True), None),
    ("entry naming inode 0xffffffff", lambda p, i: poke(p, dirent_off(i, "/a", 2), u32(0xffffffff)), None),
    ("entry naming a free inode", lambda p, i: poke(p, dirent_off(i, "/a", 2), u32(60)), None),
    ("links count 0", lambda p, i: debugfs(p, "sif /a/mid links_count 0", write=True), None),
]


def boot_on(path, what):
    """One boot on the image: the verdict, as an assertion."""
    info = base()
    with Guest(disk=path, initrd=info["initrd"], args="root=mnt init=/test/badwalk quiet=1") as g:
        try:
            g.expect(r"badwalk end\n", timeout=60)
            g.wait_exit(timeout=30)
        except Exception as e:
            raise AssertionError("%s: %s%s\n%s" % (what, "panic: " if "panic" in g.out else "", e, g.tail(30)))
        out = g.out
    assert "panic" not in out, "%s: %s" % (what, out[-2500:])
    if "mounted on /mnt" not in out:
        assert REASON.search(out), "%s: not mounted, and no reason given:\n%s" % (what, out[-1500:])
    return out


def fresh(name):
    path = os.path.join(DIR, name + ".img")
    shutil.copyfile(base()["img"], path)
    return path


@test(boot=False, timeout=400)
def badimage_targeted(g):
    """Each targeted corruption: refused with its reason, or met with
    errors, never a panic or a hang."""
    g.close()
    info = base()
    for k, (what, corrupt, expect) in enumerate(TARGETED):
        path = fresh("t%d" % k)
        corrupt(path, info)
        out = boot_on(path, what)
        if expect:
            assert "ext2: /dev/vda " + expect in out or expect in out, "%s: wanted %r:\n%s" % (what, expect,
                                                                                              out[-1500:])
        os.remove(path)


def regions(info):
    """(first byte, length) of the metadata worth corrupting."""
    it = info["itable"] * BS
    dirs = [info["blocks"][d][0] * BS for d in ("/", "/a", "/a/b")]
    bitmaps = [(info["bbitmap"] * BS, 32), (info["ibitmap"] * BS, 8)]
    return [(SB, 264), (BS, 32), (it, 20 * 256), (it, 20 * 256)] + [(d, 256) for d in dirs] + bitmaps + \
        [(info["ind"] * BS, 128)]


def random_run(part):
    def run(g):
        g.close()
        info = base()
        rng = random.Random(SEED * 10 + part)
        print("badimage_random_%d: BADIMAGE_SEED=%d, %d images" % (part, SEED, N), flush=True)
        for k in range(N):
            start, n = rng.choice(regions(info))
            flips = []
            for _ in range(rng.randint(1, 6)):
                off = start + rng.randrange(n)
                flips.append((off, rng.choice((rng.randrange(256), 0, 0xff, 1 << rng.randrange(8)))))
            path = fresh("r%d-%d" % (part, k))
            with open(path, "r+b") as f:
                for off, v in flips:
                    f.seek(off)
                    old = f.read(1)[0]
                    f.seek(off)
                    f.write(bytes([v if v not in (1, 2, 4, 8, 16, 32, 64, 128) else old ^ v]))
            boot_on(path, "random image %d-%d (BADIMAGE_SEED=%d), bytes set %s" % (
                part, k, SEED, ", ".join("%d=%#x" % fv for fv in flips)))
            os.remove(path)
    run.__name__ = "badimage_random_%d" % part
    run.__doc__ = "randomly corrupted images (part %d): no panic, no hang" % part
    return run


for _part in (1, 2, 3, 4):
    test(boot=False, timeout=600)(random_run(_part))
