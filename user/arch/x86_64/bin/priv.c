/* priv.c (x86-64): try a privileged operation from ring 3.  The CPU
 * refuses (#GP, CPL 3 > IOPL or CPL 0 required) and the kernel kills it.
 *   priv        cli: clear the interrupt flag (also: priv csr)
 *   priv hlt    halt the CPU
 *   priv out    write an I/O port;  priv in   read one
 *   priv lidt   load the interrupt table
 *   priv wrmsr  write a model-specific register
 *   priv cr3    switch page tables (mov to CR3)
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "cli";
	printf("priv: trying %s in user mode\n", what);
	fflush(stdout);
	if (strcmp(what, "hlt") == 0)
		__asm__ volatile("hlt");
	else if (strcmp(what, "out") == 0)
		__asm__ volatile("outb %al, $0x80");
	else if (strcmp(what, "in") == 0)
		__asm__ volatile("inb $0x60, %%al" ::: "rax");
	else if (strcmp(what, "lidt") == 0)
		__asm__ volatile("lidt (%rsp)");
	else if (strcmp(what, "wrmsr") == 0)
		__asm__ volatile("wrmsr");
	else if (strcmp(what, "cr3") == 0)
		__asm__ volatile("xor %%eax, %%eax; mov %%rax, %%cr3" ::: "rax");
	else
		__asm__ volatile("cli");
	printf("priv: still alive: the kernel failed to stop me\n");
	return 1;
}
