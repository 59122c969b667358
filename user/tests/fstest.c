/* fstest.c: the file system as a program sees it.
 * open flags, directories, links, rename, cwd, getdents, device nodes, a
 * 16 MiB file, holes, and permissions for a non-root uid.  Works in /tmp/fst.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fsutil.h"

#ifdef TRAPDOOR_SYS_mknod
/* x86-64: musl's SYS_mknod is Linux's (path, mode, dev); these checks are
 * of Trapdoor's (path, major, mode) */
#undef SYS_mknod
#define SYS_mknod TRAPDOOR_SYS_mknod
#endif

#define D "/tmp/fst"
#define MB (1024UL * 1024)

static int mknod_dev(const char *path, int major, int mode) { return syscall(SYS_mknod, path, major, mode); }

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

static int put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	long n = write(fd, text, strlen(text));
	close(fd);
	return n == (long)strlen(text) ? 0 : -1;
}

/* The whole (small) file as a string in buf, or "" if it cannot be read. */
static const char *get(const char *path, char *buf, size_t n)
{
	buf[0] = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return buf;
	long r = read(fd, buf, n - 1);
	buf[r > 0 ? r : 0] = 0;
	close(fd);
	return buf;
}

static unsigned long ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 ? 0 : st.st_ino;
}

static void open_flags(void)
{
	char buf[64];
	struct stat st;
	check_err(open(D "/nope", O_RDONLY), ENOENT, "open a missing file without O_CREAT");
	check_err(open("", O_RDONLY), ENOENT, "open the empty path");
	int fd = open(D "/a", O_CREAT | O_WRONLY, 0640);
	check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0 && (st.st_mode & 0777) == 0640,
	      "O_CREAT makes an empty file with the given mode");
	write(fd, "hello world", 11);
	close(fd);
	fd = open(D "/a", O_CREAT | O_WRONLY, 0600);
	check(fd >= 0 && file_size(D "/a") == 11, "O_CREAT on an existing file keeps its data");
	write(fd, "HELLO", 5);
	close(fd);
	check(strcmp(get(D "/a", buf, sizeof buf), "HELLO world") == 0, "writing at offset 0 overwrites in place");
	check(stat(D "/a", &st) == 0 && (st.st_mode & 0777) == 0640, "O_CREAT on an existing file keeps its mode");
	check_err(open(D "/a", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_EXCL on an existing file");
	check_err(open(D, O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST, "O_EXCL on an existing directory");
	check_err(open(D, O_CREAT | O_RDONLY, 0644), EISDIR, "O_CREAT on a directory");
	fd = open(D "/b", O_CREAT | O_EXCL | O_RDWR, 0644);
	check(fd >= 0, "O_EXCL creates a new file");
	close(fd);
	fd = open(D "/a", O_TRUNC | O_WRONLY);
	check(fd >= 0 && file_size(D "/a") == 0, "O_TRUNC empties the file");
	write(fd, "abc", 3);
	close(fd);
	check(strcmp(get(D "/a", buf, sizeof buf), "abc") == 0, "and it can be written again");

	/* O_APPEND: every write goes to the end, whatever the offset */
	int a1 = open(D "/a", O_WRONLY | O_APPEND);
	int a2 = open(D "/a", O_WRONLY | O_APPEND);
	write(a1, "1", 1);
	write(a2, "22", 2);
	lseek(a1, 0, SEEK_SET);
	write(a1, "333", 3);
	check(lseek(a1, 0, SEEK_CUR) == 9, "O_APPEND leaves the offset at the new end");
	close(a1);
	close(a2);
	check(strcmp(get(D "/a", buf, sizeof buf), "abc122333") == 0, "two O_APPEND descriptors and an lseek: nothing overwritten (%s)", buf);
	int rw = open(D "/a", O_RDWR | O_APPEND);
	check(read(rw, buf, 3) == 3 && memcmp(buf, "abc", 3) == 0, "O_RDWR|O_APPEND reads from the start");
	close(rw);

	check_err(open(D "/a/x", O_CREAT | O_WRONLY, 0644), ENOTDIR, "O_CREAT under a regular file");
	check_err(open(D "/no/x", O_CREAT | O_WRONLY, 0644), ENOENT, "O_CREAT in a missing directory");
	unlink(D "/a");
	unlink(D "/b");
}

static void directories(void)
{
	struct stat st;
	check(mkdir(D "/d", 0755) == 0, "mkdir");
	check(stat(D "/d", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755, "it is a directory, mode 0755");
	check_err(mkdir(D "/d", 0755), EEXIST, "mkdir of an existing name");
	check_err(mkdir(D "/none/d", 0755), ENOENT, "mkdir in a missing directory");
	check_err(mkdir("/", 0755), EEXIST, "mkdir /");
	check(mkdir(D "/d/e/", 0755) == 0, "mkdir with a trailing slash");
	put(D "/d/f", "x");
	check_err(rmdir(D "/d"), ENOTEMPTY, "rmdir of a non-empty directory");
	check_err(rmdir(D "/d/f"), ENOTDIR, "rmdir of a file");
	check_err(unlink(D "/d/e"), EISDIR, "unlink of a directory");
	check_err(rmdir(D "/d/e/."), EINVAL, "rmdir of .");
	check_err(rmdir(D "/d/nope"), ENOENT, "rmdir of a missing name");
	check_err(stat(D "/d/f/g", &st), ENOTDIR, "a path through a regular file");
	check(stat(D "/d/e/../f", &st) == 0 && S_ISREG(st.st_mode), "a path through ..");
	check(stat(D "//d///f", &st) == 0, "repeated slashes");
	check(stat("/..", &st) == 0 && st.st_ino == ino_of("/"), "/.. is /");
	check(rmdir(D "/d/e") == 0 && unlink(D "/d/f") == 0 && rmdir(D "/d") == 0, "rmdir after emptying");
	check_err(stat(D "/d", &st), ENOENT, "the directory is gone");
}

static void unlink_open(void)
{
	char buf[16];
	struct stat st;
	put(D "/u", "still here");
	int fd = open(D "/u", O_RDWR);
	check(unlink(D "/u") == 0, "unlink an open file");
	check_err(stat(D "/u", &st), ENOENT, "its name is gone");
	check_err(unlink(D "/u"), ENOENT, "unlink it again");
	check(fstat(fd, &st) == 0 && st.st_nlink == 0, "fstat: no links left");
	check(read(fd, buf, 10) == 10 && memcmp(buf, "still here", 10) == 0, "the open descriptor still reads the data");
	check(write(fd, "!", 1) == 1 && fstat(fd, &st) == 0 && st.st_size == 11, "and writes");
	close(fd);
	put(D "/u", "new");
	check(strcmp(get(D "/u", buf, sizeof buf), "new") == 0, "the name can be used for a new file");
	unlink(D "/u");
}

static void links(void)
{
	char buf[32];
	struct stat a, b;
	put(D "/l1", "shared");
	check(link(D "/l1", D "/l2") == 0, "link");
	check(stat(D "/l1", &a) == 0 && stat(D "/l2", &b) == 0 && a.st_ino == b.st_ino, "both names are one inode");
	check(a.st_nlink == 2 && b.st_nlink == 2, "nlink is 2");
	int fd = open(D "/l2", O_WRONLY | O_APPEND);
	write(fd, " data", 5);
	close(fd);
	check(strcmp(get(D "/l1", buf, sizeof buf), "shared data") == 0, "a write through one name shows through the other");
	mkdir(D "/ld", 0755);
	check(link(D "/l1", D "/ld/l3") == 0 && stat(D "/l1", &a) == 0 && a.st_nlink == 3, "a link in another directory: nlink 3");
	check_err(link(D "/l1", D "/l2"), EEXIST, "link to an existing name");
	check_err(link(D "/ld", D "/ld2"), EPERM, "link a directory");
	check_err(link(D "/none", D "/l4"), ENOENT, "link a missing file");
	check_err(link(D "/l1", D "/none/l4"), ENOENT, "link into a missing directory");
	check(unlink(D "/l1") == 0 && stat(D "/l2", &b) == 0 && b.st_nlink == 2, "unlink one name: nlink 2");
	check(strcmp(get(D "/ld/l3", buf, sizeof buf), "shared data") == 0, "the data lives on under the other names");
	unlink(D "/l2");
	check(stat(D "/ld/l3", &b) == 0 && b.st_nlink == 1, "nlink 1");
	unlink(D "/ld/l3");
	rmdir(D "/ld");
}

static void renames(void)
{
	char buf[32];
	struct stat st;
	put(D "/r1", "one");
	unsigned long ino = ino_of(D "/r1");
	check(rename(D "/r1", D "/r2") == 0 && ino_of(D "/r2") == ino, "rename a file");
	check_err(stat(D "/r1", &st), ENOENT, "the old name is gone");
	put(D "/r3", "three");
	int fd = open(D "/r3", O_RDONLY);
	check(rename(D "/r2", D "/r3") == 0, "rename over an existing file");
	check(ino_of(D "/r3") == ino && strcmp(get(D "/r3", buf, sizeof buf), "one") == 0, "the name now means the moved file");
	check(read(fd, buf, 5) == 5 && memcmp(buf, "three", 5) == 0, "the replaced file lives on while open");
	close(fd);
	check(link(D "/r3", D "/r4") == 0 && rename(D "/r3", D "/r4") == 0, "rename between two links of one file succeeds");
	check(stat(D "/r3", &st) == 0 && st.st_nlink == 2, "and does nothing (both names stay)");
	check(rename(D "/r3", D "/r3") == 0 && ino_of(D "/r3") == ino, "rename to itself");
	unlink(D "/r4");
	check_err(rename(D "/none", D "/r5"), ENOENT, "rename a missing name");
	check_err(rename(D "/r3", D "/none/r5"), ENOENT, "rename into a missing directory");

	/* directories */
	mkdir(D "/ra", 0755);
	mkdir(D "/ra/sub", 0755);
	put(D "/ra/sub/f", "deep");
	mkdir(D "/rb", 0755);
	unsigned long rb = ino_of(D "/rb");
	check(rename(D "/ra", D "/rb/moved") == 0, "rename a directory into another");
	check(strcmp(get(D "/rb/moved/sub/f", buf, sizeof buf), "deep") == 0, "its contents moved with it");
	check(ino_of(D "/rb/moved/..") == rb, ".. of the moved directory is its new parent");
	check_err(rename(D "/rb", D "/rb/moved/sub/x"), EINVAL, "rename a directory into its own subtree");
	check_err(rename(D "/rb", D "/rb/x"), EINVAL, "rename a directory into itself");
	check_err(rename(D "/rb/moved", D "/rb/moved/sub"), EINVAL, "rename a directory over its own child");
	mkdir(D "/empty", 0755);
	check_err(rename(D "/rb/moved", D "/r3"), ENOTDIR, "rename a directory over a file");
	check_err(rename(D "/r3", D "/empty"), EISDIR, "rename a file over a directory");
	check_err(rename(D "/empty", D "/rb"), ENOTEMPTY, "rename a directory over a non-empty one");
	unsigned long moved = ino_of(D "/rb/moved");
	check(rename(D "/rb/moved", D "/empty") == 0 && ino_of(D "/empty") == moved, "rename a directory over an empty one");
	check(ino_of(D "/empty/..") == ino_of(D), "whose .. is updated");
	check(rename(D "/r3", D "/empty/sub/r3") == 0 && rename(D "/empty/sub/r3", D "/r3") == 0, "a file there and back");
	check_err(rename(D "/.", D "/x"), EINVAL, "rename of .");
	unlink(D "/r3");
	unlink(D "/empty/sub/f");
	rmdir(D "/empty/sub");
	rmdir(D "/empty");
	rmdir(D "/rb");
}

static void cwd(void)
{
	char buf[256], small[4];
	struct stat st;
	mkdir(D "/c1", 0755);
	mkdir(D "/c1/c2", 0755);
	mkdir(D "/c1/c2/c3", 0755);
	check(chdir(D "/c1/c2") == 0, "chdir");
	check(getcwd(buf, sizeof buf) && strcmp(buf, D "/c1/c2") == 0, "getcwd (%s)", buf);
	check(put("rel", "relative") == 0 && stat(D "/c1/c2/rel", &st) == 0, "a relative path creates in the cwd");
	check(chdir("c3") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, D "/c1/c2/c3") == 0, "relative chdir");
	check(stat("../rel", &st) == 0 && chdir("../..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, D "/c1") == 0,
	      "chdir ../..");
	check(chdir("./c2/c3") == 0, "back down");
	check(rename(D "/c1", D "/c9") == 0, "rename an ancestor of the cwd");
	check(getcwd(buf, sizeof buf) && strcmp(buf, D "/c9/c2/c3") == 0, "getcwd follows the rename (%s)", buf);
	check(stat("../rel", &st) == 0, "relative paths still work");
	check(getcwd(small, sizeof small) == NULL && errno == ERANGE, "getcwd into a too small buffer: ERANGE");
	check_err(chdir(D "/c9/c2/rel"), ENOTDIR, "chdir to a file");
	check_err(chdir(D "/none"), ENOENT, "chdir to a missing directory");

	/* remove the cwd: it stays usable as a place, but nothing can be
	 * created in it or moved into it */
	check(rmdir(D "/c9/c2/c3") == 0, "rmdir the cwd");
	check_err(getcwd(buf, sizeof buf) ? 0 : -1, ENOENT, "getcwd in a removed directory");
	check_err(open("x", O_CREAT | O_WRONLY, 0644), ENOENT, "create a file in a removed directory");
	check_err(mkdir("x", 0755), ENOENT, "mkdir in a removed directory");
	check_err(link(D "/c9/c2/rel", "x"), ENOENT, "link into a removed directory");
	check_err(rename(D "/c9/c2/rel", "x"), ENOENT, "rename a file into a removed directory");
	mkdir(D "/c9/c2/dir", 0755);
	check_err(rename(D "/c9/c2/dir", "x"), ENOENT, "rename a directory into a removed directory");
	check(stat(D "/c9/c2/rel", &st) == 0 && stat(D "/c9/c2/dir", &st) == 0, "the sources are still where they were");
	check(chdir("..") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, D "/c9/c2") == 0, "chdir .. out of it");
	rmdir(D "/c9/c2/dir");
	unlink(D "/c9/c2/rel");
	rmdir(D "/c9/c2");
	rmdir(D "/c9");
	chdir("/");
}

/* Read the whole directory with getdents into seen[]; return entries. */
#define NBIG 3000
static int list_dir(const char *path, unsigned char *seen, int *dots, int bufsize, int remove_as_we_go)
{
	char buf[2048], name[300];
	int fd = open(path, O_RDONLY), n = 0, bad = 0;
	if (fd < 0)
		return -1;
	memset(seen, 0, NBIG);
	*dots = 0;
	for (;;) {
		int r = getdents(fd, buf, bufsize);
		if (r <= 0) {
			if (r < 0)
				bad = 1;
			break;
		}
		for (int off = 0; off < r;) {
			struct kdirent *d = (struct kdirent *)(buf + off);
			if (d->reclen == 0 || off + d->reclen > r) {
				bad = 1;
				break;
			}
			if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0) {
				(*dots)++;
			} else if (d->name[0] == 'f' && atoi(d->name + 1) < NBIG && d->type == (S_IFREG >> 12)) {
				int i = atoi(d->name + 1);
				seen[i]++;
				if (remove_as_we_go) {
					snprintf(name, sizeof name, "%s/%s", path, d->name);
					if (unlink(name) < 0)
						bad = 1;
				}
			} else {
				bad = 1;
			}
			n++;
			off += d->reclen;
		}
	}
	close(fd);
	return bad ? -1 : n;
}

static void big_directory(void)
{
	static unsigned char seen[NBIG];
	char name[64];
	int dots, ok = 1;
	mkdir(D "/big", 0755);
	for (int i = 0; i < NBIG && ok; i++) {
		snprintf(name, sizeof name, D "/big/f%d", i);
		int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		ok = fd >= 0;
		close(fd);
	}
	check(ok, "create %d files in one directory", NBIG);
	struct stat st;
	check(stat(D "/big/f2999", &st) == 0 && stat(D "/big/f0", &st) == 0, "look up the first and the last");
	int sizes[] = { 2048, 100, 33 };
	for (int s = 0; s < 3; s++) {
		int n = list_dir(D "/big", seen, &dots, sizes[s], 0);
		int once = 1;
		for (int i = 0; i < NBIG; i++)
			once &= seen[i] == 1;
		check(n == NBIG + 2 && dots == 2 && once, "getdents with a %d-byte buffer: every entry once, and . and .. (%d)", sizes[s], n);
	}
	char tiny[8];
	int fd = open(D "/big", O_RDONLY);
	check_err(getdents(fd, tiny, sizeof tiny), EINVAL, "getdents with a buffer too small for one entry");
	close(fd);
	for (int i = 0; i < NBIG; i += 2) {
		snprintf(name, sizeof name, D "/big/f%d", i);
		unlink(name);
	}
	int n = list_dir(D "/big", seen, &dots, 2048, 0);
	int once = 1;
	for (int i = 0; i < NBIG; i++)
		once &= seen[i] == (i % 2);
	check(n == NBIG / 2 + 2 && once, "after unlinking every other one: the rest, once each (%d)", n);
	/* What rm -r does: unlink each entry as it is listed.  Entries not
	 * yet listed must not be skipped because earlier ones went away. */
	n = list_dir(D "/big", seen, &dots, 512, 1);
	once = 1;
	for (int i = 0; i < NBIG; i++)
		once &= seen[i] == (i % 2);
	check(n == NBIG / 2 + 2 && once, "listing while unlinking what was listed: every entry once (%d)", n);
	check(rmdir(D "/big") == 0, "then the directory is empty and goes");
}

static void devices(void)
{
	char buf[16];
	struct stat st;
	check(mknod_dev(D "/null", 2, 0666) == 0, "mknod a /dev/null device");
	check(stat(D "/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 2, "it is a character device, major 2");
	int fd = open(D "/null", O_RDWR | O_TRUNC);
	check(fd >= 0 && write(fd, "discarded", 9) == 9, "writes succeed");
	check(read(fd, buf, sizeof buf) == 0, "reads see end of file");
	check_err(lseek(fd, 0, SEEK_SET), ESPIPE, "lseek on a device");
	close(fd);
	check_err(mknod_dev(D "/null", 2, 0666), EEXIST, "mknod an existing name");
	check_err(mknod_dev(D "/bad", 99, 0666), EINVAL, "mknod an unknown device");
	check_err(mknod_dev(D "/bad", 0, 0666), EINVAL, "mknod device 0");
	check(unlink(D "/null") == 0, "unlink the device node");
	fd = open("/dev/null", O_WRONLY);
	check(fd >= 0 && write(fd, "x", 1) == 1, "/dev/null itself");
	close(fd);
}

static unsigned char bigbuf[64 * 1024];

static void big_file(void)
{
	const unsigned long size = 16 * MB;
	unsigned long before = free_pages();
	int fd = open(D "/big16", O_CREAT | O_TRUNC | O_RDWR, 0644);
	int ok = fd >= 0;
	for (unsigned long off = 0; ok && off < size; off += sizeof bigbuf) {
		fill_pattern(bigbuf, 16, off, sizeof bigbuf);
		ok = write(fd, bigbuf, sizeof bigbuf) == sizeof bigbuf;
	}
	check(ok, "write 16 MiB");
	struct stat st;
	check(fstat(fd, &st) == 0 && (unsigned long)st.st_size == size, "its size is 16 MiB");
	long used = (long)before - (long)free_pages();
	check(used >= 4096 && used <= 4096 + 16, "it takes 4096 data pages and a few index pages (%ld)", used);
	/* read back in odd pieces that straddle page boundaries */
	lseek(fd, 0, SEEK_SET);
	long bad = -1;
	unsigned long off = 0;
	while (off < size && bad < 0) {
		long want = 12345, r = read(fd, bigbuf, want);
		if (r <= 0)
			break;
		long at = check_pattern(bigbuf, 16, off, r);
		if (at >= 0)
			bad = off + at;
		off += r;
	}
	check(off == size && bad < 0, "read back intact (%lu bytes, first bad at %ld)", off, bad);
	/* rewrite a range in the middle, across pages, and read around it */
	lseek(fd, 5 * MB - 100, SEEK_SET);
	memset(bigbuf, 0xAB, 9000);
	write(fd, bigbuf, 9000);
	lseek(fd, 5 * MB - 200, SEEK_SET);
	read(fd, bigbuf, 9200);
	ok = check_pattern(bigbuf, 16, 5 * MB - 200, 100) < 0 && check_pattern(bigbuf + 9100, 16, 5 * MB + 8900, 100) < 0;
	for (int i = 100; i < 9100; i++)
		ok &= bigbuf[i] == 0xAB;
	check(ok, "an overwrite in the middle changes just its bytes");
	check(fstat(fd, &st) == 0 && (unsigned long)st.st_size == size, "and not the size");
	close(fd);
	check(unlink(D "/big16") == 0, "unlink it");
	check(free_pages() == before, "all its pages are free again (%ld missing)", (long)before - (long)free_pages());
}

static void holes(void)
{
	char buf[8192];
	memset(buf, 0, sizeof buf); /* fault the stack pages in before counting */
	unsigned long before = free_pages();
	/* file pages, not free pages: the inode may start a new heap slab page */
	struct kmeminfo m0, m1;
	meminfo(&m0);
	int fd = open(D "/hole", O_CREAT | O_TRUNC | O_RDWR, 0644);
	check(lseek(fd, MB + 3, SEEK_SET) == (long)(MB + 3) && write(fd, "x", 1) == 1, "lseek 1 MiB past the end and write");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == (long)(MB + 4), "the size counts the hole");
	meminfo(&m1);
	long used = (long)m1.file_pages - (long)m0.file_pages;
	check(used <= 3, "the hole takes no pages (%ld used: one data page, two index pages)", used);
	lseek(fd, 0, SEEK_SET);
	int zero = 1;
	for (unsigned long off = 0; off < MB; off += sizeof buf) {
		if (read(fd, buf, sizeof buf) != sizeof buf)
			zero = 0;
		for (unsigned i = 0; i < sizeof buf; i++)
			zero &= buf[i] == 0;
	}
	check(zero, "the hole reads as zeros");
	check(read(fd, buf, 10) == 4 && buf[0] == 0 && buf[3] == 'x', "then the written byte");
	lseek(fd, 300000, SEEK_SET);
	write(fd, "mid", 3);
	lseek(fd, 300000 - 2, SEEK_SET);
	check(read(fd, buf, 7) == 7 && memcmp(buf, "\0\0mid\0\0", 7) == 0, "a write inside the hole");
	close(fd);

	/* old data must not come back after O_TRUNC */
	fd = open(D "/hole", O_TRUNC | O_RDWR);
	memset(buf, 'o', sizeof buf);
	write(fd, buf, 8000);
	close(fd);
	fd = open(D "/hole", O_TRUNC | O_RDWR);
	lseek(fd, 8000, SEEK_SET);
	write(fd, "y", 1);
	lseek(fd, 0, SEEK_SET);
	zero = read(fd, buf, 8000) == 8000;
	for (int i = 0; i < 8000; i++)
		zero &= buf[i] == 0;
	check(zero, "after O_TRUNC, a hole over old data reads as zeros");
	close(fd);
	/* and a tail past the end is zero when the file grows by a hole */
	fd = open(D "/hole", O_TRUNC | O_RDWR);
	write(fd, "abc", 3);
	lseek(fd, 10, SEEK_SET);
	write(fd, "z", 1);
	lseek(fd, 0, SEEK_SET);
	check(read(fd, buf, 20) == 11 && memcmp(buf, "abc\0\0\0\0\0\0\0z", 11) == 0, "a small hole after data");
	close(fd);
	unlink(D "/hole");
	check(free_pages() == before, "free pages back after unlink (%ld missing)", (long)before - (long)free_pages());
}

/* Copy a file; returns its size or -1. */
static long copy_file(const char *from, const char *to, int mode)
{
	static char cbuf[8192];
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_TRUNC | O_WRONLY, mode);
	long n, total = 0;
	while (in >= 0 && out >= 0 && (n = read(in, cbuf, sizeof cbuf)) > 0)
		total += write(out, cbuf, n);
	close(in);
	close(out);
	return in >= 0 && out >= 0 ? total : -1;
}

/* Wait until pid runs the named program and sleeps; 0 if it never does. */
static int wait_sleeping(int pid, const char *name)
{
	static struct kprocinfo rows[128];
	for (int tries = 0; tries < 500; tries++) {
		int n = procinfo(rows, 128);
		for (int i = 0; i < n && i < 128; i++)
			if (rows[i].pid == pid && strcmp(rows[i].name, name) == 0 && rows[i].state == SLEEPING)
				return 1;
		msleep(10);
	}
	return 0;
}

/* A program's read-only pages are the file's own pages: rewriting or
 * truncating the file while it runs must not touch the running copy. */
static void running_program(void)
{
	char buf[128];
	long size = copy_file("/test/filt", D "/prog", 0755);
	check(size > 0, "copy a program (%ld bytes)", size);
	int in[2];
	pipe(in);
	int pid = xfork();
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[0]);
		close(in[1]);
		int out = open(D "/prog.out", O_CREAT | O_TRUNC | O_WRONLY, 0644);
		dup2(out, 1);
		close(out);
		char *argv[] = { "prog", "reads", "100", NULL };
		execv(D "/prog", argv);
		_exit(99);
	}
	close(in[0]);
	check(wait_sleeping(pid, "prog"), "the copy runs and waits for input");
	int fd = open(D "/prog", O_WRONLY);
	static char junk[8192];
	memset(junk, 0xff, sizeof junk);
	long done = 0;
	while (done < size)
		done += write(fd, junk, sizeof junk);
	close(fd);
	write(in[1], "one\n", 4);
	msleep(50);
	fd = open(D "/prog", O_WRONLY | O_TRUNC);
	write(fd, "junk", 4);
	close(fd);
	write(in[1], "two\n", 4);
	close(in[1]);
	check(waitstatus(pid) == 0, "it runs on while its file is overwritten and truncated");
	check(strcmp(get(D "/prog.out", buf, sizeof buf), "[one\n]\n[two\n]\nEOF\n") == 0, "and does its work");
	char *argv[] = { "prog", NULL };
	check_err(execv(D "/prog", argv), ENOEXEC, "the file itself is junk now");
	unlink(D "/prog");
	unlink(D "/prog.out");
}

/* Several processes at once on the same files and names: appends stay
 * whole, and renames, links and unlinks racing each other leave a
 * consistent tree (and a kernel that is still up). */
#define NRACE 4
static void races(void)
{
	int pids[NRACE];
	mkdir(D "/race", 0755);
	for (int w = 0; w < NRACE; w++) {
		pids[w] = xfork();
		if (pids[w] == 0) {
			char rec[100], name[64];
			int fd = open(D "/race/log", O_CREAT | O_WRONLY | O_APPEND, 0644);
			for (int i = 0; i < 300; i++) {
				fill_pattern((unsigned char *)rec, w * 1000 + i, 0, sizeof rec);
				rec[0] = w;
				rec[1] = i & 0xff;
				rec[2] = i >> 8;
				if (write(fd, rec, sizeof rec) != sizeof rec)
					exit(1);
				snprintf(name, sizeof name, D "/race/c%d", w);
				put(name, "x");
				rename(name, D "/race/shared");
				link(D "/race/shared", name);
				unlink(name);
				if (mkdir(D "/race/dir", 0755) == 0)
					rmdir(D "/race/dir");
				if (i % 2 == w % 2)
					rename(D "/race/ping", D "/race/pong");
				else
					rename(D "/race/pong", D "/race/ping");
			}
			close(fd);
			exit(0);
		}
	}
	mkdir(D "/race/ping", 0755);
	/* two directories that keep moving into each other: never a loop */
	mkdir(D "/race/a", 0755);
	mkdir(D "/race/b", 0755);
	int mover = xfork();
	if (mover == 0) {
		for (int i = 0; i < 500; i++) {
			rename(D "/race/a", D "/race/b/a");
			rename(D "/race/b/a", D "/race/a");
		}
		exit(0);
	}
	for (int i = 0; i < 500; i++) {
		rename(D "/race/b", D "/race/a/b");
		rename(D "/race/a/b", D "/race/b");
	}
	int ok = 1;
	for (int w = 0; w < NRACE; w++)
		ok &= waitstatus(pids[w]) == 0;
	ok &= waitstatus(mover) == 0;
	check(ok, "%d processes racing on one directory finish", NRACE + 2);

	/* the log: every record whole, each writer's in order */
	static unsigned char log[NRACE * 300 * 100];
	int fd = open(D "/race/log", O_RDONLY);
	long n = readall(fd, log, sizeof log);
	close(fd);
	int next[NRACE] = { 0 }, whole = n == sizeof log;
	for (long off = 0; whole && off < n; off += 100) {
		int w = log[off], i = log[off + 1] | log[off + 2] << 8;
		whole = w < NRACE && i == next[w] && check_pattern(log + off + 3, w * 1000 + i, 3, 97) < 0;
		if (whole)
			next[w]++;
	}
	check(whole, "concurrent O_APPEND writes: %ld bytes, every record whole and in order", n);

	struct stat st, sa, sb;
	check(stat(D "/race/shared", &st) == 0 && st.st_nlink == 1, "the shared name is one file with one link");
	int a_top = stat(D "/race/a", &sa) == 0, b_top = stat(D "/race/b", &sb) == 0;
	int a_in_b = stat(D "/race/b/a", &sa) == 0, b_in_a = stat(D "/race/a/b", &sb) == 0;
	check(a_top && b_top && !a_in_b && !b_in_a, "the moving directories end where they started");
	int ping = stat(D "/race/ping", &st) == 0, pong = stat(D "/race/pong", &st) == 0;
	check(ping + pong == 1, "the ping-pong directory exists under exactly one name");
	unlink(D "/race/log");
	unlink(D "/race/shared");
	rmdir(D "/race/a");
	rmdir(D "/race/b");
	rmdir(D "/race/ping");
	rmdir(D "/race/pong");
	char buf[512];
	fd = open(D "/race", O_RDONLY);
	n = getdents(fd, buf, sizeof buf);
	close(fd);
	check(n > 0 && rmdir(D "/race") == 0, "nothing else is left");
}

/* --- permissions, for uid 1000 --- */

#define P D "/perm"

/* Run fn in a child with uid 1000; its checks print from the child. */
static void as_user(void (*fn)(void))
{
	int pid = xfork();
	if (pid == 0) {
		failures = 0; /* count only the child's own */
		if (setuid(1000) < 0 || getuid() != 1000) {
			check(0, "setuid(1000)");
			exit(1);
		}
		fn();
		exit(failures ? 1 : 0);
	}
	int st = waitstatus(pid);
	if (st != 0)
		failures++; /* the child printed what failed */
}

static void user_checks(void)
{
	char buf[64];
	struct stat st;
	int fd = -1;
	check_err(setuid(0), EPERM, "uid 1000 cannot become root");
	check_err(open(P "/secret", O_RDONLY), EACCES, "read a 0600 file of root's");
	check(stat(P "/secret", &st) == 0 && st.st_uid == 0, "but stat it (needs only search on the directory)");
	check(strcmp(get(P "/pub", buf, sizeof buf), "public") == 0, "read a 0644 file of root's");
	check_err(open(P "/pub", O_WRONLY), EACCES, "write it");
	check_err(open(P "/pub", O_RDWR | O_TRUNC), EACCES, "truncate it");
	check(strcmp(get(P "/otherw", buf, sizeof buf), "ow") == 0 && (fd = open(P "/otherw", O_WRONLY | O_APPEND)) >= 0 &&
		      write(fd, "!", 1) == 1,
	      "write a 0646 file of root's (others may write)");
	close(fd);
	check_err(open(P "/new", O_CREAT | O_WRONLY, 0644), EACCES, "create a file in root's 0755 directory");
	check_err(mkdir(P "/newdir", 0755), EACCES, "mkdir there");
	check_err(unlink(P "/pub"), EACCES, "unlink there");
	check_err(rename(P "/pub", P "/pub2"), EACCES, "rename there");
	check_err(rename(P "/open/mine0", P "/stolen"), EACCES, "rename from a writable directory into root's");
	check_err(chmod(P "/pub", 0666), EPERM, "chmod root's file");
	check_err(syscall(SYS_mknod, P "/open/dev", 2, 0666), EPERM, "mknod");
	check_err(chdir(P "/priv"), EACCES, "chdir into root's 0700 directory");
	check_err(stat(P "/priv/f", &st), EACCES, "look up a name in it");
	check_err(open(P "/priv", O_RDONLY), EACCES, "open it to list it");
	check(strcmp(get(P "/xonly/f", buf, sizeof buf), "x") == 0, "read a file in a 0711 directory by name");
	check_err(open(P "/xonly", O_RDONLY), EACCES, "but not list the directory");
	char *argv[] = { "noexec", NULL };
	check_err(execv(P "/open/script", argv), EACCES, "exec a 0644 file");

	/* in a directory anyone may write */
	check((fd = open(P "/open/mine", O_CREAT | O_EXCL | O_WRONLY, 0)) >= 0 && write(fd, "m", 1) == 1,
	      "create a mode-0 file and write through the creating descriptor");
	close(fd);
	check(stat(P "/open/mine", &st) == 0 && st.st_uid == 1000, "it belongs to uid 1000");
	check_err(open(P "/open/mine", O_RDONLY), EACCES, "but reopening a mode-0 file fails");
	check(chmod(P "/open/mine", 0077) == 0, "chmod one's own file");
	check_err(open(P "/open/mine", O_RDONLY), EACCES, "owner bits decide for the owner, even when others may");
	check(chmod(P "/open/mine", 0600) == 0 && strcmp(get(P "/open/mine", buf, sizeof buf), "m") == 0, "0600 lets the owner read");
	check(unlink(P "/open/root0") == 0, "unlink root's file in a 0777 directory");
	check(mkdir(P "/open/d", 0700) == 0 && put(P "/open/d/f", "f") == 0, "mkdir and create inside it");

	/* /tmp is sticky (01777): anyone may create, only owners remove */
	check(put("/tmp/fst-user", "u") == 0, "create a file in /tmp");
	check_err(unlink("/tmp/fst-root"), EPERM, "unlink root's file in sticky /tmp");
	check_err(rename("/tmp/fst-root", "/tmp/fst-root2"), EPERM, "rename root's file in sticky /tmp");
	check_err(rename("/tmp/fst-user", "/tmp/fst-root"), EPERM, "rename over root's file in sticky /tmp");
	check(rename("/tmp/fst-user", "/tmp/fst-user2") == 0, "rename one's own file there");
}

static void permissions(void)
{
	mkdir(P, 0755);
	put(P "/secret", "secret");
	chmod(P "/secret", 0600);
	put(P "/pub", "public");
	put(P "/otherw", "ow");
	chmod(P "/otherw", 0646);
	mkdir(P "/priv", 0700);
	put(P "/priv/f", "f");
	mkdir(P "/xonly", 0711);
	put(P "/xonly/f", "x");
	mkdir(P "/open", 0777);
	chmod(P "/open", 0777);
	put(P "/open/root0", "r");
	put(P "/open/mine0", "r");
	put(P "/open/script", "#!");
	put("/tmp/fst-root", "root's");
	as_user(user_checks);

	char buf[64];
	struct stat st;
	check(stat(P "/open/mine", &st) == 0 && st.st_uid == 1000, "root sees uid 1000's file");
	chmod(P "/open/mine", 0);
	check(strcmp(get(P "/open/mine", buf, sizeof buf), "m") == 0, "root reads a mode-0 file");
	check(unlink("/tmp/fst-user2") == 0, "root removes another's file in sticky /tmp");
	chmod(P "/open/script", 0644);
	char *argv[] = { "noexec", NULL };
	check_err(execv(P "/open/script", argv), EACCES, "even root cannot exec a file with no x bit");
	check(chmod(P "/secret", 0604) == 0, "chmod o+r");
	int pid = xfork();
	if (pid == 0) {
		setuid(1000);
		exit(strcmp(get(P "/secret", buf, sizeof buf), "secret") == 0 ? 0 : 1);
	}
	check(waitstatus(pid) == 0, "now uid 1000 reads it");

	unlink(P "/open/d/f");
	rmdir(P "/open/d");
	unlink(P "/open/mine");
	unlink(P "/open/mine0");
	unlink(P "/open/script");
	rmdir(P "/open");
	unlink(P "/xonly/f");
	rmdir(P "/xonly");
	unlink(P "/priv/f");
	rmdir(P "/priv");
	unlink(P "/otherw");
	unlink(P "/pub");
	unlink(P "/secret");
	check(rmdir(P) == 0, "clean up");
	unlink("/tmp/fst-root");
}

int main(void)
{
	plan(185);
	if (mkdir(D, 0755) < 0 && errno != EEXIST) {
		printf("not ok - mkdir " D "\n");
		return 1;
	}
	open_flags();
	directories();
	unlink_open();
	links();
	renames();
	cwd();
	big_directory();
	devices();
	big_file();
	holes();
	running_program();
	races();
	permissions();
	check(rmdir(D) == 0, "everything removed: " D " is empty");
	printf("done: %d failed\n", failures);
	return failures != 0;
}
