/* ioapic.c: the I/O APIC, which turns device interrupt lines (GSIs) into
 * messages to a chosen CPU's local APIC, with a chosen vector.
 */
#include "x86_64.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VER 0x01              /* bits 16-23: number of inputs - 1 */
#define REG_REDIR(n) (0x10 + 2 * (n)) /* 64 bits each: vector, mode, mask | destination */
#define REDIR_MASKED (1 << 16)
#define REDIR_LEVEL (1 << 15)
#define REDIR_ACTIVE_LOW (1 << 13)

static u64 ioapic[2];
static u32 ninputs[2];

static u32 rd(int a, u32 r)
{
	mmio_write32(ioapic[a] + IOREGSEL, r);
	return mmio_read32(ioapic[a] + IOWIN);
}
static void wr(int a, u32 r, u32 v)
{
	mmio_write32(ioapic[a] + IOREGSEL, r);
	mmio_write32(ioapic[a] + IOWIN, v);
}

/* Every input masked until a driver asks for it. */
void ioapic_init(void)
{
	for (int a = 0; a < xboot.nioapic; a++) {
		ioapic[a] = (u64)P2V(xboot.ioapic_base[a]);
		ninputs[a] = ((rd(a, REG_VER) >> 16) & 0xff) + 1;
		for (u32 i = 0; i < ninputs[a]; i++) {
			wr(a, REG_REDIR(i), REDIR_MASKED);
			wr(a, REG_REDIR(i) + 1, 0);
		}
	}
}

/* Deliver interrupt irq as `vector` to the CPU with apic_id.  Below 16
 * irq is an ISA line: edge-triggered and active high unless the MADT
 * overrides it (flags bits 0-1 polarity, 2-3 trigger: 3 = active low /
 * level), maybe onto another GSI.  From 16 on it is a GSI itself
 * (microvm's virtio-mmio lines: edge, active high). */
void ioapic_route(int irq, int vector, u32 apic_id)
{
	u32 gsi = irq < 16 ? xboot.irq_gsi[irq] : (u32)irq, lo = vector;
	u16 f = irq < 16 ? xboot.irq_flags[irq] : 0;
	if ((f & 3) == 3)
		lo |= REDIR_ACTIVE_LOW;
	if (((f >> 2) & 3) == 3)
		lo |= REDIR_LEVEL;
	for (int a = 0; a < xboot.nioapic; a++) {
		u32 pin = gsi - xboot.ioapic_gsi_base[a];
		if (gsi >= xboot.ioapic_gsi_base[a] && pin < ninputs[a]) {
			wr(a, REG_REDIR(pin) + 1, apic_id << 24);
			wr(a, REG_REDIR(pin), lo);
			return;
		}
	}
}
