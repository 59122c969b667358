/* yieldpair.c: two children take turns on the CPU by yield().
 * "yieldpair N" forks A and B; each writes its letter to a pipe N times,
 * calling yield() after each; "yieldpair N busy" has them spin a while
 * instead of yielding.  Prints the letters in the order written:
 *   seq=ABABAB...
 * so a test can see whether the two shared the CPU (sched=coop or not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trapdoor.h"

static void child(int fd, char letter, int n, int busy)
{
	for (int i = 0; i < n; i++) {
		write(fd, &letter, 1);
		if (busy)
			for (volatile int j = 0; j < 100000; j++)
				;
		else
			yield();
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	int busy = argc > 2 && strcmp(argv[2], "busy") == 0;
	if (n < 1 || n > 1000)
		n = 50;
	int p[2];
	if (pipe(p) < 0)
		return 1;
	fflush(stdout);
	int a = fork();
	if (a == 0)
		child(p[1], 'A', n, busy);
	int b = fork();
	if (b == 0)
		child(p[1], 'B', n, busy);
	close(p[1]);
	static char seq[2001];
	int got = 0, r;
	while (got < 2 * n && (r = read(p[0], seq + got, 2 * n - got)) > 0)
		got += r;
	seq[got] = 0;
	int st1 = 0, st2 = 0;
	waitpid(a, &st1, 0);
	waitpid(b, &st2, 0);
	printf("seq=%s\n", seq);
	return got == 2 * n && st1 == 0 && st2 == 0 ? 0 : 1;
}
