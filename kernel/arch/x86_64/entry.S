/* entry.S: the first instructions, from QEMU's PVH boot to C.
 * PVH enters in 32-bit protected mode with paging off; we build a first
 * set of page tables, switch to long mode, jump to the upper half, call C.
 */
#include "x86.h"

/* The ELF note by which QEMU's -kernel recognises a PVH kernel and finds
 * its 32-bit entry point (Xen's XEN_ELFNOTE_PHYS32_ENTRY).  Without it the
 * ELF64 file would not be bootable directly. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
	.section .note.pvh, "a", @note
	.balign 4
	.long	4			/* name size: "Xen\0" */
	.long	4			/* descriptor size: a 32-bit address */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.long	pvh_start

/* Page-table entry bits used here (mmu.c has the full set). */
#define P 0x1
#define RW 0x2
#define PWT 0x8
#define PCD 0x10
#define PS 0x80

	.section .boot.text, "ax"
	.code32
	.globl pvh_start
pvh_start:
	/* 1. The PVH contract: flat 32-bit segments, paging and interrupts
	 *    off, ebx = physical address of the start info (the memory map,
	 *    the initrd, the command line).  No stack yet.  Keep ebx in esi. */
	cli
	cld
	movl	%ebx, %esi

	/* 2. Zero the boot page tables (7 pages). */
	movl	$boot_pml4, %edi
	movl	$(7 * 1024), %ecx
	xorl	%eax, %eax
	rep stosl

	/* 3. The first 4 GiB as 2 MiB pages in four page directories.  The
	 *    top 32 MiB holds the devices (IOAPIC, LAPIC, virtio-mmio):
	 *    uncached (PCD|PWT select the uncached PAT entry). */
	movl	$boot_pd, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	cmpl	$0xfe000000, %eax
	jb	2f
	orl	$(PCD | PWT), %eax
2:	orl	$(P | RW | PS), %eax
	movl	%eax, (%edi, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b

	/* 4. Link them: the PDPT's first four entries name the four PDs; it
	 *    serves twice, at virtual 0 (identity: the instructions right
	 *    after paging goes on run there) and at PHYS_OFFSET (PML4 slot
	 *    256: all of RAM, for the kernel).  The kernel image at KERNBASE
	 *    = -2 GiB is PML4 slot 511, PDPT slot 510: the first GiB. */
	movl	$boot_pdpt, %edi
	movl	$(boot_pd + (P | RW)), %eax
	movl	%eax, 0(%edi)
	addl	$4096, %eax
	movl	%eax, 8(%edi)
	addl	$4096, %eax
	movl	%eax, 16(%edi)
	addl	$4096, %eax
	movl	%eax, 24(%edi)
	movl	$(boot_pd + (P | RW)), %eax
	movl	%eax, boot_pdpt_hi + 510 * 8
	movl	$(boot_pdpt + (P | RW)), %eax
	movl	%eax, boot_pml4 + 0 * 8
	movl	%eax, boot_pml4 + 256 * 8
	movl	$(boot_pdpt_hi + (P | RW)), %eax
	movl	%eax, boot_pml4 + 511 * 8

	/* 5. Long mode: PAE page tables (CR4.PAE, CR3), then EFER.LME (and
	 *    NXE, so the no-execute bit is honoured rather than reserved),
	 *    then paging on: the CPU is now in 64-bit mode's compatibility
	 *    sub-mode until a 64-bit code segment is loaded. */
	movl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr
	movl	$(CR0_PE | CR0_MP | CR0_NE | CR0_WP | CR0_PG), %eax
	movl	%eax, %cr0

	/* 6. Load a GDT with a 64-bit code segment and far-jump into it. */
	lgdt	boot_gdtr
	ljmp	$SEG_KCODE, $start64

	.code64
start64:
	/* 7. 64-bit mode, still at the physical (identity) address.  Data
	 *    segments are ignored in long mode except for SS's selector,
	 *    which iretq checks: give them all the kernel data segment. */
	movw	$SEG_KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs

	/* 8. To the upper half: a stack there, and call the C entry with
	 *    the start info's physical address (zero-extended from esi). */
	movabsq	$boot_stack_top, %rsp
	movl	%esi, %edi
	xorl	%ebp, %ebp
	movabsq	$x86_start, %rax
	call	*%rax
3:	hlt
	jmp	3b

	.section .boot.data, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:	.fill 4096, 1, 0
boot_pdpt:	.fill 4096, 1, 0
boot_pdpt_hi:	.fill 4096, 1, 0
boot_pd:	.fill 4 * 4096, 1, 0

	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdtr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.section .bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.space	16384
boot_stack_top:
