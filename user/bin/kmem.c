/* kmem.c: touch memory the process may not touch.
 *   kmem        read kernel memory (the kernel is mapped, supervisor-only)
 *   kmem write  write kernel memory
 *   kmem jump   jump to an unmapped address
 *   kmem text   write its own (read-only) text
 *   kmem stack  recurse until it runs off its stack (guard page)
 *   kmem null   read address 0
 */
#include <stdio.h>
#include <string.h>

#define KERNEL_ADDR 0xffffffc080200000UL

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
	printf("kmem: %s\n", what);
	fflush(stdout);
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
