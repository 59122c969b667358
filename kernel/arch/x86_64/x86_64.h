/* x86_64.h: what the files of kernel/arch/x86_64 tell each other: boot
 * information, the interrupt controllers, the traps, per-CPU state.
 */
#ifndef ARCH_X86_64_H
#define ARCH_X86_64_H
#include "x86.h"
#ifndef __ASSEMBLER__
#include "machine.h"
#endif

#define XMAXCPU 4
/* The page below 1 MiB where the other CPUs start (smp.c): its page
 * number is the SIPI's vector.  Kept out of the page allocator. */
#define SMP_TRAMPOLINE 0x8000


#ifndef __ASSEMBLER__
/* What the boot loader and the ACPI tables told us. */
struct x86boot {
	u64 mem_size;          /* highest usable RAM address + 1 */
	u64 ram_base[16], ram_len[16];
	int nram;
	u64 initrd_start, initrd_end;
	char cmdline[256];
	u64 rsdp;
	int ncpu;
	u32 apic_ids[XMAXCPU];
	u64 lapic_base;
	u64 ioapic_base[2]; /* microvm with ACPI has two: GSIs 0-23 and 24-47 */
	u32 ioapic_gsi_base[2];
	int nioapic;
	u32 irq_gsi[16];       /* ISA IRQ -> GSI (MADT interrupt source overrides) */
	u16 irq_flags[16];     /* their polarity and trigger mode */
	u64 sleep_ctl;         /* FADT's hardware-reduced sleep control register (phys), 0: none */
	int rtc_century;       /* FADT's CMOS index of the century, 0: none */
	int kvm;               /* running under KVM (CPUID hypervisor leaf) */
	int tsc_deadline;
	u64 tsc_hz;
};
extern struct x86boot xboot;

/* serial.c */
void serial_init(void);
void serial_intr_enable(void);
void uart_putc(int c);
int uart_getc(void);
void eprintf(const char *fmt, ...);

/* acpi.c */
void acpi_init(void);
void acpi_poweroff(int fail) __attribute__((noreturn));

/* gdt.c: the segments and the TSS (whose rsp0 trapentry.S sets) */
void gdt_init(int cpu);

/* idt.c */
void idt_init(void);
void idt_load(void);

/* lapic.c and ioapic.c */
void lapic_init(void);
void lapic_eoi(void);
u32 lapic_id(void);
void lapic_timer_init(u64 period_us);
void lapic_timer_measure(void);
void lapic_timer_arm(u64 when_tsc);
void lapic_send_init_sipi(u32 apic_id, u32 vector_page);
void lapic_send_ipi(u32 apic_id, int vector);
int smp_start(int id, u32 apic_id, u64 stack_top, void (*entry)(u64));
void ioapic_init(void);
void ioapic_route(int isa_irq, int vector, u32 apic_id);

/* cmos.c */
u64 cmos_time_ns(int century);

/* fpu.c */
struct thread;
void fpu_cpu_init(void);
int fpu_trap(struct thread *t);
#endif

#endif
