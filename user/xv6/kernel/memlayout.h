/* kernel/memlayout.h (xv6 compatibility): where the kernel is, seen from a
 * user program: Trapdoor's kernel lives in the upper half, not at 0x80000000.
 */
#ifndef XV6_MEMLAYOUT_H
#define XV6_MEMLAYOUT_H
#include "machine.h" /* KERNBASE, the kernel image's virtual address */
#define PHYSTOP (KERNBASE + 128 * 1024 * 1024)
/* Trapdoor maps no trampoline or trap frame into user space: the top user
 * page is left unmapped, above the stack, so these name it. */
#define TRAMPOLINE (MAXVA - PGSIZE)
#define TRAPFRAME (TRAMPOLINE - PGSIZE)
#endif
