/* poweroff.c: turn the machine off (SBI system reset), root only.
 * poweroff [-f]: with -f the shutdown is reported as a failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "trapdoor.h"

int main(int argc, char **argv)
{
	int fail = argc > 1 && strcmp(argv[1], "-f") == 0;
	fflush(stdout);
	poweroff(fail);
	fprintf(stderr, "poweroff: %s\n", strerror(errno));
	return 1;
}
