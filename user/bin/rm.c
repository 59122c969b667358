/* rm.c: remove files.  -r (or -R): directories and everything in them;
 * -f: no complaint about files that do not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trapdoor.h"

static int rflag, fflag;

static int fail(const char *path)
{
	fprintf(stderr, "rm: %s: %s\n", path, strerror(errno));
	return -1;
}

/* The names in directory dir, except . and .., as one malloc'd block of
 * NUL-terminated strings ending with an empty one.  All are read before
 * any is removed: removing shifts the entries a later getdents would see. */
static char *readnames(const char *dir)
{
	int fd = open(dir, O_RDONLY);
	if (fd < 0)
		return NULL;
	static char buf[4096];
	size_t len = 0, cap = 256;
	char *names = malloc(cap);
	int r = 0;
	while (names && (r = getdents(fd, buf, sizeof buf)) > 0) {
		for (int off = 0; off < r && names; off += ((struct kdirent *)(buf + off))->reclen) {
			const char *name = ((struct kdirent *)(buf + off))->name;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			size_t n = strlen(name) + 1;
			while (names && len + n + 1 > cap) {
				char *bigger = realloc(names, cap *= 2);
				if (!bigger)
					free(names);
				names = bigger;
			}
			if (names) {
				memcpy(names + len, name, n);
				len += n;
			}
		}
	}
	int e = names ? errno : ENOMEM;
	close(fd);
	if (names && r < 0) {
		free(names);
		names = NULL;
	}
	if (!names) {
		errno = e;
		return NULL;
	}
	names[len] = 0;
	return names;
}

static int removetree(const char *path)
{
	char *names = readnames(path);
	if (!names)
		return fail(path);
	int r = 0;
	for (char *n = names; *n; n += strlen(n) + 1) {
		char *child = malloc(strlen(path) + strlen(n) + 2);
		if (!child) {
			errno = ENOMEM;
			r = fail(path);
			break;
		}
		sprintf(child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", n);
		struct stat st;
		if (stat(child, &st) < 0)
			r = fail(child);
		else if (S_ISDIR(st.st_mode))
			r |= removetree(child);
		else if (unlink(child) < 0)
			r = fail(child);
		free(child);
	}
	free(names);
	if (r == 0 && rmdir(path) < 0)
		r = fail(path);
	return r;
}

/* The last component of path is . or ..: rm -r would wreck its parent. */
static int dotty(const char *path)
{
	const char *end = path + strlen(path);
	while (end > path + 1 && end[-1] == '/')
		end--;
	const char *base = end;
	while (base > path && base[-1] != '/')
		base--;
	return (end - base == 1 && base[0] == '.') || (end - base == 2 && base[0] == '.' && base[1] == '.');
}

int main(int argc, char **argv)
{
	int i, status = 0;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'r':
			case 'R': rflag = 1; break;
			case 'f': fflag = 1; break;
			default:
				fprintf(stderr, "rm: invalid option -- '%c'\nusage: rm [-rf] file...\n", *p);
				return 1;
			}
		}
	}
	if (i >= argc && !fflag) {
		fprintf(stderr, "rm: missing operand\nusage: rm [-rf] file...\n");
		return 1;
	}
	for (; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			if (!(fflag && errno == ENOENT)) {
				fail(argv[i]);
				status = 1;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode) && rflag) {
			if (dotty(argv[i])) {
				fprintf(stderr, "rm: refusing to remove '.' or '..' directory: skipping '%s'\n", argv[i]);
				status = 1;
			} else if (strcmp(argv[i], "/") == 0) {
				fprintf(stderr, "rm: it is dangerous to operate recursively on '/'\n");
				status = 1;
			} else if (removetree(argv[i]) < 0) {
				status = 1;
			}
			continue;
		}
		if (unlink(argv[i]) < 0) {
			fail(argv[i]);
			status = 1;
		}
	}
	return status;
}
