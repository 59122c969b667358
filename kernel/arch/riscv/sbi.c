/* sbi.c: calls into the M-mode firmware (OpenSBI) through ecall.
 * Extension id in a7, function id in a6, arguments in a0..a2.
 */
#include "kernel.h"
#include "board.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME 0x54494D45 /* "TIME" */
#define SBI_EXT_HSM 0x48534D    /* "HSM": hart state management */
#define SBI_EXT_SRST 0x53525354 /* "SRST": system reset */
#define SBI_EXT_IPI 0x735049    /* "sPI": inter-processor interrupts */

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2)
{
	register long r0 asm("a0") = a0;
	register long r1 asm("a1") = a1;
	register long r2 asm("a2") = a2;
	register long r6 asm("a6") = fid;
	register long r7 asm("a7") = ext;
	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ r0, r1 };
}

/* Early console, before the device tree has told us where the UART is. */
void sbi_console_putchar(int c) { sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0); }

long sbi_hart_start(u64 hartid, u64 start_pa, u64 opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque).error;
}

/* The hart's HSM state: 0 started, 1 stopped, 2 start pending, 3 stop
 * pending; or a negative SBI error. */
long sbi_hart_status(u64 hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0);
	return r.error ? r.error : r.value;
}

/* Only used when the hart lacks Sstc (then S-mode cannot write stimecmp). */
void sbi_set_timer(u64 when) { sbi_call(SBI_EXT_TIME, 0, when, 0, 0); }

/* Raise a supervisor software interrupt on one hart: wakes it from wfi. */
void sbi_send_ipi(u64 hartid) { sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0); }

void sbi_shutdown(int fail)
{
	/* type 0 = shutdown; reason 0 = none, 1 = system failure */
	sbi_call(SBI_EXT_SRST, 0, 0, fail ? 1 : 0, 0);
	for (;;)
		wfi();
}
