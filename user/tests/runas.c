/* runas.c: run a command as another user: runas UID PROG [ARG...].
 * setuid (root only) then exec, so the tests can drive the shell's
 * commands as an ordinary user; PROG is looked up in /bin without a '/'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: runas UID PROG [ARG...]\n");
		return 2;
	}
	if (setuid(atoi(argv[1])) < 0) {
		perror("runas: setuid");
		return 1;
	}
	char path[256];
	snprintf(path, sizeof path, "%s%s", strchr(argv[2], '/') ? "" : "/bin/", argv[2]);
	execv(path, argv + 2);
	perror("runas: exec");
	return 127;
}
