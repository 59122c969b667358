/* badwalk: walk, read and write a (possibly corrupted) file system, then
 * power off.  badwalk DIR, run as the first program (init=/test/badwalk
 * root=mnt, tests/test_badimage.py): every call may fail, none may panic
 * the kernel or hang; "badwalk end" is printed just before the poweroff.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "tap.h"

static int calls, errors;
static char buf[8192];

static void count(long r)
{
	calls++;
	if (r < 0)
		errors++;
}

/* Every name under dir, depth-first; a directory loop ends at the depth
 * limit (the path grows, the walk does not follow it forever). */
static void walk(const char *dir, int depth)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	count(fd);
	if (fd < 0)
		return;
	char names[32][64];
	int n = 0;
	long k;
	while (n < 32 && (k = getdents(fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < k && n < 32;) {
			struct kdirent *e = (struct kdirent *)(buf + off);
			if (e->reclen == 0)
				break;
			if (strcmp(e->name, ".") && strcmp(e->name, ".."))
				strlcpy(names[n++], e->name, sizeof names[0]);
			off += e->reclen;
		}
	}
	count(k);
	close(fd);
	for (int i = 0; i < n; i++) {
		char p[512];
		struct stat st;
		if (snprintf(p, sizeof p, "%s/%s", dir, names[i]) >= (int)sizeof p)
			continue;
		long r = readlink(p, buf, sizeof buf);
		count(r);
		r = stat(p, &st);
		count(r);
		if (r < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 6) {
			walk(p, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			int f = open(p, O_RDONLY);
			count(f);
			for (int j = 0; f >= 0 && j < 64 && (r = read(f, buf, sizeof buf)) > 0; j++)
				;
			if (f >= 0) {
				count(lseek(f, 1L << 30, SEEK_SET) < 0 ? -1 : read(f, buf, 16));
				close(f);
			}
		}
	}
}

static void writes(const char *d)
{
	char p[256], q[256];
	snprintf(p, sizeof p, "%s/bw-new", d);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	count(fd);
	if (fd >= 0) {
		memset(buf, 'x', sizeof buf);
		for (int i = 0; i < 8; i++)
			count(write(fd, buf, sizeof buf));
		count(fsync(fd));
		close(fd);
	}
	snprintf(q, sizeof q, "%s/bw-dir", d);
	count(mkdir(q, 0755));
	snprintf(q, sizeof q, "%s/bw-dir/moved", d);
	count(rename(p, q));
	count(unlink(q));
	snprintf(q, sizeof q, "%s/bw-dir", d);
	count(rmdir(q));
	/* and change what was there: append to, truncate and remove the first files */
	int fd2 = open(d, O_RDONLY | O_DIRECTORY);
	long k = fd2 >= 0 ? getdents(fd2, buf, sizeof buf) : -1;
	count(k);
	if (fd2 >= 0)
		close(fd2);
	char names[4][64];
	int n = 0;
	for (long off = 0; off < k && n < 4;) {
		struct kdirent *e = (struct kdirent *)(buf + off);
		if (e->reclen == 0)
			break;
		if (strcmp(e->name, ".") && strcmp(e->name, "..") && strcmp(e->name, "lost+found"))
			strlcpy(names[n++], e->name, sizeof names[0]);
		off += e->reclen;
	}
	for (int i = 0; i < n; i++) {
		if (snprintf(p, sizeof p, "%s/%s", d, names[i]) >= (int)sizeof p)
			continue;
		int f = open(p, i == 0 ? O_WRONLY | O_APPEND : O_WRONLY | O_TRUNC);
		count(f);
		if (f >= 0) {
			count(write(f, "more", 4));
			close(f);
		}
		if (i == 1)
			count(unlink(p));
		if (i == 2)
			count(rmdir(p));
	}
	sync();
}

int main(int argc, char **argv)
{
	const char *d = argc > 1 ? argv[1] : "/mnt";
	plan(1);
	walk(d, 0);
	writes(d);
	walk(d, 0);
	check(1, "%d calls on %s, %d failed, the kernel went on", calls, d, errors);
	tap_done();
	printf("badwalk end\n");
	fflush(stdout);
	if (getpid() == 1)
		poweroff(0);
	return 0;
}
