/* ln.c: make links: ln OLD NEW, or ln NAME... DIR (each as DIR/name).
 * -s: symbolic links (NEW holds the text OLD); -f: replace an existing NEW.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "targets.h"

static int fflag, sflag;


static int makelink(const char *old, const char *new)
{
	struct stat os, ns;
	if (sflag) { /* the target need not exist */
		if (fflag && stat(new, &ns) == 0 && !S_ISDIR(ns.st_mode))
			unlink(new);
		if (symlink(old, new) < 0) {
			fprintf(stderr, "ln: %s: %s\n", new, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (stat(old, &os) < 0) {
		fprintf(stderr, "ln: %s: %s\n", old, strerror(errno));
		return -1;
	}
	if (fflag && stat(new, &ns) == 0 && !S_ISDIR(ns.st_mode)) {
		/* already the same file: unlinking new would remove the data */
		if (ns.st_ino == os.st_ino && ns.st_dev == os.st_dev) {
			fprintf(stderr, "ln: '%s' and '%s' are the same file\n", old, new);
			return -1;
		}
		if (unlink(new) < 0) {
			fprintf(stderr, "ln: %s: %s\n", new, strerror(errno));
			return -1;
		}
	}
	if (link(old, new) < 0) {
		int e = errno;
		fprintf(stderr, "ln: %s: %s\n", e == EPERM && S_ISDIR(os.st_mode) ? old : new,
			e == EPERM && S_ISDIR(os.st_mode) ? "hard link not allowed for directory" : strerror(e));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			if (*p == 'f') {
				fflag = 1;
			} else if (*p == 's') {
				sflag = 1;
			} else {
				fprintf(stderr, "ln: invalid option -- '%c'\nusage: ln [-sf] old new, ln [-sf] name... dir\n", *p);
				return 1;
			}
		}
	}
	int n = argc - i;
	if (n < 2) {
		fprintf(stderr, "ln: missing %s operand\nusage: ln [-sf] old new, ln [-sf] name... dir\n",
			n == 0 ? "file" : "destination file");
		return 1;
	}
	return for_each_target("ln", argc, argv, i, makelink);
}
