"""ext2 on the disk (issue 11): the root file system on /dev/vda.

Each test makes an image of the root tree with the host's mke2fs -d (plus
files of its own), boots with it as the root, runs user/tests/ext2test.c,
powers off, and has the host's e2fsck -fn check the image: clean, with
every free count right.  The pattern files' byte at offset i is
(i * 31 + i // 4096 + seed) & 0xff, as ext2test computes it."""
import os
import shutil
import subprocess

import harness
from harness import test
from guest import Guest

BS = 4096
DIR = os.path.join(harness.ROOT, "build", "test-disks")
ROOTFS = os.path.join(harness.BDIR, "rootfs")
SINGLE, DOUBLE = 12, 12 + 1024
TRIPLE = DOUBLE + 1024 * 1024


def tool(name):
    path = shutil.which(name) or next((p for p in ("/sbin/" + name, "/usr/sbin/" + name) if os.path.exists(p)), None)
    if not path:
        raise harness.Skip("%s not installed (e2fsprogs: sh tools/deps.sh)" % name)
    return path


def pattern(off, n, seed):
    return bytes(((i * 31 + i // BS + seed) & 0xff) for i in range(off, off + n))


def host_files(tree):
    """Files for ext2test host: sizes around each block-map boundary, and
    sparse ones with their data past holes (the last through the triple
    indirect block, 4 GiB in: the host's mke2fs keeps the holes)."""
    d = os.path.join(tree, "host")
    os.makedirs(d)
    sizes = [1, 4095, 4096, 4097, SINGLE * BS, SINGLE * BS + 1, (SINGLE + 30) * BS + 123, (DOUBLE + 2) * BS + 5]
    for k, size in enumerate(sizes):
        with open(os.path.join(d, "pat-%d-%d" % (size, k)), "wb") as f:
            f.write(pattern(0, size, k))
    for k, off in enumerate([16 * BS, (DOUBLE + 8) * BS, (TRIPLE + 9) * BS]):
        with open(os.path.join(d, "hole-%d-%d" % (off, 20 + k)), "wb") as f:
            f.seek(off)
            f.write(pattern(off, BS, 20 + k))


def image(name, mib=64, features=None, extra=None):
    """A fresh image of the root tree (and extra(tree) files) by mke2fs -d."""
    os.makedirs(DIR, exist_ok=True)
    tree = os.path.join(DIR, name + ".tree")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(ROOTFS, tree, symlinks=True)
    if extra:
        extra(tree)
    path = os.path.join(DIR, name + ".img")
    if os.path.exists(path):
        os.remove(path)
    cmd = [tool("mke2fs"), "-q", "-F", "-t", "ext2", "-r", "1", "-b", str(BS)]
    if features:
        cmd += ["-O", features]
    subprocess.run(cmd + ["-d", tree, path, "%dM" % mib], check=True, capture_output=True)
    shutil.rmtree(tree)
    return path


def img(name):
    return os.path.join(DIR, name + ".img")


def with_image(name, **kw):
    return lambda: {"disk": image(name, **kw)}


def fsck(path):
    """e2fsck -fn: the image is clean (exit 0) and says nothing is wrong."""
    r = subprocess.run([tool("e2fsck"), "-fn", path], capture_output=True, text=True)
    assert r.returncode == 0, "e2fsck -fn %s: exit %d\n%s%s" % (path, r.returncode, r.stdout, r.stderr)
    return r.stdout


def tap(g, cmd, timeout=200):
    results = harness.run_guest_program(g, cmd, timeout)
    bad = [detail for _, ok, detail in results if not ok]
    assert not bad, "%s: %s" % (cmd, "; ".join(bad))
    return results


def poweroff(g):
    g.send("poweroff\n")
    assert g.wait_exit(timeout=60) is not None, "no poweroff: " + g.tail()


def on_disk_root(g):
    assert "root: ext2 on /dev/vda" in g.out, g.tail()


@test(setup=with_image("calls1"), timeout=400)
def ext2_calls(g):
    """Every call on ext2 and its errors, then e2fsck clean after poweroff."""
    on_disk_root(g)
    tap(g, "/test/ext2test calls /e2t", timeout=300)
    poweroff(g)
    fsck(img("calls1"))
    os.remove(img("calls1"))


@test(cpus=4, setup=with_image("calls4"), timeout=500)
def ext2_calls_4cpu(g):
    """The same on 4 harts, three runs at once in their own directories."""
    on_disk_root(g)
    g.run("/test/ext2test calls /p1 > /tmp/o1 & /test/ext2test calls /p2 > /tmp/o2 & "
          "/test/ext2test calls /p3 > /tmp/o3 &", timeout=30)
    g.run("wait", timeout=400)
    for k in (1, 2, 3):
        out = g.run("cat /tmp/o%d" % k, timeout=30)
        results = harness.guest_results("ext2test", out + "\nexit=0\n")
        bad = [d for _, ok, d in results if not ok]
        assert not bad and "done" in out, "run %d: %s\n%s" % (k, bad, out[-2000:])
    poweroff(g)
    fsck(img("calls4"))
    os.remove(img("calls4"))


@test(boot=False, timeout=400)
def ext2_persists_across_reboot(g):
    """Write, poweroff (e2fsck clean), boot again and read it all back."""
    g.close()
    path = image("persist")
    with Guest(disk=path) as h:
        h.boot(timeout=60)
        on_disk_root(h)
        tap(h, "/test/ext2test write /keep")
        poweroff(h)
    fsck(path)
    with Guest(disk=path, cpus=2) as h:
        h.boot(timeout=60)
        assert "ext2: /dev/vda " in h.out and ", clean" in h.out, h.tail()
        tap(h, "/test/ext2test check /keep")
        poweroff(h)
    fsck(path)
    os.remove(path)


@test(setup=with_image("host", extra=host_files), timeout=300)
def ext2_reads_host_files(g):
    """Files the host's mke2fs -d put in read back byte for byte: each
    block-map level, holes, one 4 GiB into a sparse file."""
    on_disk_root(g)
    tap(g, "/test/ext2test host /host")
    poweroff(g)
    fsck(img("host"))
    os.remove(img("host"))


@test(setup=with_image("noft", features="^filetype,^dir_index", extra=host_files), timeout=400)
def ext2_without_filetype(g):
    """A file system without the filetype feature (entries without types):
    the calls and the host's files as well."""
    on_disk_root(g)
    tap(g, "/test/ext2test host /host")
    tap(g, "/test/ext2test calls /e2t", timeout=300)
    poweroff(g)
    fsck(img("noft"))
    os.remove(img("noft"))


@test(setup=with_image("full", mib=20), timeout=300)
def ext2_full_disk(g):
    """ENOSPC when the disk is full, room again after an unlink; the free
    counts stay right (e2fsck)."""
    on_disk_root(g)
    tap(g, "/test/ext2test fill /fill")
    poweroff(g)
    fsck(img("full"))
    os.remove(img("full"))


@test(setup=with_image("fsync"), timeout=200)
def ext2_fsync_reaches_the_disk(g):
    """fsync(fd) of a file writes it: QEMU is killed as soon as fsync
    returns (long before the periodic flush), and the host's debugfs reads
    the file from the image byte for byte."""
    on_disk_root(g)
    tap(g, "/test/ext2test fsync /fs")
    g.close()
    r = subprocess.run([tool("debugfs"), "-R", "cat /fs/synced", img("fsync")], capture_output=True)
    assert r.stdout == pattern(0, 3 * BS + 10, 15), "not on the image (%d bytes): %s" % (len(r.stdout), r.stderr)
    os.remove(img("fsync"))


@test(args="refmax=200", setup=with_image("links"), timeout=300)
def ext2_emlink(g):
    """EMLINK at the link limit (refmax= lowers ext2's 32000 for the test)."""
    on_disk_root(g)
    tap(g, "/test/ext2test links /ln 200")
    poweroff(g)
    fsck(img("links"))
    os.remove(img("links"))


@test(boot=False, timeout=200)
def ext2_root_choice(g):
    """The root is the disk only when it is ext2 and holds /bin/init;
    root=ram keeps it in RAM; without a disk it is RAM as before."""
    g.close()
    path = image("choice")
    with Guest(disk=path, args="root=ram") as h:
        h.boot(timeout=60)
        assert "root: ext2" not in h.out, h.tail()
        assert h.run("mount").startswith("ram / ramfs"), h.tail()
    with Guest(disk=False) as h:
        h.boot(timeout=60)
        assert h.run("mount") == "ram / ramfs dev=1\n", h.tail()
    with Guest(disk=path) as h:
        h.boot(timeout=60)
        out = h.run("mount")
        assert out == "/dev/vda / ext2 dev=2\nram /dev ramfs dev=1\nram /tmp ramfs dev=1\n", out
        poweroff(h)
    fsck(path)
    os.remove(path)
    empty = os.path.join(DIR, "empty.img")
    with open(empty, "wb") as f:
        f.truncate(16 << 20)
    subprocess.run([tool("mke2fs"), "-q", "-F", "-t", "ext2", "-b", str(BS), empty], check=True)
    with Guest(disk=empty) as h:
        h.boot(timeout=60)
        assert "ext2: no /bin/init on /dev/vda: the root stays in RAM" in h.out, h.tail()
    os.remove(empty)


def corrupt_files(tree):
    os.makedirs(os.path.join(tree, "bad", "dir"))
    for i in range(20):
        with open(os.path.join(tree, "bad", "dir", "f%d" % i), "w") as f:
            f.write("x\n")
    with open(os.path.join(tree, "bad", "outside"), "w") as f:
        f.write("hello\n")
    with open(os.path.join(tree, "bad", "good"), "w") as f:
        f.write("fine\n")


@test(boot=False, timeout=200)
def ext2_corrupt_blocks_give_eio(g):
    """A directory block with a bad rec_len and a file whose block pointer
    lies outside the disk (written with debugfs): the calls meet EIO and a
    message, the kernel goes on, the rest of the disk reads."""
    g.close()
    path = image("corrupt", extra=corrupt_files)
    debugfs = tool("debugfs")
    blk = int(subprocess.run([debugfs, "-R", "blocks /bad/dir", path], capture_output=True, text=True).stdout.split()[0])
    with open(path, "r+b") as f:
        f.seek(blk * BS + 12 + 4)  # the second entry's rec_len (after "." of 12 bytes)
        f.write(b"\x03\x00")       # 3: not a multiple of 4, shorter than an entry
    subprocess.run([debugfs, "-w", "-R", "sif /bad/outside block[0] 4000000", path], check=True, capture_output=True)
    with Guest(disk=path) as h:
        h.boot(timeout=60)
        on_disk_root(h)
        out = h.run("ls /bad/dir; cat /bad/outside; cat /bad/good", timeout=30)
        assert "ext2: /dev/vda corrupt: directory" in h.out, h.tail()
        assert "ext2: /dev/vda corrupt: inode" in h.out and "outside the file system" in h.out, h.tail()
        assert "fine" in out, out
        assert "panic" not in h.out, h.tail()
        assert h.run("echo still here") == "still here\n", h.tail()
    os.remove(path)


@test(setup=harness.RAM_ROOT, timeout=60)
def symlinks_in_ram(g):
    """ln -s on the RAM file system: the link reads through, ls sees it,
    a dangling one is ENOENT, a loop ELOOP."""
    out = g.run("cd /tmp; echo hi > a; ln -s a b; cat b; ln -s /tmp/a /tmp/abs; cat /tmp/abs; ls", timeout=20)
    assert out == "hi\nhi\na\nabs\nb\n", out
    out = g.run("ln -s nowhere c; cat c; ln -s l l; cat l", timeout=20)
    assert "cat: c: No such file or directory" in out and "cat: l: " in out, out
