/* head.c: print the first lines (10, or -n N, or -N) of files or standard
 * input; with several files each gets a "==> name <==" heading.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[32 * 1024];

static int writeall(const char *p, long n)
{
	while (n > 0) {
		long w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* Copy up to `lines` lines of fd to stdout; -1 on a read error. */
static int head(int fd, unsigned long lines)
{
	while (lines > 0) {
		long n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		long upto = n;
		for (long i = 0; i < n; i++)
			if (buf[i] == '\n' && --lines == 0) {
				upto = i + 1;
				break;
			}
		if (writeall(buf, upto) < 0) {
			fprintf(stderr, "head: write error: %s\n", strerror(errno));
			exit(1);
		}
	}
	return 0;
}

/* A line count: digits only, as head insists. */
static int number(const char *s, unsigned long *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return *end || errno ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long lines = 10;
	int i;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i], *val = NULL;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[1] >= '0' && a[1] <= '9') {
			val = a + 1;
		} else if (a[1] == 'n') {
			if (a[2])
				val = a + 2;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "head: option requires an argument -- 'n'\n");
				return 1;
			}
		} else {
			fprintf(stderr, "head: invalid option -- '%c'\nusage: head [-n lines | -lines] [file...]\n", a[1]);
			return 1;
		}
		if (number(val, &lines) < 0) {
			fprintf(stderr, "head: invalid number of lines: '%s'\n", val);
			return 1;
		}
	}
	int nfiles = argc - i, status = 0;
	if (nfiles == 0) {
		if (head(0, lines) < 0) {
			fprintf(stderr, "head: standard input: %s\n", strerror(errno));
			return 1;
		}
		return 0;
	}
	for (int first = 1; i < argc; i++) {
		int isstdin = strcmp(argv[i], "-") == 0;
		int fd = isstdin ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (nfiles > 1) {
			char hdr[300];
			int n = snprintf(hdr, sizeof hdr, "%s==> %s <==\n", first ? "" : "\n",
					 isstdin ? "standard input" : argv[i]);
			writeall(hdr, n < (int)sizeof hdr ? n : (int)sizeof hdr - 1);
			first = 0;
		}
		if (head(fd, lines) < 0) {
			fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
		if (!isstdin)
			close(fd);
	}
	return status;
}
