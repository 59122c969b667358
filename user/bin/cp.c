/* cp.c: copy files: cp SRC DST, or cp SRC... DIR (each to DIR/name).
 * Regular files only; the data moves by read()/write() in big blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "targets.h"

static char buf[64 * 1024];


static int fail(const char *what)
{
	fprintf(stderr, "cp: %s: %s\n", what, strerror(errno));
	return -1;
}

static int copy(const char *src, const char *dst)
{
	struct stat ss, ds;
	if (stat(src, &ss) < 0)
		return fail(src);
	if (S_ISDIR(ss.st_mode)) {
		errno = EISDIR;
		return fail(src);
	}
	/* Opening the destination truncates it: with src == dst that would
	 * lose the data before it is read. */
	if (stat(dst, &ds) == 0 && ds.st_ino == ss.st_ino && ds.st_dev == ss.st_dev) {
		fprintf(stderr, "cp: '%s' and '%s' are the same file\n", src, dst);
		return -1;
	}
	int in = open(src, O_RDONLY);
	if (in < 0)
		return fail(src);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, ss.st_mode & 0777);
	if (out < 0) {
		close(in);
		return fail(dst);
	}
	int r = 0;
	for (;;) {
		long n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fail(src);
			break;
		}
		if (n == 0)
			break;
		for (long done = 0; done < n;) {
			long w = write(out, buf + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				r = fail(dst);
				goto out;
			}
			done += w;
		}
	}
out:
	close(in);
	if (close(out) < 0 && r == 0)
		r = fail(dst);
	return r;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
		fprintf(stderr, "cp: invalid option -- '%c'\nusage: cp src dst, cp src... dir\n", argv[i][1]);
		return 1;
	}
	int n = argc - i;
	if (n < 2) {
		fprintf(stderr, "cp: missing %s operand\nusage: cp src dst, cp src... dir\n",
			n == 0 ? "file" : "destination file");
		return 1;
	}
	return for_each_target("cp", argc, argv, i, copy);
}
