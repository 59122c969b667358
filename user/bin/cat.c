/* cat.c: copy files (or standard input, also named "-") to standard output.
 * Straight read()/write() with a big buffer: no stdio on the data path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[64 * 1024];

/* Write all of p[0..n); a pipe may take less than asked. */
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

/* Copy fd to stdout; 0 if all went well, -1 with the message printed. */
static int copy(int fd, const char *name)
{
	for (;;) {
		long n = read(fd, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
			return -1;
		}
		if (writeall(buf, n) < 0) {
			fprintf(stderr, "cat: write error: %s\n", strerror(errno));
			return -2;
		}
	}
}

int main(int argc, char **argv)
{
	int status = 0, i = 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		return copy(0, "-") < 0;
	for (; i < argc; i++) {
		int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		int r = copy(fd, argv[i]);
		if (fd != 0)
			close(fd);
		if (r == -2)
			return 1; /* stdout is gone: no point going on */
		if (r < 0)
			status = 1;
	}
	return status;
}
