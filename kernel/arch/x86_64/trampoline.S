/* trampoline.S: where the other CPUs start.  INIT/SIPI wakes a CPU in
 * 16-bit real mode at a page below 1 MiB (SMP_TRAMPOLINE); this code is
 * copied there and climbs, as entry.S did, to long mode and the C code.
 */
#include "x86.h"
#include "x86_64.h"

/* An address inside the copy at SMP_TRAMPOLINE. */
#define T(x) ((x) - trampoline + SMP_TRAMPOLINE)

	.section .rodata
	.balign 16
	.globl trampoline, trampoline_end
	.code16
trampoline:
	/* 1. Real mode, cs:ip = 0x0800:0000 (SIPI's vector page), no stack,
	 *    interrupts in whatever state INIT left them: off. */
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	/* 2. Protected mode: a GDT with flat 32-bit segments, PE, a far jump
	 *    to load CS from it (with a 32-bit offset: the 66 prefix). */
	lgdtl	T(tgdtr)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $T(t32)

	.code32
t32:
	/* 3. As entry.S's step 5: PAE, the boot page tables (their identity
	 *    map covers this page), EFER.LME/NXE/SCE, paging on. */
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	T(tcr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr
	movl	$(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
	movl	%eax, %cr0
	ljmp	$0x18, $T(t64)

	.code64
t64:
	/* 4. 64-bit mode: the stack and the C entry the boot CPU left in
	 *    the parameters below; its argument is this CPU's index. */
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	T(tstack), %rsp
	movq	T(tid), %rdi
	xorl	%ebp, %ebp
	movq	T(tentry), %rax
	call	*%rax
1:	hlt
	jmp	1b

	.balign 16
tgdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
tgdtr:
	.word	tgdtr - tgdt - 1
	.long	T(tgdt)

/* The parameters, written by the boot CPU into the copy (smp.c). */
	.balign 8
	.globl trampoline_params
trampoline_params:
tcr3:	.quad	0
tstack:	.quad	0
tentry:	.quad	0
tid:	.quad	0
trampoline_end:
