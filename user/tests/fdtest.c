/* fdtest.c: descriptors: a per-process table over shared open files.
 * open/read/write/close/lseek/dup/dup2/fstat/stat, offsets shared by fork
 * and kept by exec, and the errors: EBADF, EINVAL, EFAULT, EMFILE.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fsutil.h"

#ifdef TRAPDOOR_SYS_fstat
/* x86-64: musl's SYS_stat and SYS_fstat are Linux's calls; these checks
 * are of Trapdoor's own, which fill a struct kstat */
#undef SYS_stat
#undef SYS_fstat
#define SYS_stat TRAPDOOR_SYS_stat
#define SYS_fstat TRAPDOOR_SYS_fstat
#endif

#define KERNEL_ADDR 0xffffffc080200000UL
#define NOFILE 64
#define PGSIZE 4096UL

static const char *F = "/tmp/fdtest.txt";

int main(int argc, char **argv);

/* Run as "fdtest exec-child FD OFFSET": exec kept FD open at OFFSET. */
static int exec_child(int fd, long off)
{
	char buf[4];
	if (lseek(fd, 0, SEEK_CUR) != off)
		return 2;
	if (read(fd, buf, 4) != 4 || memcmp(buf, "6789", 4) != 0)
		return 3;
	/* the standard descriptors came along too */
	struct stat st;
	if (fstat(0, &st) < 0 || fstat(1, &st) < 0 || fstat(2, &st) < 0)
		return 4;
	return 0;
}

static int make_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (long)strlen(text)) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void basics(void)
{
	char buf[32];
	int fd = open(F, O_CREAT | O_TRUNC | O_RDWR, 0644);
	check(fd >= 3, "open O_CREAT gives the lowest free descriptor (%d)", fd);
	check(write(fd, "0123456789", 10) == 10, "write 10 bytes");
	check(lseek(fd, 0, SEEK_CUR) == 10, "offset is 10 after the write");
	check(read(fd, buf, sizeof buf) == 0, "read at end of file returns 0");
	check(lseek(fd, 2, SEEK_SET) == 2, "lseek SEEK_SET");
	check(read(fd, buf, 3) == 3 && memcmp(buf, "234", 3) == 0, "read 3 bytes at offset 2");
	check(lseek(fd, 1, SEEK_CUR) == 6, "lseek SEEK_CUR");
	check(lseek(fd, -1, SEEK_END) == 9, "lseek SEEK_END");
	check(read(fd, buf, sizeof buf) == 1 && buf[0] == '9', "short read of the last byte");
	check(lseek(fd, 100, SEEK_SET) == 100 && read(fd, buf, 5) == 0, "read past the end returns 0");
	check_err(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to a negative offset");
	check_err(lseek(fd, -20, SEEK_END), EINVAL, "lseek SEEK_END before the start");
	check_err(lseek(fd, 0, 7), EINVAL, "lseek with a bad whence");
	check(lseek(fd, 0, SEEK_CUR) == 100, "failed lseeks leave the offset alone");
	long huge = 0x7fffffffffff0000L;
	check(lseek(fd, huge, SEEK_SET) == huge, "lseek far past the end");
	check(read(fd, buf, 5) == 0, "read there: end of file");
	check_err(write(fd, "x", 1), EFBIG, "write there: file too big");
	check_err(lseek(fd, huge, SEEK_CUR), EINVAL, "lseek whose sum overflows");
	check(lseek(fd, (1L << 30) - 1, SEEK_SET) == (1L << 30) - 1 && write(fd, "xy", 2) == -1 && errno == EFBIG,
	      "a write across the 1 GiB file limit: EFBIG");
	struct stat st0;
	check(fstat(fd, &st0) == 0 && st0.st_size == 10, "failed writes leave the size alone");
	lseek(fd, 100, SEEK_SET);

	struct stat st, st2;
	check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 10 && st.st_nlink == 1,
	      "fstat: regular file, 10 bytes, one link");
	check(stat(F, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == 10, "stat agrees with fstat");
	check((st.st_mode & 0777) == 0644, "mode is what open asked for (%o)", (unsigned)st.st_mode & 0777);
	unsigned long ino = st.st_ino;
	check(close(fd) == 0, "close");
	check_err(close(fd), EBADF, "close twice");
	check_err(read(fd, buf, 1), EBADF, "read a closed descriptor");

	int d = open("/dev/null", O_RDWR);
	check(d >= 0 && fstat(d, &st) == 0 && S_ISCHR(st.st_mode), "fstat /dev/null: a character device");
	close(d);
	check(stat("/", &st) == 0 && S_ISDIR(st.st_mode), "stat /: a directory");
	check_err(stat("/no/such/file", &st), ENOENT, "stat a missing path");
	check(stat(F + 1, &st2) == 0 && st2.st_ino == ino, "a relative path is looked up from the cwd (/)");
}

static void access_modes(void)
{
	char buf[8];
	int fd = make_file(F, "0123456789");
	close(fd);
	int r = open(F, O_RDONLY);
	check_err(write(r, "x", 1), EBADF, "write to an O_RDONLY descriptor");
	close(r);
	int w = open(F, O_WRONLY);
	check_err(read(w, buf, 1), EBADF, "read from an O_WRONLY descriptor");
	close(w);
	int dir = open("/tmp", O_RDONLY);
	check(dir >= 0, "open a directory read-only");
	check_err(read(dir, buf, 1), EISDIR, "read a directory");
	close(dir);
	check_err(open("/tmp", O_WRONLY), EISDIR, "open a directory for writing");
	check_err(open(F, O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file");
}

static void bad_descriptors(void)
{
	char buf[8];
	struct stat st;
	int bad[] = { -1, 3 + 40, NOFILE, NOFILE + 1, 1 << 20, -100000 };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int fd = bad[i];
		int ok = read(fd, buf, 1) == -1 && errno == EBADF;
		ok &= write(fd, "x", 1) == -1 && errno == EBADF;
		ok &= close(fd) == -1 && errno == EBADF;
		ok &= dup(fd) == -1 && errno == EBADF;
		ok &= dup2(fd, 20) == -1 && errno == EBADF;
		ok &= lseek(fd, 0, SEEK_SET) == -1 && errno == EBADF;
		ok &= fstat(fd, &st) == -1 && errno == EBADF;
		ok &= getdents(fd, buf, sizeof buf) == -1 && errno == EBADF;
		check(ok, "descriptor %d: every call fails with EBADF", fd);
	}
	check_err(dup2(0, -1), EBADF, "dup2 to a negative descriptor");
	check_err(dup2(0, NOFILE), EBADF, "dup2 to descriptor %d (past the table)", NOFILE);
}

static void bad_flags(void)
{
	check_err(open(F, O_ACCMODE), EINVAL, "open with access mode 3");
	check_err(open(F, O_RDONLY | 0x80000000), EINVAL, "open with an unknown flag bit");
	check_err(open(F, O_RDWR | O_CREAT | 0x4000000), EINVAL, "open O_CREAT with an unknown flag bit");
	int fd = open(F, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
	check(fd >= 0, "O_NOFOLLOW and O_NOCTTY are accepted (no symlinks, no controlling terminals)");
	close(fd);
	char buf[4];
	fd = open(F, O_RDONLY);
	check_err(read(fd, buf, -1), EINVAL, "read with a negative count");
	close(fd);
}

static void bad_pointers(void)
{
	int fd = make_file(F, "0123456789");
	struct kstat ks;
	check_err(read(fd, NULL, 4), EFAULT, "read into address 0");
	check_err(read(fd, (void *)KERNEL_ADDR, 4), EFAULT, "read into kernel memory");
	check_err(read(fd, (void *)(unsigned long)main, 4), EFAULT, "read into the program's own (read-only) text");
	check(lseek(fd, 0, SEEK_CUR) == 0, "failed reads leave the offset alone");
	check_err(write(fd, NULL, 4), EFAULT, "write from address 0");
	check_err(write(fd, (void *)KERNEL_ADDR, 4), EFAULT, "write from kernel memory");
	check_err(write(1, (void *)KERNEL_ADDR, 4), EFAULT, "write kernel memory to the console");
	check_err(open(NULL, O_RDONLY), EFAULT, "open a path at address 0");
	check_err(open((char *)KERNEL_ADDR, O_RDONLY), EFAULT, "open a path in kernel memory");
	check_err(syscall(SYS_stat, "/", NULL), EFAULT, "stat into address 0");
	check_err(syscall(SYS_stat, "/", (void *)KERNEL_ADDR), EFAULT, "stat into kernel memory");
	check_err(syscall(SYS_fstat, fd, NULL), EFAULT, "fstat into address 0");
	check_err(syscall(SYS_getcwd, NULL, 100), EFAULT, "getcwd into address 0");
	check_err(syscall(SYS_pipe, NULL), EFAULT, "pipe into address 0");
	int next = dup(0);
	check(next == fd + 1, "a failed pipe leaks no descriptor (next is %d)", next);
	close(next);
	int dir = open("/", O_RDONLY);
	check_err(getdents(dir, NULL, 4096), EFAULT, "getdents into address 0");
	close(dir);
	check(syscall(SYS_fstat, fd, &ks) == 0 && ks.size == 10, "the descriptor still works");

	/* A path longer than the kernel takes, and one running off the heap. */
	char longpath[400];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = 0;
	check_err(open(longpath, O_RDONLY), ENAMETOOLONG, "open a 399-byte path");
	char *brk0 = sbrk(0);
	unsigned long pad = PGSIZE - ((unsigned long)brk0 % PGSIZE);
	char *end = (char *)sbrk(pad + PGSIZE) + pad + PGSIZE; /* page aligned, next page unmapped */
	memset(end - 8, 'b', 8);
	check_err(open(end - 8, O_RDONLY), EFAULT, "open a path that runs into unmapped memory");

	/* A write whose buffer starts mapped and runs into unmapped memory
	 * must not leave its partial bytes past the end of the file: they
	 * would show up later inside a hole that should read as zeros. */
	int h = open("/tmp/fdtest.hole", O_CREAT | O_TRUNC | O_RDWR, 0644);
	memset(end - 100, 'Z', 100);
	long r = write(h, end - 100, 200);
	check(r == 100 || (r == -1 && errno == EFAULT), "write running into unmapped memory: short or EFAULT (%ld)", r);
	long size = r > 0 ? r : 0;
	struct stat st;
	check(fstat(h, &st) == 0 && st.st_size == size, "file size is what was written (%ld)", (long)st.st_size);
	lseek(h, 8192, SEEK_SET);
	write(h, "!", 1);
	char buf[300];
	lseek(h, 0, SEEK_SET);
	check(read(h, buf, sizeof buf) == sizeof buf, "read the start of the file back");
	int good = 1;
	for (int i = 0; i < (int)sizeof buf; i++)
		good &= buf[i] == (i < size ? 'Z' : 0);
	check(good, "bytes past the written ones read as zeros");
	close(h);
	unlink("/tmp/fdtest.hole");

	/* getdents into a buffer that runs into unmapped memory: the entries
	 * that fit before the bad page are returned, none is lost. */
	mkdir("/tmp/fdtest.dir", 0755);
	char name[64];
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "/tmp/fdtest.dir/entry%02d", i);
		close(open(name, O_CREAT | O_WRONLY, 0644));
	}
	int dfd = open("/tmp/fdtest.dir", O_RDONLY);
	int seen = 0, calls = 0;
	long first = getdents(dfd, end - 100, 4096);
	char dbuf[4096];
	for (long n = first; n > 0 && calls < 100; n = getdents(dfd, dbuf, sizeof dbuf), calls++) {
		char *base = calls == 0 ? end - 100 : dbuf;
		for (long off = 0; off < n; off += ((struct kdirent *)(base + off))->reclen)
			seen++;
	}
	check(first > 0 && first <= 100, "getdents running into unmapped memory returns the entries before it (%ld bytes)", first);
	check(seen == 22, "and a later getdents goes on from there: 20 entries, . and .., each once (%d)", seen);
	close(dfd);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "/tmp/fdtest.dir/entry%02d", i);
		unlink(name);
	}
	rmdir("/tmp/fdtest.dir");
	sbrk(-(long)(pad + PGSIZE));
	close(fd);
}

static void dups(void)
{
	char buf[8];
	int fd = make_file(F, "0123456789");
	int d = dup(fd);
	check(d == fd + 1, "dup returns the lowest free descriptor");
	check(read(fd, buf, 3) == 3 && lseek(d, 0, SEEK_CUR) == 3, "dup shares the offset");
	check(close(fd) == 0 && read(d, buf, 2) == 2 && memcmp(buf, "34", 2) == 0,
	      "the dup still reads after the original is closed");
	check(dup2(d, 10) == 10, "dup2 to 10");
	check(read(10, buf, 1) == 1 && buf[0] == '5' && lseek(d, 0, SEEK_CUR) == 6, "dup2 shares the offset");
	check(dup2(10, 10) == 10 && read(10, buf, 1) == 1, "dup2 of a descriptor onto itself leaves it open");
	int n = open("/dev/null", O_RDONLY);
	check(dup2(d, n) == n && read(n, buf, 1) == 1 && buf[0] == '7', "dup2 onto an open descriptor replaces it");
	close(n);
	close(10);
	check(read(d, buf, 1) == 1 && buf[0] == '8', "closing the dups leaves the file open");
	close(d);
	/* stdout dup'ed and redirected: what the shell does for > */
	int saved = dup(1);
	int out = open("/tmp/fdtest.out", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	fflush(stdout);
	dup2(out, 1);
	close(out);
	write(1, "via fd 1\n", 9);
	dup2(saved, 1);
	close(saved);
	int in = open("/tmp/fdtest.out", O_RDONLY);
	memset(buf, 0, sizeof buf);
	check(read(in, buf, 8) == 8 && memcmp(buf, "via fd 1", 8) == 0, "stdout redirected with dup2 and restored");
	close(in);
	unlink("/tmp/fdtest.out");
}

static void fork_and_exec(void)
{
	char buf[8];
	int fd = make_file(F, "0123456789");
	read(fd, buf, 2);
	int pid = xfork();
	if (pid == 0) {
		int ok = read(fd, buf, 3) == 3 && memcmp(buf, "234", 3) == 0;
		exit(ok ? 0 : 1);
	}
	int st = waitstatus(pid);
	check(st == 0, "the child read from the shared offset");
	check(lseek(fd, 0, SEEK_CUR) == 5, "the child's read moved the parent's offset");
	check(read(fd, buf, 1) == 1 && buf[0] == '5', "the parent reads on from there");

	/* exec keeps descriptors, with their offsets */
	char fdarg[8], offarg[8];
	snprintf(fdarg, sizeof fdarg, "%d", fd);
	snprintf(offarg, sizeof offarg, "%d", 6);
	pid = xfork();
	if (pid == 0) {
		char *argv[] = { "fdtest", "exec-child", fdarg, offarg, NULL };
		execv("/test/fdtest", argv);
		_exit(99);
	}
	st = waitstatus(pid);
	check(st == 0, "exec'ed program finds the descriptor open at the shared offset (status %#x)", st);
	check(lseek(fd, 0, SEEK_CUR) == 10, "and its read moved our offset");

	/* the child closing its copy does not close ours */
	pid = xfork();
	if (pid == 0) {
		close(fd);
		exit(0);
	}
	waitstatus(pid);
	check(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 2) == 2, "a child's close leaves the parent's descriptor open");

	/* spawn inherits descriptors too */
	char *argv[] = { "fdtest", "exec-child", fdarg, offarg, NULL };
	lseek(fd, 6, SEEK_SET);
	pid = spawn("/test/fdtest", argv, NULL);
	check(pid > 0 && waitstatus(pid) == 0, "spawn'ed program inherits the descriptor and offset");
	close(fd);
}

static void too_many(void)
{
	int fds[NOFILE], n = 0, fd;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0 && n < NOFILE)
		fds[n++] = fd;
	check(fd == -1 && errno == EMFILE, "open fails with EMFILE when the table is full");
	check(n == NOFILE - 3, "%d descriptors opened beside 0, 1, 2", n);
	check_err(dup(0), EMFILE, "dup with a full table");
	int p[2];
	check_err(pipe(p), EMFILE, "pipe with a full table");
	check_err(open(F, O_RDONLY), EMFILE, "open of a file with a full table");
	close(fds[--n]);
	check_err(pipe(p), EMFILE, "pipe with one free slot (it needs two)");
	fd = open("/dev/null", O_RDONLY);
	check(fd == fds[n], "the free slot is still free after the failed pipe");
	close(fd);
	while (n > 0)
		close(fds[--n]);
	check(pipe(p) == 0 && p[0] == 3 && p[1] == 4, "after closing them all, pipe gets 3 and 4");
	close(p[0]);
	close(p[1]);
	/* Open-file structures are freed: repeat many times, memory stays.
	 * Measured from here: the rounds above warmed the allocator (kmalloc
	 * keeps one empty slab page per size class, by design). */
	unsigned long before = free_pages();
	for (int round = 0; round < 20; round++) {
		for (n = 0; n < NOFILE - 3; n++)
			fds[n] = open(F, O_RDONLY);
		while (n > 0)
			close(fds[--n]);
	}
	long diff = (long)before - (long)free_pages();
	check(diff == 0, "open and close 1220 times: free pages back (%ld)", diff);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "exec-child") == 0)
		return exec_child(atoi(argv[2]), atol(argv[3]));
	plan(99);
	basics();
	access_modes();
	bad_descriptors();
	bad_flags();
	bad_pointers();
	dups();
	fork_and_exec();
	too_many();
	unlink(F);
	printf("done: %d failed\n", failures);
	return failures != 0;
}
