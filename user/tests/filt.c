/* filt.c: a small filter for the shell tests, until the real tools land.
 *   filt cat [FILE...]  copy the files (or stdin) to stdout
 *   filt upper          stdin to stdout in capitals
 *   filt wc             "LINES BYTES" of stdin
 *   filt err MSG        "out" on stdout, then MSG on stderr
 *   filt exit N         exit with status N
 *   filt mkdir DIR      make a directory
 *   filt pwd            print the working directory
 *   filt reads N        read stdin N bytes at a time: "[chunk]" per read, then "EOF"
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CAT, UPPER, COUNT };

/* Copy fd to stdout (CAT, UPPER) or only count it (COUNT). */
static int copy(int fd, int mode, long *lines, long *bytes)
{
	char buf[4096];
	long n;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (long i = 0; i < n; i++) {
			if (mode == UPPER)
				buf[i] = toupper((unsigned char)buf[i]);
			*lines += buf[i] == '\n';
		}
		*bytes += n;
		if (mode != COUNT && write(1, buf, n) != n)
			return 1;
	}
	return n < 0;
}

int main(int argc, char **argv)
{
	long lines = 0, bytes = 0;
	const char *op = argc > 1 ? argv[1] : "cat";
	if (strcmp(op, "cat") == 0) {
		if (argc <= 2)
			return copy(0, CAT, &lines, &bytes);
		for (int i = 2; i < argc; i++) {
			int fd = open(argv[i], O_RDONLY);
			if (fd < 0) {
				perror(argv[i]);
				return 1;
			}
			copy(fd, CAT, &lines, &bytes);
			close(fd);
		}
		return 0;
	}
	if (strcmp(op, "upper") == 0)
		return copy(0, UPPER, &lines, &bytes);
	if (strcmp(op, "wc") == 0) {
		int r = copy(0, COUNT, &lines, &bytes);
		printf("%ld %ld\n", lines, bytes);
		return r;
	}
	if (strcmp(op, "err") == 0 && argc > 2) {
		printf("out\n");
		fflush(stdout);
		fprintf(stderr, "%s\n", argv[2]);
		return 0;
	}
	if (strcmp(op, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(op, "mkdir") == 0 && argc > 2)
		return mkdir(argv[2], 0755) < 0;
	if (strcmp(op, "pwd") == 0) {
		char buf[256];
		if (!getcwd(buf, sizeof buf))
			return 1;
		printf("%s\n", buf);
		return 0;
	}
	if (strcmp(op, "reads") == 0 && argc > 2) {
		char buf[256];
		int n = atoi(argv[2]);
		long r;
		if (n < 1 || n > (int)sizeof buf)
			return 2;
		while ((r = read(0, buf, n)) > 0)
			printf("[%.*s]\n", (int)r, buf);
		printf("EOF\n");
		return r < 0;
	}
	fprintf(stderr, "filt: bad usage\n");
	return 2;
}
