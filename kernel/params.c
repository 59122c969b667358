/* params.c: the kernel command line (QEMU's -append, the DT's bootargs).
 *   tick=10ms   timer period (us, ms or s)
 *   slice=N     ticks a process runs before it is preempted
 *   sched=coop  no preemption: only system calls give the CPU back
 *   trace=...   live trace lines (see trace.c), tracepid=N filters them
 *   init=/bin/x first program
 *   refmax=N    reference counts stop at N instead of REFS_MAX, so that a
 *               test can reach the limit and see the calls refused
 */
#include "kernel.h"

u32 refs_max = REFS_MAX;

struct params params = {
	.tick_us = 10000,
	.slice = 1,
	.init = "/bin/init",
	.trace_pid = -1,
};

static u64 parse_time_us(const char *v)
{
	const char *end;
	u64 n = parse_uint(v, &end);
	if (strncmp(end, "us", 2) == 0)
		return n;
	if (strncmp(end, "ms", 2) == 0)
		return n * 1000;
	if (*end == 's')
		return n * 1000000;
	return n * 1000; /* bare number: milliseconds */
}

void params_parse(const char *a)
{
	while (*a) {
		while (*a == ' ')
			a++;
		const char *w = a;
		while (*a && *a != ' ')
			a++;
		char word[96];
		size_t len = a - w < (long)sizeof word - 1 ? (size_t)(a - w) : sizeof word - 1;
		memcpy(word, w, len);
		word[len] = 0;
		char *v = strchr(word, '=');
		if (!v)
			continue;
		*v++ = 0;
		if (strcmp(word, "tick") == 0) {
			params.tick_us = parse_time_us(v);
			if (params.tick_us < 100)
				params.tick_us = 100;
		} else if (strcmp(word, "slice") == 0) {
			params.slice = parse_uint(v, NULL);
			if (params.slice < 1)
				params.slice = 1;
		} else if (strcmp(word, "sched") == 0) {
			params.coop = strcmp(v, "coop") == 0;
		} else if (strcmp(word, "init") == 0) {
			strlcpy(params.init, v, sizeof params.init);
		} else if (strcmp(word, "trace") == 0) {
			strlcpy(params.trace, v, sizeof params.trace);
		} else if (strcmp(word, "tracepid") == 0) {
			params.trace_pid = parse_uint(v, NULL);
		} else if (strcmp(word, "refmax") == 0) {
			u64 n = parse_uint(v, NULL);
			refs_max = n < 16 ? 16 : n > REFS_MAX ? REFS_MAX : n;
		} else if (strcmp(word, "quiet") == 0) {
			params.quiet = parse_uint(v, NULL);
		}
	}
}
