/* mkdir.c: make directories.  -p: make missing parents too, and do not
 * complain about directories that already exist.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int pflag;

static int isdir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Make every directory along path, from the top down.  The path is cut
 * short at each slash in turn and put back afterwards. */
static int makeparents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		if (r < 0 && errno == EEXIST && !isdir(path))
			errno = ENOTDIR; /* a file where a directory should be */
		if (r < 0 && !(errno == EEXIST && isdir(path))) {
			fprintf(stderr, "mkdir: %s: %s\n", path, strerror(errno));
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, status = 0;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			if (*p != 'p') {
				fprintf(stderr, "mkdir: invalid option -- '%c'\nusage: mkdir [-p] dir...\n", *p);
				return 1;
			}
			pflag = 1;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "mkdir: missing operand\nusage: mkdir [-p] dir...\n");
		return 1;
	}
	for (; i < argc; i++) {
		if (pflag && makeparents(argv[i]) < 0) {
			status = 1;
			continue;
		}
		if (mkdir(argv[i], 0755) < 0 && !(pflag && errno == EEXIST && isdir(argv[i]))) {
			fprintf(stderr, "mkdir: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
