/* ulib.c (xv6 compatibility): xv6's user library on top of Trapdoor.
 * xv6 programs call exit(int), kill(pid), sleep(ticks), printf(fmt) and
 * fprintf(fd, fmt); these map them to picolibc and Trapdoor's calls.  Built
 * without the xv6 headers so both sides' declarations stay apart.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trapdoor.h"

/* xv6's struct stat (user/xv6/kernel/stat.h) */
struct xv6_stat {
	int dev;
	unsigned int ino;
	short type;
	short nlink;
	unsigned long size;
};

static int convert(int r, const struct stat *st, struct xv6_stat *x)
{
	if (r < 0)
		return -1;
	x->dev = st->st_dev;
	x->ino = st->st_ino;
	x->type = S_ISDIR(st->st_mode) ? 1 : S_ISCHR(st->st_mode) ? 3 : 2;
	x->nlink = st->st_nlink;
	x->size = st->st_size;
	return 0;
}

int xv6_fstat(int fd, struct xv6_stat *x)
{
	struct stat st;
	return convert(fstat(fd, &st), &st, x);
}

int xv6_stat(const char *path, struct xv6_stat *x)
{
	struct stat st;
	return convert(stat(path, &st), &st, x);
}

int xv6_exit(int status)
{
	exit(status);
}

int xv6_uptime(void) { return uptime() / 100; } /* in xv6's 100 ms ticks */

int xv6_kill(int pid) { return kill(pid, SIGKILL); }
int xv6_sleep(int ticks) { return msleep(ticks * 100); } /* xv6 ticks are 100 ms */
int xv6_mkdir(const char *path) { return mkdir(path, 0777); }
int xv6_mknod(const char *path, short major, short minor)
{
	(void)minor;
	int __sys_mknod(const char *path, int major, int mode);
	return __sys_mknod(path, major, 0666);
}
int xv6_exec(const char *path, char **argv) { return execve(path, argv, environ); }
char *xv6_gets(char *buf, int max)
{
	int i = 0;
	while (i + 1 < max) {
		char c;
		if (read(0, &c, 1) < 1)
			break;
		buf[i++] = c;
		if (c == '\n' || c == '\r')
			break;
	}
	buf[i] = 0;
	return buf;
}

void xv6_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void xv6_fprintf(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fflush(stdout);
	write(fd, buf, n < (int)sizeof buf ? n : (int)sizeof buf - 1);
}
