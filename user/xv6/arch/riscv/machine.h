/* machine.h (xv6 compatibility, RISC-V): the machine's side of riscv.h,
 * memlayout.h and syscall.h: address limits, register reads, the numbers.
 */
#ifndef XV6_MACHINE_H
#define XV6_MACHINE_H
/* one past the highest user address (kernel/arch/riscv/machine.h USER_TOP) */
#define MAXVA (1L << 38)
/* the kernel image's virtual address (kernel/arch/riscv/kernel.ld) */
#define KERNBASE 0xffffffc080200000UL
/* SYS_NAME is a call's number in a7, as xv6's usys.pl puts it there */
#define XV6_SYSNUM(rv, x86) rv

static inline unsigned long r_sp(void)
{
	unsigned long x;
	asm volatile("mv %0, sp" : "=r"(x));
	return x;
}
static inline unsigned long r_tp(void)
{
	unsigned long x;
	asm volatile("mv %0, tp" : "=r"(x));
	return x;
}
static inline unsigned long r_ra(void)
{
	unsigned long x;
	asm volatile("mv %0, ra" : "=r"(x));
	return x;
}
#endif
