"""Hostile programs (issue "Trapdoor core"): privileged instructions and
forbidden memory.  Each is killed with one console line

    pid N (name): <cause> at 0x<addr>, pc 0x<pc>: killed (SIGxxx)

the shell's $? is 128 + the signal, and the next command still works.
"""
import re
from harness import test, guest_test, per_arch

SIGILL, SIGSEGV = 4, 11
# where the machine's kernel, a program's text and its stack are (the
# kernel image: RISC-V's KERNBASE + 2 MiB, x86-64's KERNBASE + 1 MiB)
KERNEL = per_arch(riscv=0xffffffc080200000, x86_64=0xffffffff80100000)
TEXT = per_arch(riscv=(0x10000, 0x100000), x86_64=(0x400000, 0x500000))
STACK = per_arch(riscv=(0x3f00000000, 0x4000000000), x86_64=(0x7fff00000000, 0x800000000000))

# (command, cause, signal, check of (addr, pc)).  priv's csr, sret, wfi
# and satp are RISC-V instructions: those cases are arch="riscv", and
# x86-64's own (user/arch/x86_64/bin/priv.c) are X86_PRIV's.  The memory
# classes apply to both machines, with the same causes.
X86_PRIV = ["priv hlt", "priv out", "priv in", "priv lidt", "priv wrmsr", "priv cr3"]
RISCV_PRIV = ["priv csr", "priv sret", "priv wfi", "priv satp"]
CASES = [
    ("priv", r"illegal or privileged instruction", SIGILL, None),
    ("priv csr", r"illegal or privileged instruction", SIGILL, None),
    ("priv sret", r"illegal or privileged instruction", SIGILL, None),
    ("priv wfi", r"illegal or privileged instruction", SIGILL, None),
    ("priv satp", r"illegal or privileged instruction", SIGILL, None),
] + [(c, r"illegal or privileged instruction", SIGILL, None) for c in X86_PRIV] + [
    ("kmem", r"load from kernel memory", SIGSEGV, lambda a, pc: a == KERNEL),
    ("kmem read", r"load from kernel memory", SIGSEGV, lambda a, pc: a == KERNEL),
    ("kmem write", r"store to kernel memory", SIGSEGV, lambda a, pc: a == KERNEL),
    ("kmem jump", r"instruction page fault", SIGSEGV, lambda a, pc: a == pc == 0x3000000000),
    ("kmem text", r"store page fault", SIGSEGV, lambda a, pc: TEXT[0] <= a < TEXT[1]),
    ("kmem stack", r"stack overflow \(guard page\)", SIGSEGV, lambda a, pc: STACK[0] <= a < STACK[1]),
    ("kmem null", r"load page fault", SIGSEGV, lambda a, pc: a == 0),
]
SIGNAME = {SIGILL: "SIGILL", SIGSEGV: "SIGSEGV"}
LINE = r"pid (\d+) \((\w+)\): (.*) at 0x([0-9a-f]+), pc 0x([0-9a-f]+): killed \((SIG\w+)\)"


def check_case(g, cmd, cause, sig, where):
    out = g.run("%s; echo status=$?" % cmd, timeout=20)
    prog = cmd.split()[0]
    m = re.search(LINE, out)
    assert m, "%s: no kill message in %r" % (cmd, out)
    assert m.group(2) == prog, "%s: message names %r" % (cmd, m.group(2))
    assert re.fullmatch(cause, m.group(3)), "%s: cause %r, want %r" % (cmd, m.group(3), cause)
    assert m.group(6) == SIGNAME[sig], "%s: killed by %s" % (cmd, m.group(6))
    addr, pc = int(m.group(4), 16), int(m.group(5), 16)
    # the pc is in the program's text, except after a jump to nowhere
    if "jump" not in cmd:
        assert TEXT[0] <= pc < TEXT[1], "%s: pc 0x%x is not in the program's text" % (cmd, pc)
    if where:
        assert where(addr, pc), "%s: address 0x%x, pc 0x%x" % (cmd, addr, pc)
    assert "still alive" not in out, "%s: the program went on: %r" % (cmd, out)
    assert "status=%d" % (128 + sig) in out, "%s: $? is not %d: %r" % (cmd, 128 + sig, out)
    assert len(re.findall(LINE, out)) == 1, "%s: more than one kill message: %r" % (cmd, out)
    assert g.run("echo next", timeout=10) == "next\n", "%s: the shell did not answer afterwards" % cmd


def make(cmd, cause, sig, where):
    def fn(g):
        check_case(g, cmd, cause, sig, where)
    return fn


for _cmd, _cause, _sig, _where in CASES:
    _arch = "riscv" if _cmd in RISCV_PRIV else "x86_64" if _cmd in X86_PRIV else None
    test(name="hostile_" + _cmd.replace(" ", "_"), arch=_arch)(make(_cmd, _cause, _sig, _where))


def all_in_one_guest(g):
    """Every case in one guest, twice: the kernel keeps no damage."""
    for _ in range(2):
        for cmd, cause, sig, where in CASES:
            if cmd in per_arch(riscv=X86_PRIV, x86_64=RISCV_PRIV):
                continue
            check_case(g, cmd, cause, sig, where)
    # and the machine still works: a fork, an exec, a pipe
    assert g.run("echo a b | /bin/echo c", timeout=10) == "c\n"
    assert g.run("hello", timeout=10) == "hello\n"


test(name="hostile_all_1cpu", cpus=1, timeout=120)(all_in_one_guest)
test(name="hostile_all_4cpu", cpus=4, timeout=120)(all_in_one_guest)


@test(cpus=2)
def hostile_in_pipelines_and_background(g):
    """Killed inside a pipeline, in the background, and via fork (sh -c)."""
    # cat reads the pipe to the end, so kmem never dies of SIGPIPE first
    out = g.run("kmem write | cat; echo status=$?", timeout=20)
    assert re.search(LINE, out) and "kmem: write" in out and "status=0" in out, out
    out = g.run("echo x | kmem null; echo status=$?", timeout=20)
    assert re.search(LINE, out) and "status=139" in out, out
    # the background job may die before or after the shell's next prompt:
    # look for its line from the command on, not after that prompt
    g.send(per_arch(riscv="priv sret &\n", x86_64="priv hlt &\n"))
    g.expect(r"pid \d+ \(priv\): illegal or privileged instruction", 20)
    out = g.run("sh -c 'kmem jump'; echo status=$?", timeout=20)
    assert re.search(LINE, out) and "status=139" in out, out
    assert g.run("echo fine", timeout=10).endswith("fine\n")


# The kernel writes into user memory only where the user may write: a
# read() into the program's own text (mapped straight from the file's
# pages by exec) is EFAULT, and the file stays intact.
guest_test("/test/rotext", cpus=1)
guest_test("/test/rotext", cpus=2)
