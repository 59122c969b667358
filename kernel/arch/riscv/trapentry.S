/* trapentry.S: the first and last instructions of every trap.
 * stvec points at trap_entry (installed at boot by trap_init).  The user's
 * registers are saved in the trapframe at the top of the process's own
 * kernel stack; trap_return restores them and returns-from-trap (sret).
 */
#include "trapframe.h"

	.section .text
	.option norvc

/* The registers a C call may clobber, and gp/tp: ra, gp, tp, t0-t6,
 * a0-a7 (x2 = sp is handled by hand). */
.macro SAVE_SCRATCH base
	.irp	n, 1,3,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	sd	x\n, \n*8(\base)
	.endr
.endm

/* The same, except a0 (x10), which holds \base. */
.macro LOAD_SCRATCH base
	.irp	n, 1,3,4,5,6,7,11,12,13,14,15,16,17,28,29,30,31
	ld	x\n, \n*8(\base)
	.endr
.endm

/* The callee-saved registers s0-s11 (x8, x9, x18-x27). */
.macro SAVE_CALLEE base
	.irp	n, 8,9,18,19,20,21,22,23,24,25,26,27
	sd	x\n, \n*8(\base)
	.endr
.endm
.macro LOAD_CALLEE base
	.irp	n, 8,9,18,19,20,21,22,23,24,25,26,27
	ld	x\n, \n*8(\base)
	.endr
.endm

	.globl trap_entry
	.balign 4
trap_entry:
	/* 1. The hardware has already: saved pc in sepc, the cause in scause
	 *    (and the bad address in stval), copied SIE into SPIE and the old
	 *    mode into SPP, disabled interrupts and switched to S-mode.  No
	 *    register is free yet.  sscratch holds the trapframe address of
	 *    the running process while it is in user mode, and 0 while this
	 *    hart is in the kernel: swap it with sp. */
	csrrw	sp, sscratch, sp

	/* 2. sp == 0: the trap came from the kernel itself. */
	beqz	sp, kernel_entry

	/* 3. From user mode: sp is now the trapframe, at the top of this
	 *    process's kernel stack.  Save the user registers that C code may
	 *    clobber; s0-s11 survive the C code by the calling convention. */
	SAVE_SCRATCH sp

	/* 4. The user sp is in sscratch; store it and zero sscratch, so a
	 *    trap taken from now on is recognised as a kernel trap. */
	csrrw	t0, sscratch, zero
	sd	t0, TF_SP(sp)

	/* 5. Save the user pc (sepc) and status (SPP, SPIE, FPU state). */
	csrr	t0, sepc
	sd	t0, TF_EPC(sp)
	csrr	t1, sstatus
	sd	t1, TF_SSTATUS(sp)

	/* 6. tp belongs to the user (picolibc keeps TLS there); the kernel's
	 *    tp, this hart's struct cpu, was left in the trapframe on the way
	 *    out. */
	ld	tp, TF_KTP(sp)

	/* 7. fork copies the whole frame to the child: for it (and for any
	 *    trap that happens to have a7 == SYS_fork, harmlessly) save
	 *    s0-s11 too. */
	li	t0, TF_SYS_FULL
	bne	a7, t0, 1f
	SAVE_CALLEE sp
1:
	/* 8. Handle the trap in C, on the kernel stack below the trapframe:
	 *    usertrap(a0, .., a5, tf, a7).  a0-a5 and a7 still hold the
	 *    user's values, a system call's arguments and number: they go
	 *    to the handler as they are.  The trapframe goes in a6. */
	mv	a6, sp
	call	usertrap
	/* usertrap returns the trapframe to resume: fall through. */

/* trap_return(tf): return-from-trap into user mode.
 * tf is the trapframe of the process that is to run on this hart. */
	.globl trap_return
trap_return:
	/* 1. Note this hart's struct cpu: the next trap must find it. */
	sd	tp, TF_KTP(a0)

	/* 2. The next trap from user mode lands on this trapframe. */
	csrw	sscratch, a0

	/* 3. sret jumps to sepc, switches to the mode in SPP (user) and sets
	 *    SIE from SPIE (interrupts on). */
	ld	t0, TF_EPC(a0)
	csrw	sepc, t0
	ld	t1, TF_SSTATUS(a0)
	csrw	sstatus, t1

	/* 4. A new image or a fork child: its s0-s11 are in the frame, not
	 *    in the registers.  Otherwise the registers already hold them. */
	ld	t0, TF_FULL(a0)
	beqz	t0, 1f
	sd	zero, TF_FULL(a0)
	LOAD_CALLEE a0
1:
	/* 5. Restore the user's registers, sp and a0 last. */
	LOAD_SCRATCH a0
	ld	sp, TF_SP(a0)
	ld	a0, TF_A0(a0)

	/* 6. Return-from-trap. */
	sret

/* A trap while in S-mode: only interrupts while a hart idles are expected
 * (the kernel otherwise runs with interrupts off); anything else is a
 * kernel bug that kerneltrap reports. */
kernel_entry:
	/* 1. Undo the swap: sp is the kernel stack again, sscratch is 0. */
	csrrw	sp, sscratch, sp
	/* 2. Save the interrupted kernel context in a frame on this stack. */
	addi	sp, sp, -TF_SIZE
	SAVE_SCRATCH sp
	SAVE_CALLEE sp
	addi	t0, sp, TF_SIZE
	sd	t0, TF_SP(sp)
	csrr	t0, sepc
	sd	t0, TF_EPC(sp)
	csrr	t1, sstatus
	sd	t1, TF_SSTATUS(sp)
	/* 3. Handle it. */
	mv	a0, sp
	call	kerneltrap
	/* 4. Resume where the kernel was. */
	ld	t0, TF_EPC(sp)
	csrw	sepc, t0
	ld	t1, TF_SSTATUS(sp)
	csrw	sstatus, t1
	ld	x1, 8(sp)
	.irp	n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, \n*8(sp)
	.endr
	addi	sp, sp, TF_SIZE
	sret
