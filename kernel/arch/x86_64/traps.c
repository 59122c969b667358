/* traps.c: what each vector means on x86-64: the CPU's exceptions, the
 * LAPIC timer, device interrupts through the IOAPIC, and system calls.
 */
#include "x86_64.h"
#include "trapframe.h"

void x86_dump(struct trapframe *tf);
extern u64 tick_tsc;
volatile u64 ticks_x86;
void (*x86_uart_hook)(int c);

static void kernel_fault(struct trapframe *tf)
{
	eprintf("\nkernel fault on cpu %d: ", (int)lapic_id());
	x86_dump(tf);
	acpi_poweroff(1);
}

void x86_trap(struct trapframe *tf)
{
	u64 v = tf->vector;
	if (v < 32) {
		kernel_fault(tf);
		return;
	}
	switch (v) {
	case T_TIMER:
		ticks_x86++;
		lapic_timer_arm(rdtsc() + tick_tsc);
		lapic_eoi();
		break;
	case T_IRQ0 + IRQ_COM1:
		for (int c; (c = uart_getc()) >= 0;)
			if (x86_uart_hook)
				x86_uart_hook(c);
		lapic_eoi();
		break;
	case T_SPURIOUS: /* no EOI for the spurious vector */
		break;
	default:
		eprintf("x86: unexpected interrupt %d\n", (int)v);
		lapic_eoi();
	}
}

void x86_syscall(struct trapframe *tf)
{
	(void)tf;
}
