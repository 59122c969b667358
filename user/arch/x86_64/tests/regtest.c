/* regtest.c (x86-64): every user register survives a trap, as limited
 * direct execution promises: system calls, timer interrupts, switches, fork.
 *
 * "Every register" on x86-64: the 16 general registers, the RFLAGS bits
 * a user may set (CF PF AF ZF SF DF OF NT AC ID; with NT the kernel
 * returns by iretq, without by sysretq: both are tried), the FS base (the TLS
 * pointer), and what XSAVE holds: x87 (its control word and st0), SSE
 * (xmm0-15, MXCSR) and AVX (the upper halves of ymm0-15) when the CPU
 * and the kernel have it.  A system call may change rax (its result) and
 * rcx and r11, which the `syscall` instruction itself overwrites with the
 * return address and RFLAGS: they must hold exactly those.  Everything
 * else must come back as it was, from a timer interrupt and from a switch
 * to a process that fills all of these registers with values of its own.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "../../../tests/tap.h"

/* General register n's test value (n in the encoding's order: rax rcx
 * rdx rbx rsp rbp rsi rdi r8..r15): distinct per register, not a small
 * number a kernel might leave behind by chance. */
#define PAT(n) (0x7e57000000000000UL + ((unsigned long)(n) << 8) + (n))
#define FLAGS 0x240cd5UL /* CF PF AF ZF SF DF OF AC ID */
#define NT 0x4000UL       /* with it, the kernel returns by iretq, not sysretq */
#define FCW 0x0e7f                /* x87: round up, 64-bit precision (reset: 0x37f) */
#define MXCSR 0xdf80              /* SSE: round to zero, FTZ, DAZ (reset: 0x1f80) */
#define ST0 1234.5678             /* x87 st0 */
#define FS_WORD 0x7e57f5f5f5f5f5f5UL /* at the test's FS base */

static const char *const gpr_name[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };

/* What the assembly routines record after their trap.  The offsets are
 * the routines' too. */
struct regs {
	unsigned long gpr[16]; /* 0: gpr[4], rsp, is not recorded */
	unsigned long rflags;  /* 128 */
	unsigned long fs0;     /* 136: the word at FS base */
	unsigned long fcw;     /* 144 */
	unsigned long mxcsr;   /* 152 */
	double st0;            /* 160 */
	unsigned long pad[3];
	unsigned char ymm[16][32] __attribute__((aligned(32))); /* 192 */
};
_Static_assert(__builtin_offsetof(struct regs, ymm) == 192, "struct regs as the assembly has it");

/* Read by the routines: AVX or SSE alone, each vector register's pattern,
 * and a page whose first word is FS_WORD, the FS base while they run. */
unsigned char regs_use_avx;
unsigned long regs_flags, regs_flags_seen; /* and what pushfq shows: | bit 1, IF */
unsigned char regs_vec[16][32] __attribute__((aligned(32)));
unsigned long regs_fsbuf[512] __attribute__((aligned(4096)));
const double regs_st0 = ST0;

/*   void regs_syscall(long num, long a0, struct regs *out)
 *       rax = num, rdi = a0, the rest PAT(n), RFLAGS = regs_flags, vectors
 *       regs_vec, FS base regs_fsbuf, x87 and MXCSR as above; syscall
 *   void regs_spin(unsigned long until, struct regs *out)
 *       the same but rax, rcx and rdx, then a loop until the TSC reaches
 *       until: RFLAGS = regs_flags, 256 nops (where a tick most likely lands),
 *       RFLAGS read into rcx and compared; a difference ends the loop.
 *   void regs_dirty(void)
 *       for ever: every one of these registers something else.
 * They keep what the C code around them relies on: rbx, rbp, r12-r15
 * (the ABI's), the FS base (musl's TLS), and leave RFLAGS, x87 and MXCSR
 * as the ABI wants them. */
void regs_syscall(long num, long a0, struct regs *out);
void regs_spin(unsigned long until, struct regs *out);
void regs_dirty(void) __attribute__((noreturn));
extern char regs_syscall_ret[];

__asm__(
	".macro regs_enter\n"
	"	push	%rbx\n"
	"	push	%rbp\n"
	"	push	%r12\n"
	"	push	%r13\n"
	"	push	%r14\n"
	"	push	%r15\n"
	".endm\n"
	/* the FS base: musl keeps it in the word it points at */
	".macro fs_set base\n"
	"	mov	$158, %eax\n" /* arch_prctl(ARCH_SET_FS, base) */
	"	mov	$0x1002, %edi\n"
	"	mov	\\base, %rsi\n"
	"	syscall\n"
	".endm\n"
	".macro vec_fill\n"
	"	fldcw	regs_fcw(%rip)\n"
	"	fldl	regs_st0(%rip)\n"
	"	ldmxcsr	regs_mxcsr(%rip)\n"
	"	cmpb	$0, regs_use_avx(%rip)\n"
	"	je	1f\n"
	"	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqa	regs_vec+32*\\n(%rip), %ymm\\n\n"
	"	.endr\n"
	"	jmp	2f\n"
	"1:\n"
	"	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqa	regs_vec+32*\\n(%rip), %xmm\\n\n"
	"	.endr\n"
	"2:\n"
	".endm\n"
	/* every general register but rsp, and those named, PAT(n) */
	".macro gpr_fill skip1=99, skip2=99, skip3=99\n"
	"	.irp	n, 0,1,2,3,5,6,7,8,9,10,11,12,13,14,15\n"
	"	.if	\\n != \\skip1 && \\n != \\skip2 && \\n != \\skip3\n"
	"	regs_li	\\n\n"
	"	.endif\n"
	"	.endr\n"
	".endm\n"
	".macro regs_li n\n"
	"	.if \\n == 0\n	movabs $0x7e57000000000000, %rax\n	.endif\n"
	"	.if \\n == 1\n	movabs $0x7e57000000000101, %rcx\n	.endif\n"
	"	.if \\n == 2\n	movabs $0x7e57000000000202, %rdx\n	.endif\n"
	"	.if \\n == 3\n	movabs $0x7e57000000000303, %rbx\n	.endif\n"
	"	.if \\n == 5\n	movabs $0x7e57000000000505, %rbp\n	.endif\n"
	"	.if \\n == 6\n	movabs $0x7e57000000000606, %rsi\n	.endif\n"
	"	.if \\n == 7\n	movabs $0x7e57000000000707, %rdi\n	.endif\n"
	"	.if \\n >= 8\n	movabs $0x7e57000000000000 + (\\n << 8) + \\n, %r\\n\n	.endif\n"
	".endm\n"
	/* out in rax; the rest of the registers into it (not rax, rflags) */
	".macro regs_store\n"
	"	mov	%rcx, 8(%rax)\n"
	"	mov	%rdx, 16(%rax)\n"
	"	mov	%rbx, 24(%rax)\n"
	"	mov	%rbp, 40(%rax)\n"
	"	mov	%rsi, 48(%rax)\n"
	"	mov	%rdi, 56(%rax)\n"
	"	.irp	n, 8,9,10,11,12,13,14,15\n"
	"	mov	%r\\n, (\\n*8)(%rax)\n"
	"	.endr\n"
	"	mov	%fs:0, %rbx\n"
	"	mov	%rbx, 136(%rax)\n"
	"	fnstcw	144(%rax)\n"
	"	stmxcsr	152(%rax)\n"
	"	fstpl	160(%rax)\n"
	"	cmpb	$0, regs_use_avx(%rip)\n"
	"	je	1f\n"
	"	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqa	%ymm\\n, 192+32*\\n(%rax)\n"
	"	.endr\n"
	"	vzeroupper\n"
	"	jmp	2f\n"
	"1:\n"
	"	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqa	%xmm\\n, 192+32*\\n(%rax)\n"
	"	.endr\n"
	"2:\n"
	"	push	$0x202\n" /* DF, AC, NT, ... clear again */
	"	popfq\n"
	"	fldcw	regs_fcw_reset(%rip)\n"
	"	ldmxcsr	regs_mxcsr_reset(%rip)\n"
	".endm\n"
	/* at 0(%rsp) musl's FS base, then 8 more bytes, then the callee-saved */
	".macro regs_leave\n"
	"	pop	%rbx\n"
	"	fs_set	%rbx\n"
	"	add	$8, %rsp\n"
	"	pop	%r15\n"
	"	pop	%r14\n"
	"	pop	%r13\n"
	"	pop	%r12\n"
	"	pop	%rbp\n"
	"	pop	%rbx\n"
	"	ret\n"
	".endm\n"
	"	.section .rodata\n"
	"regs_fcw:	.short 0x0e7f\n"
	"regs_fcw_reset:	.short 0x037f\n"
	"	.balign 4\n"
	"regs_mxcsr:	.long 0xdf80\n"
	"regs_mxcsr_reset:	.long 0x1f80\n"
	"	.text\n"
	"	.globl	regs_syscall\n"
	"regs_syscall:\n"
	"	regs_enter\n"
	"	push	%rdx\n" /* out */
	"	mov	%fs:0, %rax\n"
	"	push	%rax\n" /* musl's FS base */
	"	mov	%rdi, %r12\n"
	"	mov	%rsi, %r13\n"
	"	lea	regs_fsbuf(%rip), %rbx\n"
	"	fs_set	%rbx\n"
	"	vec_fill\n"
	"	mov	%r12, %rax\n"
	"	mov	%r13, %rdi\n"
	"	gpr_fill 0, 7\n"
	"	push	regs_flags(%rip)\n"
	"	popfq\n"
	"	syscall\n"
	"	.globl	regs_syscall_ret\n"
	"regs_syscall_ret:\n"
	"	pushfq\n"
	"	push	%rax\n"
	"	mov	24(%rsp), %rax\n" /* out */
	"	regs_store\n"
	"	pop	%rbx\n"
	"	mov	%rbx, 0(%rax)\n"
	"	pop	%rbx\n"
	"	mov	%rbx, 128(%rax)\n"
	"	regs_leave\n"
	"	.globl	regs_spin\n"
	"regs_spin:\n"
	"	regs_enter\n"
	"	push	%rsi\n" /* out */
	"	push	%rdi\n" /* until */
	"	mov	%fs:0, %rax\n"
	"	push	%rax\n"
	"	lea	regs_fsbuf(%rip), %rbx\n"
	"	fs_set	%rbx\n"
	"	vec_fill\n"
	"	gpr_fill 0, 1, 2\n"
	"3:	push	regs_flags(%rip)\n"
	"	popfq\n"
	"	.rept	256\n"
	"	nop\n"
	"	.endr\n"
	"	pushfq\n"
	"	pop	%rcx\n"
	"	cmp	regs_flags_seen(%rip), %rcx\n"
	"	jne	4f\n"
	"	rdtsc\n"
	"	shl	$32, %rdx\n"
	"	or	%rdx, %rax\n"
	"	cmp	8(%rsp), %rax\n"
	"	jb	3b\n"
	"4:	pushfq\n"
	"	push	%rax\n"
	"	mov	32(%rsp), %rax\n" /* out */
	"	regs_store\n"
	"	pop	%rbx\n"
	"	mov	%rbx, 0(%rax)\n"
	"	pop	%rbx\n"
	"	mov	%rbx, 128(%rax)\n"
	"	pop	%rbx\n" /* musl's FS base, to where regs_leave wants it */
	"	mov	%rbx, 0(%rsp)\n"
	"	regs_leave\n"
	/* the other process: its own values in all of them, again and again */
	"	.globl	regs_dirty\n"
	"regs_dirty:\n"
	"	lea	regs_fsbuf+8(%rip), %rbx\n" /* a base of its own */
	"	fs_set	%rbx\n"
	"	cmpb	$0, regs_use_avx(%rip)\n"
	"	je	6f\n"
	"	vcmpps	$0xf, %ymm0, %ymm0, %ymm0\n" /* all ones (AVX's TRUE predicate) */
	"	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqa	%ymm0, %ymm\\n\n"
	"	.endr\n"
	"6:	pcmpeqb	%xmm0, %xmm0\n"
	"	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqa	%xmm0, %xmm\\n\n"
	"	.endr\n"
	"	fldcw	regs_fcw_reset(%rip)\n"
	"	fldz\n"
	"	ldmxcsr	regs_mxcsr_reset(%rip)\n"
	"	.irp	r, rax,rcx,rdx,rbx,rbp,rsi,rdi,r8,r9,r10,r11,r12,r13,r14,r15\n"
	"	mov	$-1, %\\r\n"
	"	.endr\n"
	"5:	push	$0x200\n" /* all of the test's bits clear */
	"	popfq\n"
	"	.rept	64\n"
	"	nop\n"
	"	.endr\n"
	"	jmp	5b\n");

static int has_avx(void)
{
	unsigned a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27)) || !(c & (1u << 28))) /* OSXSAVE, AVX */
		return 0;
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6; /* the kernel enabled SSE and AVX state in XCR0 */
}

static unsigned long rdtsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long)hi << 32 | lo;
}

/* What a register should hold after the trap; skip: those the caller
 * checks itself (bit n of the mask: gpr n; 16: rflags). */
static void set_flags(unsigned long f)
{
	regs_flags = f;
	regs_flags_seen = f | 0x202;
}

static int changed(const struct regs *r, unsigned skip, char *why, size_t n)
{
	for (int i = 0; i < 16; i++) {
		if (i == 4 || (skip >> i & 1))
			continue;
		if (r->gpr[i] != PAT(i)) {
			snprintf(why, n, "%s is %#lx, expected %#lx", gpr_name[i], r->gpr[i], PAT(i));
			return 1;
		}
	}
	if (!(skip >> 16 & 1) && r->rflags != regs_flags_seen) {
		snprintf(why, n, "rflags is %#lx, expected %#lx", r->rflags, regs_flags_seen);
		return 1;
	}
	if (r->fs0 != FS_WORD) {
		snprintf(why, n, "the word at the FS base is %#lx: the base moved", r->fs0);
		return 1;
	}
	if ((r->fcw & 0xffff) != FCW || (r->mxcsr & 0xffffffff) != MXCSR || r->st0 != ST0) {
		snprintf(why, n, "x87/MXCSR: fcw %#lx, mxcsr %#lx", r->fcw & 0xffff, r->mxcsr & 0xffffffff);
		return 1;
	}
	int width = regs_use_avx ? 32 : 16;
	for (int v = 0; v < 16; v++)
		for (int b = 0; b < width; b++)
			if (r->ymm[v][b] != regs_vec[v][b]) {
				snprintf(why, n, "%smm%d byte %d is %#x, expected %#x", width == 32 ? "y" : "x", v, b,
					 r->ymm[v][b], regs_vec[v][b]);
				return 1;
			}
	return 0;
}

/* After regs_syscall: rcx and r11 what `syscall` put there, the rest
 * kept; the result is the caller's. */
static int syscall_changed(const struct regs *r, char *why, size_t n)
{
	if (r->gpr[1] != (unsigned long)regs_syscall_ret) {
		snprintf(why, n, "rcx is %#lx, not the return address %p", r->gpr[1], (void *)regs_syscall_ret);
		return 1;
	}
	if (r->gpr[11] != regs_flags_seen) {
		snprintf(why, n, "r11 is %#lx, not RFLAGS at the syscall (%#lx)", r->gpr[11], regs_flags_seen);
		return 1;
	}
	return changed(r, 1 << 0 | 1 << 1 | 1 << 11, why, n);
}

/* Another process, ready all the time, with other values in every
 * register this test looks at. */
static int dirtier(void)
{
	int pid = fork();
	if (pid == 0)
		regs_dirty();
	return pid;
}

int main(void)
{
	static struct regs r;
	char why[160] = "";
	int bad;

	plan(10);
	regs_use_avx = has_avx();
	for (int v = 0; v < 16; v++)
		for (int b = 0; b < 32; b++)
			regs_vec[v][b] = (unsigned char)(0x5a ^ (v << 4) ^ (b * 7));
	regs_fsbuf[0] = FS_WORD;
	note("vector registers: %s", regs_use_avx ? "ymm0-15 (AVX)" : "xmm0-15 (no AVX)");

	/* the fast way back, sysretq, and (NT set) iretq */
	set_flags(FLAGS);
	regs_syscall(SYS_getpid, PAT(7), &r);
	bad = syscall_changed(&r, why, sizeof why);
	check(!bad && (long)r.gpr[0] == getpid(),
	      "getpid: rax is the pid, rcx and r11 the return address and RFLAGS, every other register kept%s%s",
	      bad ? ": " : "", bad ? why : "");
	set_flags(FLAGS | NT);
	regs_syscall(SYS_getpid, PAT(7), &r);
	bad = syscall_changed(&r, why, sizeof why);
	check(!bad && (long)r.gpr[0] == getpid(), "getpid with NT set (back by iretq): the same, NT kept%s%s",
	      bad ? ": " : "", bad ? why : "");
	set_flags(FLAGS);

	regs_syscall(1000, PAT(7), &r);
	bad = syscall_changed(&r, why, sizeof why);
	check(!bad && (long)r.gpr[0] == -ENOSYS, "unknown system call: rax = -ENOSYS, every other register kept%s%s",
	      bad ? ": " : "", bad ? why : "");

	regs_syscall(SYS_write, -1, &r); /* write(-1, PAT(6), PAT(2)): rdi is -1 */
	r.gpr[7] = PAT(7);
	bad = syscall_changed(&r, why, sizeof why);
	check(!bad && (long)r.gpr[0] == -EBADF, "write to a bad descriptor: -EBADF, every other register kept%s%s",
	      bad ? ": " : "", bad ? why : "");

	/* yield to a process that is ready: a switch away and back */
	int other = dirtier();
	int kept = 1;
	for (int i = 0; i < 50 && kept; i++) {
		set_flags(i % 2 ? FLAGS | NT : FLAGS); /* back by sysretq, then iretq */
		regs_syscall(SYS_sched_yield, PAT(7), &r);
		kept = !syscall_changed(&r, why, sizeof why) && r.gpr[0] == 0;
	}
	check(kept, "sched_yield with another process ready, 50 times: every register kept%s%s", kept ? "" : ": ",
	      kept ? "" : why);

	/* spin through timer interrupts, with that process to be switched to */
	set_flags(FLAGS | NT);
	unsigned long t = rdtsc();
	msleep(20);
	unsigned long per20ms = rdtsc() - t;
	unsigned long before = interrupts_taken();
	unsigned long until = rdtsc() + 3 * per20ms;
	regs_spin(until, &r);
	unsigned long taken = interrupts_taken() - before;
	bad = changed(&r, 1 << 0 | 1 << 1 | 1 << 2 | 1 << 16, why, sizeof why);
	check(!bad && r.gpr[1] == regs_flags_seen && r.gpr[0] >= until,
	      "60 ms of spinning through timer interrupts: RFLAGS and every other register kept (RFLAGS %#lx)%s%s",
	      r.gpr[1], bad ? ": " : "", bad ? why : "");
	check(taken > 0, "the spin took timer interrupts (%lu)", taken);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);

	/* fork: the child comes back through a copy of the parent's frame,
	 * its FPU and vector state included */
	set_flags(FLAGS);
	regs_syscall(SYS_fork, PAT(7), &r);
	long pid = (long)r.gpr[0];
	bad = syscall_changed(&r, why, sizeof why);
	if (pid == 0)
		_exit(bad ? 1 : 0);
	check(pid > 0 && !bad, "fork: the parent keeps every register%s%s", bad ? ": " : "", bad ? why : "");
	int st = -1;
	waitpid((int)pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork: the child starts with every register of the parent (%#x)",
	      st);

	/* and the FS base the C library had is its own again */
	unsigned long fs = 0;
	syscall(SYS_arch_prctl, 0x1003, &fs);
	check(fs && *(unsigned long *)fs == fs, "the FS base is musl's again after the test's own (%#lx)", fs);
	return tap_done();
}
