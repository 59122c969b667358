/* x86.h: the x86-64 instructions and registers the kernel uses, one inline
 * function each, and the layout constants shared with the assembly files.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

/* Where things are in every address space (see docs/design.md). */
#define KERNBASE 0xffffffff80000000UL    /* the kernel image: phys + KERNBASE */
#define PHYS_OFFSET 0xffff800000000000UL /* all of RAM: phys + PHYS_OFFSET */

/* Segment selectors (gdt.c).  The order kernel code, kernel data, user
 * data, user code is what syscall/sysret require: STAR names the kernel
 * code selector (SS = it + 8) and the base from which sysret takes user
 * SS = base + 8 and user CS = base + 16. */
#define SEG_KCODE 0x08
#define SEG_KDATA 0x10
#define SEG_UDATA (0x18 | 3)
#define SEG_UCODE (0x20 | 3)
#define SEG_TSS 0x28

/* Interrupt vectors (the IDT's 256 gates): 0-31 are the CPU's exceptions,
 * 32 + n the IOAPIC's input n, the LAPIC's own ones at the top. */
#define T_IRQ0 32
#define T_TIMER 0xf0
#define T_IPI 0xf1
#define T_SPURIOUS 0xff
#define IRQ_COM1 4

/* Model-specific registers. */
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define CR0_PE (1UL << 0)
#define CR0_MP (1UL << 1)
#define CR0_EM (1UL << 2)
#define CR0_TS (1UL << 3)
#define CR0_NE (1UL << 5)
#define CR0_WP (1UL << 16)
#define CR0_PG (1UL << 31)
#define CR4_PAE (1UL << 5)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_FSGSBASE (1UL << 16)
#define CR4_OSXSAVE (1UL << 18)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)

#define RFLAGS_TF (1UL << 8)
#define RFLAGS_IF (1UL << 9)
#define RFLAGS_DF (1UL << 10)
#define RFLAGS_IOPL (3UL << 12)
#define RFLAGS_NT (1UL << 14)
#define RFLAGS_AC (1UL << 18)

#ifndef __ASSEMBLER__
#include "types.h"

static inline u8 inb(u16 port)
{
	u8 v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

struct cpuid {
	u32 a, b, c, d;
};
static inline struct cpuid cpuid(u32 leaf, u32 sub)
{
	struct cpuid r;
	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
	return r;
}

#define read_cr(n)                                              \
	({                                                      \
		u64 __v;                                        \
		asm volatile("mov %%cr" #n ", %0" : "=r"(__v)); \
		__v;                                            \
	})
#define write_cr(n, v) asm volatile("mov %0, %%cr" #n ::"r"((u64)(v)) : "memory")

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}
static inline u64 read_rflags(void)
{
	u64 f;
	asm volatile("pushfq; popq %0" : "=r"(f));
	return f;
}
static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void pause(void) { asm volatile("pause"); }
static inline void invlpg(u64 va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }
/* stac/clac: open and close the supervisor's window onto user pages
 * (SMAP checks RFLAGS.AC).  Only the copy routines (uaccess.S) and these
 * may open it.  Set through popfq rather than the stac/clac instructions:
 * the same effect, and this machine's KVM (the kvm-pvm module, which
 * emulates the guest kernel's privileged instructions) fails on stac and
 * clac with an internal error, while popfq works everywhere. */
static inline void stac(void) { asm volatile("pushfq; orq %0, (%%rsp); popfq" ::"i"(RFLAGS_AC) : "memory", "cc"); }
static inline void clac(void) { asm volatile("pushfq; andq %0, (%%rsp); popfq" ::"i"(~RFLAGS_AC) : "memory", "cc"); }

static inline u32 mmio_read32(u64 va) { return *(volatile u32 *)va; }
static inline void mmio_write32(u64 va, u32 v) { *(volatile u32 *)va = v; }
#endif
#endif
