"""guest.py: boot Trapdoor in QEMU and talk to its console.

Used by the test harness, the benchmark and the trace tool.  Every wait has
a timeout; close() always kills QEMU, so nothing here can hang the host.
"""
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = "\n$ "

# The guest's architecture: make test ARCH=x86_64 (tools/test.py --arch)
# sets TRAPDOOR_ARCH for everything it runs; BUILD is that architecture's
# build directory (kernel/arch/<arch>/build.mk's B), relative to ROOT.
ARCH = os.environ.get("TRAPDOOR_ARCH", "riscv")
BUILD = {"riscv": "build", "x86_64": os.path.join("build", "x86_64")}[ARCH]


def accel(quiet=True):
    """x86-64's accelerator, chosen here alone (build.mk asks too, through
    `python3 tools/guest.py accel`).  ACCEL=kvm|tcg wins; otherwise KVM when
    /dev/kvm opens for reading and writing, except on kvm-pvm: there KVM
    is itself nested in another hypervisor and emulates the guest kernel:
    user code runs on the CPU, but every kernel path is some 100 times
    slower than under TCG (the boot to the prompt, cut to almost nothing
    of kernel work, takes 0.7 to 1 s against TCG's 0.06 to 0.1 s; a
    system call costs ~340,000 cycles against ~500), and fpu=eager's
    XRSTOR stops it, so TCG is the default (docs/design.md, "Known
    limits")."""
    forced = os.environ.get("ACCEL")
    if forced in ("kvm", "tcg"):
        return forced
    if not (os.access("/dev/kvm", os.R_OK | os.W_OK)):
        return "tcg"
    if os.path.exists("/sys/module/kvm_pvm"):
        if not quiet:
            sys.stderr.write("*** /dev/kvm is kvm-pvm (KVM nested in another hypervisor): the guest kernel "
                             "is emulated, its paths ~100x slower than under TCG; using TCG (ACCEL=kvm to insist)\n")
        return "tcg"
    return "kvm"


def main():
    if sys.argv[1:] == ["accel"]:
        print(accel(quiet=False))
        return 0
    sys.stderr.write("usage: guest.py accel   (prints kvm or tcg: x86-64's accelerator here)\n")
    return 2


class GuestError(Exception):
    pass


def root_image():
    """TRAPDOOR_ROOT=disk (make test ROOT=disk): an ext2 image of
    build/rootfs, made by mke2fs -d when the tree is newer, for guests to
    boot with their root on the disk.  QEMU opens it with snapshot=on, so
    no guest's writes reach it and every guest starts from the same one."""
    path = os.path.join(ROOT, BUILD, "root-disk.img")
    tree = os.path.join(ROOT, BUILD, "rootfs")
    stamp = os.path.join(ROOT, BUILD, "initrd.cpio")
    with ROOT_LOCK:
        if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(stamp):
            mke2fs = next((p for p in ("/sbin/mke2fs", "/usr/sbin/mke2fs") if os.path.exists(p)), "mke2fs")
            tmp = path + ".tmp"
            subprocess.run([mke2fs, "-q", "-F", "-t", "ext2", "-r", "1", "-b", "4096", "-d", tree, tmp, "64M"],
                           check=True, capture_output=True)
            os.replace(tmp, path)
    return "file=%s,format=raw,snapshot=on" % path


ROOT_LOCK = threading.Lock()


class Guest:
    def __init__(self, cpus=1, mem="128M", args="", icount=None, extra=(), initrd=None, disk=None):
        """disk: a raw image file attached as the virtio-blk disk (/dev/vda),
        or a list of QEMU -drive options (e.g. a blkdebug driver); False:
        none even with TRAPDOOR_ROOT=disk."""
        kernel = os.path.join(ROOT, BUILD, "kernel.elf")
        rd = os.path.join(ROOT, initrd or os.path.join(BUILD, "initrd.cpio"))
        if ARCH == "x86_64":
            # kernel/arch/x86_64/build.mk's microvm; -icount is TCG's alone
            self.accel = "tcg" if icount is not None else accel()
            self.cmd = [
                "qemu-system-x86_64", "-machine", "microvm,acpi=on,rtc=on,pit=on", "-accel", self.accel,
                "-cpu", "host,-arch-capabilities" if self.accel == "kvm" else "max",
                "-smp", str(cpus), "-m", mem, "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            ]
        else:
            self.accel = "tcg"
            self.cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64",
                        "-smp", str(cpus), "-m", mem, "-bios", "default"]
        self.cmd += ["-display", "none", "-monitor", "none", "-serial", "stdio",
                     "-kernel", kernel, "-initrd", rd, "-append", args]
        if icount is not None:
            self.cmd += ["-icount", "shift=%d,sleep=off" % icount]
        if disk is None and os.environ.get("TRAPDOOR_ROOT") == "disk" and initrd is None and "-drive" not in extra:
            disk = root_image()
        if disk:
            drive = disk if isinstance(disk, str) and "=" in disk else "file=%s,format=raw" % disk
            self.cmd += ["-global", "virtio-mmio.force-legacy=false",
                         "-drive", drive + ",if=none,id=d0", "-device", "virtio-blk-device,drive=d0"]
        self.cmd += list(extra)
        self.out = ""
        self.pos = 0  # how far expect() has consumed
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(4096) if hasattr(self.proc.stdout, "read1") else self.proc.stdout.read(1)
            if not data:
                break
            text = data.decode("utf-8", "replace").replace("\r", "")
            with self.lock:
                self.out += text

    def alive(self):
        return self.proc.poll() is None

    def expect(self, pattern, timeout=10):
        """Wait for regex pattern after the last match; return the match."""
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        while True:
            with self.lock:
                m = rx.search(self.out, self.pos)
                if m:
                    self.pos = m.end()
                    return m
            if time.time() > deadline:
                raise GuestError("timed out after %ds waiting for %r" % (timeout, pattern))
            if not self.alive():
                # QEMU is gone, but its last output may still be in the pipe:
                # let the reader drain it (it ends at EOF) before looking.
                self.reader.join(timeout=2)
                with self.lock:
                    m = rx.search(self.out, self.pos)
                    if m:
                        self.pos = m.end()
                        return m
                raise GuestError("QEMU exited while waiting for %r" % pattern)
            time.sleep(0.01)

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise GuestError("QEMU is gone")

    def boot(self, timeout=20):
        self.expect(r"\$ $|\$ ", timeout)
        return self

    def run(self, command, timeout=20):
        """Type a command at the shell prompt; return what it printed."""
        start = len(self.out)
        self.send(command + "\n")
        self.pos = max(self.pos, start)
        self.expect(re.escape(PROMPT), timeout)
        with self.lock:
            text = self.out[start:self.pos - len(PROMPT) + 1]
        # drop the echoed command line
        first = text.find("\n")
        return text[first + 1:] if first >= 0 else ""

    def tail(self, n=40):
        with self.lock:
            return "\n".join(self.out.splitlines()[-n:])

    def close(self):
        if self.alive():
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def wait_exit(self, timeout=10):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise GuestError("QEMU did not power off within %ds" % timeout)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


if __name__ == "__main__":
    sys.exit(main())
