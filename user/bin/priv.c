/* priv.c: try a privileged operation from user mode.  The hardware
 * refuses (illegal instruction trap) and the kernel kills the process.
 *   priv        write a CSR (sstatus)
 *   priv sret   return-from-trap, a supervisor instruction
 *   priv wfi    wait for interrupt
 *   priv satp   switch page tables
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "csr";
	printf("priv: trying %s in user mode\n", what);
	fflush(stdout);
	if (strcmp(what, "sret") == 0)
		__asm__ volatile("sret");
	else if (strcmp(what, "wfi") == 0)
		__asm__ volatile("wfi");
	else if (strcmp(what, "satp") == 0)
		__asm__ volatile("csrw satp, zero");
	else
		__asm__ volatile("csrw sstatus, zero");
	printf("priv: still alive: the kernel failed to stop me\n");
	return 1;
}
