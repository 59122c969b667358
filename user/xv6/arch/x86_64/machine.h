/* machine.h (xv6 compatibility, x86-64): the machine's side of riscv.h,
 * memlayout.h and syscall.h, so xv6's RISC-V programs build for x86-64.
 */
#ifndef XV6_MACHINE_H
#define XV6_MACHINE_H
/* User space is the lower half of the 48-bit space; its last page, as
 * RISC-V's, is never mapped (kernel/arch/x86_64/machine.h USER_TOP), so
 * TRAMPOLINE names it.  At and above 2^47 an address is non-canonical:
 * a store there is a #GP, not a page fault, but kills all the same. */
#define MAXVA (1L << 47)
/* the kernel image's virtual address: KERNBASE + its load address, 1 MiB
 * (kernel/arch/x86_64/kernel.ld) */
#define KERNBASE 0xffffffff80100000UL
/* SYS_NAME is a call's number in rax: Linux's, or 1000 + its RISC-V
 * number for a call of Trapdoor's own (include/trapdoor/syscalls.h) */
#define XV6_SYSNUM(rv, x86) x86

static inline unsigned long r_sp(void)
{
	unsigned long x;
	asm volatile("mov %%rsp, %0" : "=r"(x));
	return x;
}
/* the thread pointer is the fs base; musl keeps its own value at %fs:0 */
static inline unsigned long r_tp(void)
{
	unsigned long x;
	asm volatile("mov %%fs:0, %0" : "=r"(x));
	return x;
}
/* x86 has no return-address register: the return address on the stack */
static inline unsigned long r_ra(void) { return (unsigned long)__builtin_return_address(0); }
#endif
