/* gdt.c: the segment descriptors long mode still needs (code segments
 * carry the privilege level) and the TSS, whose rsp0 is the kernel stack
 * the CPU switches to on a trap from user mode.  One of each per CPU.
 */
#include "x86_64.h"
#include "trapframe.h"

struct tss {
	u32 reserved0;
	u64 rsp0, rsp1, rsp2; /* the stack for a trap arriving from ring 0, 1, 2 (... from 3 into 0: rsp0) */
	u64 reserved1;
	u64 ist[7]; /* "interrupt stack table": stacks an IDT gate may ask for, whatever the ring */
	u64 reserved2;
	u16 reserved3;
	u16 iomap; /* offset of the I/O permission bitmap: past the end = none, so in/out from ring 3 #GP */
} __attribute__((packed, aligned(8)));

/* Descriptors: base and limit are ignored for 64-bit code and data; what
 * counts is present (P), the privilege (DPL), code/data, and L (64-bit). */
#define SEG_CODE64(dpl) (0x00af9a000000ffffUL | ((u64)(dpl) << 45))
#define SEG_DATA(dpl) (0x00cf92000000ffffUL | ((u64)(dpl) << 45))

static u64 gdt[XMAXCPU][7] __attribute__((aligned(16)));
static struct tss tss[XMAXCPU] __attribute__((aligned(16)));
static char df_stack[XMAXCPU][4096] __attribute__((aligned(16)));
struct x86cpu x86cpus[XMAXCPU];

void gdt_init(int cpu)
{
	u64 *g = gdt[cpu];
	struct tss *t = &tss[cpu];
	g[0] = 0;
	g[SEG_KCODE >> 3] = SEG_CODE64(0);
	g[SEG_KDATA >> 3] = SEG_DATA(0);
	g[SEG_UDATA >> 3] = SEG_DATA(3);
	g[SEG_UCODE >> 3] = SEG_CODE64(3);
	/* A 16-byte system descriptor: type 9 = available 64-bit TSS. */
	u64 base = (u64)t, limit = sizeof(*t) - 1;
	g[SEG_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
			  ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	g[(SEG_TSS >> 3) + 1] = base >> 32;
	t->iomap = sizeof(*t);
	/* A double fault (say, a kernel stack overflow: the CPU cannot push
	 * the frame of a page fault) gets a stack of its own: IST 1. */
	t->ist[0] = (u64)df_stack[cpu] + sizeof(df_stack[cpu]);

	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = {sizeof(gdt[cpu]) - 1, (u64)g};
	asm volatile("lgdt %0" ::"m"(gdtr));
	/* Reload every segment register from the new table: CS through a far
	 * return (there is no far jump to an immediate in 64-bit mode). */
	asm volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
		     "movl %1, %%eax; movl %%eax, %%ds; movl %%eax, %%es; movl %%eax, %%ss;"
		     "xorl %%eax, %%eax; movl %%eax, %%fs; movl %%eax, %%gs"
		     ::"i"((u64)SEG_KCODE), "i"(SEG_KDATA) : "rax", "memory");
	asm volatile("ltr %w0" ::"r"(SEG_TSS));

	/* GS names this CPU's struct x86cpu in the kernel; the user's GS
	 * base waits in KERNEL_GS_BASE for swapgs. */
	struct x86cpu *c = &x86cpus[cpu];
	c->self = c;
	c->id = cpu;
	c->rsp0 = (u64 *)((char *)t + 4); /* rsp0: at offset 4, unaligned by the TSS's design */
	wrmsr(MSR_GS_BASE, (u64)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
