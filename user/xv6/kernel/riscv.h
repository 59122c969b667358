/* kernel/riscv.h (xv6 compatibility): the page size and the register reads
 * xv6 user programs use; Sv39, as on xv6.
 */
#ifndef XV6_RISCV_H
#define XV6_RISCV_H
#define PGSIZE 4096
#define PGSHIFT 12
#define PGROUNDUP(sz) (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE - 1))
/* one past the highest user address (kernel/arch/riscv/riscv.h USER_TOP) */
#define MAXVA (1L << 38)
typedef uint64 pte_t;
typedef uint64 *pagetable_t;

static inline uint64 r_sp(void)
{
	uint64 x;
	asm volatile("mv %0, sp" : "=r"(x));
	return x;
}
static inline uint64 r_tp(void)
{
	uint64 x;
	asm volatile("mv %0, tp" : "=r"(x));
	return x;
}
static inline uint64 r_ra(void)
{
	uint64 x;
	asm volatile("mv %0, ra" : "=r"(x));
	return x;
}
#endif
