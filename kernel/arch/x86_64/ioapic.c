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

static u64 ioapic;

static u32 rd(u32 r)
{
	mmio_write32(ioapic + IOREGSEL, r);
	return mmio_read32(ioapic + IOWIN);
}
static void wr(u32 r, u32 v)
{
	mmio_write32(ioapic + IOREGSEL, r);
	mmio_write32(ioapic + IOWIN, v);
}

void ioapic_init(void)
{
	ioapic = (u64)P2V(xboot.ioapic_base);
	int n = ((rd(REG_VER) >> 16) & 0xff) + 1;
	for (int i = 0; i < n; i++) {
		wr(REG_REDIR(i), REDIR_MASKED | (T_IRQ0 + i));
		wr(REG_REDIR(i) + 1, 0);
	}
}

/* Deliver ISA interrupt irq as `vector` to the CPU with apic_id.  ISA
 * lines are edge-triggered and active high unless the MADT overrides
 * (flags bits 0-1 polarity, 2-3 trigger: 3 = active low / level). */
void ioapic_route(int irq, int vector, u32 apic_id)
{
	u32 gsi = xboot.irq_gsi[irq] - xboot.ioapic_gsi_base;
	u32 lo = vector;
	u16 f = xboot.irq_flags[irq];
	if ((f & 3) == 3)
		lo |= REDIR_ACTIVE_LOW;
	if (((f >> 2) & 3) == 3)
		lo |= REDIR_LEVEL;
	wr(REG_REDIR(gsi) + 1, apic_id << 24);
	wr(REG_REDIR(gsi), lo);
}
