"""test_arch.py: the portable kernel uses the architecture only through
kernel/arch.h: it compiles against a stand-in one (tests/data/stubarch)."""
import os
import shutil
import subprocess
import tempfile

import harness
from harness import host_test

STUB = os.path.join(harness.ROOT, "tests", "data", "stubarch")


@host_test(timeout=300)
def portable_kernel_compiles_against_another_architecture():
    """Every kernel/*.c compiles with the host's C compiler against a
    machine.h whose page tables, registers and constants are not RISC-V's
    (four levels, x86-like bits, no CSRs): a RISC-V name or register
    left in the portable kernel (PTE_W, sstatus, tf->a0, sbi_*, plic_*)
    does not compile there.  Objects are not linked: the stand-in has no
    arch/*.c."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise harness.Skip("no host C compiler")
    kdir = os.path.join(harness.ROOT, "kernel")
    srcs = sorted(f for f in os.listdir(kdir) if f.endswith(".c"))
    assert len(srcs) > 20, srcs
    failed = []
    with tempfile.TemporaryDirectory() as d:
        for f in srcs:
            r = subprocess.run([cc, "-std=gnu11", "-ffreestanding", "-fno-builtin", "-nostdinc", "-O0", "-Wall",
                                "-Wextra", "-Werror", "-Wno-unused-function", "-DTRAPDOOR_KERNEL", "-I", kdir,
                                "-I", STUB, "-fsyntax-only", os.path.join(kdir, f)],
                               capture_output=True, text=True, cwd=d)
            if r.returncode != 0:
                failed.append("%s:\n%s" % (f, r.stderr[-3000:]))
    assert not failed, "\n".join(failed)
