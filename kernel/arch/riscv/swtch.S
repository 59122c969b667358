/* swtch.S: the context switch between two kernel threads.
 * void swtch(struct context *old, struct context *new);
 */
	.section .text
	.globl swtch
swtch:
	/* Only the callee-saved registers need saving: swtch is an ordinary
	 * call, so the caller already assumes a0-a7 and t0-t6 are clobbered.
	 * The user's registers are not here at all: they sit in the trapframe
	 * on the old process's kernel stack (the first kind of save). */

	/* 1. Save ra (where swtch returns to), sp and s0-s11 in old. */
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	sd	s0, 16(a0)
	sd	s1, 24(a0)
	sd	s2, 32(a0)
	sd	s3, 40(a0)
	sd	s4, 48(a0)
	sd	s5, 56(a0)
	sd	s6, 64(a0)
	sd	s7, 72(a0)
	sd	s8, 80(a0)
	sd	s9, 88(a0)
	sd	s10, 96(a0)
	sd	s11, 104(a0)

	/* 2. Load the new thread's registers: loading sp switches to its
	 *    kernel stack. */
	ld	ra, 0(a1)
	ld	sp, 8(a1)
	ld	s0, 16(a1)
	ld	s1, 24(a1)
	ld	s2, 32(a1)
	ld	s3, 40(a1)
	ld	s4, 48(a1)
	ld	s5, 56(a1)
	ld	s6, 64(a1)
	ld	s7, 72(a1)
	ld	s8, 80(a1)
	ld	s9, 88(a1)
	ld	s10, 96(a1)
	ld	s11, 104(a1)

	/* 3. Return into the new thread: where it called swtch, or forkret. */
	ret
