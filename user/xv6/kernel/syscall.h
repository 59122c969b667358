/* kernel/syscall.h (xv6 compatibility): SYS_fork, SYS_write, ... as numbers.
 * 1..21 are xv6's; the list is Trapdoor's one (include/trapdoor/syscalls.h),
 * each call by this machine's number (machine.h: x86-64 has Linux's).
 */
#ifndef XV6_SYSCALL_H
#define XV6_SYSCALL_H
#include "machine.h"
enum {
#define SYSCALL(rv, x86, name, stub, args, ret) SYS_##name = XV6_SYSNUM(rv, x86),
#include "../../../include/trapdoor/syscalls.h"
#undef SYSCALL
};
#endif
