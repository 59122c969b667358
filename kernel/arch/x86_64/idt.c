/* idt.c: the trap table.  256 gates, one per vector, loaded with lidt;
 * each gate names a stub in trapentry.S, which saves the frame and calls
 * x86_trap below with it.
 */
#include "x86_64.h"
#include "trapframe.h"

struct gate {
	u16 off_lo, sel;
	u8 ist;  /* which TSS stack to switch to (0: the usual rules) */
	u8 type; /* P | DPL | 0xe (64-bit interrupt gate: IF cleared on entry) */
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));
extern char trap_vectors[]; /* 256 stubs, 16 bytes apart */

const char *const x86_exc_name[32] = {
	[0] = "divide error", [1] = "debug", [2] = "NMI", [3] = "breakpoint",
	[4] = "overflow", [5] = "bound range", [6] = "invalid opcode",
	[7] = "device not available", [8] = "double fault", [10] = "invalid TSS",
	[11] = "segment not present", [12] = "stack fault", [13] = "general protection",
	[14] = "page fault", [16] = "x87 FPU error", [17] = "alignment check",
	[18] = "machine check", [19] = "SIMD FP exception", [20] = "virtualization",
	[21] = "control protection",
};

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		u64 a = (u64)trap_vectors + 16 * v;
		struct gate *g = &idt[v];
		g->off_lo = a & 0xffff;
		g->off_mid = (a >> 16) & 0xffff;
		g->off_hi = a >> 32;
		g->sel = SEG_KCODE;
		/* DPL 0 everywhere: `int $n` from user mode raises #GP instead
		 * of faking a hardware interrupt; only int3 (a breakpoint, as
		 * RISC-V's ebreak) may be used from ring 3. */
		g->type = 0x8e | (v == 3 ? 0x60 : 0);
		g->ist = v == 8 ? 1 : 0;
	}
	idt_load();
}

/* Tell this CPU where the table is; it remembers until reset. */
void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (u64)idt};
	asm volatile("lidt %0" ::"m"(idtr));
}

void x86_dump(struct trapframe *tf)
{
	u64 v = tf->vector;
	eprintf("trap %d (%s), error %lx, rip %016p, cs %x, rflags %lx, rsp %016p, cr2 %016p\n", (int)v,
		v < 32 && x86_exc_name[v] ? x86_exc_name[v] : "interrupt", tf->error, tf->rip,
		(u32)tf->cs, tf->rflags, tf->rsp, read_cr(2));
	eprintf("rax %016p rbx %016p rcx %016p rdx %016p\nrsi %016p rdi %016p rbp %016p r8 %016p\n", tf->rax, tf->rbx, tf->rcx, tf->rdx,
		tf->rsi, tf->rdi, tf->rbp, tf->r8);
}
