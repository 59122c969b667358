/* memlayout.h (x86-64): where user space ends and what lies around it,
 * for tests that hand the kernel addresses it must refuse.
 */
#ifndef USER_MEMLAYOUT_H
#define USER_MEMLAYOUT_H

/* The kernel's values (kernel/arch/x86_64/machine.h, kernel/kernel.h):
 * the lower half of 48 bits, less its last page (the sysretq pitfall). */
#define USER_TOP ((1UL << 47) - 4096)
#define USTACK_TOP (USER_TOP - 4096)                  /* an unmapped page above the stack */
#define USTACK_GUARD (USTACK_TOP - (8UL << 20) - 4096) /* below its 8 MiB: never mapped */
#define KERNEL_ADDR 0xffffffff80100000UL              /* the kernel image (KERNBASE + 1 MiB) */
/* Non-canonical addresses (bits 63..48 must equal bit 47): a kernel
 * access there is a general-protection fault, not a page fault. */
#define HOLE_START (1UL << 47)
#define HOLE_END 0xffff800000000000UL

#endif
