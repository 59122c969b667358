/* seedsys.c: seed 003's "System Call Example", as the slide has it:
 * getpid once through syscall(SYS_getpid) and once through the libc stub. */
#include <syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/types.h>
int main (void) {
	long ID1, ID2;
	/*-----*/
	/* direct system call */
	/* SYS_getpid (func no. is 11 here: xv6's; 20 on x86 Linux) */
	/*-----*/
	ID1 = syscall(SYS_getpid);
	printf ("syscall(SYS_getpid)=%ld\n", ID1);
	/*----*/
	/* "libc" wrapped system call */
	/* SYS_getpid (Func No. is 11) */
	ID2 = getpid();
	printf ("getpid()=%ld\n", ID2);
	return(0);
}
