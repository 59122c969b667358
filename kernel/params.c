/* params.c: the kernel command line (QEMU's -append, the DT's bootargs).
 * Every argument is name=value and is checked: an unknown name or a value
 * the name does not take is ignored with a console warning naming it.
 *   tick=10ms   timer period (us, ms or s; a bare number is ms)
 *   slice=N     ticks a process runs before it is preempted
 *   sched=coop  no preemption: only system calls give the CPU back
 *   trace=...   live trace lines (see trace.c), tracepid=N filters them
 *   init=/bin/x first program
 *   fsmax=50%   how much RAM files may hold (K, M, G, or % of RAM)
 *   refmax=N    reference counts stop at N instead of REFS_MAX, so that a
 *               test can reach the limit and see the calls refused
 *   root=ram    keep the root in RAM even with an ext2 disk attached
 *   root=mnt    the root in RAM, the ext2 disk mounted on /mnt (tests)
 *   fpu=eager   save and restore the FPU registers at every switch
 *               (x86-64; lazy, the default, traps at first use instead;
 *               RISC-V is always lazy)
 */
#include "kernel.h"

u32 refs_max = REFS_MAX;

struct params params = {
	.tick_us = 10000,
	.slice = 1,
	.init = "/bin/init",
	.trace_pid = -1,
	.fsmax_pct = 50,
};

/* A whole decimal number: v is not NULL, has a digit and nothing after. */
static int number(const char *v, u64 *n)
{
	const char *end;
	if (!v || *v < '0' || *v > '9')
		return -1;
	*n = parse_uint(v, &end);
	return *end ? -1 : 0;
}

static int set_tick(const char *v)
{
	const char *end;
	if (!v || *v < '0' || *v > '9')
		return -1;
	u64 n = parse_uint(v, &end);
	if (strcmp(end, "us") == 0)
		;
	else if (strcmp(end, "ms") == 0 || *end == 0)
		n *= 1000;
	else if (strcmp(end, "s") == 0)
		n *= 1000000;
	else
		return -1;
	/* a shorter period would leave no time between interrupts to run */
	params.tick_us = n < 100 ? 100 : n;
	return 0;
}

static int set_slice(const char *v)
{
	u64 n;
	if (number(v, &n) < 0)
		return -1;
	params.slice = n < 1 ? 1 : n > 1000000 ? 1000000 : (int)n;
	return 0;
}

static int set_sched(const char *v)
{
	if (v && strcmp(v, "coop") == 0)
		params.coop = 1;
	else if (v && strcmp(v, "preempt") == 0)
		params.coop = 0;
	else
		return -1;
	return 0;
}

static int set_init(const char *v)
{
	if (!v || v[0] != '/' || strlen(v) >= sizeof params.init)
		return -1;
	strlcpy(params.init, v, sizeof params.init);
	return 0;
}

static int set_fpu(const char *v)
{
	if (!v || (strcmp(v, "lazy") && strcmp(v, "eager")))
		return -1;
	params.fpu_eager = strcmp(v, "eager") == 0;
	return 0;
}

/* The names trace= takes, as user/bin/trace.c does. */
static int set_root(const char *v)
{
	if (!v || (strcmp(v, "ram") && strcmp(v, "disk") && strcmp(v, "mnt")))
		return -1;
	params.root_ram = strcmp(v, "ram") == 0 ? 1 : strcmp(v, "mnt") == 0 ? 2 : 0;
	return 0;
}

static const struct {
	const char *name;
	u32 bits;
} trace_names[] = {
	{ "syscall", TR_SYSCALL },
	{ "timer", TR_TIMER },
	{ "trap", TR_TRAP },
	{ "switch", TR_SWITCH },
	{ "proc", TR_PROC },
	{ "record", TR_RECORD },
	{ "all", TR_SYSCALL | TR_TIMER | TR_TRAP | TR_SWITCH | TR_PROC },
};
#define NTRACE (int)(sizeof trace_names / sizeof trace_names[0])

static int set_trace(const char *v)
{
	u32 mask = 0;
	if (!v || !*v)
		return -1;
	while (*v) {
		const char *w = v;
		while (*v && *v != ',')
			v++;
		int i;
		for (i = 0; i < NTRACE; i++)
			if (strlen(trace_names[i].name) == (size_t)(v - w) &&
			    strncmp(trace_names[i].name, w, v - w) == 0)
				break;
		if (i == NTRACE)
			return -1;
		mask |= trace_names[i].bits;
		if (*v == ',')
			v++;
	}
	params.trace_mask = mask;
	return 0;
}

static int set_tracepid(const char *v)
{
	u64 n;
	if (number(v, &n) < 0)
		return -1;
	params.trace_pid = n;
	return 0;
}

static int set_quiet(const char *v)
{
	u64 n;
	if (number(v, &n) < 0)
		return -1;
	params.quiet = n != 0;
	return 0;
}

/* fsmax=: the RAM file system's size (ramfs.c), as a percentage of RAM or as
 * a size (K, M or G; a bare number is MiB).  Not 0: /bin/init is a file. */
static int set_fsmax(const char *v)
{
	const char *end;
	if (!v || *v < '0' || *v > '9')
		return -1;
	u64 n = parse_uint(v, &end), unit;
	if (strcmp(end, "%") == 0) {
		if (n == 0)
			return -1;
		params.fsmax_pct = n;
		params.fsmax_pages = 0;
		return 0;
	}
	if (*end == 0 || strcmp(end, "M") == 0)
		unit = 1UL << 20;
	else if (strcmp(end, "K") == 0)
		unit = 1UL << 10;
	else if (strcmp(end, "G") == 0)
		unit = 1UL << 30;
	else
		return -1;
	if (n * unit / PGSIZE == 0)
		return -1;
	params.fsmax_pages = n * unit / PGSIZE;
	return 0;
}

/* refmax=: reference counts stop at N instead of REFS_MAX (kernel.h), so
 * that a test can reach the limit and watch the calls refused. */
static int set_refmax(const char *v)
{
	u64 n;
	if (number(v, &n) < 0)
		return -1;
	refs_max = n < 16 ? 16 : n > REFS_MAX ? REFS_MAX : n;
	return 0;
}

static const struct param {
	const char *name;
	int (*set)(const char *v); /* 0, or -1: not a value it takes */
	const char *takes;
} table[] = {
	{ "tick", set_tick, "a period: 10ms, 500us, 1s (a bare number is ms)" },
	{ "slice", set_slice, "a number of ticks" },
	{ "sched", set_sched, "coop or preempt" },
	{ "trace", set_trace, "names joined by commas: syscall,timer,trap,switch,proc,record,all" },
	{ "tracepid", set_tracepid, "a pid" },
	{ "init", set_init, "an absolute path, /bin/init" },
	{ "quiet", set_quiet, "0 or 1" },
	{ "fsmax", set_fsmax, "a size, 64M, 512K, 1G (a bare number is MiB), or a share of RAM, 50%" },
	{ "refmax", set_refmax, "a number, 16 or more" },
	{ "root", set_root, "ram, disk or mnt" },
	{ "fpu", set_fpu, "lazy or eager" },
};
#define NPARAMS (int)(sizeof table / sizeof table[0])

/* Edit distance of a[0..n) and b (adjacent swaps count 1), capped at 9:
 * enough to tell a slip of the fingers (tikc, sched) from a new word. */
static int distance(const char *a, size_t n, const char *b)
{
	size_t m = strlen(b);
	int d[17][17];
	if (n > 16 || m > 16)
		return 9;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[n][m] < 9 ? d[n][m] : 9;
}

static void unknown(const char *word, size_t keylen)
{
	char valid[128] = "", hint[32] = "";
	size_t len = 0;
	int best = 3;
	for (int i = 0; i < NPARAMS; i++) {
		ksnprintf(valid + len, sizeof valid - len, " %s=", table[i].name);
		len = strlen(valid);
		int d = distance(word, keylen, table[i].name);
		if (d < best) {
			best = d;
			ksnprintf(hint, sizeof hint, " (did you mean %s=?)", table[i].name);
		}
	}
	kprintf("boot: unknown argument '%s' ignored%s; valid:%s\n", word, hint, valid);
}

void params_parse(const char *a)
{
	while (*a) {
		while (*a == ' ')
			a++;
		const char *w = a;
		while (*a && *a != ' ')
			a++;
		if (a == w)
			break;
		char word[96];
		size_t len = a - w < (long)sizeof word - 1 ? (size_t)(a - w) : sizeof word - 1;
		memcpy(word, w, len);
		word[len] = 0;
		char *v = strchr(word, '=');
		size_t keylen = v ? (size_t)(v - word) : len;
		int i;
		for (i = 0; i < NPARAMS; i++)
			if (strlen(table[i].name) == keylen && strncmp(table[i].name, word, keylen) == 0)
				break;
		if (i == NPARAMS)
			unknown(word, keylen);
		else if (table[i].set(v ? v + 1 : NULL) < 0)
			kprintf("boot: '%s' ignored: %s= takes %s\n", word, table[i].name, table[i].takes);
	}
}
