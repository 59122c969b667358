/* rtc.c: the time of day, read once at boot from the Goldfish RTC (virt)
 * or the arch's clock (x86-64's CMOS, cmos.c), then kept by the finer timer.
 */
#include "kernel.h"
#include "proc.h"
#include "syscall.h"

/* Goldfish RTC registers (QEMU hw/rtc/goldfish_rtc.c, Android's goldfish
 * "RTC" device): nanoseconds since 1970-01-01 UTC, 64 bits read as two
 * halves.  Reading TIME_LOW latches the upper half into TIME_HIGH, so the
 * two reads are one consistent sample when done in that order. */
#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04

/* The time of day at monotonic time 0 (arch_time() == 0), in ns since the
 * epoch.  One aligned 64-bit word: a reader on another hart sees the old
 * value or the new one, never half of each, so no lock is needed. */
static volatile u64 epoch_at_zero;

#define NS 1000000000UL

/* Nanoseconds since the timer started counting.  Split into seconds and
 * the rest: t * 10^9 alone overflows 64 bits after about 30 minutes at
 * QEMU's 10 MHz timebase. */
u64 mono_ns(void)
{
	u64 t = arch_time();
	return t / timebase_hz * NS + t % timebase_hz * NS / timebase_hz;
}

u64 rtc_now_ns(void) { return epoch_at_zero + mono_ns(); }
u64 rtc_seconds(void) { return rtc_now_ns() / NS; }

static u64 rtc_read(void)
{
	volatile u32 *r = P2V(bootinfo.rtc_base);
	u64 lo = r[RTC_TIME_LOW / 4];
	u64 hi = r[RTC_TIME_HIGH / 4];
	return hi << 32 | lo;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian): count in
 * 400-year eras of 146097 days, with years starting on 1 March so that
 * the leap day is the last day of its year. */
static void civil(u64 days, int *y, int *m, int *d)
{
	u64 z = days + 719468; /* days from 0000-03-01 to 1970-01-01 */
	u64 era = z / 146097, doe = z % 146097;
	u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	u64 mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = era * 400 + yoe + (*m <= 2);
}

void rtc_init(void)
{
	if (!bootinfo.rtc_base && !bootinfo.rtc_ns) {
		/* Not an error: the clock still runs, from the epoch. */
		kprintf("rtc: no real-time clock in the device tree; the time of day starts at 1970-01-01\n");
		return;
	}
	/* A Goldfish RTC, or the time another clock gave the arch at boot. */
	u64 now = bootinfo.rtc_base ? rtc_read() : bootinfo.rtc_ns;
	epoch_at_zero = now - mono_ns();
	if (params.quiet)
		return;
	u64 s = now / NS;
	int y, m, d;
	civil(s / 86400, &y, &m, &d);
	char where[32] = "from the boot clock";
	if (bootinfo.rtc_name[0])
		strlcpy(where, bootinfo.rtc_name, sizeof where);
	else if (bootinfo.rtc_base)
		ksnprintf(where, sizeof where, "goldfish at %p", (void *)bootinfo.rtc_base);
	kprintf("rtc: %s: %d-%02d-%02d %02d:%02d:%02d UTC\n", where, y, m, d, (int)(s % 86400 / 3600),
		(int)(s % 3600 / 60), (int)(s % 60));
}

/* clock_gettime(clockid, ts): CLOCK_REALTIME, the time of day; or
 * CLOCK_MONOTONIC, time since boot, which nothing sets, so it never goes
 * back. */
long sys_clock_gettime(SYSARGS)
{
	u64 ns;
	if (a0 == CLOCK_REALTIME)
		ns = rtc_now_ns();
	else if (a0 == CLOCK_MONOTONIC)
		ns = mono_ns();
	else
		return -EINVAL;
	struct ktimespec ts = { ns / NS, ns % NS };
	return copy_to_user(a1, &ts, sizeof ts) < 0 ? -EFAULT : 0;
}

/* clock_settime(CLOCK_REALTIME, ts): root only.  Moves the time of day
 * (and the RTC, so that it agrees); monotonic time is untouched. */
long sys_clock_settime(SYSARGS)
{
	struct ktimespec ts;
	if (a0 != CLOCK_REALTIME)
		return -EINVAL;
	if (copy_from_user(&ts, a1, sizeof ts) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS || (u64)ts.tv_sec > ~0UL / NS - 1)
		return -EINVAL;
	if (myproc()->uid != 0)
		return -EPERM;
	u64 ns = ts.tv_sec * NS + ts.tv_nsec;
	if (bootinfo.rtc_base) {
		/* Each write replaces one half of the running count (QEMU's
		 * model): high, then low.  A carry out of the low half between
		 * the two (once in 4.3 s) would leave the RTC 4.3 s off; the
		 * kernel's own clock is set below either way and never reads
		 * the RTC again. */
		volatile u32 *r = P2V(bootinfo.rtc_base);
		r[RTC_TIME_HIGH / 4] = ns >> 32;
		r[RTC_TIME_LOW / 4] = (u32)ns;
	}
	epoch_at_zero = ns - mono_ns();
	return 0;
}
