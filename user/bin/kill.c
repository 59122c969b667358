/* kill.c: send a signal to processes: kill [-SIG | -s SIG] PID...
 * SIG is a name (TERM or SIGTERM, any case) or a number; the default is
 * SIGTERM.  A negative PID names a process group.  kill -l lists names.
 * Process 1 (init) takes no signal from anyone: the kernel says EPERM.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Numbers from picolibc's <signal.h>, which libtd checks against the
 * kernel's. */
static const struct {
	const char *name;
	int num;
} sigs[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "FPE", SIGFPE },   { "KILL", SIGKILL },
	{ "BUS", SIGBUS },   { "SEGV", SIGSEGV }, { "SYS", SIGSYS },   { "PIPE", SIGPIPE },
	{ "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "URG", SIGURG },   { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "CONT", SIGCONT }, { "CHLD", SIGCHLD }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
};
#define NSIGS (int)(sizeof sigs / sizeof sigs[0])

static int number(const char *s, long *out)
{
	char *end;
	if (!*s)
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return *end || errno ? -1 : 0;
}

/* A signal by name or number; -1 if there is no such signal. */
static int signum(const char *s)
{
	long n;
	if (number(s, &n) == 0)
		return n > 0 && n < 32 ? n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 0; i < NSIGS; i++)
		if (strcasecmp(s, sigs[i].name) == 0)
			return sigs[i].num;
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: kill [-SIG | -s SIG] pid..., kill -l [number]\n"
			"(pid 1, init, cannot be signalled: EPERM)\n");
	exit(2);
}

/* kill -l: all names; kill -l N: the name of signal N (or of the signal
 * that killed a process whose status was N, as the shell reports 128+N). */
static int list(int argc, char **argv)
{
	if (argc == 0) {
		for (int i = 0; i < NSIGS; i++)
			printf("%s%s", sigs[i].name, i + 1 < NSIGS ? " " : "\n");
		return 0;
	}
	int status = 0;
	for (int i = 0; i < argc; i++) {
		long n;
		int found = 0;
		if (number(argv[i], &n) == 0) {
			if (n > 128)
				n -= 128;
			for (int j = 0; j < NSIGS && !found; j++)
				if (sigs[j].num == n) {
					printf("%s\n", sigs[j].name);
					found = 1;
				}
		}
		if (!found) {
			fprintf(stderr, "kill: %s: invalid signal specification\n", argv[i]);
			status = 1;
		}
	}
	return status;
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1;
	if (i < argc && strcmp(argv[i], "-l") == 0)
		return list(argc - 2, argv + 2);
	if (i < argc && strcmp(argv[i], "-s") == 0) {
		if (i + 1 >= argc)
			usage();
		if ((sig = signum(argv[i + 1])) < 0) {
			fprintf(stderr, "kill: %s: invalid signal specification\n", argv[i + 1]);
			return 1;
		}
		i += 2;
	} else if (i < argc && strcmp(argv[i], "--") == 0) {
		i++;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if ((sig = signum(argv[i] + 1)) < 0) {
			fprintf(stderr, "kill: %s: invalid signal specification\n", argv[i] + 1);
			return 1;
		}
		i++;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		usage();
	int status = 0;
	for (; i < argc; i++) {
		long pid;
		if (number(argv[i], &pid) < 0 || pid != (int)pid) {
			fprintf(stderr, "kill: %s: invalid process id\n", argv[i]);
			status = 1;
			continue;
		}
		if (kill((int)pid, sig) < 0) {
			fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
