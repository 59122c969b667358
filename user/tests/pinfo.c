/* pinfo.c: print the process table rows of the processes with a name.
 * "pinfo spin" prints one line per spin process, for the host-side tests:
 *   name pid=N state=S ticks=N vsw=N isw=N syscalls=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trapdoor.h"

static const char *const states[] = { "unused", "embryo", "runnable", "running", "sleeping", "zombie" };

int main(int argc, char **argv)
{
	int n = procinfo(NULL, 0);
	if (n < 0) {
		perror("pinfo: procinfo");
		return 1;
	}
	n += 16; /* room for processes made meanwhile */
	struct kprocinfo *rows = calloc(n, sizeof *rows);
	if (!rows)
		return 1;
	int got = procinfo(rows, n);
	if (got > n)
		got = n;
	int shown = 0;
	for (int i = 0; i < got; i++) {
		struct kprocinfo *r = &rows[i];
		if (argc > 1 && strcmp(r->name, argv[1]) != 0)
			continue;
		printf("%s pid=%d ppid=%d state=%s ticks=%lu vsw=%lu isw=%lu syscalls=%lu\n", r->name, r->pid, r->ppid,
		       r->state >= 0 && r->state <= 5 ? states[r->state] : "?", r->ticks, r->vswitches, r->iswitches,
		       r->syscalls);
		shown++;
	}
	free(rows);
	return shown ? 0 : 1;
}
