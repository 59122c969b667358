/* ext2test: the file-system calls on the ext2 disk, error paths too.
 * ext2test calls DIR | write DIR | check DIR | host DIR | fill DIR | fsync DIR | links DIR N
 * (tests/test_ext2.py runs each, then e2fsck on the host after poweroff).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tap.h"

#define BS 4096L
/* Where each level of the block map starts, in file blocks. */
#define SINGLE 12L
#define DOUBLE (SINGLE + 1024L)
#define TRIPLE (DOUBLE + 1024L * 1024L)

static char path[512], path2[512];

static const char *at(const char *dir, const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static const char *at2(const char *dir, const char *name)
{
	snprintf(path2, sizeof path2, "%s/%s", dir, name);
	return path2;
}

/* The byte at offset off of a test file with this seed. */
static unsigned char pat(long off, int seed) { return (unsigned char)(off * 31 + off / BS + seed); }

static int write_pat(const char *p, long off, long n, int seed)
{
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return -1;
	static unsigned char buf[BS];
	long done = 0;
	while (done < n) {
		long k = n - done < BS ? n - done : BS;
		for (long i = 0; i < k; i++)
			buf[i] = pat(off + done + i, seed);
		if (lseek(fd, off + done, SEEK_SET) < 0 || write(fd, buf, k) != k) {
			close(fd);
			return -1;
		}
		done += k;
	}
	return close(fd);
}

/* Does [off, off+n) of p hold the pattern (seed >= 0) or zeros (seed < 0)? */
static int check_pat(const char *p, long off, long n, int seed)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0 || lseek(fd, off, SEEK_SET) != off)
		return 0;
	static unsigned char buf[BS];
	long done = 0;
	while (done < n) {
		long k = n - done < BS ? n - done : BS;
		if (read(fd, buf, k) != k) {
			close(fd);
			return 0;
		}
		for (long i = 0; i < k; i++)
			if (buf[i] != (seed < 0 ? 0 : pat(off + done + i, seed))) {
				close(fd);
				return 0;
			}
		done += k;
	}
	close(fd);
	return 1;
}

static long fsize(const char *p)
{
	struct stat st;
	return stat(p, &st) < 0 ? -1 : (long)st.st_size;
}

static int err_is(int r, int e) { return r < 0 && errno == e; }

/* Names in directory d (getdents), and whether `name` is one. */
static int count_entries(const char *d, const char *name, int *found)
{
	int fd = open(d, O_RDONLY | O_DIRECTORY), n = 0;
	char buf[1024];
	long k;
	*found = 0;
	if (fd < 0)
		return -1;
	while ((k = getdents(fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < k;) {
			struct kdirent *e = (struct kdirent *)(buf + off);
			if (strcmp(e->name, ".") && strcmp(e->name, ".."))
				n++;
			if (name && strcmp(e->name, name) == 0)
				*found = 1;
			off += e->reclen;
		}
	}
	close(fd);
	return n;
}

static int run(const char *prog, char *const argv[], int *out_len, char *out, int outmax)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	int pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(prog, argv);
		_exit(127);
	}
	close(p[1]);
	int n = 0, k;
	while (n < outmax - 1 && (k = read(p[0], out + n, outmax - 1 - n)) > 0)
		n += k;
	out[n] = 0;
	*out_len = n;
	close(p[0]);
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void calls(const char *D)
{
	struct stat st, st2;
	plan(65);
	mkdir(D, 0755);

	/* mount table, st_dev, crossing mount points */
	char m[1024];
	check(mounts(m, sizeof m) > 0 && strstr(m, "/dev/vda / ext2"), "mount table lists /dev/vda on / as ext2");
	check(stat("/", &st) == 0 && stat("/tmp", &st2) == 0 && st.st_dev != st2.st_dev,
	      "stat: / and /tmp (RAM) report different devices (%d, %d)", (int)st.st_dev, (int)st2.st_dev);
	char cwd[256];
	check(chdir("/tmp") == 0 && chdir("..") == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0 &&
		      stat(".", &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
	      "\"..\" from /tmp's mounted root leads back to / on the disk");
	mkdir(at(D, "sub"), 0755);
	check(chdir(at(D, "sub")) == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, at(D, "sub")) == 0,
	      "getcwd on the disk: %s", cwd);
	chdir("/");

	/* create, write, read */
	char F[300], L[300];
	strcpy(F, at(D, "f"));
	strcpy(L, at(D, "f.link"));
	check(write_pat(F, 0, 1000, 1) == 0 && fsize(F) == 1000 && check_pat(F, 0, 1000, 1), "create, write, read back 1000 bytes");
	check(write_pat(F, 0, (SINGLE + 3) * BS, 2) == 0 && check_pat(F, 0, (SINGLE + 3) * BS, 2),
	      "a file through the single indirect block (%ld KiB)", (SINGLE + 3) * 4);
	check(write_pat(F, DOUBLE * BS - 100, 200 + 2 * BS, 3) == 0 && check_pat(F, DOUBLE * BS - 100, 200 + 2 * BS, 3),
	      "write across the single/double indirect boundary");
	check(check_pat(F, (SINGLE + 3) * BS, DOUBLE * BS - 100 - (SINGLE + 3) * BS, -1), "the hole between reads as zeros");
	check(write_pat(F, TRIPLE * BS + 5 * BS + 7, 3 * BS, 4) == 0 && fsize(F) == TRIPLE * BS + 8 * BS + 7 &&
		      check_pat(F, TRIPLE * BS + 5 * BS + 7, 3 * BS, 4),
	      "a block through the triple indirect map (offset %ld MiB)", TRIPLE * BS >> 20);
	check(check_pat(F, TRIPLE * BS - BS, 6 * BS, -1), "the holes around it read as zeros");
	int fd = open(F, O_WRONLY | O_TRUNC);
	check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC frees everything (size 0)");
	close(fd);
	check(write_pat(F, 0, 3 * BS, 5) == 0 && check_pat(F, 0, 3 * BS, 5), "the file is written again after the truncate");
	fd = open(F, O_WRONLY | O_APPEND);
	check(fd >= 0 && write(fd, "xyz", 3) == 3 && fsize(F) == 3 * BS + 3, "O_APPEND writes at the end");
	check(fsync(fd) == 0, "fsync of a file on the disk");
	close(fd);
	check(err_is(open(at(D, "nope"), O_RDONLY), ENOENT), "open of a missing file: ENOENT");
	check(err_is(open(F, O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST), "O_EXCL on an existing file: EEXIST");

	/* link, unlink */
	check(link(F, L) == 0 && stat(F, &st) == 0 && stat(L, &st2) == 0 && st.st_ino == st2.st_ino && st.st_nlink == 2,
	      "link: same inode, nlink 2");
	check(err_is(link(F, L), EEXIST), "link to an existing name: EEXIST");
	check(err_is(link(at(D, "sub"), at2(D, "sublink")), EPERM), "link of a directory: EPERM");
	check(unlink(F) == 0 && stat(L, &st) == 0 && st.st_nlink == 1 && check_pat(L, 0, 3 * BS, 5),
	      "unlink one name: the other still reads, nlink 1");
	fd = open(L, O_RDONLY);
	check(fd >= 0 && unlink(L) == 0 && err_is(open(L, O_RDONLY), ENOENT), "unlink of an open file: the name goes");
	char b4[4];
	check(read(fd, b4, 4) == 4 && b4[0] == (char)pat(0, 5), "the open file still reads after its last name went");
	close(fd);
	check(err_is(unlink(at(D, "nope")), ENOENT), "unlink of a missing name: ENOENT");
	check(err_is(unlink(at(D, "sub")), EISDIR), "unlink of a directory: EISDIR");

	/* mkdir, rmdir */
	stat(D, &st);
	int links = st.st_nlink;
	check(mkdir(at(D, "d1"), 0755) == 0 && stat(D, &st) == 0 && st.st_nlink == (nlink_t)links + 1,
	      "mkdir: the parent gains a link (its \"..\"), %d -> %d", links, (int)st.st_nlink);
	check(stat(at(D, "d1"), &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 2, "a new directory has nlink 2");
	check(err_is(mkdir(at(D, "d1"), 0755), EEXIST), "mkdir of an existing name: EEXIST");
	write_pat(at(D, "d1/x"), 0, 10, 6);
	check(err_is(rmdir(at(D, "d1")), ENOTEMPTY), "rmdir of a directory with a file: ENOTEMPTY");
	check(err_is(rmdir(at(D, "d1/x")), ENOTDIR), "rmdir of a file: ENOTDIR");
	check(unlink(at(D, "d1/x")) == 0 && rmdir(at(D, "d1")) == 0 && stat(D, &st) == 0 && st.st_nlink == (nlink_t)links,
	      "rmdir of the emptied directory; the parent's nlink is back to %d", links);
	check(err_is(mkdir(at(D, "nope/x"), 0755), ENOENT), "mkdir under a missing directory: ENOENT");

	/* many entries: several directory blocks, getdents, removal */
	mkdir(at(D, "many"), 0755);
	int made = 0;
	for (int i = 0; i < 300; i++) {
		char n[64];
		snprintf(n, sizeof n, "many/a-rather-long-file-name-to-fill-blocks-%03d", i);
		int f = open(at(D, n), O_WRONLY | O_CREAT, 0644);
		if (f >= 0) {
			made++;
			close(f);
		}
	}
	int found;
	check(made == 300 && count_entries(at(D, "many"), "a-rather-long-file-name-to-fill-blocks-299", &found) == 300 && found,
	      "300 files in one directory (several blocks): getdents lists them all");
	check(fsize(at(D, "many")) > BS, "the directory grew past one block (%ld bytes)", fsize(at(D, "many")));
	for (int i = 0; i < 300; i += 2) {
		char n[64];
		snprintf(n, sizeof n, "many/a-rather-long-file-name-to-fill-blocks-%03d", i);
		unlink(at(D, n));
	}
	check(count_entries(at(D, "many"), "a-rather-long-file-name-to-fill-blocks-000", &found) == 150 && !found,
	      "after unlinking every other one, 150 are listed");
	for (int i = 1; i < 300; i += 2) {
		char n[64];
		snprintf(n, sizeof n, "many/a-rather-long-file-name-to-fill-blocks-%03d", i);
		unlink(at(D, n));
	}
	check(rmdir(at(D, "many")) == 0, "and the emptied directory goes");

	/* rename */
	write_pat(at(D, "r1"), 0, 100, 7);
	write_pat(at(D, "r2"), 0, 200, 8);
	check(rename(at(D, "r1"), at2(D, "r3")) == 0 && err_is(open(at(D, "r1"), O_RDONLY), ENOENT) && check_pat(at(D, "r3"), 0, 100, 7),
	      "rename to a new name");
	check(rename(at(D, "r3"), at2(D, "r2")) == 0 && fsize(at(D, "r2")) == 100 && check_pat(at(D, "r2"), 0, 100, 7),
	      "rename over an existing file replaces it");
	mkdir(at(D, "da"), 0755);
	mkdir(at(D, "db"), 0755);
	mkdir(at(D, "da/inner"), 0755);
	write_pat(at(D, "da/inner/f"), 0, 50, 9);
	stat(at(D, "db"), &st);
	check(rename(at(D, "da/inner"), at2(D, "db/moved")) == 0 && stat(at(D, "db/moved/.."), &st2) == 0 && st2.st_ino == st.st_ino,
	      "a directory moved to another parent: its \"..\" is the new parent");
	struct stat sa, sb;
	check(stat(at(D, "da"), &sa) == 0 && sa.st_nlink == 2 && stat(at(D, "db"), &sb) == 0 && sb.st_nlink == 3,
	      "link counts follow: old parent %d, new parent %d", (int)sa.st_nlink, (int)sb.st_nlink);
	check(check_pat(at(D, "db/moved/f"), 0, 50, 9), "its file moved with it");
	check(err_is(rename(at(D, "db"), at2(D, "db/moved/x")), EINVAL), "rename of a directory into its own subtree: EINVAL");
	check(err_is(rename(at(D, "r2"), at2(D, "da")), EISDIR), "rename of a file over a directory: EISDIR");
	check(err_is(rename(at(D, "da"), at2(D, "r2")), ENOTDIR), "rename of a directory over a file: ENOTDIR");
	check(err_is(rename(at(D, "da"), at2(D, "db")), ENOTEMPTY), "rename over a non-empty directory: ENOTEMPTY");
	check(rename(at(D, "db/moved"), at2(D, "da")) == 0 && stat(at(D, "da/f"), &st) == 0 && stat(at(D, "db"), &sb) == 0 &&
		      sb.st_nlink == 2,
	      "rename of a directory over an empty one");
	check(err_is(rename(at(D, "nope"), at2(D, "x")), ENOENT), "rename of a missing name: ENOENT");
	check(err_is(rename(at(D, "r2"), "/tmp/r2"), EXDEV) && err_is(link(at(D, "r2"), "/tmp/r2"), EXDEV),
	      "rename and link to /tmp (another file system): EXDEV");

	/* symbolic links */
	check(symlink("r2", at(D, "sl")) == 0 && check_pat(at(D, "sl"), 0, 100, 7), "a fast symlink reads through to its target");
	char t[300];
	long n = readlink(at(D, "sl"), t, sizeof t);
	check(n == 2 && memcmp(t, "r2", 2) == 0, "readlink gives the target");
	char longt[200];
	memset(longt, 0, sizeof longt);
	strcpy(longt, D);
	while (strlen(longt) < 120)
		strcat(longt, "/.");
	strcat(longt, "/r2");
	check(symlink(longt, at(D, "slow")) == 0 && readlink(at(D, "slow"), t, sizeof t) == (long)strlen(longt) &&
		      memcmp(t, longt, strlen(longt)) == 0 && check_pat(at(D, "slow"), 0, 100, 7),
	      "a slow symlink (%d bytes, in a block) reads and resolves", (int)strlen(longt));
	char via[300], tmpname[300];
	snprintf(tmpname, sizeof tmpname, "/tmp/viasl.%d", getpid());
	snprintf(via, sizeof via, "%s/totmp/viasl.%d", D, getpid());
	check(symlink("/tmp", at(D, "totmp")) == 0 && write_pat(via, 0, 10, 1) == 0 && fsize(tmpname) == 10,
	      "a symlink into /tmp: created through it lands in RAM");
	unlink(tmpname);
	check(symlink("loop", at(D, "loop")) == 0 && err_is(open(at(D, "loop"), O_RDONLY), ELOOP), "a link to itself: ELOOP");
	check(err_is(open(at(D, "sl"), O_RDONLY | O_NOFOLLOW), ELOOP), "O_NOFOLLOW on a symlink: ELOOP");
	check(symlink("gone", at(D, "dangling")) == 0 && err_is(open(at(D, "dangling"), O_RDONLY), ENOENT),
	      "a dangling symlink: ENOENT");
	check(err_is(readlink(at(D, "r2"), t, sizeof t), EINVAL), "readlink of a file: EINVAL");
	check(err_is(symlink("x", at(D, "sl")), EEXIST), "symlink over an existing name: EEXIST");
	check(unlink(at(D, "sl")) == 0 && check_pat(at(D, "r2"), 0, 100, 7), "unlink of a symlink leaves its target");
	check(symlink("da", at(D, "dl")) == 0 && stat(at(D, "dl/f"), &st) == 0, "a symlink to a directory in the middle of a path");

	/* permissions and owners */
	check(chmod(at(D, "r2"), 0600) == 0 && stat(at(D, "r2"), &st) == 0 && (st.st_mode & 0777) == 0600, "chmod 0600");
	mkdir(at(D, "pub"), 0777);
	int pid = fork();
	if (pid == 0) {
		setuid(1000);
		int ok = err_is(open(at(D, "r2"), O_RDONLY), EACCES);
		int f = open(at(D, "pub/mine"), O_WRONLY | O_CREAT, 0640);
		ok = ok && f >= 0;
		close(f);
		ok = ok && err_is(chmod(at(D, "r2"), 0777), EPERM);
		ok = ok && err_is(unlink(at(D, "r2")), EACCES);
		_exit(ok ? 0 : 1);
	}
	int s = reap(pid);
	check(WIFEXITED(s) && WEXITSTATUS(s) == 0, "uid 1000: EACCES on a 0600 file, EPERM for chmod, EACCES to unlink");
	check(stat(at(D, "pub/mine"), &st) == 0 && st.st_uid == 1000 && (st.st_mode & 0777) == 0640,
	      "a file uid 1000 created is owned by uid 1000, mode 0640");

	/* names too long */
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = 0;
	check(err_is(open(at(D, longname), O_WRONLY | O_CREAT, 0644), ENAMETOOLONG), "a 256-byte name: ENAMETOOLONG");
	longname[255] = 0;
	chdir(D); /* D/name would pass MAXPATH */
	check(open(longname, O_WRONLY | O_CREAT, 0644) >= 0 && fsize(longname) == 0 && unlink(longname) == 0,
	      "a 255-byte name is fine");
	chdir("/");

	/* exec of a program on the disk */
	int in = open("/bin/echo", O_RDONLY), out = open(at(D, "myecho"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[4096];
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in);
	close(out);
	char obuf[64];
	int olen;
	char *argv[] = { "myecho", "from", "disk", NULL };
	check(run(at(D, "myecho"), argv, &olen, obuf, sizeof obuf) == 0 && strcmp(obuf, "from disk\n") == 0,
	      "exec of a program copied onto the disk: \"%s\"", obuf);
	sync();
	check(fsize(at(D, "myecho")) > 0, "sync, and the program is still there");
}

/* What `check` reads after a reboot. */
static void persist_write(const char *D)
{
	plan(6);
	mkdir(D, 0755);
	check(write_pat(at(D, "small"), 0, 5000, 11) == 0, "write a small file");
	check(write_pat(at(D, "big"), 0, (SINGLE + 20) * BS, 12) == 0, "write a file with an indirect block");
	check(write_pat(at(D, "sparse"), TRIPLE * BS + 3 * BS, 100, 13) == 0, "write a byte range through the triple indirect map");
	check(mkdir(at(D, "dir"), 0700) == 0 && symlink("../small", at2(D, "dir/link")) == 0, "a directory with a symlink");
	check(write_pat(at(D, "tmpname"), 0, 10, 14) == 0 && rename(at(D, "tmpname"), at2(D, "dir/renamed")) == 0,
	      "a file renamed into it");
	check(chmod(at(D, "small"), 0604) == 0, "chmod 0604");
}

static void persist_check(const char *D)
{
	struct stat st;
	plan(7);
	check(fsize(at(D, "small")) == 5000 && check_pat(at(D, "small"), 0, 5000, 11), "the small file is back");
	check(check_pat(at(D, "big"), 0, (SINGLE + 20) * BS, 12), "the indirect file is back");
	check(fsize(at(D, "sparse")) == TRIPLE * BS + 3 * BS + 100 && check_pat(at(D, "sparse"), TRIPLE * BS + 3 * BS, 100, 13) &&
		      check_pat(at(D, "sparse"), TRIPLE * BS, 3 * BS, -1),
	      "the sparse file is back, holes and all");
	check(stat(at(D, "dir"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "the directory, mode 0700");
	check(check_pat(at(D, "dir/link"), 0, 5000, 11), "the symlink resolves");
	check(check_pat(at(D, "dir/renamed"), 0, 10, 14) && err_is(open(at(D, "tmpname"), O_RDONLY), ENOENT), "the renamed file");
	check(stat(at(D, "small"), &st) == 0 && (st.st_mode & 0777) == 0604, "the mode is 0604");
}

/* Files the host put in with mke2fs -d: pat-SIZE-SEED hold the pattern;
 * hole-OFF-SEED hold 4096 pattern bytes at OFF, zeros before. */
static void host_files(const char *D)
{
	int fd = open(D, O_RDONLY | O_DIRECTORY), files = 0, good = 0;
	char buf[2048];
	long k;
	plan(2);
	while (fd >= 0 && (k = getdents(fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < k; off += ((struct kdirent *)(buf + off))->reclen) {
			struct kdirent *e = (struct kdirent *)(buf + off);
			long a;
			int seed;
			char p[300];
			snprintf(p, sizeof p, "%s/%s", D, e->name);
			if (sscanf(e->name, "pat-%ld-%d", &a, &seed) == 2) {
				files++;
				int ok = fsize(p) == a && check_pat(p, 0, a, seed);
				good += ok;
				if (!ok)
					note("%s differs", p);
			} else if (sscanf(e->name, "hole-%ld-%d", &a, &seed) == 2) {
				files++;
				int ok = fsize(p) == a + BS && check_pat(p, a, BS, seed) && check_pat(p, a - 8 * BS, 8 * BS, -1);
				good += ok;
				if (!ok)
					note("%s differs", p);
			}
		}
	}
	close(fd);
	check(files >= 5, "%d files from the host", files);
	check(good == files, "all %d read byte for byte as the host wrote them", good);
}

/* Fill the disk: ENOSPC, then space again once the file goes. */
static void fill(const char *D)
{
	plan(4);
	mkdir(D, 0755);
	const char *F = at(D, "full");
	int fd = open(F, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static char buf[16 * BS];
	memset(buf, 'f', sizeof buf);
	long total = 0, n;
	while ((n = write(fd, buf, sizeof buf)) > 0)
		total += n;
	check(n < 0 && errno == ENOSPC, "writing until the disk is full: ENOSPC after %ld KiB", total >> 10);
	close(fd);
	check(fsize(F) == total, "the file holds what was written (%ld)", fsize(F));
	int made = 0, f;
	while ((f = open(at2(D, "empty"), O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0) { /* one: names still fit */
		close(f);
		made++;
		break;
	}
	check(unlink(F) == 0, "unlink the full file");
	fd = open(F, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0 && write(fd, buf, sizeof buf) == sizeof buf, "then there is room again");
	close(fd);
	unlink(F);
	unlink(at2(D, "empty"));
	(void)made;
}

/* A file fsynced: the host kills QEMU right after and reads it from the image. */
static void do_fsync(const char *D)
{
	plan(2);
	mkdir(D, 0755);
	check(write_pat(at(D, "synced"), 0, 3 * BS + 10, 15) == 0, "write a file of 3 blocks and 10 bytes");
	int fd = open(at(D, "synced"), O_RDONLY);
	check(fd >= 0 && fsync(fd) == 0, "fsync it");
	close(fd);
}

/* Link and subdirectory limits (the kernel's EMLINK limit is refmax= when lower). */
static void links(const char *D, int max)
{
	plan(2);
	mkdir(D, 0755);
	const char *F = at(D, "target");
	close(open(F, O_WRONLY | O_CREAT, 0644));
	int n = 1;
	for (;; n++) {
		char nm[32];
		snprintf(nm, sizeof nm, "l%d", n);
		if (link(F, at2(D, nm)) < 0)
			break;
	}
	check(n == max && errno == EMLINK, "link until nlink is %d: then EMLINK (%d, errno %d)", max, n, errno);
	struct stat st;
	check(stat(F, &st) == 0 && (int)st.st_nlink == max, "nlink stays %d", (int)st.st_nlink);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ext2test calls|write|check|host|fill|fsync|links DIR [max]\n");
		return 2;
	}
	const char *mode = argv[1], *D = argv[2];
	if (strcmp(mode, "calls") == 0)
		calls(D);
	else if (strcmp(mode, "write") == 0)
		persist_write(D);
	else if (strcmp(mode, "check") == 0)
		persist_check(D);
	else if (strcmp(mode, "host") == 0)
		host_files(D);
	else if (strcmp(mode, "fill") == 0)
		fill(D);
	else if (strcmp(mode, "fsync") == 0)
		do_fsync(D);
	else if (strcmp(mode, "links") == 0)
		links(D, argc > 3 ? atoi(argv[3]) : 32000);
	else
		return 2;
	return tap_done();
}
