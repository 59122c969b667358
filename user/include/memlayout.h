/* memlayout.h (RISC-V): where user space ends and what lies around it,
 * for tests that hand the kernel addresses it must refuse.
 */
#ifndef USER_MEMLAYOUT_H
#define USER_MEMLAYOUT_H

/* The kernel's values (kernel/arch/riscv/machine.h, kernel/kernel.h):
 * Sv39 gives user space the lower half of 39 bits. */
#define USER_TOP (1UL << 38)
#define USTACK_TOP (USER_TOP - 4096)                  /* an unmapped page above the stack */
#define USTACK_GUARD (USTACK_TOP - (8UL << 20) - 4096) /* below its 8 MiB: never mapped */
#define KERNEL_ADDR 0xffffffc080200000UL              /* the kernel image */
/* Addresses no page table can map: between the halves (Sv39's bits 63..39
 * must equal bit 38). */
#define HOLE_START (1UL << 38)
#define HOLE_END 0xffffffc000000000UL

#endif
