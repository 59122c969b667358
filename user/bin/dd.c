/* dd.c: copy blocks: dd [if=FILE] [of=FILE] [bs=N] [count=N] [skip=N] [seek=N] [conv=fsync]
 * One read() and one write() per block of bs bytes, as POSIX dd; sizes take K M (1024s).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: dd [if=FILE] [of=FILE] [bs=N] [count=N] [skip=N] [seek=N] [conv=fsync]\n");
	return 1;
}

/* A number with an optional K or M; -1 if it is not one. */
static long number(const char *s)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (end == s || errno || n < 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		n <<= 10, end++;
	else if (*end == 'M')
		n <<= 20, end++;
	return *end ? -1 : n;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	long bs = 512, count = -1, skip = 0, seek = 0;
	int dosync = 0;
	for (int i = 1; i < argc; i++) {
		char *v = strchr(argv[i], '=');
		if (!v)
			return usage();
		*v++ = 0;
		long *num = !strcmp(argv[i], "bs") ? &bs : !strcmp(argv[i], "count") ? &count :
			    !strcmp(argv[i], "skip") ? &skip : !strcmp(argv[i], "seek") ? &seek : NULL;
		if (num) {
			if ((*num = number(v)) < 0 || (num == &bs && bs == 0))
				return usage();
		} else if (!strcmp(argv[i], "if")) {
			in = v;
		} else if (!strcmp(argv[i], "of")) {
			out = v;
		} else if (!strcmp(argv[i], "conv") && !strcmp(v, "fsync")) {
			dosync = 1;
		} else {
			return usage();
		}
	}
	int ifd = in ? open(in, O_RDONLY) : 0;
	if (ifd < 0) {
		fprintf(stderr, "dd: %s: %s\n", in, strerror(errno));
		return 1;
	}
	/* no O_TRUNC: of= may be a disk, and seek= keeps what is before */
	int ofd = out ? open(out, O_WRONLY | O_CREAT, 0644) : 1;
	if (ofd < 0) {
		fprintf(stderr, "dd: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if ((skip && lseek(ifd, skip * bs, SEEK_SET) < 0) || (seek && lseek(ofd, seek * bs, SEEK_SET) < 0)) {
		fprintf(stderr, "dd: seek: %s\n", strerror(errno));
		return 1;
	}
	char *buf = malloc(bs);
	if (!buf) {
		fprintf(stderr, "dd: no memory for bs=%ld\n", bs);
		return 1;
	}
	long full_in = 0, part_in = 0, full_out = 0, part_out = 0, bytes = 0;
	int status = 0;
	while (count < 0 || full_in + part_in < count) {
		long n = read(ifd, buf, bs);
		if (n < 0) {
			fprintf(stderr, "dd: read: %s\n", strerror(errno));
			status = 1;
			break;
		}
		if (n == 0)
			break;
		*(n == bs ? &full_in : &part_in) += 1;
		long w = write(ofd, buf, n);
		if (w < 0) {
			fprintf(stderr, "dd: write: %s\n", strerror(errno));
			status = 1;
			break;
		}
		*(w == bs ? &full_out : &part_out) += 1;
		bytes += w;
		if (w < n) {
			fprintf(stderr, "dd: short write\n");
			status = 1;
			break;
		}
	}
	if (dosync && fsync(ofd) < 0) {
		fprintf(stderr, "dd: fsync: %s\n", strerror(errno));
		status = 1;
	}
	fprintf(stderr, "%ld+%ld records in\n%ld+%ld records out\n%ld bytes copied\n", full_in, part_in, full_out,
		part_out, bytes);
	return status;
}
