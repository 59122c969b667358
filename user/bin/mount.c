/* mount: list the mount table.
 * One line per mounted file system: what, where, its type and st_dev.
 */
#include <stdio.h>
#include <string.h>
#include <trapdoor.h>

int main(int argc, char **argv)
{
	(void)argv;
	char buf[1024];
	if (argc > 1) {
		fprintf(stderr, "usage: mount (lists the mounts; the table is set at boot)\n");
		return 2;
	}
	int n = mounts(buf, sizeof buf);
	if (n < 0) {
		perror("mount");
		return 1;
	}
	fputs(buf, stdout);
	return 0;
}
