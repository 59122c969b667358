#!/usr/bin/env python3
"""mkinitrd.py: write a directory tree as a "cpio -H newc" initramfs, each
regular file's data starting on a 4096-byte boundary of the archive.

    python3 tools/mkinitrd.py DIR OUT

The same archive `find . | sort | cpio -o -H newc -R 0:0` writes, but
with the name of every file of a page or more padded with NULs (newc's
name size counts them; readers stop at the first), so that its data
lies page-aligned: the kernel then takes those pages as the file's own
instead of copying them (kernel/initrd.c, ramfs_adopt).  Entries in
LC_ALL=C order of their paths; owner 0:0; a trailer named TRAILER!!!.
"""
import os
import stat
import sys

PAGE = 4096


def header(ino, mode, nlink, mtime, size, namesize):
    fields = (ino, mode, 0, 0, nlink, mtime, size, 0, 0, 0, 0, namesize, 0)
    return b"070701" + b"".join(b"%08x" % f for f in fields)


def pad4(n):
    return (4 - n % 4) % 4


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkinitrd.py DIR OUT")
    top, out = sys.argv[1], sys.argv[2]
    paths = []
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            paths.append(os.path.relpath(os.path.join(d, n), top))
    paths.sort(key=lambda p: ("./" + p).encode())
    buf = bytearray()
    for ino, rel in enumerate(paths, 1):
        full = os.path.join(top, rel)
        st = os.lstat(full)
        if stat.S_ISREG(st.st_mode):
            with open(full, "rb") as f:
                data = f.read()
        elif stat.S_ISLNK(st.st_mode):
            data = os.readlink(full).encode()
        else:
            data = b""
        name = ("./" + rel).encode()
        namesize = len(name) + 1
        if stat.S_ISREG(st.st_mode) and len(data) >= PAGE:
            # the data starts 4-aligned after the header and the name
            namesize += (-(len(buf) + 110 + namesize)) % PAGE
        nlink = 2 if stat.S_ISDIR(st.st_mode) else 1
        buf += header(ino, st.st_mode, nlink, int(st.st_mtime), len(data), namesize)
        buf += name + b"\0" * (namesize - len(name)) + b"\0" * pad4(110 + namesize)
        buf += data + b"\0" * pad4(len(data))
    buf += header(0, 0, 1, 0, 0, 11) + b"TRAILER!!!\0" + b"\0" * pad4(110 + 11)
    buf += b"\0" * ((-len(buf)) % 512)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
