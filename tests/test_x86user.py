"""test_x86user.py: the user programs built for x86-64 with musl-gcc -static
(user/arch/x86_64/user.mk) from the same sources as RISC-V's.  Until
Trapdoor boots on x86-64, the ones that use only POSIX run here, natively
on the host's Linux, and must do what they do on Trapdoor."""
import os
import shutil
import struct
import subprocess
import tempfile

from harness import ROOT, Skip, host_test

UXB = os.path.join(ROOT, "build", "x86_64", "rootfs")
PROGS = ["bin/echo", "bin/cat", "bin/wc", "bin/grep", "bin/head", "bin/true", "bin/false", "bin/cp",
         "bin/mv", "bin/mkdir", "bin/rm", "test/seedsys"]


def build(progs):
    if not shutil.which("musl-gcc"):
        raise Skip("no musl-gcc (Debian: musl-tools)")
    subprocess.run(["make", "-s", "-C", ROOT, "-j2"] + ["build/x86_64/rootfs/" + p for p in progs], check=True,
                   capture_output=True, text=True)


def run(prog, *args, cwd=None):
    p = subprocess.run([os.path.join(UXB, prog), *args], capture_output=True, text=True, timeout=30, cwd=cwd)
    return p.returncode, p.stdout


@host_test(timeout=300)
def x86user_static_elf():
    """Every program is a static x86-64 ELF: no interpreter to look for."""
    build(PROGS)
    for prog in PROGS:
        with open(os.path.join(UXB, prog), "rb") as f:
            head = f.read(64)
            assert head[:4] == b"\x7fELF" and head[4] == 2, prog  # 64-bit
            machine, = struct.unpack_from("<H", head, 18)
            assert machine == 62, (prog, machine)  # EM_X86_64
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            f.seek(phoff)
            types = [struct.unpack_from("<I", f.read(phentsize))[0] for _ in range(phnum)]
            assert 3 not in types, "%s has PT_INTERP: not static" % prog


@host_test(timeout=300)
def x86user_posix_programs_run_natively():
    build(PROGS)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "in.txt")
        with open(src, "w") as f:
            f.write("one two\nthree\nfour five six\n")
        assert run("bin/echo", "hello", "world") == (0, "hello world\n")
        assert run("bin/cat", src) == (0, "one two\nthree\nfour five six\n")
        rc, out = run("bin/wc", src)
        assert rc == 0 and out.split()[:3] == ["3", "6", "28"], out
        assert run("bin/grep", "t", src) == (0, "one two\nthree\n")
        assert run("bin/head", "-n", "1", src) == (0, "one two\n")
        assert run("bin/true")[0] == 0 and run("bin/false")[0] == 1
        assert run("bin/mkdir", "sub", cwd=d)[0] == 0 and os.path.isdir(os.path.join(d, "sub"))
        assert run("bin/cp", "in.txt", "sub", cwd=d)[0] == 0
        assert run("bin/mv", "sub/in.txt", "sub/moved", cwd=d)[0] == 0
        with open(os.path.join(d, "sub", "moved")) as f:
            assert f.read() == "one two\nthree\nfour five six\n"
        assert run("bin/rm", "sub/moved", cwd=d)[0] == 0 and os.listdir(os.path.join(d, "sub")) == []


@host_test(timeout=300)
def x86user_seed003_syscall_getpid():
    """Seed 003's syscall(SYS_getpid) with <sys/syscall.h>: musl's number."""
    build(["test/seedsys"])
    p = subprocess.Popen([os.path.join(UXB, "test/seedsys")], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=30)
    assert out == "syscall(SYS_getpid)=%d\ngetpid()=%d\n" % (p.pid, p.pid), out
