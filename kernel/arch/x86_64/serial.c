/* serial.c: the console on COM1, a 16550 UART at I/O port 0x3f8, and the
 * early print routine used before (and beneath) the portable kprintf.
 */
#include "x86.h"
#include "x86_64.h"

#define COM1 0x3f8
#define THR 0 /* transmit holding (write) / receive buffer (read) */
#define IER 1 /* interrupt enable: bit 0 = "a byte arrived" */
#define FCR 2 /* FIFO control */
#define LCR 3 /* line control: bit 7 exposes the divisor latch */
#define MCR 4 /* modem control: OUT2 gates the interrupt line */
#define LSR 5 /* line status: bit 0 data ready, bit 5 transmitter empty */

void serial_init(void)
{
	outb(COM1 + IER, 0);
	outb(COM1 + LCR, 0x80); /* divisor 1: 115200 baud */
	outb(COM1 + THR, 1);
	outb(COM1 + IER, 0);
	outb(COM1 + LCR, 0x03); /* 8 bits, no parity, 1 stop bit */
	outb(COM1 + FCR, 0x07); /* FIFOs on and cleared */
	outb(COM1 + MCR, 0x0b); /* DTR, RTS, OUT2 */
}

/* Interrupt on every received byte (the IOAPIC routes IRQ 4 to a CPU). */
void serial_intr_enable(void) { outb(COM1 + IER, 1); }

void uart_putc(int c)
{
	while (!(inb(COM1 + LSR) & 0x20))
		pause();
	outb(COM1 + THR, c);
}

int uart_getc(void) { return (inb(COM1 + LSR) & 1) ? inb(COM1 + THR) : -1; }

static void eputs(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

static void enum_(u64 v, int base, int neg, int width)
{
	char tmp[24];
	int i = 0;
	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i < width)
		tmp[i++] = '0';
	if (neg)
		tmp[i++] = '-';
	while (i)
		uart_putc(tmp[--i]);
}

/* eprintf: %s %c %d %u %x %p with l and a 0-padded width; no locks, no
 * per-CPU state: safe in a fault handler at any point of the boot. */
void eprintf(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			char s[2] = {*fmt, 0};
			eputs(s);
			continue;
		}
		fmt++;
		int width = 0, lng = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l')
			lng = 1, fmt++;
		switch (*fmt) {
		case 's':
			eputs(__builtin_va_arg(ap, const char *));
			break;
		case 'c':
			uart_putc(__builtin_va_arg(ap, int));
			break;
		case 'd': {
			long v = lng ? __builtin_va_arg(ap, long) : __builtin_va_arg(ap, int);
			enum_(v < 0 ? -(u64)v : (u64)v, 10, v < 0, width);
			break;
		}
		case 'u':
			enum_(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 10, 0, width);
			break;
		case 'x':
			enum_(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 16, 0, width);
			break;
		case 'p':
			eputs("0x");
			enum_(__builtin_va_arg(ap, u64), 16, 0, 16);
			break;
		default:
			uart_putc('%');
			uart_putc(*fmt);
		}
	}
	__builtin_va_end(ap);
}
