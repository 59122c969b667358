/* libtd.c: what picolibc needs from the operating system, on Trapdoor.
 * The standard streams, stat in picolibc's layout, and the POSIX calls
 * whose C signature differs from the kernel's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdio-bufio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>
#include "trapdoor.h"

/* The kernel's numbers must be picolibc's: checked here, at compile time. */
_Static_assert(ENOENT == 2 && EFAULT == 14 && ENOSYS == 88 && ENOTEMPTY == 90, "errno values");
_Static_assert(O_CREAT == 0x0040 && O_TRUNC == 0x0200 && O_APPEND == 0x0400 && O_EXCL == 0x0800, "open flags");
_Static_assert(O_NOCTTY == 0x8000 && O_NOFOLLOW == 0x100000 && O_DIRECTORY == 0x200000, "open flags");
_Static_assert(SIGKILL == 9 && SIGSEGV == 11 && SIGINT == 2, "signals");
/* clock_gettime and clock_settime are the kernel's stubs themselves: the
 * clock numbers and struct timespec must be the kernel's. */
_Static_assert(CLOCK_REALTIME == 1 && CLOCK_MONOTONIC == 4, "clock ids");
_Static_assert(sizeof(struct timespec) == sizeof(struct ktimespec) &&
	       offsetof(struct timespec, tv_sec) == offsetof(struct ktimespec, tv_sec) &&
	       offsetof(struct timespec, tv_nsec) == offsetof(struct ktimespec, tv_nsec) &&
	       sizeof(time_t) == sizeof(long), "struct timespec");

/* stdin, and stdout and stderr line-buffered, on fds 0..2 */
static char inbuf[512], outbuf[512];
static struct __file_bufio f_in = FDEV_SETUP_BUFIO(0, inbuf, sizeof inbuf, read, write, lseek, close, __SRD, 0);
static struct __file_bufio f_out = FDEV_SETUP_BUFIO(1, outbuf, sizeof outbuf, read, write, lseek, close, __SWR, __BLBF);
static char errbuf[128];
static struct __file_bufio f_err = FDEV_SETUP_BUFIO(2, errbuf, sizeof errbuf, read, write, lseek, close, __SWR, __BLBF);
FILE *const stdin = (FILE *)&f_in;
FILE *const stdout = (FILE *)&f_out;
FILE *const stderr = (FILE *)&f_err;

/* exit: as picolibc's, which runs the destructors and then _exit(), but
 * first flushing the standard streams, which picolibc leaves to the
 * program: output without a final newline (echo -n) or in a fully
 * buffered stdout would be lost. */
void __libc_fini_array(void);
void exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	__libc_fini_array();
	_exit(code);
}

int __sys_stat(const char *path, struct kstat *st);
int __sys_fstat(int fd, struct kstat *st);
int __sys_mkdir(const char *path, mode_t mode);
int __sys_mknod(const char *path, int major, int mode);
int __sys_getcwd(char *buf, size_t n);

static void convert(const struct kstat *k, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_dev = k->dev;
	st->st_ino = k->ino;
	st->st_mode = k->mode;
	st->st_nlink = k->nlink;
	st->st_uid = k->uid;
	st->st_rdev = k->rdev;
	st->st_size = k->size;
	st->st_mtim.tv_sec = k->mtime_ns / 1000000000;
	st->st_mtim.tv_nsec = k->mtime_ns % 1000000000;
	st->st_blksize = 4096;
	st->st_blocks = (k->size + 511) / 512;
}

int stat(const char *path, struct stat *st)
{
	struct kstat k;
	if (__sys_stat(path, &k) < 0)
		return -1;
	convert(&k, st);
	return 0;
}

int fstat(int fd, struct stat *st)
{
	struct kstat k;
	if (__sys_fstat(fd, &k) < 0)
		return -1;
	convert(&k, st);
	return 0;
}

int lstat(const char *path, struct stat *st) { return stat(path, st); }
int mkdir(const char *path, mode_t mode) { return __sys_mkdir(path, mode); }
int mknod(const char *path, int major, int mode) { return __sys_mknod(path, major, mode); }

char *getcwd(char *buf, size_t n)
{
	if (__sys_getcwd(buf, n) < 0)
		return NULL;
	return buf;
}

int isatty(int fd)
{
	struct kstat k;
	if (__sys_fstat(fd, &k) < 0)
		return 0;
	if ((k.mode & S_IFMT) == S_IFCHR && k.rdev == 1)
		return 1;
	errno = ENOTTY;
	return 0;
}

int exec(const char *path, char *const argv[]) { return execve(path, argv, environ); }
int execv(const char *path, char *const argv[]) { return execve(path, argv, environ); }

/* execvp: search PATH (default /bin) when the name has no slash. */
int execvp(const char *file, char *const argv[])
{
	if (strchr(file, '/'))
		return execve(file, argv, environ);
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin";
	char buf[256];
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		if (len + strlen(file) + 2 <= sizeof buf) {
			memcpy(buf, path, len);
			buf[len] = '/';
			strcpy(buf + len + 1, file);
			execve(buf, argv, environ);
			if (errno != ENOENT)
				return -1;
		}
		path += len + (end ? 1 : 0);
	}
	errno = ENOENT;
	return -1;
}

unsigned sleep(unsigned s)
{
	msleep(s * 1000);
	return 0;
}

int usleep(useconds_t us)
{
	return msleep((us + 999) / 1000);
}

/* The time of day (picolibc's time() calls this).  clock_ns() and
 * uptime() stay what they were: time since boot. */
int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tz;
	struct timespec ts = { tv->tv_sec, tv->tv_usec * 1000 };
	return clock_settime(CLOCK_REALTIME, &ts);
}

clock_t times(struct tms *t)
{
	struct kprocinfo rows[1];
	(void)rows;
	if (t)
		memset(t, 0, sizeof *t);
	return (clock_t)(clock_ns() / 1000000);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		*old = 0;
	return 0;
}

int getentropy(void *buf, size_t n)
{
	unsigned char *p = buf;
	unsigned long x = rdtime() * 6364136223846793005UL + (unsigned long)getpid();
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
	return 0;
}

/* picolibc's abort() raises SIGABRT; there are no handlers, so die. */
int raise(int sig)
{
	return kill(getpid(), sig);
}

/* access: by the mode bits (the kernel checks again on the real call). */
int access(const char *path, int mode)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	unsigned bits = st.st_uid == (unsigned)getuid() ? (st.st_mode >> 6) & 7 : st.st_mode & 7;
	if (getuid() == 0)
		bits = 6 | ((st.st_mode & 0111) ? 1 : 0);
	if (((mode & R_OK) && !(bits & 4)) || ((mode & W_OK) && !(bits & 2)) || ((mode & X_OK) && !(bits & 1))) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

/* mmap's stub returns a long like every other; -1 is MAP_FAILED. */
long __sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)__sys_mmap(addr, len, prot, flags, fd, off);
}
