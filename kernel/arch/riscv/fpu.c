/* fpu.c: each thread's floating-point registers, switched lazily.
 * sstatus.FS in its trapframe says whether they are live in the hart.
 */
#include "kernel.h"
#include "proc.h"
#include "board.h"

#define FPU_BYTES (FPU_REGS * 8)

/* Before t leaves the hart: if it changed its FPU registers since they
 * were last loaded, save them in its thread block and turn its FPU off, so
 * its next FPU instruction traps and reloads them (fpu_trap, trap.c). */
void fpu_switch_out(struct thread *t)
{
	if ((t->tf->sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		/* FS leaves off only through fpu_trap, which made the area */
		if (!t->fpu)
			panic("fpu_switch_out: live FPU registers and nowhere to save them");
		fpu_save(t->fpu);
		t->fpu_saved = 1;
	}
	if ((t->tf->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF)
		t->tf->sstatus &= ~SSTATUS_FS;
}

/* The child of fork gets the parent's registers: live in the hart if the
 * parent's FS is not off, else in its thread block, if it has any. */
int fpu_fork(struct thread *child, struct thread *parent)
{
	u64 fs = parent->tf->sstatus & SSTATUS_FS;
	if (fs == SSTATUS_FS_OFF && !parent->fpu_saved)
		return 0;
	child->fpu = kmalloc(FPU_BYTES);
	if (!child->fpu)
		return -ENOMEM;
	if (fs != SSTATUS_FS_OFF)
		fpu_save(child->fpu);
	else
		memcpy(child->fpu, parent->fpu, FPU_BYTES);
	child->fpu_saved = 1;
	child->tf->sstatus &= ~SSTATUS_FS;
	return 0;
}

/* A new program: the saved registers are the old program's.  (FS is off
 * in the fresh trapframe, arch_user_init.) */
void fpu_exec(struct thread *t) { t->fpu_saved = 0; }

/* Nothing yet: the area is allocated at the thread's first FPU
 * instruction (fpu_trap), so a program that never computes in floating
 * point never pays for it. */
int fpu_alloc(struct thread *t)
{
	(void)t;
	return 0;
}

void fpu_free(struct thread *t) { kmfree(t->fpu); }

/* The first FPU instruction of a thread whose FPU is off: give it its
 * registers (saved ones, or zeros) and retry the instruction.  Returns 0
 * if it did; -1 if the FPU was on already: then the instruction is
 * illegal for another reason. */
int fpu_trap(struct thread *t, struct trapframe *tf)
{
	static const u64 zero[FPU_REGS];
	if ((tf->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF)
		return -1;
	/* The save area now, while a failure can still be told to the
	 * program's owner: at the switch out, registers it could not save
	 * would be lost without a word. */
	if (!t->fpu && !(t->fpu = kmalloc(FPU_BYTES))) {
		kill_fault(t->proc, SIGKILL, EXC_ILLEGAL_INST, "out of memory for the FPU registers", TF_PC(tf));
		return 0;
	}
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	fpu_restore(t->fpu_saved ? t->fpu : zero);
	csr_clear(sstatus, SSTATUS_FS);
	tf->sstatus |= SSTATUS_FS_CLEAN;
	/* Not an FPU instruction after all?  It traps again with FS on and
	 * is reported as illegal. */
	return 0;
}
