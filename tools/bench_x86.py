#!/usr/bin/env python3
"""bench_x86.py: one static musl benchmark binary, on this host's Linux and
inside Trapdoor x86-64, side by side in TSC cycles (make bench ARCH=x86_64).

The binary is build/x86_64/rootfs/bin/bench (user/arch/x86_64/bin/bench.c,
musl-gcc -static -O2); the guest runs the copy in build/x86_64/initrd.cpio,
which must be byte for byte the same file (checked: its SHA-256).  On the
host it runs natively, pinned to one CPU; in the guest on one CPU, booted
on QEMU's microvm under KVM when /dev/kvm opens and the guest reaches its
shell there and it is not kvm-pvm (which emulates the guest kernel: there
only the boot is timed under KVM), else under TCG (the output says which,
and why).  For every
metric: the median cycles per operation on Linux, on Trapdoor, and the
ratio Trapdoor / Linux (below 1: Trapdoor is faster).  Also boot-to-prompt
wall time under the accelerator used (and how far KVM got if it was tried).

    make bench ARCH=x86_64            the full run
    tools/bench_x86.py --quick        a few samples of each (make test)
    tools/bench_x86.py --host-only    Linux alone (no x86-64 kernel needed)
    tools/bench_x86.py --accel tcg    skip the KVM attempt

Writes build/bench-x86_64.json.  Exit status 1 if a side that ran printed
no figure (or a failure) for a metric.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "build", "x86_64")
BIN = os.path.join(B, "rootfs", "bin", "bench")
NOP = os.path.join(B, "rootfs", "bin", "nop")
KERNEL = os.path.join(B, "kernel.elf")
INITRD = os.path.join(B, "initrd.cpio")
OUT = os.path.join(ROOT, "build", "bench-x86_64.json")

# In bench.c's order; the names are RISC-V bench's where the operation is
# the same (raw_syscall is syscall(SYS_getpid) there too).
METRICS = ["raw_syscall", "pipe_roundtrip", "yield_roundtrip", "yield_roundtrip_threads", "yield_roundtrip_fpu",
           "yield_roundtrip_fpu_one", "fork_exit_wait", "fork_exec_wait", "thread_create_join"]
WHAT = {
    "raw_syscall": "syscall(SYS_getpid)",
    "pipe_roundtrip": "1 byte there and back, 2 processes",
    "yield_roundtrip": "sched_yield, 2 processes, 1 CPU",
    "yield_roundtrip_threads": "sched_yield, 2 threads, 1 CPU",
    "yield_roundtrip_fpu": "the same, both processes using SSE",
    "yield_roundtrip_fpu_one": "the same, one of the two using SSE",
    "fork_exit_wait": "fork, child _exit, waitpid",
    "fork_exec_wait": "fork, exec of /bin/nop, waitpid",
    "thread_create_join": "pthread_create + pthread_join",
}
LINE = re.compile(r"^(\w+): (\d+) cycles \(min (\d+), (\d+) samples of (\d+)\)\s*$", re.M)
NOTE = re.compile(r"^# (\w+): (.*?)\s*$", re.M)
PROMPT = "\n$ "


class Failed(Exception):
    pass


def parse(out):
    """({metric: {median, min, samples, batch}}, {note: text}, [failures])."""
    vals = {m.group(1): {"median": int(m.group(2)), "min": int(m.group(3)), "samples": int(m.group(4)),
                         "batch": int(m.group(5))} for m in LINE.finditer(out)}
    notes = {m.group(1): m.group(2) for m in NOTE.finditer(out) if m.group(1) != "FAIL"}
    fails = re.findall(r"^# FAIL (.*?)\s*$", out, re.M)
    return vals, notes, fails


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def cpio_member(path, name):
    """The bytes of member `name` of a cpio -H newc archive, or None."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos + 110 <= len(data) and data[pos:pos + 6] == b"070701":
        hdr = data[pos:pos + 110]
        size, namesize = int(hdr[54:62], 16), int(hdr[94:102], 16)
        n = data[pos + 110:pos + 110 + namesize].split(b"\0")[0].decode()  # mkinitrd.py pads names with NULs
        start = (pos + 110 + namesize + 3) & ~3
        if n == "TRAILER!!!":
            return None
        if n.lstrip("./") == name:
            return data[start:start + size]
        pos = (start + size + 3) & ~3
    return None


def build(host_only):
    """Make the binary (and the kernel and initramfs unless host_only).
    Returns None or why the guest half cannot run."""
    if not shutil.which("musl-gcc"):
        raise Failed("no musl-gcc (Debian: musl-tools)")
    if not os.path.exists(os.path.join(ROOT, "user", "arch", "x86_64", "user.mk")):
        # No x86-64 user programs in this tree: the same flags by hand, for
        # the host half.
        os.makedirs(os.path.dirname(BIN), exist_ok=True)
        for out, src in ((BIN, "user/arch/x86_64/bin/bench.c"), (NOP, "user/bin/nop.c")):
            subprocess.run(["musl-gcc", "-static", "-fno-pie", "-O2", "-g", "-Wall", "-Wextra", "-Werror",
                            "-std=gnu11", "-D_GNU_SOURCE", "-o", out, os.path.join(ROOT, src)], check=True)
        return "no x86-64 user programs in this tree (user/arch/x86_64/user.mk)"
    goals = ["build/x86_64/rootfs/bin/bench", "build/x86_64/rootfs/bin/nop"]
    if not os.path.exists(os.path.join(ROOT, "kernel", "arch", "x86_64", "build.mk")):
        why = "no x86-64 kernel in this tree (kernel/arch/x86_64/build.mk)"
    elif not shutil.which("qemu-system-x86_64"):
        why = "no qemu-system-x86_64"
    else:
        why = None
        if not host_only:
            goals = ["ARCH=x86_64", "all"]
    r = subprocess.run(["make", "-s", "-C", ROOT, "-j2"] + goals, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failed("make %s failed:\n%s%s" % (" ".join(goals), r.stdout[-2000:], r.stderr[-2000:]))
    return why


def host_run(quick, timeout):
    cmd = [BIN, "--exec", NOP] + (["--quick"] if quick else [])
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise Failed("bench on the host: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    return r.stdout


class Console:
    """QEMU with the x86-64 kernel on one CPU; its serial console read by a
    thread.  close() kills QEMU, so nothing here can outlive the run."""

    def __init__(self, accel, cpus=1, mem="128M", append="", icount=None):
        cpu = "host,-arch-capabilities" if accel == "kvm" else "max"
        cmd = ["qemu-system-x86_64", "-machine", "microvm,acpi=on,rtc=on,pit=on", "-accel", accel, "-cpu", cpu,
               "-smp", str(cpus), "-m", mem, "-display", "none", "-monitor", "none", "-serial", "stdio",
               "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
               "-kernel", KERNEL, "-initrd", INITRD, "-append", append]
        if icount is not None:  # TCG only: time counts instructions, 2^icount ns each
            cmd += ["-icount", "shift=%d,sleep=off" % icount]
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out, self.lock = "", threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for chunk in iter(lambda: self.p.stdout.read1(4096), b""):
            with self.lock:
                self.out += chunk.decode("utf-8", "replace").replace("\r", "")

    def expect(self, pattern, timeout, start=0, dead=None):
        """Wait for regex pattern in the output after start; return the
        match.  dead: a regex that ends the wait at once (a failure)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                text = self.out[start:]
            m = re.search(pattern, text)
            if m:
                return m
            if dead and re.search(dead, text):
                raise Failed("the guest failed:\n" + text[-1500:])
            if self.p.poll() is not None:
                time.sleep(0.2)
                with self.lock:
                    text = self.out[start:]
                if re.search(pattern, text):
                    return re.search(pattern, text)
                raise Failed("QEMU exited (status %d) waiting for %r:\n%s" % (self.p.returncode, pattern, text[-1500:]))
            if time.monotonic() > deadline:
                raise Failed("no %r within %ds:\n%s" % (pattern, timeout, text[-1500:]))
            time.sleep(0.01)

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.reader.join(2)


# A user program that cannot run kills init, and the kernel powers off.
DEAD = r"init exited|powering off|panic"


def boot_to_prompt(c, timeout):
    """Seconds from starting QEMU to the banner and to the shell's prompt."""
    c.expect(r"Trapdoor: limited direct execution", timeout)
    banner = time.monotonic() - c.t0
    c.expect(re.escape(PROMPT) + "$", timeout, dead=DEAD)
    return banner, time.monotonic() - c.t0


def guest_run(accel, quick, timeout, boot_timeout, append="", icount=None):
    """Boot, run bench at the prompt; return (console text, boot times)."""
    c = Console(accel, append=append, icount=icount)
    try:
        banner, prompt = boot_to_prompt(c, boot_timeout)
        start = len(c.out)
        c.send("bench%s; echo bench-exit=$?\n" % (" --quick" if quick else ""))
        m = c.expect(r"bench-exit=(\d+)", timeout, start=start, dead=DEAD)
        out = c.out[start:]
        if m.group(1) != "0":
            raise Failed("bench in the guest: exit %s\n%s" % (m.group(1), out[-2000:]))
        return out, {"banner_ms": round(banner * 1000), "prompt_ms": round(prompt * 1000)}
    finally:
        c.close()


def kvm_usable():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def boot_times(accel, boots, timeout):
    """Median boot-to-banner and boot-to-prompt ms over plain boots."""
    b, p = [], []
    for _ in range(boots):
        c = Console(accel)
        try:
            x, y = boot_to_prompt(c, timeout)
        finally:
            c.close()
        b.append(x * 1000)
        p.append(y * 1000)
    return {"banner_ms": round(statistics.median(b)), "prompt_ms": round(statistics.median(p)), "boots": boots}


def kvm_probe(timeout):
    """Boot under KVM: (prompt reached?, what happened, times in ms)."""
    c = Console("kvm")
    banner = None
    try:
        try:
            c.expect(r"Trapdoor: limited direct execution", timeout)
            banner = time.monotonic() - c.t0
            c.expect(re.escape(PROMPT) + "$", timeout, dead=DEAD)
            prompt = time.monotonic() - c.t0
            return True, "shell prompt after %.2f s" % prompt, {"banner_ms": round(banner * 1000),
                                                                 "prompt_ms": round(prompt * 1000)}
        except Failed:
            end = time.monotonic() - c.t0
            with c.lock:
                text = c.out
            killed = re.search(r"^pid 1 \(init\): .*$", text, re.M)
            if banner is None:
                return False, "no banner within %ds" % timeout, {}
            times = {"banner_ms": round(banner * 1000), "end_ms": round(end * 1000)}
            if killed:
                return False, "banner after %.2f s, then init (a musl program) killed at its first system call " \
                    "after %.2f s: %r" % (banner, end, killed.group(0)), times
            return False, "banner after %.2f s, no shell prompt within %ds" % (banner, timeout), times
    finally:
        c.close()


def fmt_table(host, guest, accel):
    rows = [("metric", "what", "Linux", "Trapdoor (%s)" % (accel.upper() if accel in ("kvm", "tcg") else accel or "-"),
             "ratio")]
    for m in METRICS:
        h = host.get(m, {}).get("median")
        g = guest.get(m, {}).get("median") if guest is not None else None
        ratio = "%.3g" % (g / h) if h and g else ""
        rows.append((m, WHAT[m], str(h) if h else "n/a", str(g) if g else ("n/a" if guest is not None else "-"),
                     ratio))
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w[j]) if j < 2 else c.rjust(w[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * x for x in w))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a few samples of each metric (make test)")
    ap.add_argument("--host-only", action="store_true", help="run on the host's Linux alone")
    ap.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                    help="auto: KVM if /dev/kvm opens and the guest reaches its shell there, else TCG")
    ap.add_argument("--boots", type=int, default=3, help="plain boots for the boot-to-prompt time (0: none)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds for bench in the guest")
    ap.add_argument("--boot-timeout", type=int, default=60, help="seconds to the guest's prompt")
    ap.add_argument("--append", default="", help="the guest kernel's command line, e.g. fpu=eager")
    ap.add_argument("--icount", type=int, default=None, metavar="SHIFT",
                    help="the guest under TCG with -icount shift=SHIFT (cycles then count instructions)")
    ap.add_argument("--out", default=OUT, help="the JSON file (default build/bench-x86_64.json)")
    a = ap.parse_args()
    if a.icount is not None:
        a.accel = "tcg"

    try:
        no_guest = build(a.host_only)
    except (Failed, subprocess.CalledProcessError) as e:
        print("bench_x86: %s" % e)
        return 1
    if a.host_only:
        no_guest = "--host-only"
    digest = sha256(BIN)
    print("bench_x86: %s (sha256 %s...), %s" % (os.path.relpath(BIN, ROOT), digest[:16],
                                                "quick" if a.quick else "full"))
    status = 0
    result = {"binary": os.path.relpath(BIN, ROOT), "sha256": digest, "quick": a.quick}

    host_out = host_run(a.quick, a.timeout)
    host, hnotes, hfails = parse(host_out)
    print("Linux %s: %s" % (os.uname().release, ", ".join("%s %s" % kv for kv in hnotes.items())))
    result["linux"] = {"kernel": os.uname().release, "notes": hnotes, "metrics": host}
    if hfails:
        print("bench_x86: on Linux: %s" % "; ".join(hfails))
        status = 1

    guest, accel = None, None
    if no_guest:
        print("Trapdoor: not run: %s" % no_guest)
        result["trapdoor"] = {"skipped": no_guest}
    else:
        m = cpio_member(INITRD, "bin/bench")
        if m is None or hashlib.sha256(m).hexdigest() != digest:
            print("bench_x86: %s's /bin/bench is not %s" % (os.path.relpath(INITRD, ROOT), os.path.relpath(BIN, ROOT)))
            return 1
        tried = {}
        accel = a.accel
        if accel == "auto":
            accel = "tcg"
            if not kvm_usable():
                tried["kvm"] = "/dev/kvm not usable"
            else:
                ok, why, times = kvm_probe(a.boot_timeout)
                tried["kvm"] = why
                tried["kvm_boot"] = times
                if ok and os.path.exists("/sys/module/kvm_pvm"):
                    # Boots, but the guest kernel is emulated (docs/design.md,
                    # "Known limits"): ~100x TCG's cycles, so the boot time
                    # is kept and the bench runs under TCG (--accel kvm insists).
                    why += " (kvm-pvm: the guest kernel is emulated)"
                    tried["kvm"] = why
                elif ok:
                    accel = "kvm"
            print("KVM: %s%s" % (tried["kvm"], "" if accel == "kvm" else ": TCG instead"))
        try:
            out, boot = guest_run(accel, a.quick, a.timeout, a.boot_timeout, a.append, a.icount)
            if a.boots:
                boot = boot_times(accel, a.boots, a.boot_timeout)
        except Failed as e:
            print("bench_x86: Trapdoor under %s: %s" % (accel.upper(), e))
            result["trapdoor"] = {"accel": accel, "failed": str(e)[:2000], "tried": tried}
            status = 1
        else:
            guest, gnotes, gfails = parse(out)
            print("Trapdoor x86-64 under %s, 1 CPU%s: %s" % (accel.upper(), ", -append \"%s\"" % a.append if a.append else "",
                                                            ", ".join("%s %s" % kv for kv in gnotes.items())))
            print("boot (%s, median of %s): banner %d ms, shell prompt %d ms" % (
                accel.upper(), boot.get("boots", 1), boot["banner_ms"], boot["prompt_ms"]))
            result["trapdoor"] = {"accel": accel, "append": a.append, "icount": a.icount, "tried": tried, "notes": gnotes,
                                  "metrics": guest, "boot": boot}
            if gfails:
                print("bench_x86: on Trapdoor: %s" % "; ".join(gfails))
                status = 1

    print()
    print(fmt_table(host, guest, accel if a.icount is None else "icount %d: instr." % a.icount))
    print()
    result["ratio"] = {m: float("%.4g" % (guest[m]["median"] / host[m]["median"]))
                       for m in METRICS if guest and m in guest and host.get(m, {}).get("median")}
    for side, vals in (("Linux", host), ("Trapdoor", guest)):
        missing = [m for m in METRICS if vals is not None and m not in vals]
        if missing:
            print("bench_x86: no %s figure for %s" % (side, ", ".join(missing)))
            status = 1
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("cycles per operation, median (TSC)%s; ratio = Trapdoor / Linux; wrote %s" % (
        "" if a.icount is None else "; Trapdoor's TSC under -icount counts its instructions, not time",
        os.path.relpath(a.out, ROOT)))
    return status


if __name__ == "__main__":
    sys.exit(main())
