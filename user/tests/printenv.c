/* printenv.c: print the environment, or the value of one variable
 * (exit status 1 if it is not set).  For the shell's export test.
 */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc > 1) {
		const char *v = getenv(argv[1]);
		if (!v)
			return 1;
		printf("%s\n", v);
		return 0;
	}
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return 0;
}
