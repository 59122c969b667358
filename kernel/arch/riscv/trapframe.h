/* trapframe.h: the user registers saved on a trap, on the kernel stack.
 * Register xN lives at offset N*8; slot 0 (x0 is always zero) holds the pc.
 *
 * The callee-saved registers s0-s11 are normally NOT saved: the kernel's C
 * code preserves them by the calling convention, so they are still the
 * user's when the trap returns.  They are saved only for fork, whose child
 * needs them; and they are restored only when `full` is set: for a child
 * of fork and for a new program image (exec, spawn: all zero).
 */
#ifndef TRAPFRAME_H
#define TRAPFRAME_H

#define TF_EPC 0
#define TF_SP (2 * 8)
#define TF_A0 (10 * 8)
#define TF_SSTATUS (32 * 8)
#define TF_KTP (33 * 8)
#define TF_FULL (34 * 8)
#define TF_SIZE (36 * 8) /* a multiple of 16: sp stays aligned below it */

/* The one system call that needs the callee-saved registers s0-s11 in the
 * trapframe: fork copies the whole frame to the child (checked in trap.c). */
#define TF_SYS_FULL 1

#ifndef __ASSEMBLER__
#include "types.h"

struct trapframe {
	u64 epc; /* user pc: where sret resumes */
	u64 ra, sp, gp, tp;
	u64 t0, t1, t2;
	u64 s0, s1;
	u64 a0, a1, a2, a3, a4, a5, a6, a7;
	u64 s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	u64 t3, t4, t5, t6;
	u64 sstatus; /* user status: SPP, SPIE, FS */
	u64 ktp;     /* kernel tp (struct cpu *) of the hart it returns on */
	u64 full;    /* s0-s11 here are the ones to return with (see below) */
	u64 pad;
};

_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe layout");
_Static_assert(offsetof(struct trapframe, a0) == TF_A0, "trapframe a0");
_Static_assert(offsetof(struct trapframe, sstatus) == TF_SSTATUS, "trapframe sstatus");
_Static_assert(offsetof(struct trapframe, ktp) == TF_KTP, "trapframe ktp");
_Static_assert(offsetof(struct trapframe, full) == TF_FULL, "trapframe full");
#endif
#endif
