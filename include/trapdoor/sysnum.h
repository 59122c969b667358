/* sysnum.h: the system-call numbers SYS_fork, SYS_write, ..., SYS_max,
 * generated from syscalls.h; shared by abi.h (kernel) and <sys/syscall.h>.
 */
#ifndef TRAPDOOR_SYSNUM_H
#define TRAPDOOR_SYSNUM_H

/* An enum, not #defines: SYS_##name must stay an identifier wherever
 * syscalls.h is expanded again (the kernel's tables, usys.S). */
enum {
#define SYSCALL(num, name, stub, args, ret) SYS_##name = num,
#include "syscalls.h"
#undef SYSCALL
	SYS_max
};

#endif
