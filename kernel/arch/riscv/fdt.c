/* fdt.c: read the flattened device tree that OpenSBI hands over, into bootinfo.
 * Finds RAM, the harts, the UART, the PLIC, the virtio slots, the RTC, the
 * initrd and the boot arguments instead of assuming QEMU's addresses.
 */
#include "kernel.h"
#include "board.h"

u64 plic_base;
int has_sstc;

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 be32(const void *p)
{
	const u8 *b = p;
	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}
static u64 be64(const void *p) { return (u64)be32(p) << 32 | be32((const u8 *)p + 4); }
static u64 becell(const void *p, u32 len) { return len >= 8 ? be64(p) : be32(p); }

static int prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Does the NUL-separated string list `v` (len bytes) contain s? */
static int has_string(const char *v, u32 len, const char *s)
{
	for (u32 i = 0; i < len; i += strlen(v + i) + 1)
		if (strcmp(v + i, s) == 0)
			return 1;
	return 0;
}

/* The node being read at depth 2 (cpu@N, a device under /soc, ...). */
struct node {
	u64 reg, size;
	int irq;
	int is_uart, is_plic, is_virtio, is_rtc, disabled, sstc;
	int has_reg;
};

void fdt_parse(u64 dtb_pa)
{
	const u8 *fdt = P2V(dtb_pa);
	if (be32(fdt) != FDT_MAGIC)
		panic("no device tree at %p", (void *)dtb_pa);
	u64 dtb_size = be32(fdt + 4);
	const u8 *p = fdt + be32(fdt + 8);
	const char *strings = (const char *)fdt + be32(fdt + 12);

	const char *path[8] = { 0 };
	int depth = 0;
	struct node n = { 0 };
	int sstc_all = 1, ncpus = 0;

	for (;;) {
		u32 tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			p += ALIGN_UP(strlen(name) + 1, 4);
			if (depth < 8)
				path[depth] = name;
			depth++;
			if (depth == 3 || (depth == 2 && prefix(name, "memory")))
				memset(&n, 0, sizeof n);
		} else if (tok == FDT_END_NODE) {
			depth--;
			const char *top = depth >= 1 ? path[1] : "";
			if (depth == 2 && prefix(top, "cpus") && prefix(path[2], "cpu@") && !n.disabled &&
			    n.has_reg && bootinfo.ncpu < BOOT_MAX) {
				bootinfo.cpuid[bootinfo.ncpu++] = n.reg;
				ncpus++;
				sstc_all &= n.sstc;
			} else if (depth == 2 && prefix(top, "soc")) {
				if (n.is_uart && !bootinfo.uart_base) {
					bootinfo.uart_base = n.reg;
					bootinfo.uart_irq = n.irq;
				}
				if (n.is_plic)
					plic_base = n.reg;
				if (n.is_rtc && n.has_reg && !n.disabled && !bootinfo.rtc_base)
					bootinfo.rtc_base = n.reg;
				if (n.is_virtio && bootinfo.nvirtio < BOOT_MAX) {
					bootinfo.virtio_base[bootinfo.nvirtio] = n.reg;
					bootinfo.virtio_irq[bootinfo.nvirtio++] = n.irq;
				}
			} else if (depth == 2 && prefix(top, "reserved-memory") && n.has_reg &&
				   bootinfo.nresv < BOOT_MAX - 1) {
				bootinfo.resv[bootinfo.nresv++] = (struct memrange){ n.reg, n.size };
			}
			if (depth == 0)
				break;
		} else if (tok == FDT_PROP) {
			u32 len = be32(p), nameoff = be32(p + 4);
			const char *v = (const char *)p + 8;
			const char *prop = strings + nameoff;
			p += 8 + ALIGN_UP(len, 4);
			const char *node = depth >= 1 && depth <= 8 ? path[depth - 1] : "";
			if (depth == 2 && prefix(node, "memory") && strcmp(prop, "reg") == 0 && !bootinfo.nmem) {
				bootinfo.mem[0] = (struct memrange){ be64(v), be64(v + 8) };
				bootinfo.nmem = 1;
			} else if (depth == 2 && strcmp(node, "chosen") == 0) {
				if (strcmp(prop, "bootargs") == 0)
					strlcpy(bootinfo.cmdline, v, sizeof bootinfo.cmdline);
				else if (strcmp(prop, "linux,initrd-start") == 0)
					bootinfo.initrd_start = becell(v, len);
				else if (strcmp(prop, "linux,initrd-end") == 0)
					bootinfo.initrd_end = becell(v, len);
			} else if (depth == 2 && strcmp(node, "cpus") == 0 && strcmp(prop, "timebase-frequency") == 0) {
				bootinfo.timer_hz = be32(v);
			} else if (depth == 3) {
				if (strcmp(prop, "reg") == 0) {
					n.reg = len >= 8 ? be64(v) : be32(v);
					n.size = len >= 16 ? be64(v + 8) : 0;
					n.has_reg = 1;
				} else if (strcmp(prop, "interrupts") == 0) {
					n.irq = be32(v);
				} else if (strcmp(prop, "compatible") == 0) {
					n.is_uart = has_string(v, len, "ns16550a");
					n.is_plic = has_string(v, len, "riscv,plic0") ||
						    has_string(v, len, "sifive,plic-1.0.0");
					n.is_virtio = has_string(v, len, "virtio,mmio");
					n.is_rtc = has_string(v, len, "google,goldfish-rtc");
				} else if (strcmp(prop, "status") == 0) {
					n.disabled = strcmp(v, "okay") != 0;
				} else if (strcmp(prop, "riscv,isa") == 0) {
					n.sstc = strstr(v, "_sstc") != NULL;
				}
			}
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			break;
		}
	}
	has_sstc = ncpus > 0 && sstc_all;
	strlcpy(bootinfo.timer, has_sstc ? "sstc" : "sbi timer", sizeof bootinfo.timer);
	if (!bootinfo.timer_hz)
		bootinfo.timer_hz = 10000000; /* QEMU virt's, should the tree not say */
	/* The device tree's own pages are not the allocator's either. */
	bootinfo.resv[bootinfo.nresv++] = (struct memrange){ dtb_pa, dtb_size };
	if (!bootinfo.nmem || !bootinfo.uart_base || !plic_base || !bootinfo.ncpu)
		panic("device tree lacks memory, uart, plic or cpus");
}
