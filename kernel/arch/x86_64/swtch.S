/* swtch.S: switch kernel stacks: save the callee-saved registers of the
 * running kernel thread in *old, load those of *new and continue where
 * new stopped (or at its ra, for a thread that never ran).
 */
	.section .text

/* void swtch(struct context *old, struct context *new) */
	.globl swtch
swtch:
	/* 1. Our return address becomes old's resume point; the stack is
	 *    saved as it will be after the return. */
	popq	%rax
	movq	%rax, 0(%rdi)
	movq	%rsp, 8(%rdi)
	/* 2. The System V callee-saved registers: the caller of swtch (the
	 *    scheduler, sleep, yield) expects them unchanged when it resumes.
	 *    Everything else the compiler has already saved around the call. */
	movq	%rbx, 16(%rdi)
	movq	%rbp, 24(%rdi)
	movq	%r12, 32(%rdi)
	movq	%r13, 40(%rdi)
	movq	%r14, 48(%rdi)
	movq	%r15, 56(%rdi)
	/* 3. The other thread's registers and stack... */
	movq	16(%rsi), %rbx
	movq	24(%rsi), %rbp
	movq	32(%rsi), %r12
	movq	40(%rsi), %r13
	movq	48(%rsi), %r14
	movq	56(%rsi), %r15
	movq	8(%rsi), %rsp
	/* 4. ...and where it goes on: the instruction after its own call of
	 *    swtch, or forkret for a new thread. */
	jmpq	*0(%rsi)
