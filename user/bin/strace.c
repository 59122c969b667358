/* strace.c: run a program and show every system call it makes.
 *   strace [-f] [-o file] prog [args...]
 * The kernel does the work (kernel/trace.c): the child asks for its own
 * calls to be traced with strace(fd, flags), then execs prog.  Each trap
 * into the kernel with ecall becomes one line, Linux style:
 *   write(1, "hi\n", 3) = 3
 * -f follows children (lines get a "[pid N] " prefix); -o writes the
 * lines to file instead of stderr.  Exits with prog's status, or
 * 128 + signal if it was killed, as the shell reports it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trapdoor.h"

static void usage(void)
{
	fprintf(stderr, "usage: strace [-f] [-o file] prog [args...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int flags = STRACE_ON;
	const char *out = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-f") == 0)
			flags |= STRACE_FOLLOW;
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();

	/* The output file is opened here, in the tracer, so that the traced
	 * program's own first calls are its exec and what follows, not an
	 * open and a close of strace's file. */
	int fd = 2;
	if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		fprintf(stderr, "strace: %s: %s\n", out, strerror(errno));
		return 1;
	}

	int pid = fork();
	if (pid < 0) {
		perror("strace: fork");
		return 1;
	}
	if (pid == 0) {
		/* The kernel keeps its own reference to the file, so the child
		 * may close fd; but closing would be traced, and a descriptor
		 * the program does not know about is harmless. */
		if (strace(fd, flags) < 0) {
			perror("strace: strace()");
			_exit(1);
		}
		execvp(argv[i], argv + i);
		/* Still traced: the failed exec calls above are in the trace. */
		fprintf(stderr, "strace: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	if (out)
		close(fd);
	int st;
	if (waitpid(pid, &st, 0) < 0) {
		perror("strace: waitpid");
		return 1;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
