/* uptime.c: how long the system has been up, in seconds, and how many
 * processes exist (the kernel's meminfo count, which includes this one).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"

int main(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: uptime\n");
		return 1;
	}
	struct kmeminfo mi;
	if (meminfo(&mi) < 0) {
		fprintf(stderr, "uptime: meminfo: %s\n", strerror(errno));
		return 1;
	}
	long ms = uptime();
	printf("up %ld.%02ld seconds, %lu process%s\n", ms / 1000, ms % 1000 / 10, mi.nproc,
	       mi.nproc == 1 ? "" : "es");
	return 0;
}
