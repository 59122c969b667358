/* entry.S: where each hart first enters the kernel ("OS @ boot").
 * OpenSBI jumps here in S-mode with the MMU off, at the physical address.
 */
#define SATP_SV39 (8 << 60)

	.section .text.boot, "ax"
	.option norvc

/* Boot hart: a0 = hartid, a1 = physical address of the device tree. */
	.globl _start
_start:
	/* 1. Keep interrupts off until the trap table is installed. */
	csrw	sie, zero
	csrw	sscratch, zero

	/* 1b. Exactly one hart boots the kernel.  OpenSBI releases one hart
	 *     here, but under heavy host load a second hart that reached the
	 *     firmware late has been seen to arrive too (its hart_start then
	 *     fails: "already available").  The first hart wins this lottery;
	 *     any other hands itself back to the firmware, stopped (SBI HSM
	 *     hart_stop), and the boot hart starts it at _secondary_start. */
	la	t0, boot_lottery	/* physical: the MMU is still off */
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, .Lnot_boot_hart

	/* 2. Turn paging on with the boot page table.  It maps RAM both at
	 *    its physical address (so the next fetch still works) and in the
	 *    upper half where the kernel is linked.  `la` is pc-relative, so
	 *    it yields the physical address while the MMU is off. */
	la	t0, boot_pagetable
	srli	t0, t0, 12
	li	t1, SATP_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma

	/* 3. Jump to the upper-half address of label 1 (an absolute address
	 *    stored as data, loaded pc-relative). */
	ld	t0, .Lhigh
	jr	t0
	.balign 8
.Lhigh:	.quad	1f
1:
	/* 4. Clear .bss (nothing may live there yet: the stack is next). */
	la	t0, _bss_start
	la	t1, _kernel_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
	/* 5. Boot stack, then C: boot_main(hartid, dtb). */
	la	sp, boot_stack_top
	mv	tp, zero
	call	boot_main
4:	wfi
	j	4b

.Lnot_boot_hart:
	li	a7, 0x48534D		/* HSM */
	li	a6, 1			/* hart_stop: does not return */
	ecall
1:	wfi
	j	1b

/* Other harts, started by SBI HSM hart_start:
 * a0 = hartid, a1 = the opaque value we passed: this hart's struct cpu,
 * whose first word is the top of its stack. */
	.globl _secondary_start
_secondary_start:
	csrw	sie, zero
	csrw	sscratch, zero
	la	t0, boot_pagetable
	srli	t0, t0, 12
	li	t1, SATP_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, .Lhigh2
	jr	t0
	.balign 8
.Lhigh2: .quad	1f
1:	mv	tp, a1
	ld	sp, 0(tp)
	call	secondary_main
2:	wfi
	j	2b

/* The boot page table: 1 GiB "gigapages" only.
 * Entries 2,3 map 0x80000000..0xffffffff to itself; 256..259 map physical
 * 0..0xffffffff at 0xffffffc000000000 (the upper half).  kmain replaces it
 * with the real kernel page table as soon as it can. */
#define GIGA(pa) (((pa) >> 12) << 10 | 0xcf) /* V R W X A D */
	.section .data.pagetable, "aw"
	.balign 4096
	.globl boot_pagetable
boot_pagetable:
	.quad	0
	.quad	0
	.quad	GIGA(0x80000000)
	.quad	GIGA(0xc0000000)
	.fill	252, 8, 0
	.quad	GIGA(0x00000000)
	.quad	GIGA(0x40000000)
	.quad	GIGA(0x80000000)
	.quad	GIGA(0xc0000000)
	.fill	252, 8, 0

	.section .data
	.balign 4
boot_lottery:
	.word	0

	.section .bss
	.balign 16
boot_stack:
	.space	16384
	.globl boot_stack_top
boot_stack_top:
