/* rotext.c: the kernel never writes into a read-only page for a user.
 * read() into the caller's own program text must fail with EFAULT, and the
 * program file whose pages exec mapped must stay as it was.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "tap.h"

#define SELF "/test/rotext"

/* The first bytes of the program file, read through the file system. */
static int file_head(unsigned char *buf, int n)
{
	int fd = open(SELF, O_RDONLY);
	if (fd < 0)
		return -1;
	int r = read(fd, buf, n);
	close(fd);
	return r;
}

/* A text page: main's own, and the first page of the image, which holds
 * the ELF header (exec maps both straight from the file's pages). */
static unsigned long text_page(void) { return (unsigned long)&file_head & ~4095UL; }

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return 42; /* the re-executed copy: the image still loads */
	plan(7);
	static unsigned char before[4096], after[4096], text[4096];
	memcpy(text, (void *)text_page(), sizeof text);
	check(file_head(before, sizeof before) == (int)sizeof before, "read the head of " SELF);

	int src = open(SELF, O_RDONLY);
	errno = 0;
	long r = read(src, (void *)text_page(), 64);
	check(r == -1 && errno == EFAULT, "read() into its own text: EFAULT (got %ld, errno %d)", r, errno);
	lseek(src, 0, SEEK_SET);
	errno = 0;
	r = read(src, (void *)0x10000, 4096);
	check(r == -1 && errno == EFAULT, "read() into the image's first page: EFAULT (got %ld, errno %d)", r, errno);
	close(src);

	int p[2];
	pipe(p);
	write(p[1], "overwrite", 9);
	errno = 0;
	r = read(p[0], (void *)text_page(), 9);
	check(r == -1 && errno == EFAULT, "a pipe read into its text: EFAULT (got %ld, errno %d)", r, errno);
	close(p[0]);
	close(p[1]);

	check(file_head(after, sizeof after) == (int)sizeof after && memcmp(before, after, sizeof before) == 0,
	      "the program file is unchanged");
	check(memcmp((void *)text_page(), text, sizeof text) == 0, "and so is its text page in memory");

	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		char *av[] = { SELF, "child", NULL };
		execve(SELF, av, NULL);
		_exit(99);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, "it still executes (status %#x)", st);
	return tap_done();
}
