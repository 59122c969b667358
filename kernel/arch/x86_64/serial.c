/* serial.c: the console on COM1, a 16550 UART at I/O port 0x3f8, and the
 * early print routine used before (and beneath) the portable kprintf.
 */
#include "kernel.h"
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

/* eprintf: the portable formatter (kvsnprintf: no locks, no per-CPU
 * state) into a buffer on this stack, then straight to the UART: safe in
 * a fault handler at any point of the boot. */
void eprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	eputs(buf);
}
