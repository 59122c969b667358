/* lapic.c: each CPU's local APIC: its interrupt acknowledge (EOI), its
 * timer (the tick), and the inter-processor interrupts that start and
 * wake other CPUs.  Reached through its MMIO page (xAPIC mode).
 */
#include "x86_64.h"

#define ID 0x20
#define TPR 0x80
#define EOI 0xb0
#define SVR 0xf0     /* spurious vector; bit 8 enables the APIC */
#define ESR 0x280
#define ICR_LO 0x300 /* writing it sends the IPI */
#define ICR_HI 0x310 /* destination APIC id in bits 24-31 */
#define LVT_TIMER 0x320
#define LVT_LINT0 0x350
#define LVT_LINT1 0x360
#define LVT_ERROR 0x370
#define TIMER_INIT 0x380
#define TIMER_CUR 0x390
#define TIMER_DIV 0x3e0
#define LVT_MASKED (1 << 16)
#define TIMER_PERIODIC (1 << 17)
#define TIMER_TSC_DEADLINE (2 << 17)

static u64 lapic;
static u32 lapic_hz; /* the APIC timer's count rate (divide by 16), when not TSC-deadline */
static u64 tick_tsc; /* the tick in TSC units */

static u32 rd(u32 r) { return mmio_read32(lapic + r); }
static void wr(u32 r, u32 v)
{
	mmio_write32(lapic + r, v);
	(void)rd(ID); /* wait for the write to take effect */
}

u32 lapic_id(void) { return rd(ID) >> 24; }
void lapic_eoi(void) { wr(EOI, 0); }

void lapic_init(void)
{
	lapic = (u64)P2V(xboot.lapic_base);
	wr(SVR, 0x100 | T_SPURIOUS);
	wr(LVT_LINT0, LVT_MASKED); /* no 8259 PIC behind it: everything comes through the IOAPIC */
	wr(LVT_ERROR, LVT_MASKED);
	wr(ESR, 0);
	wr(ESR, 0);
	wr(TPR, 0); /* accept every priority */
	lapic_eoi();
}

/* How fast the TSC runs.  CPUID leaf 0x15 (crystal clock and ratio) or
 * KVM's leaf 0x40000010 (kHz) say so when present; otherwise count TSC
 * ticks across 10 ms of the PIT's channel 2 (1.193182 MHz, the one clock
 * on a PC whose frequency is fixed by definition). */
static u32 pit_count(void)
{
	outb(0x43, 0x00); /* latch channel 0's count */
	u32 lo = inb(0x40);
	return lo | (u32)inb(0x40) << 8;
}

static u64 tsc_hz(void)
{
	struct cpuid r = cpuid(0, 0);
	if (r.a >= 0x15) {
		struct cpuid t = cpuid(0x15, 0);
		if (t.a && t.b && t.c)
			return (u64)t.c * t.b / t.a;
	}
	if (xboot.kvm && cpuid(0x40000000, 0).a >= 0x40000010) {
		u32 khz = cpuid(0x40000010, 0).a;
		if (khz)
			return (u64)khz * 1000;
	}
	/* PIT channel 0, mode 2, counting down from 65536 at 1.193182 MHz;
	 * read back with the latch command until 11932 counts (10 ms) have
	 * passed.  (Channel 2's gate and output at port 0x61 are the PC
	 * speaker's: microvm has no such port.) */
	outb(0x43, 0x34); /* channel 0, lo/hi byte, mode 2 */
	outb(0x40, 0);
	outb(0x40, 0);
	u32 last = pit_count(), passed = 0;
	u64 t0 = rdtsc();
	while (passed < 11932) {
		u32 now = pit_count();
		passed += (last - now) & 0xffff;
		last = now;
	}
	return (rdtsc() - t0) * 100;
}

/* The tick.  TSC-deadline mode when CPUID.1:ECX[24] says the CPU has it:
 * the timer fires when the TSC reaches the value written to an MSR, the
 * same "compare register" model as RISC-V's stimecmp.  Else the APIC's
 * own one-shot countdown, calibrated against the TSC. */
void lapic_timer_measure(void)
{
	if (!xboot.tsc_hz)
		xboot.tsc_hz = tsc_hz();
	xboot.tsc_deadline = (cpuid(1, 0).c >> 24) & 1;
}

void lapic_timer_init(u64 period_us)
{
	lapic_timer_measure();
	tick_tsc = xboot.tsc_hz / 1000000 * period_us;
	if (xboot.tsc_deadline) {
		wr(LVT_TIMER, T_TIMER | TIMER_TSC_DEADLINE);
		/* Intel's rule: a fence between this LVT write and the first
		 * deadline write, or the deadline may be lost. */
		asm volatile("mfence" ::: "memory");
	} else {
		wr(TIMER_DIV, 3); /* divide by 16 */
		if (!lapic_hz) {
			wr(LVT_TIMER, LVT_MASKED);
			wr(TIMER_INIT, 0xffffffff);
			u64 t0 = rdtsc();
			while (rdtsc() - t0 < xboot.tsc_hz / 100)
				;
			lapic_hz = (0xffffffff - rd(TIMER_CUR)) * 100;
		}
		wr(LVT_TIMER, T_TIMER);
	}
	lapic_timer_arm(rdtsc() + tick_tsc);
}

/* The next timer interrupt when the TSC reaches `when`. */
void lapic_timer_arm(u64 when)
{
	if (xboot.tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, when);
		return;
	}
	u64 now = rdtsc(), d = when > now ? when - now : 1;
	u64 count = d * lapic_hz / xboot.tsc_hz;
	wr(TIMER_INIT, count ? (count > 0xffffffff ? 0xffffffff : count) : 1);
}

/* Send an IPI and wait until the APIC has delivered it. */
static void ipi(u32 apic_id, u32 lo)
{
	wr(ICR_HI, apic_id << 24);
	wr(ICR_LO, lo);
	while (rd(ICR_LO) & (1 << 12)) /* delivery status: pending */
		pause();
}

void lapic_send_ipi(u32 apic_id, int vector) { ipi(apic_id, vector); }

/* Start another CPU: INIT resets it to real mode, waiting; each SIPI
 * then makes it start executing at vector_page * 4096 (Intel's MP
 * specification sequence: INIT, 10 ms, SIPI, 200 us, SIPI). */
void lapic_send_init_sipi(u32 apic_id, u32 vector_page)
{
	ipi(apic_id, 0x4500); /* INIT, level assert */
	u64 t = rdtsc();
	while (rdtsc() - t < xboot.tsc_hz / 100)
		pause();
	for (int i = 0; i < 2; i++) {
		ipi(apic_id, 0x4600 | vector_page); /* STARTUP */
		t = rdtsc();
		while (rdtsc() - t < xboot.tsc_hz / 5000)
			pause();
	}
}
