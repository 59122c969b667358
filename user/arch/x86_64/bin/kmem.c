/* kmem.c (x86-64): touch memory the process may not touch.
 *   kmem        read kernel memory (mapped, supervisor-only: U/S clear)
 *   kmem write  write kernel memory (the direct map of all RAM)
 *   kmem jump   jump to an unmapped address
 *   kmem text   write its own (read-only) text
 *   kmem stack  recurse until it runs off its stack (guard page)
 *   kmem null   read address 0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* the kernel image (KERNBASE + 1 MiB, kernel/arch/x86_64/machine.h) */
#define KERNEL_ADDR 0xffffffff80100000UL

static int recurse(int n)
{
	if (n < 0) /* never: hides the endless recursion from the compiler */
		return 0;
	volatile char pad[1024];
	pad[0] = n;
	return recurse(n + 1) + pad[0];
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "read";
	/* one write(2), not musl's writev of stdio: the banner is out before
	 * the fault, and strace shows it as on RISC-V (test_trace.py) */
	char banner[64];
	int n = snprintf(banner, sizeof banner, "kmem: %s\n", what);
	write(1, banner, n < (int)sizeof banner ? n : (int)sizeof banner - 1);
	if (strcmp(what, "write") == 0)
		*(volatile unsigned long *)KERNEL_ADDR = 0;
	else if (strcmp(what, "jump") == 0)
		((void (*)(void))0x3000000000UL)();
	else if (strcmp(what, "text") == 0)
		*(volatile unsigned *)(void *)main = 0;
	else if (strcmp(what, "stack") == 0)
		recurse(0);
	else if (strcmp(what, "null") == 0)
		printf("%lu\n", *(volatile unsigned long *)0);
	else
		printf("%lu\n", *(volatile unsigned long *)KERNEL_ADDR);
	printf("kmem: still alive: the kernel failed to stop me\n");
	return 1;
}
