/* tracedump.c: print the kernel's recorded events, one per line, for the
 * host (tools/render_trace.py) and for reading.  Boot with trace=record
 * (or run "trace record"), do something, then run tracedump:
 *   TRACE-BEGIN v1 timebase=10000000 mask=0x1 arch=riscv
 *   EV <time> <hart> <pid> <type> <a> <b> <c> <d> <name> [t<tid>]
 *   ...
 *   TRACE-END events=N dropped=M
 * time is in timer units (timebase per second), pid the process running
 * on the hart (0: idle), a..d signed decimals whose meaning depends on
 * the type (include/trapdoor/abi.h), name a process or system-call name,
 * "-" if none; t<tid> ends the line if the thread running was not its
 * process's first (whose tid is the pid).  The rings are drained: a second tracedump prints only
 * what happened after the first.
 *   -s  stop recording afterwards (default: leave the mask as it was)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trapdoor.h"

static const char *const type_name[EV_max] = {
	[EV_BOOT] = "boot",     [EV_TRAP] = "trap",   [EV_SYSCALL] = "syscall", [EV_SYSRET] = "sysret",
	[EV_TIMER] = "timer",   [EV_SWITCH] = "switch", [EV_STATE] = "state",   [EV_IRQ] = "irq",
	[EV_KILL] = "kill",     [EV_EXEC] = "exec",   [EV_EXIT] = "exit",       [EV_USER] = "user",
	[EV_DISKREQ] = "diskreq", [EV_DISKDONE] = "diskdone",
};

/* The machine the events are from: a trap's cause is scause on RISC-V,
 * the vector on x86-64, and tools/render_trace.py words its tables so. */
#ifdef __x86_64__
#define ARCH "x86_64"
#else
#define ARCH "riscv"
#endif

static struct ktevent ev[128];

/* The name field as one word the host can split on. */
static void put_name(const char *s)
{
	char w[sizeof ev[0].name + 1];
	int n = 0;
	for (; n < (int)sizeof ev[0].name && s[n]; n++)
		w[n] = s[n] > ' ' && s[n] < 127 ? s[n] : '?';
	w[n] = 0;
	fputs(n ? w : "-", stdout);
}

int main(int argc, char **argv)
{
	int stop = argc > 1 && strcmp(argv[1], "-s") == 0;
	int mask = tracectl(TRACECTL_GETMASK, 0, 0);
	/* Stop recording while draining: every line printed is a write()
	 * that would be recorded, and the dump would chase its own tail. */
	tracectl(TRACECTL_SETMASK, mask & ~TR_RECORD, 0);
	int dropped = tracectl(TRACECTL_DROPPED, 0, 0);
	printf("TRACE-BEGIN v1 timebase=%ld mask=0x%x arch=%s\n", tracectl(TRACECTL_TIMEBASE, 0, 0), mask, ARCH);
	long total = 0;
	for (;;) {
		int n = traceread(ev, sizeof ev);
		if (n < 0) {
			perror("tracedump: traceread");
			return 1;
		}
		n /= sizeof ev[0];
		if (n == 0)
			break;
		for (int i = 0; i < n; i++) {
			struct ktevent *e = &ev[i];
			const char *t = e->type < EV_max && type_name[e->type] ? type_name[e->type] : "unknown";
			printf("EV %lu %u %d %s %ld %ld %ld %ld ", e->time, e->hart, e->pid, t, (long)e->a,
			       (long)e->b, (long)e->c, (long)e->d);
			put_name(e->name);
			/* a thread that is not its process's first: its tid */
			if (e->tid && e->tid != e->pid)
				printf(" t%d", e->tid);
			putchar('\n');
		}
		total += n;
	}
	/* The rings are empty now: reset the count of dropped events too. */
	tracectl(TRACECTL_CLEAR, 0, 0);
	printf("TRACE-END events=%ld dropped=%d\n", total, dropped);
	fflush(stdout);
	if (!stop)
		tracectl(TRACECTL_SETMASK, mask, 0);
	return 0;
}
