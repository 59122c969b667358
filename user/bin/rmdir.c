/* rmdir.c: remove empty directories.  -p: then their parents, as far as
 * they become empty (as named in the argument).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int rm(const char *path)
{
	if (rmdir(path) < 0) {
		fprintf(stderr, "rmdir: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, pflag = 0, status = 0;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			if (*p != 'p') {
				fprintf(stderr, "rmdir: invalid option -- '%c'\nusage: rmdir [-p] dir...\n", *p);
				return 1;
			}
			pflag = 1;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "rmdir: missing operand\nusage: rmdir [-p] dir...\n");
		return 1;
	}
	for (; i < argc; i++) {
		if (rm(argv[i]) < 0) {
			status = 1;
			continue;
		}
		if (!pflag)
			continue;
		/* a/b/c: then a/b, then a; trailing slashes are not components */
		char *path = argv[i];
		for (;;) {
			char *end = path + strlen(path);
			while (end > path && end[-1] == '/')
				end--;
			while (end > path && end[-1] != '/')
				end--;
			while (end > path && end[-1] == '/')
				end--;
			if (end == path)
				break;
			*end = 0;
			if (rm(path) < 0) {
				status = 1;
				break;
			}
		}
	}
	return status;
}
