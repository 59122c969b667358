/* date.c: print the time of day (UTC: Trapdoor has no time zones), or set
 * it as root.  date [-u] [+FORMAT] | date -s @SECONDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
	fprintf(stderr, "usage: date [-u] [+FORMAT] | date -s @SECONDS\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *fmt = "%a %b %e %H:%M:%S UTC %Y";
	int i = 1;
	if (i < argc && strcmp(argv[i], "-u") == 0)
		i++; /* the only zone there is */
	if (i < argc && strcmp(argv[i], "-s") == 0) {
		char *end;
		if (i + 2 != argc || argv[i + 1][0] != '@')
			return usage();
		errno = 0;
		long s = strtol(argv[i + 1] + 1, &end, 10);
		if (*end || end == argv[i + 1] + 1 || errno || s < 0)
			return usage();
		struct timespec ts = { s, 0 };
		if (clock_settime(CLOCK_REALTIME, &ts) < 0) {
			fprintf(stderr, "date: cannot set the time: %s\n", strerror(errno));
			return 1;
		}
		i += 2;
	} else if (i < argc && argv[i][0] == '+') {
		fmt = argv[i++] + 1;
	}
	if (i != argc)
		return usage();
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0) {
		fprintf(stderr, "date: clock_gettime: %s\n", strerror(errno));
		return 1;
	}
	time_t t = ts.tv_sec;
	struct tm tm;
	char buf[256];
	if (!gmtime_r(&t, &tm) || (strftime(buf, sizeof buf, fmt, &tm) == 0 && *fmt)) {
		fprintf(stderr, "date: cannot format the time\n");
		return 1;
	}
	puts(buf);
	return 0;
}
