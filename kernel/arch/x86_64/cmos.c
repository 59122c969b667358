/* cmos.c: the PC's real-time clock (the MC146818 in the CMOS, ports
 * 0x70/0x71), read once at boot into bootinfo.rtc_ns for kernel/rtc.c.
 */
#include "kernel.h"
#include "x86_64.h"

#define CMOS_INDEX 0x70 /* bit 7 of the index would mask NMIs: left clear */
#define CMOS_DATA 0x71

/* The clock's registers (the MC146818 data sheet's numbering). */
#define REG_SEC 0x00
#define REG_MIN 0x02
#define REG_HOUR 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define A_UIP 0x80    /* update in progress: the fields may be mid-carry */
#define B_24H 0x02    /* hours 0-23; clear: 1-12 with bit 7 for PM */
#define B_BINARY 0x04 /* fields in binary; clear: BCD */
#define HOUR_PM 0x80

static u8 cmos_read(int reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static int from_bcd(u8 v) { return (v & 15) + (v >> 4) * 10; }

#define NFIELD 7 /* the six above and the century */

/* One sample of the fields, taken after an update has finished.  The
 * clock updates once a second whenever it likes; UIP is raised 244 us
 * before an update, so reading right after it is seen clear is safe,
 * but an interrupt between the check and the reads could make the wait
 * longer than that.  Hence the caller's second read. */
static void sample(u8 *f, int century)
{
	const int reg[NFIELD - 1] = {REG_SEC, REG_MIN, REG_HOUR, REG_DAY, REG_MONTH, REG_YEAR};
	while (cmos_read(REG_A) & A_UIP)
		;
	for (int i = 0; i < NFIELD - 1; i++)
		f[i] = cmos_read(reg[i]);
	f[NFIELD - 1] = century ? cmos_read(century) : 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), counted
 * from 1 March so that the leap day is the last of its year. */
static u64 days_from_civil(u64 y, u64 m, u64 d)
{
	if (m <= 2)
		y--, m += 12;
	return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719469;
}

/* The time of day in ns since 1970 (0: no clock answers).  century is
 * the CMOS register holding the century (the FADT's CENTURY field), 0
 * when the firmware names none. */
u64 cmos_time_ns(int century)
{
	u8 t[NFIELD], u[NFIELD];
	sample(t, century);
	for (int tries = 0; tries < 10; tries++) { /* two equal samples: no update ran between */
		sample(u, century);
		if (memcmp(t, u, NFIELD) == 0)
			break;
		memcpy(t, u, NFIELD);
	}
	if (t[0] == 0xff)
		return 0; /* no device: the bus reads all ones */
	u8 b = cmos_read(REG_B);
	int pm = !(b & B_24H) && (t[2] & HOUR_PM);
	t[2] &= ~HOUR_PM;
	int v[NFIELD];
	for (int i = 0; i < NFIELD; i++)
		v[i] = b & B_BINARY ? t[i] : from_bcd(t[i]);
	if (!(b & B_24H)) /* 12-hour: 12 AM is 0 h, 12 PM is 12 h */
		v[2] = v[2] % 12 + (pm ? 12 : 0);
	/* Without a century register the two digits are read as 1970-2069
	 * (as Linux does): microvm's FADT names none. */
	u64 year = (century ? v[6] * 100 : v[5] < 70 ? 2000 : 1900) + v[5];
	if (v[0] > 59 || v[1] > 59 || v[2] > 23 || v[3] < 1 || v[3] > 31 || v[4] < 1 || v[4] > 12 || year < 1970)
		return 0; /* not a date: better the epoch than a wrong day */
	u64 days = days_from_civil(year, v[4], v[3]);
	return ((days * 24 + v[2]) * 60 + v[1]) * 60 * 1000000000ULL + v[0] * 1000000000ULL;
}
