/* fpu.c: each thread's x87/SSE/AVX registers, saved with XSAVE, switched
 * lazily (CR0.TS makes a thread's first FPU instruction trap, #NM) or,
 * with fpu=eager, eagerly (saved at every switch, restored on the way out
 * to user mode).
 *
 * Lazy: a thread that never touches the FPU costs nothing at a switch; one
 * that does pays a #NM and an XRSTOR per time slice, and an XSAVE when it
 * leaves the CPU.  Eager: every switch pays an XSAVE and an XRSTOR, and no
 * thread ever traps.  Which is cheaper depends on how many threads use
 * the FPU in a slice and on what a trap costs against moving the state:
 * docs/design.md has the figures that chose lazy as the default.  The
 * kernel itself never uses these registers (-mgeneral-regs-only), so in
 * both modes they can stay the last user thread's until a user thread
 * needs its own.
 */
#include "kernel.h"
#include "proc.h"
#include "thread.h"
#include "x86_64.h"

u8 fpu_eager; /* params.fpu_eager, where trapentry.S can test it */
static int has_xsave;
static u64 xcr0;
static u32 area_size; /* bytes of one save area (a page at most) */

/* In eager mode TS stays clear: nothing traps, fpu_return loads. */
static void set_ts(void)
{
	if (!fpu_eager)
		write_cr(0, read_cr(0) | CR0_TS);
}
static void clts(void) { asm volatile("clts" ::: "memory"); }

static void xsave(void *area)
{
	if (has_xsave)
		asm volatile("xsave64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
	else
		asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}
static void xrstor(const void *area)
{
	if (has_xsave)
		asm volatile("xrstor64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
	else
		asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* Every component of the state in its initial configuration: for XRSTOR
 * an all-zero header (XSTATE_BV = 0) says "initialise them all"; FXRSTOR
 * needs the x87 control word and MXCSR's reset values. */
static u8 init_area[4096] __attribute__((aligned(64)));

/* Per CPU: the FPU on (no emulation), SSE's instructions and exceptions,
 * XSAVE with every component the CPU has among x87, SSE, AVX and
 * AVX-512; then TS: nobody's registers are here yet. */
void fpu_cpu_init(void)
{
	fpu_eager = params.fpu_eager;
	write_cr(0, (read_cr(0) & ~CR0_EM) | CR0_MP | CR0_NE);
	u64 cr4 = read_cr(4) | CR4_OSFXSR | CR4_OSXMMEXCPT;
	has_xsave = (cpuid(1, 0).c >> 26) & 1;
	if (has_xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr(4, cr4);
	if (has_xsave) {
		struct cpuid d = cpuid(0xd, 0);
		xcr0 = ((u64)d.d << 32 | d.a) & 0xe7; /* x87, SSE, AVX, AVX-512 (opmask, ZMM) */
		asm volatile("xsetbv" ::"c"(0), "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)));
		area_size = cpuid(0xd, 0).b; /* for the components now enabled */
	} else {
		area_size = 512;
	}
	if (area_size > sizeof(init_area))
		panic("XSAVE area of %d bytes", (int)area_size);
	*(u16 *)init_area = 0x37f;          /* FCW */
	*(u32 *)(init_area + 24) = 0x1f80;  /* MXCSR */
	set_ts();
	static int told;
	if (!told++ && !params.quiet)
		kprintf("fpu: %s, %d-byte area, %s\n", has_xsave ? "xsave" : "fxsave", (int)area_size,
			fpu_eager ? "eager (saved and restored at every switch; fpu=eager)" :
				    "lazy (restored at the first use in a slice, #NM)");
}

/* The save area comes with the thread (thread_alloc), not at its first
 * #NM.  A #NM can come at any instruction (musl's memcpy and printf use
 * SSE), where the program has no error to look at: a failed allocation
 * there could only kill it, for a page it needs only because switching
 * is lazy.  Here running out of memory fails the fork, spawn or clone
 * that makes the thread with -ENOMEM, after the OOM killer had its
 * chance (oom_retry), and nearly every thread touches SSE anyway, so
 * allocating early wastes next to nothing.  Switching stays lazy. */
int fpu_alloc(struct thread *t)
{
	t->fpu = kalloc();
	return t->fpu ? 0 : -ENOMEM;
}

/* The first FPU instruction of thread t in this slice (#NM from user
 * mode): give it its registers, saved ones or the initial state.  0 if
 * it did; -1 if TS was not set: the #NM has some other reason. */
int fpu_trap(struct thread *t)
{
	if (!(read_cr(0) & CR0_TS))
		return -1;
	clts();
	xrstor(t->fpu_saved ? (void *)t->fpu : init_area);
	this_x86cpu()->fpu_owner = t;
	return 0;
}

/* Eager mode, on a return to user mode (trap_return) when this CPU holds
 * nobody's registers: after every switch (fpu_switch_out forgets the
 * owner, as the thread may run on another CPU before it is back here),
 * after exec, and at a new thread's first return. */
void fpu_return(void)
{
	struct x86cpu *c = this_x86cpu();
	struct thread *t = mythread();
	xrstor(t->fpu_saved ? (void *)t->fpu : init_area);
	c->fpu_owner = t;
}

/* t leaves this CPU: if its registers are live here, save them, and set
 * TS for whoever runs next (lazy mode). */
void fpu_switch_out(struct thread *t)
{
	struct x86cpu *c = this_x86cpu();
	if (c->fpu_owner != t)
		return;
	xsave(t->fpu);
	t->fpu_saved = 1;
	c->fpu_owner = NULL;
	set_ts();
}

/* fork's child gets the parent's registers: live here, or saved. */
int fpu_fork(struct thread *child, struct thread *parent)
{
	int live = this_x86cpu()->fpu_owner == parent;
	if (!live && !parent->fpu_saved)
		return 0;
	if (live) /* child->fpu came with it (fpu_alloc) */
		xsave(child->fpu);
	else
		memcpy(child->fpu, parent->fpu, area_size);
	child->fpu_saved = 1;
	return 0;
}

/* A new program starts with the initial state: forget what was saved,
 * and what is live here. */
void fpu_exec(struct thread *t)
{
	struct x86cpu *c = this_x86cpu();
	t->fpu_saved = 0;
	if (c->fpu_owner == t) {
		c->fpu_owner = NULL;
		set_ts();
	}
}

void fpu_free(struct thread *t)
{
	struct x86cpu *c = this_x86cpu();
	if (c->fpu_owner == t) {
		c->fpu_owner = NULL;
		set_ts();
	}
	if (t->fpu)
		kfree(t->fpu);
	t->fpu = NULL;
}
