"""Core: boot, the shell, limited direct execution (issue 2)."""
import re
from harness import per_arch, test


@test(boot=False)
def boot_banner_and_prompt(g):
    g.expect(r"Trapdoor: limited direct execution on " + per_arch(riscv="RISC-V", x86_64="x86-64 under (KVM|TCG)"),
             20)
    g.expect(r"initrd: \d+ files", 5)
    g.expect(r"timer: every 10000 us", 5)
    g.expect(r"\$ ", 10)


@test()
def hello_runs_in_user_mode(g):
    assert g.run("hello") == "hello\n"


@test(arch="riscv")  # a CSR write (x86-64: test_x86.py's privileged instructions)
def privileged_csr_write_is_killed(g):
    out = g.run("priv; echo status=$?")
    assert re.search(r"pid \d+ \(priv\): illegal or privileged instruction at 0x[0-9a-f]+, pc 0x[0-9a-f]+: killed \(SIGILL\)", out), out
    assert "still alive" not in out
    assert "status=132" in out, out


@test(arch="riscv")  # RISC-V's kernel address (x86-64: test_x86.py's page faults)
def kernel_memory_read_is_killed(g):
    out = g.run("kmem; echo status=$?")
    assert re.search(r"pid \d+ \(kmem\): load from kernel memory at 0xffffffc080200000", out), out
    assert "SIGSEGV" in out and "status=139" in out, out


@test()
def xv6_program_compiles_and_runs(g):
    out = g.run("/xv6/xv6demo a b")
    # xv6's wait gives the exit code itself (user/xv6/ulib.c), not POSIX's 7 << 8
    assert "xv6demo: got ping from child" in out and "status 7," in out, out
    assert "file size 3 type 2, argc 3" in out, out


@test()
def poweroff_ends_qemu(g):
    g.send("poweroff\n")
    g.expect(r"Trapdoor: power off", 10)
    assert g.wait_exit(10) == 0
