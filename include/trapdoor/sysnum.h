/* sysnum.h: the system-call numbers SYS_fork, SYS_write, ..., SYS_max,
 * generated from syscalls.h; shared by abi.h (kernel) and <sys/syscall.h>.
 */
#ifndef TRAPDOOR_SYSNUM_H
#define TRAPDOOR_SYSNUM_H

/* A call's number on the architecture being compiled for: the list gives
 * both (syscalls.h).  The compiler says which architecture that is. */
#ifdef __x86_64__
#define SYSNUM(rv, x86) (x86)
#else
#define SYSNUM(rv, x86) (rv)
#endif

/* One past the largest number: the size of a union with one member per
 * call, as many bytes long as its number + 1 (the list is not in the
 * order of either architecture's numbers). */
union sysnum_max {
#define SYSCALL(rv, x86, name, stub, args, ret) char n_##name[SYSNUM(rv, x86) + 1];
#include "syscalls.h"
#undef SYSCALL
};

#if defined(__x86_64__) && !defined(TRAPDOOR_KERNEL)
/* x86-64 user programs: musl's <sys/syscall.h> has Linux's SYS_read, ...;
 * Trapdoor's own calls (SYS_spawn, ...) come from a header that
 * tools/syscalls.py makes of the list (user/arch/x86_64/user.mk). */
#include <sys/syscall.h>
#if __has_include("trapdoor/sysnum_x86_64.h") /* a program built outside user.mk has Linux's only */
#include "trapdoor/sysnum_x86_64.h"
#endif
enum { SYS_max = sizeof(union sysnum_max) };
#else
/* An enum, not #defines: SYS_##name must stay an identifier wherever
 * syscalls.h is expanded again (the kernel's tables, usys.S).
 * TRAPDOOR_SYS_<name> is the same number under the name x86-64's user
 * programs have for it, so that one source can name every call of the
 * list on both architectures (the fuzzer does). */
enum {
#define SYSCALL(rv, x86, name, stub, args, ret) SYS_##name = SYSNUM(rv, x86), TRAPDOOR_SYS_##name = SYSNUM(rv, x86),
#include "syscalls.h"
#undef SYSCALL
	SYS_max = sizeof(union sysnum_max)
};
#endif

#endif
