/* mv.c: rename files and directories: mv OLD NEW, or mv NAME... DIR (each
 * to DIR/name).  -f is accepted: mv never asks anyway.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int move(const char *from, const char *to)
{
	if (rename(from, to) < 0) {
		int e = errno;
		/* say which side was wrong: the source if it is missing */
		struct stat st;
		const char *who = stat(from, &st) < 0 ? from : to;
		fprintf(stderr, "mv: %s: %s\n", who, strerror(e));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, status = 0;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++)
			if (*p != 'f') {
				fprintf(stderr, "mv: invalid option -- '%c'\nusage: mv old new, mv name... dir\n", *p);
				return 1;
			}
	}
	int n = argc - i;
	if (n < 2) {
		fprintf(stderr, "mv: missing %s operand\nusage: mv old new, mv name... dir\n",
			n == 0 ? "file" : "destination file");
		return 1;
	}
	const char *target = argv[argc - 1];
	struct stat st;
	int exists = stat(target, &st) == 0;
	int todir = exists && S_ISDIR(st.st_mode);
	if (!todir && n > 2) {
		fprintf(stderr, "mv: %s: %s\n", target, strerror(exists ? ENOTDIR : errno));
		return 1;
	}
	for (; i < argc - 1; i++) {
		if (!todir) {
			if (move(argv[i], target) < 0)
				status = 1;
			continue;
		}
		const char *name = basename_of(argv[i]);
		char *dst = malloc(strlen(target) + strlen(name) + 2);
		if (!dst) {
			fprintf(stderr, "mv: out of memory\n");
			return 1;
		}
		sprintf(dst, "%s%s%s", target, target[strlen(target) - 1] == '/' ? "" : "/", name);
		if (move(argv[i], dst) < 0)
			status = 1;
		free(dst);
	}
	return status;
}
