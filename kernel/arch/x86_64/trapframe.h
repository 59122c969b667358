/* trapframe.h: the registers saved on a trap, at the top of the running
 * thread's kernel stack.  The CPU itself pushes the last five (from user
 * mode onto the stack the TSS's rsp0 names); trapentry.S the rest.
 *
 * The same frame serves the `syscall` path, which the CPU does not help
 * with: there trapentry.S switches to that stack and pushes the five
 * words by hand (rip from rcx, rflags from r11), so that both paths leave
 * one layout and either return (iretq or sysretq) can resume either.
 */
#ifndef TRAPFRAME_H
#define TRAPFRAME_H

#define TF_FSBASE 0
#define TF_R15 (2 * 8)
#define TF_R11_OFF (8 * 8)
#define TF_RAX (12 * 8)
#define TF_RCX_OFF (13 * 8)
#define TF_VECTOR (17 * 8)
#define TF_ERROR (18 * 8)
#define TF_RIP (19 * 8)
#define TF_CS (20 * 8)
#define TF_RFLAGS (21 * 8)
#define TF_RSP (22 * 8)
#define TF_SS (23 * 8)
#define TF_SIZE (24 * 8) /* a multiple of 16: the C code's stack stays aligned below it */

/* The vector number recorded for a `syscall` (not an IDT vector). */
#define T_SYSCALL 0x100

/* Offsets in struct x86cpu (percpu.h), which GS names in the kernel. */
#define PC_SELF 0
#define PC_KSTACK 8 /* top of the running thread's trapframe: TSS rsp0 */
#define PC_USER_RSP 16
#define PC_CPU 24
#define PC_RSP0 32 /* &this CPU's TSS.rsp0 */
#define PC_FSBASE 40 /* the FS base this CPU holds now */
#define PC_FPU_OWNER 48

#ifndef __ASSEMBLER__
#include "types.h"

struct trapframe {
	u64 fsbase; /* the thread's TLS pointer (FS base): loaded on the way out if the CPU has another */
	u64 pad;
	u64 r15, r14, r13, r12, rbp, rbx; /* callee-saved: survive C code anyway */
	u64 r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	u64 vector; /* IDT vector, or T_SYSCALL */
	u64 error;  /* the CPU's error code, 0 for vectors that have none */
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU (or by the syscall entry) */
};

_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe layout");
_Static_assert(__builtin_offsetof(struct trapframe, rax) == TF_RAX, "trapframe rax");
_Static_assert(__builtin_offsetof(struct trapframe, r15) == TF_R15, "trapframe r15");
_Static_assert(__builtin_offsetof(struct trapframe, vector) == TF_VECTOR, "trapframe vector");
_Static_assert(__builtin_offsetof(struct trapframe, r11) == TF_R11_OFF, "trapframe r11");
_Static_assert(__builtin_offsetof(struct trapframe, rcx) == TF_RCX_OFF, "trapframe rcx");
_Static_assert(__builtin_offsetof(struct trapframe, rip) == TF_RIP, "trapframe rip");
_Static_assert(__builtin_offsetof(struct trapframe, ss) == TF_SS, "trapframe ss");

/* Per-CPU state of this architecture; GS's base points at it while the
 * CPU is in the kernel (swapgs exchanges it with the user's on entry
 * from user mode and on the way back). */
struct x86cpu {
	struct x86cpu *self;
	u64 kstack;   /* where the next trap from user mode puts its frame's end */
	u64 user_rsp; /* the syscall entry's one scratch word */
	void *cpu;    /* the portable struct cpu */
	u64 *rsp0;    /* this CPU's TSS.rsp0 */
	u64 fsbase;   /* what MSR_FS_BASE holds: written only when a thread wants another */
	void *fpu_owner; /* the thread whose FPU registers are live in this CPU (fpu.c) */
	int id;
	u32 apic_id;
	volatile int started;
};
/* This CPU's struct x86cpu: its first word points at itself. */
static inline struct x86cpu *this_x86cpu(void)
{
	struct x86cpu *c;
	asm volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
_Static_assert(__builtin_offsetof(struct x86cpu, kstack) == PC_KSTACK, "x86cpu kstack");
_Static_assert(__builtin_offsetof(struct x86cpu, user_rsp) == PC_USER_RSP, "x86cpu user_rsp");
_Static_assert(__builtin_offsetof(struct x86cpu, cpu) == PC_CPU, "x86cpu cpu");
_Static_assert(__builtin_offsetof(struct x86cpu, rsp0) == PC_RSP0, "x86cpu rsp0");
_Static_assert(__builtin_offsetof(struct x86cpu, fsbase) == PC_FSBASE, "x86cpu fsbase");
_Static_assert(__builtin_offsetof(struct x86cpu, fpu_owner) == PC_FPU_OWNER, "x86cpu fpu_owner");
#endif
#endif
