/* riscv.h: RISC-V control and status registers, Sv39 page-table entries.
 * Only kernel/arch/riscv/ (and machine.h's inline functions) use them.
 */
#ifndef ARCH_RISCV_H
#define ARCH_RISCV_H

#include "types.h"

#define csr_read(csr)                                                  \
	({                                                             \
		u64 __v;                                               \
		asm volatile("csrr %0, " #csr : "=r"(__v)::"memory");  \
		__v;                                                   \
	})
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" ::"rK"((u64)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" ::"rK"((u64)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" ::"rK"((u64)(v)) : "memory")

/* sstatus bits */
#define SSTATUS_SIE (1UL << 1)  /* interrupts enabled in S-mode */
#define SSTATUS_SPIE (1UL << 5) /* SIE before the trap; sret restores it */
#define SSTATUS_SPP (1UL << 8)  /* mode before the trap: 1 = S, 0 = U */
#define SSTATUS_FS (3UL << 13)  /* FPU state: off, initial, clean, dirty */
#define SSTATUS_FS_OFF (0UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SSTATUS_SUM (1UL << 18) /* S-mode may touch U pages (never set here) */

/* sie / sip bits */
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

/* scause: top bit set means interrupt */
#define SCAUSE_INTR (1UL << 63)
enum {
	EXC_INST_MISALIGNED = 0,
	EXC_INST_ACCESS = 1,
	EXC_ILLEGAL_INST = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8,
	EXC_ECALL_S = 9,
	EXC_INST_PAGE = 12,
	EXC_LOAD_PAGE = 13,
	EXC_STORE_PAGE = 15,
	NEXC = 16,
};
enum { IRQ_SSOFT = 1, IRQ_STIMER = 5, IRQ_SEXT = 9, NIRQ = 16 };

/* Is scause the timer interrupt?  The interrupt bit must be tested with
 * the number: without it, exception 5 (load access fault) looks the same. */
static inline int scause_is_timer(u64 cause) { return cause == (SCAUSE_INTR | IRQ_STIMER); }

/* Sv39 page-table entry bits */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_COW (1UL << 8) /* RSW bit: shared copy-on-write page */
/* RSW bit, with V clear: the entry still holds its page, made
 * inaccessible by mprotect(PROT_NONE).  The hardware ignores an entry
 * without V, so the page stays the process's without being reachable. */
#define PTE_NONE (1UL << 9)
#define PTE_HELD (PTE_V | PTE_NONE) /* the entry holds a page (a reference) */
#define PTE_FLAGS(pte) ((pte)&0x3ff)
#define PTE_PA(pte) (((pte) >> 10) << 12)
#define PA_PTE(pa) ((((u64)(pa)) >> 12) << 10)
#define PX(level, va) ((((u64)(va)) >> (12 + 9 * (level))) & 0x1ff)

#define SATP_SV39 (8UL << 60)
#define MAKE_SATP(pa) (SATP_SV39 | (((u64)(pa)) >> 12))

static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }
static inline u64 rdtime(void) { return csr_read(time); }
static inline u64 rdinstret(void) { return csr_read(instret); }

#endif
