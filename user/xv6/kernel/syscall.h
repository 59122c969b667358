/* kernel/syscall.h (xv6 compatibility): SYS_fork, SYS_write, ... as numbers.
 * 1..21 are xv6's; the list is Trapdoor's one (include/trapdoor/syscalls.h).
 */
#ifndef XV6_SYSCALL_H
#define XV6_SYSCALL_H
enum {
#define SYSCALL(rv, x86, name, stub, args, ret) SYS_##name = rv,
#include "../../../include/trapdoor/syscalls.h"
#undef SYSCALL
};
#endif
