/* boot.c: the C side of the x86-64 boot: what the PVH start info says
 * (memory map, initrd, command line), which accelerator runs us, and the
 * order in which the machine is brought up.
 */
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

void x86_start(u64 start_info_pa)
{
	serial_init();
	pvh_parse(start_info_pa);
	const char *accel = accelerator();
	acpi_init();
	eprintf("\nTrapdoor: limited direct execution on x86-64 under %s (cpu %d of %d, %d MiB RAM)\n", accel,
		0, xboot.ncpu, (int)(xboot.mem_size >> 20));
	eprintf("x86: initrd %d bytes, command line \"%s\"\n",
		(int)(xboot.initrd_end - xboot.initrd_start), xboot.cmdline);
	acpi_poweroff(0);
}
