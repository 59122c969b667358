/* trapentry.S: the first and last instructions of every trap.
 * The IDT's 256 gates point at the stubs below (idt.c); `syscall` enters
 * at syscall_entry (LSTAR).  Both build a struct trapframe at the top of
 * the kernel stack; trap_return restores it and returns (iretq/sysretq).
 */
#include "x86.h"
#include "trapframe.h"

	.section .text
	.altmacro

/* The CPU pushes an error code for these vectors only (#DF, #TS, #NP,
 * #SS, #GP, #PF, #AC, #CP, #VC, #SX); the others get a 0 pushed here, so
 * every frame has one shape. */
.macro VECTOR n
	.balign 16
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	alltraps
.endm

	.globl trap_vectors
	.balign 16
trap_vectors:
	.set	i, 0
	.rept	256
	VECTOR	%i
	.set	i, i + 1
	.endr

/* Save the general registers below what the CPU pushed (struct trapframe,
 * from r15 at the bottom up to rdi). */
.macro SAVE_REGS
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$16, %rsp		/* fsbase and pad: not registers, kept in the frame */
.endm

alltraps:
	/* 1. The CPU has already: looked up the gate, and if the trap came
	 *    from user mode switched to the stack in the TSS's rsp0 (this
	 *    thread's kernel stack); pushed ss, rsp, rflags, cs, rip (and an
	 *    error code for some vectors); cleared IF (interrupt gates).  The
	 *    stub pushed the vector.  Nothing else has changed: every general
	 *    register is still the interrupted code's. */

	/* 2. From user mode (the RPL of the saved cs is 3): GS still has the
	 *    user's base; swapgs makes it this CPU's struct x86cpu. */
	testb	$3, 24(%rsp)
	jz	1f
	swapgs
1:
	/* 3. Save the general registers: the frame is complete. */
	SAVE_REGS

	/* 4. The user can set DF and AC in rflags, and the interrupt gate
	 *    clears neither: the C code expects DF = 0 (the ABI), and AC = 1
	 *    would switch SMAP's protection of user memory off.  (AC through
	 *    popfq, not clac: see stac() in x86.h.) */
	cld
	pushfq
	andq	$~RFLAGS_AC, (%rsp)
	popfq

	/* 5. Call the C handler with the frame; frame and stack are 16-byte
	 *    aligned (the CPU aligns rsp before pushing, the frame is 192). */
	movq	%rsp, %rdi
	xorl	%ebp, %ebp
	call	x86_trap
	movq	%rsp, %rdi
	/* fall through: return to whoever was interrupted */

/* The thread's TLS pointer into FS base, if the CPU holds another: a
 * wrmsr only when threads with different ones follow each other.  rdi =
 * the frame; uses rax, rcx, rdx (all restored from the frame after). */
.macro LOAD_FSBASE
	movq	TF_FSBASE(%rdi), %rax
	movq	%rax, %rcx
	shrq	$47, %rcx		/* non-canonical: wrmsr would #GP in the kernel */
	jz	2f
	xorl	%eax, %eax
2:	cmpq	%gs:PC_FSBASE, %rax
	je	3f
	movq	%rax, %gs:PC_FSBASE
	movq	%rax, %rdx
	shrq	$32, %rdx
	movl	$MSR_FS_BASE, %ecx
	wrmsr
3:
.endm

/* fpu=eager (fpu.c): the returning thread gets its FPU registers unless
 * they are already this CPU's, that is unless this CPU has an owner (a
 * switch always leaves it none, so an owner is the returning thread);
 * lazy mode skips the call.  Every other register is popped from the
 * frame afterwards; rdi, the frame, is kept. */
.macro FPU_RETURN
	cmpb	$0, fpu_eager(%rip)
	je	4f
	cmpq	$0, %gs:PC_FPU_OWNER
	jne	4f
	pushq	%rdi
	call	fpu_return
	popq	%rdi
4:
.endm

/* trap_return(tf): resume what tf describes. */
	.globl trap_return
trap_return:
	/* 6. Back to user mode: the next trap from there must find its frame
	 *    right here again, at the top of this thread's kernel stack (the
	 *    thread may be another than the one whose trap brought the CPU
	 *    into the kernel: a switch happened in between).  So TSS.rsp0
	 *    and the syscall entry's stack both get the end of this frame. */
	testb	$3, TF_CS(%rdi)
	jz	1f
	leaq	TF_SIZE(%rdi), %rax
	movq	%rax, %gs:PC_KSTACK
	movq	%gs:PC_RSP0, %rcx
	movq	%rax, (%rcx)
	FPU_RETURN
	LOAD_FSBASE
1:
	/* 7. The frame becomes the stack: pop the registers back. */
	leaq	TF_R15(%rdi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	/* 8. Drop vector and error code: rsp now points at the CPU's part. */
	addq	$16, %rsp
	/* 9. Back to user mode: swap the user's GS base back in, last thing
	 *    before iretq; interrupts are off, so nothing runs in between
	 *    with the wrong one. */
	testb	$3, 8(%rsp)
	jz	2f
	swapgs
2:
	/* 10. iretq pops rip, cs, rflags, rsp, ss: the privilege level comes
	 *    from cs, and IF from rflags (on again in user mode). */
	iretq

/* The `syscall` instruction: the fast path into the kernel.  The CPU does
 * far less than for a trap: rip -> rcx, rflags -> r11, rflags &= ~FMASK
 * (IF, DF, TF, AC: interrupts off, direction up, no single-step, SMAP
 * on), cs/ss from STAR.  No stack switch and nothing pushed: rsp is still
 * the user's, and must not be trusted or used. */
	.globl syscall_entry
syscall_entry:
	/* 1. The kernel's GS (interrupts are off by FMASK, so no trap can
	 *    see the user's GS in kernel mode), then park the user rsp in
	 *    this CPU's scratch word and take the thread's kernel stack. */
	swapgs
	movq	%rsp, %gs:PC_USER_RSP
	movq	%gs:PC_KSTACK, %rsp
	/* 2. Push the five words a trap's CPU would have pushed. */
	pushq	$SEG_UDATA
	pushq	%gs:PC_USER_RSP
	pushq	%r11
	pushq	$SEG_UCODE
	pushq	%rcx
	pushq	$0
	pushq	$T_SYSCALL
	/* 3. The rest, as for any trap. */
	SAVE_REGS
	movq	%rsp, %rdi
	xorl	%ebp, %ebp
	call	x86_syscall
	movq	%rsp, %rdi
	/* fall through */

/* syscall_return(tf): back to user mode by sysretq when that is safe,
 * else by the general iretq path. */
	.globl syscall_return
syscall_return:
	/* 4. sysretq takes rip from rcx and rflags from r11 and cannot
	 *    restore either of them from the frame: it is used only when the
	 *    frame still looks like what syscall made.  A non-canonical rip
	 *    (exec may put anything there) would fault inside sysretq, in
	 *    ring 0 but on the user's stack (an Intel pitfall): such returns,
	 *    and any that must restore rcx/r11 or flags like TF, go by iretq. */
	movq	TF_RIP(%rdi), %rax
	cmpq	TF_RCX_OFF(%rdi), %rax
	jne	trap_return
	shrq	$47, %rax
	jnz	trap_return
	movq	TF_RFLAGS(%rdi), %rax
	cmpq	TF_R11_OFF(%rdi), %rax
	jne	trap_return
	testq	$(RFLAGS_TF | RFLAGS_NT), %rax
	jnz	trap_return
	/* 5. As in step 6 above: the next trap's frame goes here again. */
	leaq	TF_SIZE(%rdi), %rax
	movq	%rax, %gs:PC_KSTACK
	movq	%gs:PC_RSP0, %rcx
	movq	%rax, (%rcx)
	FPU_RETURN
	LOAD_FSBASE
	/* 6. Restore every register but rsp; rcx and r11 hold rip and rflags. */
	leaq	TF_R15(%rdi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	/* 7. The user's stack and GS last: after these two the kernel holds
	 *    no stack of its own, and interrupts are still off until sysretq
	 *    sets rflags from r11. */
	movq	TF_RSP - TF_VECTOR(%rsp), %rsp
	swapgs
	sysretq
