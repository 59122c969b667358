/* sys/syscall.h: SYS_* numbers for syscall(), as on Linux.
 * The numbers come from the one list, include/trapdoor/syscalls.h.
 */
#ifndef _SYS_SYSCALL_H
#define _SYS_SYSCALL_H

#include "trapdoor/sysnum.h"

/* number in a7, up to six arguments in a0..a5 (user/lib/usys.S);
 * -1 and errno on failure, like every other stub. */
long syscall(long n, ...);

#endif
