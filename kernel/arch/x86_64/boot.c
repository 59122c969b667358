/* boot.c: the C side of the x86-64 boot: what the PVH start info says
 * (memory map, initrd, command line), which accelerator runs us, and the
 * order in which the machine is brought up.
 */
#include "x86_64.h"
#include "trapframe.h"

/* The PVH start info (Xen's hvm_start_info, version 1), handed over in
 * ebx; every address in it is physical. */
#define PVH_MAGIC 0x336ec578 /* "xEn3" */
struct pvh_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr;
	u64 memmap_paddr; /* version >= 1 */
	u32 memmap_entries, reserved;
};
struct pvh_module {
	u64 paddr, size, cmdline_paddr, reserved;
};
struct pvh_memmap_entry {
	u64 addr, size;
	u32 type, reserved; /* type 1: usable RAM (the E820 numbering) */
};

struct x86boot xboot;
extern char _end[];

static void copy_str(char *d, const char *s, int n)
{
	int i = 0;
	for (; s && s[i] && i < n - 1; i++)
		d[i] = s[i];
	d[i] = 0;
}

static void pvh_parse(u64 pa)
{
	struct pvh_start_info *si = P2V(pa);
	if (si->magic != PVH_MAGIC) {
		eprintf("boot: PVH start info magic %x, not %x\n", si->magic, PVH_MAGIC);
		for (;;)
			asm volatile("hlt");
	}
	if (si->cmdline_paddr)
		copy_str(xboot.cmdline, P2V(si->cmdline_paddr), sizeof(xboot.cmdline));
	if (si->nr_modules) {
		struct pvh_module *m = P2V(si->modlist_paddr);
		xboot.initrd_start = m->paddr;
		xboot.initrd_end = m->paddr + m->size;
	}
	xboot.rsdp = si->rsdp_paddr;
	if (si->version >= 1) {
		struct pvh_memmap_entry *e = P2V(si->memmap_paddr);
		for (u32 i = 0; i < si->memmap_entries; i++) {
			if (e[i].type != 1 || xboot.nram == 16)
				continue;
			xboot.ram_base[xboot.nram] = e[i].addr;
			xboot.ram_len[xboot.nram++] = e[i].size;
			if (e[i].addr + e[i].size > xboot.mem_size)
				xboot.mem_size = e[i].addr + e[i].size;
		}
	}
}

/* Who runs us: CPUID leaf 1 sets ECX bit 31 under any hypervisor, and
 * leaf 0x40000000 names it ("KVMKVMKVM\0\0\0").  Under QEMU's TCG there
 * is no KVM signature: the instructions are emulated, not executed. */
static const char *accelerator(void)
{
	static char sig[13];
	if (!(cpuid(1, 0).c & (1u << 31)))
		return "TCG";
	struct cpuid r = cpuid(0x40000000, 0);
	u32 w[3] = {r.b, r.c, r.d};
	for (int i = 0; i < 12; i++)
		sig[i] = ((char *)w)[i];
	if (sig[0] == 'K' && sig[1] == 'V' && sig[2] == 'M') {
		xboot.kvm = 1;
		return "KVM";
	}
	return sig[0] == 'T' && sig[1] == 'C' && sig[2] == 'G' ? "TCG" : "an unknown hypervisor";
}

/* What every CPU sets up for itself: its segments and TSS, the trap
 * table, the protections, its local APIC. */
static void cpu_init(int id)
{
	gdt_init(id);
	idt_load();
	/* SMEP: the kernel never executes a user page; SMAP: it never reads
	 * or writes one except between stac and clac (the copy routines).
	 * NX (EFER.NXE) is on since entry.S. */
	struct cpuid f7 = cpuid(7, 0);
	u64 cr4 = read_cr(4) | CR4_PGE;
	if (f7.b & (1u << 7))
		cr4 |= CR4_SMEP;
	if (f7.b & (1u << 20))
		cr4 |= CR4_SMAP;
	write_cr(4, cr4);
	if (id == 0)
		eprintf("x86: NX on, SMEP %s, SMAP %s\n", (cr4 & CR4_SMEP) ? "on" : "off (the CPU has none)",
			(cr4 & CR4_SMAP) ? "on" : "off (the CPU has none)");
	lapic_init();
}

/* Until the portable kernel runs here: show that traps, the tick and
 * the console interrupt work, then power off (x86test=... picks one). */
static const char *arg(const char *name)
{
	const char *s = xboot.cmdline;
	for (; *s; s++) {
		const char *a = s, *n = name;
		while (*n && *a == *n)
			a++, n++;
		if (!*n && (s == xboot.cmdline || s[-1] == ' '))
			return a;
	}
	return 0;
}
static volatile int typed;
static void got_key(int c)
{
	eprintf("console: key '%c'\n", c);
	if (c == 'q')
		typed = 1;
}
extern void (*x86_uart_hook)(int c);

extern struct x86cpu x86cpus[];
static char ap_stacks[XMAXCPU][8192] __attribute__((aligned(16)));
static void ap_main(u64 id)
{
	cpu_init(id);
	x86cpus[id].started = 1;
	eprintf("cpu %d (APIC id %d) up\n", (int)id, (int)lapic_id());
	for (;;)
		asm volatile("cli; hlt");
}

static void bringup(void)
{
	x86_uart_hook = got_key;
	const char *t = arg("x86test=");
	lapic_timer_init(10000);
	eprintf("timer: LAPIC %s, TSC %d MHz, tick 10 ms\n",
		xboot.tsc_deadline ? "TSC-deadline mode" : "one-shot count", (int)(xboot.tsc_hz / 1000000));
	if (t && t[0] == 'p' && t[1] == 'f') /* a kernel page fault */
		*(volatile u64 *)0x100000005000UL = 1; /* PML4 slot 32: nothing there */
	if (t && t[0] == 'u' && t[1] == 'd') /* a kernel invalid opcode */
		asm volatile("ud2");
	for (int i = 1; i < xboot.ncpu; i++)
		if (!smp_start(i, xboot.apic_ids[i], (u64)ap_stacks[i] + sizeof(ap_stacks[i]), ap_main))
			eprintf("cpu %d: no answer to INIT/SIPI\n", i);
	sti();
	u64 t0 = rdtsc();
	while (rdtsc() - t0 < xboot.tsc_hz / 2 || (t && t[0] == 'k' && !typed))
		asm volatile("hlt");
	cli();
	eprintf("timer: %d ticks in %d ms\n", (int)ticks_x86, (int)((rdtsc() - t0) / (xboot.tsc_hz / 1000)));
	acpi_poweroff(0);
}

void x86_start(u64 start_info_pa)
{
	serial_init();
	idt_init();
	pvh_parse(start_info_pa);
	const char *accel = accelerator();
	acpi_init();
	eprintf("\nTrapdoor: limited direct execution on x86-64 under %s (cpu %d of %d, %d MiB RAM)\n", accel,
		0, xboot.ncpu, (int)(xboot.mem_size >> 20));
	eprintf("x86: initrd %d bytes, command line \"%s\"\n",
		(int)(xboot.initrd_end - xboot.initrd_start), xboot.cmdline);
	cpu_init(0);
	ioapic_init();
	ioapic_route(IRQ_COM1, T_IRQ0 + IRQ_COM1, lapic_id());
	serial_intr_enable();
	bringup();
}
