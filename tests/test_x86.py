"""x86-64 (issue 12): the kernel built with ARCH=x86_64 boots on QEMU's
microvm, under KVM when /dev/kvm opens and under TCG always.

Host-side tests: each builds build/x86_64/kernel.elf (make ARCH=x86_64),
a one-program initramfs of its own (a tiny static program written here,
its first instruction the thing under test) and boots it, reading the
console until QEMU exits.  They need no musl programs, so they run before
user/ builds for x86-64; they skip where the host has no x86-64 gcc or
qemu-system-x86_64.  The accelerator is named in each test's name; on
this machine KVM is the kvm-pvm module, whose `syscall` does not reach
the kernel (see docs/design.md), so the tests that make system calls run
under TCG only.
"""
import os
import re
import shutil
import subprocess
import threading
import time

from harness import host_test, Skip, ROOT

B = os.path.join(ROOT, "build", "x86_64")
KERNEL = os.path.join(B, "kernel.elf")
BUILD_LOCK = threading.Lock()
_built = []


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def build_kernel():
    if not shutil.which("qemu-system-x86_64") or not shutil.which("gcc"):
        raise Skip("no qemu-system-x86_64 or gcc on this host")
    with BUILD_LOCK:
        if not _built:
            r = subprocess.run(["make", "-s", "ARCH=x86_64", "build/x86_64/kernel.elf"], cwd=ROOT,
                               capture_output=True, text=True, timeout=600)
            assert r.returncode == 0, "make ARCH=x86_64 failed:\n" + r.stdout[-2000:] + r.stderr[-2000:]
            _built.append(1)


# The programs: C without a C library; sys() is the syscall instruction
# with Linux's registers, the numbers come from Trapdoor's own list, as
# the kernel sees it (TRAPDOOR_KERNEL: the x86-64 numbers, where the list
# has them, without the header generated for user programs).
PRELUDE = r"""
#include "trapdoor/sysnum.h"
static long sys(long n, long a, long b, long c)
{
	long r;
	asm volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
static long len(const char *s) { long n = 0; while (s[n]) n++; return n; }
static void say(const char *s) { sys(SYS_write, 1, (long)s, len(s)); }
"""


def initrd(name, body, prelude=True):
    """Build /bin/init from `body` (the statements of _start) into a
    scratch initramfs; return its path."""
    d = os.path.join(B, "xtest", name)
    root = os.path.join(d, "root")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(root, "bin"))
    src = os.path.join(d, "init.c")
    with open(src, "w") as f:
        f.write((PRELUDE if prelude else "") + "void _start(void)\n{\n" + body + "\n\tfor (;;)\n\t\t;\n}\n")
    r = subprocess.run(["gcc", "-static", "-nostdlib", "-ffreestanding", "-fno-pie", "-no-pie", "-O1",
                        "-fno-stack-protector", "-DTRAPDOOR_KERNEL", "-I" + os.path.join(ROOT, "include"), "-o",
                        os.path.join(root, "bin", "init"), src], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = os.path.join(d, "initrd.cpio")
    files = subprocess.run(["find", ".", "-mindepth", "1"], cwd=root, capture_output=True, text=True).stdout
    with open(out, "wb") as f:
        subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=root, input="\n".join(
            sorted(files.split())).encode() + b"\n", stdout=f, check=True)
    return out


def boot(rd, accel, cpus=1, args="", timeout=60, send=None, extra=()):
    """Boot the kernel with initramfs rd; return (console, exit status).
    send: (after_this_text, bytes) typed once that text has appeared."""
    cmd = ["qemu-system-x86_64", "-machine", "microvm,acpi=on,rtc=on,pit=on", "-accel", accel,
           "-cpu", "host,-arch-capabilities" if accel == "kvm" else "max", "-smp", str(cpus), "-m", "128M",
           "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-kernel", KERNEL, "-initrd", rd, "-append", args] + list(extra)
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = []

    def reader():
        for chunk in iter(lambda: p.stdout.read1(4096), b""):
            out.append(chunk.decode("utf-8", "replace").replace("\r", ""))
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    deadline = time.time() + timeout
    sent = send is None
    while p.poll() is None and time.time() < deadline:
        if not sent and send[0] in "".join(out):
            time.sleep(0.5)
            p.stdin.write(send[1])
            p.stdin.flush()
            sent = True
        time.sleep(0.05)
    if p.poll() is None:
        p.kill()
        p.wait()
        t.join(2)
        raise AssertionError("QEMU still running after %ds; console:\n%s" % (timeout, "".join(out)[-3000:]))
    t.join(2)
    return "".join(out), p.returncode


def accels():
    return ["kvm", "tcg"] if kvm_usable() else ["tcg"]


def for_each_accel(name, fn, kvm=True):
    """One test per accelerator: name_kvm (skipped without /dev/kvm) and
    name_tcg."""
    for accel in ("kvm", "tcg") if kvm else ("tcg",):
        def run(accel=accel):
            if accel == "kvm" and not kvm_usable():
                raise Skip("/dev/kvm not usable here")
            build_kernel()
            fn(accel)
        host_test(timeout=180, name="%s_%s" % (name, accel))(run)


# --- the boot, on 1 and 4 CPUs ------------------------------------------

def boot_banner(accel):
    """The banner names the accelerator and the tick; init dies on its
    first instruction (ud2), and QEMU's exit status says it failed."""
    rd = initrd("ud2_" + accel, '\tasm volatile("ud2");', prelude=False)
    out, status = boot(rd, accel)
    assert re.search(r"Trapdoor: limited direct execution on x86-64 under %s \(cpu 0 of 1, \d+ MiB RAM\)"
                     % accel.upper(), out), out
    assert re.search(r"timer: every 10000 us, .* \((tsc-deadline|lapic one-shot)\)", out), out
    assert re.search(r"pid 1 \(init\): illegal instruction at 0x401000, pc 0x401000: killed \(SIGILL\)", out), out
    assert "init exited with status 4: powering off" in out, out
    assert status == 3, "a failing power-off (isa-debug-exit) exits QEMU with 3, not %d" % status


for_each_accel("x86_boot_banner", boot_banner)


def clean_poweroff(accel):
    rd = initrd("exit0_" + accel, "\tsys(SYS_exit, 0, 0, 0);")
    out, status = boot(rd, accel)
    assert "init exited with status 0: powering off" in out, out
    assert status == 0, "a clean power-off (ACPI S5) exits QEMU with 0, not %d" % status


for_each_accel("x86_clean_poweroff", clean_poweroff)


def four_cpus(accel):
    rd = initrd("spin4_" + accel, "", prelude=False)
    out = boot_until(rd, accel, 4, r"cpus: 4 running")
    assert re.search(r"\(cpu 0 of 4, \d+ MiB RAM\)", out), out


def boot_until(rd, accel, cpus, pattern, keys=None, then=None, timeout=60):
    """Boot, wait for pattern (then type keys and wait for `then`); kill
    QEMU; return the console."""
    cmd = ["qemu-system-x86_64", "-machine", "microvm,acpi=on,rtc=on,pit=on", "-accel", accel,
           "-cpu", "host,-arch-capabilities" if accel == "kvm" else "max", "-smp", str(cpus), "-m", "128M",
           "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
           "-kernel", KERNEL, "-initrd", rd, "-append", ""]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = []
    t = threading.Thread(target=lambda: [out.append(c.decode("utf-8", "replace").replace("\r", ""))
                                         for c in iter(lambda: p.stdout.read1(4096), b"")], daemon=True)
    t.start()
    try:
        deadline = time.time() + timeout
        while not re.search(pattern, "".join(out)):
            assert p.poll() is None and time.time() < deadline, "waiting for %r:\n%s" % (pattern, "".join(out)[-3000:])
            time.sleep(0.05)
        if keys:
            time.sleep(1)  # let the program under test run for a while first
            p.stdin.write(keys)
            p.stdin.flush()
            while not re.search(then, "".join(out)):
                assert p.poll() is None and time.time() < deadline, "waiting for %r:\n%s" % (then, "".join(out)[-3000:])
                time.sleep(0.05)
        return "".join(out)
    finally:
        p.kill()
        p.wait()


for_each_accel("x86_four_cpus", four_cpus)


# --- the tick and the console interrupt -----------------------------------

def ticks_and_ctrl_p(accel):
    """init spins in user mode; the timer takes the CPU from it (its
    TICKS grow), and Ctrl-P typed on COM1 arrives by the IOAPIC's
    interrupt and prints the process table."""
    rd = initrd("spin_" + accel, "", prelude=False)
    row = r"\n1 +0 +0 +running +init +(\d+)"
    out = boot_until(rd, accel, 1, r"timer: every", keys=b"\x10", then=row)
    m = re.search(row, out)
    assert m and int(m.group(1)) > 0, "init ran without a single tick:\n" + out


for_each_accel("x86_ticks_and_console_irq", ticks_and_ctrl_p)


# --- the seed's mechanism: privileged instructions, faults -----------------

PRIVILEGED = [
    ("cli", "cli"),
    ("hlt", "hlt"),
    ("out", "outb %al, $0x80"),
    ("in", "inb $0x60, %al"),
    ("lidt", "lidt (%rsp)"),
    ("wrmsr", "wrmsr"),
    ("cr3", "mov %rax, %cr3"),
    ("sti", "sti"),
    ("int80", "int $0x80"),  # a gate of DPL 0: #GP with the gate in the error code
    ("lgdt", "lgdt (%rsp)"),
]


def privileged(accel):
    for what, insn in PRIVILEGED:
        rd = initrd("priv_%s_%s" % (what, accel), '\tasm volatile("%s");' % insn, prelude=False)
        out, status = boot(rd, accel)
        assert re.search(r"pid 1 \(init\): illegal or privileged instruction at 0x401000, pc 0x401000: "
                         r"killed \(SIGILL\)", out), "%s:\n%s" % (insn, out)
        assert status == 3, "%s: QEMU exit %d" % (insn, status)


for_each_accel("x86_privileged_instructions_killed", privileged)


def page_faults(accel):
    cases = [
        ("kstore", "\t*(volatile long *)0xffff800000100000UL = 1;", r"store to kernel memory at 0xffff800000100000"),
        ("kload", "\t(void)*(volatile long *)0xffffffff80100000UL;", r"load from kernel memory at 0xffffffff80100000"),
        ("unmapped", "\t(void)*(volatile long *)0x12345678UL;", r"load page fault at 0x12345678, pc 0x401000: killed \(SIGSEGV\)"),
        ("kjump", "\t((void (*)(void))0xffffffff80100000UL)();", r"jump into kernel memory at 0xffffffff80100000"),
        # no page fault at all: a non-canonical address is a #GP, without CR2
        ("noncanon", "\t(void)*(volatile long *)0x8000000000000000UL;",
         r"general protection fault \(non-canonical address\) at 0x401000, pc 0x401000: killed \(SIGSEGV\)"),
    ]
    for name, body, want in cases:
        rd = initrd("pf_%s_%s" % (name, accel), body, prelude=False)
        out, status = boot(rd, accel)
        assert re.search(r"pid 1 \(init\): " + want, out), "%s:\n%s" % (name, out)
        assert status == 3, "%s: QEMU exit %d" % (name, status)


for_each_accel("x86_page_faults_name_cr2", page_faults)


# --- system calls: syscall/sysretq, copy routines (TCG: see the docstring) --

def syscalls(accel):
    body = r"""
	say("hello from ring 3\n");
	long pid = sys(SYS_getpid, 0, 0, 0);
	char b[3] = {'0' + (char)pid, '\n', 0};
	say("pid ");
	say(b);
	/* a bad pointer: the copy routine's fault must come back as -EFAULT */
	long r = sys(SYS_write, 1, 0x10, 4);
	say(r == -14 ? "write(bad pointer) = -EFAULT\n" : "write(bad pointer) did not fail\n");
	r = sys(SYS_write, 1, 0xffff800000100000L, 4);
	say(r == -14 ? "write(kernel pointer) = -EFAULT\n" : "write(kernel pointer) did not fail\n");
	asm volatile("cli");
	say("not reached\n");
"""
    rd = initrd("syscall_" + accel, body)
    out, status = boot(rd, accel)
    assert "hello from ring 3\npid 1\n" in out, out
    assert "write(bad pointer) = -EFAULT" in out, out
    assert "write(kernel pointer) = -EFAULT" in out, out
    assert re.search(r"pid 1 \(init\): illegal or privileged instruction at 0x[0-9a-f]+, pc 0x[0-9a-f]+: "
                     r"killed \(SIGILL\)", out), out
    assert "not reached" not in out, out
    assert status == 3, status


for_each_accel("x86_syscall_sysret", syscalls)


def fpu_state(accel, cpus=1):
    """Two processes compute with SSE registers across preemptions: each
    must find its own values again (XSAVE/XRSTOR by the #NM trap)."""
    body = r"""
	long child = sys(SYS_fork, 0, 0, 0);
	double x = child ? 1.0 : 1000.0;
	asm volatile("movq %0, %%xmm5" :: "r"(*(long *)&x));
	for (volatile long i = 0; i < 40000000; i++)
		;
	long back;
	asm volatile("movq %%xmm5, %0" : "=r"(back));
	say(back == *(long *)&x ? (child ? "parent: xmm5 kept\n" : "child: xmm5 kept\n") : "xmm5 changed\n");
	if (child) {
		int st;
		sys(SYS_wait, (long)&st, 0, 0);
		sys(SYS_exit, 0, 0, 0);
	}
	sys(SYS_exit, 0, 0, 0);
"""
    rd = initrd("fpu%d_%s" % (cpus, accel), body)
    out, status = boot(rd, accel, cpus=cpus, timeout=120)
    assert "parent: xmm5 kept" in out and "child: xmm5 kept" in out, out
    assert "xmm5 changed" not in out, out


for_each_accel("x86_fpu_xsave_across_switches", fpu_state, kvm=False)


def fpu_state_4cpus(accel):
    """The same on 4 CPUs: parent and child run on different CPUs at once,
    each CPU's lazily loaded state its own."""
    fpu_state(accel, cpus=4)


for_each_accel("x86_fpu_xsave_4cpus", fpu_state_4cpus, kvm=False)


# --- the disk: virtio-blk on microvm's virtio-mmio, ext2 root -------------

def disk_root(accel):
    """The root on an ext2 image (virtio-blk): /bin/init comes from the
    disk, and reads a file there after boot, when a read sleeps until the
    disk's interrupt (second IOAPIC, GSI 24 + slot) wakes it."""
    body = r"""
	char buf[64];
	long fd = sys(SYS_open, (long)"/etc/motd", 0, 0);
	long n = fd >= 0 ? sys(SYS_read, fd, (long)buf, sizeof buf - 1) : fd;
	if (n > 0) {
		buf[n] = 0;
		say(buf);
	} else {
		say("cannot read /etc/motd\n");
	}
	sys(SYS_exit, 0, 0, 0);
"""
    rd = initrd("disk_" + accel, body)
    d = os.path.dirname(rd)
    root = os.path.join(d, "root")
    os.makedirs(os.path.join(root, "etc"))
    with open(os.path.join(root, "etc", "motd"), "w") as f:
        f.write("read from the ext2 disk\n")
    img = os.path.join(d, "disk.img")
    mke2fs = next((p for p in ("/sbin/mke2fs", "/usr/sbin/mke2fs") if os.path.exists(p)), "mke2fs")
    r = subprocess.run([mke2fs, "-q", "-F", "-t", "ext2", "-r", "1", "-b", "4096", "-d", root, img, "16M"],
                       capture_output=True, text=True)
    if r.returncode:
        raise Skip("mke2fs: " + r.stderr)
    # An initramfs without /etc/motd: the file can only come from the disk.
    os.remove(os.path.join(root, "etc", "motd"))
    out, status = boot(rd, accel, extra=["-global", "virtio-mmio.force-legacy=false",
                                        "-drive", "file=%s,if=none,format=raw,id=d0" % img,
                                        "-device", "virtio-blk-device,drive=d0"])
    assert re.search(r"virtio-blk: /dev/vda at 0xfeb0[0-9a-f]+ irq \d+, 16 MiB", out), out
    assert "read from the ext2 disk" in out, out
    assert status == 0, status


for_each_accel("x86_disk_root", disk_root)
