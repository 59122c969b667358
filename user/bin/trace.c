/* trace.c: turn the kernel's live trace lines and event recording on/off.
 *   trace                      show what is on
 *   trace syscall,timer        exactly these (also: trace syscall timer)
 *   trace +switch / -timer     add / remove some
 *   trace off                  everything off
 *   trace record               record events for tracedump (no lines)
 *   trace clear                empty the event rings
 *   trace -p PID [what]        lines only for process PID (-p all: every)
 * The lines are the printf()s of the seed lab, printed by the kernel:
 *   usertrap: syscall from pid 3 (sh), number 16 (write)       (trap)
 *   syscall: pid 3 (sh) write(1, "$ ", 2) = 2                  (syscall)
 *   clockintr: hart 0 tick 12, pid 4 (spin) interrupted        (timer)
 *   swtch: hart 0 pid 4 (spin) -> pid 3 (sh): time slice used up (switch)
 *   proc: pid 5 (echo) running -> zombie                       (proc)
 * Boot with tick=1s to watch them at the speed of reading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trapdoor.h"

static const struct {
	const char *name;
	int bit;
	const char *what;
} words[] = {
	{ "trap", TR_TRAP, "a line per trap into the kernel (usertrap)" },
	{ "syscall", TR_SYSCALL, "a line per system call with its arguments and result" },
	{ "timer", TR_TIMER, "a line per timer interrupt (clockintr)" },
	{ "switch", TR_SWITCH, "a line per context switch (swtch)" },
	{ "proc", TR_PROC, "a line per process state change" },
	{ "record", TR_RECORD, "record events in the kernel's rings (tracedump)" },
};
#define NWORDS (int)(sizeof words / sizeof words[0])
#define LIVE (TR_TRAP | TR_SYSCALL | TR_TIMER | TR_SWITCH | TR_PROC)

static void usage(void)
{
	fprintf(stderr, "usage: trace [-p PID|all] [off | clear | [+|-]what[,what...]]\n  what:");
	for (int i = 0; i < NWORDS; i++)
		fprintf(stderr, " %s", words[i].name);
	fprintf(stderr, " all\n");
	exit(2);
}

/* The bits named by a comma-separated list; -1 if a name is unknown. */
static int parse_list(char *list)
{
	int bits = 0;
	for (char *w = strtok(list, ","); w; w = strtok(NULL, ",")) {
		int i;
		if (strcmp(w, "all") == 0) {
			bits |= LIVE;
			continue;
		}
		if (strcmp(w, "off") == 0 || strcmp(w, "none") == 0)
			continue;
		for (i = 0; i < NWORDS && strcmp(w, words[i].name) != 0; i++)
			;
		if (i == NWORDS) {
			fprintf(stderr, "trace: unknown '%s'\n", w);
			return -1;
		}
		bits |= words[i].bit;
	}
	return bits;
}

static void show(void)
{
	int mask = tracectl(TRACECTL_GETMASK, 0, 0);
	int pid = tracectl(TRACECTL_GETPID, 0, 0);
	printf("trace:");
	if (!mask)
		printf(" off");
	for (int i = 0; i < NWORDS; i++)
		if (mask & words[i].bit)
			printf(" %s", words[i].name);
	if (mask & LIVE) {
		if (pid > 0)
			printf(" (lines for pid %d only)", pid);
		else
			printf(" (lines for every process)");
	}
	printf("\n");
	if (mask & TR_RECORD) {
		int dropped = tracectl(TRACECTL_DROPPED, 0, 0);
		if (dropped > 0)
			printf("trace: %d events dropped (rings full): run tracedump\n", dropped);
	}
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "-p") == 0) {
		int pid = strcmp(argv[i + 1], "all") == 0 ? 0 : atoi(argv[i + 1]);
		if (pid <= 0 && strcmp(argv[i + 1], "all") != 0)
			usage();
		tracectl(TRACECTL_SETPID, pid, 0);
		i += 2;
	}
	if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0))
		usage();
	if (i >= argc) {
		show();
		return 0;
	}
	if (strcmp(argv[i], "clear") == 0) {
		tracectl(TRACECTL_CLEAR, 0, 0);
		return 0;
	}

	/* The rest of the words, joined: "syscall timer" = "syscall,timer". */
	char list[256] = "";
	for (; i < argc; i++) {
		if (strlen(list) + strlen(argv[i]) + 2 > sizeof list)
			usage();
		if (list[0])
			strcat(list, ",");
		strcat(list, argv[i]);
	}
	int mask = tracectl(TRACECTL_GETMASK, 0, 0);
	if (list[0] == '+' || list[0] == '-') {
		int bits = parse_list(list + 1);
		if (bits < 0)
			usage();
		mask = list[0] == '+' ? (mask | bits) : (mask & ~bits);
	} else {
		mask = parse_list(list);
		if (mask < 0)
			usage();
	}
	if (tracectl(TRACECTL_SETMASK, mask, 0) < 0) {
		perror("trace: tracectl");
		return 1;
	}
	show();
	return 0;
}
