/* sleep.c: pause for the given number of seconds; fractions (0.5) and
 * the suffixes s m h d are allowed, and several arguments add up.
 */
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"

/* A decimal number of seconds (or minutes, hours, days with a suffix) to
 * milliseconds: parsed by hand, so no floating point and no locale.
 * Returns -1 if s is not such a number. */
static long parse_ms(const char *s)
{
	long ms = 0, scale = 1000;
	int digits = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		ms = ms * 10 + (*s - '0') * 1000;
		if (ms > 1000L * 1000 * 1000 * 1000)
			return -1;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			scale /= 10;
			ms += (*s - '0') * scale; /* beyond milliseconds scale is 0 */
		}
	if (!digits)
		return -1;
	switch (*s) {
	case 0: return ms;
	case 's': break;
	case 'm': ms *= 60; break;
	case 'h': ms *= 3600; break;
	case 'd': ms *= 86400; break;
	default: return -1;
	}
	return s[1] || ms > 1000L * 1000 * 1000 * 1000 ? -1 : ms;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "sleep: missing operand\nusage: sleep number[smhd]...\n");
		return 1;
	}
	long total = 0;
	for (int i = 1; i < argc; i++) {
		long ms = parse_ms(argv[i]);
		if (ms < 0) {
			fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[i]);
			return 1;
		}
		total += ms;
	}
	/* msleep takes an unsigned int of milliseconds: sleep in slices */
	while (total > 0) {
		long slice = total > 1000000000L ? 1000000000L : total;
		if (msleep(slice) < 0)
			return 1;
		total -= slice;
	}
	return 0;
}
