/* uarch.h (x86-64): what the portable tests need to know about the machine:
 * its user-space layout and the few instructions they must run on purpose.
 */
#ifndef UARCH_H
#define UARCH_H

#include <trapdoor.h>
#include "memlayout.h"

/* The layout (memlayout.h has the kernel's values) */
#define UA_USER_END HOLE_START           /* the first address past user space */
#define UA_STACK_PAGE (USTACK_TOP - 4096) /* the stack's top page */
#define UA_STACK_GUARD USTACK_GUARD      /* the guard page below its 8 MiB */
#define UA_MMAP_END 0x7fffff000000UL     /* mmap's area ends below this */
#define UA_ELF_MACHINE 62                /* EM_X86_64 */

/* System-call numbers that are no call: 7 (poll) and 100 (times) are
 * Linux's that Trapdoor leaves out, 1000 the first of Trapdoor's own range
 * (RISC-V's 0, no call), then the list's end and past it, 500 between the
 * two ranges, and numbers far off in both directions. */
#define UA_NO_CALLS { 1000, 7, SYS_max, SYS_max + 1, 100, 500, -1, 0x7fffffff, -0x7fffffffL }

/* Code for a function returning 42 (mov $42, %eax; ret).  x86 keeps the
 * instruction fetch coherent with stores: nothing to do before it runs. */
static const unsigned char ua_ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
static inline void ua_sync_icache(void) { __asm__ volatile("" ::: "memory"); }

/* Three instructions a user program may not run: a privileged one (cli at
 * IOPL 0 is #GP: SIGILL), a breakpoint (int3, #BP: SIGTRAP), an illegal one
 * (ud2, #UD: SIGILL). */
#define UA_PRIVILEGED "cli"
static inline void ua_privileged(void) { __asm__ volatile("cli"); }
#define UA_BREAKPOINT "int3"
static inline void ua_breakpoint(void) { __asm__ volatile("int3"); }
#define UA_ILLEGAL "ud2"
static inline void ua_illegal(void) { __asm__ volatile("ud2"); }

/* What musl makes of a negative result (its __syscall_ret, which every
 * wrapper and syscall() end in): -1 and errno in [-4095, -1], the value
 * below. */
long __syscall_ret(unsigned long);
static inline long ua_syscall_result(long r) { return __syscall_ret(r); }

#endif
