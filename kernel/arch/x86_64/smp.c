/* smp.c: starting the other CPUs the MADT lists: each in turn gets the
 * trampoline, a stack and INIT/SIPI, and is waited for (a second at most).
 */
#include "x86_64.h"
#include "trapframe.h"

extern char trampoline[], trampoline_end[], trampoline_params[], boot_pml4[];
extern struct x86cpu x86cpus[];

struct tparams {
	u64 cr3, stack, entry, id;
};

/* Start CPU number `id` (its APIC id apic_id) at entry(id) on the stack
 * ending at stack_top.  1: it reported in (x86cpus[id].started). */
int smp_start(int id, u32 apic_id, u64 stack_top, void (*entry)(u64))
{
	u8 *t = P2V(SMP_TRAMPOLINE);
	for (long i = 0; i < trampoline_end - trampoline; i++)
		t[i] = trampoline[i];
	struct tparams *p = (struct tparams *)(t + (trampoline_params - trampoline));
	p->cr3 = (u64)boot_pml4; /* linked at its physical address (.boot.data) */
	p->stack = stack_top;
	p->entry = (u64)entry;
	p->id = id;
	x86cpus[id].apic_id = apic_id;
	asm volatile("" ::: "memory");
	lapic_send_init_sipi(apic_id, SMP_TRAMPOLINE >> 12);
	u64 t0 = rdtsc();
	while (!x86cpus[id].started && rdtsc() - t0 < xboot.tsc_hz)
		pause();
	return x86cpus[id].started;
}
