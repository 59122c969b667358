/* kernel/riscv.h (xv6 compatibility): the page size and the register reads
 * xv6 user programs use; MAXVA and the reads are the machine's (machine.h).
 */
#ifndef XV6_RISCV_H
#define XV6_RISCV_H
#define PGSIZE 4096
#define PGSHIFT 12
#define PGROUNDUP(sz) (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE - 1))
#include "machine.h"
typedef uint64 pte_t;
typedef uint64 *pagetable_t;
#endif
