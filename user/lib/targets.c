/* targets.c: the "cp/mv/ln SRC DST" and "cp/mv/ln SRC... DIR" argument rule.
 * Shared by the three tools so they agree on what a trailing directory means.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "targets.h"

const char *basename_of(const char *path)
{
	const char *end = path + strlen(path);
	while (end > path + 1 && end[-1] == '/')
		end--;
	const char *b = end;
	while (b > path && b[-1] != '/')
		b--;
	static char name[256];
	size_t len = end - b < (long)sizeof name - 1 ? (size_t)(end - b) : sizeof name - 1;
	memcpy(name, b, len);
	name[len] = 0;
	return name;
}

int for_each_target(const char *prog, int argc, char **argv, int i, int (*op)(const char *, const char *))
{
	const char *target = argv[argc - 1];
	struct stat st;
	int exists = stat(target, &st) == 0, status = 0;
	int todir = exists && S_ISDIR(st.st_mode);
	if (!todir && (argc - i > 2 || target[strlen(target) - 1] == '/')) {
		fprintf(stderr, "%s: %s: %s\n", prog, target, strerror(argc - i > 2 || exists ? ENOTDIR : errno));
		return 1;
	}
	for (; i < argc - 1; i++) {
		if (!todir) {
			if (op(argv[i], target) < 0)
				status = 1;
			continue;
		}
		const char *name = basename_of(argv[i]);
		char *dst = malloc(strlen(target) + strlen(name) + 2);
		if (!dst) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		sprintf(dst, "%s%s%s", target, target[strlen(target) - 1] == '/' ? "" : "/", name);
		if (op(argv[i], dst) < 0)
			status = 1;
		free(dst);
	}
	return status;
}
