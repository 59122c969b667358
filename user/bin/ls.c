/* ls.c: list directories and files.  -l long format (mode, links, owner,
 * size), -a include dot files, -d list directories themselves, -1 accepted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trapdoor.h"

static int lflag, aflag, dflag;
static int status;

struct entry {
	char *name; /* as printed */
	char *path; /* as passed to stat */
	struct stat st;
};

static void warn(const char *what)
{
	int e = errno;
	fflush(stdout);
	fprintf(stderr, "ls: %s: %s\n", what, strerror(e));
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fprintf(stderr, "ls: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

static int byname(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static void modestr(mode_t m, char *s)
{
	const char *rwx = "rwxrwxrwx";
	switch (m & S_IFMT) {
	case S_IFDIR: s[0] = 'd'; break;
	case S_IFCHR: s[0] = 'c'; break;
	case S_IFIFO: s[0] = 'p'; break;
	default: s[0] = '-'; break;
	}
	for (int i = 0; i < 9; i++)
		s[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	s[10] = 0;
}

static int digits(unsigned long v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Print a group of entries, in the long format with columns as wide as
 * their widest value so the sizes line up. */
static void print(struct entry *e, int n)
{
	if (!lflag) {
		for (int i = 0; i < n; i++)
			printf("%s\n", e[i].name);
		return;
	}
	int wlink = 1, wuid = 1, wsize = 1;
	for (int i = 0; i < n; i++) {
		int d = digits(e[i].st.st_nlink);
		wlink = d > wlink ? d : wlink;
		d = digits(e[i].st.st_uid);
		wuid = d > wuid ? d : wuid;
		/* a device shows "major, minor" where a file shows its size */
		d = S_ISCHR(e[i].st.st_mode) ? digits(e[i].st.st_rdev) + 3 : digits(e[i].st.st_size);
		wsize = d > wsize ? d : wsize;
	}
	for (int i = 0; i < n; i++) {
		char mode[11], size[32];
		modestr(e[i].st.st_mode, mode);
		if (S_ISCHR(e[i].st.st_mode))
			snprintf(size, sizeof size, "%lu, 0", (unsigned long)e[i].st.st_rdev);
		else
			snprintf(size, sizeof size, "%lu", (unsigned long)e[i].st.st_size);
		printf("%s %*lu %*lu %*s %s\n", mode, wlink, (unsigned long)e[i].st.st_nlink, wuid,
		       (unsigned long)e[i].st.st_uid, wsize, size, e[i].name);
	}
}

static void freeall(struct entry *e, int n)
{
	for (int i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].path);
	}
	free(e);
}

/* List the contents of directory dir.  The names are read completely
 * before any is printed, so they can be sorted. */
static void listdir(const char *dir)
{
	int fd = open(dir, O_RDONLY);
	if (fd < 0) {
		warn(dir);
		status = 2;
		return;
	}
	static char buf[4096];
	struct entry *e = NULL;
	int n = 0, cap = 0, r;
	while ((r = getdents(fd, buf, sizeof buf)) > 0) {
		for (int off = 0; off < r;) {
			struct kdirent *d = (struct kdirent *)(buf + off);
			off += d->reclen;
			if (d->name[0] == '.' && !aflag)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				struct entry *ne = realloc(e, cap * sizeof *e);
				if (!ne) {
					fprintf(stderr, "ls: out of memory\n");
					exit(2);
				}
				e = ne;
			}
			e[n].name = xstrdup(d->name);
			e[n].path = xmalloc(strlen(dir) + strlen(d->name) + 2);
			sprintf(e[n].path, "%s/%s", dir, d->name);
			memset(&e[n].st, 0, sizeof e[n].st);
			n++;
		}
	}
	if (r < 0) {
		warn(dir);
		status = 1;
	}
	close(fd);
	qsort(e, n, sizeof *e, byname);
	if (lflag) {
		for (int i = 0; i < n; i++)
			if (stat(e[i].path, &e[i].st) < 0) {
				/* removed while we looked: just leave it out */
				warn(e[i].path);
				status = 1;
				memmove(&e[i], &e[i + 1], (n - i - 1) * sizeof *e);
				n--;
				i--;
			}
	}
	print(e, n);
	freeall(e, n);
}

int main(int argc, char **argv)
{
	int i;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'l': lflag = 1; break;
			case 'a': aflag = 1; break;
			case 'd': dflag = 1; break;
			case '1': break;
			default:
				fprintf(stderr, "ls: invalid option -- '%c'\nusage: ls [-ald1] [file...]\n", *p);
				return 2;
			}
		}
	}
	char *dot[] = { ".", NULL };
	char **args = i < argc ? argv + i : dot;
	int nargs = i < argc ? argc - i : 1;

	/* As Unix ls: the files named come first, together; then each
	 * directory, under a heading when there is more than one thing to show. */
	struct entry *files = xmalloc(nargs * sizeof *files);
	struct entry *dirs = xmalloc(nargs * sizeof *dirs);
	int nf = 0, nd = 0;
	for (int j = 0; j < nargs; j++) {
		struct stat st;
		if (stat(args[j], &st) < 0) {
			warn(args[j]);
			status = 2;
			continue;
		}
		struct entry *e = S_ISDIR(st.st_mode) && !dflag ? &dirs[nd++] : &files[nf++];
		e->name = xstrdup(args[j]);
		e->path = xstrdup(args[j]);
		e->st = st;
	}
	qsort(files, nf, sizeof *files, byname);
	qsort(dirs, nd, sizeof *dirs, byname);
	print(files, nf);
	for (int j = 0; j < nd; j++) {
		if (nf > 0 || j > 0)
			printf("\n");
		if (nargs > 1)
			printf("%s:\n", dirs[j].name);
		listdir(dirs[j].path);
	}
	freeall(files, nf);
	freeall(dirs, nd);
	return status;
}
