/* uarch.h (RISC-V): what the portable tests need to know about the machine:
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
#define UA_MMAP_END 0x3fff000000UL     /* mmap's area ends below this */
#define UA_ELF_MACHINE 243             /* EM_RISCV */

/* System-call numbers that are no call: 0 and 59 are gaps in the list,
 * then its end and past it, and numbers far off in both directions. */
#define UA_NO_CALLS { 0, 59, SYS_max, SYS_max + 1, 100, 1000, -1, 0x7fffffff, -0x7fffffffL }

/* Code for a function returning 42 (li a0, 42; ret), and what must follow
 * writing code before it runs: fence.i, since the instruction fetch is not
 * coherent with the stores that wrote it. */
static const unsigned char ua_ret42[] = { 0x13, 0x05, 0xa0, 0x02, 0x67, 0x80, 0x00, 0x00 };
static inline void ua_sync_icache(void) { __asm__ volatile("fence.i" ::: "memory"); }

/* Three instructions a user program may not run: a privileged one (a write
 * to a supervisor CSR: SIGILL), a breakpoint (SIGTRAP), an illegal one
 * (all zeros, never an instruction: SIGILL). */
#define UA_PRIVILEGED "a CSR write"
static inline void ua_privileged(void) { __asm__ volatile("csrw sstatus, zero"); }
#define UA_BREAKPOINT "ebreak"
static inline void ua_breakpoint(void) { __asm__ volatile("ebreak"); }
#define UA_ILLEGAL "an all-zero instruction"
static inline void ua_illegal(void) { __asm__ volatile(".word 0"); }

/* What the system-call stubs make of a negative result (user/lib/usys.S,
 * global for this): -1 and errno in [-4095, -1], the value below. */
long __syscall_neg(long);
static inline long ua_syscall_result(long r) { return __syscall_neg(r); }

#endif
