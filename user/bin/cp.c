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

static char buf[64 * 1024];

static const char *basename_of(const char *path)
{
	const char *end = path + strlen(path);
	while (end > path + 1 && end[-1] == '/')
		end--;
	const char *b = end;
	while (b > path && b[-1] != '/')
		b--;
	static char name[256];
	snprintf(name, sizeof name, "%.*s", (int)(end - b), b);
	return name;
}

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
	int i = 1, status = 0;
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
	const char *target = argv[argc - 1];
	struct stat st;
	int exists = stat(target, &st) == 0;
	int todir = exists && S_ISDIR(st.st_mode);
	if (!todir && (n > 2 || target[strlen(target) - 1] == '/')) {
		if (n > 2 || exists)
			errno = ENOTDIR;
		fail(target);
		return 1;
	}
	for (; i < argc - 1; i++) {
		if (!todir) {
			if (copy(argv[i], target) < 0)
				status = 1;
			continue;
		}
		const char *name = basename_of(argv[i]);
		char *dst = malloc(strlen(target) + strlen(name) + 2);
		if (!dst) {
			errno = ENOMEM;
			fail(argv[i]);
			return 1;
		}
		sprintf(dst, "%s%s%s", target, target[strlen(target) - 1] == '/' ? "" : "/", name);
		if (copy(argv[i], dst) < 0)
			status = 1;
		free(dst);
	}
	return status;
}
