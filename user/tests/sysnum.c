/* sysnum.c: <sys/syscall.h> gives syscall() and SYS_* numbers from the one
 * list (include/trapdoor/syscalls.h); the raw call behaves like the stubs. */
#include <sys/syscall.h>
#include <errno.h>
#include <string.h>
#include "tap.h"

int main(void)
{
	plan(5);
#ifdef __x86_64__
	check(SYS_getpid == 39 && SYS_write == 1 && SYS_close == 3 && SYS_spawn == 1039,
	      "SYS_getpid %d, SYS_write %d, SYS_close %d: Linux's numbers; SYS_spawn %d: Trapdoor's own", SYS_getpid,
	      SYS_write, SYS_close, SYS_spawn);
#else
	check(SYS_getpid == 11 && SYS_write == 16 && SYS_close == 21,
	      "SYS_getpid %d, SYS_write %d, SYS_close %d: xv6-riscv's numbers", SYS_getpid, SYS_write, SYS_close);
#endif
	check(syscall(SYS_getpid) == getpid(), "syscall(SYS_getpid) == getpid()");
	fflush(stdout);
	const char msg[] = "# written by syscall(SYS_write, ...)\n";
	long n = syscall(SYS_write, 1, msg, strlen(msg));
	check(n == (long)strlen(msg), "syscall(SYS_write, 1, msg, %d) = %ld", (int)strlen(msg), n);
	errno = 0;
	n = syscall(SYS_close, 999);
	check(n == -1 && errno == EBADF, "syscall(SYS_close, 999) = -1, errno EBADF (%ld, %d)", n, errno);
	errno = 0;
	n = syscall(SYS_max + 100);
	check(n == -1 && errno == ENOSYS, "syscall(SYS_max + 100) = -1, errno ENOSYS (%ld, %d)", n, errno);
	return tap_done();
}
