/* uart.c: the 16550 serial port that is the console.
 * Output is polled (the emulated UART is never busy for long); input
 * arrives by interrupt, through the PLIC, and goes to console_intr.
 */
#include "kernel.h"
#include "board.h"

#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define IER 1 /* interrupt enable */
#define FCR 2 /* FIFO control */
#define LCR 3 /* line control */
#define LSR 5 /* line status */
#define LSR_RX_READY 0x01
#define LSR_TX_EMPTY 0x20

static volatile u8 *uart;

static inline u8 rd(int r) { return uart[r]; }
static inline void wr(int r, u8 v) { uart[r] = v; }

void uart_init(u64 base)
{
	uart = P2V(base);
	wr(IER, 0x00);
	wr(LCR, 0x03); /* 8 data bits, no parity, one stop bit */
	wr(FCR, 0x07); /* enable and clear the FIFOs */
	wr(IER, 0x01); /* interrupt when a byte arrives */
}

void arch_console_putc(int c)
{
	if (!uart) {
		sbi_console_putchar(c);
		return;
	}
	while ((rd(LSR) & LSR_TX_EMPTY) == 0)
		;
	wr(THR, c);
}

int arch_console_getc(void)
{
	if (uart && (rd(LSR) & LSR_RX_READY))
		return rd(RBR);
	return -1;
}
