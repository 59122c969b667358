/* regtest.c: every user register survives a trap, as limited direct
 * execution promises.  A system call may change a0 (its result) and
 * nothing else; a timer interrupt, a switch to another process and back,
 * a fork (in parent and child) must change nothing the program can see.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "tap.h"

/* Register n's test value: distinct per register, and not a small number
 * a kernel might leave behind by chance. */
#define PAT(n) (0x7e57000000000000UL + ((unsigned long)(n) << 8) + (n))

/* Two assembly routines, so that the compiler cannot keep anything of its
 * own in the registers under test.  Both fill every register but sp (and
 * a0, a7 or t0 where noted) with PAT(n), do their trap, and store all 32
 * into out[] (out[2], sp, is left alone).  They save and restore what the
 * C code around them relies on: ra, gp, tp and s0-s11.
 *
 *   void regs_ecall(long num, long a0, unsigned long out[32])
 *       a7 = num, a0 = a0, the rest PAT(n); ecall
 *   void regs_spin(unsigned long until, unsigned long out[32])
 *       a0 = until, the rest PAT(n) but t0; loop until rdtime >= until
 */
void regs_ecall(long num, long a0, unsigned long *out);
void regs_spin(unsigned long until, unsigned long *out);

__asm__(
	/* A 240-byte frame: ra, gp, tp at 0, 8, 16; s-register xN at N*8
	 * (64..223); out at 224. */
	".macro regs_enter\n"
	"	addi	sp, sp, -240\n"
	"	sd	ra, 0(sp)\n"
	"	sd	gp, 8(sp)\n"
	"	sd	tp, 16(sp)\n"
	"	.irp	n, 8,9,18,19,20,21,22,23,24,25,26,27\n"
	"	sd	x\\n, (\\n*8)(sp)\n"
	"	.endr\n"
	".endm\n"
	".macro regs_fill skip1, skip2\n"
	"	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	.if	\\n != \\skip1 && \\n != \\skip2\n"
	"	li	x\\n, 0x7e57000000000000 + (\\n << 8) + \\n\n"
	"	.endif\n"
	"	.endr\n"
	".endm\n"
	/* store x1..x31 into out (kept at 224(sp)), using x31 as the base */
	".macro regs_leave\n"
	"	addi	sp, sp, -8\n"
	"	sd	x31, 0(sp)\n"
	"	ld	x31, 232(sp)\n"
	"	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30\n"
	"	sd	x\\n, (\\n*8)(x31)\n"
	"	.endr\n"
	"	ld	x1, 0(sp)\n"
	"	sd	x1, 248(x31)\n"
	"	addi	sp, sp, 8\n"
	"	ld	ra, 0(sp)\n"
	"	ld	gp, 8(sp)\n"
	"	ld	tp, 16(sp)\n"
	"	.irp	n, 8,9,18,19,20,21,22,23,24,25,26,27\n"
	"	ld	x\\n, (\\n*8)(sp)\n"
	"	.endr\n"
	"	addi	sp, sp, 240\n"
	"	ret\n"
	".endm\n"
	"	.text\n"
	"	.globl	regs_ecall\n"
	"regs_ecall:\n"
	"	regs_enter\n"
	"	sd	a2, 224(sp)\n"
	"	mv	t0, a0\n"
	"	mv	t1, a1\n"
	"	regs_fill 5, 6\n"
	"	mv	a7, t0\n"
	"	mv	a0, t1\n"
	"	li	t0, 0x7e57000000000000 + (5 << 8) + 5\n"
	"	li	t1, 0x7e57000000000000 + (6 << 8) + 6\n"
	"	ecall\n"
	"	regs_leave\n"
	"	.globl	regs_spin\n"
	"regs_spin:\n"
	"	regs_enter\n"
	"	sd	a1, 224(sp)\n"
	"	regs_fill 5, 10\n"
	"1:	rdtime	t0\n"
	"	bltu	t0, a0, 1b\n"
	"	li	t0, 0x7e57000000000000 + (5 << 8) + 5\n"
	"	regs_leave\n");

/* The first register of out[] that is not its pattern (a7: not the
 * value given), or -1.  a0 is the caller's to check; sp is not recorded. */
static int first_changed(const unsigned long *out, unsigned long a7)
{
	for (int n = 1; n < 32; n++) {
		if (n == 2 || n == 10)
			continue;
		unsigned long want = n == 17 ? (unsigned long)a7 : PAT(n);
		if (out[n] != want)
			return n;
	}
	return -1;
}

static void report(const char *what, const unsigned long *out, int bad)
{
	if (bad >= 0)
		note("%s: x%d is %#lx, expected %#lx", what, bad, out[bad], PAT(bad));
}

static int spinner(void)
{
	int pid = fork();
	if (pid == 0) {
		for (;;)
			;
	}
	return pid;
}

int main(void)
{
	unsigned long out[32];
	int bad;

	plan(8);
	regs_ecall(SYS_getpid, PAT(10), out);
	bad = first_changed(out, SYS_getpid);
	report("getpid", out, bad);
	check(bad < 0 && (long)out[10] == getpid(), "getpid: a0 is the pid, every other register kept");

	regs_ecall(999, PAT(10), out);
	bad = first_changed(out, 999);
	report("unknown call", out, bad);
	check(bad < 0 && (long)out[10] == -ENOSYS, "unknown system call: a0 = -ENOSYS, every other register kept");

	regs_ecall(SYS_write, -1, out); /* write(-1, PAT(11), PAT(12)) */
	bad = first_changed(out, SYS_write);
	report("bad write", out, bad);
	check(bad < 0 && (long)out[10] == -EBADF, "write to a bad descriptor: -EBADF, every other register kept");

	/* yield to a process that is ready: a switch away and back */
	int sp = spinner();
	int kept = 1;
	for (int i = 0; i < 50 && kept; i++) {
		regs_ecall(SYS_yield, PAT(10), out);
		bad = first_changed(out, SYS_yield);
		report("yield", out, bad);
		kept = bad < 0;
	}
	check(kept, "yield with another process ready, 50 times: every register kept");

	/* spin through timer interrupts, with the spinner to be switched to */
	unsigned long t = rdtime();
	msleep(20);
	unsigned long per20ms = rdtime() - t;
	unsigned long before = interrupts_taken();
	unsigned long until = rdtime() + 3 * per20ms;
	regs_spin(until, out);
	unsigned long taken = interrupts_taken() - before;
	bad = first_changed(out, PAT(17));
	report("timer", out, bad);
	check(bad < 0 && out[10] == until, "60 ms of spinning through timer interrupts: every register kept");
	check(taken > 0, "the spin took timer interrupts (%lu)", taken);
	kill(sp, SIGKILL);
	waitpid(sp, NULL, 0);

	/* fork: the child comes back through a trapframe copied from the
	 * parent's, s0-s11 included */
	regs_ecall(SYS_fork, PAT(10), out);
	long pid = (long)out[10];
	bad = first_changed(out, SYS_fork);
	if (pid == 0)
		_exit(bad < 0 ? 0 : 100 + bad);
	report("fork, parent", out, bad);
	check(pid > 0 && bad < 0, "fork: the parent keeps every register");
	int st = -1;
	waitpid((int)pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 100)
		note("fork, child: x%d changed", WEXITSTATUS(st) - 100);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork: the child starts with every register of the parent");
	return tap_done();
}
