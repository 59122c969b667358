/* printf.c: the kernel's formatted output, and panic.
 * Supports %d %i %u %x %p %s %c %% with l/ll, width, '-' and '0' flags.
 */
#include "kernel.h"
#include "proc.h"

volatile int panicked;
static struct spinlock printlock = SPINLOCK_INIT("print");

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void putnum(struct out *o, u64 v, int base, int neg, int width, char pad, int left)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[i++] = '-';
	int fill = width > i ? width - i : 0;
	if (!left && pad == '0' && neg) {
		put(o, '-');
		i--;
	}
	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (i > 0)
		put(o, tmp[--i]);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		int left = 0, width = 0, lng = 0;
		char pad = ' ';
		fmt++;
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			putnum(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad, left);
			break;
		}
		case 'u':
			putnum(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, 0, width, pad, left);
			break;
		case 'x':
			putnum(&o, lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, 0, width, pad, left);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			putnum(&o, (u64)va_arg(ap, void *), 16, 0, width, pad, left);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int l = strlen(s);
			if (!left)
				for (int i = l; i < width; i++)
					put(&o, ' ');
			while (*s)
				put(&o, *s++);
			if (left)
				for (int i = l; i < width; i++)
					put(&o, ' ');
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return o.len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = kvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			arch_console_putc('\r');
		arch_console_putc(s[i]);
	}
}

/* Bytes a user program writes to the console, under the same lock as
 * kprintf: a kernel message never lands in the middle of them. */
void console_write_locked(const char *s, size_t n)
{
	int locked = !panicked && !holding(&printlock);
	if (locked)
		acquire(&printlock);
	console_write(s, n);
	if (locked)
		release(&printlock);
}

/* Whole lines at a time, so harts do not interleave mid-line. */
void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	console_write_locked(buf, n);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	intr_disable();
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	panicked = 1;
	kprintf("\npanic (hart %d): %s\n", mycpu() ? mycpu()->hartid : -1, buf);
	procdump();
	arch_poweroff(1);
}
