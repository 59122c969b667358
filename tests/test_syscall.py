"""test_syscall.py: seed 003's raw system call compiles and runs as the
slide writes it (<syscall.h>, syscall(SYS_getpid)); <sys/syscall.h> gives
the SYS_* numbers of include/trapdoor/syscalls.h."""
import re

from harness import guest_test, test

guest_test("/test/sysnum")


@test()
def seed003_syscall_example(g):
    out = g.run("/test/seedsys")
    m = re.fullmatch(r"syscall\(SYS_getpid\)=(\d+)\ngetpid\(\)=(\d+)\n", out)
    assert m, out
    assert m.group(1) == m.group(2) and int(m.group(1)) > 2, out  # its own pid, not sh's or init's

# kernel/linux.c's calls, by their RISC-V numbers (x86-64: Linux's)
guest_test("/test/linuxabi")
