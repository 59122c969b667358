/* acpi.c: the ACPI tables QEMU's microvm provides: the MADT (which CPUs
 * and interrupt controllers there are) and the FADT (how to power off).
 */
#include "x86_64.h"

struct sdt_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __attribute__((packed));

struct rsdp {
	char sig[8]; /* "RSD PTR " */
	u8 checksum;
	char oem[6];
	u8 revision;
	u32 rsdt;
	u32 length; /* revision >= 2 */
	u64 xsdt;
	u8 xchecksum, reserved[3];
} __attribute__((packed));

static int sig_is(const char *s, const char *want, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != want[i])
			return 0;
	return 1;
}

static u8 sum(const void *p, u32 n)
{
	u8 s = 0;
	for (u32 i = 0; i < n; i++)
		s += ((const u8 *)p)[i];
	return s;
}

/* The RSDP: from the PVH start info, else searched for on 16-byte
 * boundaries in the BIOS area 0xe0000-0xfffff, where firmware puts it. */
static struct rsdp *find_rsdp(void)
{
	if (xboot.rsdp)
		return P2V(xboot.rsdp);
	for (u64 pa = 0xe0000; pa < 0x100000; pa += 16) {
		struct rsdp *r = P2V(pa);
		if (sig_is(r->sig, "RSD PTR ", 8) && sum(r, 20) == 0)
			return r;
	}
	return 0;
}

/* MADT entry types. */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2 /* interrupt source override: ISA IRQ -> GSI */

static void parse_madt(struct sdt_header *h)
{
	u8 *p = (u8 *)h + 44, *end = (u8 *)h + h->length;
	xboot.lapic_base = *(u32 *)((u8 *)h + 36);
	for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
		switch (p[0]) {
		case MADT_LAPIC: /* processor id, APIC id, flags: bit 0 enabled, bit 1 online-capable */
			if ((*(u32 *)(p + 4) & 3) && xboot.ncpu < XMAXCPU)
				xboot.apic_ids[xboot.ncpu++] = p[3];
			break;
		case MADT_IOAPIC: /* id, reserved, address, GSI base */
			if (xboot.nioapic < 2) {
				xboot.ioapic_base[xboot.nioapic] = *(u32 *)(p + 4);
				xboot.ioapic_gsi_base[xboot.nioapic++] = *(u32 *)(p + 8);
			}
			break;
		case MADT_ISO: /* bus, source IRQ, GSI, flags */
			if (p[3] < 16) {
				xboot.irq_gsi[p[3]] = *(u32 *)(p + 4);
				xboot.irq_flags[p[3]] = *(u16 *)(p + 8);
			}
			break;
		}
	}
}

/* The FADT's SLEEP_CONTROL_REG (a Generic Address Structure at offset
 * 244), present on hardware-reduced ACPI machines such as microvm; and
 * CENTURY (offset 108), the CMOS register with the year's century. */
static void parse_fadt(struct sdt_header *h)
{
	if (h->length > 108)
		xboot.rtc_century = ((u8 *)h)[108];
	if (h->length >= 256) {
		u8 *gas = (u8 *)h + 244;
		if (gas[0] == 0 /* system memory */)
			xboot.sleep_ctl = *(u64 *)(gas + 4);
	}
}

void acpi_init(void)
{
	for (int i = 0; i < 16; i++)
		xboot.irq_gsi[i] = i;
	xboot.lapic_base = 0xfee00000;
	struct rsdp *r = find_rsdp();
	if (r) {
		int x = r->revision >= 2 && r->xsdt;
		struct sdt_header *root = P2V(x ? r->xsdt : r->rsdt);
		int n = (root->length - sizeof(*root)) / (x ? 8 : 4);
		u8 *ents = (u8 *)(root + 1);
		for (int i = 0; i < n; i++) {
			u64 pa = x ? *(u64 *)(ents + 8 * i) : *(u32 *)(ents + 4 * i);
			struct sdt_header *h = P2V(pa);
			if (sig_is(h->sig, "APIC", 4))
				parse_madt(h);
			else if (sig_is(h->sig, "FACP", 4))
				parse_fadt(h);
		}
	}
	if (!xboot.ncpu) { /* no MADT: the boot CPU alone */
		xboot.ncpu = 1;
		xboot.apic_ids[0] = 0;
	}
	if (!xboot.nioapic) {
		xboot.ioapic_base[0] = 0xfec00000;
		xboot.nioapic = 1;
	}
}

/* Power off so that QEMU's exit status tells a clean shutdown from a
 * failed one, as SBI's system reset does on RISC-V.  Clean: ACPI sleep
 * state S5 through the FADT's sleep control register (SLP_TYPx = 5,
 * SLP_EN): QEMU exits with status 0.  The shutdown takes effect a little
 * after the write, so wait for it halted.  Failed (or no such register):
 * QEMU's isa-debug-exit device at port 0xf4 exits with (value << 1) | 1,
 * 3 for a failure and 1 for a clean stop without ACPI. */
void acpi_poweroff(int fail)
{
	cli();
	if (!fail && xboot.sleep_ctl) {
		*(volatile u8 *)P2V(xboot.sleep_ctl) = (5 << 2) | (1 << 5);
		for (;;)
			asm volatile("hlt");
	}
	outl(0xf4, fail ? 1 : 0);
	for (;;)
		asm volatile("hlt");
}
