/* boot.c: the C side of the x86-64 boot: what the PVH start info says
 * (memory map, initrd, command line), which accelerator runs us, and the
 * order in which the machine is brought up.
 */
#include "kernel.h"
#include "proc.h"
#include "x86_64.h"

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
static void pvh_parse(u64 pa)
{
	struct pvh_start_info *si = P2V(pa);
	if (si->magic != PVH_MAGIC) {
		eprintf("boot: PVH start info magic %x, not %x\n", si->magic, PVH_MAGIC);
		for (;;)
			asm volatile("hlt");
	}
	if (si->cmdline_paddr)
		strlcpy(xboot.cmdline, P2V(si->cmdline_paddr), sizeof(xboot.cmdline));
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

/* microvm's virtio-mmio slots: 512 bytes each from 0xfeb00000, slot i
 * on GSI base + i.  With ACPI QEMU describes them only in the DSDT (AML,
 * which we do not interpret) and not on the command line, so probe: an
 * empty slot answers the magic with device id 0.  The base is 24 when
 * the MADT has a second IOAPIC (24 slots), else 16 with ACPI (8). */
#define VIRTIO_MMIO_BASE 0xfeb00000UL
static void find_virtio(void)
{
	int two = xboot.nioapic > 1, n = two ? 24 : 8, irq0 = two ? 24 : 16;
	for (int i = 0; i < n && bootinfo.nvirtio < BOOT_MAX; i++) {
		volatile u32 *r = P2V(VIRTIO_MMIO_BASE + 512 * i);
		if (r[0] != 0x74726976 /* "virt" */ || r[2] == 0 /* device id */)
			continue;
		bootinfo.virtio_base[bootinfo.nvirtio] = VIRTIO_MMIO_BASE + 512 * i;
		bootinfo.virtio_irq[bootinfo.nvirtio++] = irq0 + i;
	}
}

extern struct x86cpu x86cpus[];

void x86_start(u64 start_info_pa)
{
	serial_init();
	idt_init();
	gdt_init(0);
	x86cpus[0].cpu = &cpus[0];
	pvh_parse(start_info_pa);
	const char *accel = accelerator();
	acpi_init();
	lapic_init();

	struct cpu *c = &cpus[0];
	c->hartid = lapic_id();
	c->id = 0;
	ksnprintf(bootinfo.machine, sizeof bootinfo.machine, "x86-64 under %s", accel);
	/* RAM from the PVH memory map, less the first MiB: the BIOS area,
	 * the ACPI tables, the start info, the SMP trampoline live there. */
	for (int i = 0; i < xboot.nram && bootinfo.nmem < BOOT_MAX; i++) {
		u64 b = xboot.ram_base[i], e = b + xboot.ram_len[i];
		if (b < 0x100000)
			b = 0x100000;
		if (b >= e)
			continue;
		bootinfo.mem[bootinfo.nmem].base = b;
		bootinfo.mem[bootinfo.nmem++].size = e - b;
	}
	bootinfo.initrd_start = xboot.initrd_start;
	bootinfo.initrd_end = xboot.initrd_end;
	strlcpy(bootinfo.cmdline, xboot.cmdline, sizeof bootinfo.cmdline);
	bootinfo.ncpu = xboot.ncpu;
	for (int i = 0; i < xboot.ncpu; i++)
		bootinfo.cpuid[i] = xboot.apic_ids[i];
	/* The clock is the TSC: constant-rate on any CPU KVM runs on (and
	 * what QEMU's TCG emulates), read by rdtsc, also in user mode. */
	lapic_timer_measure();
	bootinfo.timer_hz = xboot.tsc_hz;
	strlcpy(bootinfo.timer, xboot.tsc_deadline ? "tsc-deadline" : "lapic one-shot", sizeof bootinfo.timer);
	bootinfo.uart_base = 0x3f8;
	bootinfo.uart_irq = IRQ_COM1;
	find_virtio();
	bootinfo.rtc_ns = cmos_time_ns(xboot.rtc_century);
	if (bootinfo.rtc_ns)
		strlcpy(bootinfo.rtc_name, "cmos at 0x70", sizeof bootinfo.rtc_name);
	kmain();
}
