/* machine.h: a stand-in architecture for tests/test_arch.py, not a real one.
 * Plain C, no assembly: the host's compiler checks the portable kernel.
 *
 * Every value differs from RISC-V's where it can (four levels, other
 * permission bits, argc not in a register), so that a RISC-V name or
 * assumption left in the portable kernel fails to compile here.
 */
#ifndef MACHINE_H
#define MACHINE_H

#include "types.h"

#define PHYS_OFFSET 0xffff888000000000UL
#define KERNEL_HALF 0xffff800000000000UL
#define P2V(pa) ((void *)((u64)(pa) + PHYS_OFFSET))
#define V2P(va) ((u64)(va)-PHYS_OFFSET)
#define PGSIZE 4096UL
#define PGSHIFT 12
#define PGROUNDUP(x) ALIGN_UP((u64)(x), PGSIZE)
#define PGROUNDDOWN(x) ALIGN_DOWN((u64)(x), PGSIZE)
#define USER_TOP (1UL << 47)
#define PT_LEVELS 4
#define KSTACK_SIZE (4 * PGSIZE)
#define ELF_MACHINE 62
#define ARCH_CPU "cpu"
#define ARCH_TRAP_TABLE "lidt"
#define CALL_PUSHES_RA 1

struct context {
	u64 rsp, rbx, rbp, r12, r13, r14, r15, rip;
};
struct trapframe {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
	u64 fsbase, vector, error, rip, cs, rflags, rsp, ss;
};
static inline void arch_context_init(struct context *c, void (*pc)(void), u64 sp)
{
	c->rip = (u64)pc;
	c->rsp = sp;
}
#define TF_SYSNUM(tf) ((tf)->rax)
#define TF_ARG(tf, n) (*((n) == 0 ? &(tf)->rdi : (n) == 1 ? &(tf)->rsi : (n) == 2 ? &(tf)->rdx : \
			 (n) == 3 ? &(tf)->r10 : (n) == 4 ? &(tf)->r8 : &(tf)->r9))
#define TF_RET(tf) ((tf)->rax)
#define TF_PC(tf) ((tf)->rip)
#define TF_STACK(tf) ((tf)->rsp)

extern void *stub_cpu;
static inline void *arch_this_cpu(void) { return stub_cpu; }
static inline long arch_swap_acquire(volatile u32 *a, u32 v) { return __atomic_exchange_n(a, v, __ATOMIC_ACQUIRE); }
static inline void arch_store_release(volatile u32 *a, u32 v) { __atomic_store_n(a, v, __ATOMIC_RELEASE); }
extern int stub_intr;
static inline int intr_on(void) { return stub_intr; }
static inline void intr_enable(void) { stub_intr = 1; }
static inline void intr_disable(void) { stub_intr = 0; }
extern u64 stub_clock;
static inline u64 arch_time(void) { return stub_clock; }
static inline int arch_trap_is_timer(u64 cause) { return cause == 32; }

#define P_PRESENT (1UL << 0)
#define P_WRITE (1UL << 1)
#define P_USER (1UL << 2)
#define P_COW (1UL << 9)
#define P_NONE (1UL << 10)
#define P_NX (1UL << 63)
#define P_ADDR 0x000ffffffffff000UL
static inline int pte_valid(pte_t e) { return (e & P_PRESENT) != 0; }
static inline int pte_held(pte_t e) { return (e & (P_PRESENT | P_NONE)) != 0; }
static inline u64 pte_pa(pte_t e) { return e & P_ADDR; }
static inline u64 pte_perm(pte_t e)
{
	if (!(e & P_PRESENT))
		return 0;
	return (1UL << 1) | (e & P_WRITE ? 1UL << 2 : 0) | (e & P_NX ? 0 : 1UL << 3) | (e & P_USER ? 1UL << 4 : 0) |
	       (e & P_COW ? 1UL << 8 : 0);
}
static inline pte_t pte_make(u64 pa, u64 perm)
{
	return pa | P_PRESENT | (perm & (1UL << 2) ? P_WRITE : 0) | (perm & (1UL << 3) ? 0 : P_NX) |
	       (perm & (1UL << 4) ? P_USER : 0) | (perm & (1UL << 8) ? P_COW : 0);
}
static inline pte_t pte_none(u64 pa) { return pa | P_NONE; }
static inline pte_t pte_table(u64 pa) { return pa | P_PRESENT | P_WRITE | P_USER; }
static inline pte_t pte_cow(pte_t e) { return e & P_WRITE ? (e & ~P_WRITE) | P_COW : e; }
static inline pte_t *pt_l1_entry(pagetable_t pt, u64 va) { return (pte_t *)pt + (va >> 21) % 512; }
static inline int fpu_live(const struct trapframe *tf) { return tf->cs != 0; }
static inline void tlb_flush(void) {}
static inline void arch_switch_pagetable(pagetable_t pt) { (void)pt; }

#endif
