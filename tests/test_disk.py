"""The disk: virtio-blk, the buffer cache, /dev/vda, the ext2 superblock (issue 11).

Each test boots with its own image under build/test-disks/: an ext2 file
system (made by the host's mke2fs) in the first FS_BLOCKS blocks, and past
it a pattern the guest can check without being told (word i of the disk
holds i ^ 0xa5a5a5a5)."""
import array
import os
import shutil
import struct
import subprocess

import harness
from harness import test
from guest import Guest

BS = 4096
FS_BLOCKS = 2048            # 8 MiB of ext2
DIR = os.path.join(harness.ROOT, "build", "test-disks")


def tool(name):
    path = shutil.which(name) or next((p for p in ("/sbin/" + name, "/usr/sbin/" + name) if os.path.exists(p)), None)
    if not path:
        raise harness.Skip("%s not installed (e2fsprogs: sh tools/deps.sh)" % name)
    return path


def image(name, mib=16, pattern=True):
    """A fresh image: ext2 in the first FS_BLOCKS blocks, the pattern after."""
    os.makedirs(DIR, exist_ok=True)
    path = os.path.join(DIR, name + ".img")
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    subprocess.run([tool("mke2fs"), "-q", "-F", "-t", "ext2", "-r", "1", "-b", str(BS), path, str(FS_BLOCKS)],
                   check=True)
    if pattern:
        start, end = FS_BLOCKS * BS // 4, (mib << 20) // 4
        words = array.array("I", range(start, end))
        words = array.array("I", (w ^ 0xa5a5a5a5 for w in words))
        with open(path, "r+b") as f:
            f.seek(start * 4)
            f.write(words.tobytes())
    return path


def with_disk(name, **kw):
    """setup= for @test: make the image, attach it."""
    return lambda: {"disk": image(name, **kw)}


def tap(g, cmd, timeout=120):
    """Run an in-guest TAP program; fail with its "not ok" lines."""
    results = harness.run_guest_program(g, cmd, timeout)
    bad = [detail for _, ok, detail in results if not ok]
    assert not bad, "%s: %s" % (cmd, "; ".join(bad))
    return results


def img(name):
    return os.path.join(DIR, name + ".img")


@test(setup=with_disk("super"), timeout=120)
def disk_superblock(g):
    """The boot reads the superblock through the cache and says what it is;
    user mode reads the magic through /dev/vda."""
    assert "virtio-blk: /dev/vda at" in g.out, g.tail()
    assert "ext2: /dev/vda %d blocks of 4096, " % FS_BLOCKS in g.out and ", clean" in g.out, g.tail()
    tap(g, "/test/disktest magic")
    tap(g, "/test/disktest end")
    out = g.run("ls -l /dev")
    assert "vda" in out, out
    os.remove(img("super"))


def corrupt(name, offset, data):
    path = image(name, pattern=False)
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)
    return path


SB = 1024  # the superblock's byte offset


@test(boot=False, timeout=240)
def disk_bad_superblock(g):
    """A corrupted superblock is refused with a message; the boot goes on."""
    g.close()
    cases = [
        ("badmagic", SB + 56, struct.pack("<H", 0x1234), "bad magic"),
        ("badsize", SB + 4, struct.pack("<I", 10 ** 9), "blocks, but the disk holds"),
        ("badrev", SB + 76, struct.pack("<I", 0), "revision 0"),
        ("badbpg", SB + 32, struct.pack("<I", 0), "blocks and"),
        ("badgdt", BS + 8, struct.pack("<I", 10 ** 8), "outside the file system"),  # inode table of group 0
    ]
    for name, off, data, why in cases:
        with Guest(disk=corrupt(name, off, data)) as h:
            h.boot(timeout=30)
            assert "ext2: /dev/vda refused: " in h.out and why in h.out, (name, h.tail())
            assert h.run("echo still here") == "still here\n", h.tail()
        os.remove(img(name))


@test(setup=with_disk("persist"), timeout=180)
def disk_write_persists(g):
    """A block written through /dev/vda is on the image after poweroff (the
    write-back at poweroff), and reads back after a reboot."""
    block, seed = FS_BLOCKS + 100, 7
    tap(g, "/test/disktest write %d %d" % (block, seed))
    g.send("poweroff\n")
    g.wait_exit(timeout=30)
    with open(img("persist"), "rb") as f:
        f.seek(block * BS)
        words = array.array("I", f.read(BS))
    assert list(words) == [(seed * 2654435761 + i) & 0xffffffff for i in range(BS // 4)], "not on the image"
    fsck = subprocess.run([tool("e2fsck"), "-fn", img("persist")], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    with Guest(disk=img("persist")) as h:
        h.boot(timeout=30)
        tap(h, "/test/disktest check %d %d" % (block, seed))
        tap(h, "/test/disktest pattern %d 50" % (block + 1))
    os.remove(img("persist"))


@test(boot=False, timeout=300)
def disk_random_superblocks(g):
    """Superblocks and group descriptors with random bytes changed: every
    boot reaches the shell, with the file system taken or refused."""
    import random
    g.close()
    rnd = random.Random(11)
    base = image("fuzz0", pattern=False)
    with open(base, "rb") as f:
        head = bytearray(f.read(2 * BS))
    for k in range(16):
        data = bytearray(head)
        for _ in range(rnd.choice((1, 2, 4, 16))):
            # the superblock's first 264 bytes hold every field ext2.c reads
            off = rnd.choice((SB + rnd.randrange(264), BS + rnd.randrange(32)))
            data[off] = rnd.randrange(256)
        path = img("fuzz1")
        shutil.copyfile(base, path)
        with open(path, "r+b") as f:
            f.write(data)
        with Guest(disk=path) as h:
            h.boot(timeout=30)
            assert "ext2: /dev/vda " in h.out, (k, h.tail())
            assert "panic" not in h.out, (k, h.tail())
            assert h.run("echo up") == "up\n", (k, h.tail())
    os.remove(base)
    os.remove(img("fuzz1"))


@test(setup=with_disk("flush"), timeout=120)
def disk_periodic_flush(g):
    """A dirty block reaches the image by the periodic flush alone: QEMU is
    killed, not powered off, once the guest sees nothing dirty."""
    block, seed = FS_BLOCKS + 200, 9
    tap(g, "/test/disktest write %d %d" % (block, seed))
    tap(g, "/test/disktest flushwait", timeout=60)
    g.close()
    with open(img("flush"), "rb") as f:
        f.seek(block * BS)
        words = array.array("I", f.read(BS))
    assert list(words) == [(seed * 2654435761 + i) & 0xffffffff for i in range(BS // 4)], "not on the image"
    os.remove(img("flush"))


@test(setup=with_disk("many"), timeout=120)
def disk_fsync_fills_the_ring(g):
    """fsync of /dev/vda writes every dirty block, more requests than the
    ring holds (the submitter sleeps for space); they are on the image
    when QEMU is killed right after."""
    start, n, seed = FS_BLOCKS + 300, 64, 3
    tap(g, "/test/disktest many %d %d %d" % (start, n, seed))
    g.close()
    with open(img("many"), "rb") as f:
        for b in range(start, start + n):
            f.seek(b * BS)
            words = array.array("I", f.read(BS))
            assert list(words) == [((seed + b) * 2654435761 + i) & 0xffffffff for i in range(BS // 4)], b
    os.remove(img("many"))


@test(setup=with_disk("sleeps"), timeout=120)
def disk_reader_sleeps(g):
    """Slow I/O: the reader sleeps on the block's queue for each miss (and
    the completion interrupt wakes it), with a spinner beside it."""
    g.run("spin 4 &")
    tap(g, "/test/disktest sleeps %d 200" % FS_BLOCKS)
    os.remove(img("sleeps"))


@test(setup=with_disk("par1"), timeout=180)
def disk_parallel_1cpu(g):
    tap(g, "/test/disktest par 6 %d %d" % (FS_BLOCKS, 1024), timeout=150)
    os.remove(img("par1"))


@test(cpus=4, setup=with_disk("par4"), timeout=180)
def disk_parallel_4cpu(g):
    """Many processes on 4 harts read at once: every block arrives intact,
    several requests are in flight, and a block is read from the device once."""
    tap(g, "/test/disktest par 8 %d %d" % (FS_BLOCKS, 2048), timeout=150)
    tap(g, "/test/disktest par 8 %d %d" % (FS_BLOCKS, 2048), timeout=150)  # now all cached
    os.remove(img("par4"))


@test(cpus=4, setup=with_disk("mixed"), timeout=240)
def disk_mixed_readers_writers_4cpu(g):
    """Readers and writers of the same blocks on 4 harts, with fsyncs: no
    block is ever torn, in the cache or on the image (checked on the host
    after QEMU is killed)."""
    start, n = FS_BLOCKS + 1000, 40
    tap(g, "/test/disktest mixed 12 %d %d" % (start, n), timeout=200)
    g.close()
    with open(img("mixed"), "rb") as f:
        for b in range(start, start + n):
            f.seek(b * BS)
            w = array.array("I", f.read(BS))
            host = all(w[i] == ((b * 1024 + i) ^ 0xa5a5a5a5) for i in range(BS // 4))
            whole = all(w[i] == (w[0] * 2654435761 + i) & 0xffffffff for i in range(1, BS // 4))
            assert host or whole, "block %d torn on the image" % b
    os.remove(img("mixed"))


def blkdebug(name, block, wblock):
    """The image behind QEMU's blkdebug driver, failing reads of one block
    and writes of another with EIO: the device answers VIRTIO_BLK_S_IOERR."""
    path = image(name)
    cfg = os.path.join(DIR, name + ".cfg")
    rule = '[inject-error]\nevent = "%s_aio"\nerrno = "5"\nsector = "%d"\nonce = "off"\n\n'
    with open(cfg, "w") as f:
        f.write(rule % ("read", block * 8) + rule % ("write", wblock * 8))
    return {"disk": "file=blkdebug:%s:%s,format=raw" % (cfg, path)}


EIO_BLOCK, WEIO_BLOCK = FS_BLOCKS + 500, FS_BLOCKS + 600


@test(setup=lambda: blkdebug("eio", EIO_BLOCK, WEIO_BLOCK), timeout=120)
def disk_device_error(g):
    """A device error reaches the reader (or fsync) as EIO; the kernel goes on."""
    tap(g, "/test/disktest eio %d" % EIO_BLOCK)
    assert "disk: read of block %d failed" % EIO_BLOCK in g.out, g.tail()
    tap(g, "/test/disktest weio %d" % WEIO_BLOCK)
    assert "disk: write of block %d failed" % WEIO_BLOCK in g.out, g.tail()
    assert g.run("echo alive") == "alive\n"
    os.remove(img("eio"))
    os.remove(os.path.join(DIR, "eio.cfg"))


@test(mem="64M", setup=with_disk("shrink", mib=32, pattern=False), timeout=240)
def disk_cache_shrinks(g):
    """The cache grows into free memory, and a process that needs the
    memory gets it: clean blocks are dropped (kalloc -> bcache_shrink)."""
    tap(g, "/test/disktest shrink", timeout=200)
    os.remove(img("shrink"))


@test(mem="64M", setup=with_disk("shrinkfs", mib=32, pattern=False), timeout=240)
def disk_cache_shrinks_for_files(g):
    """A file in RAM may take the clean cache's memory as well: the file
    system's reserve counts clean blocks as available (kavailpages)."""
    tap(g, "/test/disktest shrinkfs", timeout=200)
    os.remove(img("shrinkfs"))


@test(setup=lambda: {"extra": ["-drive", "file=%s,format=raw,if=none,id=d0" % image("legacy", pattern=False),
                               "-device", "virtio-blk-device,drive=d0"]}, timeout=60)
def disk_legacy_device_ignored(g):
    """QEMU's default legacy virtio-mmio device is not driven, and says why."""
    assert "virtio-blk: legacy device at" in g.out and "force-legacy=false" in g.out, g.tail()
    assert "ls: " not in g.run("ls /dev") and "vda" not in g.run("ls /dev")
    os.remove(img("legacy"))
