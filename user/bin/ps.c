/* ps.c: list the processes, from the kernel's procinfo(): ids, state,
 * name, timer ticks charged, system calls made, voluntary and involuntary
 * context switches, the hart it runs on or last ran on ('-': never), and
 * for a sleeping process what it waits for (its wait queue: disk, pipe read, ...).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trapdoor.h"

static const char *statename(int s)
{
	static const char *names[] = {
		[UNUSED] = "unused",     [EMBRYO] = "embryo",   [RUNNABLE] = "runnable",
		[RUNNING] = "running",   [SLEEPING] = "sleeping", [ZOMBIE] = "zombie",
	};
	return s >= 0 && s < (int)(sizeof names / sizeof names[0]) ? names[s] : "?";
}

static int bypid(const void *a, const void *b)
{
	return ((const struct kprocinfo *)a)->pid - ((const struct kprocinfo *)b)->pid;
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: ps\n");
		return 1;
	}
	/* procinfo says how many there are, which may be more than fitted:
	 * then ask again with room for all of them (and a few more). */
	unsigned long cap = 32;
	struct kprocinfo *rows = NULL;
	int n;
	for (;;) {
		rows = realloc(rows, cap * sizeof *rows);
		if (!rows) {
			fprintf(stderr, "ps: out of memory\n");
			return 1;
		}
		n = procinfo(rows, cap);
		if (n < 0) {
			fprintf(stderr, "ps: procinfo: %s\n", strerror(errno));
			return 1;
		}
		if ((unsigned long)n <= cap)
			break;
		cap = n + 8;
	}
	qsort(rows, n, sizeof *rows, bypid);
	/* HART is Linux's PSR: for a process not running, the hart it last
	 * ran on, where its cache lines still are. */
	printf("%5s %5s %5s %-8s %-15s %8s %8s %6s %6s %4s %s\n", "PID", "PPID", "UID", "STATE", "NAME", "TICKS",
	       "SYSCALLS", "VOLSW", "INVSW", "HART", "WAIT");
	for (int i = 0; i < n; i++) {
		struct kprocinfo *r = &rows[i];
		char hart[12] = "-";
		if (r->hart >= 0)
			snprintf(hart, sizeof hart, "%d", r->hart);
		/* WAIT, only for a sleeper: the event it waits for, as Ctrl-P shows it */
		printf("%5d %5d %5d %-8s %-15.*s %8lu %8lu %6lu %6lu %4s%s%.*s\n", r->pid, r->ppid, r->uid,
		       statename(r->state), PROC_NAME_LEN, r->name, r->ticks, r->syscalls, r->vswitches, r->iswitches,
		       hart, r->wait[0] ? " " : "", PROC_NAME_LEN, r->wait);
	}
	return 0;
}
