/* env.c: print the environment, or run a command in a changed one:
 * env [-i] [-u NAME] [NAME=value...] [command [arg...]].
 * -i starts from an empty environment, -u removes NAME.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void usage(void)
{
	fprintf(stderr, "usage: env [-i] [-u name] [name=value...] [command [arg...]]\n");
	exit(125);
}

int main(int argc, char **argv)
{
	int i;
	static char *empty[] = { NULL };
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-") == 0 || strcmp(argv[i], "-i") == 0) {
			environ = empty;
		} else if (strcmp(argv[i], "-u") == 0) {
			if (++i >= argc)
				usage();
			unsetenv(argv[i]);
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "env: invalid option -- '%c'\n", argv[i][1]);
			usage();
		}
	}
	for (; i < argc && strchr(argv[i], '='); i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == argv[i]) {
			fprintf(stderr, "env: %s: %s\n", argv[i], strerror(EINVAL));
			return 125;
		}
		/* setenv copies; the name is cut off at '=' for it and put back */
		*eq = 0;
		int r = setenv(argv[i], eq + 1, 1);
		*eq = '=';
		if (r < 0) {
			fprintf(stderr, "env: %s: %s\n", argv[i], strerror(errno));
			return 125;
		}
	}
	if (i >= argc) {
		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	execvp(argv[i], argv + i);
	int e = errno;
	fprintf(stderr, "env: %s: %s\n", argv[i], strerror(e));
	return e == ENOENT ? 127 : 126;
}
