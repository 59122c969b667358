/* spin.c: loop forever without a system call.  Under preemptive
 * scheduling the timer still takes the CPU back; under sched=coop it takes
 * over the machine, as the seeds warn.  With an argument N it stops after
 * N seconds by the clock (rdtime, the 10 MHz timer of QEMU virt, or on
 * x86-64 the TSC in the same unit: wall time, not its own CPU time, so the
 * more it is preempted the fewer loops it makes; and read without a
 * system call) and prints how many loops it made.
 */
#include <stdio.h>
#include <stdlib.h>
#include "trapdoor.h"

int main(int argc, char **argv)
{
	volatile unsigned long n = 0;
	if (argc > 1) {
		unsigned long end = rdtime() + strtoul(argv[1], 0, 10) * 10000000UL;
		while (rdtime() < end)
			n++;
		printf("spin: %lu loops\n", n);
		return 0;
	}
	for (;;)
		n++;
}
