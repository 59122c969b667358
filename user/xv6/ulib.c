/* ulib.c (xv6 compatibility): xv6's user library and xv6's semantics on top
 * of Trapdoor's POSIX calls, translated here in user space, not in the kernel.
 *
 * Where the two differ and an xv6 program can tell:
 *   wait     the status is the exit code, as exit() gave it (exit(-1) reads
 *            -1, not 255), and -1 for a process that was killed
 *   unlink   removes an empty directory too (POSIX: rmdir)
 *   read     of a directory gives xv6 struct dirent records (16 bytes: a
 *            ushort inum and a 14-byte name), where POSIX says EISDIR
 *   open     takes no mode: files are created rw for everyone
 *   fstat    fills xv6's struct stat (type T_DIR, T_FILE or T_DEVICE)
 *   kill     kills (SIGKILL); sleep and uptime count xv6's 100 ms ticks
 *   malloc   takes its memory from sbrk and never gives it back, so a
 *            program's own sbrk and malloc share the heap as on xv6
 * Built without the xv6 headers so both sides' declarations stay apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

/* xv6's kernel stores exit()'s int whole; Trapdoor keeps 8 bits, so they
 * are read back signed: exit(-1) is -1 again (and exit(255) is -1 too).
 * A killed process's status is -1 in xv6 (it exits with -1). */
int xv6_wait(int *status)
{
	int st;
	int pid = wait(&st);
	if (pid >= 0 && status)
		*status = WIFEXITED(st) ? (signed char)WEXITSTATUS(st) : -1;
	return pid;
}

int xv6_open(const char *path, int flags) { return open(path, flags, 0666); }

/* xv6's unlink removes an empty directory as well; a full one stays. */
int xv6_unlink(const char *path)
{
	if (unlink(path) == 0)
		return 0;
	if (errno != EISDIR)
		return -1;
	return rmdir(path);
}

/* read() of a directory: xv6 programs read struct dirent records, 16
 * bytes each, where Trapdoor's read says EISDIR and getdents() gives
 * variable-length records.  The kernel's directory offset is an opaque
 * position, so to consume exactly as many entries as fit, peek at a
 * batch, seek back and take that many again. */
struct xv6_dirent {
	unsigned short inum;
	char name[14];
};

static int readdir16(int fd, char *dst, int n)
{
	struct kdirent_hdr { /* struct kdirent (trapdoor/abi.h) */
		unsigned long ino;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};
	static char batch[2048] __attribute__((aligned(8)));
	int want = n / (int)sizeof(struct xv6_dirent);
	if (want == 0)
		want = 1; /* a short read gets the start of one record */
	int got, used;
	for (int tries = 0;; tries++) {
		long pos = lseek(fd, 0, SEEK_CUR);
		if (pos < 0)
			return -1;
		got = getdents(fd, batch, sizeof batch);
		if (got <= 0)
			return got;
		int k = 0;
		for (used = 0; used < got && k < want; k++)
			used += ((struct kdirent_hdr *)(batch + used))->reclen;
		if (used == got)
			break;
		/* The batch held more: take just the first k again.  If the
		 * directory changed in between, so that more than k now fit
		 * in those bytes, look again (a few times at most). */
		if (lseek(fd, pos, SEEK_SET) < 0)
			return -1;
		got = getdents(fd, batch, used);
		int again = 0;
		for (used = 0; used < got; again++)
			used += ((struct kdirent_hdr *)(batch + used))->reclen;
		if (got > 0 && (again <= want || tries >= 4))
			break;
		if (got <= 0 && tries >= 4)
			return got;
		if (lseek(fd, pos, SEEK_SET) < 0)
			return -1;
	}
	int out = 0;
	for (int off = 0; off < used; off += ((struct kdirent_hdr *)(batch + off))->reclen) {
		struct kdirent_hdr *kd = (struct kdirent_hdr *)(batch + off);
		struct xv6_dirent de;
		memset(&de, 0, sizeof de);
		/* xv6's inum is 16 bits; 0 would mark a free slot, which
		 * programs skip, so a number that wraps to 0 becomes 0xffff. */
		de.inum = kd->ino & 0xffff ? kd->ino & 0xffff : 0xffff;
		size_t len = strlen(kd->name);
		memcpy(de.name, kd->name, len < sizeof de.name ? len : sizeof de.name);
		int part = n - out < (int)sizeof de ? n - out : (int)sizeof de;
		memcpy(dst + out, &de, part);
		out += part;
	}
	return out;
}

int xv6_read(int fd, void *buf, int n)
{
	int r = read(fd, buf, n);
	if (r < 0 && errno == EISDIR)
		return readdir16(fd, buf, n);
	return r;
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

/* malloc: a first-fit free list, sorted by address so that a block freed
 * next to another merges with it.  Not the C library's: musl's malloc
 * owns the program break (it moves it with brk for its bookkeeping and,
 * later, back to where it last left it), which would unmap the pages an
 * xv6 program took with sbrk meanwhile.  Here the heap grows only by
 * sbrk, in steps of at least 64 KiB, and a program's own sbrk calls in
 * between are simply not in any block. */
struct blk {
	size_t units;     /* the block's size in sizeof(struct blk), itself included */
	struct blk *next; /* the next free block, higher in memory */
};

static struct blk *freelist;

static void put_free(struct blk *b)
{
	struct blk *prev = NULL, *next = freelist;
	while (next && next < b) {
		prev = next;
		next = next->next;
	}
	if (next && b + b->units == next) { /* merge with the block above */
		b->units += next->units;
		next = next->next;
	}
	b->next = next;
	if (prev && prev + prev->units == b) { /* and with the one below */
		prev->units += b->units;
		prev->next = b->next;
	} else if (prev) {
		prev->next = b;
	} else {
		freelist = b;
	}
}

static void *take(size_t n)
{
	if (n > (1UL << 40))
		return NULL;
	size_t units = (n + sizeof(struct blk) - 1) / sizeof(struct blk) + 1;
	for (int grown = 0;; grown = 1) {
		for (struct blk **pp = &freelist; *pp; pp = &(*pp)->next) {
			struct blk *b = *pp;
			if (b->units < units)
				continue;
			if (b->units == units) {
				*pp = b->next;
			} else { /* the top of the block goes */
				b->units -= units;
				b += b->units;
				b->units = units;
			}
			return b + 1;
		}
		if (grown)
			return NULL;
		size_t get = units < 4096 ? 4096 : units;
		if (get * sizeof(struct blk) > 0x7fffffffUL) /* sbrk's delta is an int */
			return NULL;
		struct blk *b = sbrk(get * sizeof(struct blk));
		if (b == (void *)-1)
			return NULL;
		b->units = get;
		put_free(b);
	}
}

void *malloc(size_t n) { return take(n); }

void free(void *p)
{
	if (p)
		put_free((struct blk *)p - 1);
}

void *calloc(size_t k, size_t n)
{
	if (n && k > (size_t)-1 / n)
		return NULL;
	void *p = take(k * n); /* take, not malloc: gcc would make malloc + memset a call of calloc */
	if (p)
		memset(p, 0, k * n);
	return p;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return take(n);
	size_t have = (((struct blk *)p - 1)->units - 1) * sizeof(struct blk);
	if (n <= have)
		return p;
	void *q = take(n);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}

/* xv6's printf: its own small format language, not C's.  %d and %x take
 * an int, %l a uint64 (xv6-riscv; later versions spell it %ld, %lu, %lx,
 * with %u and %ll too: both are understood), %p prints 0x and 16 hex
 * digits, %s of a null pointer "(null)", and an unknown %c prints as is.
 * Output goes straight to the fd, unbuffered as on xv6, in one write per
 * 128 bytes rather than one per character. */
struct out {
	int fd;
	int n;
	char buf[128];
};

static void put(struct out *o, char c)
{
	if (o->n == (int)sizeof o->buf) {
		write(o->fd, o->buf, o->n);
		o->n = 0;
	}
	o->buf[o->n++] = c;
}

static void putnum(struct out *o, unsigned long v, int base, int neg, int width)
{
	char d[24];
	int i = 0;
	do {
		d[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i < width)
		d[i++] = '0';
	if (neg)
		put(o, '-');
	while (i > 0)
		put(o, d[--i]);
}

static void xv6_vprintf(int fd, const char *fmt, va_list ap)
{
	struct out o = {.fd = fd};
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		if (!*++p)
			break;
		int lng = 0;
		while (*p == 'l' && (p[1] == 'l' || p[1] == 'd' || p[1] == 'u' || p[1] == 'x')) {
			lng = 1;
			p++;
		}
		switch (*p) {
		case 'd':
			if (lng) {
				long v = va_arg(ap, long);
				putnum(&o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0, 0);
			} else {
				int v = va_arg(ap, int);
				putnum(&o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0, 0);
			}
			break;
		case 'l': /* xv6-riscv's %l: a uint64 in decimal */
			putnum(&o, va_arg(ap, unsigned long), 10, 0, 0);
			break;
		case 'u':
			putnum(&o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 10, 0, 0);
			break;
		case 'x':
			putnum(&o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 16, 0, 0);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			putnum(&o, (unsigned long)va_arg(ap, void *), 16, 0, 16);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			for (str = str ? str : "(null)"; *str; str++)
				put(&o, *str);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* printed as it is, to draw attention (xv6 does too) */
			put(&o, '%');
			put(&o, *p);
		}
	}
	if (o.n)
		write(fd, o.buf, o.n);
}

void xv6_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xv6_vprintf(1, fmt, ap);
	va_end(ap);
}

void xv6_fprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xv6_vprintf(fd, fmt, ap);
	va_end(ap);
}
