/* mv.c: rename files and directories: mv OLD NEW, or mv NAME... DIR (each
 * to DIR/name).  -f is accepted: mv never asks anyway.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "targets.h"


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
	int i;
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
	return for_each_target("mv", argc, argv, i, move);
}
