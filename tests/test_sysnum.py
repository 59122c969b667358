"""test_sysnum.py: the one system-call list checked on the host.
Every number is unique on each architecture; the RISC-V numbers of
Trapdoor's calls are where they were; on x86-64 a call numbered below 1000
has Linux's number for its name (musl's <sys/syscall.h>, compiled), and
Trapdoor's own calls are 1000 + their RISC-V number; the tables generated
for x86-64 (dispatch/strace names, SYS_* for user programs) say so."""
import os
import shutil
import subprocess
import sys
import tempfile

from harness import ROOT, Skip, host_test

sys.path.insert(0, os.path.join(ROOT, "tools"))
import syscalls  # noqa: E402

# Names musl has whose Linux call Trapdoor leaves out on x86-64, and why
# (a Trapdoor call of that name keeps its 1000 + rv number).
LINUX_LEFT_OUT = {
    "getdents": "Linux's 78 is the old linux_dirent layout; musl's readdir uses getdents64",
}


def musl_numbers(names):
    """{name: SYS_name} for the names musl's <sys/syscall.h> defines."""
    cc = shutil.which("musl-gcc")
    if not cc:
        raise Skip("no musl-gcc (Debian: musl-tools)")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "n.c")
        with open(src, "w") as f:
            f.write("#include <stdio.h>\n#include <sys/syscall.h>\nint main(void)\n{\n")
            for n in sorted(set(names)):
                f.write("#ifdef SYS_%s\n\tprintf(\"%s %%d\\n\", (int)SYS_%s);\n#endif\n" % (n, n, n))
            f.write("\treturn 0;\n}\n")
        subprocess.run([cc, "-static", "-o", os.path.join(d, "n"), src], check=True)
        out = subprocess.run([os.path.join(d, "n")], check=True, capture_output=True, text=True).stdout
    return {n: int(v) for n, v in (line.split() for line in out.splitlines())}


@host_test()
def sysnum_list_unique():
    rs = syscalls.rows()
    assert len(rs) > 90, len(rs)
    for arch in ("rv", "x86"):
        seen = {}
        for r in rs:
            assert r[arch] not in seen, "%s number %d: %s and %s" % (arch, r[arch], seen[r[arch]], r["sym"])
            seen[r[arch]] = r["sym"]
    syms = [r["sym"] for r in rs]
    assert len(set(syms)) == len(syms), "a name twice"
    for r in rs:
        assert set(r["args"]) <= set("iuxpswervfo") and len(r["args"]) <= 6, r
        assert r["ret"] in "ipn", r


@host_test()
def sysnum_riscv_unchanged():
    """Trapdoor's calls keep 1..67 (xv6's 1..21 among them); the Linux
    calls come after, 100 left out (proctest: 'no such call')."""
    rs = {r["sym"]: r for r in syscalls.rows()}
    for name, num in {"fork": 1, "exit": 2, "read": 5, "exec": 7, "write": 16, "close": 21, "getppid": 22,
                      "spawn": 39, "thread_create": 49, "mmap": 56, "mounts": 67}.items():
        assert rs[name]["rv"] == num, (name, rs[name]["rv"])
    for r in rs.values():
        if r["kind"] == "SYSCALL":
            assert 1 <= r["rv"] <= 67 and r["rv"] != 59, r
        else:
            assert r["rv"] >= 68 and r["rv"] != 100, r


@host_test()
def sysnum_x86_linux_numbers():
    rs = syscalls.rows()
    musl = musl_numbers(r["name"] for r in rs)
    assert musl.get("read") == 0 and musl.get("exit_group") == 231, musl  # musl's, read right
    by_linux_name = {r["name"] for r in rs if r["kind"] == "LINUX"}
    for r in rs:
        if r["x86"] < 1000:
            assert r["name"] in musl, "%s: x86 number %d, but Linux has no such call" % (r["sym"], r["x86"])
            assert musl[r["name"]] == r["x86"], "%s: %d, Linux's is %d" % (r["sym"], r["x86"], musl[r["name"]])
        else:
            assert r["kind"] == "SYSCALL" and r["x86"] == 1000 + r["rv"], r
            if r["name"] in musl:
                # Linux has a call of this name: the list has Linux's
                # version of it, or says why not
                assert r["name"] in by_linux_name or r["name"] in LINUX_LEFT_OUT, \
                    "%s: Linux's %s (%d) is missing" % (r["sym"], r["name"], musl[r["name"]])
    for name in LINUX_LEFT_OUT:
        assert name in musl and name not in by_linux_name, name


def compile_run(cc, src, *flags):
    with tempfile.TemporaryDirectory() as d:
        c = os.path.join(d, "t.c")
        with open(c, "w") as f:
            f.write(src)
        subprocess.run([cc, "-Wall", "-Wextra", "-Werror", *flags, "-o", os.path.join(d, "t"), c], check=True,
                       capture_output=True, text=True)
        return subprocess.run([os.path.join(d, "t")], check=True, capture_output=True, text=True).stdout


@host_test()
def sysnum_x86_tables():
    """The kernel's name table built for x86-64 (as kernel/syscall.c does:
    SYSNUM picks the x86 column) names Linux's calls as Linux does."""
    cc = shutil.which("gcc")
    if not cc:
        raise Skip("no host gcc")
    src = r'''
#include <stdio.h>
#define TRAPDOOR_KERNEL
#include "trapdoor/sysnum.h"
static const char *const name[SYS_max] = {
#define SYSCALL(rv, x86, name, stub, args, ret) [SYSNUM(rv, x86)] = #name,
#define LINUX SYSCALL
#include "trapdoor/syscalls.h"
};
int main(void)
{
	for (int i = 0; i < SYS_max; i++)
		if (name[i])
			printf("%d %s\n", i, name[i]);
	printf("max %d fork %d spawn %d linux_exit %d\n", SYS_max, SYS_fork, SYS_spawn, SYS_linux_exit);
	return 0;
}
'''
    out = compile_run(cc, src, "-I" + os.path.join(ROOT, "include"))
    name = dict(line.split(" ", 1) for line in out.splitlines()[:-1])
    want = {0: "read", 1: "write", 2: "open", 5: "fstat", 56: "clone", 60: "exit", 231: "exit_group",
            1002: "exit", 1008: "fstat", 1039: "spawn", 1040: "procinfo"}
    for num, n in want.items():
        assert name.get(str(num)) == n, (num, name.get(str(num)), n)
    rs = syscalls.rows()
    assert out.splitlines()[-1] == "max %d fork 57 spawn 1039 linux_exit 60" % (max(r["x86"] for r in rs) + 1), out


@host_test()
def sysnum_x86_user_header():
    """x86-64 user programs: Linux's SYS_* from musl, Trapdoor's own
    (SYS_spawn) from the generated header, the list's Trapdoor form of a
    name Linux has too (fstat) as TRAPDOOR_SYS_fstat."""
    cc = shutil.which("musl-gcc")
    if not cc:
        raise Skip("no musl-gcc (Debian: musl-tools)")
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "trapdoor"))
        with open(os.path.join(d, "trapdoor", "sysnum_x86_64.h"), "w") as f:
            f.write(syscalls.x86_header(syscalls.rows()))
        src = r'''
#include <stdio.h>
#include "trapdoor/sysnum.h"
int main(void)
{
	printf("%d %d %d %d %d %d\n", SYS_getpid, SYS_fstat, SYS_spawn, SYS_procinfo, TRAPDOOR_SYS_fstat, SYS_max > 1060);
	return 0;
}
'''
        out = compile_run(cc, src, "-static", "-I" + d, "-I" + os.path.join(ROOT, "include"))
    assert out == "39 5 1039 1040 1008 1\n", out
