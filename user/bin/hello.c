/* hello.c: the smallest program: one write through picolibc's stdio. */
#include <stdio.h>

int main(void)
{
	printf("hello\n");
	return 0;
}
